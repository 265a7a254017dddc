/**
 * 我的走访: the grid worker's due and overdue visits (overdue first) with the grid's counts, and a big "记录走访"
 * button per household that opens the visit form (persons met, situation, needs, photos, follow-up). After saving,
 * the list and the counts are read again. Phone first: cards, large buttons, the form in a full-height drawer.
 */
import { useEffect, useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  DatePicker,
  Drawer,
  Empty,
  Form,
  Input,
  Pagination,
  Segmented,
  Select,
  Skeleton,
  Space,
  Switch,
  Tag,
  Typography,
} from 'antd';
import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { Link } from 'react-router';
import { NEED_CATEGORIES, VISIT_PHOTOS_MAX } from '../../../../common/schemas/visits';
import { isApiError, type ApiError } from '../../api';
import { useLocale } from '../../i18n';
import { useSession } from '../../session';
import { Page } from '../../components/Page';
import { ErrorResult } from '../../components/ErrorResult';
import { useIsMobile } from '../../components/useIsMobile';
import { PhotoPicker, usePhotoQueue } from '../cases/PhotoPicker';
import { peopleApi, type HouseholdCard } from '../people/api';
import { visitsApi, type DueItem, type DueList, type DueStatus, type NeedCategory } from './api';
import './visits.css';

const PAGE = 30;
const STATUS_COLOUR: Record<DueStatus, string> = { overdue: 'red', due_soon: 'orange', ok: 'green' };

export default function MyVisitsPage() {
  const { t } = useLocale();
  const { can } = useSession();
  const [status, setStatus] = useState<DueStatus | 'all'>('all');
  const [page, setPage] = useState(1);
  const [data, setData] = useState<DueList | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [reload, setReload] = useState(0);
  const [visiting, setVisiting] = useState<DueItem | null>(null);

  useEffect(() => {
    const ac = new AbortController();
    setError(null);
    visitsApi
      .due({ ...(status === 'all' ? {} : { status }), limit: PAGE, offset: (page - 1) * PAGE }, ac.signal)
      .then(setData)
      .catch((e: unknown) => {
        if (isApiError(e)) setError(e);
      });
    return () => ac.abort();
  }, [status, page, reload]);

  if (error) return <ErrorResult error={error} onRetry={() => setReload((n) => n + 1)} />;
  const c = data?.counts;
  return (
    <Page title={t('visits.my.title')}>
      <div className="visits-counts" data-testid="visit-counts">
        <div className="visits-count">
          <div className="visits-count-value" data-testid="visit-coverage">
            {c?.onSchedulePercent == null ? '—' : `${c.onSchedulePercent}%`}
          </div>
          <div className="visits-count-label">{t('visits.my.onSchedule')}</div>
        </div>
        <div className="visits-count visits-count-bad">
          <div className="visits-count-value" data-testid="visit-overdue">
            {c?.overdue ?? '—'}
          </div>
          <div className="visits-count-label">{t('visits.status.overdue')}</div>
        </div>
        <div className="visits-count">
          <div className="visits-count-value">{c?.dueSoon ?? '—'}</div>
          <div className="visits-count-label">{t('visits.status.due_soon')}</div>
        </div>
        <div className="visits-count">
          <div className="visits-count-value">{c?.households ?? '—'}</div>
          <div className="visits-count-label">{t('visits.my.households')}</div>
        </div>
      </div>
      <Typography.Paragraph type="secondary" className="visits-figure-hint">
        {t('visits.my.onScheduleHint')}
      </Typography.Paragraph>
      <Segmented
        block
        className="visits-filter"
        value={status}
        onChange={(v) => {
          setStatus(v as DueStatus | 'all');
          setPage(1);
        }}
        options={[
          { value: 'all', label: t('visits.my.all') },
          { value: 'overdue', label: t('visits.status.overdue') },
          { value: 'due_soon', label: t('visits.status.due_soon') },
          { value: 'ok', label: t('visits.status.ok') },
        ]}
      />
      {!data ? (
        <Skeleton active />
      ) : data.items.length === 0 ? (
        <Empty description={t('visits.my.empty')} />
      ) : (
        <>
          {data.items.map((i) => (
            <Card
              key={i.householdId}
              className="visits-due-card"
              data-testid="visit-due-item"
              data-status={i.status}
            >
              <div className="visits-due-head">
                <Link to={`/households/${i.householdId}`} className="visits-due-name">
                  {i.headName ?? t('visits.my.noHead')} · {i.householdNumber}
                </Link>
                <Tag color={STATUS_COLOUR[i.status]}>
                  {i.status === 'overdue'
                    ? t('visits.my.overdueBy', { n: i.daysOverdue })
                    : t('visits.my.dueOn', { day: i.dueOn })}
                </Tag>
              </div>
              <div className="visits-due-meta">
                {i.dwellingLabel ?? i.areaName ?? ''}
                {' · '}
                {t('visits.my.members', { n: i.memberCount })}
              </div>
              <div className="visits-due-meta">
                {i.lastVisitedOn ? t('visits.my.last', { day: i.lastVisitedOn }) : t('visits.my.never')}
                {' · '}
                {t('visits.my.every', { n: i.intervalDays })}
                {i.ruleTagName ? ` (${i.ruleTagName})` : ''}
              </div>
              {can('create', 'Visit') ? (
                <Button
                  type="primary"
                  size="large"
                  block
                  icon={<EditOutlined />}
                  className="visits-record-button"
                  onClick={() => setVisiting(i)}
                  data-testid="visit-record"
                >
                  {t('visits.my.record')}
                </Button>
              ) : null}
            </Card>
          ))}
          <Pagination
            current={page}
            pageSize={PAGE}
            total={data.total}
            onChange={setPage}
            showSizeChanger={false}
            size="small"
          />
        </>
      )}
      <VisitDrawer
        item={visiting}
        onClose={() => setVisiting(null)}
        onSaved={() => {
          setVisiting(null);
          setReload((n) => n + 1);
        }}
      />
    </Page>
  );
}

