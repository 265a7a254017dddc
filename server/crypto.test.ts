import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';
import { assertCipherAvailable, createSecrets, freshIv, keyId, loadSecrets } from './crypto';

const A = Buffer.alloc(32, 7);
const B = Buffer.alloc(32, 9);
const C = Buffer.alloc(32, 11);
const ID = '340302197503081234';

// Made by the single-key code before the key ring (key A): stored data of existing installs looks like this.
const V1_BOX_A = 'v1.kiuhOJ54L9AO9U-KlIgUxSV6QHk1KKrw0Z_s0RR_VQRHMoSqy22lsq2xUr-QZA';
const V1_PHONE_HASH_A = '0bKF3Zn0G1EJG17eee3rbrbaYA_4_30I5GJ-rEDlYN8';

/** The v1 encryption as it was written, for boxes under keys other than A. */
function v1Box(key: Buffer, plain: string): string {
  const encKey = crypto.createHmac('sha256', key).update('linli:enc').digest();
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', encKey, iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
}

/** Changes one character of the payload (the part after the last dot). */
function tamper(box: string, at = -5): string {
  const i = box.length + at;
  const ch = box[i] === 'A' ? 'B' : 'A';
  return box.slice(0, i) + ch + box.slice(i + 1);
}

describe('boxes', () => {
  it('name the algorithm and the key: v2.<alg>.<kid>.<payload>', () => {
    const s = createSecrets(A);
    const box = s.encrypt(ID);
    expect(box).toMatch(/^v2\.a256gcm\.[0-9a-f]{8}\.[A-Za-z0-9_-]+$/);
    expect(box.split('.')[2]).toBe(keyId(A));
    expect(s.currentPrefix).toBe(`v2.a256gcm.${keyId(A)}.`);
    expect(s.decrypt(box)).toBe(ID);
    expect(s.encrypt(ID)).not.toBe(box);
  });

  it('still open v1 boxes, with whichever configured key made them', () => {
    expect(createSecrets(A).decrypt(V1_BOX_A)).toBe(ID);
    expect(createSecrets({ current: B, old: [A] }).decrypt(V1_BOX_A)).toBe(ID);
    expect(createSecrets({ current: B, old: [C, A] }).decrypt(v1Box(C, '张三'))).toBe('张三');
    expect(() => createSecrets(B).decrypt(V1_BOX_A)).toThrow(/v1 box that no configured key opens/);
  });

  it('written under key A read after rotating to B with A as an older key, and not without A', () => {
    const boxA = createSecrets(A).encrypt(ID);
    const ring = createSecrets({ current: B, old: [A], hashKey: A });
    expect(ring.decrypt(boxA)).toBe(ID);
    expect(ring.encrypt(ID).split('.')[2]).toBe(keyId(B));
    expect(ring.currentKid).toBe(keyId(B));
    expect(ring.oldKids).toEqual([keyId(A)]);
    expect(() => createSecrets(B).decrypt(boxA)).toThrow(
      new RegExp(`key ${keyId(A)}, which is not configured .*LINLI_SECRET_KEYS_OLD`),
    );
  });

  it('refuse tampering: payload, algorithm tag, key id, truncation', () => {
    const ring = createSecrets({ current: A, old: [B] });
    const sm4 = createSecrets({ current: A, cipher: 'sm4' });
    for (const box of [ring.encrypt(ID), sm4.encrypt(ID)]) {
      const [v, alg, kid, payload] = box.split('.') as [string, string, string, string];
      expect(() => ring.decrypt(tamper(box))).toThrow();
      expect(() => ring.decrypt(tamper(box, -payload.length))).toThrow();
      const otherAlg = alg === 'a256gcm' ? 'sm4ctr-hs256' : 'a256gcm';
      expect(() => ring.decrypt(`${v}.${otherAlg}.${kid}.${payload}`)).toThrow();
      expect(() => ring.decrypt(`${v}.${alg}.${keyId(B)}.${payload}`)).toThrow();
      expect(() => ring.decrypt(box.slice(0, -10))).toThrow();
      expect(() => ring.decrypt(`${v}.${alg}.${kid}.`)).toThrow(/too short/);
    }
    expect(() => ring.decrypt(tamper(V1_BOX_A))).toThrow();
    expect(() => ring.decrypt('v3.x')).toThrow(/Unknown ciphertext version/);
    expect(() => ring.decrypt(`v2.rot13.${keyId(A)}.AAAA`)).toThrow(/Unknown cipher/);
  });
});

