/**
 * Cases (诉求/事件): intake on every channel, the actions of the state machine, lists, detail and timeline.
 * Every write runs in one transaction: the case row, its next event (seq = the new version) and the audit entry,
 * or nothing. An actor of null is the system (jobs, seeds, tests): no authorization.
 *
 * Who takes a case in, by channel:
 * - window, hotline, mailbox, transfer: a community worker or street staff, for a location in its area; the
 *   resident's name and phone are required (transfer: the source ticket number instead; name and phone optional);
 * - patrol: a grid worker, for a location in its own grids;
 * - online: a resident (its own account, phone taken from the account). A resident may report in any community
 *   or grid: people report where the problem is, not where they live. Its cases are read through the reporter.
 */
import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type {
  CaseActionBody,
  CaseCreate,
  CaseDetail,
  CaseSummary,
  CaseView,
} from '../../../common/schemas/cases';
import type { Role } from '../../../common/roles';
import type { CategoryQuestion } from '../../../common/schemas/categories';
import type { AppContext } from '../../context';
import { maskPhone } from '../../crypto';
import { WriteBatcher } from '../../db/batch';
import { definePrepared, insertFromJson, pgErrorCode, rowsAsJson, type Tx } from '../../db/client';
import { isoTimestamp } from '../../db/values';
import { AppError, invalidField } from '../../http/errors';
import { Ability, pathWithin, type Actor } from '../../policy/ability';
import { caseReadable } from '../../policy/scope';
import { accounts } from '../accounts/tables';
import { auditActor, type RequestMeta } from '../areas/audit-meta';
import { departmentsAbove } from '../areas/departments';
import { areas, departments } from '../areas/tables';
import { appendAudit, auditEntriesInsert, auditEntriesJson, auditEntry } from '../audit/log';
import { notifyCaseChange, reportNoticesInsert, reportNoticesJson } from '../notifications/case-notices';
import { loadCalendar } from '../calendar/service';
import { addHours, addWorkingDays, chinaYear, type Calendar } from '../calendar/working-days';
import { ancestorAtLevel, routeWith, type Routing } from '../categories/routing';
import { areaRef, referenceData, type ReferenceData } from '../categories/reference';
import type { CategoryRow } from '../categories/service';
import { categories } from '../categories/tables';
import {
  availableActions,
  guard,
  LATE_STATUSES,
  TRANSITIONS,
  type CaseAction,
  type CaseFacts,
  type CaseStatus,
} from './machine';
import { caseAttachments, caseEvents, cases } from './tables';
import { absorbInto, lockForMerge } from './merge';
import { bindPhotos, photosByStep } from './photos';
import { checkAnswers } from './answers';
import { checkLocationInput, locateCase, type CaseLocation } from './location';
import { nextCaseNumber } from './numbers';

type CaseRow = typeof cases.$inferSelect;
type Level = 'community' | 'street' | 'district';

/** Working days a level has by default (the seeds: same day in the community, 3 at the street, 7 beyond). */
export const LEVEL_WORKING_DAYS: Record<Level, number> = { community: 0, street: 3, district: 7 };
const NEXT_LEVEL: Record<Level, Level | null> = { community: 'street', street: 'district', district: null };

const STAFF_CHANNELS = ['window', 'hotline', 'mailbox', 'transfer'] as const;
const INTAKE_ROLES: Record<string, Role[]> = {
  window: ['community_worker', 'street_staff'],
  hotline: ['community_worker', 'street_staff'],
  mailbox: ['community_worker', 'street_staff'],
  transfer: ['community_worker', 'street_staff'],
  patrol: ['grid_worker'],
};

function isResident(actor: Actor): boolean {
  return actor.kind === 'resident' || actor.assignments.some((a) => a.role === 'resident');
}

/** 张三 → 张*, 欧阳修 → 欧**: what every answer shows of a reporter's name. */
export function maskName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return '*';
  return chars[0] + '*'.repeat(chars.length - 1);
}

/**
 * The calendar around an instant, loaded before a transaction opens: its cache is keyed by the database handle,
 * and on the embedded database a query on ctx.db while a transaction holds the one connection would wait forever.
 */
async function calendarAround(ctx: AppContext, at: Date): Promise<Calendar> {
  const year = chinaYear(at);
  return loadCalendar(ctx.db, year, year + 1);
}

/** The deadline of a case held at a level, from an instant: hours for urgent categories, else working days. */
function deadlineFor(
  cal: Calendar,
  level: Level,
  category: Pick<CategoryRow, 'urgent' | 'deadlineHours' | 'deadlineWorkingDays'> | null,
  urgent: boolean,
  from: Date,
): Date {
  if (urgent && category?.deadlineHours) return addHours(cal, from, category.deadlineHours);
  const days = category?.deadlineWorkingDays ?? LEVEL_WORKING_DAYS[level];
  return addWorkingDays(cal, from, days);
}

