/**
 * Open311 GeoReport v2 over Linli's categories and cases (https://wiki.open311.org/GeoReport_v2).
 *
 * - Services are the active leaf categories (under active parents): service_code = the category code, group = the
 *   parent's name, metadata = whether it has extra questions (its service definition lists them as attributes).
 * - POST requests takes a case in on the online channel for a client holding an API key (issued per client and
 *   area). Location: `address_id` = a community or grid code, and/or `lat` + `long` (the grid whose boundary holds
 *   the point); `address_string` alone cannot be located (there is no geocoder) and is kept as the address text.
 *   The location must lie in the key's area (else 403). The resident's name and phone are stored like every other
 *   reporter's (encrypted, masked); email, device_id and account_id are not stored; media_url is kept as a line of
 *   the description.
 * - GET requests and GET request are public and carry no personal data: no description, no address, no names;
 *   lat/long rounded to 3 decimals (about 100 m); address_id is the community's code. Private matters (私事) are
 *   never listed.
 */
import { and, desc, eq, gte, inArray, lte, ne, notInArray, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { parseAreaCode } from '../../../common/area-code';
import type { CategoryQuestion } from '../../../common/schemas/categories';
import type { CaseCreate } from '../../../common/schemas/cases';
import type { Locale } from '../../../common/locale';
import type { AppContext } from '../../context';
import { AppError, errorBody } from '../../http/errors';
import { pathWithin } from '../../policy/ability';
import { gridAt } from '../areas/locate';
import { areas, departments } from '../areas/tables';
import { appendAudit } from '../audit/log';
import { OPEN_STATUSES } from '../cases/machine';
import { intake } from '../cases/service';
import { cases } from '../cases/tables';
import { listCategories } from '../categories/service';
import { categories } from '../categories/tables';
import { apiKeys } from './tables';
import { findLiveKey } from './apikeys';
import { chinaIso, Open311Error } from './format';

/** GET requests answers at most this many requests (the specification's limit). */
export const MAX_REQUESTS = 1000;
/** The default and the widest date window of GET requests, in days (the specification's 90 days). */
export const WINDOW_DAYS = 90;
const DAY_MS = 86_400_000;

type Text3 = Record<Locale, string>;

const MATTER: Record<string, Text3> = {
  public: {
    'zh-CN': '大事（政府部门办理）',
    'zh-TW': '大事（政府部門辦理）',
    en: 'Public matter (government)',
  },
  community: {
    'zh-CN': '小事（社区自治解决）',
    'zh-TW': '小事（社區自治解決）',
    en: 'Community matter (self-governance)',
  },
  private: {
    'zh-CN': '私事（引导居民自行解决）',
    'zh-TW': '私事（引導居民自行解決）',
    en: 'Private matter (guidance to the resident)',
  },
};

const STATUS: Record<string, Text3> = {
  reported: { 'zh-CN': '待受理', 'zh-TW': '待受理', en: 'Reported' },
  accepted: { 'zh-CN': '已受理', 'zh-TW': '已受理', en: 'Accepted' },
  declined: { 'zh-CN': '不予受理', 'zh-TW': '不予受理', en: 'Declined' },
  dispatched: { 'zh-CN': '已派遣', 'zh-TW': '已派遣', en: 'Dispatched' },
  handling: { 'zh-CN': '处置中', 'zh-TW': '處置中', en: 'Being handled' },
  handled: { 'zh-CN': '已反馈', 'zh-TW': '已回饋', en: 'Handled' },
  verified: { 'zh-CN': '已核查', 'zh-TW': '已核查', en: 'Verified' },
  closed: { 'zh-CN': '已结案', 'zh-TW': '已結案', en: 'Closed' },
  rated: { 'zh-CN': '已评价', 'zh-TW': '已評價', en: 'Closed and rated' },
  suspended: { 'zh-CN': '挂账', 'zh-TW': '掛帳', en: 'Suspended (long-term matter)' },
  merged: { 'zh-CN': '已合并', 'zh-TW': '已合併', en: 'Merged into another request' },
};

const DATATYPE_HINT: Record<string, Text3> = {
  number: { 'zh-CN': '数字', 'zh-TW': '數字', en: 'A number' },
  datetime: {
    'zh-CN': 'ISO 8601 日期时间，例如 2026-11-22T20:30:00+08:00',
    'zh-TW': 'ISO 8601 日期時間，例如 2026-11-22T20:30:00+08:00',
    en: 'ISO 8601 date and time, e.g. 2026-11-22T20:30:00+08:00',
  },
  boolean: { 'zh-CN': 'true 或 false', 'zh-TW': 'true 或 false', en: 'true or false' },
};

const YES_NO: Record<Locale, [string, string]> = {
  'zh-CN': ['是', '否'],
  'zh-TW': ['是', '否'],
  en: ['Yes', 'No'],
};

function notice(locale: Locale, due: string | null): string {
  const when = due ? due.replace('T', ' ').slice(0, 16) : null;
  if (locale === 'en')
    return when
      ? `Registered. It will be handled by ${when} (China time).`
      : 'Registered. It will be handled within the working-day time limit.';
  if (locale === 'zh-TW')
    return when ? `已登記，將於 ${when} 前辦理。` : '已登記，將在規定的工作日時限內辦理。';
  return when ? `已登记，将于 ${when} 前办理。` : '已登记，将在规定的工作日时限内办理。';
}

// ---- services -----------------------------------------------------------------------------------------

export interface Open311Service {
  service_code: string;
  service_name: string;
  description: string;
  metadata: boolean;
  type: 'realtime';
  keywords: string;
  group: string | null;
}

type CategoryItem = Awaited<ReturnType<typeof listCategories>>[number];

/** The categories offered as services: active leaves under active parents, in tree order. */
async function serviceCategories(
  ctx: AppContext,
): Promise<{ list: CategoryItem[]; byId: Map<string, CategoryItem> }> {
  const all = await listCategories(ctx, true);
  const byId = new Map(all.map((c) => [c.id, c]));
  const parents = new Set(all.map((c) => c.parentId).filter((p): p is string => p !== null));
  return { list: all.filter((c) => !parents.has(c.id)), byId };
}

function nameIn(locale: Locale, c: { name: string; nameEn: string | null }): string {
  return locale === 'en' && c.nameEn ? c.nameEn : c.name;
}

/** GET services: the service list. */
export async function listServices(ctx: AppContext, locale: Locale): Promise<Open311Service[]> {
  const { list, byId } = await serviceCategories(ctx);
  return list.map((c) => {
    const parent = c.parentId ? byId.get(c.parentId) : undefined;
    return {
      service_code: c.code,
      service_name: nameIn(locale, c),
      description: MATTER[c.matterClass]![locale],
      metadata: c.questions.length > 0,
      type: 'realtime' as const,
      keywords: [c.name, c.nameEn, parent?.name].filter((k): k is string => Boolean(k)).join(', '),
      group: parent ? nameIn(locale, parent) : null,
    };
  });
}

async function serviceByCode(ctx: AppContext, code: string): Promise<CategoryItem> {
  const { list } = await serviceCategories(ctx);
  const c = list.find((s) => s.code === code);
  if (!c) throw new Open311Error(404, `service_code not found: ${code.slice(0, 64)}`);
  return c;
}

/** GET services/{code}: the service definition, one attribute per extra question. */
export async function serviceDefinition(ctx: AppContext, code: string, locale: Locale) {
  const c = await serviceByCode(ctx, code);
  return {
    service_code: c.code,
    attributes: c.questions.map((q, i) => {
      const datatype =
        q.type === 'number'
          ? 'number'
          : q.type === 'datetime'
            ? 'datetime'
            : q.type === 'select' || q.type === 'boolean'
              ? 'singlevaluelist'
              : 'string';
      const values =
        q.type === 'select'
          ? (q.options ?? []).map((o) => ({ key: o, name: o }))
          : q.type === 'boolean'
            ? [
                { key: 'true', name: YES_NO[locale][0] },
                { key: 'false', name: YES_NO[locale][1] },
              ]
            : undefined;
      return {
        variable: true,
        code: q.key,
        datatype,
        required: q.required,
        datatype_description: DATATYPE_HINT[q.type]?.[locale] ?? null,
        order: i + 1,
        description: locale === 'en' && q.labelEn ? q.labelEn : q.label,
        ...(values ? { values } : {}),
      };
    }),
  };
}

// ---- POST requests ------------------------------------------------------------------------------------

/** A request body as parsed: form fields (strings, or arrays when repeated) or JSON. */
export type Fields = Record<string, unknown>;

// eslint-disable-next-line no-control-regex -- NUL is refused by PostgreSQL text, so it is refused here first
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** One text field: the first value of a repeated one; numbers and booleans as text. */
function text(fields: Fields, name: string, max: number): string | undefined {
  let v = fields[name];
  if (Array.isArray(v)) v = v[0];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' || typeof v === 'boolean') v = String(v);
  if (typeof v !== 'string') throw new Open311Error(400, `${name} must be text`);
  if (UNSTORABLE.test(v)) throw new Open311Error(400, `${name} contains characters that are not allowed`);
  const t = v.trim();
  if (t.length > max) throw new Open311Error(400, `${name} is longer than ${max} characters`);
  return t === '' ? undefined : t;
}

function coordinate(fields: Fields, name: 'lat' | 'long', limit: number): number | undefined {
  const t = text(fields, name, 40);
  if (t === undefined) return undefined;
  const n = Number(t);
  if (!/^[+-]?\d+(\.\d+)?$/.test(t) || !Number.isFinite(n) || Math.abs(n) > limit)
    throw new Open311Error(400, `${name} must be a number between -${limit} and ${limit}`);
  return n;
}

/** Mainland mobile numbers, with or without +86 and separators. */
function phoneOf(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let p = raw.replace(/[\s()-]/g, '');
  if (/^(\+|00)?86/.test(p) && p.replace(/^(\+|00)?86/, '').length === 11) p = p.replace(/^(\+|00)?86/, '');
  if (!/^1[3-9]\d{9}$/.test(p)) throw new Open311Error(400, 'phone must be a mainland China mobile number');
  return p;
}

/** attribute[code]=… (form) or attribute: {code: …} (JSON), as raw values by question key. */
function attributesOf(fields: Fields): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const nested = fields.attribute;
  if (nested !== undefined) {
    if (typeof nested !== 'object' || nested === null || Array.isArray(nested))
      throw new Open311Error(400, 'attribute must be an object of answers by attribute code');
    for (const [k, v] of Object.entries(nested as Record<string, unknown>)) out.set(k, v);
  }
  for (const [k, v] of Object.entries(fields)) {
    const m = /^attribute\[([^\]]{1,64})\](\[\])?$/.exec(k);
    if (m) out.set(m[1]!, v);
  }
  if (out.size > 50) throw new Open311Error(400, 'too many attributes');
  return out;
}

