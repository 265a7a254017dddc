/** 消息: the signed-in user's notifications, newest first; a click opens the case and marks it read. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { App, Badge, Button, Card, Empty, Segmented, Spin, Typography } from 'antd';
import { CheckOutlined, RightOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router';
import { isApiError, type ApiError } from '../../api';
import { formatDateTime, useLocale } from '../../i18n';
import { useMe } from '../../session';
import { ErrorResult } from '../../components/ErrorResult';
import { Page } from '../../components/Page';
import { notificationsApi, type Notification } from './api';
import { renderNotification } from './render';
import { setUnread } from './store';
import './notifications.css';

const PAGE = 20;

export default function InboxPage() {
  const { t, locale } = useLocale();
  const { message } = App.useApp();
  const me = useMe();
  const navigate = useNavigate();
  const [onlyUnread, setOnlyUnread] = useState(false);
  const [items, setItems] = useState<Notification[]>([]);
  const [total, setTotal] = useState(0);
  const [unreadCount, setUnreadCount] = useState(0);
  const [loaded, setLoaded] = useState(false);
  const [loading, setLoading] = useState(false);
  const [marking, setMarking] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const generation = useRef(0);

  const fetchPage = useCallback(async (unread: boolean, offset: number) => {
    const gen = ++generation.current;
    setLoading(true);
    setError(null);
    try {
      const r = await notificationsApi.list({ ...(unread ? { unread: true } : {}), limit: PAGE, offset });
      if (gen !== generation.current) return;
      setItems((prev) => (offset ? [...prev, ...r.items] : r.items));
      setTotal(r.total);
      setUnreadCount(r.unread);
      setUnread(r.unread);
      setLoaded(true);
    } catch (e) {
      if (gen === generation.current && isApiError(e)) setError(e);
    } finally {
      if (gen === generation.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    setLoaded(false);
    void fetchPage(onlyUnread, 0);
  }, [fetchPage, onlyUnread]);

  const caseLink = (caseId: string) =>
    me.account.kind === 'resident' ? `/my-cases/${caseId}` : `/cases/${caseId}`;

  const open = async (n: Notification) => {
    if (!n.readAt) {
      try {
        const r = await notificationsApi.read({ ids: [n.id] });
        setUnread(r.unread);
        setUnreadCount(r.unread);
        const at = new Date().toISOString();
        setItems((prev) => prev.map((x) => (x.id === n.id ? { ...x, readAt: at } : x)));
      } catch {
        // Opening the case matters more than the read mark; the next visit marks it again.
      }
    }
    if (n.caseId) navigate(caseLink(n.caseId));
  };

  const markAll = async () => {
    setMarking(true);
    try {
      const r = await notificationsApi.read({ all: true });
      setUnread(r.unread);
      setUnreadCount(r.unread);
      const at = new Date().toISOString();
      setItems((prev) => (onlyUnread ? [] : prev.map((x) => (x.readAt ? x : { ...x, readAt: at }))));
      if (onlyUnread) setTotal(0);
      void message.success(t('notifications.allRead'));
    } catch (e) {
      if (isApiError(e)) void message.error(e.message);
    } finally {
      setMarking(false);
    }
  };

  if (error && !loaded) return <ErrorResult error={error} onRetry={() => void fetchPage(onlyUnread, 0)} />;

  return (
    <Page
      title={t('notifications.title')}
      extra={
        <Button
          icon={<CheckOutlined />}
          onClick={() => void markAll()}
          loading={marking}
          disabled={unreadCount === 0}
          data-testid="inbox-mark-all"
        >
          {t('notifications.markAll')}
        </Button>
      }
    >
      <div data-testid="inbox-page">
        <Segmented
          className="inbox-filter"
          value={onlyUnread ? 'unread' : 'all'}
          onChange={(v) => setOnlyUnread(v === 'unread')}
          options={[
            { value: 'all', label: t('notifications.all') },
            { value: 'unread', label: t('notifications.unreadOnly', { n: unreadCount }) },
          ]}
          data-testid="inbox-filter"
        />
        {!loaded ? (
          <div className="page-loading">
            <Spin size="large" />
          </div>
        ) : items.length === 0 ? (
          <Card>
            <div data-testid="inbox-empty">
              <Empty description={onlyUnread ? t('notifications.noUnread') : t('notifications.empty')} />
            </div>
          </Card>
        ) : (
          <div className="card-list" data-testid="inbox-list">
            {items.map((n) => {
              const r = renderNotification(n, t, locale);
              return (
                <Card
                  key={n.id}
                  size="small"
                  hoverable={Boolean(n.caseId)}
                  className={`inbox-item${n.readAt ? '' : ' inbox-unread'}`}
                  onClick={() => void open(n)}
                  data-testid={`inbox-item-${n.id}`}
                >
                  <div className="inbox-row">
                    <Badge status={n.readAt ? 'default' : 'processing'} />
                    <div className="inbox-text">
                      <Typography.Text strong={!n.readAt} className="inbox-title">
                        {r.title}
                      </Typography.Text>
                      {r.subject ? (
                        <Typography.Text className="inbox-subject">{r.subject}</Typography.Text>
                      ) : null}
                      {r.extra ? (
                        <Typography.Text type="secondary" className="inbox-extra">
                          {r.extra}
                        </Typography.Text>
                      ) : null}
                      <Typography.Text type="secondary" className="inbox-time">
                        {formatDateTime(n.createdAt, locale)}
                      </Typography.Text>
                    </div>
                    {n.caseId ? <RightOutlined className="inbox-arrow" /> : null}
                  </div>
                </Card>
              );
            })}
            {items.length < total ? (
              <div className="load-more">
                <Button loading={loading} onClick={() => void fetchPage(onlyUnread, items.length)}>
                  {t('notifications.loadMore')}
                </Button>
              </div>
            ) : null}
          </div>
        )}
      </div>
    </Page>
  );
}
