/**
 * The map of open cases by grid (网格地图): grid boundaries drawn as SVG (no tiles: the app runs offline), coloured by
 * open cases, outlined red where some are overdue; hover or tap for numbers, click for the grid's case list. Grids
 * without a drawn boundary are listed as tiles below.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { Alert, Button, Card, Empty, Spin, Tag, Typography } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { parseAreaCode } from '../../../../common/area-code';
import { isApiError, type ApiError } from '../../api';
import { useLocale } from '../../i18n';
import { Page } from '../../components/Page';
import { AreaPicker } from '../../components/AreaPicker';
import { useIsMobile } from '../../components/useIsMobile';
import { casesApi, type GridMap, type GridMapEntry } from './api';
import { colourOf, countClasses, fitShapes, ringsOf, type Ring } from './geo';
import './cases.css';

interface Tip {
  code: string;
  x: number;
  y: number;
}

function casesLink(code: string): string {
  return `/cases?area=${encodeURIComponent(code)}`;
}

export default function GridMapPage() {
  const { t } = useLocale();
  const navigate = useNavigate();
  const isMobile = useIsMobile();
  const [params, setParams] = useSearchParams();
  const area = params.get('area') ?? undefined;
  const [data, setData] = useState<GridMap | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [reload, setReload] = useState(0);
  const [tip, setTip] = useState<Tip | null>(null);
  const [areaWarning, setAreaWarning] = useState(false);
  const wrap = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const ac = new AbortController();
    setLoading(true);
    setError(null);
    setTip(null);
    casesApi
      .gridMap(area, ac.signal)
      .then(setData)
      .catch((e: unknown) => {
        if (isApiError(e)) setError(e);
      })
      .finally(() => {
        if (!ac.signal.aborted) setLoading(false);
      });
    return () => ac.abort();
  }, [area, reload]);

  const drawn = useMemo(() => {
    const shapes = new Map<string, Ring[]>();
    for (const g of data?.grids ?? []) {
      const rings = ringsOf(g.boundary);
      if (rings.length) shapes.set(g.code, rings);
    }
    return fitShapes(shapes, { width: 800, maxHeight: 640 });
  }, [data]);
  const byCode = useMemo(() => new Map((data?.grids ?? []).map((g) => [g.code, g])), [data]);
  const classes = useMemo(() => countClasses(Math.max(0, ...(data?.grids ?? []).map((g) => g.open))), [data]);
  const unbounded = (data?.grids ?? []).filter((g) => !drawn.shapes.has(g.code));

  const chooseArea = (code: string | undefined) => {
    if (code) {
      const p = parseAreaCode(code);
      if (!p.ok || (p.level !== 'street' && p.level !== 'community')) {
        setAreaWarning(true);
        return;
      }
    }
    setAreaWarning(false);
    setParams(code ? { area: code } : {}, { replace: true });
  };

  const place = (code: string, clientX: number, clientY: number) => {
    const box = wrap.current?.getBoundingClientRect();
    if (!box) return;
    setTip({ code, x: clientX - box.left, y: clientY - box.top });
  };

  const tipGrid = tip ? byCode.get(tip.code) : undefined;
  const tipBox = wrap.current?.getBoundingClientRect();
  const tooltip =
    tip && tipGrid ? (
      <div
        className="grid-map-tooltip"
        style={{
          left: Math.max(4, Math.min(tip.x + 12, (tipBox?.width ?? 400) - 244)),
          // In the lower half the box opens upwards, off the legend and the tiles below.
          ...(tip.y > (tipBox?.height ?? 0) / 2
            ? { top: tip.y - 12, transform: 'translateY(-100%)' }
            : { top: Math.max(4, tip.y + 12) }),
        }}
        data-testid="grid-map-tooltip"
      >
        <Typography.Text strong>{tipGrid.name}</Typography.Text>
        <div>
          <Typography.Text type="secondary">{tipGrid.communityName}</Typography.Text>
        </div>
        <div>
          <Tag color={tipGrid.open ? 'orange' : 'default'}>{t('cases.map.open', { n: tipGrid.open })}</Tag>
          {tipGrid.overdue ? <Tag color="red">{t('cases.map.overdueN', { n: tipGrid.overdue })}</Tag> : null}
        </div>
        {isMobile ? (
          <Link to={casesLink(tipGrid.code)} data-testid="grid-map-tooltip-open">
            <Button type="primary" size="small" style={{ marginTop: 6 }}>
              {t('cases.map.openList')}
            </Button>
          </Link>
        ) : null}
      </div>
    ) : null;

  const tile = (g: GridMapEntry) => (
    <Link
      key={g.code}
      to={casesLink(g.code)}
      className={g.overdue ? 'grid-tile grid-tile-overdue' : 'grid-tile'}
      style={{ background: colourOf(g.open, classes) }}
      data-testid={`grid-tile-${g.code}`}
    >
      <span className="grid-tile-name">{g.name}</span>
      <span className="grid-tile-community">{g.communityName}</span>
      <span>
        {t('cases.map.open', { n: g.open })}
        {g.overdue ? (
          <Typography.Text type="danger"> · {t('cases.map.overdueN', { n: g.overdue })}</Typography.Text>
        ) : null}
      </span>
    </Link>
  );

  return (
    <Page
      title={t('cases.map.title')}
      extra={
        <Button
          icon={<ReloadOutlined />}
          onClick={() => setReload((r) => r + 1)}
          loading={loading}
          data-testid="grid-map-refresh"
        >
          {isMobile ? null : t('common.refresh')}
        </Button>
      }
    >
      <Card size="small" className="filter-card">
        <div className="filter-bar">
          <AreaPicker
            allowClear
            value={area}
            onChange={chooseArea}
            placeholder={t('cases.map.areaPlaceholder')}
            style={{ minWidth: 240 }}
            data-testid="grid-map-area"
          />
        </div>
        {areaWarning ? (
          <Alert
            type="warning"
            showIcon
            title={t('cases.map.area') + ': ' + t('cases.new.areaPlaceholder')}
            style={{ marginTop: 8 }}
          />
        ) : null}
      </Card>
      {error ? (
        <Alert
          type="error"
          showIcon
          className="page-alert"
          title={error.message}
          action={<Button onClick={() => setReload((r) => r + 1)}>{t('common.retry')}</Button>}
          data-testid="grid-map-error"
        />
      ) : null}
      {loading && !data ? (
        <div className="page-loading">
          <Spin size="large" />
        </div>
      ) : null}
      {data ? (
        <div className="card-stack">
          {data.grids.length === 0 ? (
            <Card>
              <Empty description={t('cases.map.empty')} data-testid="grid-map-empty" />
            </Card>
          ) : null}
          {drawn.shapes.size > 0 ? (
            <Card size="small">
              <div
                className="grid-map-wrap"
                ref={wrap}
                onMouseLeave={() => (isMobile ? undefined : setTip(null))}
              >
                <svg
                  viewBox={`0 0 ${drawn.width} ${Math.round(drawn.height)}`}
                  className="grid-map-svg"
                  role="img"
                  aria-label={t('cases.map.svgLabel')}
                  data-testid="grid-map-svg"
                  onClick={(e) => {
                    if (e.target === e.currentTarget) setTip(null);
                  }}
                >
                  {[...drawn.shapes].map(([code, s]) => {
                    const g = byCode.get(code)!;
                    return (
                      <path
                        key={code}
                        d={s.d}
                        fillRule="evenodd"
                        fill={colourOf(g.open, classes)}
                        stroke={g.overdue ? '#cf1322' : '#5b7f7a'}
                        strokeWidth={g.overdue ? 3 : 1}
                        strokeLinejoin="round"
                        className={tip?.code === code ? 'grid-shape grid-shape-active' : 'grid-shape'}
                        data-testid={`grid-shape-${code}`}
                        data-open={g.open}
                        data-overdue={g.overdue}
                        onMouseMove={(e) => (isMobile ? undefined : place(code, e.clientX, e.clientY))}
                        onClick={(e) => {
                          if (isMobile) place(code, e.clientX, e.clientY);
                          else navigate(casesLink(code));
                        }}
                      >
                        <title>{`${g.name} · ${t('cases.map.open', { n: g.open })}`}</title>
                      </path>
                    );
                  })}
                  {[...drawn.shapes].map(([code, s]) => {
                    const g = byCode.get(code)!;
                    if (s.size < 28 || g.open === 0) return null;
                    return (
                      <text
                        key={`l-${code}`}
                        x={s.cx}
                        y={s.cy}
                        textAnchor="middle"
                        dominantBaseline="central"
                        className="grid-label"
                        fontSize={Math.min(48, Math.max(16, s.size / 3))}
                        fill={g.open >= (classes[3]?.from ?? Infinity) ? '#fff' : '#1f2d2b'}
                      >
                        {g.open}
                      </text>
                    );
                  })}
                </svg>
                {tooltip}
              </div>
              <div className="grid-map-legend" data-testid="grid-map-legend">
                <Typography.Text type="secondary">{t('cases.map.legend')}</Typography.Text>
                {classes.map((c) => (
                  <span key={c.colour}>
                    <span className="grid-map-legend-swatch" style={{ background: c.colour }} />
                    {c.from === c.to ? c.from : `${c.from}–${c.to}`}
                  </span>
                ))}
                <span>
                  <span className="grid-map-legend-swatch grid-map-legend-overdue" />
                  {t('cases.map.legendOverdue')}
                </span>
              </div>
            </Card>
          ) : null}
          {unbounded.length > 0 ? (
            <Card
              size="small"
              title={t('cases.map.noBoundary')}
              extra={<Typography.Text type="secondary">{t('cases.map.noBoundaryHint')}</Typography.Text>}
              data-testid="grid-map-tiles"
            >
              <div className="grid-tiles">{unbounded.map(tile)}</div>
            </Card>
          ) : null}
          {data.unlocated > 0 ? (
            <Alert type="info" showIcon title={t('cases.map.unlocated', { n: data.unlocated })} />
          ) : null}
        </div>
      ) : null}
    </Page>
  );
}
