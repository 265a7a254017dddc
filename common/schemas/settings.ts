/** Schemas of the deployment's settings that the web app needs (GET /api/settings/map). */
import { Type, type Static } from 'typebox';

export const MapTiles = Type.Object({
  /** Slippy-map tile template (Web Mercator, XYZ): http(s) with {z}, {x} and {y}. */
  url: Type.String(),
  /** Attribution to show on the map (the tile provider's terms usually require it). */
  attribution: Type.Union([Type.String(), Type.Null()]),
});
export type MapTiles = Static<typeof MapTiles>;

export const MapSettings = Type.Object({
  /** null: no tiles configured; maps are drawn from the data alone. */
  tiles: Type.Union([MapTiles, Type.Null()]),
});
export type MapSettings = Static<typeof MapSettings>;
