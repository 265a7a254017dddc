/**
 * Coalesces concurrent writes of one kind into batches (intake: one statement for many cases). A write is sent at
 * once when fewer than `inFlight` batches are running; otherwise it waits for the next batch, which takes everything
 * that queued meanwhile. So a lone write pays no wait, and under load the round trips, statements and commits are
 * shared: each batch's cost per write falls as the queue grows.
 */
export interface WriteBatcherOptions {
  /** The most writes one batch takes. */
  maxBatch: number;
  /** The most batches running at once. */
  inFlight: number;
}

interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * A queue of writes run by `run` in batches. A batch that fails is run again write by write, so each write gets its
 * own outcome: one write's error (a stale reference, a broken constraint) fails that write alone. `run` must write a
 * batch all or nothing (one statement or one transaction), or the retry would write some twice.
 */
export class WriteBatcher<T> {
  private readonly queue: Waiting<T>[] = [];
  private running = 0;
  /** How many batches ran and how many writes they carried (a batch run again write by write counts once). */
  readonly stats = { batches: 0, writes: 0, retried: 0 };

  constructor(
    private readonly run: (items: T[]) => Promise<void>,
    private readonly options: WriteBatcherOptions,
  ) {}

  /** Writes `item` with others queued at the same time; settles when its batch (or it alone) has committed. */
  write(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.options.inFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.running++;
      void this.runBatch(batch).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async runBatch(batch: Waiting<T>[]): Promise<void> {
    this.stats.batches++;
    this.stats.writes += batch.length;
    try {
      await this.run(batch.map((w) => w.item));
      for (const w of batch) w.resolve();
    } catch (err) {
      if (batch.length === 1) {
        batch[0]!.reject(err);
        return;
      }
      this.stats.retried += batch.length;
      await Promise.all(batch.map((w) => this.run([w.item]).then(w.resolve, (e: unknown) => w.reject(e))));
    }
  }
}
