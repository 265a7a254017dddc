/**
 * Timing of the statistics queries over many cases, on a real PostgreSQL (a measurement, never a test):
 *
 *   node scripts/with-postgres.mjs npx tsx server/modules/stats/stats-load.ts   (STATS_CASES=1000000 by default)
 *
 * Fills a fresh database with STATS_CASES cases over the last twelve months in the test fixture's district (SQL
 * generate_series: 70 % closed and rated with the full chain of events, 20 % in handling, 10 % declined), then times
 * GET /api/stats/cases by area, department, category and month, and the grid map, as a district leader.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../../config';
import type { AppContext } from '../../context';
import { createSecrets } from '../../crypto';
import { openPostgres, queryRows } from '../../db/client';
import { buildApp } from '../../http/app';
import { createStaff, FIXTURE, login, seedFixtureAreas } from '../../test/harness';
import { groupedSumsQuery } from './service';

const N = Number(process.env.STATS_CASES ?? 1_000_000);

async function main() {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error('run under scripts/with-postgres.mjs (DATABASE_URL)');
  const name = `stats_load_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const database = await openPostgres(url.toString(), 5);
  await database.migrate();
  const config = loadConfig({}, { demo: false, jobs: false, rateLimitPerMinute: 1_000_000 });
  const ctx: AppContext = {
    config,
    database,
    db: database.db,
    secrets: createSecrets(Buffer.alloc(32, 7)),
    sms: { send: async () => undefined },
  };
  const { departmentId } = await seedFixtureAreas(ctx);
  const t0 = Date.now();
  await ctx.db.execute(sql`
    insert into categories (code, name, matter_class, handling_level)
    values ('load.a', '负载甲', 'community', 'community'), ('load.b', '负载乙', 'public', 'street')`);
  await ctx.db.execute(sql`
    insert into cases (number, channel, category_id, matter_class, title, description, area_code, area_path,
                       status, level, holder_path, lead_department_id, due_at, created_at, updated_at, closed_at,
                       rating, responded_at, response_due_at)
    select 'L-' || g, 'window', (select id from categories where code = case when g % 3 = 0 then 'load.b' else 'load.a' end),
           'community', '负载', '负载', a.code, a.path,
           case when g % 10 < 7 then 'rated' when g % 10 < 9 then 'handling' else 'declined' end,
           'community', left(a.path, 12), case when g % 5 = 0 then ${departmentId}::uuid end,
           x.created + interval '30 hours', x.created, x.created,
           case when g % 10 < 7 then x.created + (g % 48) * interval '1 hour'
                when g % 10 = 9 then x.created + interval '2 hours' end,
           case when g % 10 < 7 then (array['satisfied', 'basically', 'dissatisfied'])[1 + g % 3] end,
           -- As intake and act() keep them: the first response (the second event), and the end of the response day
           -- of a community report (that day, or Monday for a weekend report; no holidays entered).
           x.created + (g % 40) * interval '1 hour',
           (((x.d + case extract(isodow from x.d)::int when 6 then 2 when 7 then 1 else 0 end) + 1)::timestamp
             - interval '8 hours' - interval '1 millisecond') at time zone 'UTC'
    from generate_series(1, ${N}) g
    cross join lateral (select now() - (g % 365) * interval '1 day' - (g % 24) * interval '1 hour' as created) x0
    cross join lateral (select x0.created, ((x0.created at time zone 'UTC') + interval '8 hours')::date as d) x
    join areas a on a.code = (array[${FIXTURE.gridA1a}, ${FIXTURE.gridA1b}, ${FIXTURE.gridA2a}, ${FIXTURE.communityB1}])[1 + g % 4]`);
  await ctx.db.execute(sql`
    insert into case_events (case_id, seq, action, from_status, to_status, data, at)
    select id, 1, 'report', null, 'reported', '{"level":"community"}'::jsonb, created_at from cases`);
  await ctx.db.execute(sql`
    insert into case_events (case_id, seq, action, from_status, to_status, data, at)
    select id, 2, case when status = 'declined' then 'decline' else 'accept' end, 'reported',
           case when status = 'declined' then 'declined' else 'accepted' end, '{}'::jsonb,
           responded_at
    from cases`);
  await ctx.db.execute(sql`
    insert into case_events (case_id, seq, action, from_status, to_status, data, at)
    select c.id, s.seq, s.action, s.from_status, s.to_status,
           case when s.action = 'rate' then jsonb_build_object('rating', c.rating) else '{}'::jsonb end,
           c.closed_at + (s.seq - 8) * interval '1 minute'
    from cases c
    cross join (values (3, 'dispatch', 'accepted', 'dispatched'), (4, 'start', 'dispatched', 'handling'),
                       (5, 'handle', 'handling', 'handled'), (6, 'verify', 'handled', 'verified'),
                       (7, 'close', 'verified', 'closed'), (8, 'rate', 'closed', 'rated'))
               as s(seq, action, from_status, to_status)
    where c.status = 'rated'`);
  await ctx.db.execute(sql`analyze`);
  const counted = await queryRows<{ n: number }>(ctx.db, sql`select count(*)::int as n from case_events`);
  console.log(`filled ${N} cases and ${counted[0]!.n} events in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (process.env.STATS_EXPLAIN) {
    const now = new Date();
    const start = new Date(now.getTime() - 365 * 86_400_000);
    const q = groupedSumsQuery('340302', start, now, sql`left(c.area_path, 9)`, now);
    const plan = await ctx.db.transaction(async (tx) => {
      await tx.execute(sql`set local jit = off`);
      return queryRows<Record<string, string>>(tx, sql`explain (analyze, buffers) ${q}`);
    });
    console.log(plan.map((r) => Object.values(r)[0]).join('\n'));
  }

  const app = await buildApp(ctx, { logger: false });
  await app.ready();
  await createStaff(ctx, 'load.leader', 'leader', { areaCode: FIXTURE.district });
  const session = await login(app, 'load.leader');
  const time = async (label: string, url: string) => {
    const runs: number[] = [];
    for (let i = 0; i < 4; i++) {
      const t = performance.now();
      const res = await app.inject({ method: 'GET', url, headers: session.headers });
      if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      runs.push(performance.now() - t);
    }
    // The first run warms the caches; the others are what a reader sees.
    const warm = runs.slice(1).sort((a, b) => a - b);
    console.log(`${label.padEnd(28)} first ${runs[0]!.toFixed(0)} ms, then median ${warm[1]!.toFixed(0)} ms`);
  };
  await time('by area (district, 12 mo)', '/api/stats/cases?by=area');
  await time('by department', '/api/stats/cases?by=department');
  await time('by category', '/api/stats/cases?by=category');
  await time('by month', '/api/stats/cases?by=month');
  await time('by area (one street)', `/api/stats/cases?by=area&area=${FIXTURE.streetA}`);
  await time('xlsx by month', '/api/stats/cases.xlsx?by=month');
  await time('grid map (street)', `/api/stats/grid-map?area=${FIXTURE.streetA}`);
  await app.close();
  await database.close();
  await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
  await admin.end();
}

await main();
