/** One of the resident's own cases: status in plain words, progress, what was reported, photos, the steps, rating. */
import { useCallback, useEffect, useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Form,
  Image,
  Input,
  Radio,
  Spin,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { LeftOutlined } from '@ant-design/icons';
import { Link, useParams } from 'react-router';
import { RATINGS } from '../../../../common/schemas/cases';
import type { Role } from '../../../../common/roles';
import { isApiError, type ApiError } from '../../api';
import { formatDateTime, roleName, useLocale } from '../../i18n';
import { ErrorResult } from '../../components/ErrorResult';
import { residentApi, type Attachment, type CaseDetail, type CaseEvent, type RatingValue } from './api';
import { CaseProgress } from './CaseProgress';
import { actionText, statusColor, statusText, stepTimes } from './progress';
import './resident.css';

interface Loaded {
  detail: CaseDetail;
  events: CaseEvent[];
  photos: Attachment[];
}

function RatingForm({ detail, onRated }: { detail: CaseDetail; onRated: (d: CaseDetail) => void }) {
  const { t } = useLocale();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ rating: RatingValue; comment?: string }>();
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  return (
    <Card
      className="resident-card rating-card"
      title={<span className="step-title">{t('resident.rateTitle')}</span>}
      data-testid="rating-card"
    >
      <Typography.Paragraph type="secondary">{t('resident.rateIntro')}</Typography.Paragraph>
      <Form
        form={form}
        layout="vertical"
        size="large"
        requiredMark={false}
        onFinish={async (v) => {
          setSending(true);
          setError(null);
          try {
            const updated = await residentApi.rate(detail.id, detail.version, v.rating, v.comment?.trim());
            void message.success(
              updated.status === 'rated' ? t('resident.rateThanks') : t('resident.rateReopened'),
            );
            onRated(updated);
          } catch (e) {
            if (!isApiError(e)) throw e;
            setError(e);
          } finally {
            setSending(false);
          }
        }}
      >
        <Form.Item name="rating" rules={[{ required: true, message: t('resident.rateRequired') }]}>
          <Radio.Group optionType="button" buttonStyle="solid" className="rating-choices">
            {RATINGS.map((r) => (
              <Radio.Button key={r} value={r}>
                <span data-testid={`rating-${r}`}>{t(`resident.rating.${r}`)}</span>
              </Radio.Button>
            ))}
          </Radio.Group>
        </Form.Item>
        <Form.Item name="comment" label={t('resident.rateComment')}>
          <Input.TextArea rows={3} maxLength={1000} showCount data-testid="rating-comment" />
        </Form.Item>
        {error ? <Alert type="error" showIcon title={error.message} className="form-alert" /> : null}
        <Button type="primary" htmlType="submit" block loading={sending} data-testid="rating-submit">
          {t('resident.rateSubmit')}
        </Button>
      </Form>
    </Card>
  );
}

function EventItem({ e, photos }: { e: CaseEvent; photos: Attachment[] }) {
  const { t, locale } = useLocale();
  const mine = photos.filter((p) => e.attachmentIds.includes(p.id));
  const reason = typeof e.data.reason === 'string' ? e.data.reason : null;
  const guidance = typeof e.data.guidance === 'string' ? e.data.guidance : null;
  return (
    <div className="event-item">
      <div className="event-head">
        <Typography.Text strong>{actionText(t, e.action)}</Typography.Text>
        {e.actorRole ? (
          <Typography.Text type="secondary" className="event-who">
            {roleName(e.actorRole as Role, locale)}
          </Typography.Text>
        ) : null}
      </div>
      <Typography.Text type="secondary" className="event-time">
        {formatDateTime(e.at, locale)}
      </Typography.Text>
      {e.note ? <Typography.Paragraph className="event-note">{e.note}</Typography.Paragraph> : null}
      {reason && reason !== e.note ? (
        <Typography.Paragraph className="event-note">
          {t('resident.reason')}
          {reason}
        </Typography.Paragraph>
      ) : null}
      {guidance ? (
        <Typography.Paragraph className="event-note">
          {t('resident.guidance')}
          {guidance}
        </Typography.Paragraph>
      ) : null}
      {mine.length ? (
        <div className="event-photos">
          {mine.map((p) => (
            <Image key={p.id} src={p.thumbUrl} preview={{ src: p.url }} width={64} height={64} alt="" />
          ))}
        </div>
      ) : null}
    </div>
  );
}

