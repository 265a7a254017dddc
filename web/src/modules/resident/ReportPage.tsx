/**
 * 我要反映: a resident reports a matter from the phone — category (two levels), what happened, where (the phone's
 * location finds the grid, or the community or grid picked by name: residents cannot browse areas), photos and
 * whether to call back. Channel online.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  Alert,
  Button,
  Card,
  Divider,
  Form,
  Input,
  InputNumber,
  Radio,
  Result,
  Select,
  Spin,
  Typography,
} from 'antd';
import {
  AimOutlined,
  CheckCircleFilled,
  CopyOutlined,
  EnvironmentOutlined,
  LeftOutlined,
} from '@ant-design/icons';
import { Link } from 'react-router';
import type { Category, CategoryQuestion } from '../../../../common/schemas/categories';
import { isApiError, newUuid, type ApiError } from '../../api';
import { useLocale } from '../../i18n';
import { useMe } from '../../session';
import { ErrorResult } from '../../components/ErrorResult';
import { applyServerErrors } from '../../components/formErrors';
import { categoriesApi } from '../categories/api';
import { residentApi, type CaseDetail, type Place, type ResidentReport } from './api';
import { downscale, PhotoPicker, type PickedPhoto } from './PhotoPicker';
import { PlacePicker } from './PlacePicker';
import './resident.css';

interface FormValues {
  title: string;
  description: string;
  address?: string;
  callbackWanted: boolean;
  answers?: Record<string, string | number | boolean | undefined>;
}

type Located =
  | { state: 'idle' }
  | { state: 'locating' }
  | { state: 'ok'; lat: number; lng: number; accuracy: number }
  | { state: 'denied' | 'unavailable' }
  /** The server found the point in no grid. */
  | { state: 'outside' };

/** The category's name in the reader's language (English names are optional). */
export function categoryName(c: Pick<Category, 'name' | 'nameEn'>, locale: string): string {
  return locale === 'en' && c.nameEn ? c.nameEn : c.name;
}

function questionLabel(q: CategoryQuestion, locale: string): string {
  return locale === 'en' && q.labelEn ? q.labelEn : q.label;
}

/** Two levels of the tree: the top categories and the children of each. */
function twoLevels(items: Category[]): { tops: Category[]; children: Map<string, Category[]> } {
  const ids = new Set(items.map((c) => c.id));
  const tops = items.filter((c) => c.parentId === null || !ids.has(c.parentId));
  const children = new Map<string, Category[]>();
  for (const c of items) {
    if (c.parentId && ids.has(c.parentId)) {
      const list = children.get(c.parentId) ?? [];
      list.push(c);
      children.set(c.parentId, list);
    }
  }
  return { tops, children };
}

function CategoryChooser({
  items,
  value,
  onChange,
}: {
  items: Category[];
  value: Category | null;
  onChange: (c: Category | null) => void;
}) {
  const { t, locale } = useLocale();
  const { tops, children } = useMemo(() => twoLevels(items), [items]);
  const [topId, setTopId] = useState<string | null>(null);

  if (value) {
    const parent = value.parentId ? items.find((c) => c.id === value.parentId) : undefined;
    return (
      <div className="category-chosen" data-testid="report-category-chosen">
        <span>
          {parent ? `${categoryName(parent, locale)} / ` : ''}
          <strong>{categoryName(value, locale)}</strong>
        </span>
        <Button
          onClick={() => {
            onChange(null);
            setTopId(value.parentId && children.has(value.parentId) ? value.parentId : null);
          }}
          data-testid="report-category-change"
        >
          {t('resident.categoryChange')}
        </Button>
      </div>
    );
  }

  const top = topId ? tops.find((c) => c.id === topId) : undefined;
  const list = top ? (children.get(top.id) ?? []) : tops;
  return (
    <div>
      {top ? (
        <Button
          type="link"
          icon={<LeftOutlined />}
          onClick={() => setTopId(null)}
          className="category-back"
          data-testid="report-category-back"
        >
          {categoryName(top, locale)}
        </Button>
      ) : null}
      <div className="choice-grid" role="list">
        {list.map((c) => (
          <button
            key={c.id}
            type="button"
            role="listitem"
            className="choice-button"
            onClick={() => {
              if (!top && (children.get(c.id)?.length ?? 0) > 0) setTopId(c.id);
              else onChange(c);
            }}
            data-testid={`report-category-${c.code}`}
          >
            {categoryName(c, locale)}
          </button>
        ))}
      </div>
    </div>
  );
}