interface VisitValues {
  visitedOn: Dayjs;
  personsMet: string[];
  situation: string;
  needs?: { category: NeedCategory; text: string }[];
  followUp?: boolean;
}

/** The visit form for one household, in a drawer (full height on a phone). */
export function VisitDrawer({
  item,
  onClose,
  onSaved,
}: {
  item: { householdId: string; householdNumber: string; headName: string | null } | null;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useLocale();
  const mobile = useIsMobile();
  const { message } = App.useApp();
  const [form] = Form.useForm<VisitValues>();
  const [household, setHousehold] = useState<HouseholdCard | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const photos = usePhotoQueue(VISIT_PHOTOS_MAX, (id) => `/api/visits/${encodeURIComponent(id)}/photos`);

  useEffect(() => {
    if (!item) return;
    const ac = new AbortController();
    setHousehold(null);
    setError(null);
    photos.reset();
    form.resetFields();
    peopleApi
      .household(item.householdId, ac.signal)
      .then(setHousehold)
      .catch((e: unknown) => {
        if (isApiError(e)) setError(e);
      });
    return () => ac.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- reset once per household opened
  }, [item?.householdId]);

  const submit = async (v: VisitValues) => {
    if (!item) return;
    setBusy(true);
    setError(null);
    try {
      const visit = await visitsApi.record({
        householdId: item.householdId,
        visitedOn: v.visitedOn.format('YYYY-MM-DD'),
        personsMet: v.personsMet ?? [],
        situation: v.situation,
        needs: (v.needs ?? []).filter((n) => n?.text?.trim()),
        followUp: v.followUp ?? false,
      });
      if (photos.items.length) {
        const up = await photos.uploadAll(visit.id);
        if (up.failed) void message.warning(t('visits.form.photosFailed', { n: up.failed }));
      }
      void message.success(t('visits.form.saved'));
      onSaved();
    } catch (e) {
      if (!isApiError(e)) throw e;
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const members = (household?.members ?? []).filter((m) => !m.toDate);
  return (
    <Drawer
      open={item !== null}
      onClose={onClose}
      title={item ? t('visits.form.title', { name: item.headName ?? item.householdNumber }) : ''}
      placement={mobile ? 'bottom' : 'right'}
      height={mobile ? '100%' : undefined}
      width={mobile ? undefined : 520}
      destroyOnHidden
    >
      {error ? (
        <Alert
          type="error"
          showIcon
          className="visits-error"
          message={error.message}
          description={error.details.map((d) => d.message ?? `${d.field}: ${d.rule}`).join('；')}
          data-testid="visit-error"
        />
      ) : null}
      <Form
        form={form}
        layout="vertical"
        size="large"
        onFinish={(v) => void submit(v)}
        initialValues={{ visitedOn: dayjs(), personsMet: [], needs: [], followUp: false }}
        data-testid="visit-form"
      >
        <Form.Item name="visitedOn" label={t('visits.form.date')} rules={[{ required: true }]}>
          <DatePicker
            style={{ width: '100%' }}
            disabledDate={(d) => d.isAfter(dayjs(), 'day')}
            allowClear={false}
            inputReadOnly
          />
        </Form.Item>
        <Form.Item name="personsMet" label={t('visits.form.persons')}>
          {household ? (
            members.length ? (
              <Checkbox.Group className="visits-persons">
                {members.map((m) => (
                  <Checkbox key={m.id} value={m.id} data-testid="visit-person">
                    {m.name}
                  </Checkbox>
                ))}
              </Checkbox.Group>
            ) : (
              <Typography.Text type="secondary">{t('visits.form.noMembers')}</Typography.Text>
            )
          ) : (
            <Skeleton active paragraph={{ rows: 1 }} title={false} />
          )}
        </Form.Item>
        <Form.Item
          name="situation"
          label={t('visits.form.situation')}
          rules={[{ required: true, whitespace: true, message: t('visits.form.situationRequired') }]}
        >
          <Input.TextArea rows={4} maxLength={2000} showCount data-testid="visit-situation" />
        </Form.Item>
        <Typography.Text strong>{t('visits.form.needs')}</Typography.Text>
        <Form.List name="needs">
          {(fields, { add, remove }) => (
            <div className="visits-needs">
              {fields.map((f) => (
                <div key={f.key} className="visits-need-row">
                  <Form.Item
                    name={[f.name, 'category']}
                    rules={[{ required: true }]}
                    className="visits-need-cat"
                  >
                    <Select
                      placeholder={t('visits.form.needCategory')}
                      options={NEED_CATEGORIES.map((c) => ({ value: c, label: t(`visits.need.${c}`) }))}
                    />
                  </Form.Item>
                  <Form.Item
                    name={[f.name, 'text']}
                    rules={[{ required: true, whitespace: true }]}
                    className="visits-need-text"
                  >
                    <Input maxLength={500} placeholder={t('visits.form.needText')} />
                  </Form.Item>
                  <Button
                    icon={<DeleteOutlined />}
                    aria-label={t('common.delete')}
                    onClick={() => remove(f.name)}
                  />
                </div>
              ))}
              <Button
                icon={<PlusOutlined />}
                onClick={() => add({ category: 'living', text: '' })}
                data-testid="visit-need-add"
              >
                {t('visits.form.addNeed')}
              </Button>
            </div>
          )}
        </Form.List>
        <Form.Item label={t('visits.form.photos')} className="visits-photos">
          <PhotoPicker queue={photos} disabled={busy} testId="visit-photos" />
        </Form.Item>
        <Form.Item name="followUp" label={t('visits.form.followUp')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Space direction="vertical" style={{ width: '100%' }}>
          <Button
            type="primary"
            htmlType="submit"
            block
            size="large"
            loading={busy}
            data-testid="visit-submit"
          >
            {t('visits.form.submit')}
          </Button>
          <Button block size="large" onClick={onClose}>
            {t('common.cancel')}
          </Button>
        </Space>
      </Form>
    </Drawer>
  );
}
