/** The working-day calendar (system administrators): a year's holidays and 调休 workdays, with add, edit and delete. */
import { useCallback, useEffect, useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Form,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { TableColumnsType } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { isApiError, type ApiError } from '../../api';
import { formatDateTime, useLocale, useT } from '../../i18n';
import { Page } from '../../components/Page';
import { ErrorResult } from '../../components/ErrorResult';
import { applyServerErrors } from '../../components/formErrors';
import { buttonTestId } from '../../components/testId';
import { calendarApi, type CalendarDay, type CalendarYear } from './api';

type Kind = CalendarDay['kind'];

/** The calendar's own year in China (UTC+8), whatever the browser's time zone. */
function chinaYearNow(): number {
  return new Date(Date.now() + 8 * 3600_000).getUTCFullYear();
}

/** The weekday of a YYYY-MM-DD date in the UI language. */
function weekdayName(day: string, locale: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString(locale === 'en' ? 'en-GB' : locale, {
    weekday: 'short',
    timeZone: 'UTC',
  });
}

interface DayValues {
  day: Dayjs | null;
  kind: Kind;
  name: string;
}

function DayFormModal({
  open,
  entry,
  year,
  onClose,
  onSaved,
}: {
  open: boolean;
  /** The entry being edited, or null to add one. */
  entry: CalendarDay | null;
  year: number;
  onClose: () => void;
  onSaved: () => void;
}) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<DayValues>();
  const [error, setError] = useState<ApiError | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (!open) return;
    setError(null);
    form.resetFields();
    form.setFieldsValue(
      entry
        ? { day: dayjs(entry.day), kind: entry.kind, name: entry.name }
        : { day: null, kind: 'holiday', name: '' },
    );
  }, [open, entry, form]);

  const onFinish = async (v: DayValues) => {
    if (!v.day) return;
    setSaving(true);
    setError(null);
    try {
      await calendarApi.put(v.day.format('YYYY-MM-DD'), { kind: v.kind, name: v.name.trim() });
      void message.success(t('common.saved'));
      onSaved();
    } catch (e) {
      if (!isApiError(e)) throw e;
      if (!applyServerErrors(form, e, ['day', 'kind', 'name'])) setError(e);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open={open}
      title={entry ? t('calendar.editTitle', { day: entry.day }) : t('calendar.addTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      okButtonProps={buttonTestId('calendar-submit')}
      destroyOnHidden
      forceRender
    >
      {error ? (
        <Alert
          type="error"
          showIcon
          title={error.message}
          className="form-alert"
          data-testid="calendar-error"
        />
      ) : null}
      <Form<DayValues> form={form} layout="vertical" onFinish={onFinish} data-testid="calendar-form">
        <Form.Item
          name="day"
          label={t('calendar.day')}
          rules={[{ required: true, message: t('calendar.dayRequired') }]}
        >
          <DatePicker
            disabled={entry !== null}
            defaultPickerValue={dayjs(`${year}-01-01`)}
            format="YYYY-MM-DD"
            data-testid="calendar-day"
          />
        </Form.Item>
        <Form.Item
          name="kind"
          label={t('calendar.kind')}
          extra={t('calendar.kindHint')}
          rules={[{ required: true }]}
        >
          <Select<Kind>
            options={[
              { value: 'holiday', label: t('calendar.kind.holiday') },
              { value: 'workday', label: t('calendar.kind.workday') },
            ]}
            style={{ maxWidth: 240 }}
            data-testid="calendar-kind"
          />
        </Form.Item>
        <Form.Item
          name="name"
          label={t('calendar.name')}
          rules={[{ required: true, whitespace: true, max: 40, message: t('calendar.nameRequired') }]}
        >
          <Input maxLength={40} placeholder={t('calendar.namePlaceholder')} data-testid="calendar-name" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/**
 * "N working days from then": what the server computes for cases, to check the calendar against. Asked again
 * whenever the calendar reloads, so a day just marked shows its effect at once.
 */
function DeadlinePreview({ calendar }: { calendar: CalendarYear | null }) {
  const { t, locale } = useLocale();
  const [from, setFrom] = useState<Dayjs | null>(null);
  const [days, setDays] = useState<number | null>(3);
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setResult(null);
    setError(null);
    if (!from || days === null) return;
    const ac = new AbortController();
    calendarApi
      .deadline(from.toISOString(), days, ac.signal)
      .then((r) => setResult(r.dueAt))
      .catch((e: unknown) => {
        if (isApiError(e)) setError(e.details[0]?.message ?? e.message);
      });
    return () => ac.abort();
  }, [from, days, calendar]);

  return (
    <Card size="small" title={t('calendar.preview')} className="calendar-preview">
      <Space wrap>
        <DatePicker showTime value={from} onChange={setFrom} data-testid="calendar-preview-from" />
        <InputNumber
          min={0}
          max={60}
          precision={0}
          value={days}
          onChange={(v) => setDays(v)}
          suffix={t('calendar.previewDays')}
          data-testid="calendar-preview-days"
        />
        {result ? (
          <Typography.Text strong data-testid="calendar-preview-result">
            {t('calendar.previewDue', { due: formatDateTime(result, locale) })}
          </Typography.Text>
        ) : null}
        {error ? <Typography.Text type="danger">{error}</Typography.Text> : null}
      </Space>
    </Card>
  );
}

export default function CalendarPage() {
  const { t, locale } = useLocale();
  const { message } = App.useApp();
  const [year, setYear] = useState(chinaYearNow);
  const [data, setData] = useState<CalendarYear | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);
  const [editing, setEditing] = useState<{ entry: CalendarDay | null } | null>(null);

  const load = useCallback(
    (signal?: AbortSignal) => {
      setLoading(true);
      setError(null);
      calendarApi
        .year(year, signal)
        .then(setData)
        .catch((e: unknown) => {
          if (isApiError(e)) setError(e);
        })
        .finally(() => setLoading(false));
    },
    [year],
  );

  useEffect(() => {
    const ac = new AbortController();
    load(ac.signal);
    return () => ac.abort();
  }, [load]);

  const remove = async (d: CalendarDay) => {
    try {
      await calendarApi.remove(d.day);
      void message.success(t('calendar.deleted'));
      load();
    } catch (e) {
      if (!isApiError(e)) throw e;
      void message.error(e.message);
    }
  };

  if (error && !data) return <ErrorResult error={error} onRetry={() => load()} />;

  const now = chinaYearNow();
  const years = [now - 2, now - 1, now, now + 1, now + 2];

  const columns: TableColumnsType<CalendarDay> = [
    { title: t('calendar.day'), dataIndex: 'day', render: (v: string) => <span className="mono">{v}</span> },
    { title: t('calendar.weekday'), key: 'weekday', render: (_v, d) => weekdayName(d.day, locale) },
    {
      title: t('calendar.kind'),
      dataIndex: 'kind',
      render: (v: Kind) => (
        <Tag color={v === 'holiday' ? 'red' : 'blue'}>
          {t(v === 'holiday' ? 'calendar.kind.holiday' : 'calendar.kind.workday')}
        </Tag>
      ),
    },
    { title: t('calendar.name'), dataIndex: 'name' },
    {
      title: t('common.actions'),
      key: 'actions',
      fixed: 'right',
      render: (_v, d) => (
        <Space>
          <Button
            size="small"
            onClick={() => setEditing({ entry: d })}
            data-testid={`calendar-edit-${d.day}`}
          >
            {t('common.edit')}
          </Button>
          <Popconfirm
            title={t('calendar.deleteConfirm')}
            okText={t('common.delete')}
            cancelText={t('common.cancel')}
            okButtonProps={{ danger: true }}
            onConfirm={() => remove(d)}
          >
            <Button danger size="small" data-testid={`calendar-delete-${d.day}`}>
              {t('common.delete')}
            </Button>
          </Popconfirm>
        </Space>
      ),
    },
  ];

  return (
    <Page
      title={t('calendar.title')}
      extra={
        <Space wrap>
          <Select<number>
            value={year}
            onChange={setYear}
            options={years.map((y) => ({ value: y, label: String(y) }))}
            aria-label={t('calendar.year')}
            data-testid="calendar-year"
          />
          <Button
            icon={<ReloadOutlined />}
            onClick={() => load()}
            loading={loading}
            data-testid="calendar-refresh"
          >
            {t('common.refresh')}
          </Button>
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setEditing({ entry: null })}
            data-testid="calendar-add"
          >
            {t('calendar.add')}
          </Button>
        </Space>
      }
    >
      <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
        <Alert
          type={data && data.days.length === 0 ? 'warning' : 'info'}
          showIcon
          title={data && data.days.length === 0 ? t('calendar.noData', { year }) : t('calendar.checkNotice')}
          data-testid="calendar-notice"
        />
        {data ? (
          <Typography.Text data-testid="calendar-working-days">
            {t('calendar.workingDays', { year: data.year, count: data.workingDays })}
          </Typography.Text>
        ) : null}
        <Table<CalendarDay>
          rowKey="day"
          columns={columns}
          dataSource={data?.days ?? []}
          loading={loading}
          locale={{ emptyText: t('calendar.empty') }}
          pagination={false}
          scroll={{ x: 'max-content' }}
          size="small"
          data-testid="calendar-table"
        />
        <DeadlinePreview calendar={data} />
      </Space>
      <DayFormModal
        open={editing !== null}
        entry={editing?.entry ?? null}
        year={year}
        onClose={() => setEditing(null)}
        onSaved={() => {
          setEditing(null);
          load();
        }}
      />
    </Page>
  );
}
