/**
 * The case lifecycle as data: for every action the statuses it may start from, where it leads, who may take it
 * (a role in a relation to the case) and which fields it needs. The guard here is pure; the service loads the
 * case, checks version, transition and guard in this order, then applies the action's effect (service.ts).
 *
 * Relations of an actor to a case:
 * - holder: the unit that holds the case now. A department case (lead_department_id set) is held by that
 *   department's handlers; otherwise by community workers and street staff whose area covers holder_path (and, for
 *   a district-level case without a department, by the district's leaders, who dispatch it to a department).
 * - coHandler: a handler of one of the co-departments (协办): may add progress notes.
 * - verifier: a grid worker, community worker or street staff whose area covers the case's location (核查).
 * - areaStaff: a community worker or street staff whose area covers the case's location (结案, 回访).
 * - above: the level above the holder, which approves extensions: street staff or a leader whose area strictly
 *   contains holder_path (for a department case: a leader over its district).
 * - leader: a leader whose area covers the case's location (督办).
 * - reporter: the resident account that reported it.
 *
 * Ending statuses: declined, closed, rated (rate may reopen it once), merged (a duplicate folded into another case).
 */
import type { Role } from '../../../common/roles';
import type { ErrorCode } from '../../../common/errors';
import { CASE_ACTION_VALUES, CASE_STATUS_VALUES } from '../../../common/schemas/cases';
import { pathWithin, type Actor } from '../../policy/ability';

/** The statuses and actions are declared once, with the request and response schemas. */
export const CASE_STATUSES = CASE_STATUS_VALUES;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** Statuses in which the case still runs (the deadline applies, it can be overdue). */
export const OPEN_STATUSES: CaseStatus[] = [
  'reported',
  'accepted',
  'dispatched',
  'handling',
  'handled',
  'verified',
  'suspended',
];

/**
 * Open statuses in which a case can run late: a suspended case (挂账) waits without a clock. The same list is written
 * into cases_overdue_idx and linli_case_due_day (migration 0026).
 */
export const LATE_STATUSES: CaseStatus[] = OPEN_STATUSES.filter((s) => s !== 'suspended');

export const CASE_ACTIONS = CASE_ACTION_VALUES;
export type CaseAction = (typeof CASE_ACTIONS)[number];

export type CaseRelation =
  'holder' | 'coHandler' | 'verifier' | 'areaStaff' | 'above' | 'leader' | 'reporter';

/** Fields an action needs in its body (checked before anything is written). */
export type ActionField =
  'reason' | 'note' | 'guidance' | 'rating' | 'days' | 'target' | 'matterClass' | 'departmentId' | 'targetId';

export interface Transition {
  action: CaseAction;
  from: readonly CaseStatus[];
  /** The status after the action; 'same' keeps it; 'rated' may become 'dispatched' on a first dissatisfaction. */
  to: CaseStatus | 'same';
  who: readonly CaseRelation[];
  requires: readonly ActionField[];
  /** A precondition on the case itself, beyond its status: the error to answer when it fails. */
  when?: (c: CaseFacts, actor: Actor | null) => ErrorCode | null;
  effect: string;
}

/** Verification is by someone other than the one who reported the case handled. */
function notTheHandler(c: CaseFacts, actor: Actor | null): ErrorCode | null {
  return actor && c.handledBy === actor.accountId ? 'case.verifier_is_handler' : null;
}

function pendingExtension(c: CaseFacts): ErrorCode | null {
  return c.pendingExtensionDays ? null : 'case.no_pending_extension';
}

const RUNNING: CaseStatus[] = ['accepted', 'dispatched', 'handling'];
const NOT_ENDED: CaseStatus[] = OPEN_STATUSES;

