/** 我的诉求: the resident's own cases (the server scopes the list), newest first, as big cards with progress. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { Button, Card, Empty, Spin, Tag, Typography } from 'antd';
import { PlusOutlined, RightOutlined } from '@ant-design/icons';
import { Link } from 'react-router';
import { isApiError, type ApiError } from '../../api';
import { useLocale } from '../../i18n';
import { ErrorResult } from '../../components/ErrorResult';
import { residentApi, type CaseSummary } from './api';
import { CaseProgress } from './CaseProgress';
import { shortTime, statusColor, statusText } from './progress';
import './resident.css';

const PAGE = 20;

export function CaseCard({ c }: { c: CaseSummary }) {
  const { t, locale } = useLocale();
  return (
    <Link to={`/my-cases/${c.id}`} className="case-card-link" data-testid={`my-case-${c.number}`}>
      <Card size="small" hoverable className="case-card">
        <div className="case-card-head">
          <Tag color={statusColor(c.status)} className="status-tag" data-testid="my-case-status">
            {statusText(t, c.status)}
          </Tag>
          <Typography.Text type="secondary" className="case-card-date">
            {shortTime(c.createdAt, locale)}
          </Typography.Text>
        </div>
        <div className="case-card-title">
          <Typography.Text strong>{c.title}</Typography.Text>
          <RightOutlined className="case-card-arrow" />
        </div>
        <Typography.Text type="secondary" className="mono case-card-number">
          {c.number}
        </Typography.Text>
        <CaseProgress status={c.status} compact />
        {c.status === 'closed' ? (
          <Typography.Text className="rate-prompt" data-testid="my-case-rate-prompt">
            {t('resident.pleaseRate')}
          </Typography.Text>
        ) : null}
      </Card>
    </Link>
  );
}

export default function MyCasesPage() {
  const { t } = useLocale();
  const [items, setItems] = useState<CaseSummary[]>([]);
  const [total, setTotal] = useState(0);
  const [loaded, setLoaded] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const generation = useRef(0);

  const fetchPage = useCallback(async (offset: number) => {
    const gen = ++generation.current;
    setLoading(true);
    setError(null);
    try {
      const r = await residentApi.list({ limit: PAGE, offset });
      if (gen !== generation.current) return;
      setItems((prev) => (offset ? [...prev, ...r.items] : r.items));
      setTotal(r.total);
      setLoaded(true);
    } catch (e) {
      if (gen === generation.current && isApiError(e)) setError(e);
    } finally {
      if (gen === generation.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    void fetchPage(0);
  }, [fetchPage]);

  if (error && !loaded) return <ErrorResult error={error} onRetry={() => void fetchPage(0)} />;

  return (
    <div className="page resident-page" data-testid="my-cases-page">
      <div className="resident-head">
        <Typography.Title level={3} className="resident-title">
          {t('resident.myCasesTitle')}
        </Typography.Title>
        <Link to="/report">
          <Button type="primary" icon={<PlusOutlined />} data-testid="my-cases-report">
            {t('resident.menuReport')}
          </Button>
        </Link>
      </div>
      {!loaded ? (
        <div className="page-loading">
          <Spin size="large" />
        </div>
      ) : items.length === 0 ? (
        <Card>
          <div data-testid="my-cases-empty">
            <Empty description={t('resident.noCases')}>
              <Link to="/report">
                <Button type="primary" size="large">
                  {t('resident.menuReport')}
                </Button>
              </Link>
            </Empty>
          </div>
        </Card>
      ) : (
        <div className="card-list" data-testid="my-cases-list">
          {items.map((c) => (
            <CaseCard key={c.id} c={c} />
          ))}
          {items.length < total ? (
            <div className="load-more">
              <Button size="large" loading={loading} onClick={() => void fetchPage(items.length)}>
                {t('resident.loadMore')}
              </Button>
            </div>
          ) : null}
          {error ? <Typography.Text type="danger">{error.message}</Typography.Text> : null}
        </div>
      )}
    </div>
  );
}
