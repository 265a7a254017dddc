/**
 * The case list (诉求列表): status tabs with counts, filters (category, area, channel, overdue), search by title or
 * number, paging; leaders also get the supervisor's list (督办). Filters live in the URL.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  Button,
  Card,
  Checkbox,
  Empty,
  Input,
  Pagination,
  Radio,
  Select,
  Spin,
  Tabs,
  TreeSelect,
} from 'antd';
import { FilterOutlined, PlusOutlined, ReloadOutlined, SearchOutlined } from '@ant-design/icons';
import { Link, useSearchParams } from 'react-router';
import { CASE_CHANNELS, CASE_STATUS_VALUES } from '../../../../common/schemas/cases';
import { isApiError, type ApiError } from '../../api';
import { useLocale } from '../../i18n';
import { useMe, useSession } from '../../session';
import { Page } from '../../components/Page';
import { ErrorResult } from '../../components/ErrorResult';
import { AreaPicker } from '../../components/AreaPicker';
import { useIsMobile } from '../../components/useIsMobile';
import { casesApi, type CaseList, type CaseListQuery } from './api';
import { channelLabel, statusLabel } from './labels';
import { CaseCard, CaseTable } from './parts';
import { useCategories } from './useCategories';

const PAGE_SIZE = 20;
type Channel = (typeof CASE_CHANNELS)[number];
type Status = (typeof CASE_STATUS_VALUES)[number];

export default function CaseListPage() {
  const { t, locale } = useLocale();
  const me = useMe();
  const { can } = useSession();
  const isMobile = useIsMobile();
  const categories = useCategories();
  const [params, setParams] = useSearchParams();
  const view = params.get('view') === 'supervision' ? 'supervision' : 'all';
  const statusParam = params.get('status');
  const status = (CASE_STATUS_VALUES as readonly string[]).includes(statusParam ?? '')
    ? (statusParam as Status)
    : undefined;
  const category = params.get('category') ?? undefined;
  const area = params.get('area') ?? undefined;
  const channelParam = params.get('channel');
  const channel = (CASE_CHANNELS as readonly string[]).includes(channelParam ?? '')
    ? (channelParam as Channel)
    : undefined;
  const overdue = params.get('overdue') === 'true';
  const q = params.get('q') ?? '';
  const page = Math.max(1, Number(params.get('page') ?? '1') || 1);
  const isLeader = me.assignments.some((a) => a.role === 'leader');

  const [data, setData] = useState<CaseList | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);
  const [reload, setReload] = useState(0);
  const [searchText, setSearchText] = useState(q);
  const [showFilters, setShowFilters] = useState(false);

  const setFilter = useCallback(
    (key: string, value: string | undefined) => {
      setParams(
        (p) => {
          const next = new URLSearchParams(p);
          if (value) next.set(key, value);
          else next.delete(key);
          if (key !== 'page') next.delete('page');
          return next;
        },
        { replace: true },
      );
    },
    [setParams],
  );

  // The last query this page wrote to the URL; any other change (back button) resets the box.
  const pushedQ = useRef(q);
  useEffect(() => {
    if (q !== pushedQ.current) {
      pushedQ.current = q;
      setSearchText(q);
    }
  }, [q]);
  useEffect(() => {
    const next = searchText.trim();
    if (next === q) return;
    const timer = window.setTimeout(() => {
      pushedQ.current = next;
      setFilter('q', next || undefined);
    }, 400);
    return () => window.clearTimeout(timer);
  }, [searchText, q, setFilter]);

  useEffect(() => {
    const ac = new AbortController();
    const query: CaseListQuery = {
      status,
      category,
      area,
      channel,
      overdue: overdue || undefined,
      q: q || undefined,
      supervision: view === 'supervision' || undefined,
      limit: PAGE_SIZE,
      offset: (page - 1) * PAGE_SIZE,
    };
    setLoading(true);
    setError(null);
    casesApi
      .list(query, ac.signal)
      .then(setData)
      .catch((e: unknown) => {
        if (isApiError(e)) setError(e);
      })
      .finally(() => {
        if (!ac.signal.aborted) setLoading(false);
      });
    return () => ac.abort();
  }, [status, category, area, channel, overdue, q, view, page, reload]);

  const refresh = () => setReload((r) => r + 1);
  if (error && !data) return <ErrorResult error={error} onRetry={refresh} />;

  const counts = data?.counts ?? {};
  const all = Object.values(counts).reduce((a, b) => a + b, 0);
  const tabItems = [
    {
      key: 'all',
      label: (
        <span data-testid="case-tab-all">
          {t('cases.list.all')}
          <span className="case-tab-count">{all}</span>
        </span>
      ),
    },
    ...CASE_STATUS_VALUES.filter((s) => counts[s] || s === status).map((s) => ({
      key: s,
      label: (
        <span data-testid={`case-tab-${s}`}>
          {statusLabel(t, locale, s)}
          <span className="case-tab-count">{counts[s] ?? 0}</span>
        </span>
      ),
    })),
  ];

  const filtered = Boolean(category || area || channel || overdue || q);
  const moreFilters = [category, area, channel, overdue || undefined].filter(Boolean).length;
  const items = data?.items ?? [];
  const total = data?.total ?? 0;
  const onPage = (p: number) => setFilter('page', p > 1 ? String(p) : undefined);

  return (
    <Page
      title={t('cases.list.title')}
      extra={
        <>
          <Button icon={<ReloadOutlined />} onClick={refresh} loading={loading} data-testid="cases-refresh">
            {isMobile ? null : t('common.refresh')}
          </Button>
          {can('create', 'Case') ? (
            <Link to="/cases/new">
              <Button type="primary" icon={<PlusOutlined />} data-testid="cases-new">
                {t('menu.casesNew')}
              </Button>
            </Link>
          ) : null}
        </>
      }
    >
      {isLeader ? (
        <Radio.Group
          optionType="button"
          buttonStyle="solid"
          value={view}
          onChange={(e) => setFilter('view', e.target.value === 'supervision' ? 'supervision' : undefined)}
          options={[
            { value: 'all', label: t('cases.list.allCases') },
            {
              value: 'supervision',
              label: <span data-testid="cases-supervision">{t('cases.list.supervision')}</span>,
            },
          ]}
          style={{ marginBottom: 12 }}
          data-testid="cases-view"
        />
      ) : null}
      <Card size="small" className="filter-card">
        <div className="filter-bar" data-testid="cases-filters">
          <div className="case-search-row">
            <Input
              placeholder={t('cases.list.searchPlaceholder')}
              allowClear
              prefix={<SearchOutlined />}
              value={searchText}
              onChange={(e) => setSearchText(e.target.value)}
              onPressEnter={() => {
                pushedQ.current = searchText.trim();
                setFilter('q', searchText.trim() || undefined);
              }}
              maxLength={64}
              className="filter-search"
              data-testid="cases-search"
            />
            {isMobile ? (
              <Button
                icon={<FilterOutlined />}
                type={moreFilters ? 'primary' : 'default'}
                onClick={() => setShowFilters((v) => !v)}
                data-testid="cases-filters-toggle"
              >
                {t('cases.list.filters')}
                {moreFilters ? ` ${moreFilters}` : ''}
              </Button>
            ) : null}
          </div>
          {!isMobile || showFilters ? (
            <>
              <TreeSelect
                allowClear
                showSearch={{ treeNodeFilterProp: 'title' }}
                placeholder={t('cases.list.category')}
                value={category}
                onChange={(v: string | undefined) => setFilter('category', v)}
                treeData={categories.tree}
                className="filter-select"
                style={{ minWidth: 180 }}
                popupMatchSelectWidth={false}
                data-testid="cases-category-filter"
              />
              <AreaPicker
                allowClear
                placeholder={t('cases.list.area')}
                value={area}
                onChange={(v) => setFilter('area', v)}
                style={{ minWidth: 200 }}
                data-testid="cases-area-filter"
              />
              <Select<Channel>
                allowClear
                placeholder={t('cases.list.channel')}
                value={channel}
                onChange={(v) => setFilter('channel', v)}
                options={CASE_CHANNELS.map((c) => ({ value: c, label: channelLabel(t, locale, c) }))}
                className="filter-select"
                data-testid="cases-channel-filter"
              />
              <Checkbox
                checked={overdue}
                onChange={(e) => setFilter('overdue', e.target.checked ? 'true' : undefined)}
                style={{ alignSelf: 'center' }}
                data-testid="cases-overdue-filter"
              >
                {t('cases.list.overdueOnly')}
              </Checkbox>
              {filtered ? (
                <Button
                  type="link"
                  onClick={() =>
                    setParams(
                      (p) => {
                        const next = new URLSearchParams();
                        const v = p.get('view');
                        if (v) next.set('view', v);
                        return next;
                      },
                      { replace: true },
                    )
                  }
                  data-testid="cases-clear-filters"
                >
                  {t('cases.list.clearFilters')}
                </Button>
              ) : null}
            </>
          ) : null}
        </div>
      </Card>
      <Tabs
        className="case-tabs"
        activeKey={status ?? 'all'}
        onChange={(k) => setFilter('status', k === 'all' ? undefined : k)}
        items={tabItems}
        data-testid="cases-status-tabs"
      />
      {isMobile ? (
        <div className="card-list" data-testid="cases-cards">
          {loading && !data ? <Spin /> : null}
          {data && items.length === 0 ? <Empty description={t('cases.list.empty')} /> : null}
          {items.map((c) => (
            <CaseCard key={c.id} c={c} />
          ))}
          {total > PAGE_SIZE ? (
            <Pagination
              simple
              current={page}
              pageSize={PAGE_SIZE}
              total={total}
              onChange={onPage}
              className="card-pagination"
            />
          ) : null}
        </div>
      ) : (
        <CaseTable
          items={items}
          loading={loading}
          empty={t('cases.list.empty')}
          testId="cases-table"
          pagination={{
            current: page,
            pageSize: PAGE_SIZE,
            total,
            showSizeChanger: false,
            showTotal: (n) => t('common.total', { total: n }),
            onChange: onPage,
          }}
        />
      )}
    </Page>
  );
}
