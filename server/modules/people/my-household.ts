/**
 * The resident's own view of the register (我的家庭信息): the households of the signed-in resident, their members
 * (numbers masked, also the resident's own) and who looked at those records. A resident account is linked to a
 * resident record by its phone number: the account's keyed phone hash equals the record's (the same key and
 * purpose, 'phone'); the number was proven by the SMS code the resident logged in with. Only living residents with
 * a current household count, and when the account has a home area (accounts made by staff), only residents of that
 * district. Staff are named in the access log by role and unit, never by name or phone.
 *
 * Focus-group tags (what is held about the members, issue 4 item 4). Decision: a resident sees every tag held about
 * himself, sensitive and restricted ones included, with their detail values: it is his own right of access to his
 * personal information (PIPL art. 45), and the tag's role list governs staff, not the data subject. About the other
 * members of his household he sees only tags of the lowest sensitivity ('normal', e.g. 独居老人), without detail
 * values: a sensitive or restricted tag of another member (低保, 残疾, 社区矫正 …) is that member's sensitive personal
 * information (PIPL art. 28) and is absent, as it is for staff roles not allowed it. Ended tags are shown too (the
 * register keeps them). The resident's own reads are not audited: the access log lists other people's accesses.
 */
import { and, desc, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Role } from '../../../common/roles';
import {
  ACCESS_SHOWN,
  type AccessKind,
  type MyAccess,
  type MyHousehold,
  type MyHouseholds,
  type MyTag,
  type MyTagDetail,
} from '../../../common/schemas/my-household';
import type { TagField, TagSensitivity } from '../../../common/schemas/tags';
import type {
  HouseholdRelation,
  HouseholdType,
  ResidenceType,
  RevealField,
} from '../../../common/schemas/people';
import type { AppContext } from '../../context';
import { AppError } from '../../http/errors';
import type { Actor } from '../../policy/ability';
import { accounts, assignments } from '../accounts/tables';
import { areas, departments } from '../areas/tables';
import { auditLog } from '../audit/tables';
import { residentTags, tags } from '../tags/tables';
import { areaNames, dwellingLabels } from './service';
import { householdMembers, households, residents } from './tables';

/** A resident account (residents sign in by SMS; tests and the demo also give staff-kind accounts the role). */
function isResident(actor: Actor): boolean {
  return actor.kind === 'resident' || actor.assignments.some((a) => a.role === 'resident');
}

/** What an audit action tells the resident: a read, a reveal, an export, or a change of the record. */
function accessKind(action: string): AccessKind {
  if (action === 'personal.view') return 'view';
  if (action === 'personal.reveal') return 'reveal';
  if (action.endsWith('.export') || action.startsWith('personal.export')) return 'export';
  return 'change';
}

interface StaffPost {
  role: Role;
  areaPath: string;
  unit: string | null;
}

/** Every assignment (also revoked ones: the log is history) of the given accounts, with its unit's name. */
async function postsOf(ctx: AppContext, accountIds: string[]): Promise<Map<string, StaffPost[]>> {
  const out = new Map<string, StaffPost[]>();
  if (accountIds.length === 0) return out;
  const rows = await ctx.db
    .select({
      accountId: assignments.accountId,
      role: assignments.role,
      areaPath: assignments.areaPath,
      areaName: areas.name,
      departmentName: departments.name,
    })
    .from(assignments)
    .leftJoin(areas, eq(areas.code, assignments.areaCode))
    .leftJoin(departments, eq(departments.id, assignments.departmentId))
    .where(inArray(assignments.accountId, accountIds))
    .orderBy(assignments.createdAt);
  for (const r of rows) {
    const list = out.get(r.accountId) ?? [];
    list.push({ role: r.role as Role, areaPath: r.areaPath, unit: r.departmentName ?? r.areaName ?? null });
    out.set(r.accountId, list);
  }
  return out;
}