/** What an intake will write, decided from the input and the reference data before anything is written. */
interface IntakePlan {
  area: CaseLocation & { name: string };
  category: CategoryRow;
  answers: Record<string, unknown>;
  routing: Routing;
  urgent: boolean;
  dueAt: Date;
  responseDueAt: Date;
}

/** Checks an intake against the reference data (area, scope, category, answers) and routes it; throws a 4xx. */
async function planIntake(
  ctx: AppContext,
  actor: Actor | null,
  ref: ReferenceData,
  input: CaseCreate,
  areaCode: string | null,
  cal: Calendar,
  now: Date,
): Promise<IntakePlan> {
  const located = await locateCase(ctx.db, areaCode, input, (code) => areaRef(ctx.db, ref, code));
  const area = { ...located, name: (await areaRef(ctx.db, ref, located.code))?.name ?? located.code };
  if (actor && input.channel !== 'online') {
    const ability = new Ability(actor);
    const roles = INTAKE_ROLES[input.channel]!;
    const inScope = actor.assignments.some(
      (a) => roles.includes(a.role) && pathWithin(area.path, a.areaPath),
    );
    if (!inScope || !ability.can('create', 'Case', area.path))
      throw new AppError('forbidden', [{ field: area.field, rule: 'outOfScope' }]);
  }
  const category = ref.categories.get(input.categoryId);
  if (!category) throw new AppError('category.unknown', [{ field: 'body.categoryId', rule: 'exists' }]);
  if (!category.active) throw invalidField('body.categoryId', 'inactive');
  const answers = checkAnswers((category.questions ?? []) as CategoryQuestion[], input.answers);
  const routing = routeWith(ref, category, area.path);
  const urgent = input.urgency ? input.urgency === 'urgent' : category.urgent;
  return {
    area,
    category,
    answers,
    routing,
    urgent,
    dueAt: deadlineFor(cal, routing.level, category, urgent, now),
    // The response limit the statistics measure against: the report's working day when the community holds it,
    // else the next working day (a report on a rest day: the next working day either way).
    responseDueAt: addWorkingDays(cal, now, routing.level === 'community' ? 0 : 1),
  };
}

/** SQLSTATE of linli_reference_current (migration 0013): the reference data changed since the kept copy. */
const REFERENCE_CHANGED = 'LI001';

/** What intake's statement writes for one case: the row, its first event, its audit entry and who took it in. */
interface IntakeWrite {
  row: CaseRow;
  event: typeof caseEvents.$inferInsert;
  audit: ReturnType<typeof auditEntry>;
  actorId: string | null;
  referenceVersion: string;
}

/** The columns of a case row, all of which intake writes. */
const CASE_KEYS = Object.keys(getTableColumns(cases)) as (keyof CaseRow)[];

/** The columns of intake's first event (the rest have their defaults). */
const INTAKE_EVENT_KEYS = [
  'caseId',
  'seq',
  'action',
  'fromStatus',
  'toStatus',
  'actorId',
  'actorName',
  'actorRole',
  'data',
  'at',
] as const;

/**
 * Intake's one statement, for any number of cases: the cases, their first events, their audit entries and their
 * notices, then the check that the kept reference data each was decided on is still current (SQLSTATE LI001 when
 * not). One statement, so one round trip and an implicit transaction: the sub-statements' foreign keys are checked at
 * its end, when the case rows exist, and the whole of it fails when the reference data moved on. Each part's rows go
 * in as one JSON value, so the text is the same for one case or fifty and the server keeps it parsed and planned.
 */
const writeIntakesStatement = definePrepared(
  () => sql`with c as (${insertFromJson(cases, CASE_KEYS, sql.placeholder('cases'))}),
      e as (${insertFromJson(caseEvents, INTAKE_EVENT_KEYS, sql.placeholder('events'))}),
      a as (${auditEntriesInsert(sql.placeholder('audit'))}),
      n as (${reportNoticesInsert(sql.placeholder('notices'))})
    select bool_and(linli_reference_current(v::bigint))
    from json_array_elements_text(${sql.placeholder('referenceVersions')}::json) v`,
);

/** Writes planned intakes in one statement: all of them or none. */
async function writeIntakes(db: Tx, writes: IntakeWrite[]): Promise<void> {
  await writeIntakesStatement(db, {
    cases: rowsAsJson(
      cases,
      writes.map((w) => w.row),
    ),
    events: rowsAsJson(
      caseEvents,
      writes.map((w) => w.event),
    ),
    audit: auditEntriesJson(writes.map((w) => w.audit)),
    notices: reportNoticesJson(writes.map((w) => ({ after: w.row, actorId: w.actorId }))),
    referenceVersions: JSON.stringify([...new Set(writes.map((w) => w.referenceVersion))]),
  });
}

