/**
 * The focus-group tags of a resident (重点人群标签) on the resident card: the tags the reader may see with their
 * details, the history on request, and — for those who may change the resident — adding a tag with a form generated
 * from the tag's field definitions, and ending one. The server decides what is shown: a tag the reader may not see
 * never reaches this page.
 */
import { useEffect, useMemo, useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Descriptions,
  Form,
  Input,
  InputNumber,
  List,
  Modal,
  Select,
  Space,
  Switch,
  Tag as AntTag,
} from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import { isApiError, type ApiError } from '../../api';
import { useLocale } from '../../i18n';
import {
  fieldLabel,
  tagName,
  tagsApi,
  type ResidentTag,
  type Tag,
  type TagDetails,
  type TagField,
} from './api';
import './tags.css';

type T = ReturnType<typeof useLocale>['t'];

/** Colours of the sensitivity badge. */
export const SENSITIVITY_COLOURS: Record<string, string> = {
  normal: 'blue',
  sensitive: 'orange',
  restricted: 'red',
};

/** The sensitivity's name. */
export function sensitivityLabel(t: T, s: string): string {
  return s === 'restricted'
    ? t('tags.sensitivity.restricted')
    : s === 'sensitive'
      ? t('tags.sensitivity.sensitive')
      : t('tags.sensitivity.normal');
}

export function ResidentTags({ residentId, alive }: { residentId: string; alive: boolean }) {
  const { t, locale } = useLocale();
  const [items, setItems] = useState<ResidentTag[] | null>(null);
  const [canEdit, setCanEdit] = useState(false);
  const [tree, setTree] = useState<Tag[]>([]);
  const [history, setHistory] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [reload, setReload] = useState(0);
  const [adding, setAdding] = useState(false);
  const [ending, setEnding] = useState<ResidentTag | null>(null);

  useEffect(() => {
    const ac = new AbortController();
    setError(null);
    tagsApi
      .ofResident(residentId, history, ac.signal)
      .then((r) => {
        setItems(r.items);
        setCanEdit(r.canEdit);
      })
      .catch((e: unknown) => {
        if (isApiError(e)) setError(e);
      });
    return () => ac.abort();
  }, [residentId, history, reload]);

  useEffect(() => {
    const ac = new AbortController();
    tagsApi
      .tree(true, ac.signal)
      .then((r) => setTree(r.items))
      .catch(() => undefined);
    return () => ac.abort();
  }, []);

  const byId = useMemo(() => new Map(tree.map((x) => [x.id, x])), [tree]);
  const held = new Set((items ?? []).filter((i) => i.toDate === null).map((i) => i.tagId));

  return (
    <Card
      title={t('tags.resident.title')}
      className="people-section tags-card"
      data-testid="resident-tags"
      extra={
        <Space wrap>
          <Space size={4}>
            <Switch
              size="small"
              checked={history}
              onChange={setHistory}
              aria-label={t('tags.resident.history')}
            />
            <span>{t('tags.resident.history')}</span>
          </Space>
          {canEdit && alive ? (
            <Button icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="add-tag">
              {t('tags.resident.add')}
            </Button>
          ) : null}
        </Space>
      }
    >
      {error ? <Alert type="error" showIcon title={error.message} /> : null}
      <List
        loading={items === null && !error}
        dataSource={items ?? []}
        locale={{ emptyText: t('tags.resident.none') }}
        renderItem={(i) => {
          const def = byId.get(i.tagId);
          const fields = (def?.fields ?? []) as TagField[];
          const shown = Object.entries(i.details);
          return (
            <List.Item
              data-testid={`resident-tag-${i.tagCode}`}
              actions={
                canEdit && i.toDate === null
                  ? [
                      <Button key="end" size="small" onClick={() => setEnding(i)}>
                        {t('tags.resident.end')}
                      </Button>,
                    ]
                  : []
              }
            >
              <div className="tags-item">
                <Space wrap size={6}>
                  <span className="tags-item-name">
                    {tagName({ name: i.tagName, nameEn: i.tagNameEn }, locale)}
                  </span>
                  {i.sensitivity !== 'normal' ? (
                    <AntTag color={SENSITIVITY_COLOURS[i.sensitivity]}>
                      {sensitivityLabel(t, i.sensitivity)}
                    </AntTag>
                  ) : null}
                  {i.toDate ? <AntTag>{t('tags.resident.ended')}</AntTag> : null}
                </Space>
                <div>
                  {i.toDate
                    ? t('people.household.period', { from: i.fromDate, to: i.toDate })
                    : t('people.household.since', { date: i.fromDate })}
                </div>
                {shown.length ? (
                  <Descriptions size="small" column={1} className="tags-details">
                    {shown.map(([k, v]) => {
                      const f = fields.find((x) => x.key === k);
                      return (
                        <Descriptions.Item key={k} label={f ? fieldLabel(f, locale) : k}>
                          {String(v)}
                        </Descriptions.Item>
                      );
                    })}
                  </Descriptions>
                ) : null}
                {i.note ? <div className="tags-note">{i.note}</div> : null}
                {i.endNote ? <div className="tags-note">{i.endNote}</div> : null}
              </div>
            </List.Item>
          );
        }}
      />
      {adding ? (
        <AddTagModal
          residentId={residentId}
          tags={tree.filter((x) => x.active && !held.has(x.id))}
          onClose={() => setAdding(false)}
          onDone={() => {
            setAdding(false);
            setReload((n) => n + 1);
          }}
        />
      ) : null}
      {ending ? (
        <EndTagModal
          residentId={residentId}
          item={ending}
          onClose={() => setEnding(null)}
          onDone={() => {
            setEnding(null);
            setReload((n) => n + 1);
          }}
        />
      ) : null}
    </Card>
  );
}