function QuestionField({ q }: { q: CategoryQuestion }) {
  const { t, locale } = useLocale();
  const rules = q.required ? [{ required: true, message: t('resident.required') }] : [];
  const label = questionLabel(q, locale);
  const name = ['answers', q.key];
  const testId = `report-answer-${q.key}`;
  switch (q.type) {
    case 'number':
      return (
        <Form.Item name={name} label={label} rules={rules}>
          <InputNumber style={{ width: '100%' }} data-testid={testId} />
        </Form.Item>
      );
    case 'boolean':
      return (
        <Form.Item name={name} label={label} rules={rules}>
          <Radio.Group optionType="button" buttonStyle="solid" data-testid={testId}>
            <Radio.Button value={true}>{t('resident.yes')}</Radio.Button>
            <Radio.Button value={false}>{t('resident.no')}</Radio.Button>
          </Radio.Group>
        </Form.Item>
      );
    case 'select':
      return (
        <Form.Item name={name} label={label} rules={rules}>
          <Select options={(q.options ?? []).map((o) => ({ value: o, label: o }))} data-testid={testId} />
        </Form.Item>
      );
    default:
      return (
        <Form.Item name={name} label={label} rules={rules}>
          <Input maxLength={1000} data-testid={testId} />
        </Form.Item>
      );
  }
}

function LocationField({ located, onLocate }: { located: Located; onLocate: () => void }) {
  const { t } = useLocale();
  return (
    <div className="location-field" data-testid="report-location">
      <Button
        size="large"
        block
        icon={located.state === 'ok' ? <CheckCircleFilled /> : <AimOutlined />}
        type={located.state === 'ok' ? 'default' : 'primary'}
        ghost={located.state !== 'ok'}
        loading={located.state === 'locating'}
        onClick={onLocate}
        data-testid="report-locate"
        className="big-button"
      >
        {located.state === 'ok' ? t('resident.locateAgain') : t('resident.locate')}
      </Button>
      {located.state === 'ok' ? (
        <Typography.Text type="success" className="location-ok" data-testid="report-located">
          <EnvironmentOutlined /> {t('resident.located', { accuracy: Math.round(located.accuracy) })}
        </Typography.Text>
      ) : null}
      {located.state === 'outside' ? (
        <Alert
          type="warning"
          showIcon
          title={t('resident.outsideGrids')}
          data-testid="report-location-outside"
        />
      ) : null}
      {located.state === 'denied' || located.state === 'unavailable' ? (
        <Alert
          type="warning"
          showIcon
          title={
            located.state === 'denied' ? t('resident.locationDenied') : t('resident.locationUnavailable')
          }
          description={t('resident.locationHelp')}
          data-testid="report-location-error"
        />
      ) : null}
    </div>
  );
}

interface Submitted {
  created: CaseDetail;
  failed: PickedPhoto[];
}

