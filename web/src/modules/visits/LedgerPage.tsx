/**
 * 民情台账: coverage of home visits for a street, community or grid over a period, per grid and per grid worker;
 * a grid row opens the households never visited in the period (paged, each linking to its card).
 */
import { useEffect, useState } from 'react';
import {
  App,
  Button,
  Card,
  DatePicker,
  Drawer,
  Dropdown,
  Empty,
  Input,
  List,
  Pagination,
  Progress,
  Skeleton,
  Space,
  Table,
  Typography,
} from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { Link } from 'react-router';
import { downloadFile, isApiError, type ApiError } from '../../api';
import { useLocale } from '../../i18n';
import { useSession } from '../../session';
import { Page } from '../../components/Page';
import { ErrorResult } from '../../components/ErrorResult';
import { AreaPicker } from '../../components/AreaPicker';
import { useIsMobile } from '../../components/useIsMobile';
import { chinaDay, visitsApi, type Coverage, type NeverItems } from './api';
import './visits.css';

type Row = Coverage['grids'][number];
type WorkerRow = Coverage['workers'][number];
const NEVER_PAGE = 20;
/** Rows per page of the ledger's tables: a street has hundreds of grids, too many to draw at once on a phone. */
const LEDGER_PAGE = 20;

/** Sorters for the figure columns. */
const byNumber =
  (key: 'households' | 'visitedHouseholds' | 'visits') => (a: Row | WorkerRow, b: Row | WorkerRow) =>
    a[key] - b[key];
/** Rows without a coverage (no households) go last in either order: sorting is for finding the weakest or best grids. */
const byCoverage = (a: Row | WorkerRow, b: Row | WorkerRow, order?: 'ascend' | 'descend' | null) => {
  if (a.coveragePercent === null || b.coveragePercent === null) {
    const last = order === 'descend' ? -1 : 1;
    return a.coveragePercent === b.coveragePercent ? 0 : a.coveragePercent === null ? last : -last;
  }
  return a.coveragePercent - b.coveragePercent;
};

/** Whether a name holds the filter text (case-insensitive; an empty filter holds everything). */
const matches = (name: string | null | undefined, filter: string) =>
  !filter || (name ?? '').toLowerCase().includes(filter.toLowerCase());

function Percent({ value }: { value: number | null }) {
  const mobile = useIsMobile();
  // On a phone the figure alone: a bar in a table cell is cut off where the table scrolls sideways.
  if (value !== null && mobile) return <span className="nowrap">{value}%</span>;
  return value === null ? (
    <span>—</span>
  ) : (
    <Progress percent={value} size="small" format={(p) => `${p}%`} className="visits-percent" />
  );
}

