/**
 * Encryption at rest, keyed hashes and masking for sensitive personal data (ID and phone numbers, TOTP secrets).
 *
 * Boxes: `v2.<alg>.<kid>.<payload>` names the algorithm and the key that made it, so a key ring can hold the
 * current key and older ones (LINLI_SECRET_KEYS_OLD) while `linli secrets rotate` re-encrypts everything.
 * `v1.<payload>` boxes (AES-256-GCM, no key id) from before the ring are still read, by trying each key.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The ciphers a deployment may choose (LINLI_CIPHER). */
export const CIPHERS = ['aes-256-gcm', 'sm4'] as const;
export type CipherName = (typeof CIPHERS)[number];

export interface Secrets {
  encrypt(plain: string): string;
  decrypt(box: string): string;
  /** Keyed hash: equal inputs match in SQL without the plaintext being stored. */
  keyedHash(value: string, purpose: string): string;
  /** The `v2.<alg>.<kid>.` prefix every new box starts with; a box with another start needs re-encrypting. */
  readonly currentPrefix: string;
  /** Key id of the current key, and of each older key still accepted for reading. */
  readonly currentKid: string;
  readonly oldKids: readonly string[];
  /** The alg tag new boxes carry (a256gcm, sm4ctr-hsm3 or sm4ctr-hs256). */
  readonly currentAlg: string;
}

/** The key ring: the current key encrypts, older keys only decrypt; the hash key never rotates (see below). */
export interface KeyRing {
  current: Buffer;
  old?: Buffer[];
  /**
   * Source of the keyed-hash (MAC) key; defaults to `current`. Keyed hashes are looked up in SQL (ID and phone
   * numbers, API keys, SMS codes), so they must not change when the encryption key rotates: re-hashing needs
   * the plaintext, which API keys do not keep. A deployment that rotates therefore pins LINLI_HASH_KEY to the
   * key the hashes were made with (its first LINLI_SECRET_KEY) and keeps it for good.
   */
  hashKey?: Buffer;
  cipher?: CipherName;
}

/** Alg tags in v2 boxes (no dots: the tag is one dot-separated field). */
const ALG_GCM = 'a256gcm';
const SM4_MAC_HASH = crypto.getHashes().includes('sm3') ? 'sm3' : 'sha256';
const ALG_SM4 = `sm4ctr-h${SM4_MAC_HASH === 'sm3' ? 'sm3' : 's256'}`;
const SM4_ALGS: Record<string, string> = { 'sm4ctr-hsm3': 'sm3', 'sm4ctr-hs256': 'sha256' };

const derive = (key: Buffer, label: string) => crypto.createHmac('sha256', key).update(label).digest();

/** The short public id of a key: first 8 hex digits of HMAC-SHA256(key, 'linli:kid'). */
export function keyId(key: Buffer): string {
  return derive(key, 'linli:kid').toString('hex').slice(0, 8);
}

/**
 * Throws a clear error when this Node build cannot run the cipher (SM4-CTR missing from its OpenSSL), so a
 * server configured with LINLI_CIPHER=sm4 refuses to start rather than failing at its first write.
 */
export function assertCipherAvailable(
  cipher: CipherName,
  available: readonly string[] = crypto.getCiphers(),
) {
  if (cipher === 'sm4' && !available.includes('sm4-ctr')) {
    throw new Error(
      `LINLI_CIPHER=sm4 needs SM4-CTR, which this Node build's OpenSSL (${process.versions.openssl}) does not ` +
        'offer; use a Node build with SM4 or LINLI_CIPHER=aes-256-gcm',
    );
  }
}

interface RingKey {
  kid: string;
  /** AES-256-GCM key; the same derivation as v1 boxes, so v1 boxes open with it. */
  gcm: Buffer;
  sm4Enc: Buffer;
  sm4Mac: Buffer;
}

function ringKey(key: Buffer): RingKey {
  if (key.length !== 32) throw new Error('The secret key must be 32 bytes');
  return {
    kid: keyId(key),
    gcm: derive(key, 'linli:enc'),
    sm4Enc: derive(key, 'linli:sm4:enc').subarray(0, 16),
    sm4Mac: derive(key, 'linli:sm4:mac'),
  };
}

// IVs come from a pool of random bytes, each slice used once: on the servers measured, one call to the generator for
// 12 bytes took 7 µs against 0.35 µs from the pool, and every intake seals two values (name and phone).
const IV_POOL_BYTES = 4096;
let ivPool = Buffer.alloc(0);
let ivOffset = 0;

