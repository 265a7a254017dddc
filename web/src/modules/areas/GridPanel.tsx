/** The grids of one community: list, and create / rename / re-draw / delete for those who may manage grids. */
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  Alert,
  App,
  Button,
  Empty,
  Form,
  Input,
  Modal,
  Popconfirm,
  Space,
  Spin,
  Tag,
  Typography,
} from 'antd';
import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { Link } from 'react-router';
import { isApiError, newUuid, type ApiError } from '../../api';
import { useT, type TFunction } from '../../i18n';
import { applyServerErrors } from '../../components/formErrors';
import { buttonTestId } from '../../components/testId';
import { areasApi, type Area, type Boundary } from './api';

interface GridValues {
  name: string;
  suffix?: string;
  boundary?: string;
}

/** Parses the boundary textarea; empty means "no boundary". Throws a message for the form on bad input. */
export function parseBoundary(text: string | undefined, t: TFunction): Boundary | null {
  const trimmed = (text ?? '').trim();
  if (!trimmed) return null;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch (e) {
    throw new Error(t('grids.boundaryInvalidJson', { error: e instanceof Error ? e.message : String(e) }), {
      cause: e,
    });
  }
  const v = value as { type?: unknown; coordinates?: unknown };
  const isPoint = (p: unknown) =>
    Array.isArray(p) &&
    p.length === 2 &&
    typeof p[0] === 'number' &&
    typeof p[1] === 'number' &&
    Math.abs(p[0]) <= 180 &&
    Math.abs(p[1]) <= 90;
  const ok =
    typeof value === 'object' &&
    value !== null &&
    v.type === 'Polygon' &&
    Array.isArray(v.coordinates) &&
    v.coordinates.length > 0 &&
    v.coordinates.every((ring: unknown) => Array.isArray(ring) && ring.length >= 4 && ring.every(isPoint));
  if (!ok) throw new Error(t('grids.boundaryNotPolygon'));
  return value as Boundary;
}

