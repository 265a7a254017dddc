import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countRows,
  createStaff,
  FIXTURE,
  login,
  seedFixtureAreas,
  startTestApp,
  type Session,
  type TestEnv,
} from '../../test/harness';
import { auditRows, residentSession } from '../accounts/auth-test-utils';
import { caseAttachments, cases } from './tables';
import { insertCategory } from './test-fixtures';

type Photo = {
  id: string;
  caseId: string;
  eventSeq: number | null;
  mime: string;
  bytes: number;
  width: number;
  height: number;
  url: string;
  thumbUrl: string;
};
type CaseJson = { id: string; number: string; status: string; version: number; photoCount: number };
type ErrorJson = { error: { code: string; details?: { field: string; rule: string }[] } };

/** A plain image of one colour, optionally with a camera make, a GPS position and an EXIF orientation. */
async function image(
  format: 'jpeg' | 'png' | 'webp',
  opts: { width?: number; height?: number; seed?: number; gps?: boolean; orientation?: number } = {},
): Promise<Buffer> {
  const seed = opts.seed ?? 0;
  let img = sharp({
    create: {
      width: opts.width ?? 64,
      height: opts.height ?? 48,
      channels: 3,
      background: { r: (seed * 37) % 256, g: (seed * 91) % 256, b: 120 },
    },
  });
  if (opts.orientation) img = img.withMetadata({ orientation: opts.orientation });
  if (opts.gps)
    img = img.withExif({
      IFD0: { Make: 'LinliTestCam' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '32/1 56/1 0/1',
        GPSLongitudeRef: 'E',
        GPSLongitude: '117/1 23/1 0/1',
      },
    });
  return img.toFormat(format).toBuffer();
}

const CONTENT_TYPE = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' } as const;

