/**
 * A server's memory of the sessions it resolved, kept true by PostgreSQL: triggers (migration 0030) notify channel
 * linli_sessions with the account whose session, account row or assignments changed ('*' when an area or department
 * was renamed), and every server listening forgets that account's sessions. Nothing is cached while the listener is
 * down, and everything is forgotten when it comes back, so a server never answers from what it could have missed.
 */
import { NotifiedCache, type NotifiedCacheOptions } from '../../db/notified-cache';

export const SESSION_CHANNEL = 'linli_sessions';

export interface SessionCacheOptions extends NotifiedCacheOptions {
  /** How many sessions a server remembers; the oldest is forgotten first. */
  maxEntries?: number;
}

/** What the cache needs of a cached session: whose it is. */
export interface CachedSession {
  account_id: string;
}

/** The sessions one server resolved, by token hash (see the module comment for when they are forgotten). */
export class SessionCache<Row extends CachedSession> extends NotifiedCache {
  private readonly entries = new Map<string, Row>();
  private readonly byAccount = new Map<string, Set<string>>();
  private readonly maxEntries: number;

  constructor(options: SessionCacheOptions = {}) {
    super(SESSION_CHANNEL, options);
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The session cached under a token hash, if the cache may answer. */
  get(tokenHash: string): Row | undefined {
    return this.live ? this.entries.get(tokenHash) : undefined;
  }

  /** Keeps a session read from the database, unless something was forgotten since `mark` (it may be stale). */
  put(tokenHash: string, row: Row, mark: number): void {
    if (!this.keeps(mark)) return;
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
    this.bump();
    const held = this.byAccount.get(accountId);
    if (!held) return;
    for (const hash of held) this.entries.delete(hash);
    this.byAccount.delete(accountId);
  }

  protected clear(): void {
    this.entries.clear();
    this.byAccount.clear();
  }

  protected notified(payload: string): void {
    if (payload === '*') this.forgetAll();
    else this.forgetAccount(payload);
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
