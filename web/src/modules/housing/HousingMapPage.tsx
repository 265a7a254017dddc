/**
 * A grid's housing map, drawn as SVG from the data (the app runs offline): the grid boundary and the building
 * points. When the deployment configures a tile server (LINLI_MAP_TILE_URL, from GET /api/settings/map), its tiles
 * are drawn underneath and the SVG layer uses their projection (Web Mercator, the slippy-map z/x/y scheme); without
 * one the map is drawn as before, on a plain background. Staff who may write place or move a building's point by clicking; those who manage grids draw or edit
 * the boundary by clicking vertices (click a vertex to pick it, click the map to move it there). Building points
 * and the boundary also come in and go out as GeoJSON files.
 */
import { useEffect, useMemo, useRef, useState, type MouseEvent } from 'react';
import { Alert, App, Button, Card, Empty, Segmented, Select, Space, Spin, Typography, Upload } from 'antd';
import { DownloadOutlined, UndoOutlined, UploadOutlined } from '@ant-design/icons';
import { Link, useSearchParams } from 'react-router';
import { isApiError, type ApiError } from '../../api';
import { useT } from '../../i18n';
import { useSession } from '../../session';
import { Page } from '../../components/Page';
import { AreaPicker } from '../../components/AreaPicker';
import { ringsOf } from '../cases/geo';
import { housingApi, type HousingMap, type MapTiles } from './api';
import './housing.css';

type Pos = [number, number];
type Mode = 'view' | 'place' | 'draw';

const WIDTH = 800;
const HEIGHT = 600;
const PAD = 40;
/** Where an empty map looks when the grid has neither boundary nor points (the demo city's centre). */
const FALLBACK: Pos = [117.38, 32.92];

/** One map tile placed in viewBox units. */
interface TileImage {
  key: string;
  href: string;
  x: number;
  y: number;
  size: number;
}

interface Projection {
  toXY: (p: Pos) => Pos;
  toLngLat: (p: Pos) => Pos;
  tiles: TileImage[];
}

/** The bounding box of the points, at least about 400 m across, so one point or a tiny grid still has room. */
function bounds(points: Pos[]): [number, number, number, number] {
  const pts = points.length ? points : [FALLBACK];
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of pts) {
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  // At least about 400 m across, so one point or a tiny grid still has room around it.
  const span = 0.004;
  if (maxX - minX < span) [minX, maxX] = [(minX + maxX) / 2 - span / 2, (minX + maxX) / 2 + span / 2];
  if (maxY - minY < span) [minY, maxY] = [(minY + maxY) / 2 - span / 2, (minY + maxY) / 2 + span / 2];
  return [minX, minY, maxX, maxY];
}

/** A projection fitted to the given points: lng/lat ↔ viewBox units, longitude shrunk by cos(latitude). */
function projection(points: Pos[]): Projection {
  const [minX, minY, maxX, maxY] = bounds(points);
  const k = Math.cos((((minY + maxY) / 2) * Math.PI) / 180);
  const scale = Math.min((WIDTH - 2 * PAD) / ((maxX - minX) * k), (HEIGHT - 2 * PAD) / (maxY - minY));
  const offX = (WIDTH - (maxX - minX) * k * scale) / 2;
  const offY = (HEIGHT - (maxY - minY) * scale) / 2;
  return {
    toXY: ([lng, lat]: Pos): Pos => [offX + (lng - minX) * k * scale, offY + (maxY - lat) * scale],
    toLngLat: ([x, y]: Pos): Pos => [
      Number((minX + (x - offX) / (k * scale)).toFixed(7)),
      Number((maxY - (y - offY) / scale).toFixed(7)),
    ],
    tiles: [],
  };
}

const TILE = 256;
const MAX_ZOOM = 19;
const MAX_LAT = 85.0511287798;

/** Web Mercator: lng/lat → "world" units at zoom 0 (the whole world is one 256 × 256 tile), y growing south. */
function mercator([lng, lat]: Pos): Pos {
  const s = Math.sin((Math.max(-MAX_LAT, Math.min(MAX_LAT, lat)) * Math.PI) / 180);
  return [(TILE * (lng + 180)) / 360, TILE * (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI))];
}

