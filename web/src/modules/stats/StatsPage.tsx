/**
 * 统计分析: response, resolution, satisfaction and on-time rates, overdue counts and handling time of the cases in
 * the reader's area, by area, department, category or month; charts (ECharts, this route only), table, XLSX.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  Button,
  Card,
  Col,
  DatePicker,
  Empty,
  Form,
  Row,
  Segmented,
  Spin,
  Statistic,
  Table,
  Typography,
} from 'antd';
import type { TableColumnsType } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import { STATS_DIMENSIONS } from '../../../../common/schemas/stats';
import type { MessageKey } from '../../../../common/i18n';
import { isApiError, type ApiError } from '../../api';
import { useLocale, type TFunction } from '../../i18n';
import { useLargeText } from '../../theme';
import { Page } from '../../components/Page';
import { AreaPicker } from '../../components/AreaPicker';
import { ErrorResult } from '../../components/ErrorResult';
import { useIsMobile } from '../../components/useIsMobile';
import { BRAND_COLOR } from '../../theme';
import { EChart, type ChartOption, type LineSeriesOption } from './EChart';
import { statsApi, type StatsQuery, type StatsResult, type StatsRow } from './api';
import './stats.css';

type Dimension = (typeof STATS_DIMENSIONS)[number];
type Measures = StatsResult['totals'];

const RATE_KEYS = ['responseRate', 'resolutionRate', 'satisfactionRate', 'onTimeRate'] as const;
type RateKey = (typeof RATE_KEYS)[number];
const COLORS = [BRAND_COLOR, '#3b82f6', '#eab308', '#ef4444', '#8b5cf6'];

function pct(v: number | null): string {
  return v === null ? '—' : `${(v * 100).toFixed(1)}%`;
}
function hours(v: number | null): string {
  return v === null ? '—' : v.toFixed(1);
}

function Kpis({ totals }: { totals: Measures }) {
  const { t } = useLocale();
  const cards: { key: string; title: MessageKey; value: string; suffix?: string; warn?: boolean }[] = [
    { key: 'total', title: 'stats.total', value: String(totals.total) },
    ...RATE_KEYS.map((k) => ({ key: k, title: `stats.${k}` as MessageKey, value: pct(totals[k]) })),
    { key: 'overdue', title: 'stats.overdue', value: String(totals.overdue), warn: totals.overdue > 0 },
    {
      key: 'avgHandlingHours',
      title: 'stats.avgHandlingHours',
      value: hours(totals.avgHandlingHours),
      suffix: totals.avgHandlingHours === null ? undefined : t('stats.hoursUnit'),
    },
  ];
  return (
    <div className="stats-kpis" data-testid="stats-kpis">
      {cards.map((c) => (
        <Card key={c.key} size="small" className="kpi-card" data-testid={`stats-kpi-${c.key}`}>
          <Statistic
            title={t(c.title)}
            value={c.value}
            suffix={c.suffix}
            styles={{ content: c.warn ? { color: '#dc2626' } : undefined }}
          />
        </Card>
      ))}
    </div>
  );
}

function barOption(rows: StatsRow[], t: TFunction, fontSize: number): ChartOption {
  // Horizontal bars: long Chinese names of areas and departments read on the axis, also on a phone.
  const ordered = [...rows].reverse();
  return {
    color: COLORS,
    textStyle: { fontSize },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0, textStyle: { fontSize } },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1, axisLabel: { fontSize } },
    yAxis: {
      type: 'category',
      data: ordered.map((r) => r.label),
      axisLabel: { fontSize, width: 120, overflow: 'truncate' },
    },
    series: [
      { name: t('stats.total'), type: 'bar', data: ordered.map((r) => r.total), barMaxWidth: 22 },
      { name: t('stats.resolved'), type: 'bar', data: ordered.map((r) => r.resolved), barMaxWidth: 22 },
      {
        name: t('stats.overdue'),
        type: 'bar',
        data: ordered.map((r) => r.overdue),
        itemStyle: { color: '#ef4444' },
      },
    ],
  };
}

function lineOption(rows: StatsRow[], t: TFunction, fontSize: number): ChartOption {
  const rate = (k: RateKey) => rows.map((r) => (r[k] === null ? null : Math.round(r[k] * 1000) / 10));
  return {
    color: COLORS,
    textStyle: { fontSize },
    tooltip: { trigger: 'axis' },
    legend: { top: 0, textStyle: { fontSize } },
    grid: { left: 8, right: 8, top: 56, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: rows.map((r) => r.label), axisLabel: { fontSize } },
    yAxis: [
      { type: 'value', minInterval: 1, name: t('stats.casesAxis'), axisLabel: { fontSize } },
      { type: 'value', min: 0, max: 100, name: '%', axisLabel: { fontSize }, splitLine: { show: false } },
    ],
    series: [
      { name: t('stats.total'), type: 'bar', data: rows.map((r) => r.total), barMaxWidth: 24 },
      ...(['resolutionRate', 'satisfactionRate', 'onTimeRate'] as const).map((k): LineSeriesOption => ({
        name: t(`stats.${k}`),
        type: 'line',
        yAxisIndex: 1,
        connectNulls: true,
        data: rate(k),
      })),
    ],
  };
}

function columns(t: TFunction, by: Dimension): TableColumnsType<StatsRow> {
  const num = (key: keyof Measures, title: MessageKey) => ({
    key,
    title: t(title),
    dataIndex: key,
    align: 'right' as const,
    sorter: (a: StatsRow, b: StatsRow) => Number(a[key] ?? -1) - Number(b[key] ?? -1),
    render: (v: number | null) =>
      key === 'avgHandlingHours' ? hours(v) : (RATE_KEYS as readonly string[]).includes(key) ? pct(v) : v,
  });
  return [
    { key: 'label', title: t(`stats.by.${by}`), dataIndex: 'label', fixed: 'left', width: 140 },
    num('total', 'stats.total'),
    num('responseRate', 'stats.responseRate'),
    num('resolved', 'stats.resolved'),
    num('resolutionRate', 'stats.resolutionRate'),
    num('satisfactionRate', 'stats.satisfactionRate'),
    num('onTimeRate', 'stats.onTimeRate'),
    num('overdue', 'stats.overdue'),
    num('avgHandlingHours', 'stats.avgHandlingHoursShort'),
  ];
}

interface Loaded {
  main: StatsResult;
  monthly: StatsResult;
}

export default function StatsPage() {
  const { t, locale } = useLocale();
  const { largeText } = useLargeText();
  const isMobile = useIsMobile();
  const [by, setBy] = useState<Dimension>('area');
  const [area, setArea] = useState<string | undefined>();
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null);
  const [data, setData] = useState<Loaded | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);

  const query = useMemo<StatsQuery>(
    () => ({
      by,
      // Statistics are by administrative area: a grid counts as its community.
      ...(area ? { area: area.slice(0, 12) } : {}),
      ...(range?.[0] ? { from: range[0].format('YYYY-MM') } : {}),
      ...(range?.[1] ? { to: range[1].format('YYYY-MM') } : {}),
      lang: locale,
    }),
    [by, area, range, locale],
  );

  const load = useCallback(async (q: StatsQuery, signal?: AbortSignal) => {
    setLoading(true);
    setError(null);
    try {
      const [main, monthly] = await Promise.all([
        statsApi.cases(q, signal),
        q.by === 'month' ? null : statsApi.cases({ ...q, by: 'month' }, signal),
      ]);
      setData({ main, monthly: monthly ?? main });
    } catch (e) {
      if (isApiError(e)) setError(e);
    } finally {
      if (!signal?.aborted) setLoading(false);
    }
  }, []);

  useEffect(() => {
    const ac = new AbortController();
    void load(query, ac.signal);
    return () => ac.abort();
  }, [load, query]);

  const fontSize = largeText ? 15 : 12;
  const bar = useMemo(() => (data ? barOption(data.main.rows, t, fontSize) : null), [data, t, fontSize]);
  const line = useMemo(() => (data ? lineOption(data.monthly.rows, t, fontSize) : null), [data, t, fontSize]);

  if (error && !data) return <ErrorResult error={error} onRetry={() => void load(query)} />;

  const rows = data?.main.rows ?? [];
  return (
    <Page
      title={t('stats.title')}
      extra={
        <Button
          icon={<DownloadOutlined />}
          href={statsApi.xlsxUrl(query)}
          download
          data-testid="stats-export"
        >
          {t('stats.export')}
        </Button>
      }
    >
      <div data-testid="stats-page">
        <Card className="filter-card">
          <Form layout={isMobile ? 'vertical' : 'inline'} className="stats-filter">
            <Form.Item label={t('stats.groupBy')}>
              <Segmented
                value={by}
                onChange={(v) => setBy(v as Dimension)}
                options={STATS_DIMENSIONS.map((d) => ({
                  value: d,
                  label: <span data-testid={`stats-by-${d}`}>{t(`stats.by.${d}`)}</span>,
                }))}
              />
            </Form.Item>
            <Form.Item label={t('stats.area')}>
              <AreaPicker
                value={area}
                onChange={setArea}
                allowClear
                placeholder={t('stats.areaDefault')}
                style={{ minWidth: isMobile ? '100%' : 240 }}
                data-testid="stats-area"
              />
            </Form.Item>
            <Form.Item label={t('stats.months')}>
              <DatePicker.RangePicker
                picker="month"
                value={range}
                onChange={(v) => setRange(v)}
                allowEmpty={[true, true]}
                data-testid="stats-months"
              />
            </Form.Item>
          </Form>
          {data ? (
            <Typography.Text type="secondary" className="stats-period" data-testid="stats-period">
              {t('stats.period', { from: data.main.from, to: data.main.to })}
            </Typography.Text>
          ) : null}
        </Card>

        {!data ? (
          <div className="page-loading">
            <Spin size="large" />
          </div>
        ) : (
          <Spin spinning={loading}>
            {error ? <Typography.Text type="danger">{error.message}</Typography.Text> : null}
            <Kpis totals={data.main.totals} />
            {data.main.totals.total === 0 ? (
              <Card className="stats-card">
                <div data-testid="stats-empty">
                  <Empty description={t('stats.empty')} />
                </div>
              </Card>
            ) : null}
            <Row gutter={[16, 16]} className="stats-charts">
              <Col xs={24} xl={12}>
                <Card title={t('stats.chartByGroup', { by: t(`stats.by.${by}`) })} className="stats-card">
                  {bar && rows.length ? (
                    <EChart
                      option={bar}
                      height={Math.max(240, rows.length * (largeText ? 44 : 34) + 80)}
                      testId="stats-chart-bar"
                    />
                  ) : (
                    <Empty description={t('stats.empty')} />
                  )}
                </Card>
              </Col>
              <Col xs={24} xl={12}>
                <Card title={t('stats.chartByMonth')} className="stats-card">
                  {line && data.monthly.rows.length ? (
                    <EChart option={line} height={isMobile ? 300 : 360} testId="stats-chart-line" />
                  ) : (
                    <Empty description={t('stats.empty')} />
                  )}
                </Card>
              </Col>
            </Row>
            <Card title={t('stats.table')} className="stats-card">
              <Table<StatsRow>
                rowKey="key"
                size="small"
                columns={columns(t, by)}
                dataSource={rows}
                pagination={false}
                scroll={{ x: 900 }}
                data-testid="stats-table"
                summary={() => (
                  <Table.Summary.Row className="stats-total-row">
                    <Table.Summary.Cell index={0}>{t('stats.sum')}</Table.Summary.Cell>
                    {(
                      [
                        'total',
                        'responseRate',
                        'resolved',
                        'resolutionRate',
                        'satisfactionRate',
                        'onTimeRate',
                        'overdue',
                        'avgHandlingHours',
                      ] as const
                    ).map((k, i) => {
                      const v = data.main.totals[k];
                      return (
                        <Table.Summary.Cell key={k} index={i + 1} align="right">
                          {k === 'avgHandlingHours'
                            ? hours(v)
                            : (RATE_KEYS as readonly string[]).includes(k)
                              ? pct(v)
                              : v}
                        </Table.Summary.Cell>
                      );
                    })}
                  </Table.Summary.Row>
                )}
              />
            </Card>
          </Spin>
        )}
      </div>
    </Page>
  );
}
