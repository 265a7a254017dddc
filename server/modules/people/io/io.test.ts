import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import zlib from 'node:zlib';
import { and, desc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { areaPath } from '../../../../common/area-code';
import { makeIdNumber } from '../../../../common/id-number';
import { IO_COLUMNS, IO_HEADERS } from '../../../../common/schemas/people-io';
import { queryRows } from '../../../db/client';
import {
  FIXTURE,
  countRows,
  createStaff,
  login,
  seedFixtureAreas,
  startTestApp,
  type Session,
  type TestEnv,
} from '../../../test/harness';
import { auditLog } from '../../audit/tables';
import { memoryUploadStore } from '../../../storage';
import { makeDwelling } from '../test-fixtures';
import { householdMembers, households, residentEvents, residents } from '../tables';
import { scopeArea } from './export';
import { e2eImportFile, fixtureCsv, fixtureXlsx, importFixture } from './fixtures';
import type { CellValue } from './spreadsheet';
import { readXlsxRows } from './xlsx';
import { ZipWriter } from './zip';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

type Report = {
  id: string;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  fileSha256: string;
  problems: { row: number; column: string | null; header: string | null; rule: string; message: string }[];
};
type ErrorJson = { error: { code: string; details?: { field: string; rule: string; message: string }[] } };

let env: TestEnv;
const s: Record<string, Session> = {};

beforeAll(async () => {
  env = await startTestApp();
  env.ctx.uploads = memoryUploadStore();
  await seedFixtureAreas(env.ctx);
  await createStaff(env.ctx, 'comm', 'community_worker', { areaCode: FIXTURE.communityA1 });
  await createStaff(env.ctx, 'comm2', 'community_worker', { areaCode: FIXTURE.communityA2 });
  await createStaff(env.ctx, 'grid', 'grid_worker', { areaCode: FIXTURE.gridA1a });
  await createStaff(env.ctx, 'vol', 'volunteer', { areaCode: FIXTURE.communityA1 });
  for (const u of ['comm', 'comm2', 'grid', 'vol']) s[u] = await login(env.app, u);
});
afterAll(async () => env?.close());

function upload(
  who: string,
  areaCode: string,
  body: Buffer,
  contentType: string | null = XLSX,
  lang?: string,
) {
  return env.app.inject({
    method: 'POST',
    url: `/api/people/import?areaCode=${areaCode}`,
    headers: {
      ...s[who]!.headers,
      ...(contentType ? { 'content-type': contentType } : {}),
      ...(lang ? { 'accept-language': lang } : {}),
    },
    payload: body,
  });
}

async function collect(stream: PassThrough): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** Reads XLSX bytes back with the importer's own reader. */
async function readBack(bytes: Buffer): Promise<CellValue[][]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-test-'));
  const file = path.join(dir, 'f.xlsx');
  fs.writeFileSync(file, bytes);
  try {
    const out: CellValue[][] = [];
    for await (const chunk of readXlsxRows(file)) for (const r of chunk) out.push(r.cells);
    return out;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A zip of the given entries (deflated), written with the exporter's own writer. */
async function zipOf(entries: Record<string, string | Buffer>): Promise<Buffer> {
  const out = new PassThrough();
  const done = collect(out);
  const zip = new ZipWriter(out);
  for (const [name, data] of Object.entries(entries)) await zip.add(name, [data]);
  await zip.finish();
  return done;
}

const detailRules = (res: { json(): unknown }) =>
  ((res.json() as ErrorJson).error.details ?? []).map((d) => `${d.field}:${d.rule}`);

describe('the import template', () => {
  it('is an XLSX with the Chinese headers, an example row and a notes sheet, or a CSV', async () => {
    const res = await env.app.inject({
      method: 'GET',
      url: '/api/people/import-template',
      headers: s.comm!.headers,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(XLSX);
    const rows = await readBack(res.rawPayload);
    expect(rows[0]).toEqual(IO_COLUMNS.map((c) => IO_HEADERS[c]));
    expect(rows[1]![0]).toBe('张三');
    expect(res.rawPayload.includes(Buffer.from('xl/worksheets/sheet2.xml'))).toBe(true);

    const csv = await env.app.inject({
      method: 'GET',
      url: '/api/people/import-template?format=csv',
      headers: s.comm!.headers,
    });
    expect(csv.body.startsWith('\ufeff姓名,性别,出生日期,公民身份号码')).toBe(true);
  });

  it('imports as nothing: the example row is skipped', async () => {
    const res = await env.app.inject({
      method: 'GET',
      url: '/api/people/import-template?format=csv',
      headers: s.comm!.headers,
    });
    const r = await upload('comm', FIXTURE.gridA1a, res.rawPayload, 'text/csv');
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ rows: 0, created: 0, rejected: 0 });
  });
});

describe('importing residents', () => {
  let file: Awaited<ReturnType<typeof e2eImportFile>>;
  let first: Report;

  it('imports a 1,000-row XLSX with 20 bad rows and names the row, column and rule of each', async () => {
    file = await e2eImportFile(1);
    const before = await countRows(env.ctx, 'residents');
    const res = await upload('comm', FIXTURE.gridA1a, file.xlsx);
    expect(res.statusCode, res.body).toBe(200);
    first = res.json() as Report;
    expect(first).toMatchObject({ rows: 1000, created: 980, updated: 0, unchanged: 0, rejected: 20 });
    expect(first.problems.map((p) => ({ row: p.row, header: p.header, rule: p.rule }))).toEqual(
      file.expected.map((e) => ({ row: e.row, header: e.header, rule: e.rule })),
    );
    for (const p of first.problems) expect(p.message).toContain(p.header!);
    expect((await countRows(env.ctx, 'residents')) - before).toBe(980);
    // No clear number in the answer.
    const f = importFixture({ rows: 1000, bad: 20, seed: 1 });
    expect(res.body).not.toContain(f.goodIdNumbers[0]);
    // Stored encrypted, masked, found by keyed hash; one 'registered' event each.
    const hash = env.ctx.secrets.keyedHash(f.goodIdNumbers[0]!, 'idnumber');
    const [row] = await env.ctx.db.select().from(residents).where(eq(residents.idNumberHash, hash));
    expect(row).toMatchObject({
      areaCode: FIXTURE.gridA1a,
      districtPath: '340302',
      residenceType: 'registered',
    });
    expect(row!.idNumberEnc).not.toContain(f.goodIdNumbers[0]!);
    expect(env.ctx.secrets.decrypt(row!.idNumberEnc!)).toBe(f.goodIdNumbers[0]);
    const events = await env.ctx.db
      .select()
      .from(residentEvents)
      .where(eq(residentEvents.residentId, row!.id));
    expect(events.map((e) => e.kind)).toEqual(['registered']);
  });

  it('audits the import with its counts and the file hash', async () => {
    const [entry] = await env.ctx.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'people.import'))
      .orderBy(desc(auditLog.id))
      .limit(1);
    expect(entry!.details).toMatchObject({
      fileSha256: first.fileSha256,
      created: 980,
      rejected: 20,
      rows: 1000,
    });
    expect(first.fileSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes nothing when the same file is imported again', async () => {
    const events = await countRows(env.ctx, 'resident_events');
    const res = await upload('comm', FIXTURE.gridA1a, file.xlsx);
    expect(res.json()).toMatchObject({ created: 0, updated: 0, unchanged: 980, rejected: 20 });
    expect(await countRows(env.ctx, 'resident_events')).toBe(events);
  });

  it('updates a changed row and records a corrected event naming the fields', async () => {
    const f = importFixture({ rows: 30, bad: 0, seed: 1 });
    f.cells[5]![IO_COLUMNS.indexOf('name')] = '改名字';
    f.cells[5]![IO_COLUMNS.indexOf('phone')] = '13700001111';
    const res = await upload('comm', FIXTURE.gridA1a, await fixtureXlsx(f.cells));
    expect(res.json()).toMatchObject({ created: 0, updated: 1, unchanged: 29, rejected: 0 });
    const hash = env.ctx.secrets.keyedHash(String(f.cells[5]![IO_COLUMNS.indexOf('idNumber')]), 'idnumber');
    const [row] = await env.ctx.db.select().from(residents).where(eq(residents.idNumberHash, hash));
    expect(row).toMatchObject({ name: '改名字', phoneMasked: '137****1111', version: 2 });
    const [ev] = await env.ctx.db
      .select()
      .from(residentEvents)
      .where(and(eq(residentEvents.residentId, row!.id), eq(residentEvents.kind, 'corrected')));
    expect(ev!.data).toMatchObject({ fields: ['name', 'phone'], source: 'import' });
  });

  it('offers the report as XLSX and CSV, naming each rejected row', async () => {
    const x = await env.app.inject({
      method: 'GET',
      url: `/api/people/imports/${first.id}/report`,
      headers: s.comm!.headers,
    });
    expect(x.statusCode).toBe(200);
    const rows = await readBack(x.rawPayload);
    expect(rows).toHaveLength(21);
    expect(rows[1]!.slice(0, 3)).toEqual([
      String(file.expected[0]!.row),
      file.expected[0]!.header,
      file.expected[0]!.rule,
    ]);
    const c = await env.app.inject({
      method: 'GET',
      url: `/api/people/imports/${first.id}/report?format=csv`,
      headers: s.comm!.headers,
    });
    expect(c.body.split('\r\n').filter(Boolean)).toHaveLength(21);
    // Someone of another community may not read it.
    const other = await env.app.inject({
      method: 'GET',
      url: `/api/people/imports/${first.id}/report`,
      headers: s.comm2!.headers,
    });
    expect(other.statusCode).toBe(404);
  });

  it('refuses a duplicate ID number within the file and imports households from CSV (GB 18030 too)', async () => {
    const f = importFixture({ rows: 9, bad: 0, seed: 2, households: true });
    f.cells.push([...f.cells[1]!]);
    const utf8 = await upload('comm', FIXTURE.communityA1, fixtureCsv(f.cells), 'text/csv');
    expect(utf8.statusCode, utf8.body).toBe(200);
    const report = utf8.json() as Report;
    expect(report).toMatchObject({ created: 9, rejected: 1 });
    expect(report.problems).toEqual([
      expect.objectContaining({ row: 11, header: '公民身份号码', rule: 'duplicateInFile' }),
    ]);
    const hs = await env.ctx.db
      .select()
      .from(households)
      .where(sql`${households.number} like 'F2-%'`);
    expect(hs).toHaveLength(3);
    expect(hs.every((h) => h.headResidentId)).toBe(true);
    const members = await queryRows<{ n: number }>(
      env.ctx.db,
      sql`select count(*)::int as n from household_members m join households h on h.id = m.household_id where h.number like 'F2-%'`,
    );
    expect(members[0]!.n).toBe(9);

    // The same rows saved by Excel in GB 18030 change nothing.
    const text = f.cells.map((r) => r.map((c) => c ?? '').join(',')).join('\r\n');
    const encoded = encodeGb18030(text);
    const again = await upload('comm', FIXTURE.communityA1, encoded, 'text/csv');
    expect(again.json()).toMatchObject({ created: 0, unchanged: 9, rejected: 1 });
  });

  it('links residents to a dwelling named by building/unit/door and refuses a second head', async () => {
    const dwellingId = await makeDwelling(env.ctx, FIXTURE.gridA1b, '502');
    const [d] = await queryRows<{ building: string }>(
      env.ctx.db,
      sql`select b.name as building from dwellings d join buildings b on b.id = d.building_id where d.id = ${dwellingId}`,
    );
    const header = IO_COLUMNS.map((c) => IO_HEADERS[c]);
    const row = (name: string, id: string, relation: string, dwelling: string) =>
      IO_COLUMNS.map(
        (c) =>
          ({ name, idNumber: id, residenceType: '户籍', householdNumber: 'D-1', relation, dwelling })[
            c as 'name'
          ] ?? '',
      );
    const a = makeIdNumber('340302', '1971-02-03', 301);
    const b = makeIdNumber('340302', '1972-02-03', 302);
    const c = makeIdNumber('340302', '1973-02-03', 303);
    const res = await upload(
      'comm',
      FIXTURE.communityA1,
      fixtureCsv([
        header,
        row('甲', a, '户主', `${d!.building}/1单元/502`),
        row('乙', b, '配偶', `${d!.building}-1-502`),
        row('丙', c, '户主', ''),
        row('丁', makeIdNumber('340302', '1974-02-03', 305), '子', '9栋/9单元/999'),
      ]),
      'text/csv',
    );
    const report = res.json() as Report;
    expect(report).toMatchObject({ created: 2, rejected: 2 });
    expect(report.problems.map((p) => `${p.row}:${p.header}:${p.rule}`)).toEqual([
      '4:与户主关系:householdHead',
      '5:房屋:dwelling',
    ]);
    const links = await queryRows<{ n: number; grid: string }>(
      env.ctx.db,
      sql`select count(*)::int as n, min(r.area_code) as grid from resident_dwellings l join residents r on r.id = l.resident_id
          where l.dwelling_id = ${dwellingId} and l.to_date is null`,
    );
    expect(links[0]).toEqual({ n: 2, grid: FIXTURE.gridA1b });
    const [h] = await env.ctx.db.select().from(households).where(eq(households.number, 'D-1'));
    expect(h).toMatchObject({ dwellingId, livingType: 'own' });
    const m = await env.ctx.db.select().from(householdMembers).where(eq(householdMembers.householdId, h!.id));
    expect(m.map((x) => x.relation).sort()).toEqual(['head', 'spouse']);
  });
});

/** GB 18030 bytes of text (Node has no encoder for it): via the decoder's table, for the few characters used. */
function encodeGb18030(text: string): Buffer {
  const table = new Map<string, number[]>();
  const dec = new TextDecoder('gb18030');
  const out: number[] = [];
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x80) {
      out.push(ch.charCodeAt(0));
      continue;
    }
    let bytes = table.get(ch);
    if (!bytes) {
      search: for (let hi = 0x81; hi <= 0xfe; hi++)
        for (let lo = 0x40; lo <= 0xfe; lo++) {
          if (dec.decode(Uint8Array.from([hi, lo])) === ch) {
            bytes = [hi, lo];
            break search;
          }
        }
      if (!bytes) throw new Error(`cannot encode ${ch}`);
      table.set(ch, bytes);
    }
    out.push(...bytes);
  }
  return Buffer.from(out);
}

