/** Calls of the housing module: estates, buildings, units, dwellings, a grid's map, GeoJSON import and export. */
import type {
  Building,
  BuildingBulkCreate,
  BuildingDetail,
  BuildingUpdate,
  Dwelling,
  DwellingCreate,
  DwellingUpdate,
  Estate,
  EstateCreate,
  EstateUpdate,
  HousingMap,
  UnitCreate,
  UnitDetail,
  UnitSummary,
} from '../../../../common/schemas/housing';
import type { MapSettings, MapTiles } from '../../../../common/schemas/settings';
import type { Area } from '../../contract';
import { api, seg } from '../../api';

export type {
  Building,
  BuildingBulkCreate,
  BuildingDetail,
  Dwelling,
  Estate,
  HousingMap,
  MapSettings,
  MapTiles,
  UnitDetail,
  UnitSummary,
};

let mapSettings: Promise<MapSettings> | null = null;

export interface Paged<T> {
  items: T[];
  total: number;
}

export const housingApi = {
  estates: (query: { area?: string; q?: string; limit?: number }, signal?: AbortSignal) =>
    api.get<Paged<Estate>>('/api/estates', query, signal),
  createEstate: (body: EstateCreate, idempotencyKey: string) =>
    api.post<Estate>('/api/estates', body, { idempotencyKey }),
  updateEstate: (id: string, body: EstateUpdate) => api.patch<Estate>(`/api/estates/${seg(id)}`, body),
  retireEstate: (id: string, version: number) =>
    api.post<Estate>(`/api/estates/${seg(id)}/retire`, { version }),

  buildings: (
    query: { area?: string; estateId?: string; q?: string; limit?: number; offset?: number },
    signal?: AbortSignal,
  ) => api.get<Paged<Building>>('/api/buildings', query, signal),
  building: (id: string, signal?: AbortSignal) =>
    api.get<BuildingDetail>(`/api/buildings/${seg(id)}`, undefined, signal),
  bulkCreate: (body: BuildingBulkCreate, idempotencyKey: string) =>
    api.post<{ building: Building; units: number; dwellings: number }>('/api/buildings/bulk', body, {
      idempotencyKey,
    }),
  updateBuilding: (id: string, body: BuildingUpdate) =>
    api.patch<Building>(`/api/buildings/${seg(id)}`, body),
  retireBuilding: (id: string, version: number) =>
    api.post<Building>(`/api/buildings/${seg(id)}/retire`, { version }),

  unit: (id: string, signal?: AbortSignal) => api.get<UnitDetail>(`/api/units/${seg(id)}`, undefined, signal),
  createUnit: (body: UnitCreate, idempotencyKey: string) =>
    api.post<UnitSummary>('/api/units', body, { idempotencyKey }),

  dwelling: (id: string, signal?: AbortSignal) =>
    api.get<Dwelling>(`/api/dwellings/${seg(id)}`, undefined, signal),
  createDwelling: (body: DwellingCreate, idempotencyKey: string) =>
    api.post<Dwelling>('/api/dwellings', body, { idempotencyKey }),
  updateDwelling: (id: string, body: DwellingUpdate) =>
    api.patch<Dwelling>(`/api/dwellings/${seg(id)}`, body),
  retireDwelling: (id: string, version: number) =>
    api.post<Dwelling>(`/api/dwellings/${seg(id)}/retire`, { version }),

  map: (grid: string, signal?: AbortSignal) =>
    api.get<HousingMap>(`/api/grids/${seg(grid)}/housing`, undefined, signal),
  exportUrl: (grid: string) => `/api/grids/${seg(grid)}/buildings.geojson`,
  importPoints: (grid: string, body: unknown) =>
    api.post<{ created: number; updated: number; unchanged: number }>(
      `/api/grids/${seg(grid)}/buildings/geojson`,
      body,
      { idempotencyKey: true },
    ),
  /** The deployment's map tiles (null: none); asked once per page load, the setting changes only on restart. */
  mapSettings: () =>
    (mapSettings ??= api.get<MapSettings>('/api/settings/map').catch((e: unknown) => {
      mapSettings = null;
      throw e;
    })),
  putBoundary: (grid: string, geojson: unknown, version?: number) =>
    api.put<Area>(`/api/grids/${seg(grid)}/boundary`, { geojson, ...(version ? { version } : {}) }),
};
