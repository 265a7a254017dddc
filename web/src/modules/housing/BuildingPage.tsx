/**
 * One building (楼栋): its details and units, and the chosen unit's 楼盘表: floors as rows (top floor first),
 * dwellings as cells coloured by use. A cell opens the dwelling (change its use, see its households).
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Popconfirm,
  Segmented,
  Space,
  Spin,
  Tag,
  Typography,
} from 'antd';
import { EditOutlined, EnvironmentOutlined, PlusOutlined, TeamOutlined } from '@ant-design/icons';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { DWELLING_USES } from '../../../../common/schemas/housing';
import { isApiError, type ApiError } from '../../api';
import { useT } from '../../i18n';
import { useSession } from '../../session';
import { Page } from '../../components/Page';
import { ErrorResult } from '../../components/ErrorResult';
import { housingApi, type BuildingDetail, type Dwelling, type UnitDetail } from './api';
import { BuildingEditModal, DwellingModal, UnitModal } from './forms';
import { BUILDING_USE_LABEL, DWELLING_USE_COLOUR, DWELLING_USE_LABEL } from './labels';
import './housing.css';

/** The dwellings of a unit by floor, top floor first; each floor's dwellings by number. */
export function floorRows(dwellings: Dwelling[], floors: number): { floor: number; cells: Dwelling[] }[] {
  const byFloor = new Map<number, Dwelling[]>();
  for (const d of dwellings) byFloor.set(d.floor, [...(byFloor.get(d.floor) ?? []), d]);
  const rows = [];
  for (let f = floors; f >= 1; f--) {
    const cells = (byFloor.get(f) ?? []).sort((a, b) =>
      a.number.localeCompare(b.number, 'zh-CN', { numeric: true }),
    );
    rows.push({ floor: f, cells });
  }
  return rows;
}

/** The 楼盘表 of one unit. */
function FloorTable({ unit, onOpen }: { unit: UnitDetail; onOpen: (d: Dwelling) => void }) {
  const t = useT();
  const rows = floorRows(unit.dwellings, unit.building.floors);
  return (
    <div
      className="floor-table"
      role="table"
      aria-label={t('housing.floorTable')}
      data-testid="floor-table"
      data-unit={unit.unit.id}
    >
      {rows.map((r) => (
        <div className="floor-row" role="row" key={r.floor} data-testid={`floor-${r.floor}`}>
          <div className="floor-label" role="rowheader">
            {t('housing.floorN', { n: r.floor })}
          </div>
          <div className="floor-cells">
            {r.cells.length === 0 ? <span className="floor-empty">—</span> : null}
            {r.cells.map((d) => {
              const c = DWELLING_USE_COLOUR[d.use];
              return (
                <button
                  type="button"
                  role="cell"
                  key={d.id}
                  className="dwelling-cell"
                  style={{ background: c.bg, color: c.fg }}
                  onClick={() => onOpen(d)}
                  title={`${d.label} · ${t(DWELLING_USE_LABEL[d.use])}`}
                  data-testid={`dwelling-${d.number}`}
                  data-use={d.use}
                >
                  <span className="dwelling-number">{d.number}</span>
                  <span className="dwelling-use">{t(DWELLING_USE_LABEL[d.use])}</span>
                </button>
              );
            })}
          </div>
        </div>
      ))}
    </div>
  );
}

