/**
 * The deadline job (期限监控): reminders at fractions of a case's time, and the automatic escalation of a case that
 * runs past its deadline. It looks at the state of the cases, not at what happened since its last run, so it is
 * idempotent and catches up after downtime:
 *
 * - overdue: an open case (reported … handling) past due_at with overdue_escalated_at null is escalated one level
 *   through the state machine (`act` as the system, event note 逾期自动上报, data.automatic) and gets
 *   overdue_escalated_at in the same transaction, which puts it on the supervisor's list and keeps it from being
 *   escalated again until a person gives it a new deadline. A case that cannot move (held at district level or
 *   by a department, or handled/verified and waiting for the verifiers) is only marked. Either way the leaders over
 *   the case and the unit that let it run late get `case.overdue`.
 * - reminders: an open, not suspended, not yet overdue case whose next reminder fraction of due_from → due_at has
 *   passed: the holders (the verifiers for a handled case) get `case.reminder` for the latest passed fraction only
 *   (no burst after downtime), and reminders_sent becomes the number of passed fractions.
 *
 * Work goes in batches (`for update skip locked`, keyset on the (status, due_at) index); each batch transaction
 * first takes the job's advisory lock (pg_try_advisory_xact_lock), so servers side by side do not run it twice at
 * once. Escalations run each in their own transaction after the batch commits; a case that moved meanwhile
 * answers case.stale there and is simply left to the next run.
 */
import { and, asc, eq, gte, inArray, isNotNull, isNull, lt, sql, type SQL } from 'drizzle-orm';
import type { AppContext } from '../../context';
import { queryRows, type Tx } from '../../db/client';
import { AppError } from '../../http/errors';
import { SYSTEM_ACTOR_NAME } from '../areas/audit-meta';
import { appendAudit } from '../audit/log';
import {
  notifyRows,
  recipientsOfMany,
  type CaseUnit,
  type NotificationInput,
} from '../notifications/service';
import { act } from './service';
import { cases } from './tables';
import { isoTimestampOrNull } from '../../db/values';

const DEADLINES_LOCK = 7_310_020;
/** The note of the event of an automatic escalation. */
export const OVERDUE_NOTE = '逾期自动上报';
/** Statuses in which a late case is escalated one level. */
const ESCALATING = ['reported', 'accepted', 'dispatched', 'handling'] as const;
/** Late too, but the case waits for the verifiers: it is only put on the supervisor's list. */
const WAITING_FOR_VERIFIERS = ['handled', 'verified'] as const;
/** Open statuses the deadline runs in (suspended, 挂账, has no running deadline). */
const RUNNING: string[] = [...ESCALATING, ...WAITING_FOR_VERIFIERS];
/** Escalations at once on PostgreSQL (each is its own transaction); PGlite has one connection. */
const ESCALATION_PARALLELISM = 4;

export interface DeadlineRun {
  /** false: another server held the job's lock, nothing was done. */
  ran: boolean;
  /** Cases reminded, and inbox rows written for them. */
  reminded: number;
  reminderNotices: number;
  /** Cases escalated one level; cases only marked overdue (district level, department, waiting for verifiers). */
  escalated: number;
  markedOverdue: number;
  /** Escalations that failed for another reason than a concurrent change (the case was marked instead). */
  failed: { caseId: string; error: string }[];
}

interface Candidate {
  id: string;
  number: string;
  title: string;
  status: string;
  level: string;
  areaPath: string;
  holderPath: string;
  leadDepartmentId: string | null;
  version: number;
  dueAt: Date | null;
  /** due_at as PostgreSQL prints it (microseconds kept), for the keyset. */
  cursor: string;
}

interface Cursor {
  dueAt: string;
  id: string;
}

const columns = {
  id: cases.id,
  number: cases.number,
  title: cases.title,
  status: cases.status,
  level: cases.level,
  areaPath: cases.areaPath,
  holderPath: cases.holderPath,
  leadDepartmentId: cases.leadDepartmentId,
  version: cases.version,
  dueAt: cases.dueAt,
  cursor: sql<string>`${cases.dueAt}::text`,
};

/** Rows after the cursor in (due_at, id) order; `due_at >=` lets the (status, due_at) index bound the scan. */
function after(cursor: Cursor | null): SQL | undefined {
  if (!cursor) return undefined;
  const at = sql`${cursor.dueAt}::timestamptz`;
  return sql`(${cases.dueAt} >= ${at} and (${cases.dueAt} > ${at} or ${cases.id} > ${cursor.id}::uuid))`;
}

