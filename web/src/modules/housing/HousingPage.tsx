/**
 * The housing register (房屋管理): pick an area (community or grid) and see its estates and buildings; a building
 * opens its 楼盘表. Staff who may write add estates, enter whole buildings at once, and open a grid's map.
 */
import { useEffect, useState } from 'react';
import { Alert, Button, Card, Empty, Input, Pagination, Space, Spin, Tag, Typography } from 'antd';
import { EnvironmentOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { isApiError, type ApiError } from '../../api';
import { useT } from '../../i18n';
import { useSession } from '../../session';
import { Page } from '../../components/Page';
import { AreaPicker } from '../../components/AreaPicker';
import { useIsMobile } from '../../components/useIsMobile';
import { housingApi, type Building, type Estate, type Paged } from './api';
import { BulkBuildingModal, EstateModal } from './forms';
import { BUILDING_USE_LABEL } from './labels';
import './housing.css';

const PAGE = 30;

export default function HousingPage() {
  const t = useT();
  const navigate = useNavigate();
  const isMobile = useIsMobile();
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const area = params.get('area') ?? undefined;
  const estateId = params.get('estate') ?? undefined;
  const q = params.get('q') ?? '';
  const page = Number(params.get('page') ?? '1') || 1;
  const [estates, setEstates] = useState<Estate[]>([]);
  const [list, setList] = useState<Paged<Building> | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [reload, setReload] = useState(0);
  const [estateModal, setEstateModal] = useState<{ open: boolean; estate: Estate | null }>({
    open: false,
    estate: null,
  });
  const [bulkOpen, setBulkOpen] = useState(false);
  const canWrite = can('create', 'Housing');
  const isGrid = area?.length === 15;

  const setParam = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    if (!('page' in changes)) next.delete('page');
    setParams(next, { replace: true });
  };

  useEffect(() => {
    const ac = new AbortController();
    setLoading(true);
    setError(null);
    Promise.all([
      housingApi.estates({ area, limit: 200 }, ac.signal),
      housingApi.buildings(
        { area, estateId, q: q || undefined, limit: PAGE, offset: (page - 1) * PAGE },
        ac.signal,
      ),
    ])
      .then(([e, b]) => {
        setEstates(e.items);
        setList(b);
      })
      .catch((e: unknown) => {
        if (isApiError(e)) setError(e);
      })
      .finally(() => {
        if (!ac.signal.aborted) setLoading(false);
      });
    return () => ac.abort();
  }, [area, estateId, q, page, reload]);

  const chosenEstate = estates.find((e) => e.id === estateId);

  return (
    <Page
      title={t('housing.title')}
      extra={
        <Space wrap>
          {isGrid ? (
            <Link to={`/housing/map?grid=${area}`}>
              <Button icon={<EnvironmentOutlined />} data-testid="housing-open-map">
                {t('housing.map.open')}
              </Button>
            </Link>
          ) : null}
          {canWrite ? (
            <Button
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => setBulkOpen(true)}
              data-testid="housing-bulk"
            >
              {t('housing.bulk.open')}
            </Button>
          ) : null}
          <Button
            icon={<ReloadOutlined />}
            onClick={() => setReload((r) => r + 1)}
            loading={loading}
            aria-label={t('common.refresh')}
          >
            {isMobile ? null : t('common.refresh')}
          </Button>
        </Space>
      }
    >
      <Card size="small" className="filter-card">
        <div className="filter-bar">
          <AreaPicker
            allowClear
            value={area}
            onChange={(code) => setParam({ area: code, estate: undefined })}
            placeholder={t('housing.areaPlaceholder')}
            style={{ minWidth: 240 }}
            data-testid="housing-area"
          />
          <Input.Search
            allowClear
            defaultValue={q}
            placeholder={t('housing.searchPlaceholder')}
            onSearch={(v) => setParam({ q: v.trim() || undefined })}
            style={{ maxWidth: 280 }}
            data-testid="housing-search"
          />
        </div>
      </Card>
      {error ? (
        <Alert
          type="error"
          showIcon
          className="page-alert"
          title={error.message}
          action={<Button onClick={() => setReload((r) => r + 1)}>{t('common.retry')}</Button>}
        />
      ) : null}
      <div className="card-stack">
        <Card
          size="small"
          title={t('housing.estates')}
          extra={
            canWrite ? (
              <Button
                size="small"
                icon={<PlusOutlined />}
                onClick={() => setEstateModal({ open: true, estate: null })}
                data-testid="estate-add"
              >
                {t('housing.estate.add')}
              </Button>
            ) : null
          }
        >
          {estates.length === 0 ? (
            <Typography.Text type="secondary">{t('housing.estates.empty')}</Typography.Text>
          ) : (
            <div className="housing-chips" data-testid="estate-list">
              <Tag.CheckableTag
                checked={!estateId}
                onChange={() => setParam({ estate: undefined })}
                className="housing-chip"
              >
                {t('common.all')}
              </Tag.CheckableTag>
              {estates.map((e) => (
                <Tag.CheckableTag
                  key={e.id}
                  checked={estateId === e.id}
                  onChange={(on) => setParam({ estate: on ? e.id : undefined })}
                  className="housing-chip"
                  data-testid={`estate-${e.id}`}
                >
                  {e.name} · {t('housing.buildingsN', { n: e.buildingCount })}
                </Tag.CheckableTag>
              ))}
            </div>
          )}
          {chosenEstate ? (
            <div className="housing-estate-info" data-testid="estate-info">
              <Typography.Text strong>{chosenEstate.name}</Typography.Text>
              <Typography.Text type="secondary"> · {chosenEstate.areaName}</Typography.Text>
              {chosenEstate.address ? <div>{chosenEstate.address}</div> : null}
              {chosenEstate.propertyCompany ? (
                <div>
                  {t('housing.estate.propertyCompany')}: {chosenEstate.propertyCompany}
                  {chosenEstate.propertyPhone ? (
                    <>
                      {' · '}
                      <a href={`tel:${chosenEstate.propertyPhone}`}>{chosenEstate.propertyPhone}</a>
                    </>
                  ) : null}
                </div>
              ) : null}
              {can('update', 'Housing') ? (
                <Button
                  size="small"
                  type="link"
                  onClick={() => setEstateModal({ open: true, estate: chosenEstate })}
                  data-testid="estate-edit"
                >
                  {t('common.edit')}
                </Button>
              ) : null}
            </div>
          ) : null}
        </Card>

        {loading && !list ? (
          <div className="page-loading">
            <Spin size="large" />
          </div>
        ) : null}
        {list && list.items.length === 0 ? (
          <Card>
            <Empty description={t('housing.buildings.empty')} data-testid="building-empty" />
          </Card>
        ) : null}
        {list && list.items.length > 0 ? (
          <div className="housing-building-grid" data-testid="building-list">
            {list.items.map((b) => (
              <Link
                key={b.id}
                to={`/housing/buildings/${b.id}`}
                className="housing-building-card"
                data-testid={`building-${b.id}`}
              >
                <span className="housing-building-name">{b.name}</span>
                <span className="housing-building-meta">
                  {[b.estateName, b.areaName].filter(Boolean).join(' · ')}
                </span>
                <span>
                  {t('housing.building.summary', {
                    floors: b.floors,
                    units: b.unitsCount,
                    n: b.dwellingCount,
                  })}
                </span>
                <span>
                  <Tag>{t(BUILDING_USE_LABEL[b.use])}</Tag>
                  {b.lat === null ? <Tag color="orange">{t('housing.building.noPoint')}</Tag> : null}
                </span>
              </Link>
            ))}
          </div>
        ) : null}
        {list && list.total > PAGE ? (
          <Pagination
            current={page}
            pageSize={PAGE}
            total={list.total}
            showSizeChanger={false}
            onChange={(p) => setParam({ page: String(p) })}
            size={isMobile ? 'small' : undefined}
          />
        ) : null}
      </div>
      <EstateModal
        open={estateModal.open}
        estate={estateModal.estate}
        defaultArea={area && area.length === 12 ? area : undefined}
        onClose={() => setEstateModal({ open: false, estate: null })}
        onSaved={() => {
          setEstateModal({ open: false, estate: null });
          setReload((r) => r + 1);
        }}
      />
      <BulkBuildingModal
        open={bulkOpen}
        defaultArea={area}
        defaultEstate={estateId}
        onClose={() => setBulkOpen(false)}
        onSaved={(b) => {
          setBulkOpen(false);
          navigate(`/housing/buildings/${b.id}`);
        }}
      />
    </Page>
  );
}