/** The post an entry was made in: the deepest assignment whose subtree holds the record, else the first one. */
function postFor(posts: StaffPost[] | undefined, areaPath: string | null): StaffPost | null {
  if (!posts?.length) return null;
  const holding = posts
    .filter((p) => areaPath !== null && areaPath.startsWith(p.areaPath))
    .sort((a, b) => b.areaPath.length - a.areaPath.length);
  return holding[0] ?? posts[0]!;
}

/**
 * The tags held about the given members that the signed-in resident may see (the rule is in the module comment):
 * all of his own (`selfIds`) with details, the others' normal ones without. By resident id, open tags first.
 */
async function tagsHeld(
  ctx: AppContext,
  memberIds: string[],
  selfIds: Set<string>,
): Promise<Map<string, MyTag[]>> {
  const out = new Map<string, MyTag[]>();
  if (memberIds.length === 0) return out;
  const others = memberIds.filter((id) => !selfIds.has(id));
  const own = memberIds.filter((id) => selfIds.has(id));
  // The filter is in SQL, so another member's sensitive rows are never read, not merely left out afterwards.
  const visible: SQL[] = [];
  if (own.length) visible.push(inArray(residentTags.residentId, own));
  if (others.length)
    visible.push(and(inArray(residentTags.residentId, others), eq(tags.sensitivity, 'normal'))!);
  const rows = await ctx.db
    .select({
      id: residentTags.id,
      residentId: residentTags.residentId,
      detailsEnc: residentTags.detailsEnc,
      fromDate: residentTags.fromDate,
      toDate: residentTags.toDate,
      code: tags.code,
      name: tags.name,
      nameEn: tags.nameEn,
      sensitivity: tags.sensitivity,
      fields: tags.fields,
    })
    .from(residentTags)
    .innerJoin(tags, eq(tags.id, residentTags.tagId))
    .where(or(...visible))
    .orderBy(sql`${residentTags.toDate} is not null`, desc(residentTags.fromDate), tags.sort);
  for (const r of rows) {
    const self = selfIds.has(r.residentId);
    const list = out.get(r.residentId) ?? [];
    list.push({
      id: r.id,
      code: r.code,
      name: r.name,
      nameEn: r.nameEn,
      sensitivity: r.sensitivity as TagSensitivity,
      fromDate: r.fromDate,
      toDate: r.toDate,
      details: self ? labelledDetails(ctx, r.fields as TagField[], r.detailsEnc) : null,
    });
    out.set(r.residentId, list);
  }
  return out;
}

