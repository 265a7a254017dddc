/**
 * A server's memory of the sessions it resolved, kept true by PostgreSQL: triggers (migration 0030) notify channel
 * linli_sessions with the account whose session, account row or assignments changed ('*' when an area or department
 * was renamed), and every server listening forgets that account's sessions. Nothing is cached while the listener is
 * down, and everything is forgotten when it comes back, so a server never answers from what it could have missed.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client';

export const SESSION_CHANNEL = 'linli_sessions';
const SYNC_PREFIX = 'sync:';

export interface SessionCacheOptions {
  /** How many sessions a server remembers; the oldest is forgotten first. */
  maxEntries?: number;
  /**
   * Tests only: handle each notification this much later, so a test that changes the database behind the server's
   * back and does not wait for settled() fails every time instead of now and then.
   */
  notifyDelayMs?: number;
}

/** What the cache needs of a cached session: whose it is. */
export interface CachedSession {
  account_id: string;
}

/** The sessions one server resolved, by token hash (see the module comment for when they are forgotten). */
export class SessionCache<Row extends CachedSession> {
  private readonly entries = new Map<string, Row>();
  private readonly byAccount = new Map<string, Set<string>>();
  // Raised by every forgetting: a lookup read before it may hold what was just forgotten, so it is not kept.
  private generation = 0;
  private listening = false;
  private lost = 0;
  private readonly waiting = new Map<string, () => void>();
  private stopListening: (() => Promise<void>) | null = null;
  private readonly maxEntries: number;
  private readonly notifyDelayMs: number;

  constructor(options: SessionCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.notifyDelayMs = options.notifyDelayMs ?? 0;
  }

  /** Starts listening on the database; until the listener is up (and whenever it is down) nothing is cached. */
  async start(database: Database): Promise<void> {
    this.stopListening = await database.listen(SESSION_CHANNEL, {
      onMessage: (payload) => {
        if (this.notifyDelayMs > 0) setTimeout(() => this.notified(payload), this.notifyDelayMs);
        else this.notified(payload);
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

  get size(): number {
    return this.entries.size;
  }

  /** The session cached under a token hash, if the cache may answer. */
  get(tokenHash: string): Row | undefined {
    return this.listening ? this.entries.get(tokenHash) : undefined;
  }

  /** Call before reading a session from the database; pass the result to put. */
  mark(): number {
    return this.generation;
  }

  /** Keeps a session read from the database, unless something was forgotten since `mark` (it may be stale). */
  put(tokenHash: string, row: Row, mark: number): void {
    if (!this.listening || mark !== this.generation) return;
    this.remove(tokenHash);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.remove(oldest.value);
    }
    this.entries.set(tokenHash, row);
    let held = this.byAccount.get(row.account_id);
    if (!held) this.byAccount.set(row.account_id, (held = new Set()));
    held.add(tokenHash);
  }

  forgetAccount(accountId: string): void {
    this.generation++;
    const held = this.byAccount.get(accountId);
    if (!held) return;
    for (const hash of held) this.entries.delete(hash);
    this.byAccount.delete(accountId);
  }

  forgetAll(): void {
    this.generation++;
    this.entries.clear();
    this.byAccount.clear();
  }

  /**
   * Resolves once every notification committed before the call has been handled: for tests that change sessions,
   * accounts or assignments in the database directly and then send a request.
   */
  async settled(database: Database): Promise<void> {
    if (!this.listening) return;
    const token = `${SYNC_PREFIX}${randomUUID()}`;
    const done = new Promise<void>((resolve) => this.waiting.set(token, resolve));
    // Notifications reach a listener in the order their transactions committed: this one comes after the rest.
    await database.db.execute(sql`select pg_notify(${SESSION_CHANNEL}, ${token})`);
    await done;
  }

  private notified(payload: string): void {
    if (payload.startsWith(SYNC_PREFIX)) {
      const resolve = this.waiting.get(payload);
      this.waiting.delete(payload);
      resolve?.();
      return;
    }
    if (payload === '*') this.forgetAll();
    else this.forgetAccount(payload);
  }

  private releaseWaiting(): void {
    for (const resolve of this.waiting.values()) resolve();
    this.waiting.clear();
  }

  private remove(tokenHash: string): void {
    const row = this.entries.get(tokenHash);
    if (!row) return;
    this.entries.delete(tokenHash);
    const held = this.byAccount.get(row.account_id);
    held?.delete(tokenHash);
    if (held?.size === 0) this.byAccount.delete(row.account_id);
  }
}
