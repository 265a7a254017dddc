/**
 * Who is told what when a case changes: called once at the end of the transaction of every intake and action
 * (cases/service.ts), so the notices and outbound messages commit with the change or not at all.
 *
 * - the case arrives at a unit (report, dispatch to a department, transfer, escalate, return, reopen, a failed
 *   verification) → its holders get `case.assigned`;
 * - handled → the verifiers get `case.to_verify`;
 * - an extension is requested → the level above gets `case.extension_requested`;
 * - supervised (督办) → the holders get `case.supervised`;
 * - an automatic escalation (deadline job) → the leaders over the case and the unit that let it run late get
 *   `case.overdue`;
 * - the resident who reported it online: accepted, declined, handled → `case.progress`; closed → `case.closed`
 *   (please rate). An SMS to the reporter's phone when a callback was wanted and the case is closed or declined.
 *
 * The actor is not told about its own action. Each notice carries the case number, title and status.
 */
import type { Placeholder, SQL } from 'drizzle-orm';
import type { AppContext } from '../../context';
import type { Tx } from '../../db/client';
import type { cases } from '../cases/tables';
import { enqueueMessage } from './outbox';
import {
  aboveHolder,
  leadersOver,
  notifyRelationFromJson,
  notifyRows,
  relationNoticesJson,
  recipientsForHolder,
  verifiersOf,
  type CaseUnit,
  type NotificationInput,
  type NotificationKind,
  type RecipientRelation,
} from './service';

type CaseRow = typeof cases.$inferSelect;

/** What the notices need of a case, before and after the change. */
export type CaseSnapshot = Pick<
  CaseRow,
  | 'id'
  | 'number'
  | 'title'
  | 'status'
  | 'level'
  | 'areaPath'
  | 'holderPath'
  | 'leadDepartmentId'
  | 'reporterAccountId'
  | 'reporterPhoneEnc'
  | 'callbackWanted'
  | 'dueAt'
  | 'version'
>;

export interface CaseChange {
  /** null at intake. */
  before: CaseSnapshot | null;
  after: CaseSnapshot;
  /** 'report' at intake, else the action taken. */
  action: string;
  /** The seq of the event the change wrote: part of every dedupe key. */
  eventSeq: number;
  /** Who acted (not told about its own action); null for the system. */
  actorId?: string | null;
  /** The deadline job escalated it because it ran late. */
  automatic?: boolean;
}

const ARRIVES = new Set(['report', 'transfer', 'escalate', 'return', 'reject']);
const PROGRESS = new Set(['accept', 'decline', 'handle']);
const CLOSED = new Set(['close', 'close_private']);
const SMS_TEMPLATE: Record<string, string> = {
  close: 'case.closed',
  close_private: 'case.closed',
  decline: 'case.declined',
};

function holderChanged(before: CaseSnapshot, after: CaseSnapshot): boolean {
  return (
    before.holderPath !== after.holderPath ||
    before.leadDepartmentId !== after.leadDepartmentId ||
    before.level !== after.level
  );
}

/** Does the case land at a (possibly new) unit with this change? */
function arrives(c: CaseChange): boolean {
  if (ARRIVES.has(c.action)) return true;
  if (c.action === 'dispatch') return c.before !== null && holderChanged(c.before, c.after);
  // A first 不满意 reopens the case at its holder.
  return c.action === 'rate' && c.after.status === 'dispatched';
}

const unit = (c: CaseSnapshot): CaseUnit => ({
  areaPath: c.areaPath,
  holderPath: c.holderPath,
  level: c.level,
  leadDepartmentId: c.leadDepartmentId,
});

/** What every notice of a change carries: the case number, title and status, and the action. */
const baseOf = (after: CaseSnapshot, action: string) => ({
  number: after.number,
  title: after.title,
  status: after.status,
  action,
});

const dedupeKeyOf = (caseId: string, eventSeq: number, kind: NotificationKind) =>
  `case:${caseId}:${eventSeq}:${kind}`;

// Who is told of an intake, and what.
const REPORT_RELATION: RecipientRelation = 'holder';
const REPORT_KIND: NotificationKind = 'case.assigned';

/**
 * The notices of intakes (what notifyCaseChange writes for 'report': the unit each case arrives at is told), as one
 * INSERT that intake runs inside its single statement; `json` is reportNoticesJson of the cases, given or a
 * placeholder.
 */
export function reportNoticesInsert(json: SQL | Placeholder): SQL {
  return notifyRelationFromJson(REPORT_RELATION, json);
}

/** The notices of intakes, each case with the account that took it in (not told), as reportNoticesInsert reads. */
export function reportNoticesJson(reports: { after: CaseSnapshot; actorId: string | null }[]): string {
  return relationNoticesJson(
    reports.map(({ after, actorId }) => ({
      ...unit(after),
      kind: REPORT_KIND,
      caseId: after.id,
      data: { ...baseOf(after, 'report'), level: after.level },
      dedupeKey: dedupeKeyOf(after.id, 1, REPORT_KIND),
      except: actorId,
    })),
  );
}

/** Writes the inbox rows and outbound messages of one change, in the caller's transaction. */
export async function notifyCaseChange(ctx: AppContext, tx: Tx, change: CaseChange): Promise<void> {
  const { after, action, eventSeq } = change;
  const base = baseOf(after, action);
  const rows: NotificationInput[] = [];
  const add = (kind: NotificationKind, accounts: string[], data: Record<string, unknown> = {}) => {
    for (const accountId of new Set(accounts)) {
      if (accountId === change.actorId) continue;
      rows.push({
        accountId,
        kind,
        caseId: after.id,
        data: { ...base, ...data },
        dedupeKey: dedupeKeyOf(after.id, eventSeq, kind),
      });
    }
  };

  if (arrives(change))
    add('case.assigned', await recipientsForHolder(tx, unit(after)), { level: after.level });
  if (action === 'handle') add('case.to_verify', await verifiersOf(tx, unit(after)));
  if (action === 'request_extension') add('case.extension_requested', await aboveHolder(tx, unit(after)));
  if (action === 'supervise') add('case.supervised', await recipientsForHolder(tx, unit(after)));
  if (change.automatic) {
    const late = change.before ? await recipientsForHolder(tx, unit(change.before)) : [];
    add('case.overdue', [...(await leadersOver(tx, after.areaPath)), ...late], {
      dueAt: change.before?.dueAt ? new Date(change.before.dueAt).toISOString() : null,
      automatic: true,
      level: after.level,
    });
  }
  const reporter = after.reporterAccountId;
  if (reporter) {
    if (PROGRESS.has(action)) add('case.progress', [reporter]);
    if (CLOSED.has(action)) add('case.closed', [reporter]);
  }
  if (rows.length > 0) await notifyRows(tx, rows);

  const template = SMS_TEMPLATE[action];
  if (template && after.callbackWanted && after.reporterPhoneEnc) {
    await enqueueMessage(ctx, tx, {
      channel: 'sms',
      recipient: ctx.secrets.decrypt(after.reporterPhoneEnc),
      template,
      params: { number: after.number },
      dedupeKey: `case:${after.id}:${eventSeq}:sms`,
      caseId: after.id,
    });
  }
}