export const TRANSITIONS: Record<CaseAction, Transition> = {
  accept: {
    action: 'accept',
    from: ['reported'],
    to: 'accepted',
    who: ['holder'],
    requires: [],
    effect: 'Accepted (受理); the matter class may be corrected here (三事分流).',
  },
  decline: {
    action: 'decline',
    from: ['reported'],
    to: 'declined',
    who: ['holder'],
    requires: ['reason'],
    effect: 'Not accepted (不予受理), with the reason told to the resident; the case ends.',
  },
  dispatch: {
    action: 'dispatch',
    from: ['accepted'],
    to: 'dispatched',
    who: ['holder'],
    requires: [],
    effect:
      'Dispatched (派遣): to a department (lead, optional co-departments) or kept by the holding unit; the matter class may still be corrected.',
  },
  start: {
    action: 'start',
    from: ['dispatched'],
    to: 'handling',
    who: ['holder'],
    requires: [],
    effect: 'The handler takes it up (处置).',
  },
  progress: {
    action: 'progress',
    from: ['handling'],
    to: 'same',
    who: ['holder', 'coHandler'],
    requires: ['note'],
    effect: 'A progress note on the timeline.',
  },
  handle: {
    action: 'handle',
    from: ['handling'],
    to: 'handled',
    who: ['holder'],
    requires: ['note'],
    effect: 'Handled (反馈), with the result.',
  },
  verify: {
    action: 'verify',
    from: ['handled'],
    to: 'verified',
    who: ['verifier'],
    requires: [],
    when: notTheHandler,
    effect: 'Verified on site (核查) by someone other than the handler.',
  },
  reject: {
    action: 'reject',
    from: ['handled'],
    to: 'handling',
    who: ['verifier'],
    requires: ['reason'],
    when: notTheHandler,
    effect: 'Verification failed: back to the handler with the reason.',
  },
  close: {
    action: 'close',
    from: ['verified'],
    to: 'closed',
    who: ['areaStaff', 'holder'],
    requires: [],
    effect: 'Closed (结案).',
  },
  rate: {
    action: 'rate',
    from: ['closed'],
    to: 'rated',
    who: ['reporter', 'areaStaff'],
    requires: ['rating'],
    effect:
      'Rated (评价) by the resident, or recorded by staff on a callback (回访). A first 不满意 reopens the case at the same holder (dispatched, reopen_count + 1); a second just ends it with the rating.',
  },
  return: {
    action: 'return',
    from: ['dispatched', 'handling'],
    to: 'accepted',
    who: ['holder'],
    requires: ['reason'],
    effect: 'Returned (退回) to the unit that dispatched it, with the reason.',
  },
  transfer: {
    action: 'transfer',
    from: RUNNING,
    to: 'dispatched',
    who: ['holder'],
    requires: ['reason', 'target'],
    effect:
      "Transferred (转办) to another unit: a department of the case's district, or a level (community, street, district) of the case's own area chain.",
  },
  escalate: {
    action: 'escalate',
    from: ['reported', ...RUNNING],
    to: 'accepted',
    who: ['holder'],
    requires: ['reason'],
    when: (c) => (c.level === 'district' ? 'case.top_level' : null),
    effect:
      'Escalated (上报) one level: community → street → district; the new holder accepts it again and its deadline starts anew.',
  },
  request_extension: {
    action: 'request_extension',
    from: ['dispatched', 'handling'],
    to: 'same',
    who: ['holder'],
    requires: ['reason', 'days'],
    when: (c) => (c.pendingExtensionDays ? 'case.extension_pending' : null),
    effect: 'Asks the level above for more working days (延期申请).',
  },
  approve_extension: {
    action: 'approve_extension',
    from: ['dispatched', 'handling'],
    to: 'same',
    who: ['above'],
    requires: [],
    when: pendingExtension,
    effect: 'The level above approves the pending request: the deadline moves by its working days.',
  },
  reject_extension: {
    action: 'reject_extension',
    from: ['dispatched', 'handling'],
    to: 'same',
    who: ['above'],
    requires: ['reason'],
    when: pendingExtension,
    effect: 'The level above refuses the pending request.',
  },
  suspend: {
    action: 'suspend',
    from: ['handling'],
    to: 'suspended',
    who: ['holder'],
    requires: ['reason'],
    effect: 'Suspended as a long-term matter (挂账); the deadline no longer runs.',
  },
  resume: {
    action: 'resume',
    from: ['suspended'],
    to: 'handling',
    who: ['holder'],
    requires: [],
    effect: "Resumed: back to handling with a fresh deadline of the holder's level.",
  },
  supervise: {
    action: 'supervise',
    from: NOT_ENDED,
    to: 'same',
    who: ['leader'],
    requires: ['note'],
    effect: 'Supervised (督办) by a leader: the case is flagged and the instruction recorded.',
  },
  close_private: {
    action: 'close_private',
    from: ['accepted'],
    to: 'closed',
    who: ['holder'],
    requires: ['guidance'],
    when: (c) => (c.matterClass === 'private' ? null : 'case.not_private'),
    effect: 'A private matter (私事) closed directly with guidance to a market or self-help service.',
  },
  merge: {
    action: 'merge',
    from: ['reported', 'accepted'],
    to: 'merged',
    who: ['holder'],
    requires: ['targetId'],
    effect:
      'A duplicate merged (合并) into another open case the holder can read: it ends here (merged_into_id set), and the target records an `absorb` event.',
  },
};

