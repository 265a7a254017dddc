/**
 * 进度查询: anyone with a case number and the last four digits of the reporter's phone sees how the case stands —
 * steps, times, status and due date, never a name, phone, address or text. Public, phone-first.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { Alert, Button, Card, Descriptions, Form, Input, Tag, Timeline, Typography } from 'antd';
import { LeftOutlined, SearchOutlined } from '@ant-design/icons';
import { Link, useSearchParams } from 'react-router';
import { isApiError, type ApiError } from '../../api';
import { formatDateTime, useLocale } from '../../i18n';
import { useSession } from '../../session';
import { LanguageSwitch, LargeTextToggle } from '../../components/Preferences';
import { CaseProgress } from '../resident/CaseProgress';
import { actionText, statusColor, statusText, stepTimes } from '../resident/progress';
import { normaliseNumber, NUMBER_RE, trackApi, type TrackView } from './api';
import '../resident/resident.css';

interface Values {
  number: string;
  phone4: string;
}

function TrackResult({ view }: { view: TrackView }) {
  const { t, locale } = useLocale();
  const ended = ['closed', 'rated', 'declined', 'merged'].includes(view.status);
  return (
    <Card className="resident-card track-result" data-testid="track-result">
      <Tag color={statusColor(view.status)} className="status-tag big" data-testid="track-status">
        {statusText(t, view.status)}
      </Tag>
      <Typography.Text className="mono track-number" data-testid="track-number">
        {view.number}
      </Typography.Text>
      <CaseProgress status={view.status} times={stepTimes(view.steps)} />
      <Descriptions column={1} size="small" className="resident-desc">
        <Descriptions.Item label={t('resident.category')}>{view.categoryName}</Descriptions.Item>
        <Descriptions.Item label={t('track.community')}>{view.areaName}</Descriptions.Item>
        <Descriptions.Item label={t('resident.reportedAt')}>
          {formatDateTime(view.createdAt, locale)}
        </Descriptions.Item>
        {view.dueAt && !ended ? (
          <Descriptions.Item label={t('track.due')}>{formatDateTime(view.dueAt, locale)}</Descriptions.Item>
        ) : null}
        {view.closedAt ? (
          <Descriptions.Item label={t('track.closedAt')}>
            {formatDateTime(view.closedAt, locale)}
          </Descriptions.Item>
        ) : null}
        {view.rating ? (
          <Descriptions.Item label={t('track.rating')}>
            {t(`resident.rating.${view.rating}`)}
          </Descriptions.Item>
        ) : null}
      </Descriptions>
      <Typography.Title level={5}>{t('resident.steps')}</Typography.Title>
      <div data-testid="track-steps">
        <Timeline
          items={[...view.steps].reverse().map((s, i) => ({
            key: i,
            content: (
              <div className="event-item">
                <Typography.Text strong>{actionText(t, s.action)}</Typography.Text>
                <Typography.Text type="secondary" className="event-time">
                  {formatDateTime(s.at, locale)}
                </Typography.Text>
              </div>
            ),
          }))}
        />
      </div>
    </Card>
  );
}

export default function TrackPage() {
  const { t } = useLocale();
  const { state } = useSession();
  const [params] = useSearchParams();
  const [form] = Form.useForm<Values>();
  const [view, setView] = useState<TrackView | null>(null);
  const [notFound, setNotFound] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);
  const abort = useRef<AbortController | null>(null);

  const search = useCallback(async (v: Values) => {
    abort.current?.abort();
    const ac = new AbortController();
    abort.current = ac;
    setLoading(true);
    setNotFound(false);
    setError(null);
    setView(null);
    try {
      setView(await trackApi.find(normaliseNumber(v.number), v.phone4.trim(), ac.signal));
    } catch (e) {
      if (!isApiError(e)) return;
      // One answer for every mismatch: the server never tells which half was wrong.
      if (e.status === 404) setNotFound(true);
      else setError(e);
    } finally {
      if (abort.current === ac) setLoading(false);
    }
  }, []);

  useEffect(() => {
    const number = params.get('number');
    if (number) form.setFieldValue('number', normaliseNumber(number));
  }, [params, form]);
  useEffect(() => () => abort.current?.abort(), []);

  const signedIn = state.status === 'authenticated';
  return (
    <div className="login-page track-page" data-testid="track-page">
      <div className="login-toolbar">
        <LanguageSwitch />
        <LargeTextToggle />
      </div>
      <div className="track-center">
        <div className="login-brand">
          <img src="/favicon.svg" alt="" className="login-logo" />
          <Typography.Title level={2} className="login-title track-title">
            {t('track.title')}
          </Typography.Title>
          <Typography.Text type="secondary">{t('track.intro')}</Typography.Text>
        </div>
        <Card className="resident-card track-card">
          <Form<Values>
            form={form}
            layout="vertical"
            size="large"
            requiredMark={false}
            onFinish={(v) => void search(v)}
            data-testid="track-form"
          >
            <Form.Item
              name="number"
              label={t('track.number')}
              extra={t('track.numberHint')}
              rules={[
                { required: true, message: t('track.numberRequired') },
                {
                  validator: (_, v: string | undefined) =>
                    !v || NUMBER_RE.test(normaliseNumber(v))
                      ? Promise.resolve()
                      : Promise.reject(new Error(t('track.numberInvalid'))),
                },
              ]}
            >
              <Input
                inputMode="numeric"
                autoComplete="off"
                maxLength={30}
                placeholder="340302-20250301-000001"
                data-testid="track-number-input"
              />
            </Form.Item>
            <Form.Item
              name="phone4"
              label={t('track.phone4')}
              rules={[{ required: true, pattern: /^\s*\d{4}\s*$/, message: t('track.phone4Invalid') }]}
            >
              <Input inputMode="numeric" autoComplete="off" maxLength={4} data-testid="track-phone4" />
            </Form.Item>
            <Button
              type="primary"
              htmlType="submit"
              block
              icon={<SearchOutlined />}
              loading={loading}
              className="big-button"
              data-testid="track-submit"
            >
              {t('track.submit')}
            </Button>
          </Form>
        </Card>
        {notFound ? (
          <Alert
            type="warning"
            showIcon
            className="track-card"
            title={t('track.notFound')}
            description={t('track.notFoundHint')}
            data-testid="track-not-found"
          />
        ) : null}
        {error ? (
          <Alert
            type="error"
            showIcon
            className="track-card"
            title={error.message}
            data-testid="track-error"
          />
        ) : null}
        {view ? <TrackResult view={view} /> : null}
        <Link to={signedIn ? '/' : '/login'} className="back-link" data-testid="track-back">
          <LeftOutlined /> {signedIn ? t('common.backHome') : t('track.toLogin')}
        </Link>
      </div>
    </div>
  );
}
