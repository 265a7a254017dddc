/**
 * Case numbers (`340302-20261122-000123`: district, China day, the day's sequence in the district), reserved from a
 * counter row per district and day. A process that takes many numbers a second reserves them in blocks, so a busy
 * intake does not pay a statement per number; at an ordinary pace every block is one number, so numbers follow the
 * order of intake and none is lost. Numbers reserved and not used when a process stops are gaps in the day's sequence
 * (at most MAX_BLOCK per district and process, and only after a burst).
 */
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context';
import { queryRows } from '../../db/client';
import { chinaDay } from '../calendar/working-days';
import { caseNumberCounters } from './tables';

const MAX_BLOCK = 32;
/** A block used up faster than this makes the next one twice as large; a slower one makes it one number again. */
const BUSY_MS = 1000;

interface Reserve {
  /** Number ranges reserved and not yet handed out, [next, last], oldest first. */
  ranges: [number, number][];
  size: number;
  refilledAt: number;
}

const reserves = new WeakMap<object, Map<string, Reserve>>();

/** The day's prefix of a case number: district code and China day. */
export function caseNumberPrefix(areaCode: string, at: Date): string {
  return `${areaCode.slice(0, 6)}-${chinaDay(at).replaceAll('-', '')}-`;
}

function take(r: Reserve): number | null {
  const range = r.ranges[0];
  if (!range) return null;
  const n = range[0]++;
  if (range[0] > range[1]) r.ranges.shift();
  return n;
}

/**
 * The next case number of the district and day. A reservation is a statement of its own, not in the intake's
 * transaction, so intakes in one district never wait for each other's commits; its commit need not be flushed
 * (set_config below): the case's own commit flushes the log past it.
 */
export async function nextCaseNumber(ctx: AppContext, areaCode: string, at: Date): Promise<string> {
  const prefix = caseNumberPrefix(areaCode, at);
  let perDb = reserves.get(ctx.db);
  if (!perDb) {
    perDb = new Map();
    reserves.set(ctx.db, perDb);
  }
  let r = perDb.get(prefix);
  if (!r) {
    // A new day or district: the reserves of earlier days are of no use any more.
    const day = prefix.slice(7);
    for (const p of perDb.keys()) if (p.slice(7) !== day) perDb.delete(p);
    r = { ranges: [], size: 1, refilledAt: 0 };
    perDb.set(prefix, r);
  }
  let n = take(r);
  if (n === null) {
    const now = Date.now();
    r.size = now - r.refilledAt < BUSY_MS ? Math.min(r.size * 2, MAX_BLOCK) : 1;
    r.refilledAt = now;
    const size = r.size;
    const [row] = await queryRows<{ last: number }>(
      ctx.db,
      sql`with relaxed as (select set_config('synchronous_commit', 'off', true))
          insert into ${caseNumberCounters} (prefix, last) select ${prefix}, ${size}::int from relaxed
          on conflict (prefix) do update set last = ${caseNumberCounters.last} + ${size}::int
          returning last`,
    );
    const last = Number(row!.last);
    // Concurrent intakes of this process may have refilled meanwhile: every range is kept until used.
    r.ranges.push([last - size + 1, last]);
    r.ranges.sort((a, b) => a[0] - b[0]);
    n = take(r)!;
  }
  return `${prefix}${String(n).padStart(6, '0')}`;
}
