import crypto from 'node:crypto';
import { desc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecrets, ENCRYPTED_COLUMNS, keyId, type Secrets } from './crypto';
import { queryRows } from './db/client';
import { checkKeyedHashes, rotateSecrets, secretsStatus } from './secrets-rotate';
import {
  FIXTURE,
  TEST_KEY,
  createStaff,
  login,
  seedFixtureAreas,
  startTestApp,
  type Session,
  type TestEnv,
} from './test/harness';
import { totpCode, totpStep, generateTotpSecret } from './modules/accounts/totp';
import { auditLog } from './modules/audit/tables';
import { insertCategory, placeCase } from './modules/cases/test-fixtures';
import { deliverOutbox, enqueueMessage, type OutboundMessage } from './modules/notifications/outbox';
import { freshIdNumber, freshPhone } from './modules/people/test-fixtures';
import { residents } from './modules/people/tables';
import { ensureDefaultTags } from './modules/tags/service';
import { tags } from './modules/tags/tables';

const A = TEST_KEY;
const B = Buffer.alloc(32, 42);
const kidA = keyId(A);
const kidB = keyId(B);

let env: TestEnv;
let comm: Session;
const totpSecret = generateTotpSecret();
const staffPhone = freshPhone();
const people: { id: string; idNumber: string; phone: string }[] = [];
let hashesBefore: { id: string; id_number_hash: string; phone_hash: string | null }[] = [];

/** What a restart with another configuration does: the running app reads ctx.secrets on every call. */
function configure(secrets: Secrets) {
  env.ctx.secrets = secrets;
}

async function register(idNumber: string, phone: string) {
  const res = await env.app.inject({
    method: 'POST',
    url: '/api/residents',
    headers: comm.headers,
    payload: { name: '轮换测试', idNumber, phone, residenceType: 'registered', areaCode: FIXTURE.gridA1a },
  });
  expect(res.statusCode, res.body).toBe(200);
  const id = (res.json() as { id: string }).id;
  people.push({ id, idNumber, phone });
  return id;
}

async function reveal(id: string, field: 'idNumber' | 'phone'): Promise<string> {
  const res = await env.app.inject({
    method: 'POST',
    url: `/api/residents/${id}/reveal`,
    headers: comm.headers,
    payload: { field, purpose: '核对轮换后的数据' },
  });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { value: string }).value;
}

async function search(q: string): Promise<string[]> {
  const res = await env.app.inject({
    method: 'GET',
    url: `/api/residents?q=${encodeURIComponent(q)}&areaCode=${FIXTURE.communityA1}`,
    headers: comm.headers,
  });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { items: { id: string }[] }).items.map((i) => i.id);
}

/** Every box of every registered column, with where it sits. */
async function allBoxes(): Promise<{ where: string; box: string }[]> {
  const out: { where: string; box: string }[] = [];
  for (const t of ENCRYPTED_COLUMNS) {
    for (const c of t.columns) {
      const rows = await queryRows<{ k: string; box: string }>(
        env.ctx.db,
        sql`select ${sql.identifier(t.key)}::text as k, ${sql.identifier(c)} as box from ${sql.identifier(t.table)}
            where ${sql.identifier(c)} is not null`,
      );
      out.push(...rows.map((r) => ({ where: `${t.table}.${c} ${r.k}`, box: r.box })));
    }
  }
  return out;
}

/** A v1 box as the code before the key ring wrote it. */
function v1Box(key: Buffer, plain: string): string {
  const encKey = crypto.createHmac('sha256', key).update('linli:enc').digest();
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', encKey, iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
}

beforeAll(async () => {
  env = await startTestApp();
  configure(createSecrets(A));
  await seedFixtureAreas(env.ctx);
  await ensureDefaultTags(env.ctx);
  await createStaff(env.ctx, 'comm', 'community_worker', { areaCode: FIXTURE.communityA1 });
  await createStaff(
    env.ctx,
    'twofactor',
    'grid_worker',
    { areaCode: FIXTURE.gridA1a },
    { totpSecret, phone: staffPhone },
  );
  comm = await login(env.app, 'comm');

  // Under key A: residents (one of them with a legacy v1 box), a focus tag with details, a case, an outbox message.
  const first = await register(freshIdNumber(), freshPhone());
  const legacy = await register(freshIdNumber('340302', '1966-02-03'), freshPhone());
  await env.ctx.db
    .update(residents)
    .set({ idNumberEnc: v1Box(A, people[1]!.idNumber) })
    .where(eq(residents.id, legacy));
  const [disabled] = await env.ctx.db.select({ id: tags.id }).from(tags).where(eq(tags.code, 'disabled'));
  const tagged = await env.app.inject({
    method: 'POST',
    url: `/api/residents/${first}/focus-tags`,
    headers: comm.headers,
    payload: { tagId: disabled!.id, details: { kind: '肢体', grade: '二级' } },
  });
  expect(tagged.statusCode, tagged.body).toBe(200);
  await placeCase(env.ctx, await insertCategory(env.ctx), FIXTURE.gridA1a);
  await env.ctx.db.transaction((tx) =>
    enqueueMessage(env.ctx, tx, {
      channel: 'sms',
      recipient: '13900001111',
      template: 'case.accepted',
      params: { number: 'X1' },
      dedupeKey: `rotate-test-${Date.now()}`,
    }),
  );
  hashesBefore = await queryRows(
    env.ctx.db,
    sql`select id::text, id_number_hash, phone_hash from residents order by id`,
  );
});
afterAll(async () => env?.close());