/**
 * Intakes at the same moment share a statement (and its round trip and commit): at 50 connections a statement carried
 * about 11 cases, and PostgreSQL's CPU per case fell from 0.7 ms to 0.2–0.37 ms. Two run at once, so one is being
 * written while the next fills (one did as well, four worse). Kept per database handle; an intake inside a caller's
 * transaction writes alone in it.
 */
const INTAKE_BATCH = { maxBatch: 64, inFlight: 2 };
const intakeBatchers = new WeakMap<Tx, WriteBatcher<IntakeWrite>>();

function writeIntakeBatched(ctx: AppContext, write: IntakeWrite): Promise<void> {
  const root = ctx.database?.db;
  if (!root || ctx.db !== root) return writeIntakes(ctx.db, [write]);
  let batcher = intakeBatchers.get(root);
  if (!batcher) {
    batcher = new WriteBatcher((writes) => writeIntakes(root, writes), INTAKE_BATCH);
    intakeBatchers.set(root, batcher);
  }
  return batcher.write(write);
}

/** How this database's intakes were batched so far (the case benchmark reports the cases per statement). */
export function intakeBatchStats(ctx: AppContext): WriteBatcher<IntakeWrite>['stats'] {
  return { ...(intakeBatchers.get(ctx.database.db)?.stats ?? { batches: 0, writes: 0, retried: 0 }) };
}

/** Writes a planned intake (with others taken in at the same moment): the case, its first event, notices and audit. */
async function writeIntake(
  ctx: AppContext,
  actor: Actor | null,
  meta: RequestMeta,
  w: {
    plan: IntakePlan;
    ref: ReferenceData;
    number: string;
    name: string | null;
    phone: string | null;
    reporterAccountId: string | null;
    now: Date;
    input: CaseCreate;
  },
): Promise<CaseRow> {
  const { plan, ref, number, name, phone, reporterAccountId, now, input } = w;
  const { area, category, routing, dueAt } = plan;
  const channel = input.channel;
  const row: CaseRow = {
    id: randomUUID(),
    number,
    channel,
    sourceRef: input.sourceRef ?? null,
    categoryId: category.id,
    matterClass: category.matterClass,
    urgency: plan.urgent ? 'urgent' : 'normal',
    title: input.title.trim() || input.title,
    description: input.description,
    areaCode: area.code,
    areaPath: area.path,
    address: input.address ?? null,
    lat: input.lat ?? null,
    lng: input.lng ?? null,
    reporterNameEnc: name ? ctx.secrets.encrypt(name) : null,
    reporterNameMasked: name ? maskName(name) : null,
    reporterPhoneEnc: phone ? ctx.secrets.encrypt(phone) : null,
    reporterPhoneHash: phone ? ctx.secrets.keyedHash(phone, 'phone') : null,
    reporterPhoneMasked: phone ? maskPhone(phone) : null,
    reporterAccountId,
    callbackWanted: input.callbackWanted ?? false,
    answers: plan.answers,
    status: 'reported',
    level: routing.level,
    leadDepartmentId: routing.departmentId,
    holderPath: routing.holderPath,
    coDepartmentIds: [],
    dueAt,
    dueFrom: now,
    remindersSent: 0,
    overdueEscalatedAt: null,
    supervised: false,
    reopenCount: 0,
    rating: null,
    mergedIntoId: null,
    version: 1,
    createdBy: actor?.accountId ?? null,
    createdAt: now,
    updatedAt: now,
    closedAt: null,
    respondedAt: null,
    responseDueAt: plan.responseDueAt,
  };
  const event = {
    ...eventActor(actor, channel === 'online' ? 'resident' : null),
    caseId: row.id,
    seq: 1,
    action: 'report',
    fromStatus: null,
    toStatus: 'reported',
    data: {
      channel,
      level: routing.level,
      holderPath: routing.holderPath,
      departmentId: routing.departmentId,
      routing: routing.source,
      dueAt: dueAt.toISOString(),
    },
    at: now,
  };
  const audit = auditEntry({
    ...auditActor(actor, meta),
    action: 'case.create',
    targetType: 'case',
    targetId: row.id,
    areaPath: area.path,
    outcome: 'success',
    details: { number, channel, categoryId: category.id, level: routing.level },
  });
  await writeIntakeBatched(ctx, {
    row,
    event,
    audit,
    actorId: actor?.accountId ?? null,
    referenceVersion: ref.version,
  });
  return row;
}

/**
 * Takes a case in; answers its detail. Reads nothing but the session on the common path: the reference data is kept
 * in process (the write statement checks its version), and the case, its first event, its notices and its audit
 * entry are written by one statement, which commits all of them or none.
 */
