/** Sessions (security administrators): who is signed in where, and revoking a session. */
import { useCallback, useEffect, useState } from 'react';
import { App, Button, Card, Empty, Popconfirm, Space, Spin, Table, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { isApiError, type ApiError } from '../../api';
import { formatDateTime, useLocale } from '../../i18n';
import { Page } from '../../components/Page';
import { ErrorResult } from '../../components/ErrorResult';
import { useIsMobile } from '../../components/useIsMobile';
import { accountsApi, type Session } from './api';

export default function SessionsPage() {
  const { t, locale } = useLocale();
  const { message } = App.useApp();
  const isMobile = useIsMobile();
  const [items, setItems] = useState<Session[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);

  const load = useCallback((signal?: AbortSignal) => {
    setLoading(true);
    setError(null);
    accountsApi
      .sessions(signal)
      .then((r) => setItems(r.items))
      .catch((e: unknown) => {
        if (isApiError(e)) setError(e);
      })
      .finally(() => setLoading(false));
  }, []);

  useEffect(() => {
    const ac = new AbortController();
    load(ac.signal);
    return () => ac.abort();
  }, [load]);

  const revoke = async (s: Session) => {
    try {
      await accountsApi.revokeSession(s.id);
      void message.success(t('sessions.revoked'));
      setItems((list) => list?.filter((x) => x.id !== s.id) ?? null);
    } catch (e) {
      if (!isApiError(e)) throw e;
      void message.error(e.message);
    }
  };

  if (error && !items) return <ErrorResult error={error} onRetry={() => load()} />;

  const revokeButton = (s: Session) => (
    <Popconfirm
      title={t('sessions.revokeConfirm')}
      okText={t('sessions.revoke')}
      cancelText={t('common.cancel')}
      okButtonProps={{ danger: true }}
      onConfirm={() => revoke(s)}
    >
      <Button danger size="small" data-testid={`session-revoke-${s.id}`}>
        {t('sessions.revoke')}
      </Button>
    </Popconfirm>
  );

  const columns: TableColumnsType<Session> = [
    {
      title: t('sessions.user'),
      dataIndex: 'username',
      render: (v: string | null, s) => v ?? s.accountId.slice(0, 8),
    },
    {
      title: t('sessions.ip'),
      dataIndex: 'ip',
      render: (v: string | null) => <span className="mono">{v ?? ''}</span>,
    },
    {
      title: t('sessions.userAgent'),
      dataIndex: 'userAgent',
      ellipsis: true,
      width: 280,
      render: (v: string | null) => <span title={v ?? ''}>{v ?? ''}</span>,
    },
    {
      title: t('sessions.createdAt'),
      dataIndex: 'createdAt',
      render: (v: string) => formatDateTime(v, locale),
    },
    {
      title: t('sessions.lastSeenAt'),
      dataIndex: 'lastSeenAt',
      render: (v: string) => formatDateTime(v, locale),
    },
    {
      title: t('sessions.expiresAt'),
      dataIndex: 'expiresAt',
      render: (v: string) => formatDateTime(v, locale),
    },
    { title: t('common.actions'), key: 'actions', fixed: 'right', render: (_v, s) => revokeButton(s) },
  ];

  return (
    <Page
      title={t('sessions.title')}
      extra={
        <Button
          icon={<ReloadOutlined />}
          onClick={() => load()}
          loading={loading}
          data-testid="sessions-refresh"
        >
          {t('common.refresh')}
        </Button>
      }
    >
      {isMobile ? (
        <div className="card-list" data-testid="sessions-cards">
          {items === null ? <Spin /> : null}
          {items && items.length === 0 ? <Empty description={t('sessions.empty')} /> : null}
          {items?.map((s) => (
            <Card key={s.id} size="small" data-testid={`session-card-${s.id}`}>
              <div className="account-card-head">
                <Typography.Text strong>{s.username ?? s.accountId.slice(0, 8)}</Typography.Text>
                {revokeButton(s)}
              </div>
              <Space orientation="vertical" size={0}>
                <Typography.Text type="secondary" className="mono">
                  {s.ip}
                </Typography.Text>
                <Typography.Text type="secondary" ellipsis>
                  {s.userAgent}
                </Typography.Text>
                <Typography.Text type="secondary">
                  {t('sessions.lastSeenAt')}: {formatDateTime(s.lastSeenAt, locale)}
                </Typography.Text>
              </Space>
            </Card>
          ))}
        </div>
      ) : (
        <Table<Session>
          rowKey="id"
          columns={columns}
          dataSource={items ?? []}
          loading={loading}
          locale={{ emptyText: t('sessions.empty') }}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          scroll={{ x: 'max-content' }}
          data-testid="sessions-table"
        />
      )}
    </Page>
  );
}