/** The answers in the types the category's questions take. */
function answersOf(questions: CategoryQuestion[], given: Map<string, unknown>): CaseCreate['answers'] {
  const byKey = new Map(questions.map((q) => [q.key, q]));
  const out: Record<string, string | number | boolean> = {};
  for (const [key, raw] of given) {
    const q = byKey.get(key);
    if (!q) throw new Open311Error(400, `attribute[${key.slice(0, 64)}] is not an attribute of this service`);
    let v = Array.isArray(raw) ? raw[0] : raw;
    if (v === undefined || v === null || v === '') continue;
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')
      throw new Open311Error(400, `attribute[${key}] must be a single value`);
    if (typeof v === 'string' && (UNSTORABLE.test(v) || v.length > 1000))
      throw new Open311Error(
        400,
        `attribute[${key}] is too long or contains characters that are not allowed`,
      );
    if (q.type === 'number' && typeof v === 'string') {
      const n = Number(v.trim());
      if (v.trim() === '' || !Number.isFinite(n))
        throw new Open311Error(400, `attribute[${key}] must be a number`);
      v = n;
    } else if (q.type === 'boolean' && typeof v === 'string') {
      if (!/^(true|false|1|0)$/i.test(v.trim()))
        throw new Open311Error(400, `attribute[${key}] must be true or false`);
      v = /^(true|1)$/i.test(v.trim());
    } else if ((q.type === 'text' || q.type === 'select' || q.type === 'datetime') && typeof v !== 'string') {
      v = String(v);
    }
    out[key] = v;
  }
  return out;
}

