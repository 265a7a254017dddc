/**
 * Where a new case is: the area code given (a community or a grid), or the grid whose boundary contains the point
 * given (lat, lng). With both, the point must lie in a grid under the area (when that area has bounded grids at
 * all), and the location becomes that grid.
 */
import { eq } from 'drizzle-orm';
import { parseAreaCode } from '../../../common/area-code';
import type { CaseCreate } from '../../../common/schemas/cases';
import type { Tx } from '../../db/client';
import { AppError, invalidField } from '../../http/errors';
import { gridAt, hasBoundedGrids } from '../areas/locate';
import { areas } from '../areas/tables';

export interface CaseLocation {
  code: string;
  path: string;
  level: string;
  /** The field an out-of-scope location is reported on: the one the location came from. */
  field: 'body.areaCode' | 'body.lat';
}

/** Checks the shape of the location fields before a transaction opens (400 naming the field). */
export function checkLocationInput(input: Pick<CaseCreate, 'areaCode' | 'lat' | 'lng'>): string | null {
  if (input.lat !== undefined && input.lng === undefined) throw invalidField('body.lng', 'required');
  if (input.lng !== undefined && input.lat === undefined) throw invalidField('body.lat', 'required');
  if (input.areaCode === undefined) {
    if (input.lat === undefined) throw invalidField('body.areaCode', 'required');
    return null;
  }
  const parsed = parseAreaCode(input.areaCode);
  if (!parsed.ok)
    throw new AppError('validation.failed', [
      { field: 'body.areaCode', rule: 'areaCode', limit: parsed.rule },
    ]);
  if (parsed.level !== 'community' && parsed.level !== 'grid')
    throw invalidField('body.areaCode', 'level', 'community, grid');
  return parsed.code;
}

type AreaOf = (code: string) => Promise<{ code: string; path: string; level: string } | undefined>;

const areaFromDb =
  (tx: Tx): AreaOf =>
  async (code) =>
    (
      await tx
        .select({ code: areas.code, path: areas.path, level: areas.level })
        .from(areas)
        .where(eq(areas.code, code))
        .limit(1)
    )[0];

/** The case's area, from the checked area code and/or the point; `areaOf` may answer areas from a kept snapshot. */
export async function locateCase(
  tx: Tx,
  code: string | null,
  point: { lat?: number | undefined; lng?: number | undefined },
  areaOf: AreaOf = areaFromDb(tx),
): Promise<CaseLocation> {
  let area: { code: string; path: string; level: string } | undefined;
  if (code) {
    area = await areaOf(code);
    if (!area) throw new AppError('area.unknown', [{ field: 'body.areaCode', rule: 'exists' }]);
  }
  if (point.lat === undefined || point.lng === undefined) return { ...area!, field: 'body.areaCode' };

  const grid = await gridAt(tx, point.lat, point.lng, area?.path);
  if (grid)
    return { code: grid.code, path: grid.path, level: 'grid', field: area ? 'body.areaCode' : 'body.lat' };
  if (!area) throw invalidField('body.lat', 'outsideGrids');
  // The area's grids have boundaries and the point is in none of them, or it is in a grid elsewhere.
  if ((await hasBoundedGrids(tx, area.path)) || (await gridAt(tx, point.lat, point.lng)))
    throw invalidField('body.lat', 'outsideArea');
  return { ...area, field: 'body.areaCode' };
}