function unmercator([x, y]: Pos): Pos {
  const lng = (x / TILE) * 360 - 180;
  const lat = (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / TILE))) * 180) / Math.PI;
  return [lng, lat];
}

/**
 * The tiles' projection fitted to the points, and the tiles that cover the viewBox: the zoom is the next whole
 * level above the fitted scale (tiles are drawn at 128–256 units, never blown up), x/y as in the slippy-map scheme
 * (https://wiki.openstreetmap.org/wiki/Slippy_map_tilenames), x wrapping around the antimeridian.
 */
function tiledProjection(points: Pos[], template: string): Projection {
  const [minX, minY, maxX, maxY] = bounds(points);
  const [x0, y0] = mercator([minX, maxY]);
  const [x1, y1] = mercator([maxX, minY]);
  const scale = Math.min((WIDTH - 2 * PAD) / (x1 - x0), (HEIGHT - 2 * PAD) / (y1 - y0));
  const offX = (WIDTH - (x1 - x0) * scale) / 2 - x0 * scale;
  const offY = (HEIGHT - (y1 - y0) * scale) / 2 - y0 * scale;
  const z = Math.max(0, Math.min(MAX_ZOOM, Math.ceil(Math.log2(scale))));
  const n = 2 ** z;
  const size = (TILE * scale) / n;
  const tiles: TileImage[] = [];
  for (let ty = Math.floor(-offY / size); ty * size + offY < HEIGHT; ty++) {
    if (ty < 0 || ty >= n) continue;
    for (let tx = Math.floor(-offX / size); tx * size + offX < WIDTH; tx++) {
      const wx = ((tx % n) + n) % n;
      tiles.push({
        key: `${z}/${tx}/${ty}`,
        href: template
          .replaceAll('{z}', String(z))
          .replaceAll('{x}', String(wx))
          .replaceAll('{y}', String(ty)),
        x: tx * size + offX,
        y: ty * size + offY,
        size,
      });
    }
  }
  return {
    toXY: (p: Pos): Pos => {
      const [x, y] = mercator(p);
      return [offX + x * scale, offY + y * scale];
    },
    toLngLat: ([x, y]: Pos): Pos => {
      const [lng, lat] = unmercator([(x - offX) / scale, (y - offY) / scale]);
      return [Number(lng.toFixed(7)), Number(lat.toFixed(7))];
    },
    tiles,
  };
}

/** Reads a chosen file as JSON; a message for the user when it is not. */
async function readJson(file: File, t: ReturnType<typeof useT>): Promise<unknown> {
  const text = await file.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(t('housing.map.notJson'));
  }
}