describe('the registry of encrypted columns', () => {
  it('names every %_enc column of the database, and nothing else', async () => {
    const rows = await queryRows<{ t: string; c: string }>(
      env.ctx.db,
      sql`select table_name as t, column_name as c from information_schema.columns
          where table_schema = current_schema() and column_name like '%\\_enc' order by 1, 2`,
    );
    const inDb = rows.map((r) => `${r.t}.${r.c}`);
    const registered = ENCRYPTED_COLUMNS.flatMap((t) => t.columns.map((c) => `${t.table}.${c}`)).sort();
    expect(inDb, 'an encrypted column missing from ENCRYPTED_COLUMNS in server/crypto.ts').toEqual(
      registered,
    );
  });

  it('holds data in every table of the registry for the tests below', async () => {
    const where = new Set((await allBoxes()).map((b) => b.where.split(' ')[0]));
    for (const c of [
      'accounts.phone_enc',
      'accounts.totp_secret_enc',
      'cases.reporter_name_enc',
      'cases.reporter_phone_enc',
      'outbox.recipient_enc',
      'residents.id_number_enc',
      'residents.phone_enc',
      'resident_tags.details_enc',
    ])
      expect(where.has(c), c).toBe(true);
  });
});

describe('rotating from key A to key B', () => {
  it('reads what key A wrote once B is current and A an older key', async () => {
    configure(createSecrets({ current: B, old: [A], hashKey: A }));
    const [first, legacy] = people as [(typeof people)[0], (typeof people)[0]];
    expect(await reveal(first.id, 'idNumber')).toBe(first.idNumber);
    expect(await reveal(legacy.id, 'idNumber')).toBe(legacy.idNumber);
    expect(await reveal(legacy.id, 'phone')).toBe(legacy.phone);
    // Keyed hashes are pinned (LINLI_HASH_KEY), so exact searches still find what A's era stored.
    expect(await search(first.idNumber)).toEqual([first.id]);
    expect(await search(legacy.phone)).toEqual([legacy.id]);
    const newcomer = await register(freshIdNumber('340302', '1990-09-09'), freshPhone());
    const [row] = await env.ctx.db
      .select({ box: residents.idNumberEnc })
      .from(residents)
      .where(eq(residents.id, newcomer));
    expect(row!.box!.startsWith(`v2.a256gcm.${kidB}.`)).toBe(true);
  });

  it('status counts boxes per key: current, older and legacy v1', async () => {
    const status = await secretsStatus(env.ctx);
    const ids = status.filter((c) => c.table === 'residents' && c.column === 'id_number_enc');
    expect(ids).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ alg: 'a256gcm', kid: kidA, state: 'old' }),
        expect.objectContaining({ alg: 'a256gcm', kid: kidB, state: 'current', count: 1 }),
        expect.objectContaining({ alg: 'v1', kid: null, state: 'v1', count: 1 }),
      ]),
    );
    expect(status.filter((c) => c.kid === kidA).map((c) => c.table)).toEqual(
      expect.arrayContaining(['accounts', 'cases', 'outbox', 'residents', 'resident_tags']),
    );
  });

  it('`secrets rotate` leaves no box under A, keeps the hashes, audits once with counts, and is idempotent', async () => {
    const result = await rotateSecrets(env.ctx, { batch: 2 });
    expect(result.failed).toEqual([]);
    expect(result.remaining).toBe(0);
    expect(result.tables.residents).toEqual({ rows: 2, boxes: 4 });
    expect(result.tables.accounts!.boxes).toBe(2);
    expect(result.tables.resident_tags).toEqual({ rows: 1, boxes: 1 });
    expect(result.tables.outbox).toEqual({ rows: 1, boxes: 1 });
    for (const b of await allBoxes()) expect(b.box.startsWith(`v2.a256gcm.${kidB}.`), b.where).toBe(true);
    expect((await secretsStatus(env.ctx)).every((c) => c.state === 'current')).toBe(true);
    const after = await queryRows(
      env.ctx.db,
      sql`select id::text, id_number_hash, phone_hash from residents order by id`,
    );
    expect(after.filter((r) => hashesBefore.some((h) => h.id === (r as { id: string }).id))).toEqual(
      hashesBefore,
    );

    const [entry] = await env.ctx.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'secrets.rotate'))
      .orderBy(desc(auditLog.id))
      .limit(1);
    expect(entry).toMatchObject({ outcome: 'success', targetId: kidB });
    expect(entry!.details).toMatchObject({
      kid: kidB,
      alg: 'a256gcm',
      tables: { residents: { rows: 2, boxes: 4 } },
    });

    // The history of resident_tags lets re-encryption through only in the rotation's own transactions.
    await expect(env.ctx.db.execute(sql`update resident_tags set details_enc = null`)).rejects.toThrow();
    await expect(
      env.ctx.db.transaction(async (tx) => {
        await tx.execute(sql`select set_config('linli.reencrypt', 'on', true)`);
        await tx.execute(sql`update resident_tags set note = 'changed'`);
      }),
    ).rejects.toThrow();

    const again = await rotateSecrets(env.ctx, { batch: 2 });
    expect(Object.values(again.tables).every((t) => t.rows === 0 && t.boxes === 0)).toBe(true);
    const entries = await env.ctx.db.select().from(auditLog).where(eq(auditLog.action, 'secrets.rotate'));
    expect(entries).toHaveLength(2);
  });

  it('works with key A removed: reveals, searches, focus-tag details, TOTP login, SMS delivery', async () => {
    configure(createSecrets({ current: B, hashKey: A }));
    for (const b of await allBoxes()) expect(() => env.ctx.secrets.decrypt(b.box), b.where).not.toThrow();
    const [first, legacy] = people as [(typeof people)[0], (typeof people)[0]];
    expect(await reveal(legacy.id, 'idNumber')).toBe(legacy.idNumber);
    expect(await reveal(first.id, 'phone')).toBe(first.phone);
    expect(await search(first.phone)).toEqual([first.id]);
    const focus = await env.app.inject({
      method: 'GET',
      url: `/api/residents/${first.id}/focus-tags`,
      headers: comm.headers,
    });
    expect(focus.statusCode, focus.body).toBe(200);
    expect((focus.json() as { items: { details: unknown }[] }).items[0]!.details).toEqual({
      kind: '肢体',
      grade: '二级',
    });
    await login(env.app, 'twofactor', undefined, totpCode(totpSecret, totpStep()));
    const sent: OutboundMessage[] = [];
    await deliverOutbox(env.ctx, { send: async (m) => void sent.push(m) });
    expect(sent.map((m) => m.recipient)).toContain('13900001111');
    expect(await checkKeyedHashes(env.ctx)).toBe('ok');
  });

  it('refuses to go on when the hash key is not the one the hashes were made with', async () => {
    configure(createSecrets(B));
    await expect(checkKeyedHashes(env.ctx)).rejects.toThrow(/LINLI_HASH_KEY/);
    configure(createSecrets({ current: B, hashKey: A }));
  });
});