/** A tag's decrypted detail values in the order of its field definitions, labelled; unknown keys last. */
function labelledDetails(ctx: AppContext, fields: TagField[], box: string | null): MyTagDetail[] {
  if (!box) return [];
  const values = JSON.parse(ctx.secrets.decrypt(box)) as Record<string, string | number>;
  const out: MyTagDetail[] = [];
  for (const f of fields)
    if (values[f.key] !== undefined)
      out.push({ key: f.key, label: f.label, labelEn: f.labelEn ?? null, value: values[f.key]! });
  for (const [key, value] of Object.entries(values))
    if (!fields.some((f) => f.key === key)) out.push({ key, label: key, labelEn: null, value });
  return out;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** GET /api/me/household: the signed-in resident's households, members (masked) and access log. */
export async function myHouseholds(ctx: AppContext, actor: Actor): Promise<MyHouseholds> {
  if (!isResident(actor)) throw new AppError('forbidden');
  const [account] = await ctx.db
    .select({ phoneHash: accounts.phoneHash, homeAreaPath: accounts.homeAreaPath })
    .from(accounts)
    .where(eq(accounts.id, actor.accountId));
  if (!account?.phoneHash) return { households: [] };

  const conds: SQL[] = [eq(residents.phoneHash, account.phoneHash), eq(residents.status, 'alive')];
  if (account.homeAreaPath && account.homeAreaPath.length >= 6)
    conds.push(eq(residents.districtPath, account.homeAreaPath.slice(0, 6)));
  const selves = await ctx.db
    .select({ residentId: residents.id, householdId: householdMembers.householdId })
    .from(residents)
    .innerJoin(
      householdMembers,
      and(eq(householdMembers.residentId, residents.id), isNull(householdMembers.toDate)),
    )
    .where(and(...conds));
  const householdIds = [...new Set(selves.map((s) => s.householdId))];
  if (householdIds.length === 0) return { households: [] };
  const selfIds = new Set(selves.map((s) => s.residentId));

  const rows = await ctx.db
    .select()
    .from(households)
    .where(inArray(households.id, householdIds))
    .orderBy(households.number);
  const members = await ctx.db
    .select({
      householdId: householdMembers.householdId,
      relation: householdMembers.relation,
      id: residents.id,
      name: residents.name,
      gender: residents.gender,
      birthDate: residents.birthDate,
      idNumberMasked: residents.idNumberMasked,
      phoneMasked: residents.phoneMasked,
      residenceType: residents.residenceType,
    })
    .from(householdMembers)
    .innerJoin(residents, eq(residents.id, householdMembers.residentId))
    .where(and(inArray(householdMembers.householdId, householdIds), isNull(householdMembers.toDate)))
    .orderBy(sql`${householdMembers.relation} <> 'head'`, householdMembers.fromDate, residents.birthDate);
  const names = await areaNames(
    ctx.db,
    rows.map((h) => h.areaCode),
  );
  const held = await tagsHeld(ctx, [...new Set(members.map((m) => m.id))], selfIds);
  const labels = await dwellingLabels(
    ctx.db,
    rows.flatMap((h) => (h.dwellingId ? [h.dwellingId] : [])),
  );

  const out: MyHousehold[] = [];
  for (const h of rows) {
    const own = members.filter((m) => m.householdId === h.id);
    const nameOf = new Map(own.map((m) => [m.id, m.name]));
    const entries = await ctx.db
      .select({
        at: auditLog.at,
        action: auditLog.action,
        actorId: auditLog.actorId,
        targetType: auditLog.targetType,
        targetId: auditLog.targetId,
        areaPath: auditLog.areaPath,
        details: auditLog.details,
      })
      .from(auditLog)
      .where(
        and(
          or(
            and(
              eq(auditLog.targetType, 'resident'),
              inArray(
                auditLog.targetId,
                own.map((m) => m.id),
              ),
            ),
            and(eq(auditLog.targetType, 'household'), eq(auditLog.targetId, h.id)),
          ),
          eq(auditLog.outcome, 'success'),
          // Staff accesses: seeds and jobs (no account) and the resident's own account are not "someone else".
          sql`${auditLog.actorId} is not null and ${auditLog.actorId} <> ${actor.accountId}`,
        ),
      )
      .orderBy(desc(auditLog.at), desc(auditLog.id))
      .limit(ACCESS_SHOWN);
    const posts = await postsOf(ctx, [...new Set(entries.map((e) => e.actorId!))]);
    const access: MyAccess[] = entries.map((e) => {
      const d = (e.details ?? {}) as Record<string, unknown>;
      const post = postFor(posts.get(e.actorId!), e.areaPath);
      const field = d.field === 'idNumber' || d.field === 'phone' ? (d.field as RevealField) : null;
      return {
        at: e.at.toISOString(),
        kind: accessKind(e.action),
        action: e.action,
        residentName: e.targetType === 'resident' ? (nameOf.get(e.targetId ?? '') ?? null) : null,
        field,
        purpose: text(d.purpose),
        role: post?.role ?? null,
        unit: post?.unit ?? null,
      };
    });
    out.push({
      id: h.id,
      number: h.number,
      type: h.type as HouseholdType,
      areaName: names.get(h.areaCode) ?? null,
      dwellingLabel: h.dwellingId ? (labels.get(h.dwellingId) ?? null) : null,
      members: own.map((m) => ({
        id: m.id,
        name: m.name,
        relation: m.relation as HouseholdRelation,
        gender: m.gender as 'male' | 'female',
        birthDate: m.birthDate,
        idNumberMasked: m.idNumberMasked,
        phoneMasked: m.phoneMasked,
        residenceType: m.residenceType as ResidenceType,
        self: selfIds.has(m.id),
        tags: held.get(m.id) ?? [],
      })),
      access,
    });
  }
  return { households: out };
}
