/**
 * Focus groups (重点人群): the tag tree (read by the roles that read residents, managed by the administrator), the
 * tags of residents (added and ended, never deleted, every change audited, detail values encrypted), and the lists and
 * counts per area of each group. A tag is visible to an assignment whose role is in the tag's `visibleRoles`, within
 * that assignment's area; a tag the reader may not see is absent from every answer, and asking for it is the same
 * 404 as for a tag that does not exist.
 */
import { and, asc, desc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import { chinaToday } from '../../../common/id-number';
import type { ResidentSummary } from '../../../common/schemas/people';
import {
  TAG_ROLES,
  type ResidentTag,
  type ResidentTagCreate,
  type ResidentTagEnd,
  type ResidentTagList,
  type Tag,
  type TagCounts,
  type TagCountsQuery,
  type TagCreate,
  type TagDetails,
  type TagField,
  type TagListQuery,
  type TaggedResidentList,
  type TagResidentsQuery,
  type TagRole,
  type TagSensitivity,
  type TagUpdate,
} from '../../../common/schemas/tags';
import type { AppContext } from '../../context';
import { queryRows, type Tx } from '../../db/client';
import { AppError, invalidField, type FieldProblem } from '../../http/errors';
import { Ability, pathWithin, type Actor } from '../../policy/ability';
import { scopeWhere } from '../../policy/scope';
import { areas } from '../areas/tables';
import { auditActor, type RequestMeta } from '../areas/audit-meta';
import { appendAudit } from '../audit/log';
import { areaNames, summaryQuery, toSummary } from '../people/service';
import { residents } from '../people/tables';
import {
  changesOf,
  checkParent,
  ensureDefaultRows,
  orderTree,
  saveChanges,
  trimName,
  trimNameEn,
} from '../../tree';
import { DEFAULT_TAGS, defaultVisibleRoles, type DefaultTag } from './default-tags';
import { residentTags, tags } from './tables';

export type TagRow = typeof tags.$inferSelect;
type ResidentRow = typeof residents.$inferSelect;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** The tree is kept shallow: groups, subgroups, two more levels. */
const MAX_DEPTH = 4;

// ---------------------------------------------------------------------------------------------------------
// Visibility
// ---------------------------------------------------------------------------------------------------------

/** The actor's assignments whose role tags may be shown to. */
function tagAssignments(actor: Actor): { role: TagRole; path: string }[] {
  return actor.assignments
    .filter((a) => (TAG_ROLES as readonly string[]).includes(a.role))
    .map((a) => ({ role: a.role as TagRole, path: a.areaPath }));
}

/** May the actor see this tag somewhere (the tree it receives)? */
export function seesTag(actor: Actor, tag: Pick<TagRow, 'visibleRoles'>): boolean {
  return tagAssignments(actor).some((a) => tag.visibleRoles.includes(a.role));
}

/** May the actor see this tag on a resident living at `areaPath`? */
export function seesTagAt(actor: Actor, tag: Pick<TagRow, 'visibleRoles'>, areaPath: string): boolean {
  return tagAssignments(actor).some((a) => tag.visibleRoles.includes(a.role) && pathWithin(areaPath, a.path));
}

/** The SQL twin of `seesTagAt`, over an area-path expression and a tag's visible_roles expression. */
function visibleSql(actor: Actor, areaPath: SQL, visibleRoles: SQL): SQL {
  const parts = tagAssignments(actor).map(
    (a) => sql`(${areaPath} like ${a.path + '%'} and ${a.role} = any(${visibleRoles}))`,
  );
  return parts.length ? sql`(${sql.join(parts, sql` or `)})` : sql`false`;
}

/** Active tags whose ancestors are all active. */
function activeOnly(all: TagRow[], rows: TagRow[]): TagRow[] {
  const byId = new Map(all.map((r) => [r.id, r]));
  const live = (r: TagRow | undefined, depth = 0): boolean =>
    !r || depth > MAX_DEPTH + 1
      ? true
      : r.active && live(r.parentId ? byId.get(r.parentId) : undefined, depth + 1);
  return rows.filter((r) => live(r));
}

/**
 * The tags the actor sees, in tree order. `tree`: the administrator sees every tag (to manage the tree); lists and
 * counts of residents pass false, so that only the tags its roles are allowed count there.
 */
async function visibleTags(tx: Tx, actor: Actor, active: boolean, tree = false): Promise<TagRow[]> {
  const all = await tx.select().from(tags);
  let rows = tree && new Ability(actor).can('manage', 'Tag') ? all : all.filter((t) => seesTag(actor, t));
  if (active) rows = activeOnly(all, rows);
  return orderTree(rows);
}

/** A tag and the visible tags below it: a group's members hold any of them. */
function groupOf(tag: TagRow, visible: TagRow[]): TagRow[] {
  const below = new Map<string, TagRow[]>();
  for (const t of visible) {
    if (!t.parentId) continue;
    const list = below.get(t.parentId) ?? [];
    list.push(t);
    below.set(t.parentId, list);
  }
  const out: TagRow[] = [];
  const seen = new Set<string>();
  const walk = (t: TagRow) => {
    if (seen.has(t.id)) return;
    seen.add(t.id);
    out.push(t);
    for (const c of below.get(t.id) ?? []) walk(c);
  };
  walk(tag);
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// The tag tree
// ---------------------------------------------------------------------------------------------------------

/** A tag row as the API answers it. */
export function toTag(row: TagRow): Tag {
  return {
    id: row.id,
    code: row.code,
    parentId: row.parentId,
    name: row.name,
    nameEn: row.nameEn,
    sensitivity: row.sensitivity as TagSensitivity,
    fields: (row.fields ?? []) as TagField[],
    visibleRoles: row.visibleRoles as TagRole[],
    active: row.active,
    sort: row.sort,
    version: row.version,
    updatedAt: new Date(row.updatedAt).toISOString(),
  };
}

/** The tag tree the reader may see (flat, parents first); the administrator sees every tag. */
export async function listTags(ctx: AppContext, actor: Actor, query: TagListQuery): Promise<Tag[]> {
  new Ability(actor).authorize('read', 'Tag');
  return (await visibleTags(ctx.db, actor, query.active ?? true, true)).map(toTag);
}

/** A tag the reader may see; 404 tag.unknown otherwise, exactly as for one that does not exist. */
async function loadTag(tx: Tx, actor: Actor, id: string): Promise<TagRow> {
  if (!UUID.test(id)) throw new AppError('tag.unknown');
  const [row] = await tx.select().from(tags).where(eq(tags.id, id));
  if (!row) throw new AppError('tag.unknown');
  if (!new Ability(actor).can('manage', 'Tag') && !seesTag(actor, row)) throw new AppError('tag.unknown');
  return row;
}

/** One tag the reader may see. */
export async function getTag(ctx: AppContext, actor: Actor, id: string): Promise<Tag> {
  new Ability(actor).authorize('read', 'Tag');
  return toTag(await loadTag(ctx.db, actor, id));
}

/** Keys unique; select fields carry options, the others none; bounds only on numbers, in order. */
function checkFields(fields: TagField[] | undefined): TagField[] | undefined {
  if (fields === undefined) return undefined;
  const keys = new Set<string>();
  fields.forEach((f, i) => {
    if (keys.has(f.key)) throw invalidField(`body.fields.${i}.key`, 'unique');
    keys.add(f.key);
    if (f.type === 'select' && !f.options?.length) throw invalidField(`body.fields.${i}.options`, 'required');
    if (f.type !== 'select' && f.options !== undefined)
      throw invalidField(`body.fields.${i}.options`, 'invalid');
    if (f.type !== 'number' && (f.min !== undefined || f.max !== undefined || f.integer !== undefined))
      throw invalidField(`body.fields.${i}.type`, 'invalid');
    if (f.min !== undefined && f.max !== undefined && f.min > f.max)
      throw invalidField(`body.fields.${i}.max`, 'minimum', f.min);
    if (f.options && new Set(f.options).size !== f.options.length)
      throw invalidField(`body.fields.${i}.options`, 'unique');
  });
  return fields.map((f) => ({ ...f, label: f.label.trim() }));
}

/** The ids and parents of every tag, to check where one may be placed. */
function treeLinks(tx: Tx) {
  return tx.select({ id: tags.id, parentId: tags.parentId }).from(tags);
}

function auditTag(
  tx: Tx,
  actor: Actor | null,
  meta: RequestMeta,
  action: string,
  row: TagRow,
  details: Record<string, unknown>,
) {
  return appendAudit(tx, {
    ...auditActor(actor, meta),
    action,
    targetType: 'tag',
    targetId: row.id,
    outcome: 'success',
    details: { code: row.code, ...details },
  });
}

/** Creates a tag (manage Tag); a code taken is 409 tag.code_taken, an unknown parent 400 on body.parentId. */
export async function createTag(
  ctx: AppContext,
  actor: Actor,
  input: TagCreate,
  meta: RequestMeta = {},
): Promise<Tag> {
  new Ability(actor).authorize('manage', 'Tag');
  const name = trimName(input.name, 'body.name');
  const fields = checkFields(input.fields) ?? [];
  const parentId = input.parentId ?? null;
  return ctx.db.transaction(async (tx) => {
    if (parentId !== null) checkParent(await treeLinks(tx), parentId, MAX_DEPTH);
    const [row] = await tx
      .insert(tags)
      .values({
        code: input.code,
        parentId,
        name,
        nameEn: trimNameEn(input.nameEn) ?? null,
        sensitivity: input.sensitivity,
        fields,
        visibleRoles: input.visibleRoles ?? defaultVisibleRoles(input.sensitivity),
        active: input.active ?? true,
        sort: input.sort ?? 0,
      })
      .onConflictDoNothing()
      .returning();
    if (!row) throw new AppError('tag.code_taken');
    await auditTag(tx, actor, meta, 'tag.create', row, {
      name,
      parentId,
      sensitivity: row.sensitivity,
      visibleRoles: row.visibleRoles,
    });
    return toTag(row);
  });
}

/**
 * Changes a tag (rename, move, sensitivity, fields, visibility, deactivate); a stale version is 409 conflict.
 * Changing the sensitivity without naming the roles resets them to that sensitivity's default.
 */
export async function updateTag(
  ctx: AppContext,
  actor: Actor,
  id: string,
  input: TagUpdate,
  meta: RequestMeta = {},
): Promise<Tag> {
  new Ability(actor).authorize('manage', 'Tag');
  const name = input.name === undefined ? undefined : trimName(input.name, 'body.name');
  const fields = checkFields(input.fields);
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx.select().from(tags).where(eq(tags.id, id)).for('update');
    if (!row) throw new AppError('tag.unknown');
    if (input.version !== undefined && input.version !== row.version) throw new AppError('conflict');
    if (input.parentId !== undefined && input.parentId !== null && input.parentId !== row.parentId)
      checkParent(await treeLinks(tx), input.parentId, MAX_DEPTH, id);
    const sensitivityChanged = input.sensitivity !== undefined && input.sensitivity !== row.sensitivity;
    const visibleRoles =
      input.visibleRoles ?? (sensitivityChanged ? defaultVisibleRoles(input.sensitivity!) : undefined);
    const next: Partial<Record<keyof TagRow, unknown>> = {
      parentId: input.parentId,
      name,
      nameEn: trimNameEn(input.nameEn),
      sensitivity: input.sensitivity,
      fields,
      visibleRoles,
      active: input.active,
      sort: input.sort,
    };
    const update = changesOf(row, next, 'fields');
    if (Object.keys(update.changes).length === 0) return toTag(row);
    return toTag(await saveChanges(tx, tags, 'tag', row, update, actor, meta));
  });
}

