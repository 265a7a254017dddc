/**
 * Case categories and routing (system administrators): the category tree with its matter class, handling level and
 * deadline; add, edit, deactivate; the routing rules with add and delete; and a preview of who would hold a case.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Form,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
  Radio,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  TreeSelect,
  Typography,
} from 'antd';
import type { TableColumnsType } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import type { HandlingLevel, MatterClass } from '../../../../common/schemas/categories';
import type { MessageKey } from '../../../../common/i18n';
import { isApiError, newUuid, type ApiError } from '../../api';
import { useT, type TFunction } from '../../i18n';
import { Page } from '../../components/Page';
import { ErrorResult } from '../../components/ErrorResult';
import { AreaPicker } from '../../components/AreaPicker';
import { applyServerErrors } from '../../components/formErrors';
import { buttonTestId } from '../../components/testId';
import { areasApi, type Department } from '../areas/api';
import { categoriesApi, type Category, type RoutingResolution, type RoutingRule } from './api';

const MATTER_CLASSES: MatterClass[] = ['public', 'community', 'private'];
/** A stable empty list: a fresh [] on every render would re-ask the routing preview each time. */
const NO_CATEGORIES: Category[] = [];
const LEVELS: HandlingLevel[] = ['community', 'street', 'district'];
const MATTER_COLOURS: Record<MatterClass, string> = {
  public: 'volcano',
  community: 'green',
  private: 'blue',
};

const matterKey = (m: MatterClass) => `categories.matterClass.${m}` as MessageKey;
const levelKey = (l: HandlingLevel) => `categories.level.${l}` as MessageKey;

interface TreeRow extends Category {
  children?: TreeRow[];
}

interface PickNode {
  value: string;
  title: string;
  disabled?: boolean;
  children?: PickNode[];
}

/** Nests the flat list (parents first) by parentId. */
function buildTree(items: Category[]): TreeRow[] {
  const byId = new Map<string, TreeRow>();
  const roots: TreeRow[] = [];
  for (const c of items) byId.set(c.id, { ...c });
  for (const c of items) {
    const row = byId.get(c.id)!;
    const parent = c.parentId ? byId.get(c.parentId) : undefined;
    if (parent) (parent.children ??= []).push(row);
    else roots.push(row);
  }
  return roots;
}

function deadlineTag(c: Category, t: TFunction) {
  if (c.urgent && c.deadlineHours !== null)
    return <Tag color="red">{t('categories.hours', { n: c.deadlineHours })}</Tag>;
  if (c.deadlineWorkingDays !== null) return <Tag>{t('categories.days', { n: c.deadlineWorkingDays })}</Tag>;
  return <Typography.Text type="secondary">{t('categories.defaultDeadline')}</Typography.Text>;
}

interface CategoryValues {
  code: string;
  parentId: string | null;
  name: string;
  nameEn: string;
  matterClass: MatterClass;
  handlingLevel: HandlingLevel;
  urgent: boolean;
  deadlineHours: number | null;
  deadlineWorkingDays: number | null;
  sort: number;
}

const CATEGORY_FIELDS = [
  'code',
  'parentId',
  'name',
  'nameEn',
  'matterClass',
  'handlingLevel',
  'urgent',
  'deadlineHours',
  'deadlineWorkingDays',
  'sort',
];