export async function intake(
  ctx: AppContext,
  actor: Actor | null,
  input: CaseCreate,
  meta: RequestMeta = {},
): Promise<CaseDetail> {
  const channel = input.channel;
  // Who may use the channel at all: decided before anything else is looked at.
  if (actor) {
    const ok =
      channel === 'online'
        ? isResident(actor)
        : actor.assignments.some((a) => INTAKE_ROLES[channel]?.includes(a.role));
    if (!ok) throw new AppError('forbidden');
  }
  if ((STAFF_CHANNELS as readonly string[]).includes(channel) && channel !== 'transfer') {
    if (!input.reporterName) throw invalidField('body.reporterName', 'required');
    if (!input.reporterPhone) throw invalidField('body.reporterPhone', 'required');
  }
  if (channel === 'transfer' && !input.sourceRef) throw invalidField('body.sourceRef', 'required');
  const areaCode = checkLocationInput(input);

  const now = new Date();
  const cal = await calendarAround(ctx, now);
  // Everything is checked before a number is taken (so a refused intake leaves no gap), then written in one go.
  let ref = await referenceData(ctx.db, { trusted: true });
  let plan: IntakePlan;
  try {
    plan = await planIntake(ctx, actor, ref, input, areaCode, cal, now);
  } catch (err) {
    // Refused on the kept copy: a category or area made a moment ago may be missing from it. Ask before refusing.
    const current = await referenceData(ctx.db);
    if (current === ref) throw err;
    ref = current;
    plan = await planIntake(ctx, actor, ref, input, areaCode, cal, now);
  }

  // The reporter: as entered by staff, or the resident's own account.
  let phone = input.reporterPhone ?? null;
  let reporterAccountId: string | null = null;
  if (actor && channel === 'online') {
    reporterAccountId = actor.accountId;
    const [acc] = await ctx.db
      .select({ phoneEnc: accounts.phoneEnc })
      .from(accounts)
      .where(eq(accounts.id, actor.accountId));
    if (acc?.phoneEnc) phone = ctx.secrets.decrypt(acc.phoneEnc);
  }
  const name = input.reporterName?.trim() || null;

  const number = await nextCaseNumber(ctx, plan.area.code, now);
  let row: CaseRow | null = null;
  for (let attempt = 1; !row; attempt++) {
    try {
      row = await writeIntake(ctx, actor, meta, {
        plan,
        ref,
        number,
        name,
        phone,
        reporterAccountId,
        now,
        input,
      });
    } catch (err) {
      // The categories, rules or areas changed since the kept copy was read: decide again on the current ones (a
      // refusal now leaves a gap in the day's numbers, which only a concurrent change of the reference data causes).
      if (pgErrorCode(err) !== REFERENCE_CHANGED || attempt >= 3) throw err;
      ref = await referenceData(ctx.db);
      plan = await planIntake(ctx, actor, ref, input, areaCode, cal, now);
    }
  }
  const { area, category, routing } = plan;
  const view = toView(
    ctx,
    {
      c: row,
      categoryName: category.name,
      areaName: area.name,
      leadDepartmentName: routing.departmentId
        ? (ref.departments.get(routing.departmentId)?.name ?? null)
        : null,
      photoCount: 0,
    },
    now,
  );
  const facts = { ...row, handledBy: null, pendingExtensionDays: null };
  return {
    ...view,
    actions: actor ? availableActions(actor, facts) : [],
  };
}

function eventActor(actor: Actor | null, role: string | null) {
  return {
    actorId: actor?.accountId ?? null,
    actorName: actor ? (actor.username ?? actor.displayName) : 'system',
    actorRole: role ?? actor?.assignments[0]?.role ?? (actor ? null : 'system'),
  };
}

/** Facts the guard needs beyond the row: who handled it last, and any undecided extension request. */
async function factsOf(
  tx: Tx,
  row: CaseRow,
): Promise<CaseFacts & { lastDispatch: Record<string, unknown> | null }> {
  const events = await tx
    .select({ action: caseEvents.action, actorId: caseEvents.actorId, data: caseEvents.data })
    .from(caseEvents)
    .where(
      and(
        eq(caseEvents.caseId, row.id),
        inArray(caseEvents.action, [
          'handle',
          'request_extension',
          'approve_extension',
          'reject_extension',
          'dispatch',
          'transfer',
        ]),
      ),
    )
    .orderBy(desc(caseEvents.seq));
  const handled = events.find((e) => e.action === 'handle');
  const lastExt = events.find((e) => e.action.endsWith('_extension'));
  const dispatched = events.find((e) => e.action === 'dispatch' || e.action === 'transfer');
  const data = (lastExt?.data ?? {}) as { days?: number };
  return {
    ...row,
    handledBy: handled?.actorId ?? null,
    pendingExtensionDays: lastExt?.action === 'request_extension' ? (data.days ?? null) : null,
    lastDispatch: (dispatched?.data as Record<string, unknown> | undefined) ?? null,
  };
}

