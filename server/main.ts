/** Starts Linli: opens and migrates the database, seeds the demo city on an empty demo install, serves API and web app. */
import type { Config } from './config';
import { loadSecrets } from './crypto';
import { checkKeyedHashes } from './secrets-rotate';
import { openDatabase, type Database } from './db/client';
import type { AppContext, SmsSender } from './context';
import { buildApp } from './http/app';
import type { App } from './http/types';
import { isDatabaseEmpty, seedDemo, DEMO_ACCOUNTS_NOTE } from './modules/demo/seed';
import { startJobs } from './jobs';
import { ensureDefaultCalendar } from './modules/calendar/service';
import { ensureDefaultCategories } from './modules/categories/service';
import { ensureDefaultTags } from './modules/tags/service';

/** The default SMS sender: writes the message to the log, for installs without an SMS gateway. */
export function logSmsSender(log: (msg: string) => void): SmsSender {
  return {
    async send(phone, text) {
      log(`[sms to ${phone}] ${text}`);
    },
  };
}

/**
 * Opens the database (or takes one already opened, as the browser tests' copy of a seeded template) and builds the
 * context (shared by `serve` and the other CLI commands).
 */
export async function openContext(
  config: Config,
  log: (msg: string) => void = console.log,
  opened?: Database,
): Promise<AppContext> {
  const database = opened ?? (await openDatabase(config));
  await database.migrate();
  const secrets = loadSecrets(config);
  const ctx: AppContext = { config, database, db: database.db, secrets, sms: logSmsSender(log) };
  // A wrong LINLI_HASH_KEY after a key rotation would make every search by number miss: refuse to start.
  await checkKeyedHashes(ctx);
  // Reference data every install needs; both only add what is missing and never overwrite an admin's edits.
  await ensureDefaultCalendar(ctx);
  await ensureDefaultCategories(ctx);
  await ensureDefaultTags(ctx);
  return ctx;
}

/** Runs the server until the process is told to stop. */
export async function serve(config: Config): Promise<App> {
  const started = Date.now();
  const ctx = await openContext(config);
  if (config.demo && (await isDatabaseEmpty(ctx))) {
    console.log('Empty database: seeding the demo city 蚌埠市 …');
    await seedDemo(ctx);
  }
  const app = await buildApp(ctx, { serveWeb: true });
  ctx.sms = logSmsSender((msg) => app.log.info(msg));
  const stopJobs = config.jobs ? startJobs(ctx, app.log) : () => undefined;
  await app.listen({ port: config.port, host: config.host });
  const url = `http://${config.host}:${config.port}`;
  console.log(
    `\nLinli (邻里) is running at ${url}  (database: ${ctx.database.kind}, ready in ${Date.now() - started} ms)`,
  );
  console.log(`API docs: ${url}/api/docs`);
  if (config.demo) console.log(DEMO_ACCOUNTS_NOTE(config.demoPassword));
  const shutdown = async () => {
    stopJobs();
    await app.close();
    await ctx.database.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
  return app;
}
