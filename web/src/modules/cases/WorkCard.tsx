/** The home page's landing card for staff who handle cases: counts per work-list group and the most overdue cases. */
import { useMemo } from 'react';
import { Alert, Button, Card, Empty, Skeleton, Typography } from 'antd';
import { RightOutlined } from '@ant-design/icons';
import { Link } from 'react-router';
import { useLocale } from '../../i18n';
import type { Me } from '../../session';
import type { Action, Subject } from '../../../../common/abilities';
import { groupCases } from './labels';
import { CaseCard } from './parts';
import { useWorkList } from './WorkListPage';

/** Whether the account is staff that reads cases (residents have their own pages). */
export function handlesCases(me: Me, can: (action: Action, subject: Subject) => boolean): boolean {
  return me.account.kind !== 'resident' && can('read', 'Case');
}

export function WorkCard() {
  const { t } = useLocale();
  const { data, error, loading } = useWorkList();
  const groups = useMemo(() => groupCases(data?.items ?? []), [data]);
  const overdue = useMemo(() => (data?.items ?? []).filter((c) => c.overdue), [data]);

  return (
    <Card
      title={t('cases.work.cardTitle')}
      extra={
        <Link to="/work" data-testid="work-card-open">
          {t('cases.work.openAll')} <RightOutlined />
        </Link>
      }
      data-testid="work-card"
    >
      {loading && !data ? <Skeleton active paragraph={{ rows: 2 }} /> : null}
      {error ? <Alert type="error" showIcon title={error.message} /> : null}
      {data && data.items.length === 0 ? <Empty description={t('cases.work.empty')} /> : null}
      {data && data.items.length > 0 ? (
        <>
          <div className="work-card-stats">
            {overdue.length > 0 ? (
              <Link to="/work" className="work-stat work-stat-overdue" data-testid="work-stat-overdue">
                <span className="work-stat-value">{data.overdueTotal}</span>
                <span className="work-stat-label">{t('cases.overdue')}</span>
              </Link>
            ) : null}
            {groups.map((g) => (
              <Link
                key={g.group}
                to={`/work?group=${g.group}`}
                className="work-stat"
                data-testid={`work-stat-${g.group}`}
              >
                <span className="work-stat-value">{g.items.length}</span>
                <span className="work-stat-label">{t(`cases.group.${g.group}`)}</span>
              </Link>
            ))}
          </div>
          <Typography.Text type="secondary">
            {overdue.length ? t('cases.work.topOverdue') : t('cases.work.noOverdue')}
          </Typography.Text>
          <div className="card-list" style={{ marginTop: 8 }}>
            {[...overdue]
              .sort((a, b) => Date.parse(a.dueAt ?? '') - Date.parse(b.dueAt ?? ''))
              .slice(0, 3)
              .map((c) => (
                <CaseCard key={c.id} c={c} />
              ))}
          </div>
          {overdue.length > 3 ? (
            <Link to="/work">
              <Button type="link">{t('cases.work.openAll')}</Button>
            </Link>
          ) : null}
        </>
      ) : null}
    </Card>
  );
}
