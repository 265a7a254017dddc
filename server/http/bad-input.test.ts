/**
 * Hostile and clumsy input on every route of the OpenAPI document, anonymous and as a logged-in administrator:
 * nothing a client sends may produce a 500, and every error has the one shape {error: {code, message}}.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { ERRORS } from '../../common/errors';
import {
  createStaff,
  FIXTURE,
  seedFixtureAreas,
  startTestApp,
  TEST_PASSWORD,
  type TestEnv,
} from '../test/harness';
import { accounts } from '../modules/accounts/tables';
import { createSession } from '../modules/accounts/sessions';
import { generateTotpSecret, totpCode, totpStep } from '../modules/accounts/totp';
import { validatorCompiler } from './validation';

type Schema = Record<string, unknown> & {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema | Schema[];
  anyOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  minItems?: number;
};

interface Param {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  schema: Schema;
}

interface Operation {
  method: string;
  /** The OpenAPI path, e.g. /api/areas/{code}/grids. */
  path: string;
  params: Param[];
  body: Schema | null;
  /** Reachable without a session (found out by asking). */
  public: boolean;
}

interface Identity {
  name: string;
  headers: () => Record<string, string>;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const TWO_MB = 2 * 1024 * 1024;

/** Checks a value against a JSON schema the way the app does (strict bodies, coerced text). */
function accepts(schema: Schema, value: unknown, part: 'body' | 'querystring' | 'params'): boolean {
  const validate = validatorCompiler({ schema, httpPart: part, method: 'GET', url: '/' }) as (
    d: unknown,
  ) => boolean;
  return validate(structuredClone(value));
}

// Values that match the patterns of this API without naming anything that exists.
const STRING_CANDIDATES = [
  '340302009009',
  '340302009009099',
  '001',
  '123456',
  '13800138000',
  'abc',
  'Polygon',
];

/** A small value the schema accepts, or undefined when none is found. */
function example(schema: Schema): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  if (schema.anyOf) {
    for (const branch of schema.anyOf) {
      const v = example(branch);
      if (v !== undefined) return v;
    }
    return undefined;
  }
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string': {
      if (schema.format === 'uuid') return crypto.randomUUID();
      if (schema.format === 'date-time') return new Date().toISOString();
      if (schema.format === 'date') return '2030-01-07';
      const plain = 'x'.repeat(Math.max(1, schema.minLength ?? 1));
      return [plain, ...STRING_CANDIDATES].find((c) => accepts(schema, c, 'body'));
    }
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return false;
    case 'null':
      return null;
    case 'array': {
      const n = schema.minItems ?? 0;
      if (n === 0) return [];
      const item = Array.isArray(schema.items) ? undefined : example(schema.items ?? {});
      return item === undefined ? undefined : Array.from({ length: n }, () => item);
    }
    case 'object':
    case undefined: {
      const out: Record<string, unknown> = {};
      for (const key of schema.required ?? []) {
        const v = example(schema.properties?.[key] ?? {});
        if (v === undefined) return undefined;
        out[key] = v;
      }
      return out;
    }
  }
  return undefined;
}

const WRONG_VALUES: unknown[] = [12345, 'not-what-you-want', true, [], {}, null];
const WRONG_TEXT = ['abc', '-1', '1e999', 'x'.repeat(10_000), '2016-13-45'];

/** A JSON value of the wrong type (or shape) for the schema; undefined when the schema takes anything. */
function wrongValue(schema: Schema): unknown {
  return WRONG_VALUES.find((v) => !accepts(schema, v, 'body'));
}

/** A query-string text the schema refuses even after coercion. */
function wrongText(name: string, schema: Schema): string | undefined {
  const wrapper = { type: 'object', properties: { [name]: schema } };
  return WRONG_TEXT.find((t) => !accepts(wrapper, { [name]: t }, 'querystring'));
}

