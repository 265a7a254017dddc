/**
 * Intake (登记诉求) by staff: a community worker or street staff at the window, on the hotline, from the mailbox or a
 * transferred ticket, or a grid worker on patrol. Shows possible duplicates as the form fills, takes photos before
 * saving and uploads them right after the case is created, then opens the case.
 */
import { useEffect, useMemo, useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Form,
  Input,
  InputNumber,
  Radio,
  Result,
  Select,
  Space,
  Spin,
  Switch,
  Tag,
  TreeSelect,
  Typography,
} from 'antd';
import { AimOutlined, WarningOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import { Link, useNavigate } from 'react-router';
import { parseAreaCode } from '../../../../common/area-code';
import type { Role } from '../../../../common/roles';
import type { CategoryQuestion } from '../../../../common/schemas/categories';
import { isApiError, newUuid, type ApiError } from '../../api';
import { useLocale } from '../../i18n';
import { useMe } from '../../session';
import { Page } from '../../components/Page';
import { AreaPicker } from '../../components/AreaPicker';
import { applyServerErrors } from '../../components/formErrors';
import { useIsMobile } from '../../components/useIsMobile';
import { casesApi, type CaseCreate, type CaseDetail, type SimilarCase } from './api';
import { channelLabel, statusLabel } from './labels';
import { PhotoPicker, usePhotoQueue } from './PhotoPicker';
import { useCategories } from './useCategories';

type StaffChannel = 'window' | 'hotline' | 'mailbox' | 'transfer' | 'patrol';

/** Who may take a case in on which channel: the server's INTAKE_ROLES (cases/service.ts), for the choices shown. */
const INTAKE_ROLES: Record<StaffChannel, Role[]> = {
  window: ['community_worker', 'street_staff'],
  hotline: ['community_worker', 'street_staff'],
  mailbox: ['community_worker', 'street_staff'],
  transfer: ['community_worker', 'street_staff'],
  patrol: ['grid_worker'],
};
const CHANNELS = Object.keys(INTAKE_ROLES) as StaffChannel[];
/** Channels on which the resident's name and phone are required. */
const NEEDS_REPORTER: StaffChannel[] = ['window', 'hotline', 'mailbox'];
const PHONE = /^1[3-9][0-9]{9}$/;

type Answer = string | number | boolean | Dayjs | null | undefined;

interface Values {
  channel: StaffChannel;
  categoryId?: string;
  title?: string;
  description?: string;
  areaCode?: string;
  address?: string;
  lat?: number | null;
  lng?: number | null;
  urgency: 'normal' | 'urgent';
  reporterName?: string;
  reporterPhone?: string;
  callbackWanted: boolean;
  sourceRef?: string;
  answers?: Record<string, Answer>;
}

const FIELDS = [
  'channel',
  'categoryId',
  'title',
  'description',
  'areaCode',
  'address',
  'lat',
  'lng',
  'urgency',
  'reporterName',
  'reporterPhone',
  'callbackWanted',
  'sourceRef',
  'answers',
];

function answerValue(q: CategoryQuestion, v: Answer): string | number | boolean | undefined {
  if (v === null || v === undefined || v === '') return undefined;
  if (q.type === 'datetime') return typeof v === 'object' ? v.toISOString() : String(v);
  if (typeof v === 'string') return v.trim() || undefined;
  if (typeof v === 'object') return v.toISOString();
  return v;
}

function QuestionInput({ q }: { q: CategoryQuestion }) {
  const { t } = useLocale();
  const testId = `intake-answer-${q.key}`;
  switch (q.type) {
    case 'number':
      return <InputNumber style={{ width: '100%' }} data-testid={testId} />;
    case 'boolean':
      return <Switch data-testid={testId} />;
    case 'select':
      return (
        <Select
          allowClear
          options={(q.options ?? []).map((o) => ({ value: o, label: o }))}
          data-testid={testId}
        />
      );
    case 'datetime':
      return (
        <DatePicker
          showTime={{ format: 'HH:mm' }}
          format="YYYY-MM-DD HH:mm"
          placeholder={t('cases.new.chooseDate')}
          style={{ width: '100%' }}
          data-testid={testId}
        />
      );
    default:
      return <Input maxLength={1000} data-testid={testId} />;
  }
}

/** Open cases like the one being entered (same category nearby, similar text), fetched as the form fills. */
function useSimilar(v: {
  categoryId?: string;
  areaCode?: string;
  title?: string;
  lat?: number | null;
  lng?: number | null;
}) {
  const [items, setItems] = useState<SimilarCase[] | null>(null);
  const [loading, setLoading] = useState(false);
  const { categoryId, areaCode, title, lat, lng } = v;
  useEffect(() => {
    const ready = categoryId && areaCode && title && title.trim().length >= 2;
    if (!ready) {
      setItems(null);
      return;
    }
    const ac = new AbortController();
    const timer = window.setTimeout(() => {
      setLoading(true);
      casesApi
        .similar(
          {
            categoryId,
            areaCode,
            title: title.trim().slice(0, 100),
            ...(typeof lat === 'number' && typeof lng === 'number' ? { lat, lng } : {}),
          },
          ac.signal,
        )
        .then((r) => setItems(r.items))
        .catch(() => {
          // Not found (not deployed yet) or refused: the check is a help, not a gate; show nothing.
          if (!ac.signal.aborted) setItems(null);
        })
        .finally(() => {
          if (!ac.signal.aborted) setLoading(false);
        });
    }, 500);
    return () => {
      window.clearTimeout(timer);
      ac.abort();
    };
  }, [categoryId, areaCode, title, lat, lng]);
  return { items, loading };
}

function SimilarPanel({ items, loading }: { items: SimilarCase[] | null; loading: boolean }) {
  const { t, locale } = useLocale();
  if (items === null && !loading) return null;
  return (
    <Card
      size="small"
      title={
        <Space size={6}>
          {items?.length ? <WarningOutlined style={{ color: '#d48806' }} /> : null}
          {t('cases.new.similarTitle')}
          {items?.length ? <Tag color="orange">{items.length}</Tag> : null}
        </Space>
      }
      data-testid="intake-similar"
    >
      {loading && !items ? <Spin size="small" /> : null}
      {items && items.length === 0 ? (
        <Typography.Text type="secondary">{t('cases.new.similarNone')}</Typography.Text>
      ) : null}
      {items && items.length > 0 ? (
        <>
          <Typography.Paragraph type="secondary">{t('cases.new.similarHint')}</Typography.Paragraph>
          {items.map((s) => (
            <Link
              key={s.id}
              to={`/cases/${s.id}`}
              target="_blank"
              className="similar-item"
              data-testid={`intake-similar-${s.number}`}
            >
              <Typography.Text strong>{s.title}</Typography.Text>
              <div>
                <Tag>{statusLabel(t, locale, s.status)}</Tag>
                {s.reasons.map((r) => (
                  <Tag key={r} color="orange">
                    {t(`cases.new.similarReason.${r}`)}
                  </Tag>
                ))}
                {s.distanceM !== null ? (
                  <Tag>{t('cases.new.distance', { m: Math.round(s.distanceM) })}</Tag>
                ) : null}
              </div>
              <Typography.Text type="secondary" style={{ fontSize: '0.85em' }}>
                <span className="mono">{s.number}</span> · {s.categoryName} · {s.areaName}
              </Typography.Text>
            </Link>
          ))}
        </>
      ) : null}
    </Card>
  );
}

export default function IntakePage() {
  const { t, locale } = useLocale();
  const { message } = App.useApp();
  const me = useMe();
  const navigate = useNavigate();
  const isMobile = useIsMobile();
  const categories = useCategories();
  const [form] = Form.useForm<Values>();
  const queue = usePhotoQueue();
  const [idemKey, setIdemKey] = useState(newUuid);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [created, setCreated] = useState<CaseDetail | null>(null);
  const [locating, setLocating] = useState(false);
  const [locationError, setLocationError] = useState<string | null>(null);

  const roles = useMemo(() => new Set(me.assignments.map((a) => a.role)), [me]);
  const channels = CHANNELS.filter((ch) => INTAKE_ROLES[ch].some((r) => roles.has(r)));

  const channel = Form.useWatch('channel', form);
  const categoryId = Form.useWatch('categoryId', form);
  const areaCode = Form.useWatch('areaCode', form);
  const title = Form.useWatch('title', form);
  const lat = Form.useWatch('lat', form);
  const lng = Form.useWatch('lng', form);
  const similar = useSimilar({ categoryId, areaCode, title, lat, lng });
  const category = categoryId ? categories.byId.get(categoryId) : undefined;
  const needsReporter = channel ? NEEDS_REPORTER.includes(channel) : false;

  useEffect(() => {
    if (category) form.setFieldValue('urgency', category.urgent ? 'urgent' : 'normal');
  }, [category, form]);

  if (channels.length === 0)
    return (
      <Page title={t('cases.new.title')}>
        <Result status="403" title={t('cases.new.noChannel')} data-testid="intake-no-channel" />
      </Page>
    );

  const useMyLocation = () => {
    setLocationError(null);
    if (!('geolocation' in navigator)) {
      setLocationError(t('cases.new.locationUnsupported'));
      return;
    }
    setLocating(true);
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        setLocating(false);
        form.setFieldsValue({
          lat: Number(pos.coords.latitude.toFixed(6)),
          lng: Number(pos.coords.longitude.toFixed(6)),
        });
      },
      (err) => {
        setLocating(false);
        setLocationError(t('cases.new.locationFailed', { message: err.message }));
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  };

  /** Uploads the chosen photos to the new case, then opens it (or stays to show which photo failed). */
  const finish = async (c: CaseDetail) => {
    if (queue.items.length > 0) {
      const up = await queue.uploadAll(c.id);
      if (up.failed > 0) return;
    }
    navigate(`/cases/${c.id}`, { replace: true });
  };

  const onFinish = async (v: Values) => {
    setError(null);
    setSaving(true);
    try {
      if (created) {
        await finish(created);
        return;
      }
      const answers: Record<string, string | number | boolean> = {};
      for (const q of category?.questions ?? []) {
        const a = answerValue(q, v.answers?.[q.key]);
        if (a !== undefined) answers[q.key] = a;
      }
      const trim = (s: string | undefined) => (s && s.trim() ? s.trim() : undefined);
      const hasPoint = typeof v.lat === 'number' && typeof v.lng === 'number';
      const body = {
        channel: v.channel,
        categoryId: v.categoryId!,
        title: v.title!.trim(),
        description: v.description!.trim(),
        ...(v.areaCode ? { areaCode: v.areaCode } : {}),
        ...(trim(v.address) ? { address: trim(v.address) } : {}),
        ...(hasPoint ? { lat: v.lat!, lng: v.lng! } : {}),
        urgency: v.urgency,
        ...(trim(v.reporterName) ? { reporterName: trim(v.reporterName) } : {}),
        ...(trim(v.reporterPhone) ? { reporterPhone: trim(v.reporterPhone) } : {}),
        callbackWanted: v.callbackWanted,
        ...(v.channel === 'transfer' && trim(v.sourceRef) ? { sourceRef: trim(v.sourceRef) } : {}),
        ...(Object.keys(answers).length ? { answers } : {}),
      } as CaseCreate; // areaCode may be left out when a point is given (the server finds the grid).
      const c = await casesApi.create(body, idemKey);
      setCreated(c);
      void message.success(t('cases.new.created', { number: c.number }));
      await finish(c);
    } catch (e) {
      if (!isApiError(e)) throw e;
      if (e.status > 0) setIdemKey(newUuid());
      if (!applyServerErrors(form, e, FIELDS)) setError(e);
    } finally {
      setSaving(false);
    }
  };

  const required = (msg: string) => [{ required: true, whitespace: true, message: msg }];
  const similarPanel = <SimilarPanel items={similar.items} loading={similar.loading} />;
  const failedPhotos = created !== null && queue.items.some((p) => p.status === 'failed');

  const formCard = (
    <Card>
      {error ? (
        <Alert
          type="error"
          showIcon
          title={error.message}
          className="form-alert"
          data-testid="intake-error"
        />
      ) : null}
      {created ? (
        <Alert
          type={failedPhotos ? 'warning' : 'success'}
          showIcon
          className="form-alert"
          data-testid="intake-created"
          title={
            failedPhotos
              ? t('cases.new.photosFailed')
              : queue.items.length
                ? t('cases.new.photosUploading')
                : t('cases.new.created', { number: created.number })
          }
          action={
            <Link to={`/cases/${created.id}`} data-testid="intake-go-detail">
              <Button size="small">{t('cases.new.goDetail')}</Button>
            </Link>
          }
        />
      ) : null}
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={onFinish}
        disabled={created !== null && !failedPhotos}
        initialValues={{ channel: channels[0], urgency: 'normal', callbackWanted: false }}
        className="intake-form"
        data-testid="intake-form"
        scrollToFirstError
      >
        <Form.Item name="channel" label={t('cases.new.channel')} rules={[{ required: true }]}>
          <Radio.Group
            optionType="button"
            buttonStyle="solid"
            disabled={created !== null}
            options={channels.map((ch) => ({
              value: ch,
              label: <span data-testid={`intake-channel-${ch}`}>{channelLabel(t, locale, ch)}</span>,
            }))}
          />
        </Form.Item>
        <Form.Item
          name="categoryId"
          label={t('cases.field.category')}
          rules={[{ required: true, message: t('cases.new.categoryPlaceholder') }]}
        >
          <TreeSelect
            showSearch={{ treeNodeFilterProp: 'title' }}
            placeholder={t('cases.new.categoryPlaceholder')}
            treeData={categories.tree}
            loading={categories.items === null}
            disabled={created !== null}
            popupMatchSelectWidth={false}
            styles={{ popup: { root: { maxHeight: 420, overflow: 'auto', minWidth: 260 } } }}
            data-testid="intake-category"
          />
        </Form.Item>
        <Form.Item
          name="areaCode"
          label={t('cases.field.area')}
          dependencies={['lat', 'lng']}
          rules={[
            ({ getFieldValue }) => ({
              validator: (_r, value: string | undefined) => {
                if (!value) {
                  const point =
                    typeof getFieldValue('lat') === 'number' && typeof getFieldValue('lng') === 'number';
                  return point ? Promise.resolve() : Promise.reject(new Error(t('cases.new.areaRequired')));
                }
                const p = parseAreaCode(value);
                return p.ok && (p.level === 'community' || p.level === 'grid')
                  ? Promise.resolve()
                  : Promise.reject(new Error(t('cases.new.areaPlaceholder')));
              },
            }),
          ]}
        >
          <AreaPicker allowClear placeholder={t('cases.new.areaPlaceholder')} data-testid="intake-area" />
        </Form.Item>
        <Form.Item name="address" label={`${t('cases.field.address')}${t('common.optional')}`}>
          <Input
            maxLength={200}
            placeholder={t('cases.new.addressPlaceholder')}
            data-testid="intake-address"
          />
        </Form.Item>
        <div className="intake-row">
          <Form.Item name="lat" label={`${t('cases.new.lat')}${t('common.optional')}`}>
            <InputNumber
              min={-90}
              max={90}
              step={0.000001}
              style={{ width: '100%' }}
              data-testid="intake-lat"
            />
          </Form.Item>
          <Form.Item name="lng" label={`${t('cases.new.lng')}${t('common.optional')}`}>
            <InputNumber
              min={-180}
              max={180}
              step={0.000001}
              style={{ width: '100%' }}
              data-testid="intake-lng"
            />
          </Form.Item>
        </div>
        <Space orientation="vertical" style={{ marginBottom: 16, width: '100%' }}>
          <Button
            icon={<AimOutlined />}
            onClick={useMyLocation}
            loading={locating}
            data-testid="intake-locate"
          >
            {locating ? t('cases.new.locating') : t('cases.new.useLocation')}
          </Button>
          {locationError ? <Alert type="warning" showIcon title={locationError} /> : null}
        </Space>
        <Form.Item
          name="title"
          label={t('cases.field.title')}
          rules={[...required(t('cases.form.required')), { max: 100 }]}
        >
          <Input
            maxLength={100}
            showCount
            placeholder={t('cases.new.titlePlaceholder')}
            data-testid="intake-title"
          />
        </Form.Item>
        <Form.Item
          name="description"
          label={t('cases.field.description')}
          rules={[...required(t('cases.form.required')), { max: 4000 }]}
        >
          <Input.TextArea
            rows={4}
            maxLength={4000}
            showCount
            placeholder={t('cases.new.descriptionPlaceholder')}
            data-testid="intake-description"
          />
        </Form.Item>
        {category?.questions.length ? (
          <>
            <Typography.Title level={5}>{t('cases.new.questions')}</Typography.Title>
            {category.questions.map((q) => (
              <Form.Item
                key={`${category.id}.${q.key}`}
                name={['answers', q.key]}
                label={locale === 'en' && q.labelEn ? q.labelEn : q.label}
                valuePropName={q.type === 'boolean' ? 'checked' : 'value'}
                rules={
                  q.required && q.type !== 'boolean'
                    ? [{ required: true, message: t('cases.form.required') }]
                    : []
                }
              >
                <QuestionInput q={q} />
              </Form.Item>
            ))}
          </>
        ) : null}
        <Form.Item name="urgency" label={t('cases.field.urgency')}>
          <Radio.Group
            options={[
              { value: 'normal', label: t('cases.urgency.normal') },
              { value: 'urgent', label: t('cases.urgency.urgent') },
            ]}
            data-testid="intake-urgency"
          />
        </Form.Item>
        {channel === 'transfer' ? (
          <Form.Item
            name="sourceRef"
            label={t('cases.field.sourceRef')}
            rules={required(t('cases.new.sourceRefRequired'))}
          >
            <Input
              maxLength={64}
              placeholder={t('cases.new.sourceRefPlaceholder')}
              data-testid="intake-source-ref"
            />
          </Form.Item>
        ) : null}
        <div className="intake-row">
          <Form.Item
            name="reporterName"
            label={
              needsReporter
                ? t('cases.field.reporterName')
                : `${t('cases.field.reporterName')}${t('common.optional')}`
            }
            rules={
              needsReporter
                ? required(
                    t('cases.new.reporterRequired', { channel: channelLabel(t, locale, channel ?? '') }),
                  )
                : []
            }
          >
            <Input maxLength={32} autoComplete="off" data-testid="intake-reporter-name" />
          </Form.Item>
          <Form.Item
            name="reporterPhone"
            label={
              needsReporter
                ? t('cases.field.reporterPhone')
                : `${t('cases.field.reporterPhone')}${t('common.optional')}`
            }
            rules={[
              ...(needsReporter
                ? required(
                    t('cases.new.reporterRequired', { channel: channelLabel(t, locale, channel ?? '') }),
                  )
                : []),
              { pattern: PHONE, message: t('cases.new.phoneInvalid') },
            ]}
          >
            <Input maxLength={11} inputMode="tel" autoComplete="off" data-testid="intake-reporter-phone" />
          </Form.Item>
        </div>
        <Form.Item name="callbackWanted" label={t('cases.field.callbackWanted')} valuePropName="checked">
          <Switch data-testid="intake-callback" />
        </Form.Item>
        <Form.Item label={t('cases.form.photos')}>
          <PhotoPicker
            queue={queue}
            disabled={saving || (created !== null && !failedPhotos)}
            testId="intake-photos"
          />
        </Form.Item>
        {isMobile ? similarPanel : null}
        <div className="intake-submit">
          <Button
            type="primary"
            htmlType="submit"
            size="large"
            block
            loading={saving}
            disabled={created !== null && !failedPhotos}
            data-testid="intake-submit"
          >
            {failedPhotos ? t('cases.photos.retry') : t('cases.new.submit')}
          </Button>
        </div>
      </Form>
    </Card>
  );

  return (
    <Page title={t('cases.new.title')}>
      {isMobile ? (
        formCard
      ) : (
        <div className="intake-layout">
          {formCard}
          <div className="similar-sticky">{similarPanel}</div>
        </div>
      )}
    </Page>
  );
}
