/** Opens Linli's database: PGlite in a local folder by default, a real PostgreSQL server with DATABASE_URL. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT, PgTable } from 'drizzle-orm/pg-core';
import { getTableColumns, is, Param, Placeholder, sql, type SQL } from 'drizzle-orm';
import pg from 'pg';
import { defaultPoolSize } from '../config';
import * as schema from './schema';

export type Schema = typeof schema;
/** The Drizzle handle both drivers share; domain code only ever sees this. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction or the database itself: functions that write take either. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0] | Db;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Runs the committed migrations; safe to call from several servers at once (advisory lock). */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** The raw PGlite instance, when embedded (tests clone it). */
  pglite?: PGlite;
  /**
   * Listens on a notification channel for as long as the returned stop is not called: `onMessage` gets each payload,
   * `onState` says when notifications can (true) and cannot (false) arrive. On PostgreSQL a connection of its own
   * listens and is opened again after it is lost; whatever was sent while it was down is not delivered.
   */
  listen(channel: string, handlers: ListenHandlers): Promise<() => Promise<void>>;
}

/** What a listener is told (Database.listen). */
export interface ListenHandlers {
  onMessage(payload: string): void;
  onState(listening: boolean): void;
}

// A listening connection that is lost is opened again after 0.1 s, then after twice as long each time up to 5 s.
const LISTEN_RETRY_MS = { first: 100, max: 5_000 };