interface Effect {
  patch: Partial<typeof cases.$inferInsert>;
  to: CaseStatus;
  note: string | null;
  data: Record<string, unknown>;
}

/** A department of the case's district (or 400 naming the field). */
async function departmentFor(tx: Tx, id: string, casePath: string, field: string) {
  const [dept] = await tx
    .select({ id: departments.id, areaPath: departments.areaPath })
    .from(departments)
    .where(eq(departments.id, id))
    .limit(1);
  if (!dept) throw new AppError('account.department_unknown', [{ field, rule: 'exists' }]);
  if (!pathWithin(casePath, dept.areaPath)) throw invalidField(field, 'outOfScope');
  return dept;
}

function holderSnapshot(row: CaseRow) {
  return { level: row.level, holderPath: row.holderPath, leadDepartmentId: row.leadDepartmentId };
}

/** Moves the holder; a change of level starts the new level's deadline. */
async function moveHolder(
  tx: Tx,
  cal: Calendar,
  row: CaseRow,
  to: { level: Level; holderPath: string; leadDepartmentId: string | null },
  now: Date,
): Promise<Partial<typeof cases.$inferInsert>> {
  const patch: Partial<typeof cases.$inferInsert> = { ...to };
  if (to.level !== row.level) {
    const [category] = await tx.select().from(categories).where(eq(categories.id, row.categoryId));
    patch.dueAt = deadlineFor(cal, to.level, category ?? null, row.urgency === 'urgent', now);
    patch.overdueEscalatedAt = null;
  }
  return patch;
}

async function effectOf(
  cal: Calendar,
  tx: Tx,
  row: CaseRow,
  facts: Awaited<ReturnType<typeof factsOf>>,
  body: CaseActionBody,
  now: Date,
): Promise<Effect> {
  const t = TRANSITIONS[body.action];
  const same = row.status as CaseStatus;
  const to: CaseStatus = t.to === 'same' ? same : t.to;
  const note = body.reason ?? body.note ?? body.guidance ?? body.comment ?? null;
  const e: Effect = { patch: {}, to, note, data: {} };
  const newDeadline = async (level: Level) => {
    const [category] = await tx.select().from(categories).where(eq(categories.id, row.categoryId));
    return deadlineFor(cal, level, category ?? null, row.urgency === 'urgent', now);
  };
  switch (body.action) {
    case 'accept':
    case 'dispatch': {
      if (body.matterClass && body.matterClass !== row.matterClass) {
        e.patch.matterClass = body.matterClass;
        e.data.matterClass = { from: row.matterClass, to: body.matterClass };
      }
      if (body.action === 'dispatch') {
        if (body.departmentId) {
          const dept = await departmentFor(tx, body.departmentId, row.areaPath, 'body.departmentId');
          Object.assign(
            e.patch,
            await moveHolder(
              tx,
              cal,
              row,
              { level: 'district', holderPath: dept.areaPath, leadDepartmentId: dept.id },
              now,
            ),
          );
          e.data.departmentId = dept.id;
        }
        if (body.coDepartmentIds) {
          for (const [i, id] of body.coDepartmentIds.entries())
            await departmentFor(tx, id, row.areaPath, `body.coDepartmentIds.${i}`);
          e.patch.coDepartmentIds = body.coDepartmentIds;
          e.data.coDepartmentIds = body.coDepartmentIds;
        }
        e.data.prev = holderSnapshot(row);
      }
      break;
    }
    case 'decline':
    case 'close':
      e.patch.closedAt = now;
      break;
    case 'close_private':
      e.patch.closedAt = now;
      e.data.guidance = body.guidance;
      break;
    case 'rate': {
      e.data.rating = body.rating;
      if (body.rating === 'dissatisfied' && row.reopenCount === 0) {
        // 不满意 the first time: reopened at the same holder with a fresh deadline.
        e.to = 'dispatched';
        e.patch.reopenCount = row.reopenCount + 1;
        e.patch.closedAt = null;
        e.patch.rating = null;
        e.patch.dueAt = await newDeadline(row.level as Level);
        e.patch.overdueEscalatedAt = null;
        e.data.reopened = true;
      } else e.patch.rating = body.rating!;
      break;
    }
    case 'return': {
      const prev = facts.lastDispatch?.prev as
        { level: Level; holderPath: string; leadDepartmentId: string | null } | undefined;
      if (prev) Object.assign(e.patch, await moveHolder(tx, cal, row, prev, now));
      else e.patch.leadDepartmentId = null;
      e.patch.coDepartmentIds = [];
      break;
    }
    case 'transfer': {
      if (body.departmentId) {
        const dept = await departmentFor(tx, body.departmentId, row.areaPath, 'body.departmentId');
        Object.assign(
          e.patch,
          await moveHolder(
            tx,
            cal,
            row,
            { level: 'district', holderPath: dept.areaPath, leadDepartmentId: dept.id },
            now,
          ),
        );
        e.data.departmentId = dept.id;
      } else {
        const level = body.level!;
        const holderPath = ancestorAtLevel(row.areaPath, level);
        if (!holderPath) throw invalidField('body.level', 'level', 'community, street, district');
        Object.assign(
          e.patch,
          await moveHolder(tx, cal, row, { level, holderPath, leadDepartmentId: null }, now),
        );
        e.data.level = level;
      }
      e.patch.coDepartmentIds = [];
      e.data.prev = holderSnapshot(row);
      break;
    }
    case 'escalate': {
      const next = NEXT_LEVEL[row.level as Level]!;
      const holderPath = ancestorAtLevel(row.areaPath, next);
      if (!holderPath) throw new AppError('case.top_level');
      e.patch = {
        level: next,
        holderPath,
        leadDepartmentId: null,
        coDepartmentIds: [],
        dueAt: await newDeadline(next),
        overdueEscalatedAt: null,
      };
      e.data = { fromLevel: row.level, toLevel: next, prev: holderSnapshot(row) };
      break;
    }
    case 'request_extension':
      e.data.days = body.days;
      break;
    case 'approve_extension': {
      const days = facts.pendingExtensionDays!;
      const base = row.dueAt && row.dueAt > now ? row.dueAt : now;
      e.patch.dueAt = addWorkingDays(cal, base, days);
      e.patch.overdueEscalatedAt = null;
      e.data = { days, dueAt: e.patch.dueAt.toISOString(), previousDueAt: row.dueAt?.toISOString() ?? null };
      break;
    }
    case 'suspend':
      e.data.dueAt = row.dueAt?.toISOString() ?? null;
      break;
    case 'resume':
      e.patch.dueAt = await newDeadline(row.level as Level);
      e.patch.overdueEscalatedAt = null;
      break;
    case 'supervise':
      e.patch.supervised = true;
      break;
    default:
      break;
  }
  return e;
}

