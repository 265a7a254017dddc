/** Functional departments (职能部门) under districts: listing within scope and creating them. */
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Department, DepartmentCreate } from '../../../common/schemas/areas';
import type { AppContext } from '../../context';
import { AppError, invalidField } from '../../http/errors';
import { Ability, type Actor } from '../../policy/ability';
import { scopeWhere } from '../../policy/scope';
import { appendAudit } from '../audit/log';
import { auditActor, type RequestMeta } from './audit-meta';
import { parseCodeOrThrow } from './queries';
import { areas, departments } from './tables';

const NAME_MAX = 60;

const departmentColumns = {
  id: departments.id,
  name: departments.name,
  districtCode: departments.districtCode,
  districtName: areas.name,
  path: departments.areaPath,
};

/** The departments the actor may read, with their district's name, by district then name. */
export async function listDepartments(
  ctx: AppContext,
  ability: Ability,
  query: { district?: string } = {},
): Promise<Department[]> {
  if (query.district !== undefined) parseCodeOrThrow(query.district, 'querystring.district');
  // Deny by default: a role with no department rights anywhere is refused, not shown an empty list.
  ability.authorize('read', 'Department');
  return ctx.db
    .select(departmentColumns)
    .from(departments)
    .innerJoin(areas, eq(areas.code, departments.districtCode))
    .where(
      and(
        scopeWhere(ability, 'read', 'Department', departments.areaPath),
        query.district === undefined ? undefined : eq(departments.districtCode, query.district),
      ),
    )
    .orderBy(asc(departments.districtCode), asc(departments.name));
}

/**
 * The departments of the district a case lies in: where it may be dispatched or transferred (the case service checks
 * the same at the action). Readable by whoever may read the case; names of public bodies are not personal data.
 */
export async function departmentsAbove(ctx: AppContext, casePath: string): Promise<Department[]> {
  return ctx.db
    .select(departmentColumns)
    .from(departments)
    .innerJoin(areas, eq(areas.code, departments.districtCode))
    .where(sql`${casePath} like ${departments.areaPath} || '%'`)
    .orderBy(asc(departments.name));
}

/** Creates a department at a district's path; the same name twice in one district is 409 department.exists. */
export async function createDepartment(
  ctx: AppContext,
  actor: Actor | null,
  input: DepartmentCreate,
  meta: RequestMeta = {},
): Promise<Department> {
  const ability = actor ? new Ability(actor) : null;
  ability?.authorize('create', 'Department');
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (name.length < 1) throw invalidField('body.name', 'minLength', 1);
  if (name.length > NAME_MAX) throw invalidField('body.name', 'maxLength', NAME_MAX);
  const district = parseCodeOrThrow(input.districtCode, 'body.districtCode');

  return ctx.db.transaction(async (tx) => {
    const [area] = await tx
      .select({ code: areas.code, name: areas.name, path: areas.path, level: areas.level })
      .from(areas)
      .where(eq(areas.code, district.code));
    if (!area) throw new AppError('area.unknown');
    ability?.authorize('create', 'Department', area.path);
    if (area.level !== 'district') throw new AppError('area.not_district');
    const [row] = await tx
      .insert(departments)
      .values({ name, districtCode: area.code, areaPath: area.path })
      .onConflictDoNothing()
      .returning({ id: departments.id });
    if (!row) throw new AppError('department.exists');
    await appendAudit(tx, {
      ...auditActor(actor, meta),
      action: 'department.create',
      targetType: 'department',
      targetId: row.id,
      areaPath: area.path,
      outcome: 'success',
      details: { name, districtCode: area.code },
    });
    return { id: row.id, name, districtCode: area.code, districtName: area.name, path: area.path };
  });
}