/** Where the request is, checked against the key's area: 403 outside it, 400 when it cannot be located. */
async function locate(
  ctx: AppContext,
  keyPath: string,
  addressId: string | undefined,
  lat: number | undefined,
  lng: number | undefined,
  addressString: string | undefined,
): Promise<string> {
  if ((lat === undefined) !== (lng === undefined))
    throw new Open311Error(400, 'lat and long must be given together');
  if (addressId !== undefined) {
    const parsed = parseAreaCode(addressId);
    if (!parsed.ok || (parsed.level !== 'community' && parsed.level !== 'grid'))
      throw new Open311Error(
        400,
        'address_id must be the 12-digit code of a community or the 15-digit code of a grid',
      );
    const [area] = await ctx.db
      .select({ code: areas.code, path: areas.path })
      .from(areas)
      .where(eq(areas.code, parsed.code))
      .limit(1);
    if (!area) throw new Open311Error(400, `address_id not found: ${parsed.code}`);
    if (!pathWithin(area.path, keyPath))
      throw new Open311Error(403, 'api_key is not valid for this location');
    return area.code;
  }
  if (lat !== undefined && lng !== undefined) {
    const grid = await gridAt(ctx.db, lat, lng, keyPath);
    if (grid) return grid.code;
    if (await gridAt(ctx.db, lat, lng)) throw new Open311Error(403, 'api_key is not valid for this location');
    throw new Open311Error(400, 'lat/long lies in no grid of this jurisdiction; send address_id as well');
  }
  if (addressString !== undefined)
    throw new Open311Error(
      400,
      'address_string alone cannot be located (no geocoder): send lat and long, or address_id (a community or grid code)',
    );
  throw new Open311Error(
    400,
    'a location is required: lat and long, or address_id (a community or grid code)',
  );
}