/** The fields an action needs, checked before the case is loaded. */
function checkRequired(body: CaseActionBody): void {
  const t = TRANSITIONS[body.action];
  for (const f of t.requires) {
    if (f === 'target') {
      if (!body.departmentId && !body.level) throw invalidField('body.departmentId', 'required');
      continue;
    }
    const v = (body as Record<string, unknown>)[f];
    if (v === undefined || (typeof v === 'string' && v.trim() === ''))
      throw invalidField(`body.${f}`, 'required');
  }
}

/** Takes an action on a case at the version the actor saw; answers the updated case. */
export async function act(
  ctx: AppContext,
  actor: Actor | null,
  caseId: string,
  body: CaseActionBody,
  meta: RequestMeta = {},
  opts: { automatic?: boolean } = {},
): Promise<CaseDetail> {
  checkRequired(body);
  const now = new Date();
  const cal = await calendarAround(ctx, now);
  await ctx.db.transaction(async (tx) => {
    if (body.action === 'merge' && body.targetId) await lockForMerge(tx, caseId, body.targetId);
    const [row] = await tx.select().from(cases).where(eq(cases.id, caseId)).for('update');
    if (!row) throw new AppError('case.unknown');
    if (actor && !caseReadable(new Ability(actor), actor, row)) throw new AppError('forbidden');
    if (body.version !== row.version)
      throw new AppError('case.stale', [{ field: 'body.version', rule: 'stale', limit: row.version }]);
    const facts = await factsOf(tx, row);
    let role: string | null = null;
    if (actor) {
      const g = guard(actor, facts, body.action);
      if (!g.ok) {
        if (g.error === 'case.illegal_transition')
          throw new AppError('case.illegal_transition', [
            { field: 'body.action', rule: 'transition', limit: `${row.status} → ${body.action}` },
          ]);
        throw new AppError(g.error);
      }
      role = g.role;
    } else if (!(TRANSITIONS[body.action].from as readonly string[]).includes(row.status)) {
      throw new AppError('case.illegal_transition', [
        { field: 'body.action', rule: 'transition', limit: `${row.status} → ${body.action}` },
      ]);
    }
    const effect = await effectOf(cal, tx, row, facts, body, now);
    if (body.action === 'merge') {
      const into = await absorbInto(
        tx,
        actor,
        row,
        body.targetId!,
        { ...eventActor(actor, role), note: effect.note },
        auditActor(actor, meta),
        now,
      );
      Object.assign(effect.patch, { mergedIntoId: into.id, closedAt: now });
      effect.data = { targetId: into.id, targetNumber: into.number };
    }
    // The first response (leaving 'reported', to which nothing leads back), kept for the statistics.
    if (row.status === 'reported' && effect.to !== 'reported' && !row.respondedAt)
      effect.patch.respondedAt = now;
    // A new deadline starts its reminders and its one automatic escalation afresh.
    if (effect.patch.dueAt !== undefined)
      Object.assign(effect.patch, { dueFrom: now, remindersSent: 0, overdueEscalatedAt: null });
    // The deadline job escalating a late case: said on the event, and the case goes on the supervisor's list.
    if (opts.automatic) {
      effect.data.automatic = true;
      effect.patch.overdueEscalatedAt = now;
    }
    const version = row.version + 1;
    const updated = await tx
      .update(cases)
      .set({ ...effect.patch, status: effect.to, version, updatedAt: now })
      .where(and(eq(cases.id, row.id), eq(cases.version, row.version)))
      .returning({ id: cases.id });
    if (updated.length !== 1)
      throw new AppError('case.stale', [{ field: 'body.version', rule: 'stale', limit: row.version }]);
    await tx.insert(caseEvents).values({
      caseId: row.id,
      seq: version,
      action: body.action,
      fromStatus: row.status,
      toStatus: effect.to,
      ...eventActor(actor, role),
      note: effect.note,
      data: effect.data,
      at: now,
    });
    await bindPhotos(tx, actor, row.id, version, body.attachmentIds ?? []);
    await notifyCaseChange(ctx, tx, {
      before: row,
      after: { ...row, ...effect.patch, status: effect.to, version },
      action: body.action,
      eventSeq: version,
      actorId: actor?.accountId ?? null,
      automatic: opts.automatic ?? false,
    });
    await appendAudit(tx, {
      ...auditActor(actor, meta),
      action: `case.${body.action}`,
      targetType: 'case',
      targetId: row.id,
      areaPath: row.areaPath,
      outcome: 'success',
      details: { number: row.number, from: row.status, to: effect.to, version },
    });
  });
  // The actor just acted on it: it gets the answer even when the action moved the case out of its scope (return).
  return detailOf(ctx, actor, caseId, { afterAction: true });
}

