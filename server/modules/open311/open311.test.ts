import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createStaff,
  FIXTURE,
  login,
  seedFixtureAreas,
  startTestApp,
  type Session,
  type TestEnv,
} from '../../test/harness';
import { generateTotpSecret, totpCode, totpStep } from '../accounts/totp';
import { areas } from '../areas/tables';
import { auditLog } from '../audit/tables';
import { cases } from '../cases/tables';
import { categories } from '../categories/tables';
import { apiKeys } from './tables';

type KeyJson = {
  id: string;
  name: string;
  keyPrefix: string;
  areaCode: string;
  areaName: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
  key?: string;
};
type Open311Error = { code: number; description: string }[];

/** A square boundary [lng, lat] around a corner point, about 1 km wide. */
function square(lng: number, lat: number) {
  return {
    type: 'Polygon',
    coordinates: [
      [
        [lng, lat],
        [lng + 0.01, lat],
        [lng + 0.01, lat + 0.01],
        [lng, lat + 0.01],
        [lng, lat],
      ],
    ],
  };
}

// Points inside the grids' squares, and one outside every grid.
const IN_A1A = { lat: '32.90512', long: '117.30234' };
const IN_A2A = { lat: '32.92500', long: '117.30500' };
const NOWHERE = { lat: '31.00000', long: '118.00000' };