/** A transaction holding the job's lock; null when another server has it. */
async function locked<T>(ctx: AppContext, fn: (tx: Tx) => Promise<T>): Promise<T | null> {
  return ctx.db.transaction(async (tx) => {
    const [got] = await queryRows<{ locked: boolean }>(
      tx,
      sql`select pg_try_advisory_xact_lock(${DEADLINES_LOCK}) as locked`,
    );
    return got?.locked ? fn(tx) : null;
  });
}

function unit(c: Candidate): CaseUnit {
  return {
    areaPath: c.areaPath,
    holderPath: c.holderPath,
    level: c.level,
    leadDepartmentId: c.leadDepartmentId,
  };
}

/** Those answerable for a case's next step: the verifiers of a handled case, else its holders. */
async function responsible(tx: Tx, rows: Candidate[]): Promise<string[][]> {
  const out: string[][] = rows.map(() => []);
  const handled = rows.flatMap((r, i) => (r.status === 'handled' ? [i] : []));
  const held = rows.flatMap((r, i) => (r.status === 'handled' ? [] : [i]));
  const v = await recipientsOfMany(
    tx,
    'verifier',
    handled.map((i) => unit(rows[i]!)),
  );
  const h = await recipientsOfMany(
    tx,
    'holder',
    held.map((i) => unit(rows[i]!)),
  );
  handled.forEach((i, k) => (out[i] = v[k]!));
  held.forEach((i, k) => (out[i] = h[k]!));
  return out;
}

/**
 * Marks late cases that stay where they are: overdue_escalated_at (the supervisor's list), `case.overdue` to the
 * leaders over each case and to those answerable for it, and one audit entry for the batch.
 */
async function markOverdue(tx: Tx, rows: Candidate[]): Promise<void> {
  if (rows.length === 0) return;
  const at = new Date();
  await tx
    .update(cases)
    .set({ overdueEscalatedAt: at })
    .where(
      inArray(
        cases.id,
        rows.map((r) => r.id),
      ),
    );
  const leaders = await recipientsOfMany(tx, 'leader', rows.map(unit));
  const answerable = await responsible(tx, rows);
  const notices: NotificationInput[] = [];
  rows.forEach((r, i) => {
    const dueAt = isoTimestampOrNull(r.dueAt);
    for (const accountId of new Set([...leaders[i]!, ...answerable[i]!]))
      notices.push({
        accountId,
        kind: 'case.overdue',
        caseId: r.id,
        data: { number: r.number, title: r.title, status: r.status, level: r.level, dueAt, automatic: true },
        dedupeKey: `overdue:${r.id}:${dueAt}`,
      });
  });
  await notifyRows(tx, notices);
  await appendAudit(tx, {
    actorId: null,
    actorName: SYSTEM_ACTOR_NAME,
    action: 'case.overdue',
    targetType: 'case',
    targetId: rows.length === 1 ? rows[0]!.id : null,
    areaPath: null,
    outcome: 'success',
    details: {
      automatic: true,
      cases: rows.map((r) => ({
        id: r.id,
        number: r.number,
        status: r.status,
        level: r.level,
        dueAt: isoTimestampOrNull(r.dueAt),
      })),
    },
  });
}

/** Escalates one late case through the state machine; a case that changed meanwhile is left to the next run. */
async function escalate(ctx: AppContext, c: Candidate, run: DeadlineRun): Promise<void> {
  try {
    await act(
      ctx,
      null,
      c.id,
      { action: 'escalate', version: c.version, reason: OVERDUE_NOTE },
      {},
      { automatic: true },
    );
    run.escalated++;
  } catch (err) {
    if (
      err instanceof AppError &&
      ['case.stale', 'case.illegal_transition', 'case.unknown'].includes(err.code)
    )
      return;
    run.failed.push({ caseId: c.id, error: err instanceof Error ? err.message : String(err) });
    // Anything but a refusal of the state machine (the database, say) is tried again by the next run.
    if (!(err instanceof AppError)) return;
    // The machine refuses to move it (e.g. no level above in its area chain): it is marked instead, so it lands on
    // the supervisor's list and is not tried again every minute.
    const marked = await locked(ctx, async (tx) => {
      const [still] = await tx
        .select(columns)
        .from(cases)
        .where(and(eq(cases.id, c.id), eq(cases.version, c.version), isNull(cases.overdueEscalatedAt)))
        .for('update', { skipLocked: true });
      if (still) await markOverdue(tx, [still]);
      return still ? 1 : 0;
    });
    run.markedOverdue += marked ?? 0;
  }
}

async function inParallel<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}