function Confirmation({
  submitted,
  onRetry,
  retrying,
  onAnother,
}: {
  submitted: Submitted;
  onRetry: () => void;
  retrying: boolean;
  onAnother: () => void;
}) {
  const { t } = useLocale();
  const { created, failed } = submitted;
  return (
    <div className="page resident-page">
      <Card>
        <Result
          status="success"
          title={t('resident.submitted')}
          subTitle={<span data-testid="report-done">{t('resident.submittedHint')}</span>}
        >
          <div className="case-number-box">
            <Typography.Text type="secondary">{t('resident.caseNumber')}</Typography.Text>
            <Typography.Text
              strong
              className="case-number mono"
              copyable={{ icon: <CopyOutlined />, tooltips: [t('common.copy'), t('common.copied')] }}
              data-testid="report-number"
            >
              {created.number}
            </Typography.Text>
            <Typography.Paragraph className="case-number-hint">
              {t('resident.rememberNumber')}{' '}
              <Link to={`/track?number=${created.number}`}>{t('resident.trackLink')}</Link>
            </Typography.Paragraph>
          </div>
          {failed.length > 0 ? (
            <Alert
              type="warning"
              showIcon
              title={t('resident.photosFailed', { n: failed.length })}
              action={
                <Button onClick={onRetry} loading={retrying} data-testid="report-photos-retry">
                  {t('common.retry')}
                </Button>
              }
              data-testid="report-photos-failed"
            />
          ) : null}
          <div className="confirm-actions">
            <Link to={`/my-cases/${created.id}`}>
              <Button type="primary" size="large" block data-testid="report-open-case">
                {t('resident.viewCase')}
              </Button>
            </Link>
            <Button size="large" block onClick={onAnother} data-testid="report-another">
              {t('resident.reportAnother')}
            </Button>
          </div>
        </Result>
      </Card>
    </div>
  );
}