/**
 * Inserts the default tags that are missing, by code. Idempotent, and never overwrites what an administrator changed.
 * Call it at start-up after the migrations (and in the demo seed).
 */
export async function ensureDefaultTags(ctx: Pick<AppContext, 'db'>): Promise<{ inserted: number }> {
  return ensureDefaultRows<DefaultTag>(ctx, tags, 'tag', DEFAULT_TAGS, (node) => ({
    name: node.name,
    nameEn: node.nameEn,
    sensitivity: node.sensitivity,
    fields: node.fields ?? [],
    visibleRoles: defaultVisibleRoles(node.sensitivity),
  }));
}

// ---------------------------------------------------------------------------------------------------------
// Residents' tags
// ---------------------------------------------------------------------------------------------------------

/** A real calendar day YYYY-MM-DD. */
function realDay(value: string): boolean {
  if (!DAY.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** Checks detail values against a tag's field definitions; names every field that is wrong. */
export function checkDetails(fields: TagField[], details: TagDetails | undefined): TagDetails {
  const values = details ?? {};
  const problems: FieldProblem[] = [];
  const byKey = new Map(fields.map((f) => [f.key, f]));
  for (const key of Object.keys(values))
    if (!byKey.has(key)) problems.push({ field: `body.details.${key}`, rule: 'additionalProperties' });
  const out: TagDetails = {};
  for (const f of fields) {
    const field = `body.details.${f.key}`;
    const raw = values[f.key];
    const v = typeof raw === 'string' ? raw.trim() : raw;
    if (v === undefined || v === '') {
      if (f.required) problems.push({ field, rule: 'required' });
      continue;
    }
    if (f.type === 'number') {
      const n = typeof v === 'number' ? v : Number.NaN;
      if (!Number.isFinite(n)) problems.push({ field, rule: 'type', limit: 'number' });
      else if (f.integer && !Number.isInteger(n)) problems.push({ field, rule: 'type', limit: 'integer' });
      else if (f.min !== undefined && n < f.min) problems.push({ field, rule: 'minimum', limit: f.min });
      else if (f.max !== undefined && n > f.max) problems.push({ field, rule: 'maximum', limit: f.max });
      else out[f.key] = n;
    } else if (typeof v !== 'string') {
      problems.push({ field, rule: 'type', limit: 'string' });
    } else if (f.type === 'date') {
      if (!realDay(v)) problems.push({ field, rule: 'format', limit: 'date' });
      else out[f.key] = v;
    } else if (f.type === 'select') {
      if (!(f.options ?? []).includes(v))
        problems.push({ field, rule: 'enum', limit: (f.options ?? []).join(', ') });
      else out[f.key] = v;
    } else {
      out[f.key] = v;
    }
  }
  if (problems.length) throw new AppError('validation.failed', problems);
  return out;
}

/** A resident the actor may read; 404 resident.unknown otherwise; 403 when it may read but not change it. */
async function loadResident(
  tx: Tx,
  ability: Ability,
  id: string,
  action: 'read' | 'update',
): Promise<ResidentRow> {
  if (!UUID.test(id)) throw new AppError('resident.unknown');
  const [row] = await tx.select().from(residents).where(eq(residents.id, id));
  if (!row || !ability.can('read', 'Population', row.areaPath)) throw new AppError('resident.unknown');
  if (action !== 'read') ability.authorize(action, 'Population', row.areaPath);
  return row;
}

function decryptDetails(ctx: AppContext, box: string | null): TagDetails {
  return box ? (JSON.parse(ctx.secrets.decrypt(box)) as TagDetails) : {};
}

function toResidentTag(ctx: AppContext, link: typeof residentTags.$inferSelect, tag: TagRow): ResidentTag {
  return {
    id: link.id,
    residentId: link.residentId,
    tagId: tag.id,
    tagCode: tag.code,
    tagName: tag.name,
    tagNameEn: tag.nameEn,
    sensitivity: tag.sensitivity as TagSensitivity,
    details: decryptDetails(ctx, link.detailsEnc),
    fromDate: link.fromDate,
    toDate: link.toDate,
    note: link.note,
    endNote: link.endNote,
    createdAt: link.createdAt.toISOString(),
  };
}

function auditResidentTag(
  tx: Tx,
  actor: Actor,
  meta: RequestMeta,
  action: string,
  resident: ResidentRow,
  details: Record<string, unknown>,
) {
  // Never the detail values: the audit log is read by the auditor, who may not see them.
  return appendAudit(tx, {
    ...auditActor(actor, meta),
    action,
    targetType: 'resident',
    targetId: resident.id,
    areaPath: resident.areaPath,
    outcome: 'success',
    details,
  });
}

/**
 * The tags of a resident the reader may see (open ones; with `history` the ended ones too). Showing sensitive or
 * restricted details is recorded in the audit log (who looked at what is held about a person).
 */
export async function listResidentTags(
  ctx: AppContext,
  actor: Actor,
  residentId: string,
  opts: { history?: boolean },
  meta: RequestMeta = {},
): Promise<ResidentTagList> {
  const ability = new Ability(actor);
  ability.authorize('read', 'Population');
  const resident = await loadResident(ctx.db, ability, residentId, 'read');
  const conds = [eq(residentTags.residentId, resident.id)];
  if (!opts.history) conds.push(isNull(residentTags.toDate));
  const rows = await ctx.db
    .select({ link: residentTags, tag: tags })
    .from(residentTags)
    .innerJoin(tags, eq(tags.id, residentTags.tagId))
    .where(and(...conds))
    .orderBy(
      sql`${residentTags.toDate} is not null`,
      desc(residentTags.fromDate),
      desc(residentTags.createdAt),
    );
  const shown = rows.filter((r) => seesTagAt(actor, r.tag, resident.areaPath));
  const sensitive = shown.filter((r) => r.tag.sensitivity !== 'normal' && r.link.detailsEnc !== null);
  if (sensitive.length > 0)
    await auditResidentTag(ctx.db, actor, meta, 'resident_tag.view', resident, {
      tags: sensitive.map((r) => r.tag.code),
    });
  return {
    items: shown.map((r) => toResidentTag(ctx, r.link, r.tag)),
    canEdit: ability.can('update', 'Population', resident.areaPath),
  };
}

/** Tags a resident: the tag must be one the actor sees there and active, the details fit its fields. */
export async function tagResident(
  ctx: AppContext,
  actor: Actor,
  residentId: string,
  input: ResidentTagCreate,
  meta: RequestMeta = {},
): Promise<ResidentTag> {
  const ability = new Ability(actor);
  ability.authorize('update', 'Population');
  return ctx.db.transaction(async (tx) => {
    const resident = await loadResident(tx, ability, residentId, 'update');
    const [tag] = await tx.select().from(tags).where(eq(tags.id, input.tagId));
    if (!tag || !seesTagAt(actor, tag, resident.areaPath)) throw new AppError('tag.unknown');
    if (!tag.active) throw invalidField('body.tagId', 'inactive');
    if (resident.status !== 'alive') throw new AppError('resident.not_alive');
    const details = checkDetails((tag.fields ?? []) as TagField[], input.details);
    const today = chinaToday();
    const fromDate = input.fromDate ?? today;
    if (fromDate > today) throw invalidField('body.fromDate', 'future');
    const [link] = await tx
      .insert(residentTags)
      .values({
        residentId: resident.id,
        tagId: tag.id,
        detailsEnc: Object.keys(details).length ? ctx.secrets.encrypt(JSON.stringify(details)) : null,
        fromDate,
        note: input.note?.trim() || null,
        createdBy: actor.accountId,
      })
      .onConflictDoNothing()
      .returning();
    if (!link) throw new AppError('resident_tag.duplicate');
    await auditResidentTag(tx, actor, meta, 'resident_tag.add', resident, {
      tag: tag.code,
      residentTagId: link.id,
      fromDate,
      fields: Object.keys(details),
    });
    return toResidentTag(ctx, link, tag);
  });
}

/** Ends a resident's tag (sets its to date); the row and its details stay as history. */
export async function endResidentTag(
  ctx: AppContext,
  actor: Actor,
  residentId: string,
  residentTagId: string,
  input: ResidentTagEnd,
  meta: RequestMeta = {},
): Promise<ResidentTag> {
  const ability = new Ability(actor);
  ability.authorize('update', 'Population');
  return ctx.db.transaction(async (tx) => {
    const resident = await loadResident(tx, ability, residentId, 'update');
    const [row] = await tx
      .select({ link: residentTags, tag: tags })
      .from(residentTags)
      .innerJoin(tags, eq(tags.id, residentTags.tagId))
      .where(and(eq(residentTags.id, residentTagId), eq(residentTags.residentId, resident.id)))
      .for('update', { of: residentTags });
    if (!row || !seesTagAt(actor, row.tag, resident.areaPath)) throw new AppError('resident_tag.unknown');
    if (row.link.toDate !== null) throw new AppError('resident_tag.ended');
    const today = chinaToday();
    const toDate = input.toDate ?? today;
    if (toDate > today) throw invalidField('body.toDate', 'future');
    if (toDate < row.link.fromDate) throw invalidField('body.toDate', 'dateOrder', row.link.fromDate);
    const [ended] = await tx
      .update(residentTags)
      .set({ toDate, endedBy: actor.accountId, endedAt: sql`now()`, endNote: input.note?.trim() || null })
      .where(and(eq(residentTags.id, row.link.id), isNull(residentTags.toDate)))
      .returning();
    if (!ended) throw new AppError('resident_tag.ended');
    await auditResidentTag(tx, actor, meta, 'resident_tag.end', resident, {
      tag: row.tag.code,
      residentTagId: row.link.id,
      toDate,
    });
    return toResidentTag(ctx, ended, row.tag);
  });
}

// ---------------------------------------------------------------------------------------------------------
// Lists and counts per area
// ---------------------------------------------------------------------------------------------------------

interface AreaRow {
  code: string;
  path: string;
  name: string;
}

/** The area asked for (or the reader's own), which the reader must read residents of; 403 otherwise. */
async function scopeArea(tx: Tx, ability: Ability, code: string | undefined): Promise<AreaRow> {
  const cols = { code: areas.code, path: areas.path, name: areas.name };
  let row: AreaRow | undefined;
  if (code === undefined) {
    const [own] = ability.paths('read', 'Population');
    if (own !== undefined) [row] = await tx.select(cols).from(areas).where(eq(areas.path, own));
  } else {
    [row] = await tx.select(cols).from(areas).where(eq(areas.code, code));
    if (!row) throw invalidField('querystring.areaCode', 'exists');
  }
  if (!row) throw new AppError('forbidden');
  ability.authorize('read', 'Population', row.path);
  return row;
}

/** The condition on an open, visible tag of the group, for residents aliased `r` and tags links `rt`/`t`. */
function groupCondition(actor: Actor, group: TagRow[]): SQL {
  const ids = sql.join(
    group.map((t) => sql`${t.id}::uuid`),
    sql`, `,
  );
  return sql`rt.to_date is null and rt.tag_id in (${ids}) and ${visibleSql(actor, sql`r.area_path`, sql`t.visible_roles`)}`;
}

/**
 * Residents (alive) holding a tag or a visible tag below it now, per child area of an area (e.g. per grid of a
 * community), for every active tag the reader sees. Residents placed at the area itself form a last column.
 */
export async function tagCounts(ctx: AppContext, actor: Actor, query: TagCountsQuery): Promise<TagCounts> {
  const ability = new Ability(actor);
  ability.authorize('read', 'Population');
  const area = await scopeArea(ctx.db, ability, query.areaCode);
  const children = await ctx.db
    .select({ code: areas.code, path: areas.path, name: areas.name })
    .from(areas)
    .where(and(eq(areas.parentCode, area.code), sql`${areas.path} like ${area.path + '%'}`))
    .orderBy(asc(areas.code));
  const visible = await visibleTags(ctx.db, actor, true);
  const childLen = children[0]?.path.length ?? area.path.length;
  const pairs = visible.flatMap((t) => groupOf(t, visible).map((m) => [t.id, m.id] as const));
  const rows =
    pairs.length === 0
      ? []
      : await queryRows<{ tag_id: string; bucket: string; n: number }>(
          ctx.db,
          sql`select m.anc::text as tag_id, left(r.area_path, ${childLen}) as bucket,
                     count(distinct rt.resident_id)::int as n
              from resident_tags rt
              join (values ${sql.join(
                pairs.map(([a, m]) => sql`(${a}::uuid, ${m}::uuid)`),
                sql`, `,
              )}) as m(anc, member) on m.member = rt.tag_id
              join tags t on t.id = rt.tag_id
              join residents r on r.id = rt.resident_id
              where rt.to_date is null and r.status = 'alive'
                and r.area_path like ${area.path + '%'}
                and ${scopeWhere(ability, 'read', 'Population', sql`r.area_path`)}
                and ${visibleSql(actor, sql`r.area_path`, sql`t.visible_roles`)}
              group by 1, 2`,
        );
  const buckets: { path: string; code: string | null; name: string | null }[] = children.length
    ? children.map((c) => ({ path: c.path, code: c.code, name: c.name }))
    : [{ path: area.path, code: area.code, name: area.name }];
  const ownBucket = children.length > 0 && rows.some((r) => r.bucket === area.path && r.n > 0);
  if (ownBucket) buckets.push({ path: area.path, code: null, name: null });
  const index = new Map(buckets.map((b, i) => [b.path, i]));
  const counts = new Map<string, number[]>(visible.map((t) => [t.id, buckets.map(() => 0)]));
  for (const r of rows) {
    const i = index.get(r.bucket);
    const list = counts.get(r.tag_id);
    if (i !== undefined && list) list[i] = Number(r.n);
  }
  return {
    areaCode: area.code,
    areaName: area.name,
    areas: buckets.map((b) => ({ areaCode: b.code, areaName: b.name })),
    rows: visible.map((t) => {
      const list = counts.get(t.id)!;
      return { tagId: t.id, counts: list, total: list.reduce((a, b) => a + b, 0) };
    }),
  };
}

/** The residents (alive, within scope) of a group: holding the tag or a visible tag below it now; numbers masked. */
export async function tagResidents(
  ctx: AppContext,
  actor: Actor,
  tagId: string,
  query: TagResidentsQuery,
): Promise<TaggedResidentList> {
  const ability = new Ability(actor);
  ability.authorize('read', 'Population');
  const tag = await loadTag(ctx.db, actor, tagId);
  if (!seesTag(actor, tag)) throw new AppError('tag.unknown');
  const visible = await visibleTags(ctx.db, actor, false);
  const group = groupOf(tag, visible);
  const area = query.areaCode === undefined ? null : await scopeArea(ctx.db, ability, query.areaCode);
  const where = sql`r.status = 'alive'
    and ${scopeWhere(ability, 'read', 'Population', sql`r.area_path`)}
    ${area ? sql`and r.area_path like ${area.path + '%'}` : sql``}
    and exists (select 1 from resident_tags rt join tags t on t.id = rt.tag_id
                where rt.resident_id = r.id and ${groupCondition(actor, group)})`;
  const page = await queryRows<{ id: string; area_path: string }>(
    ctx.db,
    sql`select r.id::text as id, r.area_path from residents r where ${where}
        order by r.name_initials, r.name, r.id limit ${query.limit ?? 50} offset ${query.offset ?? 0}`,
  );
  const [count] = await queryRows<{ n: number }>(
    ctx.db,
    sql`select count(*)::int as n from residents r where ${where}`,
  );
  const total = Number(count?.n ?? 0);
  const ids = page.map((p) => p.id);
  if (ids.length === 0) return { items: [], total };
  const summaries = await summaryQuery(ctx.db).where(inArray(residents.id, ids));
  const names = await areaNames(
    ctx.db,
    summaries.map((s) => s.areaCode),
  );
  const byId = new Map<string, ResidentSummary>(summaries.map((s) => [s.id, toSummary(s, names)]));
  const groupById = new Map(group.map((t) => [t.id, t]));
  const links = await ctx.db
    .select({
      residentId: residentTags.residentId,
      tagId: residentTags.tagId,
      fromDate: residentTags.fromDate,
    })
    .from(residentTags)
    .where(
      and(
        inArray(residentTags.residentId, ids),
        inArray(
          residentTags.tagId,
          group.map((t) => t.id),
        ),
        isNull(residentTags.toDate),
      ),
    );
  const items = page.flatMap((p) => {
    const resident = byId.get(p.id);
    if (!resident) return [];
    const held = links
      .filter((l) => l.residentId === p.id)
      .map((l) => ({ l, t: groupById.get(l.tagId)! }))
      .filter(({ t }) => seesTagAt(actor, t, p.area_path))
      .map(({ l, t }) => ({ tagId: t.id, tagName: t.name, fromDate: l.fromDate }));
    return [{ ...resident, tags: held }];
  });
  return { items, total };
}
