/**
 * The part every cache kept true by PostgreSQL's notifications shares: it listens on a channel, answers only while
 * the listener is up, forgets everything whenever the listener is lost or comes back, and does not keep a value read
 * before something was forgotten (the generation guard). The session cache and the name book build on it.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database } from './client';

const SYNC_PREFIX = 'sync:';

export interface NotifiedCacheOptions {
  /**
   * Tests only: handle each notification this much later, so a test that changes the database behind the server's
   * back and does not wait for settled() fails every time instead of now and then.
   */
  notifyDelayMs?: number;
}

/** A cache that forgets what a notification on `channel` names (see the module comment for the rules). */
export abstract class NotifiedCache {
  // Raised by every forgetting: a lookup read before it may hold what was just forgotten, so it is not kept.
  private generation = 0;
  private listening = false;
  private lost = 0;
  private readonly waiting = new Map<string, () => void>();
  private stopListening: (() => Promise<void>) | null = null;
  private readonly notifyDelayMs: number;

  protected constructor(
    private readonly channel: string,
    options: NotifiedCacheOptions,
  ) {
    this.notifyDelayMs = options.notifyDelayMs ?? 0;
  }

  /** Drops every entry (forgetAll raises the generation first). */
  protected abstract clear(): void;

  /** Forgets what a notification's payload names. */
  protected abstract notified(payload: string): void;

  /** Starts listening on the database; until the listener is up (and whenever it is down) nothing is cached. */
  async start(database: Database): Promise<void> {
    this.stopListening = await database.listen(this.channel, {
      onMessage: (payload) => {
        if (this.notifyDelayMs > 0) setTimeout(() => this.received(payload), this.notifyDelayMs);
        else this.received(payload);
      },
      onState: (listening) => {
        // Whatever changed while nobody listened is unknown: forget everything either way.
        this.forgetAll();
        if (this.listening && !listening) this.lost++;
        this.listening = listening;
        if (!listening) this.releaseWaiting();
      },
    });
  }

  /** Stops listening and forgets everything (the server is closing). */
  async stop(): Promise<void> {
    const stop = this.stopListening;
    this.stopListening = null;
    this.listening = false;
    this.forgetAll();
    this.releaseWaiting();
    if (stop) await stop();
  }

  /** How many times the listener was lost since the start (each time, the cache forgot everything). */
  get outages(): number {
    return this.lost;
  }

  /** True while notifications arrive, that is while the cache may answer. */
  get live(): boolean {
    return this.listening;
  }

  /** Call before reading from the database what is to be kept; pass the result to `keeps`. */
  mark(): number {
    return this.generation;
  }

  /** Whether a value read after `mark` may be kept: the cache listens and nothing was forgotten since. */
  protected keeps(mark: number): boolean {
    return this.listening && mark === this.generation;
  }

  /** Raises the generation without dropping anything: for forgetting a part of the entries. */
  protected bump(): void {
    this.generation++;
  }

  forgetAll(): void {
    this.generation++;
    this.clear();
  }

  /**
   * Resolves once every notification committed before the call has been handled: for tests that change the database
   * directly and then send a request.
   */
  async settled(database: Database): Promise<void> {
    if (!this.listening) return;
    const token = `${SYNC_PREFIX}${randomUUID()}`;
    const done = new Promise<void>((resolve) => this.waiting.set(token, resolve));
    // Notifications reach a listener in the order their transactions committed: this one comes after the rest.
    await database.db.execute(sql`select pg_notify(${this.channel}, ${token})`);
    await done;
  }

  private received(payload: string): void {
    if (payload.startsWith(SYNC_PREFIX)) {
      const resolve = this.waiting.get(payload);
      this.waiting.delete(payload);
      resolve?.();
      return;
    }
    this.notified(payload);
  }

  private releaseWaiting(): void {
    for (const resolve of this.waiting.values()) resolve();
    this.waiting.clear();
  }
}
