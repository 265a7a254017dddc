/**
 * The focus-group tag tree for the system administrator (重点人群标签, /tags): create, edit and deactivate tags, their
 * sensitivity, detail fields and the roles that see them. The administrator manages the tree only; it never sees the
 * residents holding a tag.
 */
import { useEffect, useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Form,
  Input,
  InputNumber,
  List,
  Modal,
  Select,
  Skeleton,
  Space,
  Switch,
  Tag as AntTag,
} from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import {
  TAG_FIELD_TYPES,
  TAG_ROLES,
  TAG_SENSITIVITIES,
  type TagField,
  type TagRole,
  type TagSensitivity,
} from '../../../../common/schemas/tags';
import type { MessageKey } from '../../../../common/i18n';
import { isApiError, newUuid, type ApiError } from '../../api';
import { roleName, useLocale } from '../../i18n';
import { Page } from '../../components/Page';
import { ErrorResult } from '../../components/ErrorResult';
import { tagName, tagsApi, type Tag } from './api';
import { SENSITIVITY_COLOURS, sensitivityLabel } from './ResidentTags';
import './tags.css';

const typeKey = (x: string) => `tags.fieldType.${x}` as MessageKey;

export default function TagsAdminPage() {
  const { t, locale } = useLocale();
  const [tags, setTags] = useState<Tag[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [reload, setReload] = useState(0);
  const [editing, setEditing] = useState<Tag | 'new' | null>(null);

  useEffect(() => {
    const ac = new AbortController();
    setError(null);
    tagsApi
      .tree(true, ac.signal)
      .then((r) => setTags(r.items))
      .catch((e: unknown) => {
        if (isApiError(e)) setError(e);
      });
    return () => ac.abort();
  }, [reload]);

  if (error) return <ErrorResult error={error} onRetry={() => setReload((n) => n + 1)} />;
  if (!tags) return <Skeleton active />;
  const depth = new Map<string, number>();
  for (const x of tags) depth.set(x.id, x.parentId && depth.has(x.parentId) ? depth.get(x.parentId)! + 1 : 0);

  return (
    <Page
      title={t('tags.admin.title')}
      extra={
        <Button
          type="primary"
          icon={<PlusOutlined />}
          onClick={() => setEditing('new')}
          data-testid="tag-new"
        >
          {t('tags.admin.create')}
        </Button>
      }
    >
      <Alert type="info" showIcon title={t('tags.admin.hint')} className="people-section" />
      <Card className="people-section">
        <List
          dataSource={tags}
          renderItem={(x) => (
            <List.Item
              data-testid={`tag-${x.code}`}
              actions={[
                <Button key="edit" size="small" onClick={() => setEditing(x)}>
                  {t('common.edit')}
                </Button>,
              ]}
            >
              <div className="tags-item" style={{ paddingInlineStart: (depth.get(x.id) ?? 0) * 18 }}>
                <Space wrap size={6}>
                  <span className="tags-item-name">{tagName(x, locale)}</span>
                  <AntTag color={SENSITIVITY_COLOURS[x.sensitivity]}>
                    {sensitivityLabel(t, x.sensitivity)}
                  </AntTag>
                  {!x.active ? <AntTag>{t('tags.admin.inactive')}</AntTag> : null}
                </Space>
                <Space wrap size={[8, 2]}>
                  <code>{x.code}</code>
                  <span>
                    {x.visibleRoles.map((r) => roleName(r, locale)).join('、') || t('tags.admin.nobody')}
                  </span>
                  {x.fields.length ? <span>{t('tags.admin.fieldCount', { n: x.fields.length })}</span> : null}
                </Space>
              </div>
            </List.Item>
          )}
        />
      </Card>
      {editing ? (
        <TagModal
          tag={editing === 'new' ? null : editing}
          tags={tags}
          onClose={() => setEditing(null)}
          onDone={() => {
            setEditing(null);
            setReload((n) => n + 1);
          }}
        />
      ) : null}
    </Page>
  );
}

type FieldForm = Omit<TagField, 'options'> & { options?: string[] };
type Values = {
  code: string;
  parentId?: string | null;
  name: string;
  nameEn?: string;
  sensitivity: TagSensitivity;
  visibleRoles: TagRole[];
  active: boolean;
  sort?: number;
  fields: FieldForm[];
};

function TagModal({
  tag,
  tags,
  onClose,
  onDone,
}: {
  tag: Tag | null;
  tags: Tag[];
  onClose: () => void;
  onDone: () => void;
}) {
  const { t, locale } = useLocale();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [idemKey] = useState(newUuid);

  const submit = async (v: Values) => {
    setBusy(true);
    setError(null);
    const fields: TagField[] = (v.fields ?? []).map((f) => ({
      key: f.key,
      label: f.label,
      ...(f.labelEn ? { labelEn: f.labelEn } : {}),
      type: f.type,
      required: !!f.required,
      ...(f.type === 'select' ? { options: f.options ?? [] } : {}),
      ...(f.type === 'number' && f.min !== undefined && f.min !== null ? { min: f.min } : {}),
      ...(f.type === 'number' && f.max !== undefined && f.max !== null ? { max: f.max } : {}),
      ...(f.type === 'number' && f.integer ? { integer: true } : {}),
    }));
    const common = {
      parentId: v.parentId ?? null,
      name: v.name,
      nameEn: v.nameEn?.trim() ? v.nameEn.trim() : null,
      sensitivity: v.sensitivity,
      visibleRoles: v.visibleRoles,
      active: v.active,
      sort: v.sort ?? 0,
      fields,
    };
    try {
      if (tag) await tagsApi.update(tag.id, { ...common, version: tag.version });
      else await tagsApi.create({ code: v.code.trim(), ...common }, idemKey);
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
      width={640}
      title={tag ? t('tags.admin.edit', { name: tag.name }) : t('tags.admin.create')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      confirmLoading={busy}
      destroyOnHidden
    >
      {error ? (
        <Alert
          type="error"
          showIcon
          title={error.details.map((d) => d.message ?? d.rule).join('；') || error.message}
          className="form-alert"
        />
      ) : null}
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={
          tag
            ? {
                ...tag,
                nameEn: tag.nameEn ?? '',
                fields: tag.fields as FieldForm[],
              }
            : { sensitivity: 'normal', visibleRoles: [...TAG_ROLES], active: true, fields: [] }
        }
        onValuesChange={(changed: Partial<Values>) => {
          // A new sensitivity brings its default audience; the administrator may widen it afterwards.
          if (changed.sensitivity)
            form.setFieldValue(
              'visibleRoles',
              changed.sensitivity === 'restricted' ? ['leader', 'street_staff'] : [...TAG_ROLES],
            );
        }}
      >
        <Form.Item
          name="code"
          label={t('tags.admin.code')}
          rules={[{ required: !tag, message: t('tags.required') }]}
        >
          <Input disabled={!!tag} placeholder="elderly.alone" />
        </Form.Item>
        <Form.Item name="parentId" label={t('tags.admin.parent')}>
          <Select
            allowClear
            options={tags
              .filter((x) => x.id !== tag?.id)
              .map((x) => ({ value: x.id, label: tagName(x, locale) }))}
          />
        </Form.Item>
        <Form.Item
          name="name"
          label={t('tags.admin.name')}
          rules={[{ required: true, message: t('tags.required') }]}
        >
          <Input maxLength={40} />
        </Form.Item>
        <Form.Item name="nameEn" label={t('tags.admin.nameEn')}>
          <Input maxLength={80} />
        </Form.Item>
        <Form.Item
          name="sensitivity"
          label={t('tags.admin.sensitivity')}
          extra={t('tags.admin.sensitivityHint')}
        >
          <Select options={TAG_SENSITIVITIES.map((s) => ({ value: s, label: sensitivityLabel(t, s) }))} />
        </Form.Item>
        <Form.Item name="visibleRoles" label={t('tags.admin.visibleRoles')}>
          <Checkbox.Group options={TAG_ROLES.map((r) => ({ value: r, label: roleName(r, locale) }))} />
        </Form.Item>
        <Space wrap size={24}>
          <Form.Item name="active" label={t('tags.admin.active')} valuePropName="checked">
            <Switch />
          </Form.Item>
          <Form.Item name="sort" label={t('tags.admin.sort')}>
            <InputNumber min={0} max={100000} />
          </Form.Item>
        </Space>
        <Form.List name="fields">
          {(items, { add, remove }) => (
            <Card size="small" title={t('tags.admin.fields')}>
              {items.map((item) => (
                <FieldRow key={item.key} name={item.name} onRemove={() => remove(item.name)} />
              ))}
              <Button icon={<PlusOutlined />} onClick={() => add({ type: 'text', required: false })}>
                {t('tags.admin.addField')}
              </Button>
            </Card>
          )}
        </Form.List>
      </Form>
    </Modal>
  );
}

function FieldRow({ name, onRemove }: { name: number; onRemove: () => void }) {
  const { t } = useLocale();
  const type = Form.useWatch(['fields', name, 'type']) as string | undefined;
  return (
    <div className="people-section" style={{ borderBottom: '1px dashed #ddd', paddingBottom: 8 }}>
      <Space wrap align="start">
        <Form.Item
          name={[name, 'key']}
          label={t('tags.admin.fieldKey')}
          rules={[{ required: true, message: t('tags.required') }]}
        >
          <Input style={{ width: 120 }} placeholder="riskLevel" />
        </Form.Item>
        <Form.Item
          name={[name, 'label']}
          label={t('tags.admin.fieldLabel')}
          rules={[{ required: true, message: t('tags.required') }]}
        >
          <Input style={{ width: 140 }} maxLength={40} />
        </Form.Item>
        <Form.Item name={[name, 'type']} label={t('tags.admin.fieldType')}>
          <Select
            style={{ width: 110 }}
            options={TAG_FIELD_TYPES.map((x) => ({ value: x, label: t(typeKey(x)) }))}
          />
        </Form.Item>
        <Form.Item name={[name, 'required']} label={t('tags.admin.fieldRequired')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Button
          type="text"
          danger
          icon={<MinusCircleOutlined />}
          onClick={onRemove}
          aria-label={t('common.delete')}
        />
      </Space>
      {type === 'select' ? (
        <Form.Item
          name={[name, 'options']}
          label={t('tags.admin.fieldOptions')}
          rules={[{ required: true, message: t('tags.required') }]}
        >
          <Select mode="tags" tokenSeparators={[',', '，', '、']} />
        </Form.Item>
      ) : null}
      {type === 'number' ? (
        <Space wrap>
          <Form.Item name={[name, 'min']} label={t('tags.admin.fieldMin')}>
            <InputNumber />
          </Form.Item>
          <Form.Item name={[name, 'max']} label={t('tags.admin.fieldMax')}>
            <InputNumber />
          </Form.Item>
          <Form.Item name={[name, 'integer']} label={t('tags.admin.fieldInteger')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Space>
      ) : null}
    </div>
  );
}