export default function ReportPage() {
  const { t, locale } = useLocale();
  const me = useMe();
  const [form] = Form.useForm<FormValues>();
  const [categories, setCategories] = useState<Category[] | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [category, setCategory] = useState<Category | null>(null);
  const [categoryMissing, setCategoryMissing] = useState(false);
  const [located, setLocated] = useState<Located>({ state: 'idle' });
  const [locationMissing, setLocationMissing] = useState(false);
  // The community or grid picked by name: sent as areaCode instead of a point.
  const [place, setPlace] = useState<Place | null>(null);
  const [pickerOpen, setPickerOpen] = useState(false);
  const [photos, setPhotos] = useState<PickedPhoto[]>([]);
  const [submitting, setSubmitting] = useState(false);
  const [progress, setProgress] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [submitted, setSubmitted] = useState<Submitted | null>(null);
  const [retrying, setRetrying] = useState(false);
  // One key per report: a retried submission after a network error is not a second case.
  const idemKey = useRef(newUuid());

  const load = useCallback((signal?: AbortSignal) => {
    setLoadError(null);
    setCategories(null);
    categoriesApi
      .list(false, signal)
      .then((r) => setCategories(r.items.filter((c) => c.active)))
      .catch((e: unknown) => {
        if (isApiError(e)) setLoadError(e);
      });
  }, []);
  useEffect(() => {
    const ac = new AbortController();
    load(ac.signal);
    return () => ac.abort();
  }, [load]);

  const locate = () => {
    if (!('geolocation' in navigator)) {
      setLocated({ state: 'unavailable' });
      return;
    }
    setLocated({ state: 'locating' });
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        setLocationMissing(false);
        // The newest choice wins: a fresh location replaces a picked place.
        setPlace(null);
        setLocated({
          state: 'ok',
          lat: Number(pos.coords.latitude.toFixed(6)),
          lng: Number(pos.coords.longitude.toFixed(6)),
          accuracy: pos.coords.accuracy,
        });
      },
      (err) => {
        setLocated({ state: err.code === err.PERMISSION_DENIED ? 'denied' : 'unavailable' });
        setPickerOpen(true);
      },
      // A fresh fix: the point decides the grid, and a cached one may be from before the walk to the spot (when no
      // fix comes, the community search is right below).
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 0 },
    );
  };

  const upload = async (caseId: string, list: PickedPhoto[]): Promise<PickedPhoto[]> => {
    const failed: PickedPhoto[] = [];
    for (const [i, p] of list.entries()) {
      setProgress(t('resident.uploading', { i: i + 1, n: list.length }));
      try {
        await residentApi.uploadPhoto(caseId, await downscale(p.file), {
          csrfToken: me.csrfToken,
          locale,
          fallbackMessage: t('common.networkError'),
        });
      } catch {
        failed.push(p);
      }
    }
    setProgress(null);
    return failed;
  };

  const onFinish = async (v: FormValues) => {
    const missingCategory = !category;
    const missingLocation = located.state !== 'ok' && !place;
    setCategoryMissing(missingCategory);
    setLocationMissing(missingLocation);
    if (!category || missingLocation) return;
    setSubmitting(true);
    setError(null);
    const answers = Object.fromEntries(
      Object.entries(v.answers ?? {}).filter(
        (e): e is [string, string | number | boolean] => e[1] !== undefined && e[1] !== '',
      ),
    );
    const body: ResidentReport = {
      channel: 'online',
      categoryId: category.id,
      title: v.title.trim(),
      description: v.description.trim(),
      ...(place
        ? { areaCode: place.code }
        : located.state === 'ok'
          ? { lat: located.lat, lng: located.lng }
          : {}),
      callbackWanted: v.callbackWanted,
      ...(v.address?.trim() ? { address: v.address.trim() } : {}),
      ...(Object.keys(answers).length ? { answers } : {}),
    };
    try {
      setProgress(t('resident.sending'));
      const created = await residentApi.create(body, idemKey.current);
      const failed = await upload(created.id, photos);
      idemKey.current = newUuid();
      setSubmitted({ created, failed });
      window.scrollTo({ top: 0 });
    } catch (e) {
      setProgress(null);
      if (!isApiError(e)) throw e;
      // A refusal is a remembered answer to this key: the corrected report needs a key of its own. A network failure
      // (0), a server error or a first try still running keeps it, so a retry cannot make a second case.
      if (e.status >= 400 && e.status < 500 && e.code !== 'idempotency.in_flight')
        idemKey.current = newUuid();
      applyServerErrors(form, e, ['title', 'description', 'address']);
      if (e.details.some((d) => d.field === 'body.lat' || d.field === 'body.lng')) {
        // The point lies in no grid: choosing the community is the way on.
        setLocated({ state: 'outside' });
        setPickerOpen(true);
      }
      setError(e);
    } finally {
      setSubmitting(false);
    }
  };

  const reset = () => {
    form.resetFields();
    setCategory(null);
    setPhotos([]);
    setSubmitted(null);
    setError(null);
  };

  if (submitted) {
    return (
      <Confirmation
        submitted={submitted}
        retrying={retrying}
        onAnother={reset}
        onRetry={() => {
          setRetrying(true);
          void upload(submitted.created.id, submitted.failed)
            .then((failed) => setSubmitted({ ...submitted, failed }))
            .finally(() => setRetrying(false));
        }}
      />
    );
  }

  if (loadError) return <ErrorResult error={loadError} onRetry={() => load()} />;

  const locationError = error?.details.some((d) => d.field === 'body.lat' || d.field === 'body.lng');

  return (
    <div className="page resident-page" data-testid="report-page">
      <Typography.Title level={3} className="resident-title">
        {t('resident.reportTitle')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('resident.reportIntro')}</Typography.Paragraph>
      <Form<FormValues>
        form={form}
        layout="vertical"
        size="large"
        requiredMark={false}
        initialValues={{ callbackWanted: false }}
        onFinish={onFinish}
        onFinishFailed={() => {
          setCategoryMissing(!category);
          setLocationMissing(located.state !== 'ok' && !place);
        }}
        scrollToFirstError
        data-testid="report-form"
      >
        <Card
          className="resident-card"
          title={<span className="step-title">1. {t('resident.whatKind')}</span>}
        >
          {categories === null ? (
            <div className="page-loading small">
              <Spin />
            </div>
          ) : categories.length === 0 ? (
            <Alert type="info" showIcon title={t('resident.noCategories')} />
          ) : (
            <CategoryChooser
              items={categories}
              value={category}
              onChange={(c) => {
                setCategory(c);
                if (c) setCategoryMissing(false);
              }}
            />
          )}
          {categoryMissing ? (
            <Typography.Text type="danger" data-testid="report-category-missing">
              {t('resident.categoryRequired')}
            </Typography.Text>
          ) : null}
        </Card>

        <Card
          className="resident-card"
          title={<span className="step-title">2. {t('resident.whatHappened')}</span>}
        >
          <Form.Item
            name="title"
            label={t('resident.titleLabel')}
            extra={t('resident.titleHint')}
            rules={[{ required: true, whitespace: true, message: t('resident.titleRequired') }]}
          >
            <Input maxLength={100} data-testid="report-title" />
          </Form.Item>
          <Form.Item
            name="description"
            label={t('resident.descriptionLabel')}
            rules={[{ required: true, whitespace: true, message: t('resident.descriptionRequired') }]}
          >
            <Input.TextArea
              rows={4}
              maxLength={4000}
              showCount
              placeholder={t('resident.descriptionHint')}
              data-testid="report-description"
            />
          </Form.Item>
          {(category?.questions ?? []).map((q) => (
            <QuestionField key={q.key} q={q} />
          ))}
        </Card>

        <Card className="resident-card" title={<span className="step-title">3. {t('resident.where')}</span>}>
          <Typography.Paragraph type="secondary">{t('resident.whereHint')}</Typography.Paragraph>
          <LocationField located={located} onLocate={locate} />
          <Divider plain className="place-or">
            {t('resident.or')}
          </Divider>
          <PlacePicker
            value={place}
            open={pickerOpen}
            onOpen={() => setPickerOpen(true)}
            onChange={(p) => {
              setPlace(p);
              if (p) {
                setLocationMissing(false);
                setError(null);
                // The newest choice wins: a picked place replaces the phone's location.
                setLocated({ state: 'idle' });
              }
            }}
            prompt={
              located.state === 'outside'
                ? t('resident.outsidePick')
                : located.state === 'denied' || located.state === 'unavailable'
                  ? t('resident.noLocationPick')
                  : undefined
            }
          />
          {locationMissing ? (
            <Typography.Text type="danger" data-testid="report-location-missing">
              {t('resident.locationRequired')}
            </Typography.Text>
          ) : null}
          <Form.Item name="address" label={t('resident.addressLabel')} className="address-item">
            <Input maxLength={200} placeholder={t('resident.addressHint')} data-testid="report-address" />
          </Form.Item>
        </Card>

        <Card className="resident-card" title={<span className="step-title">4. {t('resident.photos')}</span>}>
          <Typography.Paragraph type="secondary">{t('resident.photosHint')}</Typography.Paragraph>
          <PhotoPicker value={photos} onChange={setPhotos} disabled={submitting} />
        </Card>

        <Card
          className="resident-card"
          title={<span className="step-title">5. {t('resident.callback')}</span>}
        >
          <Form.Item name="callbackWanted" noStyle>
            <Radio.Group
              optionType="button"
              buttonStyle="solid"
              className="yes-no"
              data-testid="report-callback"
            >
              <Radio.Button value={true}>
                <span data-testid="report-callback-yes">{t('resident.callbackYes')}</span>
              </Radio.Button>
              <Radio.Button value={false}>
                <span data-testid="report-callback-no">{t('resident.callbackNo')}</span>
              </Radio.Button>
            </Radio.Group>
          </Form.Item>
        </Card>

        {error ? (
          <Alert
            type="error"
            showIcon
            className="form-alert"
            title={locationError ? t('resident.outsideGrids') : error.message}
            description={locationError ? t('resident.outsideGridsHelp') : undefined}
            data-testid="report-error"
          />
        ) : null}
        <Button
          type="primary"
          htmlType="submit"
          size="large"
          block
          loading={submitting}
          className="big-button submit-button"
          data-testid="report-submit"
        >
          {progress ?? t('resident.submit')}
        </Button>
      </Form>
    </div>
  );
}
