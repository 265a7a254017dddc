import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIdNumber } from '../../../common/id-number';
import { countRows, FIXTURE, seedFixtureAreas, startTestApp, type TestEnv } from '../../test/harness';
import { seedDemoPeople } from './demo';
import { residents } from './tables';
import { makeDwelling } from './test-fixtures';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestApp();
  await seedFixtureAreas(env.ctx);
});
afterAll(async () => env?.close());

describe('demo residents', () => {
  it('seeds households with valid ID numbers in the first grids, living in their dwellings, once', async () => {
    await makeDwelling(env.ctx, FIXTURE.gridA1a, '101');
    const made = await seedDemoPeople(env.ctx, FIXTURE.streetA);
    expect(made).toBeGreaterThan(10);
    const rows = await env.ctx.db.select().from(residents);
    for (const r of rows) {
      const id = parseIdNumber(env.ctx.secrets.decrypt(r.idNumberEnc!));
      expect(id.ok && id.birthDate).toBe(r.birthDate);
      expect(id.ok && id.gender).toBe(r.gender);
    }
    expect(await countRows(env.ctx, 'resident_dwellings')).toBeGreaterThan(0);
    expect(await seedDemoPeople(env.ctx, FIXTURE.streetA)).toBe(0);
    expect(await countRows(env.ctx, 'residents')).toBe(made);
  });
});
