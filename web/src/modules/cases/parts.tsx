/** Small building blocks of the case screens: status and deadline tags, a case card for phones, a case table. */
import { Card, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType, TablePaginationConfig } from 'antd';
import { ClockCircleOutlined, FlagOutlined, PictureOutlined } from '@ant-design/icons';
import { Link } from 'react-router';
import { formatDateTime, useLocale } from '../../i18n';
import type { CaseSummary } from './api';
import { channelLabel, dueText, STATUS_COLOURS, statusLabel } from './labels';
import './cases.css';

export function StatusTag({ status }: { status: string }) {
  const { t, locale } = useLocale();
  return (
    <Tag color={STATUS_COLOURS[status] ?? 'default'} className="case-status" data-status={status}>
      {statusLabel(t, locale, status)}
    </Tag>
  );
}

/** The deadline as a relative time: red and naming how late when overdue. */
export function DueTag({ c }: { c: Pick<CaseSummary, 'dueAt' | 'status' | 'overdue'> }) {
  const { t, locale } = useLocale();
  const due = dueText(t, c);
  if (!due) return null;
  return (
    <Tag
      color={due.late ? 'red' : due.soon ? 'orange' : 'default'}
      icon={<ClockCircleOutlined />}
      title={c.dueAt ? formatDateTime(c.dueAt, locale) : undefined}
      className="case-due"
      data-testid={due.late ? 'case-overdue-tag' : 'case-due-tag'}
    >
      {due.text}
    </Tag>
  );
}

/** Flags worth seeing at a glance: urgent, supervised, escalated as overdue, reopened. */
export function CaseFlags({ c }: { c: CaseSummary }) {
  const { t } = useLocale();
  return (
    <>
      {c.urgency === 'urgent' ? <Tag color="volcano">{t('cases.urgent')}</Tag> : null}
      {c.supervised ? (
        <Tag color="magenta" icon={<FlagOutlined />}>
          {t('cases.supervised')}
        </Tag>
      ) : null}
      {c.overdueEscalatedAt ? <Tag color="red">{t('cases.escalatedOverdue')}</Tag> : null}
      {c.reopenCount > 0 ? <Tag color="orange">{t('cases.reopened', { n: c.reopenCount })}</Tag> : null}
    </>
  );
}

/** One case as a card (phones): title, number, status, deadline, place and category. */
export function CaseCard({ c }: { c: CaseSummary }) {
  const { t, locale } = useLocale();
  return (
    <Link to={`/cases/${c.id}`} className="case-card-link" data-testid={`case-card-${c.number}`}>
      <Card size="small" hoverable className={c.overdue ? 'case-card case-card-overdue' : 'case-card'}>
        <div className="case-card-head">
          <Typography.Text strong className="case-card-title">
            {c.title}
          </Typography.Text>
          <StatusTag status={c.status} />
        </div>
        <div className="case-card-tags">
          <DueTag c={c} />
          <CaseFlags c={c} />
        </div>
        <Typography.Text type="secondary" className="case-card-meta">
          {c.categoryName} · {c.areaName}
          {c.address ? ` · ${c.address}` : ''}
        </Typography.Text>
        <div className="case-card-foot">
          <span className="mono">{c.number}</span>
          <span>
            {channelLabel(t, locale, c.channel)}
            {c.photoCount > 0 ? (
              <>
                {' · '}
                <PictureOutlined /> {c.photoCount}
              </>
            ) : null}
          </span>
        </div>
      </Card>
    </Link>
  );
}

/** Cases as a table (desktop). */
export function CaseTable({
  items,
  loading,
  pagination,
  empty,
  testId,
}: {
  items: CaseSummary[];
  loading?: boolean;
  pagination?: TablePaginationConfig | false;
  empty: string;
  testId: string;
}) {
  const { t, locale } = useLocale();
  const columns: TableColumnsType<CaseSummary> = [
    {
      title: t('cases.field.title'),
      dataIndex: 'title',
      render: (_v, c) => (
        <Space orientation="vertical" size={0}>
          <Link to={`/cases/${c.id}`} data-testid={`case-row-${c.number}`} className="case-table-title">
            {c.title}
          </Link>
          <Typography.Text type="secondary" className="mono case-table-number">
            {c.number}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t('cases.field.status'),
      dataIndex: 'status',
      render: (_v, c) => (
        <Space size={[0, 4]} wrap>
          <StatusTag status={c.status} />
          <CaseFlags c={c} />
        </Space>
      ),
    },
    { title: t('cases.field.dueAt'), key: 'due', render: (_v, c) => <DueTag c={c} /> },
    { title: t('cases.field.category'), dataIndex: 'categoryName' },
    {
      title: t('cases.field.area'),
      key: 'area',
      render: (_v, c) => (
        <span>
          {c.areaName}
          {c.address ? <Typography.Text type="secondary"> · {c.address}</Typography.Text> : null}
        </span>
      ),
    },
    {
      title: t('cases.field.holder'),
      key: 'holder',
      render: (_v, c) => c.leadDepartmentName ?? t(`categories.level.${c.level}`),
    },
    {
      title: t('cases.field.channel'),
      dataIndex: 'channel',
      render: (v: string) => channelLabel(t, locale, v),
    },
    {
      title: t('cases.field.createdAt'),
      dataIndex: 'createdAt',
      render: (v: string) => <span className="nowrap">{formatDateTime(v, locale)}</span>,
    },
  ];
  return (
    <Table<CaseSummary>
      rowKey="id"
      columns={columns}
      dataSource={items}
      loading={loading}
      locale={{ emptyText: empty }}
      pagination={pagination ?? false}
      rowClassName={(c) => (c.overdue ? 'case-row-overdue' : '')}
      scroll={{ x: 'max-content' }}
      size="middle"
      data-testid={testId}
    />
  );
}