function CategoryFormModal({
  open,
  entry,
  parentId,
  all,
  onClose,
  onSaved,
}: {
  open: boolean;
  /** The category being edited, or null to add one. */
  entry: Category | null;
  /** For a new category: its parent. */
  parentId: string | null;
  all: Category[];
  onClose: () => void;
  onSaved: () => void;
}) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<CategoryValues>();
  const [error, setError] = useState<ApiError | null>(null);
  const [saving, setSaving] = useState(false);
  const [idemKey, setIdemKey] = useState(newUuid);
  const urgent = Form.useWatch('urgent', form);

  useEffect(() => {
    if (!open) return;
    setError(null);
    setIdemKey(newUuid());
    form.resetFields();
    form.setFieldsValue(
      entry
        ? {
            code: entry.code,
            parentId: entry.parentId,
            name: entry.name,
            nameEn: entry.nameEn ?? '',
            matterClass: entry.matterClass,
            handlingLevel: entry.handlingLevel,
            urgent: entry.urgent,
            deadlineHours: entry.deadlineHours,
            deadlineWorkingDays: entry.deadlineWorkingDays,
            sort: entry.sort,
          }
        : {
            code: parentId ? `${all.find((c) => c.id === parentId)?.code ?? ''}.` : '',
            parentId,
            name: '',
            nameEn: '',
            matterClass: 'community',
            handlingLevel: 'community',
            urgent: false,
            deadlineHours: null,
            deadlineWorkingDays: null,
            sort: 0,
          },
    );
  }, [open, entry, parentId, all, form]);

  const parentTree = useMemo(() => {
    const toNode = (r: TreeRow): PickNode => ({
      value: r.id,
      title: r.name,
      disabled: entry !== null && r.id === entry.id,
      children: r.children?.map(toNode),
    });
    return buildTree(all).map(toNode);
  }, [all, entry]);

  const onFinish = async (v: CategoryValues) => {
    setSaving(true);
    setError(null);
    const common = {
      parentId: v.parentId ?? null,
      name: v.name.trim(),
      nameEn: v.nameEn?.trim() ? v.nameEn.trim() : null,
      matterClass: v.matterClass,
      handlingLevel: v.handlingLevel,
      urgent: v.urgent,
      deadlineHours: v.urgent ? (v.deadlineHours ?? null) : null,
      deadlineWorkingDays: v.urgent ? null : (v.deadlineWorkingDays ?? null),
      sort: v.sort ?? 0,
    };
    try {
      if (entry) await categoriesApi.update(entry.id, { ...common, version: entry.version });
      else await categoriesApi.create({ code: v.code.trim(), ...common }, idemKey);
      void message.success(t('common.saved'));
      onSaved();
    } catch (e) {
      if (!isApiError(e)) throw e;
      if (!applyServerErrors(form, e, CATEGORY_FIELDS)) setError(e);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open={open}
      title={entry ? t('categories.editTitle', { name: entry.name }) : t('categories.addTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      okButtonProps={buttonTestId('category-submit')}
      destroyOnHidden
      forceRender
    >
      {error ? (
        <Alert
          type="error"
          showIcon
          title={error.message}
          className="form-alert"
          data-testid="category-error"
        />
      ) : null}
      <Form<CategoryValues> form={form} layout="vertical" onFinish={onFinish} data-testid="category-form">
        <Form.Item
          name="code"
          label={t('categories.code')}
          extra={entry ? undefined : t('categories.codeHint')}
          rules={[{ required: true, whitespace: true, message: t('categories.required') }]}
        >
          <Input disabled={entry !== null} maxLength={64} className="mono" data-testid="category-code" />
        </Form.Item>
        <Form.Item name="parentId" label={t('categories.parent')}>
          <TreeSelect
            allowClear
            treeDefaultExpandAll={false}
            placeholder={t('categories.parentNone')}
            treeData={parentTree}
            data-testid="category-parent"
          />
        </Form.Item>
        <Form.Item
          name="name"
          label={t('categories.name')}
          rules={[{ required: true, whitespace: true, max: 40, message: t('categories.required') }]}
        >
          <Input maxLength={40} data-testid="category-name" />
        </Form.Item>
        <Form.Item name="nameEn" label={t('categories.nameEn')}>
          <Input maxLength={80} data-testid="category-name-en" />
        </Form.Item>
        <Form.Item name="matterClass" label={t('categories.matterClass')} rules={[{ required: true }]}>
          <Radio.Group
            options={MATTER_CLASSES.map((m) => ({ value: m, label: t(matterKey(m)) }))}
            data-testid="category-matter-class"
          />
        </Form.Item>
        <Form.Item name="handlingLevel" label={t('categories.level')} rules={[{ required: true }]}>
          <Radio.Group
            options={LEVELS.map((l) => ({ value: l, label: t(levelKey(l)) }))}
            data-testid="category-level"
          />
        </Form.Item>
        <Form.Item name="urgent" label={t('categories.urgent')} valuePropName="checked">
          <Switch data-testid="category-urgent" />
        </Form.Item>
        {urgent ? (
          <Form.Item
            name="deadlineHours"
            label={t('categories.deadlineHours')}
            rules={[{ required: true, message: t('categories.required') }]}
          >
            <InputNumber min={1} max={720} precision={0} data-testid="category-hours" />
          </Form.Item>
        ) : (
          <Form.Item
            name="deadlineWorkingDays"
            label={t('categories.deadlineDays')}
            extra={t('categories.deadlineDaysHint')}
          >
            <InputNumber min={1} max={60} precision={0} data-testid="category-days" />
          </Form.Item>
        )}
        <Form.Item name="sort" label={t('categories.sort')}>
          <InputNumber min={-100000} max={100000} precision={0} data-testid="category-sort" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

interface RuleValues {
  categoryId: string | null;
  areaCode: string | undefined;
  kind: 'department' | 'level';
  departmentId: string | undefined;
  level: HandlingLevel | undefined;
  priority: number;
}

function RuleFormModal({
  open,
  categories,
  onClose,
  onSaved,
}: {
  open: boolean;
  categories: Category[];
  onClose: () => void;
  onSaved: () => void;
}) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<RuleValues>();
  const [error, setError] = useState<ApiError | null>(null);
  const [saving, setSaving] = useState(false);
  const [idemKey, setIdemKey] = useState(newUuid);
  const [departments, setDepartments] = useState<Department[]>([]);
  const kind = Form.useWatch('kind', form);

  useEffect(() => {
    if (!open) return;
    setError(null);
    setIdemKey(newUuid());
    form.resetFields();
    form.setFieldsValue({ categoryId: null, kind: 'level', level: 'street', priority: 0 });
    areasApi
      .departments()
      .then((r) => setDepartments(r.items))
      .catch(() => setDepartments([]));
  }, [open, form]);

  const categoryTree = useMemo(() => {
    const toNode = (r: TreeRow): PickNode => ({
      value: r.id,
      title: r.name,
      children: r.children?.map(toNode),
    });
    return buildTree(categories).map(toNode);
  }, [categories]);

  const onFinish = async (v: RuleValues) => {
    if (!v.areaCode) return;
    setSaving(true);
    setError(null);
    try {
      await categoriesApi.createRule(
        {
          ...(v.categoryId ? { categoryId: v.categoryId } : {}),
          areaCode: v.areaCode,
          ...(v.kind === 'department' && v.departmentId ? { departmentId: v.departmentId } : {}),
          ...(v.kind === 'level' && v.level ? { level: v.level } : {}),
          priority: v.priority ?? 0,
        },
        idemKey,
      );
      void message.success(t('common.saved'));
      onSaved();
    } catch (e) {
      if (!isApiError(e)) throw e;
      if (!applyServerErrors(form, e, ['categoryId', 'areaCode', 'departmentId', 'level', 'priority']))
        setError(e);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open={open}
      title={t('rules.add')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      okButtonProps={buttonTestId('rule-submit')}
      destroyOnHidden
      forceRender
    >
      {error ? (
        <Alert type="error" showIcon title={error.message} className="form-alert" data-testid="rule-error" />
      ) : null}
      <Form<RuleValues> form={form} layout="vertical" onFinish={onFinish} data-testid="rule-form">
        <Form.Item name="categoryId" label={t('rules.category')}>
          <TreeSelect
            allowClear
            placeholder={t('rules.anyCategory')}
            treeData={categoryTree}
            data-testid="rule-category"
          />
        </Form.Item>
        <Form.Item
          name="areaCode"
          label={t('rules.area')}
          rules={[{ required: true, message: t('categories.required') }]}
        >
          <AreaPicker data-testid="rule-area" />
        </Form.Item>
        <Form.Item name="kind" label={t('rules.targetKind')}>
          <Radio.Group
            options={[
              { value: 'level', label: t('rules.toLevel') },
              { value: 'department', label: t('rules.toDepartment') },
            ]}
            data-testid="rule-kind"
          />
        </Form.Item>
        {kind === 'department' ? (
          <Form.Item
            name="departmentId"
            label={t('rules.department')}
            rules={[{ required: true, message: t('categories.required') }]}
          >
            <Select
              showSearch={{ optionFilterProp: 'label' }}
              options={departments.map((d) => ({ value: d.id, label: `${d.districtName} · ${d.name}` }))}
              data-testid="rule-department"
            />
          </Form.Item>
        ) : (
          <Form.Item
            name="level"
            label={t('categories.level')}
            rules={[{ required: true, message: t('categories.required') }]}
          >
            <Radio.Group
              options={LEVELS.map((l) => ({ value: l, label: t(levelKey(l)) }))}
              data-testid="rule-level"
            />
          </Form.Item>
        )}
        <Form.Item name="priority" label={t('rules.priority')}>
          <InputNumber min={-1000} max={1000} precision={0} data-testid="rule-priority" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/**
 * Who would hold a case of a category at an area: what resolveRouting answers. Asked again whenever the categories
 * or rules reload, so a rule just added or removed shows its effect at once.
 */
function RoutingPreview({ categories, rules }: { categories: Category[]; rules: RoutingRule[] }) {
  const t = useT();
  const [categoryId, setCategoryId] = useState<string | undefined>();
  const [areaCode, setAreaCode] = useState<string | undefined>();
  const [result, setResult] = useState<RoutingResolution | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setResult(null);
    setError(null);
    if (!categoryId || !areaCode) return;
    const ac = new AbortController();
    categoriesApi
      .resolve(categoryId, areaCode, ac.signal)
      .then(setResult)
      .catch((e: unknown) => {
        if (isApiError(e)) setError(e.message);
      });
    return () => ac.abort();
  }, [categoryId, areaCode, categories, rules]);

  const options = categories.map((c) => ({ value: c.id, label: c.name }));
  const holder = result ? (result.departmentName ?? result.holderName ?? result.holderCode) : '';
  return (
    <Card size="small" title={t('rules.preview')}>
      <Space wrap>
        <Select
          style={{ minWidth: 200 }}
          showSearch={{ optionFilterProp: 'label' }}
          placeholder={t('rules.category')}
          value={categoryId}
          onChange={setCategoryId}
          options={options}
          data-testid="preview-category"
        />
        <AreaPicker
          style={{ minWidth: 240 }}
          placeholder={t('rules.area')}
          value={areaCode}
          onChange={setAreaCode}
          data-testid="preview-area"
        />
        {result ? (
          <Typography.Text strong data-testid="preview-result">
            {t('rules.previewResult', { holder })} <Tag>{t(levelKey(result.level))}</Tag>
            <Tag>{t(`rules.source.${result.source}` as MessageKey)}</Tag>
          </Typography.Text>
        ) : null}
        {error ? <Typography.Text type="danger">{error}</Typography.Text> : null}
      </Space>
    </Card>
  );
}

export default function CategoriesPage() {
  const t = useT();
  const { message } = App.useApp();
  const [showInactive, setShowInactive] = useState(false);
  const [items, setItems] = useState<Category[] | null>(null);
  const [rules, setRules] = useState<RoutingRule[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);
  const [editing, setEditing] = useState<{ entry: Category | null; parentId: string | null } | null>(null);
  const [addingRule, setAddingRule] = useState(false);

  const load = useCallback(
    (signal?: AbortSignal) => {
      setLoading(true);
      setError(null);
      Promise.all([categoriesApi.list(showInactive, signal), categoriesApi.rules(signal)])
        .then(([c, r]) => {
          setItems(c.items);
          setRules(r.items);
        })
        .catch((e: unknown) => {
          if (isApiError(e)) setError(e);
        })
        .finally(() => setLoading(false));
    },
    [showInactive],
  );

  useEffect(() => {
    const ac = new AbortController();
    load(ac.signal);
    return () => ac.abort();
  }, [load]);

  const tree = useMemo(() => buildTree(items ?? []), [items]);

  const setActive = async (c: Category, active: boolean) => {
    try {
      await categoriesApi.update(c.id, { active, version: c.version });
      void message.success(t('common.saved'));
      load();
    } catch (e) {
      if (!isApiError(e)) throw e;
      void message.error(e.message);
    }
  };

  const removeRule = async (r: RoutingRule) => {
    try {
      await categoriesApi.removeRule(r.id);
      void message.success(t('rules.deleted'));
      load();
    } catch (e) {
      if (!isApiError(e)) throw e;
      void message.error(e.message);
    }
  };

  if (error && !items) return <ErrorResult error={error} onRetry={() => load()} />;

  const columns: TableColumnsType<TreeRow> = [
    {
      title: t('categories.name'),
      dataIndex: 'name',
      render: (_v, c) => (
        <Space size={4} wrap>
          <span>{c.name}</span>
          <Typography.Text type="secondary" className="mono">
            {c.code}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t('categories.matterClass'),
      dataIndex: 'matterClass',
      render: (m: MatterClass) => <Tag color={MATTER_COLOURS[m]}>{t(matterKey(m))}</Tag>,
    },
    {
      title: t('categories.level'),
      dataIndex: 'handlingLevel',
      render: (l: HandlingLevel) => <Tag>{t(levelKey(l))}</Tag>,
    },
    { title: t('categories.deadline'), key: 'deadline', render: (_v, c) => deadlineTag(c, t) },
    {
      title: t('categories.questions'),
      key: 'questions',
      render: (_v, c) =>
        c.questions.length ? c.questions.map((q) => q.label).join(t('common.listSeparator')) : '',
    },
    {
      title: t('categories.status'),
      dataIndex: 'active',
      render: (a: boolean) => (a ? null : <Tag color="default">{t('categories.inactive')}</Tag>),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      fixed: 'right',
      render: (_v, c) => (
        <Space>
          <Button
            size="small"
            onClick={() => setEditing({ entry: c, parentId: c.parentId })}
            data-testid={`category-edit-${c.code}`}
          >
            {t('common.edit')}
          </Button>
          <Button
            size="small"
            onClick={() => setEditing({ entry: null, parentId: c.id })}
            data-testid={`category-add-child-${c.code}`}
          >
            {t('categories.addChild')}
          </Button>
          {c.active ? (
            <Popconfirm
              title={t('categories.deactivateConfirm')}
              okText={t('categories.deactivate')}
              cancelText={t('common.cancel')}
              okButtonProps={{ danger: true }}
              onConfirm={() => setActive(c, false)}
            >
              <Button danger size="small" data-testid={`category-deactivate-${c.code}`}>
                {t('categories.deactivate')}
              </Button>
            </Popconfirm>
          ) : (
            <Button
              size="small"
              onClick={() => setActive(c, true)}
              data-testid={`category-activate-${c.code}`}
            >
              {t('categories.activate')}
            </Button>
          )}
        </Space>
      ),
    },
  ];

  const ruleColumns: TableColumnsType<RoutingRule> = [
    {
      title: t('rules.category'),
      dataIndex: 'categoryName',
      render: (v: string | null) =>
        v ?? <Typography.Text type="secondary">{t('rules.anyCategory')}</Typography.Text>,
    },
    {
      title: t('rules.area'),
      key: 'area',
      render: (_v, r) => r.areaName ?? <span className="mono">{r.areaCode}</span>,
    },
    {
      title: t('rules.target'),
      key: 'target',
      render: (_v, r) =>
        r.departmentId ? (
          <Tag color="purple">{r.departmentName ?? r.departmentId}</Tag>
        ) : r.level ? (
          <Tag>{t(levelKey(r.level))}</Tag>
        ) : null,
    },
    { title: t('rules.priority'), dataIndex: 'priority' },
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_v, r) => (
        <Popconfirm
          title={t('rules.deleteConfirm')}
          okText={t('common.delete')}
          cancelText={t('common.cancel')}
          okButtonProps={{ danger: true }}
          onConfirm={() => removeRule(r)}
        >
          <Button danger size="small" data-testid={`rule-delete-${r.id}`}>
            {t('common.delete')}
          </Button>
        </Popconfirm>
      ),
    },
  ];

  return (
    <Page
      title={t('categories.title')}
      extra={
        <Space wrap>
          <Checkbox
            checked={showInactive}
            onChange={(e) => setShowInactive(e.target.checked)}
            data-testid="categories-show-inactive"
          >
            {t('categories.showInactive')}
          </Checkbox>
          <Button
            icon={<ReloadOutlined />}
            onClick={() => load()}
            loading={loading}
            data-testid="categories-refresh"
          >
            {t('common.refresh')}
          </Button>
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setEditing({ entry: null, parentId: null })}
            data-testid="categories-add"
          >
            {t('categories.add')}
          </Button>
        </Space>
      }
    >
      <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
        <Table<TreeRow>
          rowKey="id"
          columns={columns}
          dataSource={tree}
          loading={loading}
          locale={{ emptyText: t('categories.empty') }}
          pagination={false}
          scroll={{ x: 'max-content' }}
          size="small"
          data-testid="categories-table"
        />
        <Card
          size="small"
          title={t('rules.title')}
          extra={
            <Button icon={<PlusOutlined />} onClick={() => setAddingRule(true)} data-testid="rules-add">
              {t('rules.add')}
            </Button>
          }
        >
          <Space orientation="vertical" style={{ width: '100%' }}>
            <Typography.Text type="secondary">{t('rules.hint')}</Typography.Text>
            <Table<RoutingRule>
              rowKey="id"
              columns={ruleColumns}
              dataSource={rules}
              loading={loading}
              locale={{ emptyText: t('rules.empty') }}
              pagination={false}
              scroll={{ x: 'max-content' }}
              size="small"
              data-testid="rules-table"
            />
          </Space>
        </Card>
        <RoutingPreview categories={items ?? NO_CATEGORIES} rules={rules} />
      </Space>
      <CategoryFormModal
        open={editing !== null}
        entry={editing?.entry ?? null}
        parentId={editing?.parentId ?? null}
        all={items ?? []}
        onClose={() => setEditing(null)}
        onSaved={() => {
          setEditing(null);
          load();
        }}
      />
      <RuleFormModal
        open={addingRule}
        categories={items ?? []}
        onClose={() => setAddingRule(false)}
        onSaved={() => {
          setAddingRule(false);
          load();
        }}
      />
    </Page>
  );
}
