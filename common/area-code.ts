/**
 * NBS area codes and their paths, shared by server and web.
 *
 * A real unit has the 12-digit 统计用区划代码: 2 province + 2 city + 2 county + 3 township + 3 village.
 * A grid is its community's code plus 3 digits (15 digits). The *path* is the code with trailing zero
 * groups trimmed, so a subtree is a prefix match on the path.
 *
 * 不设区的地级市 (东莞 4419, 中山 4420, 儋州 4604) have no county level: their townships carry county
 * part 00 (441900003000) and hang straight under the city. Their path ('441900003') still starts with
 * the city's ('4419'); the 6-digit prefix '441900' is no unit.
 */
import { AREA_LEVELS, type AreaLevel } from './schemas/areas';

export type { AreaLevel };

/** Why a code was rejected; stable strings so callers and tests can match on them. */
export type AreaCodeRule = 'digits' | 'length' | 'province' | 'zeroGroup' | 'gridParent' | 'gridSuffix';

export type ParsedAreaCode =
  | { ok: true; code: string; level: AreaLevel; path: string; parentCode: string | null }
  | { ok: false; rule: AreaCodeRule };

/** Path lengths at group boundaries, index = depth (0 province .. 5 grid). */
export const AREA_PATH_LENGTHS = [2, 4, 6, 9, 12, 15] as const;

const NBS_CODE_LENGTH = 12;
const GRID_CODE_LENGTH = 15;
/** Depths (indexes into AREA_PATH_LENGTHS) of the city and township groups. */
const CITY_DEPTH = 1;
const TOWNSHIP_DEPTH = 3;

function isPathLength(n: number): boolean {
  return (AREA_PATH_LENGTHS as readonly number[]).includes(n);
}

/** Validates a 12-digit NBS code or a 15-digit grid code and derives its level, path and parent. */
export function parseAreaCode(code: string): ParsedAreaCode {
  if (!/^[0-9]+$/.test(code)) return { ok: false, rule: 'digits' };
  if (code.length !== NBS_CODE_LENGTH && code.length !== GRID_CODE_LENGTH)
    return { ok: false, rule: 'length' };

  const province = Number(code.slice(0, 2));
  if (province < 11 || province > 82) return { ok: false, rule: 'province' };

  // Count the leading non-zero groups; anything non-zero after the first zero group is a gap
  // (e.g. 340000001000), which would make the path ambiguous. The one allowed gap is county part 00
  // between a non-zero city and a non-zero township (a city without counties, e.g. 441900003000).
  let depth = 0;
  let seenZero = false;
  let countyless = false;
  for (let i = 0; i < AREA_PATH_LENGTHS.length; i++) {
    const end = AREA_PATH_LENGTHS[i]!;
    if (end > code.length) break;
    const start = i === 0 ? 0 : AREA_PATH_LENGTHS[i - 1]!;
    const isZero = /^0+$/.test(code.slice(start, end));
    if (isZero) seenZero = true;
    else if (i === TOWNSHIP_DEPTH && depth === CITY_DEPTH) {
      // Only the county group was zero (depth stopped at the city), so this is a countyless township.
      countyless = true;
      seenZero = false;
      depth = i;
    }
    // A grid suffix after a zero village group means the grid does not hang under a community.
    else if (seenZero) return { ok: false, rule: i === 5 ? 'gridParent' : 'zeroGroup' };
    else depth = i;
  }
  if (code.length === GRID_CODE_LENGTH && depth !== 5) return { ok: false, rule: 'gridSuffix' };

  const level = AREA_LEVELS[depth]!;
  const path = code.slice(0, AREA_PATH_LENGTHS[depth]);
  // A countyless township's parent is the city itself: there is no county node to hang under.
  const parentDepth = countyless && depth === TOWNSHIP_DEPTH ? CITY_DEPTH : depth - 1;
  const parentCode =
    depth === 0 ? null : code.slice(0, AREA_PATH_LENGTHS[parentDepth]).padEnd(NBS_CODE_LENGTH, '0');
  return { ok: true, code, level, path, parentCode };
}

function parseOrThrow(code: string): Extract<ParsedAreaCode, { ok: true }> {
  const parsed = parseAreaCode(code);
  if (!parsed.ok) throw new RangeError(`Invalid area code ${JSON.stringify(code)} (${parsed.rule})`);
  return parsed;
}

/** Whether `path` is the path of some valid code: aligned, and not ending in a zero group ('340300', '441900'). */
function isAreaPath(path: string): boolean {
  if (!/^[0-9]+$/.test(path) || !isPathLength(path.length)) return false;
  const parsed = parseAreaCode(path.length === GRID_CODE_LENGTH ? path : path.padEnd(NBS_CODE_LENGTH, '0'));
  return parsed.ok && parsed.path === path;
}

function assertPath(path: string): void {
  if (!isAreaPath(path)) throw new RangeError(`Invalid area path ${JSON.stringify(path)}`);
}

/** The code with trailing zero groups trimmed (2, 4, 6, 9, 12 or 15 digits); throws on an invalid code. */
export function areaPath(code: string): string {
  return parseOrThrow(code).path;
}

/** The code of a path: padded back to 12 digits, grids (15 digits) unchanged; throws on a bad path. */
export function codeFromPath(path: string): string {
  assertPath(path);
  return path.length === GRID_CODE_LENGTH ? path : path.padEnd(NBS_CODE_LENGTH, '0');
}

/** The 12-digit code of the parent unit, or null for a province; throws on an invalid code. */
export function parentCodeOf(code: string): string | null {
  return parseOrThrow(code).parentCode;
}

/** The level a path stands for, from its length alone; throws on a bad path. */
export function levelOfPath(path: string): AreaLevel {
  assertPath(path);
  return AREA_LEVELS[(AREA_PATH_LENGTHS as readonly number[]).indexOf(path.length)]!;
}

/** Whether `path` lies in the subtree rooted at `ancestorPath` (the root itself included). */
export function isInSubtree(path: string, ancestorPath: string): boolean {
  // Paths only ever end at group boundaries, so a plain prefix test is exact once both are real paths.
  if (!isAreaPath(path) || !isAreaPath(ancestorPath)) return false;
  return path.length >= ancestorPath.length && path.startsWith(ancestorPath);
}

/**
 * All proper ancestor paths of a path, root (province) first; throws on a bad path. A countyless
 * city's township skips the county: ancestorPaths('441900003') is ['44', '4419'].
 */
export function ancestorPaths(path: string): string[] {
  assertPath(path);
  // The prefixes that are no unit ('441900' above '441900003') are left out.
  return AREA_PATH_LENGTHS.filter((n) => n < path.length)
    .map((n) => path.slice(0, n))
    .filter(isAreaPath);
}
