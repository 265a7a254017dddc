/** The write batcher: a lone write goes at once; writes that queue meanwhile share the next batch; failures stay own. */
import { describe, expect, it } from 'vitest';
import { WriteBatcher } from './batch';

/** A runner whose batches finish when the test says so, recording what each batch carried. */
function gatedRunner(fails: (item: number) => boolean = () => false) {
  const batches: number[][] = [];
  const gates: (() => void)[] = [];
  const run = (items: number[]) => {
    batches.push(items);
    return new Promise<void>((resolve, reject) => {
      gates.push(() => (items.some(fails) ? reject(new Error(`bad in ${items.join(',')}`)) : resolve()));
    });
  };
  /** Lets every batch started so far finish, and waits for what that sets off. */
  const release = async () => {
    for (const open of gates.splice(0)) open();
    await new Promise((r) => setImmediate(r));
  };
  return { run, batches, release };
}

describe('write batcher', () => {
  it('sends a lone write at once, in a batch of its own', async () => {
    const r = gatedRunner();
    const b = new WriteBatcher(r.run, { maxBatch: 10, inFlight: 1 });
    const done = b.write(1);
    expect(r.batches).toEqual([[1]]);
    await r.release();
    await expect(done).resolves.toBeUndefined();
    expect(b.stats).toEqual({ batches: 1, writes: 1, retried: 0 });
  });

  it('takes the writes that queued while batches ran into the next batch, up to its size', async () => {
    const r = gatedRunner();
    const b = new WriteBatcher(r.run, { maxBatch: 3, inFlight: 2 });
    const writes = [1, 2, 3, 4, 5, 6, 7].map((i) => b.write(i));
    // Two go at once, one each; the rest wait for a batch to finish.
    expect(r.batches).toEqual([[1], [2]]);
    await r.release();
    expect(r.batches).toEqual([[1], [2], [3, 4, 5], [6, 7]]);
    await r.release();
    await Promise.all(writes);
    expect(b.stats).toEqual({ batches: 4, writes: 7, retried: 0 });
  });

  it('settles no write before its batch has finished', async () => {
    const r = gatedRunner();
    const b = new WriteBatcher(r.run, { maxBatch: 10, inFlight: 1 });
    let settled = false;
    void b.write(1).then(() => (settled = true));
    await new Promise((res) => setImmediate(res));
    expect(settled).toBe(false);
    await r.release();
    expect(settled).toBe(true);
  });

  it('runs a failed batch again write by write, so only the bad write fails', async () => {
    const r = gatedRunner((i) => i === 3);
    const b = new WriteBatcher(r.run, { maxBatch: 10, inFlight: 1 });
    const first = b.write(1);
    const rest = [2, 3, 4].map((i) =>
      b.write(i).then(
        () => 'ok',
        (e: Error) => e.message,
      ),
    );
    await r.release(); // [1] done; [2, 3, 4] starts
    await r.release(); // [2, 3, 4] fails; each alone starts
    await r.release();
    await first;
    expect(await Promise.all(rest)).toEqual(['ok', 'bad in 3', 'ok']);
    expect(r.batches).toEqual([[1], [2, 3, 4], [2], [3], [4]]);
    expect(b.stats).toEqual({ batches: 2, writes: 4, retried: 3 });
  });

  it('gives every write the error when each fails alone too', async () => {
    const r = gatedRunner(() => true);
    const b = new WriteBatcher(r.run, { maxBatch: 10, inFlight: 1 });
    const outcomes = [1, 2, 3].map((i) =>
      b.write(i).then(
        () => 'ok',
        (e: Error) => e.message,
      ),
    );
    for (let i = 0; i < 3; i++) await r.release();
    expect(await Promise.all(outcomes)).toEqual(['bad in 1', 'bad in 2', 'bad in 3']);
  });
});