function GridFormModal({
  open,
  community,
  grid,
  onClose,
  onSaved,
}: {
  open: boolean;
  community: Area;
  grid: Area | null;
  onClose: () => void;
  onSaved: (a: Area) => void;
}) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<GridValues>();
  const [error, setError] = useState<ApiError | null>(null);
  const [saving, setSaving] = useState(false);
  // One key per opening of the dialog, so a retried submission cannot create two grids.
  const idemKey = useRef(newUuid());

  useEffect(() => {
    if (!open) return;
    idemKey.current = newUuid();
    setError(null);
    form.resetFields();
    if (grid) {
      form.setFieldsValue({
        name: grid.name,
        boundary: grid.boundary ? JSON.stringify(grid.boundary, null, 2) : '',
      });
    }
  }, [open, grid, form]);

  const onFinish = async (v: GridValues) => {
    setSaving(true);
    setError(null);
    try {
      const boundary = parseBoundary(v.boundary, t);
      const saved = grid
        ? await areasApi.updateGrid(grid.code, { name: v.name.trim(), boundary })
        : await areasApi.createGrid(
            community.code,
            {
              name: v.name.trim(),
              ...(v.suffix ? { suffix: v.suffix } : {}),
              ...(boundary ? { boundary } : {}),
            },
            idemKey.current,
          );
      void message.success(grid ? t('grids.updated') : t('grids.created'));
      onSaved(saved);
    } catch (e) {
      if (!isApiError(e)) throw e;
      if (!applyServerErrors(form, e, ['name', 'suffix', 'boundary'])) setError(e);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open={open}
      title={grid ? t('grids.editTitle') : t('grids.createTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      okButtonProps={buttonTestId('grid-submit')}
      destroyOnHidden
      forceRender
    >
      {error ? (
        <Alert type="error" showIcon title={error.message} className="form-alert" data-testid="grid-error" />
      ) : null}
      <Form<GridValues> form={form} layout="vertical" onFinish={onFinish} data-testid="grid-form">
        <Form.Item
          name="name"
          label={t('grids.name')}
          rules={[{ required: true, whitespace: true, max: 60, message: t('grids.nameRequired') }]}
        >
          <Input maxLength={60} data-testid="grid-name" />
        </Form.Item>
        {grid ? null : (
          <Form.Item
            name="suffix"
            label={`${t('grids.suffix')} ${t('common.optional')}`}
            extra={t('grids.suffixHint')}
            rules={[{ pattern: /^\d{3}$/, message: t('grids.suffixInvalid') }]}
          >
            <Input
              prefix={<span className="mono suffix-prefix">{community.code}</span>}
              maxLength={3}
              inputMode="numeric"
              style={{ maxWidth: 300 }}
              data-testid="grid-suffix"
            />
          </Form.Item>
        )}
        <Form.Item
          name="boundary"
          label={t('grids.boundary')}
          extra={t('grids.boundaryHint')}
          rules={[
            {
              validator: async (_r, value: string | undefined) => {
                parseBoundary(value, t);
              },
            },
          ]}
        >
          <Input.TextArea
            rows={6}
            spellCheck={false}
            className="mono"
            placeholder='{"type":"Polygon","coordinates":[[[116.39,39.90],[116.40,39.90],[116.40,39.91],[116.39,39.90]]]}'
            data-testid="grid-boundary"
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** Lists and manages the grids under a community. `onChanged` lets the tree refresh its children. */
export function GridPanel({
  community,
  canManage,
  basePath,
  onChanged,
}: {
  community: Area;
  canManage: boolean;
  basePath: string;
  onChanged: () => void;
}) {
  const t = useT();
  const { message } = App.useApp();
  const [grids, setGrids] = useState<Area[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [editing, setEditing] = useState<{ grid: Area | null } | null>(null);

  const load = useCallback(
    (signal?: AbortSignal) => {
      setError(null);
      areasApi
        .children(community.code, signal)
        .then((r) => setGrids(r.items.filter((a) => a.level === 'grid')))
        .catch((e: unknown) => {
          if (isApiError(e)) setError(e);
        });
    },
    [community.code],
  );

  useEffect(() => {
    const ac = new AbortController();
    setGrids(null);
    load(ac.signal);
    return () => ac.abort();
  }, [load]);

  const remove = async (g: Area) => {
    try {
      await areasApi.deleteGrid(g.code);
      void message.success(t('grids.deleted'));
      load();
      onChanged();
    } catch (e) {
      if (!isApiError(e)) throw e;
      void message.error(e.message);
    }
  };

  return (
    <div className="grid-panel" data-testid="grid-panel">
      <div className="section-head">
        <Typography.Title level={5} className="section-title">
          {t('grids.title')}
          {grids ? <Tag className="count-tag">{grids.length}</Tag> : null}
        </Typography.Title>
        {canManage ? (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setEditing({ grid: null })}
            data-testid="grid-create"
          >
            {t('grids.create')}
          </Button>
        ) : null}
      </div>
      {error ? <Alert type="error" showIcon title={error.message} /> : null}
      {grids === null && !error ? <Spin /> : null}
      {grids && grids.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('grids.empty')} />
      ) : null}
      {grids && grids.length > 0 ? (
        <ul className="grid-list">
          {grids.map((g) => (
            <li key={g.code} className="grid-row" data-testid={`grid-row-${g.code}`}>
              <div className="grid-main">
                <Link to={`${basePath}/${g.code}`} className="grid-name">
                  {g.name}
                </Link>
                <Typography.Text type="secondary" className="mono">
                  {g.code}
                </Typography.Text>
                <Tag color={g.boundary ? 'green' : 'default'}>
                  {g.boundary ? t('grids.hasBoundary') : t('grids.noBoundary')}
                </Tag>
              </div>
              {canManage ? (
                <Space size={4}>
                  <Button
                    size="small"
                    icon={<EditOutlined />}
                    onClick={() => setEditing({ grid: g })}
                    data-testid={`grid-edit-${g.code}`}
                  >
                    {t('common.edit')}
                  </Button>
                  <Popconfirm
                    title={t('grids.deleteConfirm', { name: g.name })}
                    okText={t('common.delete')}
                    cancelText={t('common.cancel')}
                    okButtonProps={{ danger: true }}
                    onConfirm={() => remove(g)}
                  >
                    <Button
                      size="small"
                      danger
                      icon={<DeleteOutlined />}
                      data-testid={`grid-delete-${g.code}`}
                    >
                      {t('common.delete')}
                    </Button>
                  </Popconfirm>
                </Space>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      <GridFormModal
        open={editing !== null}
        community={community}
        grid={editing?.grid ?? null}
        onClose={() => setEditing(null)}
        onSaved={() => {
          setEditing(null);
          load();
          onChanged();
        }}
      />
    </div>
  );
}

/** Edit and delete buttons for a grid shown on its own detail page. */
export function GridActions({
  grid,
  community,
  onChanged,
  onDeleted,
}: {
  grid: Area;
  community: Area;
  onChanged: () => void;
  onDeleted: () => void;
}) {
  const t = useT();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const remove = async () => {
    try {
      await areasApi.deleteGrid(grid.code);
      void message.success(t('grids.deleted'));
      onDeleted();
    } catch (e) {
      if (!isApiError(e)) throw e;
      void message.error(e.message);
    }
  };
  return (
    <Space wrap>
      <Button icon={<EditOutlined />} onClick={() => setOpen(true)} data-testid="grid-edit">
        {t('common.edit')}
      </Button>
      <Popconfirm
        title={t('grids.deleteConfirm', { name: grid.name })}
        okText={t('common.delete')}
        cancelText={t('common.cancel')}
        okButtonProps={{ danger: true }}
        onConfirm={remove}
      >
        <Button danger icon={<DeleteOutlined />} data-testid="grid-delete">
          {t('common.delete')}
        </Button>
      </Popconfirm>
      <GridFormModal
        open={open}
        community={community}
        grid={grid}
        onClose={() => setOpen(false)}
        onSaved={() => {
          setOpen(false);
          onChanged();
        }}
      />
    </Space>
  );
}
