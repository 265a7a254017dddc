/**
 * Import of residents from a CSV or XLSX file already saved to a temporary file (routes.ts streams the upload
 * there). Rows stream through in batches of IMPORT_BATCH_ROWS: each row is checked with the shared validators
 * (common/id-number.ts, common/phone-number.ts, common/ethnicities.ts); valid rows of a batch are matched to the
 * register by the ID number's keyed hash within the district (one indexed statement per batch) and written in one
 * transaction, the residents and their events in one statement (json_to_recordset), so a row is written whole or
 * not at all. While one batch is written the next is read and checked. A batch that breaks is split in halves down
 * to the row that breaks it. Re-importing the same file changes nothing: an unchanged row is skipped, a changed one
 * is updated with a 'corrected' event naming the fields.
 */
import crypto from 'node:crypto';
import { and, eq, like, sql, type SQL } from 'drizzle-orm';
import { chinaToday, maskIdNumber, parseIdNumber } from '../../../../common/id-number';
import { ETHNICITIES } from '../../../../common/ethnicities';
import { translate } from '../../../../common/i18n';
import type { MessageKey } from '../../../../common/i18n';
import type { Locale } from '../../../../common/locale';
import { maskPhoneNumber, parsePhone, phoneLast4 } from '../../../../common/phone-number';
import {
  HOUSEHOLD_RELATIONS,
  NAME_MAX,
  type HouseholdRelation,
  type ResidenceType,
} from '../../../../common/schemas/people';
import {
  IMPORT_BATCH_ROWS,
  IO_HEADERS,
  REPORT_MAX_PROBLEMS,
  type ImportProblem,
  type ImportReport,
  type IoColumn,
  type IoRule,
} from '../../../../common/schemas/people-io';
import type { AppContext } from '../../../context';
import { queryRows, type Tx } from '../../../db/client';
import { textArray } from '../../../db/fragments';
import { AppError, invalidField } from '../../../http/errors';
import { Ability, pathWithin, type Actor } from '../../../policy/ability';
import type { RequestMeta } from '../../accounts/service';
import { areas } from '../../areas/tables';
import { appendAudit } from '../../audit/log';
import { buildings, dwellings, estates, units } from '../../housing/tables';
import { nameInitials } from '../service';
import { mapHeader, readSheetRows, type CellValue, type HeaderMap } from './spreadsheet';
import { excelSerialToDate, SheetError } from './xlsx';
import { ZipError } from './zip';

/** The note that marks the template's example row: such a row is skipped. */
export const EXAMPLE_ROW_NOTE = '示例行（导入时跳过）';

const RESIDENCE_BY_LABEL: Record<string, ResidenceType> = {
  户籍: 'registered',
  户籍人口: 'registered',
  常住: 'registered',
  流动: 'floating',
  流动人口: 'floating',
  境外: 'foreign',
  境外人员: 'foreign',
  境外人口: 'foreign',
  registered: 'registered',
  floating: 'floating',
  foreign: 'foreign',
};

/** Relation labels as registers write them (与户主关系), besides the codes themselves. */
const RELATION_BY_LABEL: Record<string, HouseholdRelation> = {
  户主: 'head',
  本人: 'head',
  配偶: 'spouse',
  妻: 'spouse',
  夫: 'spouse',
  妻子: 'spouse',
  丈夫: 'spouse',
  子: 'son',
  儿子: 'son',
  长子: 'son',
  次子: 'son',
  女: 'daughter',
  女儿: 'daughter',
  长女: 'daughter',
  次女: 'daughter',
  父母: 'parent',
  父亲: 'parent',
  母亲: 'parent',
  公婆: 'parent_in_law',
  岳父母: 'parent_in_law',
  '公婆/岳父母': 'parent_in_law',
  岳父: 'parent_in_law',
  岳母: 'parent_in_law',
  公公: 'parent_in_law',
  婆婆: 'parent_in_law',
  女婿: 'son_in_law',
  儿媳: 'daughter_in_law',
  孙子女: 'grandchild',
  '孙子女/外孙子女': 'grandchild',
  孙子: 'grandchild',
  孙女: 'grandchild',
  外孙子: 'grandchild',
  外孙女: 'grandchild',
  祖父母: 'grandparent',
  '祖父母/外祖父母': 'grandparent',
  兄弟姐妹: 'sibling',
  兄: 'sibling',
  弟: 'sibling',
  姐: 'sibling',
  妹: 'sibling',
  其他: 'other',
  ...Object.fromEntries(HOUSEHOLD_RELATIONS.map((r) => [r, r])),
};

const ETHNICITY_BY_NAME = new Map<string, string>();
for (const e of ETHNICITIES) {
  ETHNICITY_BY_NAME.set(e.code, e.code);
  ETHNICITY_BY_NAME.set(String(Number(e.code)), e.code);
  ETHNICITY_BY_NAME.set(e['zh-CN'], e.code);
  ETHNICITY_BY_NAME.set(e['zh-TW'], e.code);
  ETHNICITY_BY_NAME.set(e['zh-CN'].replace(/族$/, ''), e.code);
}

// eslint-disable-next-line no-control-regex -- control characters are refused in names and notes
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** A problem before it gets its message. */
interface RawProblem {
  column: IoColumn | null;
  rule: IoRule;
  limit?: string | number;
}