/** Keeps one connection listening on `channel`, opening it again whenever it is lost (Database.listen). */
function listenPostgres(
  url: string,
  channel: string,
  handlers: ListenHandlers,
): Promise<() => Promise<void>> {
  let stopped = false;
  let current: pg.Client | null = null;
  let timer: NodeJS.Timeout | null = null;
  let delay = LISTEN_RETRY_MS.first;
  let firstAttempt: (() => void) | null = null;
  const attempt = async (): Promise<void> => {
    timer = null;
    // Keepalives, so a connection the network dropped without a word is found out and opened again.
    const client = new pg.Client({ connectionString: url, keepAlive: true });
    let lost = false;
    const lose = () => {
      if (lost) return;
      lost = true;
      if (current === client) current = null;
      handlers.onState(false);
      client.end().catch(() => undefined);
      if (!stopped) {
        timer = setTimeout(() => void attempt(), delay);
        delay = Math.min(delay * 2, LISTEN_RETRY_MS.max);
      }
    };
    client.on('error', lose);
    client.on('end', lose);
    client.on('notification', (m) => {
      if (m.channel === channel && !lost) handlers.onMessage(m.payload ?? '');
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch {
      lose();
    }
    if (!lost && !stopped) {
      current = client;
      delay = LISTEN_RETRY_MS.first;
      handlers.onState(true);
    } else if (!lost) {
      lost = true;
      await client.end().catch(() => undefined);
    }
    firstAttempt?.();
    firstAttempt = null;
  };
  const stop = async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    const client = current;
    current = null;
    if (client) await client.end().catch(() => undefined);
  };
  // Resolves once the first connection is listening or has failed (then it keeps trying in the background).
  return new Promise((resolve) => {
    firstAttempt = () => resolve(stop);
    void attempt();
  });
}

const here = path.dirname(fileURLToPath(import.meta.url));
export const MIGRATIONS_DIR = path.resolve(here, '../../drizzle');
const MIGRATION_LOCK = 7_310_001;

/** Opens PGlite in dataDir (or in memory when dataDir is null, for tests). */
export async function openPglite(dataDir: string | null, loadFrom?: Blob | File): Promise<Database> {
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
  const client = await PGlite.create({
    ...(dataDir ? { dataDir: path.join(dataDir, 'pglite') } : {}),
    ...(loadFrom ? { loadDataDir: loadFrom } : {}),
  });
  const db = drizzlePglite({ client, schema }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    pglite: client,
    async migrate() {
      // One connection, one process: no lock needed.
      await migratePglite(drizzlePglite({ client, schema }), { migrationsFolder: MIGRATIONS_DIR });
    },
    async close() {
      await client.close();
    },
    async listen(channel, handlers) {
      // One process holds the database: a notification arrives as soon as the statement that sent it commits.
      const unlisten = await client.listen(channel, (payload) => handlers.onMessage(payload));
      handlers.onState(true);
      return async () => {
        if (!client.closed) await unlisten();
      };
    },
  };
}

/** Opens a pool on a real PostgreSQL server. */
export async function openPostgres(url: string, poolSize = defaultPoolSize()): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client that loses its server must not crash the process.
  pool.on('error', () => undefined);
  const db = drizzlePg({ client: pool, schema }) as unknown as Db;
  return {
    db,
    kind: 'postgres',
    async migrate() {
      const client = await pool.connect();
      try {
        await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
        try {
          await migratePg(drizzlePg({ client, schema }), { migrationsFolder: MIGRATIONS_DIR });
        } finally {
          await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
        }
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
    listen(channel, handlers) {
      return listenPostgres(url, channel, handlers);
    },
  };
}

/** Opens the database the configuration names. */
export async function openDatabase(config: {
  databaseUrl: string | null;
  dataDir: string;
  dbPoolSize?: number;
}): Promise<Database> {
  return config.databaseUrl
    ? openPostgres(config.databaseUrl, config.dbPoolSize)
    : openPglite(config.dataDir);
}

/** True when the database answers a trivial query. */
export async function ping(db: Db): Promise<boolean> {
  try {
    await db.execute(sql`select 1`);
    return true;
  } catch {
    return false;
  }
}

/** Runs raw SQL and returns its rows (both drivers answer with a `rows` array). */
export async function queryRows<T>(db: Tx, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/** The parts of Drizzle's handle that run a statement under a name; internal to Drizzle, stable across 0.4x. */
interface NamedStatementRunner {
  dialect: { sqlToQuery(query: SQL): { sql: string; params: unknown[] } };
  session: {
    prepareQuery(
      query: { sql: string; params: unknown[] },
      fields: undefined,
      name: string | undefined,
      arrayMode: boolean,
    ): { execute(): Promise<unknown> };
  };
}

/** One parameter of a statement built once: a fixed value, or a placeholder's name and how its value is encoded. */
type Slot = { fixed: unknown } | { name: string; encode: ((value: unknown) => unknown) | null };

/** A statement built once: its text, its parameters and the name the server keeps its plan under. */
interface BuiltStatement {
  sql: string;
  slots: Slot[];
  name: string;
}

function compileStatement(runner: NamedStatementRunner, query: SQL): BuiltStatement {
  const built = runner.dialect.sqlToQuery(query);
  const slots = built.params.map((p): Slot => {
    // A placeholder given as a column's value comes wrapped in a Param carrying the column's encoder.
    if (is(p, Param) && is(p.value, Placeholder)) {
      const encoder = p.encoder;
      return { name: p.value.name, encode: (value) => encoder.mapToDriverValue(value) };
    }
    // A placeholder written into a sql`` template: its value goes to the driver as given.
    if (is(p, Placeholder)) return { name: p.name, encode: null };
    return { fixed: p };
  });
  return { sql: built.sql, slots, name: statementName('li_', built.sql) };
}

/** The name a statement runs under on the server: the same text always gets the same name. */
function statementName(prefix: string, text: string): string {
  return `${prefix}${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
}

/** The driver parameters of one call: fixed values as they are, placeholders filled from the values and encoded. */
function fillSlots(slots: Slot[], values: PreparedValues): unknown[] {
  const params = new Array<unknown>(slots.length);
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i]!;
    if ('fixed' in slot) {
      params[i] = slot.fixed;
      continue;
    }
    const value = values[slot.name];
    if (value === undefined) throw new Error(`No value for placeholder "${slot.name}"`);
    // null is SQL NULL whatever the column, as when Drizzle encodes a value itself (jsonb would make it 'null').
    params[i] = value === null || !slot.encode ? value : slot.encode(value);
  }
  return params;
}

/**
 * Runs raw SQL like queryRows, but under a name made from its text, so PostgreSQL keeps it parsed per connection and,
 * once a plan made without the values proves as cheap as planning each call, stops planning it (PGlite runs it as a
 * plain query). For statements built per call whose text has few shapes: every value must be a parameter, never part
 * of the text, or each value would leave another statement behind on every connection. Write conditions the plan can
 * use without the values (db/fragments.ts): a prefix as a range, a partial index's statuses as literals. Do not name a
 * statement whose values match shares of the table far apart (a city's range and a street's): a plan chosen for one is
 * kept for the other (cases/list.ts keepsPlans).
 */
export async function queryNamed<T>(db: Tx, query: SQL): Promise<T[]> {
  return runCompiled<T>(db, compileQuery(db, query, true));
}

/** A statement compiled to its text and values, with the name it runs under (queryNamed) or null (queryRows). */
export interface CompiledStatement {
  sql: string;
  params: unknown[];
  name: string | null;
}

/**
 * Compiles a statement as queryNamed (`named`) or queryRows would run it, for a caller that runs the same statement
 * again with the same values (cases/list.ts keeps a list's statements per user and query): building and compiling a
 * list's statements was a fifth of its server time.
 */
export function compileQuery(db: Tx, query: SQL, named: boolean): CompiledStatement {
  const built = (db as unknown as NamedStatementRunner).dialect.sqlToQuery(query);
  return { sql: built.sql, params: built.params, name: named ? statementName('ln_', built.sql) : null };
}

/** Runs a compiled statement (compileQuery) and returns its rows. */
export async function runCompiled<T>(db: Tx, s: CompiledStatement): Promise<T[]> {
  const runner = db as unknown as NamedStatementRunner;
  const result = (await runner.session
    .prepareQuery({ sql: s.sql, params: s.params }, undefined, s.name ?? undefined, false)
    .execute()) as { rows: T[] };
  return result.rows;
}

/** The values of a statement built once, by placeholder name. */
export type PreparedValues = Record<string, unknown>;

/**
 * Defines a statement that is built once and then run with just its values: `build` composes it from Drizzle
 * queries and sql`` templates whose varying parts are placeholders (`sql.placeholder('name')`); it runs on the
 * first call only, and every call fills the placeholders from `values` and runs the text under a stable name, so
 * PostgreSQL keeps it parsed and planned per connection (PGlite runs it as a plain query). A column's
 * placeholder is encoded by the column (null stays NULL); a template's goes to the driver as given: encode it
 * yourself, e.g. JSON text for `::jsonb`. Whatever differs between calls must be a placeholder: anything else in
 * `build` is fixed by its first call. Built with the first handle's dialect (every handle Linli opens has the same).
 */
export function definePrepared<T = Record<string, unknown>>(
  build: (db: Tx) => SQL,
): (db: Tx, values: PreparedValues) => Promise<T[]> {
  let built: BuiltStatement | null = null;
  return async (db, values) => {
    // Drizzle keeps dialect and session off its public types; both drivers' handles (and transactions) have them.
    const runner = db as unknown as NamedStatementRunner;
    built ??= compileStatement(runner, build(db));
    const query = { sql: built.sql, params: fillSlots(built.slots, values) };
    const result = (await runner.session.prepareQuery(query, undefined, built.name, false).execute()) as {
      rows: T[];
    };
    return result.rows;
  };
}

/**
 * Rows of a table as JSON text for insertFromJson, keyed by column name: a value as its column encodes it for the
 * driver (a time as ISO text), a json column's as itself, nested. One parameter then carries any number of rows.
 */
export function rowsAsJson<T extends PgTable>(table: T, rows: Partial<T['$inferInsert']>[]): string {
  const columns = Object.entries(getTableColumns(table));
  return JSON.stringify(
    rows.map((row) => {
      const out: Record<string, unknown> = {};
      for (const [key, column] of columns) {
        const value = (row as Record<string, unknown>)[key];
        if (value === undefined) continue;
        out[column.name] =
          value === null || column.dataType === 'json' ? value : column.mapToDriverValue(value);
      }
      return out;
    }),
  );
}

/**
 * An INSERT (usable inside a larger statement) of the rows in a JSON text (rowsAsJson), given or a placeholder: the
 * columns of `keys` are taken from it, the others get their defaults.
 */
export function insertFromJson<T extends PgTable>(
  table: T,
  keys: readonly (keyof T['$inferInsert'] & string)[],
  json: SQL | Placeholder,
): SQL {
  const columns = getTableColumns(table);
  const names = sql.join(
    keys.map((k) => sql.identifier(columns[k]!.name)),
    sql`, `,
  );
  return sql`insert into ${table} (${names})
    select ${names} from json_populate_recordset(null::${table}, ${json}::json)`;
}

/** The SQLSTATE of a database error, looked for along the error's causes (the ORM wraps the driver's error). */
export function pgErrorCode(err: unknown): string | null {
  let e = err as { code?: unknown; cause?: unknown } | null | undefined;
  for (let depth = 0; e && depth < 5; depth++) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
    e = e.cause as typeof e;
  }
  return null;
}