function operations(doc: { paths: Record<string, Record<string, Record<string, unknown>>> }): Operation[] {
  const out: Operation[] = [];
  for (const [p, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const content = (op.requestBody as { content?: Record<string, { schema: Schema }> } | undefined)
        ?.content;
      out.push({
        method: method.toUpperCase(),
        path: p,
        params: (op.parameters as Param[] | undefined) ?? [],
        body: content?.['application/json']?.schema ?? null,
        public: false,
      });
    }
  }
  return out;
}

function urlFor(op: Operation, override: Record<string, string> = {}): string {
  return op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (name in override) return override[name]!;
    const schema = op.params.find((p) => p.in === 'path' && p.name === name)?.schema ?? {};
    const v = example(schema);
    return encodeURIComponent(typeof v === 'string' ? v : 'x');
  });
}

/** The error shape, or a description of what is wrong with the answer. */
function problemWith(res: LightMyRequestResponse): string | null {
  if (res.statusCode >= 500) return `status ${res.statusCode}`;
  if (res.statusCode < 400) return null;
  let body: { error?: { code?: unknown; message?: unknown } };
  try {
    body = res.json();
  } catch {
    return `status ${res.statusCode} without a JSON body`;
  }
  if (
    typeof body.error?.code !== 'string' ||
    typeof body.error?.message !== 'string' ||
    !body.error.message
  ) {
    return `status ${res.statusCode} without the error shape`;
  }
  return null;
}

