/**
 * Just enough ZIP for XLSX, both ways, without holding a file in memory. Reading: the central directory is read from
 * the end of the file, and one entry at a time streams through node:zlib inflateRaw with a cap on the inflated bytes
 * (a zip bomb stops at the cap). Writing: entries are deflated as they stream out, with data descriptors after each
 * (sizes and CRC are known only at the end), then the central directory.
 */
import fs from 'node:fs';
import { Transform, type Readable, type Writable } from 'node:stream';
import zlib from 'node:zlib';

/** Why a file is not a readable spreadsheet archive. */
export class ZipError extends Error {
  constructor(
    readonly rule: 'notZip' | 'zip64' | 'encrypted' | 'method' | 'corrupt' | 'tooLarge',
    message: string,
  ) {
    super(message);
  }
}

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

const EOCD_SIG = 0x06054b50;
const CEN_SIG = 0x02014b50;
const LOC_SIG = 0x04034b50;
/** Entries a spreadsheet has at most; more is not an XLSX. */
const MAX_ENTRIES = 10_000;

async function readAt(fd: fs.promises.FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fd.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

/** The central directory of a ZIP file (its entries by name). */
export async function readZipDirectory(file: string): Promise<Map<string, ZipEntry>> {
  const fd = await fs.promises.open(file, 'r');
  try {
    const { size } = await fd.stat();
    if (size < 22) throw new ZipError('notZip', 'too short for a ZIP archive');
    const head = await readAt(fd, 0, 4);
    if (head.readUInt32LE(0) !== LOC_SIG) throw new ZipError('notZip', 'no ZIP signature');
    // The end record sits in the last 22 bytes plus a comment of up to 65535.
    const tailLength = Math.min(size, 22 + 65535);
    const tail = await readAt(fd, size - tailLength, tailLength);
    let at = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD_SIG) {
        at = i;
        break;
      }
    }
    if (at < 0) throw new ZipError('notZip', 'no end of central directory');
    const count = tail.readUInt16LE(at + 10);
    const cdSize = tail.readUInt32LE(at + 12);
    const cdOffset = tail.readUInt32LE(at + 16);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff)
      throw new ZipError('zip64', 'ZIP64 archives are not supported');
    if (count > MAX_ENTRIES) throw new ZipError('corrupt', 'too many entries');
    if (cdOffset + cdSize > size) throw new ZipError('corrupt', 'central directory outside the file');
    const cd = await readAt(fd, cdOffset, cdSize);
    const entries = new Map<string, ZipEntry>();
    let p = 0;
    for (let n = 0; n < count; n++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== CEN_SIG)
        throw new ZipError('corrupt', 'broken central directory');
      const flags = cd.readUInt16LE(p + 8);
      const method = cd.readUInt16LE(p + 10);
      const compressedSize = cd.readUInt32LE(p + 20);
      const uncompressedSize = cd.readUInt32LE(p + 24);
      const nameLength = cd.readUInt16LE(p + 28);
      const extraLength = cd.readUInt16LE(p + 30);
      const commentLength = cd.readUInt16LE(p + 32);
      const localHeaderOffset = cd.readUInt32LE(p + 42);
      if (p + 46 + nameLength > cd.length) throw new ZipError('corrupt', 'broken central directory');
      const name = cd.subarray(p + 46, p + 46 + nameLength).toString('utf8');
      if (
        compressedSize === 0xffffffff ||
        uncompressedSize === 0xffffffff ||
        localHeaderOffset === 0xffffffff
      )
        throw new ZipError('zip64', 'ZIP64 entries are not supported');
      entries.set(name, { name, method, flags, compressedSize, uncompressedSize, localHeaderOffset });
      p += 46 + nameLength + extraLength + commentLength;
    }
    return entries;
  } finally {
    await fd.close();
  }
}

/** Counts what passes and fails the stream once more than `limit` bytes went through. */
function byteCap(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > limit) done(new ZipError('tooLarge', `inflates to more than ${limit} bytes`));
      else done(null, chunk);
    },
  });
}

/**
 * The inflated bytes of one entry as a stream, failing with ZipError('tooLarge') past `maxBytes` (whatever the
 * entry declares) and with ZipError('corrupt') when the data does not inflate.
 */
export async function openZipEntry(file: string, entry: ZipEntry, maxBytes: number): Promise<Readable> {
  if (entry.flags & 1) throw new ZipError('encrypted', 'encrypted entries are not supported');
  if (entry.method !== 0 && entry.method !== 8)
    throw new ZipError('method', `compression method ${entry.method} is not supported`);
  if (entry.uncompressedSize > maxBytes)
    throw new ZipError('tooLarge', `${entry.name} declares more than ${maxBytes} bytes`);
  const fd = await fs.promises.open(file, 'r');
  let header: Buffer;
  try {
    header = await readAt(fd, entry.localHeaderOffset, 30);
  } finally {
    await fd.close();
  }
  if (header.length < 30 || header.readUInt32LE(0) !== LOC_SIG)
    throw new ZipError('corrupt', 'broken local header');
  const start = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  const raw = fs.createReadStream(file, {
    start,
    end: Math.max(start, start + entry.compressedSize - 1),
    highWaterMark: 256 * 1024,
  });
  const cap = byteCap(maxBytes);
  if (entry.method === 0) return raw.pipe(cap);
  const inflate = zlib.createInflateRaw({ chunkSize: 64 * 1024 });
  const fail = (err: Error) =>
    cap.destroy(err instanceof ZipError ? err : new ZipError('corrupt', `${entry.name}: ${err.message}`));
  raw.on('error', fail);
  inflate.on('error', fail);
  // Once the cap fails, stop inflating (a bomb would otherwise keep the CPU busy).
  cap.on('error', () => {
    raw.destroy();
    inflate.destroy();
  });
  return raw.pipe(inflate).pipe(cap);
}

