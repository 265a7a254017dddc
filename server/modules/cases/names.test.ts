import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../http/app';
import type { App } from '../../http/types';
import {
  createStaff,
  eventually,
  FIXTURE,
  login,
  seedFixtureAreas,
  startTestApp,
  type Session,
  type TestEnv,
} from '../../test/harness';
import { areas } from '../areas/tables';
import { NameBook } from './names';
import { intake } from './service';
import { insertCategory } from './test-fixtures';

let env: TestEnv;
/** A second server on the same database, as when several run side by side behind a proxy. */
let other: App;
let admin: Session;
let street: Session;
let category: string;

beforeAll(async () => {
  // demo: the administrator below is a demo account, so it needs no TOTP enrolment in this test.
  env = await startTestApp({ demo: true });
  await seedFixtureAreas(env.ctx);
  other = await buildApp({ ...env.ctx }, { logger: false });
  await other.ready();
  category = await insertCategory(env.ctx);
  await createStaff(env.ctx, 'names.admin', 'admin', { areaCode: FIXTURE.city }, { demo: true });
  await createStaff(env.ctx, 'names.street', 'street_staff', { areaCode: FIXTURE.streetA });
  admin = await login(env.app, 'names.admin');
  street = await login(env.app, 'names.street');
  await intake(env.ctx, null, {
    channel: 'hotline',
    categoryId: category,
    title: '楼道灯坏了',
    description: '三号楼二单元楼道灯不亮',
    areaCode: FIXTURE.gridA1a,
    reporterName: '张三',
    reporterPhone: '13912345678',
  });
});

afterAll(async () => {
  await other.close();
  await env.close();
});

/** The category and area names the street's case list shows for its case of `category`. */
async function shown(app: App): Promise<{ categoryName: string; areaName: string }> {
  const res = await app.inject({
    method: 'GET',
    url: `/api/cases?category=${category}`,
    headers: street.headers,
  });
  expect(res.statusCode, res.body).toBe(200);
  const [item] = (res.json() as { items: { categoryName: string; areaName: string }[] }).items;
  return { categoryName: item!.categoryName, areaName: item!.areaName };
}

describe('the names a case list shows', () => {
  it('are kept by each server once read', async () => {
    expect(await shown(env.app)).toEqual({ categoryName: expect.any(String), areaName: '淮河社区第1网格' });
    expect(await shown(other)).toEqual(await shown(env.app));
    expect(env.app.nameBook!.size).toBeGreaterThan(0);
    expect(other.nameBook!.size).toBeGreaterThan(0);
  });

  it('show a renamed category at once on the server that renamed it, and soon on the others', async () => {
    await shown(env.app);
    await shown(other);
    const renamed = await env.app.inject({
      method: 'PATCH',
      url: `/api/categories/${category}`,
      headers: admin.headers,
      payload: { name: '楼道照明' },
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect((await shown(env.app)).categoryName).toBe('楼道照明');
    await eventually(async () => (await shown(other)).categoryName === '楼道照明');
  });

  it('show an area renamed in the database, once the servers have heard of it', async () => {
    await shown(env.app);
    await env.ctx.db.update(areas).set({ name: '淮河一网格' }).where(eq(areas.code, FIXTURE.gridA1a));
    await env.settled();
    await other.nameBook!.settled(env.ctx.database);
    expect((await shown(env.app)).areaName).toBe('淮河一网格');
    expect((await shown(other)).areaName).toBe('淮河一网格');
  });

  it('are read for every page where the configuration keeps no caches (LINLI_CACHES=false)', async () => {
    const uncached = await buildApp(
      { ...env.ctx, config: { ...env.ctx.config, caches: false } },
      { logger: false },
    );
    try {
      expect(uncached.nameBook).toBeNull();
      expect(await shown(uncached)).toEqual(await shown(env.app));
      await env.ctx.db.update(areas).set({ name: '淮河网格甲' }).where(eq(areas.code, FIXTURE.gridA1a));
      expect((await shown(uncached)).areaName).toBe('淮河网格甲');
    } finally {
      await uncached.close();
      await env.settled();
    }
  });
});

describe('NameBook', () => {
  async function started(options: { maxEntries?: number } = {}): Promise<NameBook> {
    const book = new NameBook(options);
    await book.start(env.ctx.database);
    return book;
  }

  it('does not keep a name read before something was forgotten', async () => {
    const book = await started();
    const mark = book.mark();
    book.forgetAll();
    book.put('area', FIXTURE.gridA1a, '旧名', mark);
    expect(book.get('area', FIXTURE.gridA1a)).toBeUndefined();
    book.put('area', FIXTURE.gridA1a, '新名', book.mark());
    expect(book.get('area', FIXTURE.gridA1a)).toBe('新名');
    await book.stop();
  });

  it('tells the kinds apart and forgets the oldest name when full', async () => {
    const book = await started({ maxEntries: 2 });
    book.put('area', 'x', '区域', book.mark());
    book.put('department', 'x', '部门', book.mark());
    expect([book.get('area', 'x'), book.get('department', 'x'), book.get('category', 'x')]).toEqual([
      '区域',
      '部门',
      undefined,
    ]);
    book.put('category', 'x', '分类', book.mark());
    expect(book.size).toBe(2);
    expect(book.get('area', 'x')).toBeUndefined();
    await book.stop();
  });

  it('keeps nothing before it listens or after it stops', async () => {
    const book = new NameBook();
    book.put('area', 'early', '早', book.mark());
    expect(book.size).toBe(0);
    await book.start(env.ctx.database);
    book.put('area', 'kept', '留', book.mark());
    expect(book.get('area', 'kept')).toBe('留');
    await book.stop();
    expect(book.get('area', 'kept')).toBeUndefined();
    expect(book.live).toBe(false);
  });

  it('hears of a rename committed by another connection, and not of a new row', async () => {
    const book = await started();
    book.put('area', FIXTURE.gridA1b, '淮河社区第2网格', book.mark());
    await insertCategory(env.ctx);
    await book.settled(env.ctx.database);
    expect(book.get('area', FIXTURE.gridA1b)).toBe('淮河社区第2网格');
    await env.ctx.db.update(areas).set({ name: '淮河二网格' }).where(eq(areas.code, FIXTURE.gridA1b));
    await book.settled(env.ctx.database);
    expect(book.get('area', FIXTURE.gridA1b)).toBeUndefined();
    await book.stop();
  });
});
