/** Test helpers of the housing register: rows placed straight into the database at a given grid. */
import crypto from 'node:crypto';
import { areaPath } from '../../../common/area-code';
import type { AppContext } from '../../context';
import { buildings, dwellings, estates, units } from './tables';

export interface PlacedHousing {
  estateId: string;
  buildingId: string;
  unitId: string;
  dwellingId: string;
}

/** An estate (without buildings) in a community. */
export async function placeEstate(ctx: AppContext, communityCode: string): Promise<string> {
  const tag = crypto.randomBytes(4).toString('hex');
  const [estate] = await ctx.db
    .insert(estates)
    .values({ areaCode: communityCode, areaPath: areaPath(communityCode), name: `测试小区${tag}` })
    .returning({ id: estates.id });
  return estate!.id;
}

/** An estate in the grid's community and a building in the grid with one unit and one dwelling (floor 1, 101). */
export async function placeHousing(ctx: AppContext, gridCode: string): Promise<PlacedHousing> {
  const tag = crypto.randomBytes(4).toString('hex');
  const estateId = await placeEstate(ctx, gridCode.slice(0, 12));
  const path = areaPath(gridCode);
  const [building] = await ctx.db
    .insert(buildings)
    .values({ areaCode: gridCode, areaPath: path, estateId, name: `${tag}号楼`, floors: 6, unitsCount: 1 })
    .returning({ id: buildings.id });
  const buildingId = building!.id;
  const [unit] = await ctx.db
    .insert(units)
    .values({ buildingId, areaPath: path, number: '1' })
    .returning({ id: units.id });
  const unitId = unit!.id;
  const [dwelling] = await ctx.db
    .insert(dwellings)
    .values({ unitId, buildingId, areaPath: path, floor: 1, number: '101', use: 'self_occupied' })
    .returning({ id: dwellings.id });
  return { estateId, buildingId, unitId, dwellingId: dwelling!.id };
}

/** A small square around a point (lng, lat), about 200 m wide: a valid grid boundary. */
export function squareAround(
  lng: number,
  lat: number,
  half = 0.001,
): { type: 'Polygon'; coordinates: [number, number][][] } {
  return {
    type: 'Polygon',
    coordinates: [
      [
        [lng - half, lat - half],
        [lng + half, lat - half],
        [lng + half, lat + half],
        [lng - half, lat + half],
        [lng - half, lat - half],
      ],
    ],
  };
}