export default function MyCaseDetailPage() {
  const { id = '' } = useParams();
  const { t, locale } = useLocale();
  const [data, setData] = useState<Loaded | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const load = useCallback(
    async (signal?: AbortSignal) => {
      setError(null);
      try {
        const [detail, events, photos] = await Promise.all([
          residentApi.get(id, signal),
          residentApi.events(id, signal),
          residentApi.photos(id, signal),
        ]);
        setData({ detail, events: events.items, photos });
      } catch (e) {
        if (isApiError(e)) setError(e);
      }
    },
    [id],
  );

  useEffect(() => {
    const ac = new AbortController();
    setData(null);
    void load(ac.signal);
    return () => ac.abort();
  }, [load]);

  if (error) return <ErrorResult error={error} onRetry={() => void load()} />;
  if (!data)
    return (
      <div className="page-loading">
        <Spin size="large" />
      </div>
    );

  const { detail: c, events, photos } = data;
  const canRate = c.status === 'closed' && c.actions.includes('rate');
  return (
    <div className="page resident-page" data-testid="my-case-detail">
      <Link to="/my-cases" className="back-link">
        <LeftOutlined /> {t('resident.backToMyCases')}
      </Link>
      <Card className="resident-card">
        <Tag color={statusColor(c.status)} className="status-tag big" data-testid="my-case-status">
          {statusText(t, c.status)}
        </Tag>
        <Typography.Title level={4} className="case-title">
          {c.title}
        </Typography.Title>
        <Typography.Text
          className="mono"
          copyable={{ tooltips: [t('common.copy'), t('common.copied')] }}
          data-testid="my-case-number"
        >
          {c.number}
        </Typography.Text>
        <CaseProgress status={c.status} times={stepTimes(events)} />
        {c.status === 'merged' ? (
          <Alert type="info" showIcon title={t('resident.mergedHint')} className="form-alert" />
        ) : null}
        {c.dueAt && !['closed', 'rated', 'declined', 'merged'].includes(c.status) ? (
          <Typography.Paragraph className="due-line">
            {t('resident.dueAt', { time: formatDateTime(c.dueAt, locale) })}
          </Typography.Paragraph>
        ) : null}
      </Card>

      {canRate ? (
        <RatingForm
          detail={c}
          onRated={() => {
            void load();
          }}
        />
      ) : null}
      {c.rating ? (
        <Alert
          type="success"
          showIcon
          title={t('resident.yourRating', { rating: t(`resident.rating.${c.rating}`) })}
          className="form-alert"
          data-testid="my-case-rated"
        />
      ) : null}

      <Card className="resident-card" title={t('resident.whatYouReported')}>
        <Descriptions column={1} size="small" className="resident-desc">
          <Descriptions.Item label={t('resident.category')}>{c.categoryName}</Descriptions.Item>
          <Descriptions.Item label={t('resident.place')}>
            {c.areaName}
            {c.address ? ` · ${c.address}` : ''}
          </Descriptions.Item>
          <Descriptions.Item label={t('resident.reportedAt')}>
            {formatDateTime(c.createdAt, locale)}
          </Descriptions.Item>
          <Descriptions.Item label={t('resident.callbackLabel')}>
            {c.callbackWanted ? t('resident.yes') : t('resident.no')}
          </Descriptions.Item>
        </Descriptions>
        <Typography.Paragraph className="case-description">{c.description}</Typography.Paragraph>
        {photos.length ? (
          <Image.PreviewGroup>
            <div className="detail-photos" data-testid="my-case-photos">
              {photos.map((p) => (
                <Image key={p.id} src={p.thumbUrl} preview={{ src: p.url }} width={88} height={88} alt="" />
              ))}
            </div>
          </Image.PreviewGroup>
        ) : null}
      </Card>

      <Card className="resident-card" title={t('resident.steps')}>
        <div data-testid="my-case-timeline">
          <Timeline
            items={[...events].reverse().map((e) => ({
              key: e.seq,
              content: <EventItem e={e} photos={photos} />,
            }))}
          />
        </div>
      </Card>
    </div>
  );
}