describe('bad input on every route', () => {
  let env: TestEnv;
  let ops: Operation[];
  let adminId: string;
  let adminHeaders: Record<string, string> = {};

  /** A session straight in the database: for when a route under test ended the previous one (logout). */
  async function freshAdminSession(): Promise<void> {
    const s = await env.ctx.db.transaction((tx) =>
      createSession(env.ctx, tx, { id: adminId, kind: 'staff' }, { ip: null, userAgent: null }),
    );
    adminHeaders = { cookie: `linli_session=${s.token}`, 'x-csrf-token': s.csrfToken };
  }

  beforeAll(async () => {
    env = await startTestApp();
    await seedFixtureAreas(env.ctx);
    adminId = await createStaff(env.ctx, 'badinput', 'admin', { areaCode: FIXTURE.city });
    // An administrator must use TOTP; log in once through the real route.
    const secret = generateTotpSecret();
    await env.ctx.db
      .update(accounts)
      .set({ totpSecretEnc: env.ctx.secrets.encrypt(secret), totpEnabled: true })
      .where(eq(accounts.id, adminId));
    const res = await env.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'badinput', password: TEST_PASSWORD, totp: totpCode(secret, totpStep()) },
    });
    expect(res.statusCode, res.body).toBe(200);
    const cookie = `linli_session=${res.cookies.find((c) => c.name === 'linli_session')!.value}`;
    const me = await env.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } });
    adminHeaders = { cookie, 'x-csrf-token': me.json().csrfToken };
    const doc = await env.app.inject({ method: 'GET', url: '/api/openapi.json' });
    ops = operations(doc.json());
    // Public routes are the ones that do not ask an anonymous caller to log in.
    for (const op of ops) {
      const res = await env.app.inject({ method: op.method as 'GET', url: urlFor(op) });
      op.public = !(res.statusCode === 401 && res.json().error.code === 'auth.required');
    }
  });
  afterAll(async () => env.close());

  it('finds the routes of every module in the OpenAPI document', () => {
    const paths = new Set(ops.map((o) => o.path));
    for (const p of ['/api/auth/login', '/api/audit', '/api/audit/verify']) expect(paths).toContain(p);
    expect(ops.length).toBeGreaterThan(10);
  });

  const identities: Identity[] = [
    { name: 'anonymous', headers: () => ({}) },
    { name: 'admin', headers: () => adminHeaders },
  ];

  it.each(identities.map((i) => [i.name, i] as const))('never answers 500, as %s', async (_name, who) => {
    const failures: string[] = [];
    const loggedIn = who.name === 'admin';
    let requests = 0;

    async function send(
      op: Operation,
      label: string,
      opts: { url?: string; payload?: string; headers?: Record<string, string> },
    ): Promise<LightMyRequestResponse> {
      const res = await env.app.inject({
        method: op.method as 'GET',
        url: opts.url ?? urlFor(op),
        headers: { ...who.headers(), ...(opts.headers ?? {}) },
        ...(opts.payload === undefined ? {} : { payload: opts.payload }),
      });
      requests++;
      // A route that worked may have ended the session (logout): carry on with a new one.
      if (loggedIn && res.statusCode < 300 && op.method !== 'GET') {
        const me = await env.app.inject({
          method: 'GET',
          url: '/api/me',
          headers: { cookie: adminHeaders.cookie! },
        });
        if (me.statusCode !== 200) await freshAdminSession();
      }
      const problem = problemWith(res);
      if (problem) failures.push(`${op.method} ${op.path} [${label}]: ${problem}: ${res.body.slice(0, 300)}`);
      return res;
    }
    /** Records a failure unless the answer has this status and code. */
    function expectError(
      op: Operation,
      label: string,
      res: LightMyRequestResponse,
      status: number,
      code: string,
    ) {
      const got = res.statusCode >= 400 ? (res.json() as { error: { code: string } }).error.code : '';
      if (res.statusCode !== status || got !== code) {
        failures.push(
          `${op.method} ${op.path} [${label}]: expected ${status} ${code}, got ${res.statusCode} ${got}`,
        );
      }
    }
    const json = { 'content-type': 'application/json' };

    for (const op of ops) {
      // Would the request get past the session gate to parsing and validation?
      const reachesValidation = op.public || loggedIn;
      const hasBody = BODY_METHODS.has(op.method);

      // Path parameters: traversal, NUL, overlong, malformed escapes, non-ASCII.
      if (op.params.some((p) => p.in === 'path')) {
        for (const bad of [
          '..%2F..%2Fetc',
          '..',
          '%00',
          'x'.repeat(10_000),
          '%E0%A4%A',
          '%ED%A0%80',
          '%E7%BD%91%E6%A0%BC',
        ]) {
          const override = Object.fromEntries(
            op.params.filter((p) => p.in === 'path').map((p) => [p.name, bad]),
          );
          const res = await send(op, `path ${bad.slice(0, 20)}`, {
            url: urlFor(op, override),
            ...(hasBody ? { payload: '{}', headers: json } : {}),
          });
          if (reachesValidation && ![400, 404, 414].includes(res.statusCode)) {
            failures.push(
              `${op.method} ${op.path} [path ${bad.slice(0, 20)}]: ${res.statusCode}, expected 400, 404 or 414`,
            );
          }
        }
      }

      // Query parameters: all of the wrong type at once, then every one overlong, NUL, repeated.
      const query = op.params.filter((p) => p.in === 'query');
      if (query.length) {
        const wrong = query
          .map((p) => [p.name, wrongText(p.name, p.schema)] as const)
          .filter((e): e is readonly [string, string] => e[1] !== undefined);
        if (wrong.length) {
          const qs = wrong.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
          const res = await send(op, 'query wrong types', { url: `${urlFor(op)}?${qs}` });
          if (reachesValidation) {
            expectError(op, 'query wrong types', res, 400, 'validation.failed');
            const fields = ((res.json().error.details ?? []) as { field: string }[]).map((d) => d.field);
            for (const [k] of wrong) {
              if (!fields.includes(`querystring.${k}`))
                failures.push(`${op.method} ${op.path}: no detail for querystring.${k}`);
            }
          }
        }
        for (const [label, value] of [
          ['10 kB', 'x'.repeat(10_000)],
          ['NUL', '%00'],
          ['bad escape', '%E0%A4%A'],
        ] as const) {
          await send(op, `query ${label}`, {
            url: `${urlFor(op)}?${query.map((p) => `${p.name}=${value}`).join('&')}`,
          });
        }
        await send(op, 'query repeated', {
          url: `${urlFor(op)}?${query.map((p) => `${p.name}=1&${p.name}=2`).join('&')}`,
        });
      }
      await send(op, 'query garbage', { url: `${urlFor(op)}?%%%&__proto__[x]=1&constructor=1&&=&a[b][c]=d` });

      // Cookies: malformed, huge, duplicated, empty; plus a nonsense Accept-Language.
      for (const cookie of [
        'linli_session=%%%',
        `linli_session=${'A'.repeat(5000)}`,
        'linli_session=',
        'linli_session=a; linli_session=b',
        '=;;=;linli_session',
        `linli_session=${'a'.repeat(43)}`,
      ]) {
        const headers = { cookie, 'accept-language': ';q=x,,*;q=-1', ...(hasBody ? json : {}) };
        const res = await send(op, `cookie ${cookie.slice(0, 20)}`, {
          headers,
          ...(hasBody ? { payload: '{}' } : {}),
        });
        if (!op.public && res.statusCode !== 401) {
          failures.push(
            `${op.method} ${op.path} [cookie ${cookie.slice(0, 20)}]: ${res.statusCode}, expected 401`,
          );
        }
      }

      if (hasBody) {
        // Not JSON, and JSON of the wrong kind.
        const notJson = await send(op, 'not JSON', { payload: '{"a":', headers: json });
        if (reachesValidation) expectError(op, 'not JSON', notJson, 400, 'request.malformed');
        for (const payload of [
          '[]',
          '[1,2,3]',
          'null',
          '"text"',
          '42',
          'true',
          '{"__proto__":{"admin":true}}',
        ]) {
          const res = await send(op, `body ${payload}`, { payload, headers: json });
          if (
            reachesValidation &&
            op.body &&
            payload !== '{"__proto__":{"admin":true}}' &&
            res.statusCode !== 400
          ) {
            failures.push(`${op.method} ${op.path} [body ${payload}]: ${res.statusCode}, expected 400`);
          }
        }
        // Nesting deeper than any call stack.
        await send(op, 'deep array', { payload: '['.repeat(100_000) + ']'.repeat(100_000), headers: json });
        await send(op, 'deep object', {
          payload: '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000),
          headers: json,
        });

        // 2 MB: over the body limit.
        const big = await send(op, '2 MB', {
          payload: JSON.stringify({ x: 'a'.repeat(TWO_MB) }),
          headers: json,
        });
        if (reachesValidation) expectError(op, '2 MB', big, 413, 'request.too_large');

        // Content types that are not JSON.
        await send(op, 'text/plain', { payload: '{"a":1}', headers: { 'content-type': 'text/plain' } });
        for (const type of [
          'application/xml',
          'multipart/form-data; boundary=x',
          'application/x-www-form-urlencoded',
        ]) {
          const res = await send(op, type, { payload: 'a=1', headers: { 'content-type': type } });
          if (reachesValidation) expectError(op, type, res, 415, 'request.unsupported_media_type');
        }
        await send(op, 'json charset', {
          payload: '{}',
          headers: { 'content-type': 'application/json; charset=utf-16' },
        });
        await send(op, 'no content type', { payload: 'a=1' });

        if (op.body) {
          // Every field of the wrong type at once: each is named in the answer.
          const wrong: Record<string, unknown> = {};
          for (const [key, schema] of Object.entries(op.body.properties ?? {})) {
            const v = wrongValue(schema);
            if (v !== undefined) wrong[key] = v;
          }
          const res = await send(op, 'wrong types', { payload: JSON.stringify(wrong), headers: json });
          if (reachesValidation) {
            expectError(op, 'wrong types', res, 400, 'validation.failed');
            const fields = ((res.json().error.details ?? []) as { field: string }[]).map((d) => d.field);
            for (const key of Object.keys(wrong)) {
              if (!fields.includes(`body.${key}`))
                failures.push(`${op.method} ${op.path}: no detail for body.${key}`);
            }
          }
          // One field at a time, the others left out.
          for (const [key, value] of Object.entries(wrong)) {
            await send(op, `wrong ${key}`, { payload: JSON.stringify({ [key]: value }), headers: json });
          }
          // A body that would be valid but for text PostgreSQL cannot store.
          const valid = example(op.body) as Record<string, unknown> | undefined;
          if (valid && accepts(op.body, valid, 'body')) {
            for (const [key, schema] of Object.entries(op.body.properties ?? {})) {
              for (const text of ['a\u0000b', 'a\ud800b']) {
                const payload = JSON.stringify({ ...valid, [key]: text });
                if (!accepts(schema, 'axb', 'body')) continue;
                const r = await send(op, `unstorable ${key}`, { payload, headers: json });
                if (reachesValidation && r.statusCode !== 400) {
                  failures.push(`${op.method} ${op.path} [unstorable ${key}]: ${r.statusCode}, expected 400`);
                }
              }
            }
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(ops.length * 5);
  });

  describe('validation errors', () => {
    const login = (payload: unknown, lang?: string) =>
      env.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: payload as object,
        headers: lang ? { 'accept-language': lang } : {},
      });

    it('name the field and the rule, in zh-CN by default', async () => {
      const res = await login({ password: 'x' });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({
        code: 'validation.failed',
        message: ERRORS['validation.failed']['zh-CN'],
        details: [{ field: 'body.username', rule: 'required', message: 'username 为必填项' }],
      });
    });

    it('follow Accept-Language (en, zh-TW, q-values)', async () => {
      const en = await login({ username: 42, password: 'x' }, 'en-GB,en;q=0.9');
      expect(en.json().error).toMatchObject({
        message: 'Some fields are invalid; see details',
        details: [{ field: 'body.username', rule: 'type', message: 'username must be of type string' }],
      });
      const tw = await login({ password: 'x' }, 'zh-TW');
      expect(tw.json().error.details[0].message).toBe('username 為必填項');
      const ranked = await login({ password: 'x' }, 'fr;q=1, en;q=0.8, zh-CN;q=0.5');
      expect(ranked.json().error.details[0].message).toBe('username is required');
    });

    it('name unknown fields, bad query values and text the database cannot store', async () => {
      const extra = await login({ username: 'a', password: 'b', role: 'admin' }, 'en');
      expect(extra.json().error.details).toEqual([
        { field: 'body.role', rule: 'additionalProperties', message: 'role is not a known field' },
      ]);
      const nul = await login({ username: 'a\u0000', password: 'b' }, 'en');
      expect(nul.statusCode).toBe(400);
      expect(nul.json().error.details).toEqual([
        {
          field: 'body.username',
          rule: 'characters',
          message: 'username contains characters that are not allowed',
        },
      ]);
      const query = await env.app.inject({
        method: 'GET',
        url: '/api/accounts?limit=0',
        headers: { ...adminHeaders, 'accept-language': 'en' },
      });
      expect(query.json().error.details).toEqual([
        { field: 'querystring.limit', rule: 'minimum', message: 'limit must be at least 1' },
      ]);
    });

    it('answer other failures in the language too (413, 415, malformed JSON)', async () => {
      const big = await env.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: JSON.stringify({ username: 'a'.repeat(TWO_MB), password: 'b' }),
        headers: { 'content-type': 'application/json', 'accept-language': 'en' },
      });
      expect(big.statusCode).toBe(413);
      expect(big.json().error).toMatchObject({
        code: 'request.too_large',
        message: 'The request body is too large',
      });
      const xml = await env.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: '<login/>',
        headers: { 'content-type': 'application/xml' },
      });
      expect(xml.statusCode).toBe(415);
      expect(xml.json().error.message).toBe(ERRORS['request.unsupported_media_type']['zh-CN']);
      const broken = await env.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: '{"username":',
        headers: { 'content-type': 'application/json', 'accept-language': 'zh-TW' },
      });
      expect(broken.json().error).toMatchObject({ code: 'request.malformed', message: '請求格式無法解析' });
    });
  });
});