/** CRC-32 of PNG chunks (Node 20 has no zlib.crc32). */
function crc32(buf: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of buf) {
    let c = (crc ^ byte) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe('case photos over HTTP', () => {
  let env: TestEnv;
  let uploadDir: string;
  const s: Record<string, Session> = {};
  let category: string;
  let departmentId: string;

  const get = (who: string, url: string) => env.app.inject({ method: 'GET', url, headers: s[who]!.headers });
  const upload = (who: string, caseId: string, body: Buffer | string, type?: string) =>
    env.app.inject({
      method: 'POST',
      url: `/api/cases/${caseId}/photos`,
      headers: { ...s[who]!.headers, ...(type ? { 'content-type': type } : {}) },
      payload: body,
    });
  const act = (who: string, c: { id: string; version: number }, body: Record<string, unknown>) =>
    env.app.inject({
      method: 'POST',
      url: `/api/cases/${c.id}/actions`,
      headers: s[who]!.headers,
      payload: { version: c.version, ...body },
    });

  async function windowCase(): Promise<CaseJson> {
    const res = await env.app.inject({
      method: 'POST',
      url: '/api/cases',
      headers: s['comm.a1']!.headers,
      payload: {
        channel: 'window',
        categoryId: category,
        title: '路面破损',
        description: '小区门口路面破损',
        areaCode: FIXTURE.gridA1a,
        reporterName: '张三',
        reporterPhone: '13800001234',
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as CaseJson;
  }

  async function onlineCase(who = 'res.1'): Promise<CaseJson> {
    const res = await env.app.inject({
      method: 'POST',
      url: '/api/cases',
      headers: s[who]!.headers,
      payload: {
        channel: 'online',
        categoryId: category,
        title: '路灯不亮',
        description: '三号楼前路灯不亮',
        areaCode: FIXTURE.gridA1a,
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as CaseJson;
  }

  function filesOnDisk(): string[] {
    if (!fs.existsSync(uploadDir)) return [];
    return (fs.readdirSync(uploadDir, { recursive: true }) as string[]).filter((f) =>
      fs.statSync(path.join(uploadDir, f)).isFile(),
    );
  }

  beforeAll(async () => {
    uploadDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-photos-'));
    env = await startTestApp({ uploadDir });
    ({ departmentId } = await seedFixtureAreas(env.ctx));
    category = await insertCategory(env.ctx);
    await createStaff(env.ctx, 'comm.a1', 'community_worker', { areaCode: FIXTURE.communityA1 });
    await createStaff(env.ctx, 'comm.a2', 'community_worker', { areaCode: FIXTURE.communityA2 });
    await createStaff(env.ctx, 'grid.a1a', 'grid_worker', { areaCode: FIXTURE.gridA1a });
    await createStaff(env.ctx, 'leader.d', 'leader', { areaCode: FIXTURE.district });
    await createStaff(env.ctx, 'dept.h', 'dept_handler', { departmentId, departmentPath: '340302' });
    for (const u of ['comm.a1', 'comm.a2', 'grid.a1a', 'leader.d', 'dept.h']) s[u] = await login(env.app, u);
    for (const [who, phone] of [
      ['res.1', '13700001111'],
      ['res.2', '13700002222'],
    ] as const) {
      s[who] = await residentSession(env, phone);
    }
  });
  afterAll(async () => {
    await env?.close();
    fs.rmSync(uploadDir, { recursive: true, force: true });
  });

  it('takes the reporter’s photo into the report, upright, resized and without location or camera data', async () => {
    const c = await onlineCase();
    const input = await image('jpeg', { width: 3000, height: 2000, gps: true, orientation: 6 });
    const inMeta = await sharp(input).metadata();
    expect(inMeta.exif?.includes(Buffer.from('LinliTestCam'))).toBe(true);
    expect(inMeta.orientation).toBe(6);

    const res = await upload('res.1', c.id, input, 'image/jpeg');
    expect(res.statusCode, res.body).toBe(201);
    const photo = res.json() as Photo;
    // Orientation 6 is a quarter turn: the stored photo stands upright, its long edge at most 2560 px.
    expect(photo).toMatchObject({ caseId: c.id, eventSeq: 1, mime: 'image/jpeg', width: 1707, height: 2560 });
    expect(photo.url).toBe(`/api/attachments/${photo.id}`);

    const file = await get('res.1', photo.url);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('image/jpeg');
    expect(file.headers['cache-control']).toMatch(/^private/);
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    const stored = file.rawPayload;
    expect(stored.length).toBe(photo.bytes);
    const outMeta = await sharp(stored).metadata();
    expect(outMeta.exif).toBeUndefined();
    expect(outMeta.orientation).toBeUndefined();
    expect(stored.includes(Buffer.from('LinliTestCam'))).toBe(false);
    expect([outMeta.width, outMeta.height]).toEqual([1707, 2560]);
    const [row] = await env.ctx.db.select().from(caseAttachments).where(eq(caseAttachments.id, photo.id));
    expect(row!.sha256).toBe(crypto.createHash('sha256').update(stored).digest('hex'));

    const thumb = await get('res.1', photo.thumbUrl);
    expect(thumb.statusCode).toBe(200);
    expect(thumb.headers['content-type']).toBe('image/webp');
    const thumbMeta = await sharp(thumb.rawPayload).metadata();
    expect(thumbMeta.format).toBe('webp');
    expect(Math.max(thumbMeta.width!, thumbMeta.height!)).toBe(320);

    const events = (await get('res.1', `/api/cases/${c.id}/events`)).json() as {
      items: { seq: number; attachmentIds: string[] }[];
    };
    expect(events.items[0]).toMatchObject({ seq: 1, attachmentIds: [photo.id] });
    const detail = (await get('res.1', `/api/cases/${c.id}`)).json() as CaseJson;
    expect(detail.photoCount).toBe(1);
    expect(detail.version).toBe(c.version);
    const list = (await get('comm.a1', `/api/cases?q=${c.number}`)).json() as { items: CaseJson[] };
    expect(list.items[0]!.photoCount).toBe(1);
    const audit = await auditRows(env.ctx, 'case.photo_upload');
    expect(audit.some((a) => a.targetId === c.id)).toBe(true);
  });

  it('takes PNG and WebP too, and answers a repeated upload with the photo already stored', async () => {
    const c = await windowCase();
    for (const format of ['png', 'webp'] as const) {
      const res = await upload('comm.a1', c.id, await image(format, { seed: 3 }), CONTENT_TYPE[format]);
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({ mime: CONTENT_TYPE[format], eventSeq: 1, width: 64, height: 48 });
      const file = await get('comm.a1', (res.json() as Photo).url);
      expect((await sharp(file.rawPayload).metadata()).format).toBe(format);
    }
    const png = await image('png', { seed: 3 });
    const again = await upload('comm.a1', c.id, png, 'image/png; charset=binary');
    expect(again.statusCode).toBe(200);
    const photos = (await get('comm.a1', `/api/cases/${c.id}/photos`)).json() as { items: Photo[] };
    expect(photos.items).toHaveLength(2);
    expect(photos.items[0]!.id).toBe((again.json() as Photo).id);
  });

  it('refuses fake, truncated, mislabelled and oversized images and other types, storing nothing', async () => {
    const c = await windowCase();
    const filesBefore = filesOnDisk().length;
    const jpeg = await image('jpeg', { width: 200, height: 200, seed: 9 });
    // A PNG header declaring 100000 × 100000 pixels over a tiny body: a decompression bomb.
    const bomb = await image('png', { width: 10, height: 10 });
    bomb.writeUInt32BE(100_000, 16);
    bomb.writeUInt32BE(100_000, 20);
    bomb.writeUInt32BE(crc32(bomb.subarray(12, 29)), 29);
    const bad: [string, Buffer | string, string, number, string, string][] = [
      ['text named .jpg', 'this is not an image at all', 'image/jpeg', 400, 'photo.invalid', 'body'],
      [
        'truncated',
        jpeg.subarray(0, Math.floor(jpeg.length / 2)),
        'image/jpeg',
        400,
        'photo.invalid',
        'body',
      ],
      [
        'magic only',
        Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0, 0, 0]),
        'image/jpeg',
        400,
        'photo.invalid',
        'body',
      ],
      ['PNG sent as JPEG', await image('png'), 'image/jpeg', 400, 'photo.invalid', 'body'],
      ['bomb', bomb, 'image/png', 400, 'photo.invalid', 'body'],
      ['PDF', '%PDF-1.4', 'application/pdf', 415, 'request.unsupported_media_type', 'headers.content-type'],
      ['plain text', 'hello', 'text/plain', 415, 'request.unsupported_media_type', 'headers.content-type'],
      ['JSON', '{"a":1}', 'application/json', 415, 'request.unsupported_media_type', 'headers.content-type'],
      ['GIF', 'GIF89a', 'image/gif', 415, 'request.unsupported_media_type', 'headers.content-type'],
    ];
    for (const [label, body, type, status, code, field] of bad) {
      const res = await upload('comm.a1', c.id, body, type);
      expect(res.statusCode, `${label}: ${res.body}`).toBe(status);
      const err = (res.json() as ErrorJson).error;
      expect(err.code, label).toBe(code);
      expect(
        err.details?.map((d) => d.field),
        label,
      ).toContain(field);
    }
    const noType = await upload('comm.a1', c.id, jpeg);
    expect(noType.statusCode).toBe(415);
    // Over 10 MB: refused while reading, before anything is decoded.
    const huge = Buffer.concat([jpeg, Buffer.alloc(10 * 1024 * 1024)]);
    const big = await upload('comm.a1', c.id, huge, 'image/jpeg');
    expect(big.statusCode).toBe(413);
    expect((big.json() as ErrorJson).error.code).toBe('request.too_large');
    const rows = await env.ctx.db.select().from(caseAttachments).where(eq(caseAttachments.caseId, c.id));
    expect(rows).toHaveLength(0);
    expect(filesOnDisk().length).toBe(filesBefore);
  });

  it('takes a photo of several megabytes (over the general body limit, under the photo limit)', async () => {
    const c = await windowCase();
    const side = 1200;
    const noise = await sharp(crypto.randomBytes(side * side * 3), {
      raw: { width: side, height: side, channels: 3 },
    })
      .jpeg({ quality: 100 })
      .toBuffer();
    expect(noise.length).toBeGreaterThan(env.ctx.config.bodyLimitBytes);
    const res = await upload('comm.a1', c.id, noise, 'image/jpeg');
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ width: side, height: side });
  });

  it('gives the last of nine places to one of two uploads at once', async () => {
    const c = await windowCase();
    for (let i = 0; i < 8; i++)
      expect(
        (await upload('comm.a1', c.id, await image('png', { seed: 300 + i }), 'image/png')).statusCode,
      ).toBe(201);
    const [a, b] = await Promise.all([
      upload('comm.a1', c.id, await image('png', { seed: 400 }), 'image/png'),
      upload('comm.a1', c.id, await image('png', { seed: 401 }), 'image/png'),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([201, 409]);
    const rows = await env.ctx.db.select().from(caseAttachments).where(eq(caseAttachments.caseId, c.id));
    expect(rows).toHaveLength(9);
  });

  it('keeps to nine photos a case', async () => {
    const c = await windowCase();
    for (let i = 0; i < 9; i++) {
      const res = await upload('comm.a1', c.id, await image('jpeg', { seed: 100 + i }), 'image/jpeg');
      expect(res.statusCode, res.body).toBe(201);
    }
    const tenth = await upload('comm.a1', c.id, await image('jpeg', { seed: 200 }), 'image/jpeg');
    expect(tenth.statusCode).toBe(409);
    expect((tenth.json() as ErrorJson).error.code).toBe('photo.limit');
    const detail = (await get('comm.a1', `/api/cases/${c.id}`)).json() as CaseJson;
    expect(detail.photoCount).toBe(9);
  });

  it('lets only those who may act on the case (or reported it) upload, and only its readers see the photos', async () => {
    const c = await onlineCase();
    const jpeg = await image('jpeg', { seed: 42 });
    const own = (await upload('res.1', c.id, jpeg, 'image/jpeg')).json() as Photo;
    for (const who of ['res.2', 'comm.a2', 'leader.d', 'dept.h']) {
      const res = await upload(who, c.id, await image('jpeg', { seed: 43 }), 'image/jpeg');
      expect(res.statusCode, `${who}: ${res.body}`).toBe(403);
    }
    // The grid's worker may verify it, so it may add a photo; not the report's, though.
    const byGrid = await upload('grid.a1a', c.id, await image('jpeg', { seed: 44 }), 'image/jpeg');
    expect(byGrid.statusCode, byGrid.body).toBe(201);
    expect((byGrid.json() as Photo).eventSeq).toBeNull();
    // Readers of the case see the photos; the neighbouring community and another resident do not.
    for (const who of ['res.1', 'comm.a1', 'grid.a1a', 'leader.d']) {
      expect((await get(who, `/api/cases/${c.id}/photos`)).statusCode, who).toBe(200);
      expect((await get(who, own.url)).statusCode, who).toBe(200);
    }
    for (const who of ['res.2', 'comm.a2', 'dept.h']) {
      expect((await get(who, `/api/cases/${c.id}/photos`)).statusCode, who).toBe(403);
      expect((await get(who, own.url)).statusCode, who).toBe(403);
      expect((await get(who, own.thumbUrl)).statusCode, who).toBe(403);
    }
    expect((await get('comm.a1', `/api/attachments/${crypto.randomUUID()}`)).statusCode).toBe(404);
    expect((await upload('comm.a1', crypto.randomUUID(), jpeg, 'image/jpeg')).statusCode).toBe(404);
  });

  it('attaches the actor’s own photos to the step it takes, and refuses anyone else’s', async () => {
    let c = await windowCase();
    c = (await act('comm.a1', c, { action: 'accept' })).json() as CaseJson;
    const mine = (
      await upload('comm.a1', c.id, await image('webp', { seed: 7 }), 'image/webp')
    ).json() as Photo;
    expect(mine.eventSeq).toBeNull();
    const theirs = (
      await upload('grid.a1a', c.id, await image('webp', { seed: 8 }), 'image/webp')
    ).json() as Photo;
    const before = await countRows(env.ctx, 'case_events');
    for (const ids of [[theirs.id], [mine.id, theirs.id], [crypto.randomUUID()]]) {
      const res = await act('comm.a1', c, { action: 'dispatch', attachmentIds: ids });
      expect(res.statusCode, res.body).toBe(400);
      expect((res.json() as ErrorJson).error.details![0]).toMatchObject({
        field: 'body.attachmentIds',
        rule: 'ownUnattachedPhoto',
      });
    }
    expect(await countRows(env.ctx, 'case_events')).toBe(before);
    const [row] = await env.ctx.db.select().from(cases).where(eq(cases.id, c.id));
    expect(row!.version).toBe(c.version);

    const done = await act('comm.a1', c, { action: 'dispatch', attachmentIds: [mine.id] });
    expect(done.statusCode, done.body).toBe(200);
    c = done.json() as CaseJson;
    const events = (await get('comm.a1', `/api/cases/${c.id}/events`)).json() as {
      items: { seq: number; action: string; attachmentIds: string[] }[];
    };
    expect(events.items.find((e) => e.action === 'dispatch')).toMatchObject({
      seq: 3,
      attachmentIds: [mine.id],
    });
    // Once attached, it cannot be attached again.
    const twice = await act('comm.a1', c, { action: 'start', attachmentIds: [mine.id] });
    expect(twice.statusCode).toBe(400);
  });

  it('refuses photos once the case has ended', async () => {
    let c = await windowCase();
    c = (await act('comm.a1', c, { action: 'decline', reason: '重复反映' })).json() as CaseJson;
    expect(c.status).toBe('declined');
    const res = await upload('comm.a1', c.id, await image('jpeg', { seed: 77 }), 'image/jpeg');
    expect(res.statusCode).toBe(409);
    expect((res.json() as ErrorJson).error.code).toBe('photo.case_ended');
  });
});