describe('Open311 GeoReport v2 and its API keys', () => {
  let env: TestEnv;
  const s: Record<string, Session> = {};
  let key: string;
  let keyId: string;
  let otherAreaKey: string;

  const form = (payload: Record<string, string>) => new URLSearchParams(payload).toString();
  const post311 = (
    path: string,
    payload: string | object,
    contentType = 'application/x-www-form-urlencoded',
  ) =>
    env.app.inject({
      method: 'POST',
      url: `/open311/v2/${path}`,
      headers: { 'content-type': contentType },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
  const get311 = (path: string, lang?: string) =>
    env.app.inject({
      method: 'GET',
      url: `/open311/v2/${path}`,
      headers: lang ? { 'accept-language': lang } : {},
    });
  /** A valid report of the noise service in grid A1a, with the fields given on top. */
  const report = (extra: Record<string, string> = {}) => ({
    api_key: key,
    service_code: 'o311.noise',
    ...IN_A1A,
    description: '楼下广场舞音响太吵\n每晚九点以后仍在放',
    first_name: '小明',
    last_name: '王',
    phone: '+86 139-0000-5678',
    email: 'wang@example.com',
    'attribute[timeOfDay]': '夜间（22-6时）',
    'attribute[decibels]': '75',
    'attribute[repeat]': 'true',
    ...extra,
  });

  async function adminSession(username: string, areaCode: string): Promise<Session> {
    const secret = generateTotpSecret();
    await createStaff(env.ctx, username, 'admin', { areaCode }, { totpSecret: secret });
    return login(env.app, username, undefined, totpCode(secret, totpStep()));
  }

  beforeAll(async () => {
    env = await startTestApp();
    await seedFixtureAreas(env.ctx);
    await env.ctx.db
      .update(areas)
      .set({ boundary: square(117.3, 32.9) })
      .where(eq(areas.code, FIXTURE.gridA1a));
    await env.ctx.db
      .update(areas)
      .set({ boundary: square(117.3, 32.92) })
      .where(eq(areas.code, FIXTURE.gridA2a));
    const [parent] = await env.ctx.db
      .insert(categories)
      .values({
        code: 'o311',
        name: '环境噪声',
        nameEn: 'Noise',
        matterClass: 'community',
        handlingLevel: 'community',
      })
      .returning();
    await env.ctx.db.insert(categories).values([
      {
        code: 'o311.noise',
        parentId: parent!.id,
        name: '广场舞噪声',
        nameEn: 'Square dance noise',
        matterClass: 'community',
        handlingLevel: 'community',
        questions: [
          {
            key: 'timeOfDay',
            label: '噪声时段',
            labelEn: 'When',
            type: 'select',
            required: true,
            options: ['白天（6-22时）', '夜间（22-6时）'],
          },
          { key: 'decibels', label: '分贝', type: 'number', required: false },
          { key: 'repeat', label: '是否反复发生', type: 'boolean', required: false },
        ],
      },
      {
        code: 'o311.lamp',
        parentId: parent!.id,
        name: '路灯不亮',
        matterClass: 'public',
        handlingLevel: 'community',
      },
      {
        code: 'o311.family',
        parentId: parent!.id,
        name: '家庭纠纷',
        matterClass: 'private',
        handlingLevel: 'community',
      },
      {
        code: 'o311.off',
        parentId: parent!.id,
        name: '停用分类',
        matterClass: 'community',
        handlingLevel: 'community',
        active: false,
      },
    ]);
    s.admin = await adminSession('admin.district', FIXTURE.district);
    s.adminA = await adminSession('admin.streeta', FIXTURE.streetA);
    await createStaff(env.ctx, 'comm.a1', 'community_worker', { areaCode: FIXTURE.communityA1 });
    s.comm = await login(env.app, 'comm.a1');

    const created = await env.app.inject({
      method: 'POST',
      url: '/api/apikeys',
      headers: s.admin!.headers,
      payload: { name: '12345 热线平台', areaCode: FIXTURE.communityA1 },
    });
    expect(created.statusCode, created.body).toBe(201);
    key = (created.json() as KeyJson).key!;
    keyId = (created.json() as KeyJson).id;
    const other = await env.app.inject({
      method: 'POST',
      url: '/api/apikeys',
      headers: s.admin!.headers,
      payload: { name: '燕山社区 App', areaCode: FIXTURE.communityA2 },
    });
    otherAreaKey = (other.json() as KeyJson).key!;
  });
  afterAll(async () => env?.close());

  describe('API keys', () => {
    it('issues a key once, stores only its keyed hash, lists and revokes it, all audited', async () => {
      const res = await env.app.inject({
        method: 'POST',
        url: '/api/apikeys',
        headers: s.admin!.headers,
        payload: { name: '  城市 App  ', areaCode: FIXTURE.streetA },
      });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.headers['cache-control']).toBe('no-store');
      const k = res.json() as KeyJson;
      expect(k.key).toMatch(/^l311_[A-Za-z0-9_-]{43}$/);
      expect(k).toMatchObject({ name: '城市 App', keyPrefix: k.key!.slice(0, 8), areaName: '东风街道' });
      const [row] = await env.ctx.db.select().from(apiKeys).where(eq(apiKeys.id, k.id));
      expect(row!.keyHash).toBe(env.ctx.secrets.keyedHash(k.key!, 'apikey'));
      expect(JSON.stringify(row)).not.toContain(k.key!.slice(8));

      const list = await env.app.inject({ method: 'GET', url: '/api/apikeys', headers: s.admin!.headers });
      const listed = (list.json() as { items: KeyJson[] }).items.find((i) => i.id === k.id)!;
      expect(listed).toMatchObject({ keyPrefix: k.keyPrefix, revokedAt: null });
      expect(listed.key).toBeUndefined();
      expect(list.body).not.toContain(k.key!);

      const revoked = await env.app.inject({
        method: 'POST',
        url: `/api/apikeys/${k.id}/revoke`,
        headers: s.admin!.headers,
      });
      expect(revoked.statusCode).toBe(200);
      expect((revoked.json() as KeyJson).revokedAt).not.toBeNull();
      // Revoking again changes nothing.
      const again = await env.app.inject({
        method: 'POST',
        url: `/api/apikeys/${k.id}/revoke`,
        headers: s.admin!.headers,
      });
      expect((again.json() as KeyJson).revokedAt).toBe((revoked.json() as KeyJson).revokedAt);
      const audit = await env.ctx.db.select().from(auditLog).where(eq(auditLog.targetId, k.id));
      expect(audit.map((a) => a.action).sort()).toEqual(['apikey.create', 'apikey.revoke']);
    });

    it('is for administrators, within their own area', async () => {
      const byWorker = await env.app.inject({
        method: 'POST',
        url: '/api/apikeys',
        headers: s.comm!.headers,
        payload: { name: 'x', areaCode: FIXTURE.communityA1 },
      });
      expect(byWorker.statusCode).toBe(403);
      expect(
        (await env.app.inject({ method: 'GET', url: '/api/apikeys', headers: s.comm!.headers })).statusCode,
      ).toBe(403);
      const outside = await env.app.inject({
        method: 'POST',
        url: '/api/apikeys',
        headers: s.adminA!.headers,
        payload: { name: 'x', areaCode: FIXTURE.streetB },
      });
      expect(outside.statusCode).toBe(403);
      // The street's administrator does not see the keys of the district's other streets, and cannot revoke them.
      const list = await env.app.inject({ method: 'GET', url: '/api/apikeys', headers: s.adminA!.headers });
      const codes = (list.json() as { items: KeyJson[] }).items.map((i) => i.areaCode);
      expect(codes.every((c) => c.startsWith('340302001'))).toBe(true);
      const [districtKey] = await env.ctx.db
        .insert(apiKeys)
        .values({
          name: 'd',
          keyHash: 'x-district',
          keyPrefix: 'l311_abc',
          areaCode: FIXTURE.district,
          areaPath: '340302',
        })
        .returning();
      const revoke = await env.app.inject({
        method: 'POST',
        url: `/api/apikeys/${districtKey!.id}/revoke`,
        headers: s.adminA!.headers,
      });
      expect(revoke.statusCode).toBe(403);
    });

    it('answers 4xx naming the field for bad input', async () => {
      const unknownArea = await env.app.inject({
        method: 'POST',
        url: '/api/apikeys',
        headers: s.admin!.headers,
        payload: { name: 'x', areaCode: '340302009009' },
      });
      expect(unknownArea.statusCode).toBe(404);
      expect(unknownArea.json().error.details[0].field).toBe('body.areaCode');
      const blank = await env.app.inject({
        method: 'POST',
        url: '/api/apikeys',
        headers: s.admin!.headers,
        payload: { name: '   ', areaCode: FIXTURE.streetA },
      });
      expect(blank.statusCode).toBe(400);
      expect(blank.json().error.details[0].field).toBe('body.name');
      const notFound = await env.app.inject({
        method: 'POST',
        url: `/api/apikeys/00000000-0000-4000-8000-000000000000/revoke`,
        headers: s.admin!.headers,
      });
      expect(notFound.statusCode).toBe(404);
      expect(notFound.json().error.code).toBe('apikey.unknown');
    });
  });

  describe('discovery and services', () => {
    it('serves discovery in JSON and XML', async () => {
      const json = await get311('discovery.json');
      expect(json.statusCode).toBe(200);
      expect(json.headers['content-type']).toContain('application/json');
      expect(json.json()).toMatchObject({
        endpoints: [
          {
            specification: 'http://wiki.open311.org/GeoReport_v2',
            type: 'production',
            formats: ['text/xml', 'application/json'],
          },
        ],
      });
      expect((json.json() as { endpoints: { url: string }[] }).endpoints[0]!.url).toMatch(/\/open311\/v2$/);
      const xml = await get311('discovery.xml');
      expect(xml.headers['content-type']).toContain('text/xml');
      expect(xml.body).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>\n<discovery>/);
      expect(xml.body).toContain(
        '<formats><format>text/xml</format><format>application/json</format></formats>',
      );
    });

    it('lists active leaf categories as services, grouped by their parent', async () => {
      const res = await get311('services.json');
      expect(res.statusCode).toBe(200);
      const services = res.json() as {
        service_code: string;
        metadata: boolean;
        group: string;
        type: string;
      }[];
      const codes = services.map((x) => x.service_code);
      expect(codes).toEqual(expect.arrayContaining(['o311.noise', 'o311.lamp', 'o311.family']));
      expect(codes).not.toContain('o311'); // a group, not a service
      expect(codes).not.toContain('o311.off'); // inactive
      expect(services.find((x) => x.service_code === 'o311.noise')).toMatchObject({
        service_name: '广场舞噪声',
        metadata: true,
        type: 'realtime',
        group: '环境噪声',
      });
      expect(services.find((x) => x.service_code === 'o311.lamp')!.metadata).toBe(false);
      const en = (await get311('services.json', 'en')).json() as {
        service_code: string;
        service_name: string;
      }[];
      expect(en.find((x) => x.service_code === 'o311.noise')!.service_name).toBe('Square dance noise');
      const xml = await get311('services.xml');
      expect(xml.body).toContain(
        '<service><service_code>o311.noise</service_code><service_name>广场舞噪声</service_name>',
      );
      expect(xml.body).toContain('<metadata>true</metadata><type>realtime</type>');
    });

    it('describes a service’s extra questions as attributes', async () => {
      const res = await get311('services/o311.noise.json');
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        service_code: 'o311.noise',
        attributes: [
          {
            variable: true,
            code: 'timeOfDay',
            datatype: 'singlevaluelist',
            required: true,
            datatype_description: null,
            order: 1,
            description: '噪声时段',
            values: [
              { key: '白天（6-22时）', name: '白天（6-22时）' },
              { key: '夜间（22-6时）', name: '夜间（22-6时）' },
            ],
          },
          {
            variable: true,
            code: 'decibels',
            datatype: 'number',
            required: false,
            datatype_description: '数字',
            order: 2,
            description: '分贝',
          },
          {
            variable: true,
            code: 'repeat',
            datatype: 'singlevaluelist',
            required: false,
            datatype_description: 'true 或 false',
            order: 3,
            description: '是否反复发生',
            values: [
              { key: 'true', name: '是' },
              { key: 'false', name: '否' },
            ],
          },
        ],
      });
      const xml = await get311('services/o311.noise.xml');
      expect(xml.body).toContain(
        '<service_definition><service_code>o311.noise</service_code><attributes><attribute>',
      );
      expect(xml.body).toContain('<values><value><key>白天（6-22时）</key>');
      const unknown = await get311('services/nope.json');
      expect(unknown.statusCode).toBe(404);
      expect((unknown.json() as Open311Error)[0]).toMatchObject({ code: 404 });
      const unknownXml = await get311('services/o311.off.xml');
      expect(unknownXml.statusCode).toBe(404);
      expect(unknownXml.body).toMatch(
        /<errors><error><code>404<\/code><description>[^<]+<\/description><\/error><\/errors>$/,
      );
    });
  });

  describe('POST requests', () => {
    it('takes a form-encoded request in as an online case in the grid of the point', async () => {
      const res = await post311('requests.json', form(report()));
      expect(res.statusCode, res.body).toBe(201);
      const [answer] = res.json() as {
        service_request_id: string;
        service_notice: string;
        account_id: null;
      }[];
      expect(answer!.service_request_id).toMatch(/^340302-\d{8}-\d{6}$/);
      expect(answer!.service_notice).toMatch(/^已登记，将于 \d{4}-\d{2}-\d{2} \d{2}:\d{2} 前办理。$/);
      expect(answer!.account_id).toBeNull();
      const [c] = await env.ctx.db.select().from(cases).where(eq(cases.number, answer!.service_request_id));
      expect(c).toMatchObject({
        channel: 'online',
        areaCode: FIXTURE.gridA1a,
        title: '楼下广场舞音响太吵',
        description: '楼下广场舞音响太吵\n每晚九点以后仍在放',
        lat: 32.90512,
        lng: 117.30234,
        reporterPhoneMasked: '139****5678',
        answers: { timeOfDay: '夜间（22-6时）', decibels: 75, repeat: true },
        sourceRef: 'Open311 12345 热线平台',
        status: 'reported',
      });
      expect(env.ctx.secrets.decrypt(c!.reporterNameEnc!)).toBe('王小明');
      expect(c!.reporterPhoneHash).toBe(env.ctx.secrets.keyedHash('13900005678', 'phone'));
      // The email is not kept anywhere.
      expect(JSON.stringify(c)).not.toContain('wang@example.com');
      const audit = await env.ctx.db.select().from(auditLog).where(eq(auditLog.targetId, c!.id));
      expect(audit.map((a) => a.action).sort()).toEqual(['case.create', 'open311.request']);
      const [k] = await env.ctx.db.select().from(apiKeys).where(eq(apiKeys.id, keyId));
      expect(k!.lastUsedAt).not.toBeNull();
    });

    it('takes JSON too, located by address_id, answering XML', async () => {
      const res = await post311(
        'requests.xml',
        {
          api_key: key,
          service_code: 'o311.lamp',
          address_id: FIXTURE.communityA1,
          address_string: '淮河路 18 号门口',
          media_url: 'https://example.com/photo.jpg',
        },
        'application/json',
      );
      expect(res.statusCode, res.body).toBe(201);
      expect(res.headers['content-type']).toContain('text/xml');
      const number = /<service_request_id>([^<]+)<\/service_request_id>/.exec(res.body)![1]!;
      expect(res.body).toContain('<account_id/>');
      const [c] = await env.ctx.db.select().from(cases).where(eq(cases.number, number));
      expect(c).toMatchObject({
        areaCode: FIXTURE.communityA1,
        address: '淮河路 18 号门口',
        title: '路灯不亮',
        description: '路灯不亮\n\nmedia_url: https://example.com/photo.jpg',
        reporterNameEnc: null,
        reporterPhoneEnc: null,
      });
    });

    it('refuses a missing, unknown or revoked key and a key of another area with 403', async () => {
      const expect403 = async (payload: Record<string, string>, path = 'requests.json') => {
        const res = await post311(path, form(payload));
        expect(res.statusCode, res.body).toBe(403);
        return res;
      };
      const { api_key: _drop, ...noKey } = report();
      void _drop;
      expect(((await expect403(noKey)).json() as Open311Error)[0]).toMatchObject({ code: 403 });
      await expect403(report({ api_key: 'l311_not-a-real-key' }));
      const xml = await expect403(report({ api_key: 'wrong' }), 'requests.xml');
      expect(xml.body).toContain('<errors><error><code>403</code><description>Invalid api_key</description>');
      // A key of 燕山社区 for a point in 淮河社区, and a key of 淮河社区 for 燕山社区's grid or community.
      await expect403(report({ api_key: otherAreaKey }));
      await expect403(report(IN_A2A));
      const { lat: _l, long: _g, ...noPoint } = report();
      void _l;
      void _g;
      await expect403({ ...noPoint, address_id: FIXTURE.communityA2 });
      // Revoked: refused from then on.
      const temp = await env.app.inject({
        method: 'POST',
        url: '/api/apikeys',
        headers: s.admin!.headers,
        payload: { name: '临时', areaCode: FIXTURE.communityA1 },
      });
      const t = temp.json() as KeyJson;
      expect((await post311('requests.json', form(report({ api_key: t.key! })))).statusCode).toBe(201);
      await env.app.inject({ method: 'POST', url: `/api/apikeys/${t.id}/revoke`, headers: s.admin!.headers });
      await expect403(report({ api_key: t.key! }));
      const denied = await env.ctx.db.select().from(auditLog).where(eq(auditLog.action, 'access.denied'));
      expect(denied.some((d) => d.targetId === 'POST /open311/v2/requests.json')).toBe(true);
    });

    it('answers malformed requests with the specification’s error shape and a 4xx, never 500', async () => {
      const { lat: _l, long: _g, ...noPoint } = report();
      void _l;
      void _g;
      const cases400: [string, Record<string, string> | string, string?][] = [
        ['no service_code', report({ service_code: '' })],
        ['no location', noPoint],
        ['address_string only', { ...noPoint, address_string: '淮河路' }],
        ['lat without long', { ...noPoint, lat: '32.9' }],
        ['lat out of range', report({ lat: '91' })],
        ['lat not a number', report({ lat: '32,9' })],
        ['point in no grid', report(NOWHERE)],
        ['address_id of a street', { ...noPoint, address_id: FIXTURE.streetA }],
        ['address_id unknown', { ...noPoint, address_id: '340302001009' }],
        ['bad phone', report({ phone: '12345' })],
        ['required attribute missing', report({ 'attribute[timeOfDay]': '' })],
        ['attribute not an option', report({ 'attribute[timeOfDay]': '凌晨' })],
        ['attribute not a number', report({ 'attribute[decibels]': 'loud' })],
        ['attribute not boolean', report({ 'attribute[repeat]': 'maybe' })],
        ['unknown attribute', report({ 'attribute[colour]': 'red' })],
        ['description too long', report({ description: 'x'.repeat(4001) })],
        ['NUL in description', report({ description: 'a\u0000b' })],
        ['media_url not http', report({ media_url: 'javascript:alert(1)' })],
        ['name too long', report({ first_name: '名'.repeat(20), last_name: '姓'.repeat(20) })],
        ['malformed JSON', '{"api_key":', 'application/json'],
        ['JSON array', '[1,2]', 'application/json'],
        ['JSON string', '"x"', 'application/json'],
        ['JSON attribute not an object', JSON.stringify({ ...report(), attribute: 'x' }), 'application/json'],
      ];
      const failures: string[] = [];
      for (const [label, payload, type] of cases400) {
        const body = typeof payload === 'string' ? payload : form(payload);
        const res = await post311('requests.json', body, type);
        let shape: Open311Error | null;
        try {
          shape = res.json() as Open311Error;
        } catch {
          shape = null;
        }
        if (res.statusCode !== 400 || !shape || shape[0]?.code !== 400 || !shape[0]?.description)
          failures.push(`${label}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      }
      expect(failures).toEqual([]);
      const described = await post311('requests.json', form(report({ 'attribute[timeOfDay]': '凌晨' })));
      expect((described.json() as Open311Error)[0]!.description).toContain('attribute[timeOfDay]');

      const unknownService = await post311('requests.json', form(report({ service_code: 'o311.off' })));
      expect(unknownService.statusCode).toBe(404);
      const xmlBody = await post311('requests.json', '<request/>', 'application/xml');
      expect(xmlBody.statusCode).toBe(415);
      expect((xmlBody.json() as Open311Error)[0]!.code).toBe(415);
      const multipart = await post311('requests.xml', 'a=1', 'multipart/form-data; boundary=x');
      expect(multipart.statusCode).toBeGreaterThanOrEqual(400);
      expect(multipart.statusCode).toBeLessThan(500);
      expect(multipart.body).toContain('<errors><error>');
      const big = await post311('requests.json', form(report({ description: 'x'.repeat(2 * 1024 * 1024) })));
      expect(big.statusCode).toBe(413);
      expect((big.json() as Open311Error)[0]!.code).toBe(413);
      const nowhere = await get311('nothing-here.xml');
      expect(nowhere.statusCode).toBe(404);
      expect(nowhere.body).toContain('<errors><error><code>404</code>');
      const noExt = await get311('services/o311.noise');
      expect(noExt.statusCode).toBe(404);
      expect((noExt.json() as Open311Error)[0]!.code).toBe(404);
      const wrongMethod = await env.app.inject({ method: 'DELETE', url: '/open311/v2/requests.json' });
      expect(wrongMethod.statusCode).toBe(404);
      expect((wrongMethod.json() as Open311Error)[0]!.code).toBe(404);
      // A browser with a staff session posting here needs no CSRF token: the key, not the cookie, authenticates.
      const withCookie = await env.app.inject({
        method: 'POST',
        url: '/open311/v2/requests.json',
        headers: { cookie: s.comm!.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: form(report()),
      });
      expect(withCookie.statusCode).toBe(201);
    });
  });

  it('survives hostile input on every resource with a 4xx in the specification’s shape', async () => {
    const failures: string[] = [];
    const check = async (label: string, res: Awaited<ReturnType<typeof get311>>) => {
      if (res.statusCode >= 500) failures.push(`${label}: ${res.statusCode}`);
      if (res.statusCode >= 400) {
        const xml = res.headers['content-type']?.toString().includes('xml');
        const ok = xml
          ? /<errors><error><code>\d{3}<\/code><description>[^<]+<\/description><\/error><\/errors>$/.test(
              res.body,
            )
          : (() => {
              try {
                const j = res.json() as Open311Error;
                return Array.isArray(j) && typeof j[0]?.code === 'number' && !!j[0]?.description;
              } catch {
                return false;
              }
            })();
        if (!ok)
          failures.push(`${label}: ${res.statusCode} without the error shape: ${res.body.slice(0, 120)}`);
      }
    };
    const resources = [
      'discovery',
      'services',
      'services/o311.noise',
      'requests',
      'requests/340302-20000101-000001',
    ];
    for (const r of resources) {
      for (const ext of ['json', 'xml']) {
        const url = `/open311/v2/${r}.${ext}`;
        for (const q of [
          '?%%%&__proto__[x]=1&constructor=1&&=&a[b][c]=d',
          `?service_request_id=${'%00'.repeat(5)}`,
          '?service_request_id=a&service_request_id=b&status=open&status=closed',
          `?start_date=${'9'.repeat(5000)}`,
          '?limit[]=1&service_code[x]=1',
        ])
          await check(`GET ${url}${q.slice(0, 30)}`, await env.app.inject({ method: 'GET', url: url + q }));
        for (const [payload, type] of [
          ['['.repeat(100_000) + ']'.repeat(100_000), 'application/json'],
          ['{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000), 'application/json'],
          ['{"__proto__":{"api_key":"x"}}', 'application/json'],
          ['null', 'application/json'],
          [
            'api_key=' + '%'.repeat(100) + '&service_code[]=a&service_code[]=b',
            'application/x-www-form-urlencoded',
          ],
          ['a=1', 'text/plain'],
          ['{"a":1}', 'application/json; charset=utf-16'],
        ] as const)
          await check(
            `POST ${url} ${type} ${payload.slice(0, 20)}`,
            await env.app.inject({ method: 'POST', url, headers: { 'content-type': type }, payload }),
          );
      }
    }
    for (const path of [
      'requests/..%2F..%2Fetc.json',
      `services/${'x'.repeat(10_000)}.json`,
      'requests/%00.xml',
      'services/a/b.json',
    ])
      await check(`GET ${path.slice(0, 30)}`, await get311(path));
    expect(failures).toEqual([]);
    // Broken %-escapes in the path are refused by the router before any route scope is chosen; the app's framework
    // error handler still answers them in the specification's shape.
    for (const path of ['requests/%E0%A4%A.json', 'services/%ED%A0%80.xml'])
      await check(`GET ${path}`, await get311(path));
    expect(failures).toEqual([]);
  });

  describe('GET requests', () => {
    let number: string;
    let privateNumber: string;

    beforeAll(async () => {
      const res = await post311(
        'requests.json',
        form(report({ description: '张三家门口噪声很大，电话13812345678' })),
      );
      number = (res.json() as { service_request_id: string }[])[0]!.service_request_id;
      const priv = await post311(
        'requests.json',
        form({
          api_key: key,
          service_code: 'o311.family',
          address_id: FIXTURE.communityA1,
          description: '家事',
        }),
      );
      privateNumber = (priv.json() as { service_request_id: string }[])[0]!.service_request_id;
    });

    it('shows a request without personal data', async () => {
      const res = await get311(`requests/${number}.json`);
      expect(res.statusCode).toBe(200);
      const [r] = res.json() as Record<string, unknown>[];
      expect(r).toMatchObject({
        service_request_id: number,
        status: 'open',
        status_notes: '待受理',
        service_name: '广场舞噪声',
        service_code: 'o311.noise',
        description: null,
        address: null,
        address_id: FIXTURE.communityA1,
        agency_responsible: '淮河社区居委会',
        lat: 32.905,
        long: 117.302,
      });
      expect(r!.requested_datetime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
      expect(r!.expected_datetime).toMatch(/\+08:00$/);
      for (const secret of ['张三', '13812345678', '王', '5678', '小明', '广场舞音响'])
        expect(res.body).not.toContain(secret);
      const xml = await get311(`requests/${number}.xml`);
      expect(xml.body).toContain(
        `<service_requests><request><service_request_id>${number}</service_request_id>`,
      );
      expect(xml.body).toContain('<description/>');
      expect((await get311('requests/340302-20000101-000001.json')).statusCode).toBe(404);
      // Private matters are nobody else's business.
      expect((await get311(`requests/${privateNumber}.json`)).statusCode).toBe(404);
    });

    it('filters by ids, service, status and dates (90 days by default), within the limits', async () => {
      const byId = (
        await get311(`requests.json?service_request_id=${number},${privateNumber},nope`)
      ).json() as {
        service_request_id: string;
      }[];
      expect(byId.map((r) => r.service_request_id)).toEqual([number]);
      const all = (await get311('requests.json')).json() as {
        service_request_id: string;
        service_code: string;
      }[];
      expect(all.map((r) => r.service_request_id)).toContain(number);
      expect(all.map((r) => r.service_request_id)).not.toContain(privateNumber);
      const lamps = (await get311('requests.json?service_code=o311.lamp')).json() as {
        service_code: string;
      }[];
      expect(lamps.length).toBeGreaterThan(0);
      expect(lamps.every((r) => r.service_code === 'o311.lamp')).toBe(true);
      expect((await get311('requests.json?status=closed')).json()).toEqual([]);
      expect(((await get311('requests.json?status=open,closed&limit=1')).json() as unknown[]).length).toBe(1);
      const old = await get311(
        'requests.json?start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00%2B08:00',
      );
      expect(old.statusCode).toBe(200);
      expect(old.json()).toEqual([]);
      const today = new Date().toISOString().slice(0, 10);
      expect(
        ((await get311(`requests.json?start_date=${today}`)).json() as { service_request_id: string }[]).map(
          (r) => r.service_request_id,
        ),
      ).toContain(number);
      const xml = await get311('requests.xml?service_code=o311.noise');
      expect(xml.body).toMatch(/^<\?xml[^>]+>\n<service_requests><request>/);

      for (const bad of [
        'start_date=yesterday',
        'end_date=2026-13-45',
        'start_date=2026-03-01&end_date=2026-01-01',
        'start_date=2026-01-01&end_date=2026-06-01',
        'status=pending',
        'limit=0',
        'limit=1001',
        'limit=abc',
        'service_request_id=',
        `service_request_id=${'x'.repeat(100)}`,
      ]) {
        const res = await get311(`requests.json?${bad}`);
        expect(res.statusCode, bad).toBe(400);
        expect((res.json() as Open311Error)[0]!.code, bad).toBe(400);
      }
    });
  });
});