describe('malformed spreadsheets', () => {
  const expectMalformed = async (body: Buffer, rule: string, type: string | null = XLSX) => {
    const res = await upload('comm', FIXTURE.gridA1a, body, type);
    expect(res.statusCode, res.body).toBe(400);
    expect(detailRules(res)).toEqual([`body:spreadsheet.${rule}`]);
    return res;
  };

  it('refuses what is not a zip, a zip without a sheet, broken XML, and an empty file', async () => {
    const before = await countRows(env.ctx, 'residents');
    await expectMalformed(Buffer.from('姓名,公民身份号码\n'), 'notZip');
    await expectMalformed(await zipOf({ 'hello.txt': 'hi' }), 'noSheet');
    await expectMalformed(
      await zipOf({
        'xl/workbook.xml': '<workbook><sheets><sheet name="a" sheetId="1" r:id="rId1"/></sheets></workbook>',
        'xl/worksheets/sheet1.xml':
          '<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row><row></sheetData>',
      }),
      'xml',
    );
    const res = await upload('comm', FIXTURE.gridA1a, Buffer.alloc(0), 'text/csv');
    expect(res.statusCode).toBe(400);
    expect(await countRows(env.ctx, 'residents')).toBe(before);
  });

  it('refuses a zip bomb: an entry that declares, or inflates to, more than the cap', async () => {
    // Declared: a real deflate stream of 1.1 GB of spaces would take long to build; the declared size is checked first.
    const bomb = await zipOf({
      'xl/workbook.xml': '<workbook/>',
      'xl/worksheets/sheet1.xml': '<worksheet/>',
    });
    // Patch the central directory's uncompressed size of the sheet to 2 GB.
    const cd = bomb.lastIndexOf(Buffer.from('xl/worksheets/sheet1.xml')) - 46;
    bomb.writeUInt32LE(0x80000000, cd + 24);
    await expectMalformed(bomb, 'tooLarge');

    // Inflated: a small sheet that inflates past a small cap is stopped while streaming.
    const { openZipEntry, readZipDirectory } = await import('./zip');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-test-'));
    const file = path.join(dir, 'bomb.zip');
    fs.writeFileSync(file, await zipOf({ 'big.xml': Buffer.alloc(5_000_000, 0x20) }));
    const entry = (await readZipDirectory(file)).get('big.xml')!;
    expect(entry.compressedSize).toBeLessThan(20_000);
    entry.uncompressedSize = 10; // lies, as a bomb does
    const stream = await openZipEntry(file, entry, 1_000_000);
    await expect(
      (async () => {
        for await (const _ of stream) void _;
      })(),
    ).rejects.toMatchObject({ rule: 'tooLarge' });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(zlib.deflateRawSync(Buffer.alloc(1)).length).toBeGreaterThan(0);
  });

  it('refuses wrong headers, naming the missing columns', async () => {
    const res = await upload(
      'comm',
      FIXTURE.gridA1a,
      fixtureCsv([
        ['名字', '身份证', '类型'],
        ['张三', '1', '户籍'],
      ]),
      'text/csv',
    );
    expect(res.statusCode).toBe(400);
    expect((res.json() as ErrorJson).error.code).toBe('import.headers');
    expect(detailRules(res)).toEqual([
      'body.姓名:required',
      'body.公民身份号码:required',
      'body.居住类型:required',
    ]);
  });

  it('answers 415 to a body of another type', async () => {
    const res = await upload('comm', FIXTURE.gridA1a, Buffer.from('{}'), 'application/json');
    expect(res.statusCode).toBe(415);
  });
});

