/**
 * The upload store: where uploaded files (case photos and their thumbnails) live, by key. Servers keep nothing in
 * memory, so several can run side by side over one store; the default is a folder (config.uploadDir, by default
 * `<dataDir>/uploads`), and an object store (S3, OSS, MinIO) can implement the same three calls.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { AppContext } from './context';

export interface UploadStore {
  /** Stores the bytes under the key (replacing what was there); resolves once they are durable. */
  put(key: string, data: Buffer): Promise<void>;
  /** The bytes under the key, or null when there are none. */
  get(key: string): Promise<Buffer | null>;
  /** Removes the key; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
}

/** Keys are relative, lower-case paths of safe segments: never absolute, never `..`. */
const KEY = /^[a-z0-9][a-z0-9_-]*(\.[a-z0-9]+)*(\/[a-z0-9][a-z0-9_-]*(\.[a-z0-9]+)*)*$/;

function checkKey(key: string): void {
  if (key.length > 300 || !KEY.test(key)) throw new Error(`invalid upload key: ${key.slice(0, 80)}`);
}

/** A store in a local folder: one file per key, written to a temporary name and renamed into place. */
export function localUploadStore(dir: string): UploadStore {
  const root = path.resolve(dir);
  const fileOf = (key: string) => {
    checkKey(key);
    return path.join(root, ...key.split('/'));
  };
  return {
    async put(key, data) {
      const file = fileOf(key);
      await fs.mkdir(path.dirname(file), { recursive: true });
      const tmp = `${file}.${crypto.randomBytes(6).toString('hex')}.tmp`;
      try {
        const handle = await fs.open(tmp, 'w', 0o600);
        try {
          await handle.writeFile(data);
          await handle.sync();
        } finally {
          await handle.close();
        }
        await fs.rename(tmp, file);
      } catch (err) {
        await fs.rm(tmp, { force: true });
        throw err;
      }
    },
    async get(key) {
      try {
        return await fs.readFile(fileOf(key));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    async delete(key) {
      await fs.rm(fileOf(key), { force: true });
    },
  };
}

/** The context's upload store; a local folder at config.uploadDir unless one was plugged in. */
export function uploadStore(ctx: AppContext): UploadStore {
  ctx.uploads ??= localUploadStore(ctx.config.uploadDir);
  return ctx.uploads;
}

/** A store in process memory, for tests (a real deployment must not use it: servers are stateless). */
export function memoryUploadStore(): UploadStore & { keys(): string[] } {
  const files = new Map<string, Buffer>();
  return {
    async put(key, data) {
      checkKey(key);
      files.set(key, Buffer.from(data));
    },
    async get(key) {
      return files.get(key) ?? null;
    },
    async delete(key) {
      files.delete(key);
    },
    keys: () => [...files.keys()],
  };
}