// ---- reading ----------------------------------------------------------------------------------------

const leadDept = alias(departments, 'lead_dept');

/** The case rows joined with the names every view shows. */
export function selectCases(db: Tx) {
  return db
    .select({
      c: cases,
      categoryName: categories.name,
      areaName: areas.name,
      leadDepartmentName: leadDept.name,
      // A correlated count on the (case_id, created_at) index: cheap for a page of 50, whatever the table size.
      photoCount: sql<number>`(select count(*)::int from ${caseAttachments} where ${caseAttachments.caseId} = ${cases.id})`,
    })
    .from(cases)
    .innerJoin(categories, eq(categories.id, cases.categoryId))
    .innerJoin(areas, eq(areas.code, cases.areaCode))
    .leftJoin(leadDept, eq(leadDept.id, cases.leadDepartmentId));
}

/** The columns of a case its summary shows (a list reads only these). */
export const SUMMARY_COLUMNS = [
  'id',
  'number',
  'channel',
  'categoryId',
  'matterClass',
  'urgency',
  'title',
  'areaCode',
  'address',
  'status',
  'level',
  'leadDepartmentId',
  'dueAt',
  'supervised',
  'overdueEscalatedAt',
  'reopenCount',
  'rating',
  'version',
  'createdAt',
  'updatedAt',
  'closedAt',
] as const satisfies readonly (keyof CaseRow)[];

/** The columns of a case its view shows besides its summary's. */
type ViewOnlyColumn =
  | 'sourceRef'
  | 'description'
  | 'areaPath'
  | 'lat'
  | 'lng'
  | 'reporterNameEnc'
  | 'reporterNameMasked'
  | 'reporterPhoneMasked'
  | 'callbackWanted'
  | 'answers'
  | 'holderPath'
  | 'coDepartmentIds'
  | 'mergedIntoId';

/** Columns as read: times may come as Date or as the driver's text. */
type AsRead<K extends keyof CaseRow> = Omit<
  Pick<CaseRow, K>,
  'dueAt' | 'overdueEscalatedAt' | 'createdAt' | 'updatedAt' | 'closedAt'
> & {
  dueAt: Date | string | null;
  overdueEscalatedAt: Date | string | null;
  createdAt: Date | string;
  updatedAt: Date | string;
  closedAt: Date | string | null;
};

/** A case's columns as its summary needs them. */
export type SummaryRow = AsRead<(typeof SUMMARY_COLUMNS)[number]>;
/** A case's columns as its view needs them. */
export type ViewRow = AsRead<(typeof SUMMARY_COLUMNS)[number] | ViewOnlyColumn>;

/** A case's row with the names and the photo count its views show. */
export type Joined<R extends SummaryRow = ViewRow> = {
  c: R;
  categoryName: string;
  areaName: string;
  leadDepartmentName: string | null;
  photoCount: number;
};

