import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, FIXTURE, seedFixtureAreas, startTestApp, type TestEnv } from '../../test/harness';
import { seedDemoPeople } from '../people/demo';
import { makeDwelling } from '../people/test-fixtures';
import { seedDemoTags } from './demo';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestApp();
  await seedFixtureAreas(env.ctx);
});
afterAll(async () => env?.close());

describe('demo focus-group tags', () => {
  it('tags a few demo residents, a restricted tag among them, once', async () => {
    await makeDwelling(env.ctx, FIXTURE.gridA1a, '101');
    await seedDemoPeople(env.ctx, FIXTURE.streetA);
    const made = await seedDemoTags(env.ctx, FIXTURE.streetA);
    expect(made).toBe(6);
    expect(await seedDemoTags(env.ctx, FIXTURE.streetA)).toBe(0);
    expect(await countRows(env.ctx, 'resident_tags')).toBe(made);
  });
});