export default function LedgerPage() {
  const { t } = useLocale();
  const { me } = useSession();
  const home = me?.assignments.find((a) => a.areaCode)?.areaCode ?? undefined;
  const [areaCode, setAreaCode] = useState<string | undefined>(home);
  const [range, setRange] = useState<[Dayjs, Dayjs]>([dayjs(chinaDay(-59)), dayjs(chinaDay(0))]);
  const [data, setData] = useState<Coverage | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [reload, setReload] = useState(0);
  const [drill, setDrill] = useState<Row | null>(null);
  const [filter, setFilter] = useState('');
  const [exporting, setExporting] = useState(false);
  const { message } = App.useApp();
  const from = range[0].format('YYYY-MM-DD');
  const to = range[1].format('YYYY-MM-DD');

  useEffect(() => {
    if (!areaCode) return;
    const ac = new AbortController();
    setError(null);
    setData(null);
    visitsApi
      .coverage({ areaCode, from, to }, ac.signal)
      .then(setData)
      .catch((e: unknown) => {
        if (isApiError(e)) setError(e);
      });
    return () => ac.abort();
  }, [areaCode, from, to, reload]);

  // Fetched rather than linked, so that the file's headers follow the app's language and a refusal shows here.
  const exportLedger = async (format: 'xlsx' | 'csv') => {
    if (!areaCode) return;
    setExporting(true);
    try {
      await downloadFile(
        '/api/visits/coverage/export',
        { areaCode, from, to, format },
        `ledger-${areaCode}-${from}-${to}.${format}`,
      );
    } catch (e) {
      void message.error(isApiError(e) ? e.message : t('common.networkError'));
    } finally {
      setExporting(false);
    }
  };

  const pagination = {
    pageSize: LEDGER_PAGE,
    hideOnSinglePage: true,
    showSizeChanger: false,
    size: 'small' as const,
    showTotal: (total: number) => t('common.total', { total }),
  };

  const columns = [
    {
      title: t('visits.ledger.grid'),
      dataIndex: 'areaName',
      // The name stays in view while the figures scroll sideways on a phone.
      fixed: 'left' as const,
      render: (_: unknown, r: Row) => (
        <Typography.Link onClick={() => setDrill(r)} data-testid="ledger-grid">
          {r.areaName ?? r.areaCode}
        </Typography.Link>
      ),
    },
    { title: t('visits.ledger.households'), dataIndex: 'households', sorter: byNumber('households') },
    {
      title: t('visits.ledger.visited'),
      dataIndex: 'visitedHouseholds',
      sorter: byNumber('visitedHouseholds'),
    },
    {
      title: t('visits.ledger.coverage'),
      dataIndex: 'coveragePercent',
      sorter: byCoverage,
      render: (v: number | null) => <Percent value={v} />,
    },
    { title: t('visits.ledger.visits'), dataIndex: 'visits', sorter: byNumber('visits') },
  ];

  return (
    <Page title={t('visits.ledger.title')}>
      <Space wrap className="visits-filter">
        <AreaPicker value={areaCode} onChange={setAreaCode} style={{ minWidth: 240 }} />
        <DatePicker.RangePicker
          value={range}
          allowClear={false}
          disabledDate={(d) => d.isAfter(dayjs(), 'day')}
          onChange={(v) => {
            if (v?.[0] && v[1]) setRange([v[0], v[1]]);
          }}
        />
        {data && (
          <Input.Search
            allowClear
            placeholder={t('visits.ledger.filter')}
            onChange={(e) => setFilter(e.target.value.trim())}
            style={{ width: 200 }}
            data-testid="ledger-filter"
          />
        )}
        {data && (
          <Dropdown
            menu={{
              items: [
                { key: 'xlsx', label: 'Excel (XLSX)', 'data-testid': 'ledger-export-xlsx' },
                { key: 'csv', label: 'CSV', 'data-testid': 'ledger-export-csv' },
              ],
              onClick: ({ key }) => void exportLedger(key as 'xlsx' | 'csv'),
            }}
          >
            <Button icon={<DownloadOutlined />} loading={exporting} data-testid="ledger-export">
              {t('visits.ledger.export')}
            </Button>
          </Dropdown>
        )}
      </Space>
      {error ? (
        <ErrorResult error={error} onRetry={() => setReload((n) => n + 1)} />
      ) : !areaCode ? (
        <Empty description={t('visits.ledger.pickArea')} />
      ) : !data ? (
        <Skeleton active />
      ) : (
        <>
          <Card className="visits-section" data-testid="ledger-total">
            <Space wrap size="large">
              <span>
                {t('visits.ledger.households')}: <b>{data.total.households}</b>
              </span>
              <span>
                {t('visits.ledger.visited')}: <b>{data.total.visitedHouseholds}</b>
              </span>
              <span>
                {t('visits.ledger.visits')}: <b>{data.total.visits}</b>
              </span>
              <span className="visits-total-coverage">
                {t('visits.ledger.coverage')}: <Percent value={data.total.coveragePercent} />
              </span>
            </Space>
            <Typography.Paragraph type="secondary" className="visits-figure-hint">
              {t('visits.ledger.coverageHint')}
            </Typography.Paragraph>
          </Card>
          <Card title={t('visits.ledger.byGrid')} className="visits-section">
            <Table<Row>
              rowKey="areaCode"
              size="small"
              columns={columns}
              dataSource={data.grids.filter((r) => matches(r.areaName ?? r.areaCode, filter))}
              pagination={pagination}
              scroll={{ x: 'max-content' }}
              data-testid="ledger-grids"
            />
          </Card>
          <Card title={t('visits.ledger.byWorker')} className="visits-section">
            <Table<WorkerRow>
              rowKey="accountId"
              size="small"
              dataSource={data.workers.filter((w) => matches(w.name, filter))}
              pagination={pagination}
              scroll={{ x: 'max-content' }}
              columns={[
                { title: t('visits.ledger.worker'), dataIndex: 'name', fixed: 'left' },
                {
                  title: t('visits.ledger.households'),
                  dataIndex: 'households',
                  sorter: byNumber('households'),
                },
                {
                  title: t('visits.ledger.visitedByWorker'),
                  dataIndex: 'visitedHouseholds',
                  sorter: byNumber('visitedHouseholds'),
                },
                {
                  title: t('visits.ledger.coverage'),
                  dataIndex: 'coveragePercent',
                  sorter: byCoverage,
                  render: (v: number | null) => <Percent value={v} />,
                },
                { title: t('visits.ledger.visits'), dataIndex: 'visits', sorter: byNumber('visits') },
              ]}
            />
          </Card>
        </>
      )}
      <NeverDrawer row={drill} from={from} to={to} onClose={() => setDrill(null)} />
    </Page>
  );
}

function NeverDrawer({
  row,
  from,
  to,
  onClose,
}: {
  row: Row | null;
  from: string;
  to: string;
  onClose: () => void;
}) {
  const { t } = useLocale();
  const [page, setPage] = useState(1);
  const [data, setData] = useState<NeverItems | null>(null);
  useEffect(() => setPage(1), [row?.areaCode]);
  useEffect(() => {
    if (!row) return;
    const ac = new AbortController();
    setData(null);
    visitsApi
      .never(
        { areaCode: row.areaCode, from, to, limit: NEVER_PAGE, offset: (page - 1) * NEVER_PAGE },
        ac.signal,
      )
      .then(setData)
      .catch(() => setData({ items: [], total: 0 }));
    return () => ac.abort();
  }, [row, from, to, page]);
  return (
    <Drawer
      open={row !== null}
      onClose={onClose}
      title={row ? t('visits.ledger.never', { name: row.areaName ?? row.areaCode }) : ''}
      width={480}
      destroyOnHidden
    >
      {!data ? (
        <Skeleton active />
      ) : (
        <>
          <List
            dataSource={data.items}
            locale={{ emptyText: t('visits.ledger.noneNever') }}
            renderItem={(i) => (
              <List.Item key={i.householdId} data-testid="ledger-never-item">
                <List.Item.Meta
                  title={
                    <Link to={`/households/${i.householdId}`}>
                      {i.headName ?? t('visits.my.noHead')} · {i.householdNumber}
                    </Link>
                  }
                  description={`${i.dwellingLabel ?? i.areaName ?? ''} · ${
                    i.lastVisitedOn ? t('visits.my.last', { day: i.lastVisitedOn }) : t('visits.my.never')
                  }`}
                />
              </List.Item>
            )}
          />
          <Pagination
            current={page}
            pageSize={NEVER_PAGE}
            total={data.total}
            onChange={setPage}
            size="small"
            showSizeChanger={false}
          />
        </>
      )}
    </Drawer>
  );
}