/** Case fields as the Open311 client named them, for error descriptions. */
const FIELD_NAMES: [RegExp, string][] = [
  [/^body\.answers\.(.+)$/, 'attribute[$1]'],
  [/^body\.lat$/, 'lat'],
  [/^body\.lng$/, 'long'],
  [/^body\.areaCode$/, 'address_id'],
  [/^body\.(title|description)$/, 'description'],
  [/^body\.reporterName$/, 'first_name/last_name'],
  [/^body\.reporterPhone$/, 'phone'],
  [/^body\.address$/, 'address_string'],
  [/^body\.categoryId$/, 'service_code'],
];

function clientField(field: string): string {
  for (const [re, to] of FIELD_NAMES) if (re.test(field)) return field.replace(re, to);
  return field.replace(/^body\./, '');
}

/** An application error of the case service in the specification's terms. */
export function fromAppError(err: AppError, locale: Locale): Open311Error {
  const body = errorBody(locale, err.code, err.details);
  const details = (body.error.details ?? []).map((d) => `${clientField(d.field)}: ${d.message}`);
  const status = err.status === 401 ? 403 : err.status;
  return new Open311Error(status, details.length ? details.join('; ') : body.error.message);
}

export interface RequestMeta {
  ip: string;
  requestId: string;
}