/** A reporter's encrypted name, masked; '*' when it no longer decrypts (written under a key the server lacks). */
export function maskEncryptedName(ctx: AppContext, enc: string): string {
  try {
    return maskName(ctx.secrets.decrypt(enc));
  } catch {
    return '*';
  }
}

/** A case as a list shows it (CaseSummary). */
export function toSummary(r: Joined<SummaryRow>, now: Date): CaseSummary {
  const c = r.c;
  const iso = (d: Date | string | null) => (d ? isoTimestamp(d) : null);
  return {
    id: c.id,
    number: c.number,
    channel: c.channel as CaseView['channel'],
    categoryId: c.categoryId,
    categoryName: r.categoryName,
    matterClass: c.matterClass as CaseView['matterClass'],
    urgency: c.urgency,
    title: c.title,
    areaCode: c.areaCode,
    areaName: r.areaName,
    address: c.address,
    status: c.status as CaseView['status'],
    level: c.level as CaseView['level'],
    leadDepartmentId: c.leadDepartmentId,
    leadDepartmentName: r.leadDepartmentName,
    dueAt: iso(c.dueAt),
    overdue: c.dueAt !== null && new Date(c.dueAt) < now && (LATE_STATUSES as string[]).includes(c.status),
    supervised: c.supervised,
    overdueEscalatedAt: iso(c.overdueEscalatedAt),
    photoCount: Number(r.photoCount),
    reopenCount: c.reopenCount,
    rating: c.rating as CaseView['rating'],
    version: c.version,
    createdAt: iso(c.createdAt)!,
    updatedAt: iso(c.updatedAt)!,
    closedAt: iso(c.closedAt),
  };
}

/** A case row as every answer about one case shows it (reporter masked). */
export function toView(ctx: AppContext, r: Joined, now: Date): CaseView {
  const c = r.c;
  // Kept masked since migration 0024; an older row's name is decrypted to be masked.
  const reporterName =
    c.reporterNameMasked ?? (c.reporterNameEnc ? maskEncryptedName(ctx, c.reporterNameEnc) : null);
  return {
    ...toSummary(r, now),
    sourceRef: c.sourceRef,
    description: c.description,
    areaPath: c.areaPath,
    lat: c.lat,
    lng: c.lng,
    reporterName,
    reporterPhone: c.reporterPhoneMasked,
    callbackWanted: c.callbackWanted,
    answers: (c.answers ?? {}) as Record<string, unknown>,
    holderPath: c.holderPath,
    coDepartmentIds: Array.isArray(c.coDepartmentIds) ? (c.coDepartmentIds as string[]) : [],
    mergedIntoId: c.mergedIntoId,
  };
}

/** One case the actor may read, with the actions it may take now. */
export async function detailOf(
  ctx: AppContext,
  actor: Actor | null,
  id: string,
  opts: { afterAction?: boolean } = {},
): Promise<CaseDetail> {
  const [r] = await selectCases(ctx.db).where(eq(cases.id, id)).limit(1);
  if (!r) throw new AppError('case.unknown');
  if (actor && !opts.afterAction && !caseReadable(new Ability(actor), actor, r.c))
    throw new AppError('forbidden');
  const facts = await factsOf(ctx.db, r.c);
  return { ...toView(ctx, r, new Date()), actions: actor ? availableActions(actor, facts) : [] };
}

/** The departments a case the actor may read can be dispatched or transferred to (those of its district). */
export async function dispatchDepartmentsOf(ctx: AppContext, actor: Actor, id: string) {
  const [row] = await ctx.db.select().from(cases).where(eq(cases.id, id)).limit(1);
  if (!row) throw new AppError('case.unknown');
  if (!caseReadable(new Ability(actor), actor, row)) throw new AppError('forbidden');
  return { items: await departmentsAbove(ctx, row.areaPath) };
}

/** The timeline of a case the actor may read, oldest first. */
export async function eventsOf(ctx: AppContext, actor: Actor, id: string) {
  const [row] = await ctx.db.select().from(cases).where(eq(cases.id, id)).limit(1);
  if (!row) throw new AppError('case.unknown');
  if (!caseReadable(new Ability(actor), actor, row)) throw new AppError('forbidden');
  const rows = await ctx.db
    .select()
    .from(caseEvents)
    .where(eq(caseEvents.caseId, id))
    .orderBy(asc(caseEvents.seq));
  const photos = await photosByStep(ctx.db, id);
  return rows.map((e) => ({
    seq: e.seq,
    attachmentIds: photos.get(e.seq) ?? [],
    action: e.action,
    fromStatus: e.fromStatus,
    toStatus: e.toStatus,
    actorName: e.actorName,
    actorRole: e.actorRole,
    note: e.note,
    data: (e.data ?? {}) as Record<string, unknown>,
    at: new Date(e.at).toISOString(),
  }));
}

export type { CaseAction };