/** What the guard needs to know about a case. */
export interface CaseFacts {
  status: string;
  level: string;
  matterClass: string;
  areaPath: string;
  holderPath: string;
  leadDepartmentId: string | null;
  coDepartmentIds: unknown;
  reporterAccountId: string | null;
  /** The account that took the latest 'handle' action (from the events), for the verifier rule. */
  handledBy?: string | null;
  /** Working days of an extension request not yet decided (from the events). */
  pendingExtensionDays?: number | null;
}

const AREA_STAFF: Role[] = ['community_worker', 'street_staff'];
const VERIFIERS: Role[] = ['grid_worker', 'community_worker', 'street_staff'];

/** The relations the actor stands in to the case, each with the role that gives it. */
export function relationsOf(actor: Actor | null, c: CaseFacts): Map<CaseRelation, string> {
  const out = new Map<CaseRelation, string>();
  if (!actor) return out;
  const set = (r: CaseRelation, role: string) => {
    if (!out.has(r)) out.set(r, role);
  };
  const co = Array.isArray(c.coDepartmentIds) ? (c.coDepartmentIds as string[]) : [];
  for (const a of actor.assignments) {
    if (c.leadDepartmentId) {
      if (a.role === 'dept_handler' && a.departmentId === c.leadDepartmentId) set('holder', a.role);
    } else if (AREA_STAFF.includes(a.role) && pathWithin(c.holderPath, a.areaPath)) set('holder', a.role);
    // A district-level case without a department: the district's leaders (command centre) dispatch it.
    else if (a.role === 'leader' && c.level === 'district' && pathWithin(c.holderPath, a.areaPath))
      set('holder', a.role);
    if (a.role === 'dept_handler' && a.departmentId && co.includes(a.departmentId)) set('coHandler', a.role);
    if (VERIFIERS.includes(a.role) && pathWithin(c.areaPath, a.areaPath)) set('verifier', a.role);
    if (AREA_STAFF.includes(a.role) && pathWithin(c.areaPath, a.areaPath)) set('areaStaff', a.role);
    if (a.role === 'leader' && pathWithin(c.areaPath, a.areaPath)) set('leader', a.role);
    const aboveHolder = c.leadDepartmentId
      ? a.role === 'leader' && pathWithin(c.holderPath, a.areaPath)
      : (a.role === 'street_staff' || a.role === 'leader') &&
        pathWithin(c.holderPath, a.areaPath) &&
        a.areaPath.length < c.holderPath.length;
    if (aboveHolder) set('above', a.role);
  }
  if (c.reporterAccountId && actor.accountId === c.reporterAccountId) set('reporter', 'resident');
  return out;
}

export type GuardResult =
  | { ok: true; role: string; transition: Transition }
  | { ok: false; error: ErrorCode; transition?: Transition };

/**
 * Whether the actor may take the action on the case now: 409 case.illegal_transition when the status does not
 * allow it, the action's own precondition error, or 403 forbidden when the actor stands in no allowed relation.
 */
export function guard(actor: Actor | null, c: CaseFacts, action: CaseAction): GuardResult {
  const t = TRANSITIONS[action];
  if (!(t.from as readonly string[]).includes(c.status))
    return { ok: false, error: 'case.illegal_transition', transition: t };
  const rel = relationsOf(actor, c);
  const found = t.who.find((w) => rel.has(w));
  if (!found) return { ok: false, error: 'forbidden', transition: t };
  const pre = t.when?.(c, actor);
  if (pre) return { ok: false, error: pre, transition: t };
  return { ok: true, role: rel.get(found)!, transition: t };
}

/** The actions the actor may take on the case now (for the detail view; the same guard as `act`). */
export function availableActions(actor: Actor | null, c: CaseFacts): CaseAction[] {
  return CASE_ACTIONS.filter((a) => guard(actor, c, a).ok);
}