export default function BuildingPage() {
  const t = useT();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const { id = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const { can } = useSession();
  const canWrite = can('update', 'Housing');
  const [detail, setDetail] = useState<BuildingDetail | null>(null);
  const [unit, setUnit] = useState<UnitDetail | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [reload, setReload] = useState(0);
  const [editOpen, setEditOpen] = useState(false);
  const [unitOpen, setUnitOpen] = useState(false);
  const [dwellingModal, setDwellingModal] = useState<{ open: boolean; dwelling: Dwelling | null }>({
    open: false,
    dwelling: null,
  });
  const unitId = params.get('unit') ?? detail?.units[0]?.id;

  useEffect(() => {
    const ac = new AbortController();
    setLoadError(null);
    housingApi
      .building(id, ac.signal)
      .then(setDetail)
      .catch((e: unknown) => {
        if (!ac.signal.aborted) setLoadError(e);
      });
    return () => ac.abort();
  }, [id, reload]);

  useEffect(() => {
    if (!unitId) {
      setUnit(null);
      return;
    }
    const ac = new AbortController();
    housingApi
      .unit(unitId, ac.signal)
      .then(setUnit)
      .catch((e: unknown) => {
        if (isApiError(e)) setError(e);
      });
    return () => ac.abort();
  }, [unitId, reload]);

  const refresh = useCallback(() => setReload((r) => r + 1), []);
  const legend = useMemo(
    () =>
      DWELLING_USES.map((u) => (
        <span key={u} className="housing-legend-item">
          <span className="housing-legend-swatch" style={{ background: DWELLING_USE_COLOUR[u].bg }} />
          {t(DWELLING_USE_LABEL[u])} {detail ? detail.byUse[u] : ''}
        </span>
      )),
    [detail, t],
  );

  if (loadError) return <ErrorResult error={loadError} onRetry={refresh} />;
  if (!detail)
    return (
      <div className="page-loading">
        <Spin size="large" />
      </div>
    );
  const b = detail.building;

  const retire = async () => {
    try {
      await housingApi.retireBuilding(b.id, b.version);
      void message.success(t('housing.retired'));
      navigate(`/housing?area=${b.areaCode}`);
    } catch (e) {
      if (isApiError(e)) setError(e);
    }
  };

  const retireDwelling = async (d: Dwelling) => {
    try {
      await housingApi.retireDwelling(d.id, d.version);
      setDwellingModal({ open: false, dwelling: null });
      refresh();
    } catch (e) {
      if (isApiError(e)) setError(e);
    }
  };

  return (
    <Page
      title={
        <span>
          {b.name}
          {b.retiredAt ? <Tag className="housing-title-tag">{t('housing.retired')}</Tag> : null}
        </span>
      }
      extra={
        <Space wrap>
          <Link to={`/housing/map?grid=${b.areaCode}&building=${b.id}`}>
            <Button icon={<EnvironmentOutlined />} data-testid="building-map">
              {t('housing.map.open')}
            </Button>
          </Link>
          {canWrite && !b.retiredAt ? (
            <Button icon={<EditOutlined />} onClick={() => setEditOpen(true)} data-testid="building-edit">
              {t('common.edit')}
            </Button>
          ) : null}
        </Space>
      }
    >
      <div className="card-stack">
        {error ? (
          <Alert type="error" showIcon closable title={error.message} onClose={() => setError(null)} />
        ) : null}
        <Card size="small">
          <Descriptions
            size="small"
            column={{ xs: 1, sm: 2, md: 3 }}
            items={[
              { key: 'estate', label: t('housing.estate'), children: b.estateName ?? t('housing.noEstate') },
              {
                key: 'grid',
                label: t('housing.grid'),
                children: <Link to={`/housing?area=${b.areaCode}`}>{b.areaName}</Link>,
              },
              { key: 'floors', label: t('housing.building.floors'), children: b.floors },
              { key: 'units', label: t('housing.building.units'), children: detail.units.length },
              { key: 'dwellings', label: t('housing.building.dwellings'), children: b.dwellingCount },
              { key: 'use', label: t('housing.building.use'), children: t(BUILDING_USE_LABEL[b.use]) },
              ...(b.address ? [{ key: 'address', label: t('housing.address'), children: b.address }] : []),
            ]}
          />
          <div className="housing-legend" data-testid="use-legend">
            {legend}
          </div>
        </Card>

        <Card
          size="small"
          className="housing-wrap-head"
          title={t('housing.units')}
          extra={
            canWrite && !b.retiredAt ? (
              <Space wrap>
                <Button
                  size="small"
                  icon={<PlusOutlined />}
                  onClick={() => setUnitOpen(true)}
                  data-testid="unit-add"
                >
                  {t('housing.unit.add')}
                </Button>
                {unit ? (
                  <Button
                    size="small"
                    icon={<PlusOutlined />}
                    onClick={() => setDwellingModal({ open: true, dwelling: null })}
                    data-testid="dwelling-add"
                  >
                    {t('housing.dwelling.add')}
                  </Button>
                ) : null}
              </Space>
            ) : null
          }
        >
          {detail.units.length === 0 ? (
            <Typography.Text type="secondary">{t('housing.units.empty')}</Typography.Text>
          ) : (
            <>
              <Segmented
                block={detail.units.length <= 4}
                value={unitId}
                onChange={(v) => setParams({ unit: String(v) }, { replace: true })}
                options={detail.units.map((u) => ({
                  value: u.id,
                  label: `${u.name ?? t('housing.unitN', { n: u.number })} (${u.dwellingCount})`,
                }))}
                className="housing-units"
                data-testid="unit-tabs"
              />
              {/* The last unit's table stays hidden until the chosen one arrives, so a tap never opens a door of the wrong unit. */}
              {unit && unit.unit.id === unitId ? (
                <FloorTable unit={unit} onOpen={(d) => setDwellingModal({ open: true, dwelling: d })} />
              ) : (
                <div className="page-loading">
                  <Spin />
                </div>
              )}
            </>
          )}
        </Card>

        {canWrite && !b.retiredAt ? (
          <Popconfirm
            title={t('housing.building.retireConfirm')}
            onConfirm={() => void retire()}
            okText={t('common.ok')}
            cancelText={t('common.cancel')}
          >
            <Button danger data-testid="building-retire">
              {t('housing.building.retire')}
            </Button>
          </Popconfirm>
        ) : null}
      </div>

      <BuildingEditModal
        open={editOpen}
        building={b}
        onClose={() => setEditOpen(false)}
        onSaved={() => {
          setEditOpen(false);
          refresh();
        }}
      />
      <UnitModal
        open={unitOpen}
        buildingId={b.id}
        onClose={() => setUnitOpen(false)}
        onSaved={(newId) => {
          setUnitOpen(false);
          setParams({ unit: newId }, { replace: true });
          refresh();
        }}
      />
      {unit ? (
        <DwellingModal
          open={dwellingModal.open}
          unitId={unit.unit.id}
          dwelling={dwellingModal.dwelling}
          maxFloor={b.floors}
          readOnly={!canWrite || b.retiredAt !== null}
          onClose={() => setDwellingModal({ open: false, dwelling: null })}
          onSaved={() => {
            setDwellingModal({ open: false, dwelling: null });
            refresh();
          }}
          extra={
            dwellingModal.dwelling ? (
              <Space wrap className="dwelling-extra">
                <Link
                  to={`/households?dwellingId=${dwellingModal.dwelling.id}`}
                  data-testid="dwelling-households"
                >
                  <Button icon={<TeamOutlined />}>{t('housing.dwelling.households')}</Button>
                </Link>
                {canWrite ? (
                  <Popconfirm
                    title={t('housing.dwelling.retireConfirm')}
                    onConfirm={() => void retireDwelling(dwellingModal.dwelling!)}
                    okText={t('common.ok')}
                    cancelText={t('common.cancel')}
                  >
                    <Button danger data-testid="dwelling-retire">
                      {t('housing.dwelling.retire')}
                    </Button>
                  </Popconfirm>
                ) : null}
              </Space>
            ) : null
          }
        />
      ) : null}
    </Page>
  );
}
