/** Audit log (auditors): filter, page through with "load more", expand details, verify the hash chain. */
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  Alert,
  Button,
  Card,
  DatePicker,
  Empty,
  Form,
  Input,
  Select,
  Space,
  Spin,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { TableColumnsType } from 'antd';
import { SafetyCertificateOutlined, SearchOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import { isApiError, type ApiError } from '../../api';
import { formatDateTime, useLocale } from '../../i18n';
import { Page } from '../../components/Page';
import { ErrorResult } from '../../components/ErrorResult';
import { useIsMobile } from '../../components/useIsMobile';
import { auditApi, type AuditEntry, type AuditFilter, type AuditOutcome, type AuditVerify } from './api';

const PAGE = 50;
const OUTCOMES: AuditOutcome[] = ['success', 'failure', 'denied'];
const OUTCOME_COLOR: Record<AuditOutcome, string> = {
  success: 'success',
  failure: 'warning',
  denied: 'error',
};

interface FilterValues {
  actor?: string;
  action?: string;
  outcome?: AuditOutcome;
  range?: [Dayjs | null, Dayjs | null] | null;
}

function toFilter(v: FilterValues): AuditFilter {
  const [from, to] = v.range ?? [null, null];
  return {
    actor: v.actor?.trim() || undefined,
    action: v.action?.trim() || undefined,
    outcome: v.outcome,
    from: from ? from.toISOString() : undefined,
    to: to ? to.toISOString() : undefined,
  };
}

function OutcomeTag({ outcome }: { outcome: AuditOutcome }) {
  const { t } = useLocale();
  return <Tag color={OUTCOME_COLOR[outcome]}>{t(`audit.outcome.${outcome}`)}</Tag>;
}

function DetailsBlock({ entry }: { entry: AuditEntry }) {
  const { t } = useLocale();
  return (
    <div className="audit-details">
      <pre className="json-block" data-testid={`audit-details-${entry.id}`}>
        {JSON.stringify(entry.details ?? null, null, 2)}
      </pre>
      <Typography.Text type="secondary" className="mono audit-hash">
        {t('audit.hash')}: {entry.hash ?? t('audit.unsealed')}
      </Typography.Text>
    </div>
  );
}

export default function AuditPage() {
  const { t, locale } = useLocale();
  const isMobile = useIsMobile();
  const [form] = Form.useForm<FilterValues>();
  const [filter, setFilter] = useState<AuditFilter>({});
  const [items, setItems] = useState<AuditEntry[]>([]);
  const [nextBefore, setNextBefore] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [verify, setVerify] = useState<AuditVerify | null>(null);
  const [verifyError, setVerifyError] = useState<ApiError | null>(null);
  const [verifying, setVerifying] = useState(false);
  // Ignores a page that arrives after the filter changed.
  const generation = useRef(0);

  const fetchPage = useCallback(async (f: AuditFilter, before: string | null) => {
    const gen = ++generation.current;
    setLoading(true);
    setError(null);
    try {
      const r = await auditApi.list({ ...f, limit: PAGE, ...(before ? { before } : {}) });
      if (gen !== generation.current) return;
      setItems((prev) => (before ? [...prev, ...r.items] : r.items));
      setNextBefore(r.nextBefore);
      setLoaded(true);
    } catch (e) {
      if (gen === generation.current && isApiError(e)) setError(e);
    } finally {
      if (gen === generation.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    void fetchPage(filter, null);
  }, [filter, fetchPage]);

  const runVerify = async () => {
    setVerifying(true);
    setVerifyError(null);
    setVerify(null);
    try {
      setVerify(await auditApi.verify());
    } catch (e) {
      if (isApiError(e)) setVerifyError(e);
    } finally {
      setVerifying(false);
    }
  };

  if (error && !loaded) return <ErrorResult error={error} onRetry={() => void fetchPage(filter, null)} />;

  const columns: TableColumnsType<AuditEntry> = [
    {
      title: t('audit.time'),
      dataIndex: 'at',
      render: (v: string) => <span className="nowrap">{formatDateTime(v, locale)}</span>,
    },
    {
      title: t('audit.actor'),
      dataIndex: 'actorName',
      render: (v: string | null, e) => v ?? e.actorId ?? '—',
    },
    {
      title: t('audit.action'),
      dataIndex: 'action',
      render: (v: string) => <span className="mono">{v}</span>,
    },
    {
      title: t('audit.target'),
      key: 'target',
      render: (_v, e) =>
        e.targetType ? (
          <span className="mono">
            {e.targetType}
            {e.targetId ? `:${e.targetId}` : ''}
          </span>
        ) : (
          '—'
        ),
    },
    {
      title: t('audit.area'),
      dataIndex: 'areaPath',
      render: (v: string | null) => <span className="mono">{v ?? '—'}</span>,
    },
    {
      title: t('audit.ip'),
      dataIndex: 'ip',
      render: (v: string | null) => <span className="mono">{v ?? '—'}</span>,
    },
    {
      title: t('audit.outcome'),
      dataIndex: 'outcome',
      render: (v: AuditOutcome) => <OutcomeTag outcome={v} />,
    },
  ];

  const verifyResult = verifyError ? (
    <Alert
      type="error"
      showIcon
      title={verifyError.message}
      closable={{ onClose: () => setVerifyError(null) }}
    />
  ) : verify ? (
    <Alert
      type={verify.ok ? 'success' : 'error'}
      showIcon
      title={verify.ok ? t('audit.verifyOkTitle') : t('audit.verifyBadTitle')}
      description={
        verify.ok
          ? t('audit.verifyOk', { checked: verify.checked, algorithm: verify.algorithm })
          : t('audit.verifyBad', {
              checked: verify.checked,
              id: verify.firstBadId ?? '?',
              problem: verify.problem ?? '',
            })
      }
      closable={{ onClose: () => setVerify(null) }}
      data-testid="audit-verify-result"
    />
  ) : null;

  return (
    <Page
      title={t('audit.title')}
      extra={
        <Button
          icon={<SafetyCertificateOutlined />}
          onClick={runVerify}
          loading={verifying}
          data-testid="audit-verify"
        >
          {t('audit.verify')}
        </Button>
      }
    >
      {verifyResult ? <div className="page-alert">{verifyResult}</div> : null}
      <Card size="small" className="filter-card">
        <Form<FilterValues>
          form={form}
          layout={isMobile ? 'vertical' : 'inline'}
          onFinish={(v) => setFilter(toFilter(v))}
          className="audit-filter"
          data-testid="audit-filter"
        >
          <Form.Item name="actor" label={t('audit.actor')}>
            <Input placeholder={t('audit.actorPlaceholder')} allowClear data-testid="audit-actor" />
          </Form.Item>
          <Form.Item name="action" label={t('audit.action')}>
            <Input placeholder={t('audit.actionPlaceholder')} allowClear data-testid="audit-action" />
          </Form.Item>
          <Form.Item name="outcome" label={t('audit.outcome')}>
            <Select<AuditOutcome>
              allowClear
              placeholder={t('common.all')}
              options={OUTCOMES.map((o) => ({ value: o, label: t(`audit.outcome.${o}`) }))}
              style={{ minWidth: 120 }}
              data-testid="audit-outcome"
            />
          </Form.Item>
          <Form.Item name="range" label={t('audit.range')}>
            <DatePicker.RangePicker showTime allowEmpty={[true, true]} data-testid="audit-range" />
          </Form.Item>
          <Form.Item>
            <Space>
              <Button type="primary" htmlType="submit" icon={<SearchOutlined />} data-testid="audit-search">
                {t('common.search')}
              </Button>
              <Button
                onClick={() => {
                  form.resetFields();
                  setFilter({});
                }}
              >
                {t('common.reset')}
              </Button>
            </Space>
          </Form.Item>
        </Form>
      </Card>
      {error ? <Alert type="error" showIcon title={error.message} className="page-alert" /> : null}
      {isMobile ? (
        <div className="card-list" data-testid="audit-cards">
          {!loaded ? <Spin /> : null}
          {loaded && items.length === 0 ? <Empty description={t('audit.empty')} /> : null}
          {items.map((e) => (
            <Card key={e.id} size="small" data-testid={`audit-card-${e.id}`}>
              <div className="account-card-head">
                <span className="mono">{e.action}</span>
                <OutcomeTag outcome={e.outcome} />
              </div>
              <Typography.Text type="secondary">
                {formatDateTime(e.at, locale)} · {e.actorName ?? e.actorId ?? '—'}
                {e.ip ? ` · ${e.ip}` : ''}
              </Typography.Text>
              <details className="audit-card-details">
                <summary>{t('audit.details')}</summary>
                <DetailsBlock entry={e} />
              </details>
            </Card>
          ))}
        </div>
      ) : (
        <Table<AuditEntry>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={items}
          loading={loading && items.length === 0}
          locale={{ emptyText: t('audit.empty') }}
          pagination={false}
          expandable={{ expandedRowRender: (e) => <DetailsBlock entry={e} /> }}
          scroll={{ x: 'max-content' }}
          data-testid="audit-table"
        />
      )}
      <div className="load-more">
        {nextBefore ? (
          <Button
            onClick={() => void fetchPage(filter, nextBefore)}
            loading={loading}
            data-testid="audit-load-more"
          >
            {t('audit.loadMore')}
          </Button>
        ) : loaded && items.length > 0 ? (
          <Typography.Text type="secondary">{t('audit.noMore')}</Typography.Text>
        ) : null}
      </div>
    </Page>
  );
}