/** POST requests: takes the request in as a case; answers [{service_request_id, service_notice, account_id}]. */
export async function submitRequest(ctx: AppContext, fields: Fields, locale: Locale, meta: RequestMeta) {
  const apiKey = text(fields, 'api_key', 200);
  if (!apiKey) throw new Open311Error(403, 'api_key is required');
  const key = await findLiveKey(ctx, apiKey);
  if (!key) throw new Open311Error(403, 'Invalid api_key');

  const serviceCode = text(fields, 'service_code', 64);
  if (!serviceCode) throw new Open311Error(400, 'service_code is required');
  const category = await serviceByCode(ctx, serviceCode);

  const lat = coordinate(fields, 'lat', 90);
  const lng = coordinate(fields, 'long', 180);
  const addressString = text(fields, 'address_string', 200);
  const areaCode = await locate(ctx, key.areaPath, text(fields, 'address_id', 32), lat, lng, addressString);

  const mediaUrl = text(fields, 'media_url', 500);
  if (mediaUrl !== undefined && !/^https?:\/\/\S+$/i.test(mediaUrl))
    throw new Open311Error(400, 'media_url must be an http or https URL');
  let description = text(fields, 'description', 4000) ?? category.name;
  if (mediaUrl) description = `${description}\n\nmedia_url: ${mediaUrl}`.slice(0, 4000);
  const firstLine = (text(fields, 'description', 4000) ?? '').split(/\r?\n/)[0]!.trim();
  const title = firstLine ? [...firstLine].slice(0, 50).join('') : category.name;

  const first = text(fields, 'first_name', 32);
  const last = text(fields, 'last_name', 32);
  // Chinese names read family name first; others given name first.
  const han = /[\u3400-\u9fff]/.test(`${first ?? ''}${last ?? ''}`);
  const name = (han ? [last, first].join('') : [first, last].filter(Boolean).join(' ')).trim() || undefined;
  if (name && [...name].length > 32)
    throw new Open311Error(400, 'first_name and last_name are longer than 32 characters');
  const phone = phoneOf(text(fields, 'phone', 32));

  const input: CaseCreate = {
    channel: 'online',
    categoryId: category.id,
    title,
    description,
    areaCode,
    ...(lat !== undefined && lng !== undefined ? { lat, lng } : {}),
    ...(addressString ? { address: addressString } : {}),
    ...(name ? { reporterName: name } : {}),
    ...(phone ? { reporterPhone: phone } : {}),
    sourceRef: `Open311 ${key.name}`.slice(0, 64),
    answers: answersOf(category.questions, attributesOf(fields)),
  };
  let created;
  try {
    created = await intake(ctx, null, input, meta);
  } catch (err) {
    if (err instanceof AppError) throw fromAppError(err, locale);
    throw err;
  }
  // Which client sent it: recorded beside the case's own creation entry; the key's last use is kept.
  await ctx.db.transaction(async (tx) => {
    await tx.update(apiKeys).set({ lastUsedAt: new Date() }).where(eq(apiKeys.id, key.id));
    await appendAudit(tx, {
      actorId: null,
      actorName: `open311:${key.keyPrefix}`,
      action: 'open311.request',
      targetType: 'case',
      targetId: created.id,
      areaPath: created.areaPath,
      ip: meta.ip,
      requestId: meta.requestId,
      outcome: 'success',
      details: { number: created.number, apiKeyId: key.id, client: key.name, serviceCode: category.code },
    });
  });
  return [
    {
      service_request_id: created.number,
      service_notice: notice(locale, chinaIso(created.dueAt)),
      account_id: null,
    },
  ];
}

// ---- GET requests ---------------------------------------------------------------------------------------

export type Query = Record<string, unknown>;

function list(q: Query, name: string, max: number): string[] | undefined {
  const raw = q[name];
  const values = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).flatMap((v) =>
    typeof v === 'string' ? v.split(',') : [],
  );
  const items = [...new Set(values.map((v) => v.trim()).filter(Boolean))];
  if (raw !== undefined && items.length === 0) throw new Open311Error(400, `${name} is empty`);
  if (items.length > max) throw new Open311Error(400, `${name} lists more than ${max} values`);
  if (items.some((v) => v.length > 64 || UNSTORABLE.test(v)))
    throw new Open311Error(400, `${name} is not valid`);
  return items.length ? items : undefined;
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function date(q: Query, name: string): Date | undefined {
  const raw = q[name];
  if (raw === undefined) return undefined;
  const v = Array.isArray(raw) ? raw[0] : raw;
  if (typeof v !== 'string' || !ISO_DATE_TIME.test(v.trim()))
    throw new Open311Error(400, `${name} must be an ISO 8601 date and time, e.g. 2026-11-22T00:00:00+08:00`);
  let t = v.trim();
  // A date alone, or a time without a zone, is China time.
  if (t.length === 10) t += 'T00:00:00+08:00';
  else if (!/(Z|[+-]\d{2}:?\d{2})$/.test(t)) t += '+08:00';
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) throw new Open311Error(400, `${name} is not a valid date`);
  return d;
}

const holder = alias(areas, 'holder');

