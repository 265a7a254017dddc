/**
 * Open311 GeoReport v2 output: the same data as JSON or XML (the format is the path's extension), the
 * specification's error shapes (`[{code, description}]`, `<errors><error>…</error></errors>`) and its date format.
 */
import type { FastifyReply } from 'fastify';

export type Format = 'json' | 'xml';

/** An error in the specification's shape: the HTTP status is also its `code`. */
export class Open311Error extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
  ) {
    super(description);
  }
}

/** Element names of array items in XML (the JSON arrays' singular). */
const ITEM_NAMES: Record<string, string> = {
  services: 'service',
  attributes: 'attribute',
  values: 'value',
  endpoints: 'endpoint',
  formats: 'format',
  service_requests: 'request',
  errors: 'error',
};

// Characters XML 1.0 cannot carry at all; they are dropped rather than escaped.
const NOT_XML =
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this removes
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function escapeXml(text: string): string {
  return text
    .replace(NOT_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function node(name: string, value: unknown): string {
  if (value === null || value === undefined) return `<${name}/>`;
  if (Array.isArray(value)) {
    const item = ITEM_NAMES[name] ?? 'item';
    return `<${name}>${value.map((v) => node(item, v)).join('')}</${name}>`;
  }
  if (typeof value === 'object') {
    const inner = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => node(k, v))
      .join('');
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** A document: an object becomes the root element's children, an array its repeated items. */
export function toXml(root: string, value: unknown): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n${node(root, value)}`;
}

/** Sends a body in the requested format; `root` names the XML root element. */
export function sendFormatted(
  reply: FastifyReply,
  format: Format,
  status: number,
  root: string,
  value: unknown,
): FastifyReply {
  reply.code(status);
  if (format === 'xml') return reply.type('text/xml; charset=utf-8').send(toXml(root, value));
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(value));
}

/** Sends an error in the specification's shape. */
export function sendOpen311Error(
  reply: FastifyReply,
  format: Format,
  status: number,
  description: string,
): FastifyReply {
  return sendFormatted(reply, format, status, 'errors', [{ code: status, description }]);
}

/** The format a URL asks for: its extension (before any query), JSON when it names neither. */
export function formatOfUrl(url: string): Format {
  const path = url.split('?')[0] ?? '';
  return /\.xml$/i.test(path) ? 'xml' : 'json';
}

/** Splits `name.json` / `name.xml` into name and format; null when the extension is neither. */
export function splitFormat(file: string): { name: string; format: Format } | null {
  const m = /^(.+)\.(json|xml)$/.exec(file);
  return m ? { name: m[1]!, format: m[2] as Format } : null;
}

/** ISO 8601 in China time with its offset, as the specification asks (e.g. 2026-11-22T10:15:30+08:00). */
export function chinaIso(d: Date | string | null): string | null {
  if (d === null) return null;
  const t = new Date(d).getTime();
  if (Number.isNaN(t)) return null;
  return new Date(t + 8 * 3600_000).toISOString().replace(/\.\d{3}Z$/, '+08:00');
}