describe('importing in batches', () => {
  const eventsOf = async (region: string) =>
    (
      await queryRows<{ n: number }>(
        env.ctx.db,
        sql`select count(*)::int as n from resident_events e join residents r on r.id = e.resident_id
            where r.id_number_masked like ${`${region}%`}`,
      )
    )[0]!.n;

  it('imports a file of several batches once, with a registered event each, and changes nothing again', async () => {
    // 2,500 rows: three batches, the later ones read and checked while the one before is written.
    const f = importFixture({ rows: 2500, bad: 5, region: '340321', seed: 4 });
    const csv = fixtureCsv(f.cells);
    const first = (await upload('comm', FIXTURE.communityA1, csv, 'text/csv')).json() as Report;
    expect(first).toMatchObject({ rows: 2500, created: 2495, updated: 0, unchanged: 0, rejected: 5 });
    expect(first.problems.map((p) => p.row)).toEqual(f.expected.map((e) => e.row));
    expect(await eventsOf('340321')).toBe(2495);
    const again = (await upload('comm', FIXTURE.communityA1, csv, 'text/csv')).json() as Report;
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 2495, rejected: 5 });
    expect(await eventsOf('340321')).toBe(2495);
  });

  it('imports the same file twice at once without a resident or event twice', async () => {
    const csv = fixtureCsv(importFixture({ rows: 1500, bad: 0, region: '340323', seed: 6 }).cells);
    const [a, b] = (
      await Promise.all([
        upload('comm', FIXTURE.communityA1, csv, 'text/csv'),
        upload('comm', FIXTURE.communityA1, csv, 'text/csv'),
      ])
    ).map((r) => r.json() as Report);
    expect(a!.created + b!.created).toBe(1500);
    expect(a!.unchanged + b!.unchanged).toBe(1500);
    expect(a!.rejected + b!.rejected).toBe(0);
    expect(await eventsOf('340323')).toBe(1500);
  });

  it('matches foreign residents without an ID number by name and birth date, once per file', async () => {
    const header = IO_COLUMNS.map((c) => IO_HEADERS[c]);
    const row = (name: string, birthDate: string) =>
      IO_COLUMNS.map((c) => ({ name, gender: '女', birthDate, residenceType: '境外' })[c as 'name'] ?? '');
    const cells = [
      header,
      row('Anna Berg', '1990-04-05'),
      row('Ken Sato', '1985-11-30'),
      row('Anna Berg', '1990-04-05'),
    ];
    const first = (await upload('comm', FIXTURE.communityA1, fixtureCsv(cells), 'text/csv')).json() as Report;
    expect(first).toMatchObject({ created: 2, rejected: 1 });
    expect(first.problems).toEqual([expect.objectContaining({ row: 4, rule: 'duplicateInFile' })]);
    const again = (await upload('comm', FIXTURE.communityA1, fixtureCsv(cells), 'text/csv')).json() as Report;
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 2, rejected: 1 });
  });

  it('splits a batch a row breaks down to that row: the others go in, that row is reported', async () => {
    // A row the database refuses though it passed every check (as a concurrent change would make it).
    await env.ctx.db.execute(
      sql.raw(`create function test_refuse_row() returns trigger language plpgsql as $$
      begin if new.name = '坏行' then raise exception 'refused'; end if; return new; end $$`),
    );
    await env.ctx.db.execute(
      sql.raw(
        `create trigger test_refuse_row before insert on residents for each row execute function test_refuse_row()`,
      ),
    );
    try {
      const f = importFixture({ rows: 1200, bad: 0, region: '340322', seed: 5 });
      f.cells[10]![IO_COLUMNS.indexOf('name')] = '坏行';
      const report = (
        await upload('comm', FIXTURE.communityA1, fixtureCsv(f.cells), 'text/csv')
      ).json() as Report;
      expect(report).toMatchObject({ rows: 1200, created: 1199, rejected: 1 });
      expect(report.problems).toEqual([expect.objectContaining({ row: 11, column: null, rule: 'database' })]);
      expect(await eventsOf('340322')).toBe(1199);
    } finally {
      await env.ctx.db.execute(sql.raw(`drop trigger test_refuse_row on residents`));
      await env.ctx.db.execute(sql.raw(`drop function test_refuse_row()`));
    }
  });
});

