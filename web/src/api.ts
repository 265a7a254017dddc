/** Typed fetch client for the Linli API: language, CSRF and idempotency headers, and one error class. */
import type { Locale } from '../../common/locale';
import { translateIn } from './catalogues';

export interface ApiErrorDetail {
  field: string;
  rule: string;
  message?: string;
}

/** Any failed call: an HTTP error in the server's one error shape, or a network failure (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ApiErrorDetail[];
  readonly retryAfterSeconds: number | undefined;
  readonly requestId: string | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    details: ApiErrorDetail[] = [],
    retryAfterSeconds?: number,
    requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfterSeconds = retryAfterSeconds;
    this.requestId = requestId;
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

// Module state rather than React context, because the client is also called outside components.
let language: Locale = 'zh-CN';
let csrfToken: string | null = null;
let onUnauthorized: (() => void) | null = null;
let refreshCsrf: (() => Promise<string | null>) | null = null;
let onRestricted: (() => void) | null = null;

export function setApiLanguage(locale: Locale): void {
  language = locale;
}
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}
/** Called when a call other than /api/me or login answers 401: the session is gone, so go back to login. */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}
/**
 * Called when a call is refused because the session is restricted (password change or TOTP enrolment due):
 * reloading /api/me lets the route guard show the page that lifts the restriction.
 */
export function setRestrictedHandler(handler: (() => void) | null): void {
  onRestricted = handler;
}
const RESTRICTED_CODES = ['auth.password_change_required', 'auth.totp_setup_required'];

/** Called once when a write is refused for a stale CSRF token (e.g. after signing in again in another tab). */
export function setCsrfRefresher(refresher: (() => Promise<string | null>) | null): void {
  refreshCsrf = refresher;
}

/** Paths whose 401 is an answer (not signed in, wrong password), not a lost session. */
const AUTH_PATHS = [
  '/api/me',
  '/api/auth/login',
  '/api/auth/logout',
  '/api/auth/resident/code',
  '/api/auth/resident/login',
];

export type QueryValue = string | number | boolean | null | undefined;
export type Query = Readonly<Record<string, QueryValue>>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** true: a fresh Idempotency-Key; a string: reuse that key (a retried submission of the same form). */
  idempotencyKey?: boolean | string;
  signal?: AbortSignal;
}

/** A UUID v4; crypto.randomUUID exists only on secure origins, and staff may reach the app over plain http on a LAN. */
export function newUuid(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function buildUrl(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

interface ErrorShape {
  error?: {
    code?: unknown;
    message?: unknown;
    details?: unknown;
    retryAfterSeconds?: unknown;
    requestId?: unknown;
  };
}

function parseDetails(raw: unknown): ApiErrorDetail[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((d: unknown) => {
    if (typeof d !== 'object' || d === null) return [];
    const r = d as Record<string, unknown>;
    if (typeof r.field !== 'string') return [];
    return [
      {
        field: r.field,
        rule: typeof r.rule === 'string' ? r.rule : '',
        ...(typeof r.message === 'string' ? { message: r.message } : {}),
      },
    ];
  });
}

async function toApiError(res: Response): Promise<ApiError> {
  let body: ErrorShape | null = null;
  try {
    body = (await res.json()) as ErrorShape;
  } catch {
    // A proxy's HTML error page or an empty body: fall through to the generic message.
  }
  const e = body?.error;
  const retryHeader = Number(res.headers.get('Retry-After'));
  const retryAfter =
    typeof e?.retryAfterSeconds === 'number'
      ? e.retryAfterSeconds
      : Number.isFinite(retryHeader) && retryHeader > 0
        ? retryHeader
        : undefined;
  if (e && typeof e.message === 'string') {
    return new ApiError(
      res.status,
      typeof e.code === 'string' ? e.code : `http.${res.status}`,
      e.message,
      parseDetails(e.details),
      retryAfter,
      typeof e.requestId === 'string' ? e.requestId : undefined,
    );
  }
  return new ApiError(
    res.status,
    `http.${res.status}`,
    translateIn(language, 'common.unknownError', { status: res.status }),
    [],
    retryAfter,
  );
}

async function send(
  method: string,
  path: string,
  opts: RequestOptions,
  idemKey: string | null,
): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Language': language };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (idemKey) headers['Idempotency-Key'] = idemKey;
  try {
    return await fetch(buildUrl(path, opts.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network.error', translateIn(language, 'common.networkError'));
  }
}

/** Sends one request and returns its parsed JSON body, or throws ApiError. */
export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const idemKey =
    typeof opts.idempotencyKey === 'string' ? opts.idempotencyKey : opts.idempotencyKey ? newUuid() : null;
  let res = await send(method, path, opts, idemKey);
  if (res.status === 403 && method !== 'GET' && refreshCsrf) {
    const err = await toApiError(res.clone());
    if (err.code.toLowerCase().includes('csrf')) {
      const fresh = await refreshCsrf();
      if (fresh) {
        csrfToken = fresh;
        res = await send(method, path, opts, idemKey);
      }
    }
  }
  if (!res.ok) {
    const err = await toApiError(res);
    if (res.status === 401 && !AUTH_PATHS.includes(path)) onUnauthorized?.();
    if (res.status === 403 && RESTRICTED_CODES.includes(err.code)) onRestricted?.();
    throw err;
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** The file name a Content-Disposition header gives (RFC 6266: filename* first), or '' without one. */
function dispositionName(header: string | null): string {
  if (!header) return '';
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      // A malformed encoding: fall back to the plain name.
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(header);
  return plain?.[1]?.trim() ?? '';
}

/**
 * Downloads a file from the API: fetched in the app's language (the file's headers follow it) and saved under
 * `fileName`, else the name the server gives; a refusal throws ApiError, so it shows where the user asked for the file.
 */
export async function downloadFile(path: string, query: Query, fileName?: string): Promise<void> {
  const res = await send('GET', path, { query }, null);
  if (!res.ok) {
    const err = await toApiError(res);
    if (res.status === 401) onUnauthorized?.();
    throw err;
  }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName ?? dispositionName(res.headers.get('Content-Disposition'));
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>('GET', path, { query, signal }),
  post: <T>(path: string, body?: unknown, opts: Omit<RequestOptions, 'body'> = {}) =>
    request<T>('POST', path, { ...opts, body }),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, { body }),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, { body }),
  delete: <T>(path: string) => request<T>('DELETE', path),
};

/** Encodes one path segment (area codes and ids are safe already, but this keeps it so). */
export const seg = (s: string): string => encodeURIComponent(s);