/** The public view of cases: no description, no address, no names; rounded coordinates. */
async function publicRequests(ctx: AppContext, where: SQL, limit: number, locale: Locale) {
  const rows = await ctx.db
    .select({
      number: cases.number,
      status: cases.status,
      categoryCode: categories.code,
      categoryName: categories.name,
      categoryNameEn: categories.nameEn,
      departmentName: departments.name,
      holderName: holder.name,
      areaCode: cases.areaCode,
      lat: cases.lat,
      lng: cases.lng,
      createdAt: cases.createdAt,
      updatedAt: cases.updatedAt,
      dueAt: cases.dueAt,
    })
    .from(cases)
    .innerJoin(categories, eq(categories.id, cases.categoryId))
    .leftJoin(departments, eq(departments.id, cases.leadDepartmentId))
    .leftJoin(holder, eq(holder.path, cases.holderPath))
    .where(and(where, ne(cases.matterClass, 'private')))
    .orderBy(desc(cases.createdAt), desc(cases.id))
    .limit(limit);
  const round = (n: number | null) => (n === null ? null : Math.round(n * 1000) / 1000);
  return rows.map((r) => {
    const open = (OPEN_STATUSES as string[]).includes(r.status);
    return {
      service_request_id: r.number,
      status: open ? 'open' : 'closed',
      status_notes: STATUS[r.status]?.[locale] ?? null,
      service_name: locale === 'en' && r.categoryNameEn ? r.categoryNameEn : r.categoryName,
      service_code: r.categoryCode,
      description: null,
      agency_responsible: r.departmentName ?? r.holderName ?? null,
      service_notice: null,
      requested_datetime: chinaIso(r.createdAt),
      updated_datetime: chinaIso(r.updatedAt),
      expected_datetime: open ? chinaIso(r.dueAt) : null,
      address: null,
      // A grid's code is its community's code and three digits: the community is as precise as it gets.
      address_id: r.areaCode.slice(0, 12),
      zipcode: null,
      lat: round(r.lat),
      long: round(r.lng),
      media_url: null,
    };
  });
}

/** GET requests: by ids (which override every other filter), or by service, status and dates (90 days). */
export async function listRequests(ctx: AppContext, q: Query, locale: Locale) {
  const ids = list(q, 'service_request_id', MAX_REQUESTS);
  const limitRaw = q.limit === undefined ? undefined : Array.isArray(q.limit) ? q.limit[0] : q.limit;
  let limit = MAX_REQUESTS;
  if (limitRaw !== undefined) {
    if (
      typeof limitRaw !== 'string' ||
      !/^\d{1,4}$/.test(limitRaw) ||
      Number(limitRaw) < 1 ||
      Number(limitRaw) > MAX_REQUESTS
    )
      throw new Open311Error(400, `limit must be a whole number from 1 to ${MAX_REQUESTS}`);
    limit = Number(limitRaw);
  }
  if (ids) return publicRequests(ctx, inArray(cases.number, ids), limit, locale);

  const codes = list(q, 'service_code', 200);
  const statuses = list(q, 'status', 2);
  if (statuses?.some((s) => s !== 'open' && s !== 'closed'))
    throw new Open311Error(400, 'status must be open, closed or both (comma-separated)');
  let start = date(q, 'start_date');
  let end = date(q, 'end_date');
  if (start && end && start > end) throw new Open311Error(400, 'start_date is after end_date');
  if (!end) end = start ? new Date(start.getTime() + WINDOW_DAYS * DAY_MS) : new Date();
  if (!start) start = new Date(end.getTime() - WINDOW_DAYS * DAY_MS);
  if (end.getTime() - start.getTime() > WINDOW_DAYS * DAY_MS)
    throw new Open311Error(400, `start_date and end_date may be at most ${WINDOW_DAYS} days apart`);

  const filters: SQL[] = [gte(cases.createdAt, start), lte(cases.createdAt, end)];
  if (codes) filters.push(inArray(categories.code, codes));
  if (statuses?.length === 1) {
    const open = OPEN_STATUSES as string[];
    filters.push(statuses[0] === 'open' ? inArray(cases.status, open) : notInArray(cases.status, open));
  }
  return publicRequests(ctx, and(...filters)!, limit, locale);
}

/** GET requests/{id}: one request by its number, as a one-element list (404 when unknown or private). */
export async function getRequest(ctx: AppContext, id: string, locale: Locale) {
  if (id.length > 64 || UNSTORABLE.test(id)) throw new Open311Error(404, 'service_request_id not found');
  const rows = await publicRequests(ctx, eq(cases.number, id), 1, locale);
  if (rows.length === 0) throw new Open311Error(404, `service_request_id not found: ${id}`);
  return rows;
}