/** `n` fresh random bytes for an IV (never handed out twice). */
export function freshIv(n: number): Buffer {
  if (ivOffset + n > ivPool.length) {
    ivPool = crypto.randomBytes(IV_POOL_BYTES);
    ivOffset = 0;
  }
  const iv = ivPool.subarray(ivOffset, ivOffset + n);
  ivOffset += n;
  return iv;
}

function gcmSeal(k: RingKey, header: string, plain: string): string {
  const iv = freshIv(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', k.gcm, iv);
  cipher.setAAD(Buffer.from(header));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `${header}${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
}

function gcmOpen(key: Buffer, aad: string | null, raw: Buffer): string {
  if (raw.length < 28) throw new Error('Ciphertext too short');
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  if (aad !== null) decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}

// SM4 has no GCM mode in Node's OpenSSL: SM4-CTR, then an HMAC (SM3 where available) over header, IV and body.
function sm4Seal(k: RingKey, header: string, plain: string): string {
  const iv = freshIv(16);
  const cipher = crypto.createCipheriv('sm4-ctr', k.sm4Enc, iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  const mac = crypto.createHmac(SM4_MAC_HASH, k.sm4Mac).update(header).update(iv).update(body).digest();
  return `${header}${Buffer.concat([iv, body, mac]).toString('base64url')}`;
}

function sm4Open(k: RingKey, header: string, macHash: string, raw: Buffer): string {
  if (raw.length < 48) throw new Error('Ciphertext too short');
  const iv = raw.subarray(0, 16);
  const body = raw.subarray(16, raw.length - 32);
  const mac = raw.subarray(raw.length - 32);
  const want = crypto.createHmac(macHash, k.sm4Mac).update(header).update(iv).update(body).digest();
  if (!crypto.timingSafeEqual(mac, want)) throw new Error('Unsupported state or unable to authenticate data');
  const decipher = crypto.createDecipheriv('sm4-ctr', k.sm4Enc, iv);
  return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
}

/** Creates the secret box from a 32-byte key, or from a key ring (current + older keys, cipher, hash key). */
export function createSecrets(keyOrRing: Buffer | KeyRing): Secrets {
  const ring: KeyRing = Buffer.isBuffer(keyOrRing) ? { current: keyOrRing } : keyOrRing;
  const cipher = ring.cipher ?? 'aes-256-gcm';
  assertCipherAvailable(cipher);
  const current = ringKey(ring.current);
  const keys = new Map<string, RingKey>([[current.kid, current]]);
  for (const buf of ring.old ?? []) {
    const k = ringKey(buf);
    const seen = keys.get(k.kid);
    // Two different keys with one 32-bit id would make boxes ambiguous; refuse rather than guess.
    if (seen && !seen.gcm.equals(k.gcm)) throw new Error(`Two secret keys share the key id ${k.kid}`);
    if (!seen) keys.set(k.kid, k);
  }
  // v1 boxes name no key: the current key first, then the older ones in configured order.
  const v1Order = [...keys.values()];
  const macKey = derive(ring.hashKey ?? ring.current, 'linli:mac');
  const currentAlg = cipher === 'sm4' ? ALG_SM4 : ALG_GCM;
  const currentPrefix = `v2.${currentAlg}.${current.kid}.`;

  const secrets: Secrets = {
    currentPrefix,
    currentKid: current.kid,
    oldKids: [...keys.keys()].filter((kid) => kid !== current.kid),
    currentAlg,
    encrypt(plain) {
      return cipher === 'sm4'
        ? sm4Seal(current, currentPrefix, plain)
        : gcmSeal(current, currentPrefix, plain);
    },
    decrypt(box) {
      if (box.startsWith('v1.')) {
        const raw = Buffer.from(box.slice(3), 'base64url');
        for (const k of v1Order) {
          try {
            return gcmOpen(k.gcm, null, raw);
          } catch {
            // Not this key (or tampered): try the next one.
          }
        }
        throw new Error(
          'A v1 box that no configured key opens (tampered, or made with a key not configured)',
        );
      }
      const parts = box.split('.');
      if (parts.length !== 4 || parts[0] !== 'v2') throw new Error('Unknown ciphertext version');
      const [, alg, kid, payload] = parts as [string, string, string, string];
      const k = keys.get(kid);
      if (!k) {
        throw new Error(
          `A box made with key ${kid}, which is not configured (add it to LINLI_SECRET_KEYS_OLD until rotated)`,
        );
      }
      const header = `v2.${alg}.${kid}.`;
      const raw = Buffer.from(payload, 'base64url');
      if (alg === ALG_GCM) return gcmOpen(k.gcm, header, raw);
      const macHash = SM4_ALGS[alg];
      if (!macHash) throw new Error(`Unknown cipher ${alg}`);
      assertCipherAvailable('sm4');
      return sm4Open(k, header, macHash, raw);
    },
    keyedHash(value, purpose) {
      return crypto.createHmac('sha256', macKey).update(`${purpose}\0${value}`).digest('base64url');
    },
  };
  // A start-up self-test: a configuration that cannot round-trip fails now, not at the first write.
  if (secrets.decrypt(secrets.encrypt('linli')) !== 'linli')
    throw new Error(`The ${cipher} self-test failed`);
  return secrets;
}

/**
 * Every column that holds a box, by table (with its primary key and that key's SQL type), for `linli secrets
 * rotate` and `status`. A test compares it with the database's `%_enc` columns: a new encrypted column must be
 * added here, or rotation would silently leave it under an old key.
 */
export const ENCRYPTED_COLUMNS: readonly {
  table: string;
  key: string;
  keyType: 'uuid' | 'bigint';
  columns: readonly string[];
}[] = [
  { table: 'accounts', key: 'id', keyType: 'uuid', columns: ['phone_enc', 'totp_secret_enc'] },
  { table: 'cases', key: 'id', keyType: 'uuid', columns: ['reporter_name_enc', 'reporter_phone_enc'] },
  { table: 'outbox', key: 'id', keyType: 'bigint', columns: ['recipient_enc'] },
  { table: 'residents', key: 'id', keyType: 'uuid', columns: ['id_number_enc', 'phone_enc'] },
  {
    table: 'resident_tags',
    key: 'id',
    keyType: 'uuid',
    // Its history trigger refuses updates, except a re-encryption announced by `linli.reencrypt` (migration 0019).
    columns: ['details_enc'],
  },
];

function parseKey(text: string, name = 'LINLI_SECRET_KEY'): Buffer {
  const t = text.trim();
  const buf = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (buf.length !== 32) throw new Error(`${name} must be 32 bytes, as 64 hex digits or base64`);
  return buf;
}

/**
 * The key from LINLI_SECRET_KEY, or for the embedded database one generated once into the data folder.
 * A real PostgreSQL deployment must set the key, since all servers must share it.
 */
export function loadSecretKey(config: {
  secretKey: string | null;
  dataDir: string;
  databaseUrl: string | null;
}): Buffer {
  if (config.secretKey) return parseKey(config.secretKey);
  if (config.databaseUrl) {
    throw new Error('LINLI_SECRET_KEY is required with DATABASE_URL (generate one: openssl rand -hex 32)');
  }
  const file = path.join(config.dataDir, 'secret.key');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(config.dataDir, { recursive: true });
    fs.writeFileSync(file, crypto.randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  }
  return parseKey(fs.readFileSync(file, 'utf8'));
}

/**
 * The key ring the configuration names: LINLI_SECRET_KEY (or the generated key) encrypts, LINLI_SECRET_KEYS_OLD
 * only decrypt, LINLI_HASH_KEY pins the keyed hashes. With older keys but no hash key the hashes would silently
 * change with the rotation (searches and logins by phone would stop matching), so that is refused.
 */
export function loadSecrets(config: {
  secretKey: string | null;
  secretKeysOld: string[];
  hashKey: string | null;
  cipher: CipherName;
  dataDir: string;
  databaseUrl: string | null;
}): Secrets {
  const current = loadSecretKey(config);
  const old = config.secretKeysOld.map((k) => parseKey(k, 'Each key of LINLI_SECRET_KEYS_OLD'));
  if (old.length > 0 && !config.hashKey) {
    throw new Error(
      'LINLI_SECRET_KEYS_OLD is set but LINLI_HASH_KEY is not: set LINLI_HASH_KEY to the key the keyed hashes ' +
        'were made with (the first LINLI_SECRET_KEY of this install) and keep it when rotating',
    );
  }
  return createSecrets({
    current,
    old,
    cipher: config.cipher,
    ...(config.hashKey ? { hashKey: parseKey(config.hashKey, 'LINLI_HASH_KEY') } : {}),
  });
}

/** 138****1234: what every list and detail shows of a phone number. */
export function maskPhone(phone: string): string {
  if (phone.length < 7) return '*'.repeat(phone.length);
  return `${phone.slice(0, 3)}${'*'.repeat(phone.length - 7)}${phone.slice(-4)}`;
}

/** SHA-256 hex of a string (tokens, request bodies). */
export function sha256(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

/** A random URL-safe token of the given byte length. */
export function randomToken(bytes = 32): string {
  return crypto.randomBytes(bytes).toString('base64url');
}