type FormValues = { tagId?: string; fromDate?: Dayjs; note?: string; details?: Record<string, unknown> };

/** The input for one field definition. */
function FieldInput({ field }: { field: TagField }) {
  if (field.type === 'number')
    return (
      <InputNumber
        style={{ width: '100%' }}
        min={field.min}
        max={field.max}
        precision={field.integer ? 0 : undefined}
      />
    );
  if (field.type === 'date') return <DatePicker style={{ width: '100%' }} />;
  if (field.type === 'select')
    return <Select options={(field.options ?? []).map((o) => ({ value: o, label: o }))} allowClear />;
  return <Input maxLength={200} />;
}

function AddTagModal({
  residentId,
  tags,
  onClose,
  onDone,
}: {
  residentId: string;
  tags: Tag[];
  onClose: () => void;
  onDone: () => void;
}) {
  const { t, locale } = useLocale();
  const { message } = App.useApp();
  const [form] = Form.useForm<FormValues>();
  const tagId = Form.useWatch('tagId', form);
  const tag = tags.find((x) => x.id === tagId);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const submit = async (v: FormValues) => {
    if (!tag) return;
    setBusy(true);
    setError(null);
    const details: TagDetails = {};
    for (const f of tag.fields) {
      const raw = v.details?.[f.key];
      if (raw === undefined || raw === null || raw === '') continue;
      details[f.key] = f.type === 'date' ? (raw as Dayjs).format('YYYY-MM-DD') : (raw as string | number);
    }
    try {
      await tagsApi.add(residentId, {
        tagId: tag.id,
        ...(Object.keys(details).length ? { details } : {}),
        ...(v.fromDate ? { fromDate: v.fromDate.format('YYYY-MM-DD') } : {}),
        ...(v.note?.trim() ? { note: v.note.trim() } : {}),
      });
      void message.success(t('common.saved'));
      onDone();
    } catch (e) {
      if (!isApiError(e)) throw e;
      setError(e);
      // Put each field's message under its input.
      form.setFields(
        e.details
          .filter((d) => d.field.startsWith('body.details.'))
          .map((d) => ({
            name: ['details', d.field.slice('body.details.'.length)],
            errors: [d.message ?? d.rule],
          })),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={t('tags.resident.add')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      confirmLoading={busy}
      destroyOnHidden
    >
      {error ? <Alert type="error" showIcon title={error.message} className="form-alert" /> : null}
      <Form form={form} layout="vertical" onFinish={submit} data-testid="add-tag-form">
        <Form.Item
          name="tagId"
          label={t('tags.resident.tag')}
          rules={[{ required: true, message: t('tags.required') }]}
        >
          <Select
            showSearch
            optionFilterProp="label"
            options={tags.map((x) => ({ value: x.id, label: tagName(x, locale) }))}
          />
        </Form.Item>
        {tag?.sensitivity && tag.sensitivity !== 'normal' ? (
          <Alert type="warning" showIcon title={t('tags.resident.sensitiveHint')} className="form-alert" />
        ) : null}
        {(tag?.fields ?? []).map((f) => (
          <Form.Item
            key={`${tag!.id}-${f.key}`}
            name={['details', f.key]}
            label={fieldLabel(f, locale)}
            rules={f.required ? [{ required: true, message: t('tags.required') }] : []}
          >
            <FieldInput field={f} />
          </Form.Item>
        ))}
        <Form.Item name="fromDate" label={t('tags.resident.fromDate')} extra={t('people.dateHint')}>
          <DatePicker style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="note" label={t('people.resident.note')}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function EndTagModal({
  residentId,
  item,
  onClose,
  onDone,
}: {
  residentId: string;
  item: ResidentTag;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t } = useLocale();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ toDate?: Dayjs; note?: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async (v: { toDate?: Dayjs; note?: string }) => {
    setBusy(true);
    setError(null);
    try {
      await tagsApi.end(residentId, item.id, {
        ...(v.toDate ? { toDate: v.toDate.format('YYYY-MM-DD') } : {}),
        ...(v.note?.trim() ? { note: v.note.trim() } : {}),
      });
      void message.success(t('common.saved'));
      onDone();
    } catch (e) {
      if (!isApiError(e)) throw e;
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={t('tags.resident.endTitle', { name: item.tagName })}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={busy}
      destroyOnHidden
    >
      <Alert type="info" showIcon title={t('tags.resident.endHint')} className="form-alert" />
      {error ? (
        <Alert
          type="error"
          showIcon
          title={error.details[0]?.message ?? error.message}
          className="form-alert"
        />
      ) : null}
      <Form form={form} layout="vertical" onFinish={submit}>
        <Form.Item name="toDate" label={t('tags.resident.toDate')} extra={t('people.dateHint')}>
          <DatePicker style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="note" label={t('people.resident.note')}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
