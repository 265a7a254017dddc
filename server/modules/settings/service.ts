/** Settings of the deployment that the web app reads; nothing secret lives here (tile URLs reach the browser anyway). */
import type { MapSettings } from '../../../common/schemas/settings';
import type { Config } from '../../config';

/** The tile server of the maps, as configured (validated when the configuration was loaded). */
export function mapSettings(config: Pick<Config, 'mapTileUrl' | 'mapTileAttribution'>): MapSettings {
  return {
    tiles: config.mapTileUrl ? { url: config.mapTileUrl, attribution: config.mapTileAttribution } : null,
  };
}
