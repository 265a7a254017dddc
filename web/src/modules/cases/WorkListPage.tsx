/**
 * My work list (我的待办): the cases waiting for this user's action, grouped by what to do next (accept, dispatch,
 * handle, verify, close), overdue first, with counts; cards on a phone, a table per group on a desktop.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Alert, Badge, Button, Card, Empty, Spin, Typography } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { Link, useSearchParams } from 'react-router';
import { isApiError, type ApiError } from '../../api';
import { useLocale } from '../../i18n';
import { useSession } from '../../session';
import { Page } from '../../components/Page';
import { ErrorResult } from '../../components/ErrorResult';
import { useIsMobile } from '../../components/useIsMobile';
import { casesApi, type CaseList } from './api';
import { groupCases, type WorkGroup } from './labels';
import { CaseCard, CaseTable } from './parts';

/** The most the work list loads at once (the API's page limit); more is left to the case list. */
export const WORK_LIMIT = 200;

/** The work list as the pages show it: its cases, and how many of all its cases are overdue. */
export interface WorkList extends CaseList {
  /** Overdue cases in the whole work list, not only among the cases loaded. */
  overdueTotal: number;
}

/**
 * Loads the work list (GET /api/cases?mine=true). A list longer than one page comes newest first, which leaves out its
 * oldest cases, the most overdue among them: its overdue cases are then loaded as well (mine=true&overdue=true), so
 * none of them is hidden and the overdue count is the whole list's.
 */
async function loadWorkList(signal: AbortSignal): Promise<WorkList> {
  const list = await casesApi.list({ mine: true, limit: WORK_LIMIT }, signal);
  if (list.total <= list.items.length)
    return { ...list, overdueTotal: list.items.filter((c) => c.overdue).length };
  const late = await casesApi.list({ mine: true, overdue: true, limit: WORK_LIMIT }, signal);
  const loaded = new Set(list.items.map((c) => c.id));
  return {
    ...list,
    items: [...list.items, ...late.items.filter((c) => !loaded.has(c.id))],
    overdueTotal: late.total,
  };
}

export function useWorkList() {
  const [data, setData] = useState<WorkList | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [reload, setReload] = useState(0);
  useEffect(() => {
    const ac = new AbortController();
    setLoading(true);
    setError(null);
    loadWorkList(ac.signal)
      .then(setData)
      .catch((e: unknown) => {
        if (isApiError(e)) setError(e);
      })
      .finally(() => {
        if (!ac.signal.aborted) setLoading(false);
      });
    return () => ac.abort();
  }, [reload]);
  const refresh = useCallback(() => setReload((r) => r + 1), []);
  return { data, error, loading, refresh };
}

export default function WorkListPage() {
  const { t } = useLocale();
  const { can } = useSession();
  const isMobile = useIsMobile();
  const [params, setParams] = useSearchParams();
  const selected = (params.get('group') ?? 'all') as WorkGroup | 'all';
  const { data, error, loading, refresh } = useWorkList();

  const groups = useMemo(() => groupCases(data?.items ?? []), [data]);
  const overdue = data?.overdueTotal ?? 0;
  const shown = selected === 'all' ? groups : groups.filter((g) => g.group === selected);

  const select = (g: WorkGroup | 'all') =>
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        if (g === 'all') next.delete('group');
        else next.set('group', g);
        return next;
      },
      { replace: true },
    );

  if (error && !data) return <ErrorResult error={error} onRetry={refresh} />;

  return (
    <Page
      title={t('cases.work.title')}
      extra={
        <>
          <Button icon={<ReloadOutlined />} onClick={refresh} loading={loading} data-testid="work-refresh">
            {isMobile ? null : t('common.refresh')}
          </Button>
          {can('create', 'Case') ? (
            <Link to="/cases/new">
              <Button type="primary" icon={<PlusOutlined />} data-testid="work-new-case">
                {t('menu.casesNew')}
              </Button>
            </Link>
          ) : null}
        </>
      }
    >
      <Typography.Paragraph type="secondary">{t('cases.work.subtitle')}</Typography.Paragraph>
      {loading && !data ? (
        <div className="page-loading">
          <Spin size="large" />
        </div>
      ) : null}
      {data ? (
        <>
          <div className="work-chips" data-testid="work-chips">
            <Button
              type={selected === 'all' ? 'primary' : 'default'}
              onClick={() => select('all')}
              className="work-chip"
              data-testid="work-chip-all"
            >
              {t('cases.work.all')}
              <span className="work-chip-count">{data.items.length}</span>
            </Button>
            {groups.map((g) => (
              <Button
                key={g.group}
                type={selected === g.group ? 'primary' : 'default'}
                onClick={() => select(g.group)}
                className="work-chip"
                data-testid={`work-chip-${g.group}`}
              >
                {t(`cases.group.${g.group}`)}
                <span className="work-chip-count">{g.items.length}</span>
              </Button>
            ))}
            {overdue > 0 ? (
              <Badge
                count={t('cases.work.overdueCount', { n: overdue })}
                color="#cf1322"
                data-testid="work-overdue-count"
              />
            ) : null}
          </div>
          {data.total > data.items.length ? (
            <Alert
              type="info"
              showIcon
              className="page-alert"
              title={
                <>
                  {t('cases.work.truncated', { shown: data.items.length, total: data.total })}{' '}
                  <Link to="/cases">{t('menu.casesList')}</Link>
                </>
              }
            />
          ) : null}
          {data.items.length === 0 ? (
            <Card>
              <Empty description={t('cases.work.empty')} data-testid="work-empty" />
            </Card>
          ) : null}
          {data.items.length > 0 && shown.length === 0 ? (
            <Card>
              <Empty description={t('cases.work.empty')} />
            </Card>
          ) : null}
          {shown.map((g) => (
            <section key={g.group} className="work-group" data-testid={`work-group-${g.group}`}>
              <div className="work-group-head">
                <Typography.Title level={5} className="work-group-title">
                  {t(`cases.group.${g.group}`)}
                </Typography.Title>
                <Badge count={g.items.length} showZero color="#0f766e" />
              </div>
              {isMobile ? (
                <div className="card-list">
                  {g.items.map((c) => (
                    <CaseCard key={c.id} c={c} />
                  ))}
                </div>
              ) : (
                <CaseTable items={g.items} empty={t('cases.work.empty')} testId={`work-table-${g.group}`} />
              )}
            </section>
          ))}
        </>
      ) : null}
    </Page>
  );
}