describe('who may import', () => {
  it('keeps the import within scope', async () => {
    const csv = fixtureCsv(importFixture({ rows: 2, bad: 0, seed: 9 }).cells);
    expect((await upload('grid', FIXTURE.gridA1b, csv, 'text/csv')).statusCode).toBe(403);
    expect((await upload('vol', FIXTURE.gridA1a, csv, 'text/csv')).statusCode).toBe(403);
    expect((await upload('comm2', FIXTURE.gridA1a, csv, 'text/csv')).statusCode).toBe(403);
    expect((await upload('grid', FIXTURE.gridA1a, csv, 'text/csv')).statusCode).toBe(200);
  });

  it('refuses a row whose person is registered outside the importer’s scope', async () => {
    const f = importFixture({ rows: 1, bad: 0, seed: 9 });
    const res = await upload('comm2', FIXTURE.communityA2, fixtureCsv(f.cells), 'text/csv');
    expect((res.json() as Report).problems).toEqual([
      expect.objectContaining({ row: 2, rule: 'duplicateElsewhere', header: '公民身份号码' }),
    ]);
  });
});

describe('exporting residents', () => {
  const exportUrl = (q: string) => `/api/residents/export?${q}`;

  it('masks numbers by default and guards against formula injection', async () => {
    const header = IO_COLUMNS.map((c) => IO_HEADERS[c]);
    const id = makeIdNumber('340302', '1966-06-06', 661);
    const cells = IO_COLUMNS.map(
      (c) =>
        ({
          name: '=HYPERLINK("http://x","y")',
          idNumber: id,
          residenceType: '户籍',
          note: '@SUM(1)',
          phone: '13912345678',
        })[c as 'name'] ?? '',
    );
    const imp = await upload('comm', FIXTURE.gridA1b, fixtureCsv([header, cells]), 'text/csv');
    expect(imp.json()).toMatchObject({ created: 1 });

    const csv = await env.app.inject({
      method: 'GET',
      url: exportUrl(`format=csv&areaCode=${FIXTURE.gridA1b}`),
      headers: s.comm!.headers,
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csv.body).toContain(`'@SUM(1)`);
    expect(csv.body).toContain(`340302********${id.slice(-4)}`);
    expect(csv.body).toContain('139****5678');
    expect(csv.body).not.toContain(id);
    expect(csv.body).not.toContain('13912345678');

    const xlsx = await env.app.inject({
      method: 'GET',
      url: exportUrl(`areaCode=${FIXTURE.gridA1b}`),
      headers: s.comm!.headers,
    });
    const rows = await readBack(xlsx.rawPayload);
    const mine = rows.find((r) => String(r[0]).includes('HYPERLINK'))!;
    expect(mine[0]).toBe(`'=HYPERLINK("http://x","y")`);
    expect(mine[12]).toBe(`'@SUM(1)`);
    expect(mine[3]).toBe(`340302********${id.slice(-4)}`);
    // No cell is a formula.
    expect(xlsx.rawPayload.includes(Buffer.from('<f>'))).toBe(false);

    const [entry] = await env.ctx.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'people.export'))
      .orderBy(desc(auditLog.id))
      .limit(1);
    expect(entry!.details).toMatchObject({ format: 'xlsx', unmasked: false });
  });

  it('shows numbers in clear only with the reveal permission and a purpose, audited as personal.export', async () => {
    const noPurpose = await env.app.inject({
      method: 'GET',
      url: exportUrl(`format=csv&unmasked=true&areaCode=${FIXTURE.gridA1b}`),
      headers: s.comm!.headers,
    });
    expect(noPurpose.statusCode).toBe(400);
    expect(detailRules(noPurpose)).toEqual(['querystring.purpose:required']);
    const grid = await env.app.inject({
      method: 'GET',
      url: exportUrl(`format=csv&unmasked=true&purpose=${encodeURIComponent('核对名单准备走访')}`),
      headers: s.grid!.headers,
    });
    expect(grid.statusCode).toBe(403);

    const res = await env.app.inject({
      method: 'GET',
      url: exportUrl(
        `format=csv&unmasked=true&areaCode=${FIXTURE.gridA1b}&purpose=${encodeURIComponent('核对名单准备走访')}`,
      ),
      headers: s.comm!.headers,
    });
    expect(res.statusCode).toBe(200);
    const id = makeIdNumber('340302', '1966-06-06', 661);
    expect(res.body).toContain(id);
    expect(res.body).toContain('13912345678');
    const lines = res.body.split('\r\n').filter(Boolean).length - 1;
    const [entry] = await env.ctx.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'personal.export'))
      .orderBy(desc(auditLog.id))
      .limit(1);
    expect(entry!.details).toMatchObject({ purpose: '核对名单准备走访', rows: lines, unmasked: true });
  });
  it('exports in clear without an area too, kept to where the exporter may reveal', async () => {
    const res = await env.app.inject({
      method: 'GET',
      url: exportUrl(`format=csv&unmasked=true&purpose=${encodeURIComponent('核对辖区居民名单')}`),
      headers: s.comm!.headers,
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(makeIdNumber('340302', '1966-06-06', 661));
  });

  it("records the exporter's scope as the area of an export without an area filter", async () => {
    const lastEntry = async (action: string) => {
      const [entry] = await env.ctx.db
        .select()
        .from(auditLog)
        .where(eq(auditLog.action, action))
        .orderBy(desc(auditLog.id))
        .limit(1);
      return entry!;
    };
    const masked = await env.app.inject({
      method: 'GET',
      url: exportUrl('format=csv'),
      headers: s.comm!.headers,
    });
    expect(masked.statusCode).toBe(200);
    expect(await lastEntry('people.export')).toMatchObject({
      targetType: 'area',
      targetId: FIXTURE.communityA1,
      areaPath: FIXTURE.communityA1,
    });
    const clear = await env.app.inject({
      method: 'GET',
      url: exportUrl(`format=csv&unmasked=true&purpose=${encodeURIComponent('核对辖区居民名单')}`),
      headers: s.comm!.headers,
    });
    expect(clear.statusCode).toBe(200);
    expect(await lastEntry('personal.export')).toMatchObject({
      targetId: FIXTURE.communityA1,
      areaPath: FIXTURE.communityA1,
    });
    // Assignments in two communities: their street holds both.
    expect(scopeArea([FIXTURE.communityA1, FIXTURE.communityA2])).toEqual({
      code: FIXTURE.streetA,
      path: areaPath(FIXTURE.streetA),
    });
    // With a filter, the area asked for.
    await env.app.inject({
      method: 'GET',
      url: exportUrl(`format=csv&areaCode=${FIXTURE.gridA1b}`),
      headers: s.comm!.headers,
    });
    expect(await lastEntry('people.export')).toMatchObject({
      targetId: FIXTURE.gridA1b,
      areaPath: FIXTURE.gridA1b,
    });
  });

  it('exports only within scope', async () => {
    const res = await env.app.inject({
      method: 'GET',
      url: exportUrl(`format=csv&areaCode=${FIXTURE.gridA1a}`),
      headers: s.comm2!.headers,
    });
    expect(res.statusCode).toBe(403);
    const all = await env.app.inject({
      method: 'GET',
      url: exportUrl('format=csv'),
      headers: s.comm2!.headers,
    });
    expect(all.body.split('\r\n').filter(Boolean)).toHaveLength(1);
  });
});
