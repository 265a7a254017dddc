/**
 * Demo housing for the demo city: in the first grids of the demo street's first community, an estate with a few
 * buildings (points inside the grid's synthetic boundary), two units each and dwellings of every use. Idempotent:
 * a grid that has any building already is left alone.
 */
import { and, asc, eq, like } from 'drizzle-orm';
import { areaPath } from '../../../common/area-code';
import type { DwellingUse } from '../../../common/schemas/housing';
import type { AppContext } from '../../context';
import { appendAudit } from '../audit/log';
import { SYSTEM_ACTOR_NAME } from '../areas/audit-meta';
import { pointInPolygon } from '../areas/locate';
import { areas } from '../areas/tables';
import { dwellingNumber } from './service';
import { buildings, dwellings, estates, units } from './tables';

const DEMO_GRIDS = 2;
const BUILDINGS_PER_GRID = 3;
const FLOORS = 6;
const UNITS = 2;
const PER_FLOOR = 2;
/** A repeating pattern of uses, so the 楼盘表 shows every colour. */
const USES: DwellingUse[] = ['self_occupied', 'self_occupied', 'rented', 'self_occupied', 'vacant', 'rented'];

/** Points spread across the middle of a grid's bounding box, kept only when inside its boundary. */
function pointsIn(boundary: unknown, n: number): ({ lat: number; lng: number } | null)[] {
  const b = boundary as { type?: string; coordinates?: [number, number][][] } | null;
  if (b?.type !== 'Polygon' || !b.coordinates?.[0]) return Array.from({ length: n }, () => null);
  const ring = b.coordinates[0];
  const xs = ring.map((p) => p[0]);
  const ys = ring.map((p) => p[1]);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  return Array.from({ length: n }, (_, i) => {
    const lng = minX + ((maxX - minX) * (i + 1)) / (n + 1);
    const lat = minY + (maxY - minY) * (i % 2 === 0 ? 0.4 : 0.6);
    return pointInPolygon(b.coordinates!, lng, lat) ? { lat, lng } : null;
  });
}

/** Seeds the demo housing under a street (the demo accounts' street); returns the buildings made. */
export async function seedDemoHousing(ctx: AppContext, streetCode: string): Promise<number> {
  const [community] = await ctx.db
    .select({ code: areas.code, name: areas.name })
    .from(areas)
    .where(and(eq(areas.level, 'community'), like(areas.path, `${areaPath(streetCode)}%`)))
    .orderBy(asc(areas.code))
    .limit(1);
  if (!community) return 0;
  const grids = await ctx.db
    .select({ code: areas.code, path: areas.path, name: areas.name, boundary: areas.boundary })
    .from(areas)
    .where(and(eq(areas.level, 'grid'), eq(areas.parentCode, community.code)))
    .orderBy(asc(areas.code))
    .limit(DEMO_GRIDS);
  const shortName = community.name.replace(/(社区)?居民?委员会$|居委会$/, '');
  const estateName = `${shortName}花园`;

  return ctx.db.transaction(async (tx) => {
    let made = 0;
    let [estate] = await tx
      .select({ id: estates.id })
      .from(estates)
      .where(and(eq(estates.areaCode, community.code), eq(estates.name, estateName)));
    for (const [g, grid] of grids.entries()) {
      const [any] = await tx
        .select({ id: buildings.id })
        .from(buildings)
        .where(eq(buildings.areaCode, grid.code))
        .limit(1);
      if (any) continue;
      estate ??= (
        await tx
          .insert(estates)
          .values({
            areaCode: community.code,
            areaPath: areaPath(community.code),
            name: estateName,
            address: `${shortName}路 88 号`,
            propertyCompany: '邻里物业服务有限公司',
            propertyPhone: '0552-3100000',
          })
          .returning({ id: estates.id })
      )[0];
      const points = pointsIn(grid.boundary, BUILDINGS_PER_GRID);
      for (let b = 0; b < BUILDINGS_PER_GRID; b++) {
        const number = String(g * BUILDINGS_PER_GRID + b + 1);
        const [building] = await tx
          .insert(buildings)
          .values({
            areaCode: grid.code,
            areaPath: grid.path,
            estateId: estate!.id,
            name: `${number}号楼`,
            number,
            floors: FLOORS,
            unitsCount: UNITS,
            use: 'residential',
            lat: points[b]?.lat ?? null,
            lng: points[b]?.lng ?? null,
          })
          .returning({ id: buildings.id });
        const unitRows = await tx
          .insert(units)
          .values(
            Array.from({ length: UNITS }, (_, u) => ({
              buildingId: building!.id,
              areaPath: grid.path,
              number: String(u + 1),
            })),
          )
          .returning({ id: units.id });
        let k = b;
        const rows = unitRows.flatMap((u) =>
          Array.from({ length: FLOORS * PER_FLOOR }, (_, i) => {
            const floor = Math.floor(i / PER_FLOOR) + 1;
            const use =
              floor === 1 && i % PER_FLOOR === 0 && b === 0 ? 'commercial' : USES[k++ % USES.length]!;
            return {
              unitId: u.id,
              buildingId: building!.id,
              areaPath: grid.path,
              floor,
              number: dwellingNumber(floor, (i % PER_FLOOR) + 1),
              floorArea: 90,
              use,
            };
          }),
        );
        await tx.insert(dwellings).values(rows);
        made++;
      }
    }
    if (made > 0) {
      await appendAudit(tx, {
        actorName: SYSTEM_ACTOR_NAME,
        action: 'demo.seed.housing',
        targetType: 'area',
        targetId: community.code,
        areaPath: areaPath(community.code),
        outcome: 'success',
        details: { buildings: made },
      });
    }
    return made;
  });
}
