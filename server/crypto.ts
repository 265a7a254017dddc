/** Encryption at rest, keyed hashes and masking for sensitive personal data (phone numbers, TOTP secrets). */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface Secrets {
  encrypt(plain: string): string;
  decrypt(box: string): string;
  /** Keyed hash: equal inputs match in SQL without the plaintext being stored. */
  keyedHash(value: string, purpose: string): string;
}

/** Creates the secret box from a 32-byte key. */
export function createSecrets(key: Buffer): Secrets {
  if (key.length !== 32) throw new Error('The secret key must be 32 bytes');
  const encKey = crypto.createHmac('sha256', key).update('linli:enc').digest();
  const macKey = crypto.createHmac('sha256', key).update('linli:mac').digest();
  return {
    encrypt(plain) {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', encKey, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
    },
    decrypt(box) {
      if (!box.startsWith('v1.')) throw new Error('Unknown ciphertext version');
      const raw = Buffer.from(box.slice(3), 'base64url');
      const decipher = crypto.createDecipheriv('aes-256-gcm', encKey, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    },
    keyedHash(value, purpose) {
      return crypto.createHmac('sha256', macKey).update(`${purpose}\0${value}`).digest('base64url');
    },
  };
}

function parseKey(text: string): Buffer {
  const t = text.trim();
  const buf = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (buf.length !== 32) throw new Error('LINLI_SECRET_KEY must be 32 bytes, as 64 hex digits or base64');
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