describe('rotating to SM4 and around broken boxes', () => {
  it('moves every box to SM4 under the same key, and the app reads them', async () => {
    configure(createSecrets({ current: B, hashKey: A, cipher: 'sm4' }));
    expect((await secretsStatus(env.ctx)).every((c) => c.state === 'old' && c.kid === kidB)).toBe(true);
    const result = await rotateSecrets(env.ctx, { batch: 500 });
    expect(result.remaining).toBe(0);
    const prefix = env.ctx.secrets.currentPrefix;
    expect(prefix).toMatch(/^v2\.sm4ctr-hs(m3|256)\./);
    for (const b of await allBoxes()) expect(b.box.startsWith(prefix), b.where).toBe(true);
    expect(await reveal(people[0]!.id, 'idNumber')).toBe(people[0]!.idNumber);
    expect(await search(people[1]!.idNumber)).toEqual([people[1]!.id]);
  });

  it('touches only boxes not yet current (a resumed run), and reports a box no key opens without stopping', async () => {
    configure(createSecrets({ current: A, old: [B], hashKey: A }));
    // As if an earlier run had stopped after the first resident.
    const first = people[0]!;
    await env.ctx.db
      .update(residents)
      .set({
        idNumberEnc: env.ctx.secrets.encrypt(first.idNumber),
        phoneEnc: env.ctx.secrets.encrypt(first.phone),
      })
      .where(eq(residents.id, first.id));
    const broken = people[2]!;
    await env.ctx.db
      .update(residents)
      .set({ phoneEnc: createSecrets(Buffer.alloc(32, 99)).encrypt(broken.phone) })
      .where(eq(residents.id, broken.id));

    const result = await rotateSecrets(env.ctx, { batch: 1 });
    expect(result.tables.residents).toEqual({ rows: 1, boxes: 2 });
    expect(result.failed).toEqual([
      expect.objectContaining({ table: 'residents', column: 'phone_enc', id: broken.id }),
    ]);
    expect(result.failed[0]!.error).toMatch(/not configured/);
    // The broken row is left whole (its ID number box still under B), everything else moved to A.
    expect(result.remaining).toBe(2);
    const [entry] = await env.ctx.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'secrets.rotate'))
      .orderBy(desc(auditLog.id))
      .limit(1);
    expect(entry).toMatchObject({ outcome: 'failure', targetId: kidA });
    expect(entry!.details).toMatchObject({ failed: 1, remaining: 2 });
    expect(await reveal(people[1]!.id, 'idNumber')).toBe(people[1]!.idNumber);
  });
});
