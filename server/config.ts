/** Reads Linli's configuration from the environment, with the defaults of an embedded single-node install. */
import os from 'node:os';
import path from 'node:path';
import { CIPHERS, type CipherName } from './crypto';

/**
 * The connections a server keeps to PostgreSQL unless LINLI_DB_POOL says otherwise: twice its CPUs, at least 4. More
 * backends than the cores can run only take turns with the server: on 2 cores, 10 connections against 4 gave a street's
 * overdue list p99 53–55 ms against 38–45 ms, and intake the same throughput.
 */
export function defaultPoolSize(): number {
  return Math.max(4, 2 * os.availableParallelism());
}

export type PasswordProfile = 'default' | 'dengbao3';

export interface Config {
  port: number;
  host: string;
  /** postgres://… selects a real PostgreSQL server; otherwise PGlite in dataDir. */
  databaseUrl: string | null;
  /** Connections to that server (LINLI_DB_POOL); default twice the CPUs, at least 4. */
  dbPoolSize: number;
  /**
   * Keep resolved sessions and the names case lists show in memory, told of changes by PostgreSQL's notifications
   * (LINLI_CACHES, on by default). Off behind a proxy that does not pass LISTEN through (PgBouncer pooling by
   * transaction).
   */
  caches: boolean;
  dataDir: string;
  /** Uploaded files (case photos); default `<dataDir>/uploads`. */
  uploadDir: string;
  /** Demo mode seeds the demo city and demo accounts; on by default only for the embedded database. */
  demo: boolean;
  demoPassword: string;
  /** In demo mode, an Open311 client key for the demo city (LINLI_DEMO_OPEN311_KEY; empty: none). */
  demoOpen311Key: string;
  passwordProfile: PasswordProfile;
  /** Cookies get the Secure flag (set when served over HTTPS behind a proxy). */
  cookieSecure: boolean;
  trustProxy: boolean;
  logLevel: string;
  /** 32-byte key (hex or base64) for encrypting personal data and keyed hashes; generated into dataDir when absent. */
  secretKey: string | null;
  /** Older keys (LINLI_SECRET_KEYS_OLD, comma-separated): they only decrypt, until `linli secrets rotate` is done. */
  secretKeysOld: string[];
  /** The key keyed hashes are made with (LINLI_HASH_KEY); must stay the same across rotations. Default: secretKey. */
  hashKey: string | null;
  /** Cipher of new boxes (LINLI_CIPHER): aes-256-gcm (default) or sm4 (SM4-CTR + HMAC-SM3). */
  cipher: CipherName;
  staffIdleTimeoutSeconds: number;
  staffAbsoluteTimeoutSeconds: number;
  residentIdleTimeoutSeconds: number;
  residentAbsoluteTimeoutSeconds: number;
  rateLimitPerMinute: number;
  bodyLimitBytes: number;
  /** Jobs (session cleanup, idempotency expiry, deadlines, outbox delivery) run in-process unless disabled. */
  jobs: boolean;
  /** Fractions of a deadline (due_from → due_at) at which the holder is reminded, ascending. */
  reminderFractions: number[];
  /** How often the deadline job and the outbox delivery run; 0 turns that job off. */
  deadlinesEverySeconds: number;
  outboxEverySeconds: number;
  /** Tries before an outbound message is given up as failed. */
  outboxMaxAttempts: number;
  /** Map tiles under the housing map (LINLI_MAP_TILE_URL): an http(s) template with {z}, {x}, {y}; null: none. */
  mapTileUrl: string | null;
  /** The tiles' attribution line (LINLI_MAP_TILE_ATTRIBUTION), shown on the map. */
  mapTileAttribution: string | null;
}

/** A comma-separated list of fractions strictly between 0 and 1 (e.g. "0.5,0.8"), sorted and de-duplicated. */
function fractionsEnv(env: NodeJS.ProcessEnv, name: string, fallback: number[]): number[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const list = raw.split(',').map((x) => Number(x.trim()));
  if (list.some((f) => !Number.isFinite(f) || f <= 0 || f >= 1))
    throw new Error(`${name} must be fractions between 0 and 1 separated by commas, got "${raw}"`);
  return [...new Set(list)].sort((a, b) => a - b);
}

function cipherEnv(env: NodeJS.ProcessEnv): CipherName {
  const raw = (env.LINLI_CIPHER ?? '').trim().toLowerCase();
  if (raw === '') return 'aes-256-gcm';
  if (!(CIPHERS as readonly string[]).includes(raw))
    throw new Error(`LINLI_CIPHER must be one of ${CIPHERS.join(', ')}, got "${env.LINLI_CIPHER}"`);
  return raw as CipherName;
}

/**
 * LINLI_MAP_TILE_URL: a slippy-map tile template (Web Mercator), e.g. https://tiles.example.org/{z}/{x}/{y}.png.
 * Only http(s), and {z}, {x} and {y} must all be there: anything else (javascript:, data:, a typo) fails at start.
 */