/** The overdue pass over one status; false when the lock was held elsewhere. */
async function overduePass(
  ctx: AppContext,
  status: string,
  now: Date,
  batch: number,
  run: DeadlineRun,
): Promise<boolean> {
  let cursor: Cursor | null = null;
  for (;;) {
    const from: Cursor | null = cursor;
    type Picked = { rows: Candidate[]; moves: Candidate[] };
    const picked: Picked | null = await locked(ctx, async (tx): Promise<Picked> => {
      const rows: Candidate[] = await tx
        .select(columns)
        .from(cases)
        .where(
          and(eq(cases.status, status), lt(cases.dueAt, now), isNull(cases.overdueEscalatedAt), after(from)),
        )
        .orderBy(asc(cases.dueAt), asc(cases.id))
        .limit(batch)
        .for('update', { skipLocked: true });
      const stays = rows.filter(
        (r) => (WAITING_FOR_VERIFIERS as readonly string[]).includes(r.status) || r.level === 'district',
      );
      await markOverdue(tx, stays);
      run.markedOverdue += stays.length;
      return { rows, moves: rows.filter((r) => !stays.includes(r)) };
    });
    if (!picked) return false;
    await inParallel(picked.moves, ctx.database.kind === 'postgres' ? ESCALATION_PARALLELISM : 1, (c) =>
      escalate(ctx, c, run),
    );
    const last = picked.rows.at(-1);
    if (!last || picked.rows.length < batch) return true;
    cursor = { dueAt: last.cursor, id: last.id };
  }
}

/** The reminder pass over one status; false when the lock was held elsewhere. */
async function reminderPass(
  ctx: AppContext,
  status: string,
  now: Date,
  batch: number,
  run: DeadlineRun,
): Promise<boolean> {
  const fractions = ctx.config.reminderFractions;
  if (fractions.length === 0) return true;
  const list = sql`array[${sql.join(
    fractions.map((f) => sql`${f}::float8`),
    sql`, `,
  )}]`;
  const at = sql`${now.toISOString()}::timestamptz`;
  const span = sql`(${cases.dueAt} - ${cases.dueFrom})`;
  let cursor: Cursor | null = null;
  for (;;) {
    const from: Cursor | null = cursor;
    type Reminded = Candidate & { passed: number };
    const done: Reminded[] | null = await locked(ctx, async (tx): Promise<Reminded[]> => {
      const rows: Reminded[] = await tx
        .select({
          ...columns,
          passed: sql<number>`(select count(*)::int from unnest(${list}) f where ${cases.dueFrom} + ${span} * f <= ${at})`,
        })
        .from(cases)
        .where(
          and(
            eq(cases.status, status),
            gte(cases.dueAt, now),
            isNotNull(cases.dueFrom),
            lt(cases.remindersSent, fractions.length),
            // The next unsent fraction has passed.
            sql`${cases.dueFrom} + ${span} * (${list})[${cases.remindersSent} + 1] <= ${at}`,
            after(from),
          ),
        )
        .orderBy(asc(cases.dueAt), asc(cases.id))
        .limit(batch)
        .for('update', { skipLocked: true });
      if (rows.length === 0) return rows;
      const values = sql.join(
        rows.map((r) => sql`(${r.id}::uuid, ${Number(r.passed)}::int)`),
        sql`, `,
      );
      await tx.execute(
        sql`update cases set reminders_sent = v.passed from (values ${values}) as v(id, passed) where cases.id = v.id`,
      );
      const who = await responsible(tx, rows);
      const notices: NotificationInput[] = [];
      rows.forEach((r, i) => {
        const fraction = fractions[Number(r.passed) - 1]!;
        const dueAt = isoTimestampOrNull(r.dueAt);
        for (const accountId of who[i]!)
          notices.push({
            accountId,
            kind: 'case.reminder',
            caseId: r.id,
            data: { number: r.number, title: r.title, status: r.status, dueAt, fraction },
            dedupeKey: `reminder:${r.id}:${dueAt}:${fraction}`,
          });
      });
      run.reminded += rows.length;
      run.reminderNotices += await notifyRows(tx, notices);
      return rows;
    });
    if (!done) return false;
    const last = done.at(-1);
    if (!last || done.length < batch) return true;
    cursor = { dueAt: last.cursor, id: last.id };
  }
}

/** One run of the deadline job at `now` (tests pass a later instant to play a downtime). */
export async function runDeadlines(
  ctx: AppContext,
  now: Date = new Date(),
  opts: { batch?: number } = {},
): Promise<DeadlineRun> {
  const batch = opts.batch ?? 500;
  const run: DeadlineRun = {
    ran: true,
    reminded: 0,
    reminderNotices: 0,
    escalated: 0,
    markedOverdue: 0,
    failed: [],
  };
  // Overdue first: a late case is escalated, not reminded.
  for (const status of RUNNING)
    if (!(await overduePass(ctx, status, now, batch, run))) return { ...run, ran: false };
  for (const status of RUNNING)
    if (!(await reminderPass(ctx, status, now, batch, run))) return { ...run, ran: false };
  return run;
}