/** A valid row, ready to be matched against the register. */
interface ParsedRow {
  row: number;
  name: string;
  gender: 'male' | 'female';
  birthDate: string;
  idNumber: string | null;
  idHash: string | null;
  phone: string | null;
  ethnicity: string | null;
  residenceType: ResidenceType;
  permitExpiresOn: string | null;
  householdNumber: string | null;
  relation: HouseholdRelation | null;
  dwelling: DwellingRef | null;
  grid: AreaRef | null;
  note: string | null;
}

interface AreaRef {
  code: string;
  path: string;
}

interface DwellingRef {
  id: string;
  areaPath: string;
}

export interface ImportInput {
  file: string;
  format: 'xlsx' | 'csv';
  fileSha256: string;
  areaCode: string;
  locale: Locale;
}

/** Normalised building / unit / door parts, so 3栋 = 3 = 3号楼 and 2单元 = 2. */
function normBuilding(s: string): string {
  return s
    .replace(/\s/g, '')
    .replace(/(号楼|栋|幢|号|楼)$/, '')
    .toLowerCase();
}
function normUnit(s: string): string {
  return s.replace(/\s/g, '').replace(/单元$/, '').toLowerCase();
}
function normDoor(s: string): string {
  return s
    .replace(/\s/g, '')
    .replace(/(室|号)$/, '')
    .toLowerCase();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Dwellings in the target area by the labels a sheet can name them with. */
class DwellingIndex {
  private readonly byKey = new Map<string, DwellingRef | null>();
  private readonly byId = new Map<string, DwellingRef>();

  add(keys: string[], ref: DwellingRef) {
    this.byId.set(ref.id, ref);
    for (const k of keys) {
      // The same label twice (two estates with a 3栋) is ambiguous without the estate: null.
      this.byKey.set(k, this.byKey.has(k) && this.byKey.get(k)?.id !== ref.id ? null : ref);
    }
  }

  /** 淮河小区/3栋/2单元/301, 3栋 2单元 301, 3-2-301, 3栋2单元301室, or a dwelling id. */
  find(text: string): DwellingRef | null {
    const t = text.trim();
    if (UUID.test(t)) return this.byId.get(t.toLowerCase()) ?? null;
    let parts = t.split(/[\s/\\|,，、\-－—]+/).filter(Boolean);
    if (parts.length === 1) {
      const m = /^(.*?)([0-9A-Za-z]+)(?:栋|号楼|幢)([0-9A-Za-z]+)单元([0-9A-Za-z]+)室?$/.exec(t);
      if (m) parts = [m[1]!, m[2]!, m[3]!, m[4]!].filter(Boolean);
    }
    let key: string | null = null;
    if (parts.length === 3) key = `${normBuilding(parts[0]!)}|${normUnit(parts[1]!)}|${normDoor(parts[2]!)}`;
    else if (parts.length === 4)
      key = `${parts[0]!.trim()}|${normBuilding(parts[1]!)}|${normUnit(parts[2]!)}|${normDoor(parts[3]!)}`;
    return key ? (this.byKey.get(key) ?? null) : null;
  }
}

async function loadDwellingIndex(tx: Tx, areaPath: string): Promise<DwellingIndex> {
  const rows = await tx
    .select({
      id: dwellings.id,
      areaPath: dwellings.areaPath,
      number: dwellings.number,
      unit: units.number,
      building: buildings.name,
      buildingNumber: buildings.number,
      estate: estates.name,
    })
    .from(dwellings)
    .innerJoin(units, eq(units.id, dwellings.unitId))
    .innerJoin(buildings, eq(buildings.id, dwellings.buildingId))
    .leftJoin(estates, eq(estates.id, buildings.estateId))
    .where(and(like(dwellings.areaPath, `${areaPath}%`), sql`${dwellings.retiredAt} is null`));
  const index = new DwellingIndex();
  for (const r of rows) {
    const tail = `${normUnit(r.unit)}|${normDoor(r.number)}`;
    const names = new Set([
      normBuilding(r.building),
      ...(r.buildingNumber ? [normBuilding(r.buildingNumber)] : []),
    ]);
    const keys: string[] = [];
    for (const b of names) {
      keys.push(`${b}|${tail}`);
      if (r.estate) keys.push(`${r.estate}|${b}|${tail}`);
    }
    index.add(keys, { id: r.id, areaPath: r.areaPath });
  }
  return index;
}

/** A cell as trimmed text; numbers as their integer digits where they are whole. */
function cellText(v: CellValue | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(v);
  return v.replace(/^'/, '').trim();
}

/** A date cell: YYYY-MM-DD, YYYY/M/D, YYYYMMDD, YYYY年M月D日, or an Excel serial number. */
function cellDate(v: CellValue | undefined): string | null | 'bad' {
  if (v === null || v === undefined || (typeof v === 'string' && v.trim() === '')) return null;
  if (typeof v === 'number') return excelSerialToDate(v) ?? 'bad';
  const t = v.trim();
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(t) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(t);
  if (!m) return 'bad';
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (y < 1900 || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return 'bad';
  return `${m[1]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

interface RowContext {
  ctx: AppContext;
  header: HeaderMap;
  today: string;
  target: { code: string; path: string; level: string };
  grids: Map<string, AreaRef>;
  dwellingIndex: DwellingIndex;
  initials: Map<string, string>;
}

/** Checks one row; returns the parsed row or the problems (one per column, all columns checked). */
function checkRow(rc: RowContext, row: number, cells: CellValue[]): ParsedRow | RawProblem[] | 'skip' {
  const cell = (c: IoColumn) => {
    const i = rc.header.index[c];
    return i === undefined ? undefined : cells[i];
  };
  const text = (c: IoColumn) => cellText(cell(c));
  if (text('note') === EXAMPLE_ROW_NOTE) return 'skip';
  const problems: RawProblem[] = [];
  const add = (column: IoColumn | null, rule: IoRule, limit?: string | number) =>
    problems.push({ column, rule, ...(limit === undefined ? {} : { limit }) });

  const name = text('name');
  if (!name) add('name', 'required');
  else if (CONTROL.test(name)) add('name', 'characters');
  else if ([...name].length > NAME_MAX) add('name', 'tooLong', NAME_MAX);

  const rtText = text('residenceType');
  const residenceType = RESIDENCE_BY_LABEL[rtText];
  if (!rtText) add('residenceType', 'required');
  else if (!residenceType) add('residenceType', 'residenceType', '户籍/流动/境外');

  let gender: 'male' | 'female' | null = null;
  const gText = text('gender');
  if (gText) {
    if (['男', 'male', 'M', '1'].includes(gText)) gender = 'male';
    else if (['女', 'female', 'F', '2'].includes(gText)) gender = 'female';
    else add('gender', 'gender', '男/女');
  }
  let birthDate: string | null = null;
  const bd = cellDate(cell('birthDate'));
  if (bd === 'bad') add('birthDate', 'date', 'YYYY-MM-DD');
  else if (bd && (bd > rc.today || bd < '1900-01-01')) add('birthDate', 'birthDate');
  else birthDate = bd;

  let idNumber: string | null = null;
  const idCell = cell('idNumber');
  if (typeof idCell === 'number' && idCell > 1e15) add('idNumber', 'numeric');
  else {
    const idText = cellText(idCell);
    if (idText) {
      const parsed = parseIdNumber(idText, { today: rc.today });
      if (!parsed.ok) add('idNumber', parsed.rule);
      else {
        idNumber = parsed.idNumber;
        if (gender && gender !== parsed.gender) add('gender', 'idMismatch');
        if (birthDate && birthDate !== parsed.birthDate) add('birthDate', 'idMismatch');
        gender = parsed.gender;
        birthDate = parsed.birthDate;
      }
    } else if (residenceType !== 'foreign') add('idNumber', 'required');
  }
  if (!idNumber && residenceType === 'foreign') {
    if (!gText && !problems.some((p) => p.column === 'gender')) add('gender', 'required');
    if (!bd) add('birthDate', 'required');
  }

  let phone: string | null = null;
  const pText = text('phone');
  if (pText) {
    const p = parsePhone(pText);
    if (p.ok) phone = p.phone;
    else add('phone', p.rule);
  }
  let ethnicity: string | null = null;
  const eText = text('ethnicity');
  if (eText) {
    ethnicity = ETHNICITY_BY_NAME.get(eText) ?? ETHNICITY_BY_NAME.get(eText.padStart(2, '0')) ?? null;
    if (!ethnicity) add('ethnicity', 'ethnicity');
  }
  let permitExpiresOn: string | null = null;
  const pe = cellDate(cell('permitExpiresOn'));
  if (pe === 'bad') add('permitExpiresOn', 'date', 'YYYY-MM-DD');
  else if (pe && residenceType && residenceType !== 'floating') add('permitExpiresOn', 'notApplicable');
  else permitExpiresOn = pe;

  const householdNumber = text('householdNumber') || null;
  if (householdNumber && (CONTROL.test(householdNumber) || householdNumber.length > 40))
    add('householdNumber', 'format');
  let relation: HouseholdRelation | null = null;
  const relText = text('relation');
  if (relText) {
    relation = RELATION_BY_LABEL[relText] ?? null;
    if (!relation) add('relation', 'relation');
    else if (!householdNumber) add('relation', 'notApplicable');
  } else if (householdNumber) add('relation', 'required');

  let grid: AreaRef | null = null;
  const gridText = text('grid');
  if (gridText) {
    grid = rc.grids.get(gridText) ?? null;
    if (!grid) add('grid', 'grid');
  }
  let dwelling: DwellingRef | null = null;
  const dText = text('dwelling');
  if (dText) {
    dwelling = rc.dwellingIndex.find(dText);
    if (!dwelling) add('dwelling', 'dwelling');
    else if (grid && !pathWithin(dwelling.areaPath, grid.path)) add('dwelling', 'grid');
  }
  const note = text('note') || null;
  if (note && (CONTROL.test(note) || note.length > 500))
    add('note', note.length > 500 ? 'tooLong' : 'characters', 500);

  if (problems.length) return problems;
  return {
    row,
    name,
    gender: gender!,
    birthDate: birthDate!,
    idNumber,
    idHash: idNumber ? rc.ctx.secrets.keyedHash(idNumber, 'idnumber') : null,
    phone,
    ethnicity,
    residenceType: residenceType!,
    permitExpiresOn,
    householdNumber,
    relation,
    dwelling,
    grid,
    note,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Writing a batch
// ---------------------------------------------------------------------------------------------------------

interface Existing {
  id: string;
  name: string;
  gender: string;
  birth_date: string;
  id_number_hash: string | null;
  phone_hash: string | null;
  ethnicity: string | null;
  residence_type: string;
  permit_expires_on: string | null;
  area_code: string;
  area_path: string;
  note: string | null;
  status: string;
  version: number;
  member_id: string | null;
  member_household: string | null;
  member_relation: string | null;
  link_id: string | null;
  link_dwelling: string | null;
}

interface HouseholdState {
  id: string;
  number: string;
  head: string | null;
  dwellingId: string | null;
  livingType: string | null;
  isNew: boolean;
  areaCode: string;
  areaPath: string;
}

interface BatchOutcome {
  created: number;
  updated: number;
  unchanged: number;
  rejected: { row: number; column: IoColumn | null; rule: IoRule }[];
}

interface Writes {
  residents: Record<string, unknown>[];
  updates: Record<string, unknown>[];
  households: Record<string, unknown>[];
  heads: { h: string; r: string | null }[];
  closeMembers: string[];
  members: Record<string, unknown>[];
  closeLinks: string[];
  links: Record<string, unknown>[];
  events: Record<string, unknown>[];
}

interface ImportScope {
  ctx: AppContext;
  actor: Actor;
  ability: Ability;
  target: { code: string; path: string; level: string };
  communityCode: string;
  districtPath: string;
  today: string;
  initials: Map<string, string>;
  /** The target area and the grids under it, by path (a dwelling names its area by path). */
  areasByPath: Map<string, AreaRef>;
}

function initialsOf(scope: ImportScope, name: string): string {
  let v = scope.initials.get(name);
  if (v === undefined) {
    v = nameInitials(name);
    if (scope.initials.size > 200_000) scope.initials.clear();
    scope.initials.set(name, v);
  }
  return v;
}

function event(
  scope: ImportScope,
  residentId: string,
  areaPath: string,
  kind: string,
  extra: { householdId?: string | null; dwellingId?: string | null; data?: Record<string, unknown> },
) {
  return {
    resident_id: residentId,
    kind,
    occurred_on: scope.today,
    household_id: extra.householdId ?? null,
    dwelling_id: extra.dwellingId ?? null,
    area_path: areaPath,
    data: { ...(extra.data ?? {}), source: 'import' },
    actor_id: scope.actor.accountId,
    actor_name: scope.actor.displayName,
  };
}

const EXISTING_COLUMNS = sql`r.id, r.name, r.gender, r.birth_date::text as birth_date, r.id_number_hash, r.phone_hash,
  r.ethnicity, r.residence_type, r.permit_expires_on::text as permit_expires_on, r.area_code, r.area_path, r.note,
  r.status, r.version, m.id as member_id, m.household_id as member_household, m.relation as member_relation,
  l.id as link_id, l.dwelling_id as link_dwelling`;
const EXISTING_JOINS = sql`left join household_members m on m.resident_id = r.id and m.to_date is null
  left join resident_dwellings l on l.resident_id = r.id and l.to_date is null`;

/**
 * The residents a batch's rows already are, locked: by the ID number's keyed hash (one index probe per row through
 * the district's unique index), and foreign residents without one by name and birth date. Two statements, not one
 * with an OR: an OR of the two made PostgreSQL scan the whole district (and every open link) for each batch.
 */
async function lookUpExisting(tx: Tx, scope: ImportScope, rows: ParsedRow[]): Promise<Existing[]> {
  const hashes = rows.flatMap((r) => (r.idHash ? [r.idHash] : []));
  const foreign = rows.flatMap((r) => (r.idHash ? [] : [[r.name, r.birthDate]]));
  const out = hashes.length
    ? await queryRows<Existing>(
        tx,
        sql`select ${EXISTING_COLUMNS} from residents r ${EXISTING_JOINS}
            where r.district_path = ${scope.districtPath} and r.id_number_hash = any(${textArray(hashes)}::text[])
            for update of r`,
      )
    : [];
  if (foreign.length)
    out.push(
      ...(await queryRows<Existing>(
        tx,
        sql`select ${EXISTING_COLUMNS} from residents r ${EXISTING_JOINS}
            where r.district_path = ${scope.districtPath} and r.id_number_hash is null and r.residence_type = 'foreign'
              and (r.name, r.birth_date) in (select x->>0, (x->>1)::date from jsonb_array_elements(${JSON.stringify(foreign)}::jsonb) as x)
            for update of r`,
      )),
    );
  return out;
}

/** Matches and writes one batch of valid rows in one transaction. */
async function writeBatch(tx: Tx, scope: ImportScope, rows: ParsedRow[]): Promise<BatchOutcome> {
  const { ctx } = scope;
  const out: BatchOutcome = { created: 0, updated: 0, unchanged: 0, rejected: [] };
  const existing = await lookUpExisting(tx, scope, rows);
  const byHash = new Map<string, Existing>();
  for (const e of existing) byHash.set(e.id_number_hash ?? `${e.name}|${e.birth_date}`, e);

  const numbers = [...new Set(rows.flatMap((r) => (r.householdNumber ? [r.householdNumber] : [])))];
  const households = new Map<string, HouseholdState>();
  if (numbers.length) {
    const hs = await queryRows<{
      id: string;
      number: string;
      head_resident_id: string | null;
      dwelling_id: string | null;
      living_type: string | null;
      area_code: string;
      area_path: string;
    }>(
      tx,
      sql`select id, number, head_resident_id, dwelling_id, living_type, area_code, area_path from households
          where community_code = ${scope.communityCode} and number in (select jsonb_array_elements_text(${JSON.stringify(numbers)}::jsonb)) for update`,
    );
    for (const h of hs)
      households.set(h.number, {
        id: h.id,
        number: h.number,
        head: h.head_resident_id,
        dwellingId: h.dwelling_id,
        livingType: h.living_type,
        isNew: false,
        areaCode: h.area_code,
        areaPath: h.area_path,
      });
  }

  const w: Writes = {
    residents: [],
    updates: [],
    households: [],
    heads: [],
    closeMembers: [],
    members: [],
    closeLinks: [],
    links: [],
    events: [],
  };
  const headChanged = new Set<string>();

  for (const r of rows) {
    const key = r.idHash ?? `${r.name}|${r.birthDate}`;
    const cur = byHash.get(key) ?? null;
    // Where the row puts the resident: its grid, else its dwelling's area, else the import's area.
    let area: AreaRef =
      r.grid ?? (r.dwelling ? (scope.areasByPath.get(r.dwelling.areaPath) ?? scope.target) : scope.target);
    if (cur) {
      if (!scope.ability.can('update', 'Population', cur.area_path)) {
        out.rejected.push({ row: r.row, column: 'idNumber', rule: 'duplicateElsewhere' });
        continue;
      }
      // Without a grid or dwelling in the row, a resident already inside the import's area stays where it is.
      if (!r.grid && !r.dwelling && pathWithin(cur.area_path, scope.target.path))
        area = { code: cur.area_code, path: cur.area_path };
    }

    // Household and membership plan (checked before anything of the row is written).
    let household: HouseholdState | null = null;
    if (r.householdNumber) {
      household = households.get(r.householdNumber) ?? null;
      if (!household) {
        household = {
          id: crypto.randomUUID(),
          number: r.householdNumber,
          head: null,
          dwellingId: r.dwelling?.id ?? null,
          livingType: r.dwelling ? 'own' : null,
          isNew: true,
          areaCode: area.code,
          areaPath: area.path,
        };
      }
    }
    const residentId = cur?.id ?? crypto.randomUUID();
    let membership: 'none' | 'join' | 'relation' = 'none';
    if (household && r.relation && (!cur || cur.status === 'alive')) {
      if (cur?.member_household && cur.member_household !== household.id) {
        out.rejected.push({ row: r.row, column: 'householdNumber', rule: 'memberElsewhere' });
        continue;
      }
      const headTaken = r.relation === 'head' && household.head && household.head !== residentId;
      if (cur?.member_household === household.id) {
        if (cur.member_relation !== r.relation) {
          if (headTaken) {
            out.rejected.push({ row: r.row, column: 'relation', rule: 'householdHead' });
            continue;
          }
          membership = 'relation';
        }
      } else {
        if (headTaken) {
          out.rejected.push({ row: r.row, column: 'relation', rule: 'householdHead' });
          continue;
        }
        membership = 'join';
      }
    }
    const dwellingId = r.dwelling?.id ?? (membership === 'join' ? household?.dwellingId : null) ?? null;
    const moves = dwellingId && (!cur || cur.status === 'alive') && cur?.link_dwelling !== dwellingId;

    // The resident row itself.
    const fields: string[] = [];
    if (!cur) {
      const ids = r.idNumber
        ? {
            id_number_enc: ctx.secrets.encrypt(r.idNumber),
            id_number_hash: r.idHash,
            id_number_last4: r.idNumber.slice(-4),
            id_number_masked: maskIdNumber(r.idNumber),
          }
        : {};
      const phones = r.phone
        ? {
            phone_enc: ctx.secrets.encrypt(r.phone),
            phone_hash: ctx.secrets.keyedHash(r.phone, 'phone'),
            phone_last4: phoneLast4(r.phone),
            phone_masked: maskPhoneNumber(r.phone),
          }
        : {};
      w.residents.push({
        id: residentId,
        name: r.name,
        name_initials: initialsOf(scope, r.name),
        gender: r.gender,
        birth_date: r.birthDate,
        ...ids,
        district_path: scope.districtPath,
        ...phones,
        ethnicity: r.ethnicity,
        residence_type: r.residenceType,
        permit_expires_on: r.permitExpiresOn,
        area_code: area.code,
        area_path: area.path,
        note: r.note,
        created_by: scope.actor.accountId,
      });
      // Its 'registered' event is made by the statement that inserts it (applyWrites).
      out.created++;
    } else {
      const set: Record<string, unknown> = { id: cur.id };
      if (r.name !== cur.name) {
        set.name = r.name;
        set.name_initials = initialsOf(scope, r.name);
        fields.push('name');
      }
      if (r.gender !== cur.gender) {
        set.gender = r.gender;
        fields.push('gender');
      }
      if (r.birthDate !== cur.birth_date) {
        set.birth_date = r.birthDate;
        fields.push('birthDate');
      }
      if (r.phone) {
        const hash = ctx.secrets.keyedHash(r.phone, 'phone');
        if (hash !== cur.phone_hash) {
          Object.assign(set, {
            phone_enc: ctx.secrets.encrypt(r.phone),
            phone_hash: hash,
            phone_last4: phoneLast4(r.phone),
            phone_masked: maskPhoneNumber(r.phone),
          });
          fields.push('phone');
        }
      }
      if (r.ethnicity && r.ethnicity !== cur.ethnicity) {
        set.ethnicity = r.ethnicity;
        fields.push('ethnicity');
      }
      if (r.residenceType !== cur.residence_type) {
        set.residence_type = r.residenceType;
        fields.push('residenceType');
      }
      const permit = r.permitExpiresOn ?? (r.residenceType === 'floating' ? cur.permit_expires_on : null);
      if (permit !== cur.permit_expires_on) {
        set.permit_expires_on = permit;
        fields.push('permitExpiresOn');
      }
      if (area.path !== cur.area_path) {
        set.area_code = area.code;
        set.area_path = area.path;
        fields.push('areaCode');
      }
      if (r.note && r.note !== cur.note) {
        set.note = r.note;
        fields.push('note');
      }
      if (fields.length) {
        w.updates.push({
          ...set,
          // Only the keys given are written (the update keeps the others by coalesce).
          keep_permit: !('permit_expires_on' in set),
          version: cur.version + 1,
        });
        w.events.push(event(scope, cur.id, area.path, 'corrected', { data: { fields } }));
      }
    }

    if (household?.isNew && !w.households.some((h) => h.id === household!.id)) {
      w.households.push({
        id: household.id,
        number: household.number,
        community_code: scope.communityCode,
        area_code: household.areaCode,
        area_path: household.areaPath,
        dwelling_id: household.dwellingId,
        living_type: household.livingType,
        created_by: scope.actor.accountId,
      });
      households.set(household.number, household);
    }
    if (household && membership !== 'none') {
      if (membership === 'relation') {
        w.closeMembers.push(cur!.member_id!);
        if (cur!.member_relation === 'head' && household.head === residentId) {
          household.head = null;
          headChanged.add(household.id);
        }
        w.events.push(
          event(scope, residentId, area.path, 'relation_changed', {
            householdId: household.id,
            data: { from: cur!.member_relation, to: r.relation },
          }),
        );
      } else {
        w.events.push(
          event(scope, residentId, area.path, 'joined_household', {
            householdId: household.id,
            data: { relation: r.relation, householdNumber: household.number },
          }),
        );
      }
      w.members.push({
        household_id: household.id,
        resident_id: residentId,
        relation: r.relation,
        from_date: scope.today,
      });
      if (r.relation === 'head') {
        household.head = residentId;
        headChanged.add(household.id);
      }
    }
    if (moves) {
      if (cur?.link_id) {
        w.closeLinks.push(cur.link_id);
        w.events.push(event(scope, residentId, area.path, 'moved_out', { dwellingId: cur.link_dwelling }));
      }
      const living = household?.dwellingId === dwellingId ? (household?.livingType ?? 'own') : 'own';
      w.links.push({
        dwelling_id: dwellingId,
        resident_id: residentId,
        household_id: household && membership !== 'none' ? household.id : (cur?.member_household ?? null),
        living_type: living,
        from_date: scope.today,
      });
      w.events.push(
        event(scope, residentId, area.path, 'moved_in', {
          dwellingId,
          householdId: household?.id ?? null,
          data: { livingType: living },
        }),
      );
    }
    if (cur) {
      if (fields.length || membership !== 'none' || moves) out.updated++;
      else out.unchanged++;
    }
  }
  for (const [, h] of households) if (headChanged.has(h.id)) w.heads.push({ h: h.id, r: h.head });
  await applyWrites(tx, scope, w);
  return out;
}

/**
 * Writes a batch's plan. The residents (new and changed) and all their events go in one statement (data-modifying
 * CTEs; the events' foreign keys are checked at its end, when the residents are there): the common case, a batch of
 * new residents, is then one round trip. Households come first (events name them); memberships and dwelling links
 * after, each its own statement, since closing an open link and opening the next must happen in that order.
 */
async function applyWrites(tx: Tx, scope: ImportScope, w: Writes): Promise<void> {
  const json = (rows: unknown[]) => JSON.stringify(rows);
  if (w.households.length)
    await tx.execute(sql`insert into households (id, number, community_code, area_code, area_path, dwelling_id, living_type, type, created_by)
      select id, number, community_code, area_code, area_path, dwelling_id, living_type, 'family', created_by
      from json_to_recordset(${json(w.households)}::json) as x(id uuid, number text, community_code text, area_code text,
        area_path text, dwelling_id uuid, living_type text, created_by uuid)`);
  const ctes: SQL[] = [];
  if (w.residents.length)
    ctes.push(sql`ins as (insert into residents (id, name, name_initials, gender, birth_date, id_number_enc, id_number_hash,
        id_number_last4, id_number_masked, district_path, phone_enc, phone_hash, phone_last4, phone_masked, ethnicity,
        residence_type, permit_expires_on, area_code, area_path, note, created_by)
      select id, name, name_initials, gender, birth_date, id_number_enc, id_number_hash, id_number_last4,
        id_number_masked, district_path, phone_enc, phone_hash, phone_last4, phone_masked, ethnicity, residence_type,
        permit_expires_on, area_code, area_path, note, created_by
      from json_to_recordset(${json(w.residents)}::json) as x(id uuid, name text, name_initials text, gender text,
        birth_date date, id_number_enc text, id_number_hash text, id_number_last4 text, id_number_masked text,
        district_path text, phone_enc text, phone_hash text, phone_last4 text, phone_masked text, ethnicity text,
        residence_type text, permit_expires_on date, area_code text, area_path text, note text, created_by uuid)
      returning id, area_path, residence_type)`);
  if (w.updates.length)
    ctes.push(sql`upd as (update residents r set
        name = coalesce(x.name, r.name), name_initials = coalesce(x.name_initials, r.name_initials),
        gender = coalesce(x.gender, r.gender), birth_date = coalesce(x.birth_date, r.birth_date),
        phone_enc = coalesce(x.phone_enc, r.phone_enc), phone_hash = coalesce(x.phone_hash, r.phone_hash),
        phone_last4 = coalesce(x.phone_last4, r.phone_last4), phone_masked = coalesce(x.phone_masked, r.phone_masked),
        ethnicity = coalesce(x.ethnicity, r.ethnicity), residence_type = coalesce(x.residence_type, r.residence_type),
        permit_expires_on = case when x.keep_permit then r.permit_expires_on else x.permit_expires_on end,
        area_code = coalesce(x.area_code, r.area_code), area_path = coalesce(x.area_path, r.area_path),
        note = coalesce(x.note, r.note), version = x.version, updated_at = now()
      from json_to_recordset(${json(w.updates)}::json) as x(id uuid, name text, name_initials text, gender text,
        birth_date date, phone_enc text, phone_hash text, phone_last4 text, phone_masked text, ethnicity text,
        residence_type text, permit_expires_on date, keep_permit boolean, area_code text, area_path text, note text,
        version int)
      where r.id = x.id
      returning 1)`);
  // Each new resident's 'registered' event first (from the insert itself: nothing to send), then the row's other
  // events in their order.
  const events: SQL[] = [];
  if (w.residents.length)
    events.push(sql`select id, 'registered', ${scope.today}::date, null::uuid, null::uuid, area_path,
        jsonb_build_object('residenceType', residence_type, 'source', 'import'),
        ${scope.actor.accountId}::uuid, ${scope.actor.displayName}::text
      from ins`);
  if (w.events.length)
    events.push(sql`select resident_id, kind, occurred_on, household_id, dwelling_id, area_path, data, actor_id, actor_name
      from json_to_recordset(${json(w.events)}::json) as x(resident_id uuid, kind text, occurred_on date,
        household_id uuid, dwelling_id uuid, area_path text, data jsonb, actor_id uuid, actor_name text)`);
  if (events.length)
    ctes.push(sql`ev as (insert into resident_events (resident_id, kind, occurred_on, household_id, dwelling_id,
        area_path, data, actor_id, actor_name)
      ${sql.join(events, sql` union all `)}
      returning 1)`);
  if (ctes.length) await tx.execute(sql`with ${sql.join(ctes, sql`, `)} select 1`);
  if (w.closeMembers.length)
    await tx.execute(
      sql`update household_members set to_date = ${chinaToday()} where id in (select jsonb_array_elements_text(${JSON.stringify(w.closeMembers)}::jsonb)::uuid)`,
    );
  if (w.members.length)
    await tx.execute(sql`insert into household_members (household_id, resident_id, relation, from_date)
      select household_id, resident_id, relation, from_date
      from json_to_recordset(${json(w.members)}::json) as x(household_id uuid, resident_id uuid, relation text, from_date date)`);
  if (w.heads.length)
    await tx.execute(sql`update households h set head_resident_id = x.r, version = h.version + 1, updated_at = now()
      from json_to_recordset(${json(w.heads)}::json) as x(h uuid, r uuid) where h.id = x.h`);
  if (w.closeLinks.length)
    await tx.execute(
      sql`update resident_dwellings set to_date = greatest(from_date, ${chinaToday()}::date) where id in (select jsonb_array_elements_text(${JSON.stringify(w.closeLinks)}::jsonb)::uuid)`,
    );
  if (w.links.length)
    await tx.execute(sql`insert into resident_dwellings (dwelling_id, resident_id, household_id, living_type, from_date)
      select dwelling_id, resident_id, household_id, living_type, from_date
      from json_to_recordset(${json(w.links)}::json) as x(dwelling_id uuid, resident_id uuid, household_id uuid,
        living_type text, from_date date)`);
}

// ---------------------------------------------------------------------------------------------------------
// The import
// ---------------------------------------------------------------------------------------------------------

/** The 4xx for a file that is not a readable spreadsheet, naming the rule. */
export function malformed(rule: string, detail?: string): AppError {
  return new AppError('import.malformed', [
    { field: 'body', rule: `spreadsheet.${rule}`, ...(detail ? { limit: detail.slice(0, 200) } : {}) },
  ]);
}

function ruleMessage(locale: Locale, p: RawProblem, header: string | null): string {
  return translate(locale, `peopleIo.rule.${p.rule}` as MessageKey, {
    header: header ?? '',
    limit: p.limit ?? '',
  });
}

/**
 * Imports a saved CSV/XLSX file into a community or grid. Throws 4xx for a file that is not a readable
 * spreadsheet or lacks required headers (nothing written then); otherwise returns the report, every rejected
 * row named with its column and rule.
 */
export async function importResidents(
  ctx: AppContext,
  actor: Actor,
  input: ImportInput,
  meta: RequestMeta = {},
): Promise<Omit<ImportReport, 'id'>> {
  const started = Date.now();
  const ability = new Ability(actor);
  ability.authorize('create', 'Population');
  const [target] = await ctx.db
    .select({ code: areas.code, path: areas.path, level: areas.level })
    .from(areas)
    .where(eq(areas.code, input.areaCode));
  if (!target) throw invalidField('querystring.areaCode', 'exists');
  if (target.level !== 'community' && target.level !== 'grid')
    throw invalidField('querystring.areaCode', 'areaLevel', 'community, grid');
  ability.authorize('create', 'Population', target.path);
  ability.authorize('update', 'Population', target.path);

  const communityCode = target.code.slice(0, 12);
  const gridRows = await ctx.db
    .select({ code: areas.code, path: areas.path, name: areas.name })
    .from(areas)
    .where(and(eq(areas.level, 'grid'), like(areas.path, `${target.path}%`)));
  const grids = new Map<string, AreaRef>();
  const areasByPath = new Map<string, AreaRef>([[target.path, { code: target.code, path: target.path }]]);
  for (const g of gridRows) {
    grids.set(g.code, { code: g.code, path: g.path });
    grids.set(g.name, { code: g.code, path: g.path });
    areasByPath.set(g.path, { code: g.code, path: g.path });
  }
  const today = chinaToday();
  const scope: ImportScope = {
    ctx,
    actor,
    ability,
    target,
    communityCode,
    districtPath: target.path.slice(0, 6),
    today,
    initials: new Map(),
    areasByPath,
  };
  const rc: RowContext = {
    ctx,
    header: { index: {}, text: {} },
    today,
    target,
    grids,
    dwellingIndex: await loadDwellingIndex(ctx.db, target.path),
    initials: scope.initials,
  };

  const report = {
    areaCode: target.code,
    format: input.format,
    fileSha256: input.fileSha256,
    rows: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    rejected: 0,
    problems: [] as ImportProblem[],
    truncated: false,
    seconds: 0,
  };
  const reject = (row: number, problems: RawProblem[]) => {
    report.rejected++;
    for (const p of problems) {
      if (report.problems.length >= REPORT_MAX_PROBLEMS) {
        report.truncated = true;
        return;
      }
      const header = p.column ? (rc.header.text[p.column] ?? IO_HEADERS[p.column]) : null;
      report.problems.push({
        row,
        column: p.column,
        header,
        rule: p.rule,
        message: ruleMessage(input.locale, p, header),
      });
    }
  };

  // Within-file duplicates: the keyed hashes (or foreign name|birth) seen so far.
  const seen = new Set<string>();
  let batch: ParsedRow[] = [];
  /**
   * Writes rows in one transaction; when something breaks it (a concurrent edit, a constraint), each half again on
   * its own, down to the single row that breaks, which is reported: the other rows go in, in O(log n) transactions
   * for one bad row instead of one per row.
   */
  const attempt = async (rows: ParsedRow[]): Promise<BatchOutcome> => {
    try {
      return await ctx.db.transaction((tx) => writeBatch(tx, scope, rows));
    } catch {
      if (rows.length === 1) {
        return {
          created: 0,
          updated: 0,
          unchanged: 0,
          rejected: [{ row: rows[0]!.row, column: null, rule: 'database' }],
        };
      }
      const half = Math.ceil(rows.length / 2);
      const a = await attempt(rows.slice(0, half));
      const b = await attempt(rows.slice(half));
      return {
        created: a.created + b.created,
        updated: a.updated + b.updated,
        unchanged: a.unchanged + b.unchanged,
        rejected: [...a.rejected, ...b.rejected],
      };
    }
  };
  const write = async (rows: ParsedRow[]) => {
    const outcome = await attempt(rows);
    report.created += outcome.created;
    report.updated += outcome.updated;
    report.unchanged += outcome.unchanged;
    for (const x of outcome.rejected.sort((a, b) => a.row - b.row))
      reject(x.row, [{ column: x.column, rule: x.rule }]);
  };
  // The batch being written while the next is read and checked: reading, validating and encrypting (Node) overlap
  // with writing (PostgreSQL). One batch at a time is written, in file order, so a batch sees the households and
  // residents of the one before it.
  let writing: Promise<void> = Promise.resolve();
  const flush = async () => {
    if (!batch.length) return;
    const rows = batch;
    batch = [];
    await writing;
    writing = write(rows);
    // Awaited at the next flush or at the end; until then a failure must not count as unhandled.
    writing.catch(() => undefined);
  };

  let headerSeen = false;
  try {
    for await (const chunk of readSheetRows(input.file, input.format)) {
      for (const { row, cells } of chunk) {
        if (!headerSeen) {
          const { map, missing, duplicated } = mapHeader(cells);
          if (missing.length || duplicated.length)
            throw new AppError('import.headers', [
              ...missing.map((c) => ({ field: `body.${IO_HEADERS[c]}`, rule: 'required' })),
              ...duplicated.map((h) => ({ field: `body.${h}`, rule: 'unique' })),
            ]);
          rc.header = map;
          headerSeen = true;
          continue;
        }
        const checked = checkRow(rc, row, cells);
        if (checked === 'skip') continue;
        report.rows++;
        if (Array.isArray(checked)) {
          reject(row, checked);
          continue;
        }
        const key = checked.idHash ?? `f:${checked.name}|${checked.birthDate}`;
        if (seen.has(key)) {
          reject(row, [{ column: checked.idHash ? 'idNumber' : 'name', rule: 'duplicateInFile' }]);
          continue;
        }
        seen.add(key);
        batch.push(checked);
        if (batch.length >= IMPORT_BATCH_ROWS) await flush();
      }
    }
    await flush();
    await writing;
  } catch (err) {
    // Nothing keeps writing after the answer: a batch still in flight ends first (its rows are in, as before).
    await writing.catch(() => undefined);
    if (err instanceof ZipError) throw malformed(err.rule, err.message);
    if (err instanceof SheetError) throw malformed(err.rule, err.message);
    if (err instanceof Error && (err as { code?: string }).code?.startsWith('CSV_'))
      throw malformed('csv', err.message);
    throw err;
  }
  if (!headerSeen) throw malformed('empty');
  report.problems.sort((a, b) => a.row - b.row);
  report.seconds = Math.round((Date.now() - started) / 10) / 100;

  await appendAudit(ctx.db, {
    actorId: actor.accountId,
    actorName: actor.username ?? actor.displayName,
    ip: meta.ip ?? null,
    requestId: meta.requestId ?? null,
    action: 'people.import',
    targetType: 'area',
    targetId: target.code,
    areaPath: target.path,
    outcome: 'success',
    details: {
      format: input.format,
      fileSha256: input.fileSha256,
      rows: report.rows,
      created: report.created,
      updated: report.updated,
      unchanged: report.unchanged,
      rejected: report.rejected,
    },
  });
  return report;
}