describe('IVs', () => {
  it('are never the same twice, across many refills of their pool', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5_000; i++) seen.add(freshIv(12).toString('hex'));
    for (let i = 0; i < 5_000; i++) seen.add(freshIv(16).toString('hex'));
    expect(seen.size).toBe(10_000);
  });

  it('make two boxes of the same value differ', () => {
    const secrets = createSecrets(crypto.randomBytes(32));
    const a = secrets.encrypt('13800000000');
    const b = secrets.encrypt('13800000000');
    expect(a).not.toBe(b);
    expect([secrets.decrypt(a), secrets.decrypt(b)]).toEqual(['13800000000', '13800000000']);
  });
});

describe('SM4 (LINLI_CIPHER=sm4)', () => {
  it('round-trips with SM4-CTR and an HMAC, SM3 where the runtime has it', () => {
    const s = createSecrets({ current: A, cipher: 'sm4' });
    const hasSm3 = crypto.getHashes().includes('sm3');
    expect(s.currentAlg).toBe(hasSm3 ? 'sm4ctr-hsm3' : 'sm4ctr-hs256');
    for (const plain of [ID, '', '张三 · 低保 {"grade":2}', 'x'.repeat(5000)]) {
      const box = s.encrypt(plain);
      expect(box.startsWith(`v2.${s.currentAlg}.${keyId(A)}.`)).toBe(true);
      expect(s.decrypt(box)).toBe(plain);
    }
  });

  it('boxes of either cipher are read whatever the current cipher is', () => {
    const sm4 = createSecrets({ current: A, cipher: 'sm4' }).encrypt(ID);
    const aes = createSecrets(A).encrypt(ID);
    expect(createSecrets({ current: B, old: [A] }).decrypt(sm4)).toBe(ID);
    expect(createSecrets({ current: B, old: [A], cipher: 'sm4' }).decrypt(aes)).toBe(ID);
  });

  it('a Node build without SM4 refuses at start, naming the setting', () => {
    expect(() => assertCipherAvailable('sm4', ['aes-256-gcm'])).toThrow(/LINLI_CIPHER=sm4 needs SM4-CTR/);
    expect(() => assertCipherAvailable('aes-256-gcm', [])).not.toThrow();
  });
});

describe('keyed hashes', () => {
  it('are what they were before the key ring, and do not change when the encryption key rotates', () => {
    expect(createSecrets(A).keyedHash('13800138000', 'phone')).toBe(V1_PHONE_HASH_A);
    const rotated = createSecrets({ current: B, old: [A], hashKey: A });
    expect(rotated.keyedHash('13800138000', 'phone')).toBe(V1_PHONE_HASH_A);
    const dropped = createSecrets({ current: B, hashKey: A, cipher: 'sm4' });
    expect(dropped.keyedHash('13800138000', 'phone')).toBe(V1_PHONE_HASH_A);
    expect(createSecrets(B).keyedHash('13800138000', 'phone')).not.toBe(V1_PHONE_HASH_A);
  });
});

describe('configuration', () => {
  const hex = (k: Buffer) => k.toString('hex');
  const base = { dataDir: '/nonexistent', databaseUrl: null };

  it('reads LINLI_CIPHER, LINLI_SECRET_KEYS_OLD and LINLI_HASH_KEY', () => {
    const c = loadConfig({
      LINLI_CIPHER: 'SM4',
      LINLI_SECRET_KEY: hex(B),
      LINLI_SECRET_KEYS_OLD: ` ${hex(A)}, ${C.toString('base64')} ,`,
      LINLI_HASH_KEY: hex(A),
    });
    expect(c.cipher).toBe('sm4');
    expect(c.secretKeysOld).toEqual([hex(A), C.toString('base64')]);
    const s = loadSecrets(c);
    expect(s.currentKid).toBe(keyId(B));
    expect(s.oldKids).toEqual([keyId(A), keyId(C)]);
    expect(s.keyedHash('13800138000', 'phone')).toBe(V1_PHONE_HASH_A);
    expect(loadConfig({}).cipher).toBe('aes-256-gcm');
    expect(() => loadConfig({ LINLI_CIPHER: 'des' })).toThrow(/LINLI_CIPHER must be one of aes-256-gcm, sm4/);
  });

  it('refuses older keys without a hash key, and malformed keys', () => {
    const cfg = {
      ...base,
      secretKey: hex(B),
      secretKeysOld: [hex(A)],
      hashKey: null,
      cipher: 'aes-256-gcm' as const,
    };
    expect(() => loadSecrets(cfg)).toThrow(/LINLI_HASH_KEY/);
    expect(() => loadSecrets({ ...cfg, secretKeysOld: ['abc'], hashKey: hex(A) })).toThrow(
      /LINLI_SECRET_KEYS_OLD must be 32 bytes/,
    );
    expect(() => loadSecrets({ ...cfg, hashKey: 'short' })).toThrow(/LINLI_HASH_KEY must be 32 bytes/);
  });
});