export function mapTileUrlEnv(env: NodeJS.ProcessEnv): string | null {
  const raw = (env.LINLI_MAP_TILE_URL ?? '').trim();
  if (raw === '') return null;
  const fail = (why: string) =>
    new Error(
      `LINLI_MAP_TILE_URL must be an http(s) URL template with {z}, {x} and {y} (${why}), got "${raw}"`,
    );
  for (const p of ['{z}', '{x}', '{y}']) if (!raw.includes(p)) throw fail(`${p} is missing`);
  // Placeholders belong in the path or query: the origin goes into the Content-Security-Policy as it is.
  const host = raw.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split(/[/?#]/)[0] ?? '';
  if (/[{}]/.test(host)) throw fail('placeholder in the host');
  let url: URL;
  try {
    url = new URL(raw.replace(/\{[xyz]\}/g, '0'));
  } catch {
    throw fail('not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw fail(`protocol ${url.protocol}`);
  if (url.username || url.password) throw fail('credentials in the URL');
  return raw;
}

/** The origin tiles are loaded from (for the Content-Security-Policy's img-src), or null without tiles. */
export function mapTileOrigin(config: Pick<Config, 'mapTileUrl'>): string | null {
  return config.mapTileUrl ? new URL(config.mapTileUrl.replace(/\{[xyz]\}/g, '0')).origin : null;
}

function intEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

function boolEnv(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new Error(`${name} must be true or false, got "${raw}"`);
}

/** Builds the configuration from environment variables (documented in README.md). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const databaseUrl = env.DATABASE_URL && env.DATABASE_URL.trim() !== '' ? env.DATABASE_URL : null;
  const profile = env.LINLI_PASSWORD_PROFILE ?? 'default';
  if (profile !== 'default' && profile !== 'dengbao3') {
    throw new Error(`LINLI_PASSWORD_PROFILE must be "default" or "dengbao3", got "${profile}"`);
  }
  const dataDir = path.resolve(overrides.dataDir ?? env.LINLI_DATA_DIR ?? 'data');
  return {
    port: intEnv(env, 'PORT', 3000),
    host: env.HOST ?? '127.0.0.1',
    databaseUrl,
    dbPoolSize: Math.max(1, intEnv(env, 'LINLI_DB_POOL', defaultPoolSize())),
    caches: boolEnv(env, 'LINLI_CACHES', true),
    dataDir: path.resolve(env.LINLI_DATA_DIR ?? 'data'),
    uploadDir: path.resolve(env.LINLI_UPLOAD_DIR ?? path.join(dataDir, 'uploads')),
    demo: boolEnv(env, 'LINLI_DEMO', databaseUrl === null),
    demoPassword: env.LINLI_DEMO_PASSWORD ?? 'linli-demo',
    demoOpen311Key: env.LINLI_DEMO_OPEN311_KEY ?? 'linli-demo-open311',
    passwordProfile: profile,
    cookieSecure: boolEnv(env, 'LINLI_COOKIE_SECURE', false),
    trustProxy: boolEnv(env, 'LINLI_TRUST_PROXY', false),
    logLevel: env.LOG_LEVEL ?? 'info',
    secretKey: env.LINLI_SECRET_KEY ?? null,
    secretKeysOld: (env.LINLI_SECRET_KEYS_OLD ?? '')
      .split(',')
      .map((k) => k.trim())
      .filter((k) => k !== ''),
    hashKey: env.LINLI_HASH_KEY && env.LINLI_HASH_KEY.trim() !== '' ? env.LINLI_HASH_KEY : null,
    cipher: cipherEnv(env),
    staffIdleTimeoutSeconds: intEnv(env, 'LINLI_STAFF_IDLE_SECONDS', 30 * 60),
    staffAbsoluteTimeoutSeconds: intEnv(env, 'LINLI_STAFF_ABSOLUTE_SECONDS', 12 * 3600),
    residentIdleTimeoutSeconds: intEnv(env, 'LINLI_RESIDENT_IDLE_SECONDS', 7 * 24 * 3600),
    residentAbsoluteTimeoutSeconds: intEnv(env, 'LINLI_RESIDENT_ABSOLUTE_SECONDS', 30 * 24 * 3600),
    rateLimitPerMinute: intEnv(env, 'LINLI_RATE_LIMIT_PER_MINUTE', 600),
    bodyLimitBytes: intEnv(env, 'LINLI_BODY_LIMIT_BYTES', 1024 * 1024),
    jobs: boolEnv(env, 'LINLI_JOBS', true),
    reminderFractions: fractionsEnv(env, 'LINLI_REMINDER_FRACTIONS', [0.5, 0.8]),
    deadlinesEverySeconds: intEnv(env, 'LINLI_DEADLINES_EVERY_SECONDS', 60),
    outboxEverySeconds: intEnv(env, 'LINLI_OUTBOX_EVERY_SECONDS', 5),
    outboxMaxAttempts: Math.max(1, intEnv(env, 'LINLI_OUTBOX_MAX_ATTEMPTS', 8)),
    mapTileUrl: mapTileUrlEnv(env),
    mapTileAttribution: (env.LINLI_MAP_TILE_ATTRIBUTION ?? '').trim().slice(0, 200) || null,
    ...overrides,
  };
}