export default function HousingMapPage() {
  const t = useT();
  const { message } = App.useApp();
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const grid = params.get('grid') ?? undefined;
  const [data, setData] = useState<HousingMap | null>(null);
  const [error, setError] = useState<ApiError | Error | null>(null);
  const [loading, setLoading] = useState(false);
  const [reload, setReload] = useState(0);
  const [mode, setMode] = useState<Mode>('view');
  const [selected, setSelected] = useState<string | undefined>(params.get('building') ?? undefined);
  const [draft, setDraft] = useState<Pos[]>([]);
  const [vertex, setVertex] = useState<number | null>(null);
  const [saving, setSaving] = useState(false);
  const svg = useRef<SVGSVGElement>(null);
  const canPlace = can('update', 'Housing');
  const canDraw = can('manage', 'Grid');
  const [tileServer, setTileServer] = useState<MapTiles | null>(null);

  useEffect(() => {
    let live = true;
    housingApi
      .mapSettings()
      .then((s) => live && setTileServer(s.tiles))
      // Without the setting the map is drawn without tiles, as it always can be.
      .catch(() => live && setTileServer(null));
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    if (!grid) {
      setData(null);
      return;
    }
    const ac = new AbortController();
    setLoading(true);
    setError(null);
    housingApi
      .map(grid, ac.signal)
      .then(setData)
      .catch((e: unknown) => {
        if (isApiError(e)) setError(e);
      })
      .finally(() => {
        if (!ac.signal.aborted) setLoading(false);
      });
    return () => ac.abort();
  }, [grid, reload]);

  const ring: Pos[] = useMemo(() => {
    const rings = ringsOf(data?.grid.boundary);
    const outer = rings[0] ?? [];
    // Without the closing point: the editor works on distinct vertices.
    return outer.length > 1 ? (outer.slice(0, -1) as Pos[]) : [];
  }, [data]);

  const proj = useMemo(() => {
    const pts: Pos[] = [...ring];
    for (const b of data?.buildings ?? []) if (b.lat !== null && b.lng !== null) pts.push([b.lng, b.lat]);
    return tileServer ? tiledProjection(pts, tileServer.url) : projection(pts);
    // The view stays put while drawing, so vertices do not jump under the finger.
  }, [ring, data, tileServer]);

  const startDraw = () => {
    setDraft(ring);
    setVertex(null);
    setMode('draw');
  };

  const pointAt = (e: MouseEvent<SVGSVGElement>): Pos | null => {
    const el = svg.current;
    const ctm = el?.getScreenCTM();
    if (!el || !ctm) return null;
    const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(ctm.inverse());
    return proj.toLngLat([p.x, p.y]);
  };

  const onMapClick = async (e: MouseEvent<SVGSVGElement>) => {
    const at = pointAt(e);
    if (!at || !data) return;
    if (mode === 'draw') {
      if (vertex !== null) {
        setDraft((d) => d.map((p, i) => (i === vertex ? at : p)));
        setVertex(null);
      } else setDraft((d) => [...d, at]);
      return;
    }
    if (mode === 'place' && selected) {
      const b = data.buildings.find((x) => x.id === selected);
      if (!b) return;
      setSaving(true);
      try {
        await housingApi.updateBuilding(b.id, { lng: at[0], lat: at[1], version: b.version });
        void message.success(t('housing.map.placed', { name: b.name }));
        setReload((r) => r + 1);
      } catch (err) {
        if (isApiError(err)) setError(err);
      } finally {
        setSaving(false);
      }
    }
  };

  const saveBoundary = async () => {
    if (!grid || !data || draft.length < 3) return;
    setSaving(true);
    try {
      const closed = [...draft, draft[0]!];
      await housingApi.putBoundary(grid, { type: 'Polygon', coordinates: [closed] }, data.grid.version);
      void message.success(t('common.saved'));
      setMode('view');
      setReload((r) => r + 1);
    } catch (err) {
      if (isApiError(err)) setError(err);
    } finally {
      setSaving(false);
    }
  };

  const importFile = async (file: File, kind: 'points' | 'boundary') => {
    if (!grid || !data) return;
    setError(null);
    try {
      const json = await readJson(file, t);
      if (kind === 'points') {
        const r = await housingApi.importPoints(grid, json);
        void message.success(t('housing.map.imported', r));
      } else {
        await housingApi.putBoundary(grid, json, data.grid.version);
        void message.success(t('common.saved'));
      }
      setReload((r) => r + 1);
    } catch (err) {
      if (isApiError(err) || err instanceof Error) setError(err);
    }
  };

  const path = (pts: Pos[], close: boolean) =>
    pts.length
      ? pts
          .map(
            (p, i) =>
              `${i ? 'L' : 'M'}${proj
                .toXY(p)
                .map((n) => n.toFixed(1))
                .join(',')}`,
          )
          .join('') + (close ? 'Z' : '')
      : '';
  const located = (data?.buildings ?? []).filter((b) => b.lat !== null && b.lng !== null);
  const unlocated = (data?.buildings ?? []).filter((b) => b.lat === null || b.lng === null);
  const details = error && isApiError(error) ? error.details : [];

  return (
    <Page title={data ? t('housing.map.titleOf', { name: data.grid.name }) : t('housing.map.title')}>
      <Card size="small" className="filter-card">
        <div className="filter-bar">
          <AreaPicker
            value={grid}
            onChange={(code) => setParams(code ? { grid: code } : {}, { replace: true })}
            placeholder={t('housing.map.gridPlaceholder')}
            style={{ minWidth: 240 }}
            data-testid="housing-map-grid"
          />
          {grid ? <Link to={`/housing?area=${grid}`}>{t('housing.map.toList')}</Link> : null}
        </div>
      </Card>
      {error ? (
        <Alert
          type="error"
          showIcon
          closable
          onClose={() => setError(null)}
          className="page-alert"
          title={error.message}
          description={
            details.length ? (
              <ul className="housing-problems">
                {details.map((d) => (
                  <li key={`${d.field}:${d.rule}`}>{d.message ?? `${d.field}: ${d.rule}`}</li>
                ))}
              </ul>
            ) : undefined
          }
          data-testid="housing-map-error"
        />
      ) : null}
      {grid && grid.length !== 15 ? (
        <Alert type="warning" showIcon title={t('housing.map.pickGrid')} className="page-alert" />
      ) : null}
      {loading && !data ? (
        <div className="page-loading">
          <Spin size="large" />
        </div>
      ) : null}
      {!grid ? (
        <Card>
          <Empty description={t('housing.map.pickGrid')} />
        </Card>
      ) : null}
      {data ? (
        <div className="card-stack">
          <Card size="small">
            <Space wrap className="housing-map-tools">
              <Segmented<Mode>
                value={mode}
                onChange={(m) => (m === 'draw' ? startDraw() : setMode(m))}
                options={[
                  { value: 'view', label: t('housing.map.mode.view') },
                  ...(canPlace ? [{ value: 'place' as Mode, label: t('housing.map.mode.place') }] : []),
                  ...(canDraw ? [{ value: 'draw' as Mode, label: t('housing.map.mode.draw') }] : []),
                ]}
                data-testid="housing-map-mode"
              />
              {mode === 'place' ? (
                <Select
                  value={selected}
                  onChange={setSelected}
                  placeholder={t('housing.map.pickBuilding')}
                  options={data.buildings.map((b) => ({
                    value: b.id,
                    label: `${b.name}${b.estateName ? ` · ${b.estateName}` : ''}${b.lat === null ? ' ○' : ''}`,
                  }))}
                  style={{ minWidth: 200 }}
                  data-testid="housing-map-building"
                />
              ) : null}
              {mode === 'draw' ? (
                <>
                  <Button
                    icon={<UndoOutlined />}
                    onClick={() => {
                      setDraft((d) => (vertex !== null ? d.filter((_, i) => i !== vertex) : d.slice(0, -1)));
                      setVertex(null);
                    }}
                    disabled={draft.length === 0}
                    data-testid="draw-undo"
                  >
                    {vertex !== null ? t('housing.map.deleteVertex') : t('housing.map.undo')}
                  </Button>
                  <Button onClick={() => setDraft([])} data-testid="draw-clear">
                    {t('housing.map.clear')}
                  </Button>
                  <Button
                    type="primary"
                    disabled={draft.length < 3}
                    loading={saving}
                    onClick={() => void saveBoundary()}
                    data-testid="draw-save"
                  >
                    {t('housing.map.saveBoundary')}
                  </Button>
                </>
              ) : null}
            </Space>
            <Typography.Paragraph type="secondary" className="housing-map-hint">
              {mode === 'place'
                ? t('housing.map.hint.place')
                : mode === 'draw'
                  ? t('housing.map.hint.draw', { n: draft.length })
                  : ring.length
                    ? t('housing.map.hint.view')
                    : t('housing.map.noBoundary')}
            </Typography.Paragraph>
            <div className="housing-map-wrap">
              <svg
                ref={svg}
                viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
                className={mode === 'view' ? 'housing-map-svg' : 'housing-map-svg housing-map-editing'}
                role="img"
                aria-label={t('housing.map.svgLabel')}
                onClick={(e) => void onMapClick(e)}
                data-testid="housing-map-svg"
              >
                <rect x={0} y={0} width={WIDTH} height={HEIGHT} className="housing-map-bg" />
                {proj.tiles.length ? (
                  <g aria-label={t('housing.map.tiles')} data-testid="housing-map-tiles">
                    {proj.tiles.map((tile) => (
                      <image
                        key={tile.key}
                        href={tile.href}
                        x={tile.x}
                        y={tile.y}
                        // A hair larger, so no seam shows between neighbouring tiles when scaled.
                        width={tile.size + 0.5}
                        height={tile.size + 0.5}
                        preserveAspectRatio="none"
                        className="housing-map-tile"
                        data-testid="housing-map-tile"
                      />
                    ))}
                  </g>
                ) : null}
                {ring.length && mode !== 'draw' ? (
                  <path
                    d={path(ring, true)}
                    className="housing-map-boundary"
                    data-testid="housing-map-boundary"
                  />
                ) : null}
                {mode === 'draw' ? (
                  <>
                    <path d={path(draft, draft.length > 2)} className="housing-map-draft" />
                    {draft.map((p, i) => {
                      const [x, y] = proj.toXY(p);
                      return (
                        <circle
                          key={i}
                          cx={x}
                          cy={y}
                          r={vertex === i ? 12 : 9}
                          className={
                            vertex === i ? 'housing-map-vertex housing-map-vertex-on' : 'housing-map-vertex'
                          }
                          onClick={(e) => {
                            e.stopPropagation();
                            setVertex(vertex === i ? null : i);
                          }}
                          data-testid={`draw-vertex-${i}`}
                        />
                      );
                    })}
                  </>
                ) : null}
                {located.map((b) => {
                  const [x, y] = proj.toXY([b.lng!, b.lat!]);
                  const on = b.id === selected;
                  return (
                    <g key={b.id} data-testid={`map-building-${b.id}`}>
                      <rect
                        x={x - 10}
                        y={y - 10}
                        width={20}
                        height={20}
                        rx={3}
                        className={
                          on ? 'housing-map-building housing-map-building-on' : 'housing-map-building'
                        }
                        onClick={(e) => {
                          if (mode === 'view' || mode === 'place') {
                            e.stopPropagation();
                            setSelected(b.id);
                          }
                        }}
                      />
                      <text x={x} y={y - 16} textAnchor="middle" className="housing-map-label">
                        {b.name}
                      </text>
                    </g>
                  );
                })}
              </svg>
            </div>
            {tileServer?.attribution ? (
              <div className="housing-map-attribution" data-testid="housing-map-attribution">
                {tileServer.attribution}
              </div>
            ) : null}
            {selected && mode === 'view' ? (
              <div className="housing-map-selected">
                {(() => {
                  const b = data.buildings.find((x) => x.id === selected);
                  return b ? (
                    <Link to={`/housing/buildings/${b.id}`} data-testid="map-open-building">
                      {t('housing.map.openBuilding', { name: b.name })}
                    </Link>
                  ) : null;
                })()}
              </div>
            ) : null}
          </Card>
          {unlocated.length ? (
            <Card size="small" title={t('housing.map.unlocated', { n: unlocated.length })}>
              <Space wrap>
                {unlocated.map((b) => (
                  <Button
                    key={b.id}
                    size="small"
                    onClick={() => {
                      setSelected(b.id);
                      if (canPlace) setMode('place');
                    }}
                  >
                    {b.name}
                  </Button>
                ))}
              </Space>
            </Card>
          ) : null}
          <Card size="small" title={t('housing.map.geojson')}>
            <Space wrap>
              <a href={housingApi.exportUrl(data.grid.code)} download data-testid="export-points">
                <Button icon={<DownloadOutlined />}>{t('housing.map.exportPoints')}</Button>
              </a>
              {canPlace ? (
                <Upload
                  accept=".geojson,.json,application/geo+json,application/json"
                  showUploadList={false}
                  beforeUpload={(file) => {
                    void importFile(file, 'points');
                    return false;
                  }}
                >
                  <Button icon={<UploadOutlined />} data-testid="import-points">
                    {t('housing.map.importPoints')}
                  </Button>
                </Upload>
              ) : null}
              {canDraw ? (
                <Upload
                  accept=".geojson,.json,application/geo+json,application/json"
                  showUploadList={false}
                  beforeUpload={(file) => {
                    void importFile(file, 'boundary');
                    return false;
                  }}
                >
                  <Button icon={<UploadOutlined />} data-testid="import-boundary">
                    {t('housing.map.importBoundary')}
                  </Button>
                </Upload>
              ) : null}
            </Space>
            <Typography.Paragraph type="secondary" className="housing-map-hint">
              {t('housing.map.geojsonHint')}
            </Typography.Paragraph>
          </Card>
        </div>
      ) : null}
    </Page>
  );
}