// ---------------------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------------------

interface Written {
  name: Buffer;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
}

/** DOS time and date of a moment (ZIP headers carry these). */
function dosDateTime(d: Date): { time: number; date: number } {
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: ((d.getFullYear() - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

/**
 * A ZIP written to a stream entry by entry. Each entry is deflated while it is produced (add() takes an async
 * iterable of strings or buffers), so a sheet of a million rows never sits in memory.
 */
export class ZipWriter {
  private offset = 0;
  private readonly done: Written[] = [];
  private readonly stamp = dosDateTime(new Date());

  constructor(private readonly out: Writable) {}

  private async write(buf: Buffer): Promise<void> {
    this.offset += buf.length;
    if (!this.out.write(buf)) await new Promise<void>((resolve) => this.out.once('drain', resolve));
  }

  /** Adds one deflated entry from its parts. */
  async add(name: string, parts: AsyncIterable<string | Buffer> | Iterable<string | Buffer>): Promise<void> {
    const nameBuf = Buffer.from(name, 'utf8');
    const offset = this.offset;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOC_SIG, 0);
    local.writeUInt16LE(20, 4);
    // Bit 3: sizes and CRC follow the data; bit 11: the name is UTF-8.
    local.writeUInt16LE(0x0808, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(this.stamp.time, 10);
    local.writeUInt16LE(this.stamp.date, 12);
    local.writeUInt16LE(nameBuf.length, 26);
    await this.write(local);
    await this.write(nameBuf);

    const deflate = zlib.createDeflateRaw({ level: 6 });
    let crc = 0;
    let size = 0;
    let compressed = 0;
    const pending: Buffer[] = [];
    deflate.on('data', (c: Buffer) => pending.push(c));
    const flushPending = async () => {
      while (pending.length) {
        const c = pending.shift()!;
        compressed += c.length;
        await this.write(c);
      }
    };
    let batch: Buffer[] = [];
    let batchBytes = 0;
    const push = async (force: boolean) => {
      if (batchBytes === 0 || (!force && batchBytes < 64 * 1024)) return;
      const buf = Buffer.concat(batch, batchBytes);
      batch = [];
      batchBytes = 0;
      crc = zlib.crc32(buf, crc);
      size += buf.length;
      await new Promise<void>((resolve, reject) =>
        deflate.write(buf, (err) => (err ? reject(err) : resolve())),
      );
      await flushPending();
    };
    for await (const part of parts) {
      const buf = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
      batch.push(buf);
      batchBytes += buf.length;
      await push(false);
    }
    await push(true);
    // 'end' comes after the last 'data': every compressed byte is pending by then.
    await new Promise<void>((resolve, reject) => {
      deflate.once('end', resolve);
      deflate.once('error', reject);
      deflate.end();
    });
    await flushPending();

    const desc = Buffer.alloc(16);
    desc.writeUInt32LE(0x08074b50, 0);
    desc.writeUInt32LE(crc >>> 0, 4);
    desc.writeUInt32LE(compressed, 8);
    desc.writeUInt32LE(size, 12);
    await this.write(desc);
    if (this.offset > 0xffffffff) throw new Error('archive larger than 4 GB');
    this.done.push({ name: nameBuf, crc: crc >>> 0, compressed, size, offset });
  }

  /** Writes the central directory and ends the stream. */
  async finish(): Promise<void> {
    const cdStart = this.offset;
    for (const e of this.done) {
      const h = Buffer.alloc(46);
      h.writeUInt32LE(CEN_SIG, 0);
      h.writeUInt16LE(20, 4);
      h.writeUInt16LE(20, 6);
      h.writeUInt16LE(0x0808, 8);
      h.writeUInt16LE(8, 10);
      h.writeUInt16LE(this.stamp.time, 12);
      h.writeUInt16LE(this.stamp.date, 14);
      h.writeUInt32LE(e.crc, 16);
      h.writeUInt32LE(e.compressed, 20);
      h.writeUInt32LE(e.size, 24);
      h.writeUInt16LE(e.name.length, 28);
      h.writeUInt32LE(e.offset, 42);
      await this.write(h);
      await this.write(e.name);
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(EOCD_SIG, 0);
    end.writeUInt16LE(this.done.length, 8);
    end.writeUInt16LE(this.done.length, 10);
    end.writeUInt32LE(this.offset - cdStart, 12);
    end.writeUInt32LE(cdStart, 16);
    await this.write(end);
    await new Promise<void>((resolve) => this.out.end(resolve));
  }
}
