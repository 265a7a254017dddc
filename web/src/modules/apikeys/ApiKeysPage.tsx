/**
 * Open311 API keys (system administrators): the keys within my area, issuing one for a client and an area (the key
 * is shown once, with a copy button), and revoking one after a confirmation.
 */
import { useCallback, useEffect, useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Empty,
  Form,
  Input,
  Modal,
  Popconfirm,
  Space,
  Spin,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { TableColumnsType } from 'antd';
import { CopyOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { isApiError, type ApiError } from '../../api';
import { formatDateTime, useLocale } from '../../i18n';
import { AreaPicker } from '../../components/AreaPicker';
import { copyText } from '../../components/copy';
import { ErrorResult } from '../../components/ErrorResult';
import { applyServerErrors } from '../../components/formErrors';
import { Page } from '../../components/Page';
import { buttonTestId } from '../../components/testId';
import { useIsMobile } from '../../components/useIsMobile';
import { apiKeysApi, type ApiKey, type NewApiKey } from './api';

interface Values {
  name: string;
  areaCode?: string;
}

/** The new-key form. */
function CreateKeyModal({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (key: NewApiKey) => void;
}) {
  const { t } = useLocale();
  const isMobile = useIsMobile();
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState<ApiError | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (!open) return;
    setError(null);
    form.resetFields();
  }, [open, form]);

  const onFinish = async (v: Values) => {
    setSaving(true);
    setError(null);
    try {
      onCreated(await apiKeysApi.create({ name: v.name.trim(), areaCode: v.areaCode! }));
    } catch (e) {
      if (!isApiError(e)) throw e;
      if (!applyServerErrors(form, e, ['name', 'areaCode'])) setError(e);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open={open}
      title={t('apikeys.createTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      okButtonProps={buttonTestId('apikey-create-submit')}
      width={isMobile ? '100%' : 520}
      destroyOnHidden
      forceRender
      mask={{ closable: false }}
    >
      {error ? (
        <Alert
          type="error"
          showIcon
          title={error.message}
          className="form-alert"
          data-testid="apikey-create-error"
        />
      ) : null}
      <Form<Values> form={form} layout="vertical" onFinish={onFinish} data-testid="apikey-create-form">
        <Form.Item
          name="name"
          label={t('apikeys.name')}
          rules={[{ required: true, whitespace: true, max: 64, message: t('apikeys.nameRequired') }]}
        >
          <Input maxLength={64} placeholder={t('apikeys.namePlaceholder')} data-testid="apikey-name" />
        </Form.Item>
        <Form.Item
          name="areaCode"
          label={t('apikeys.area')}
          extra={t('apikeys.areaHint')}
          rules={[
            { required: true, message: t('apikeys.areaRequired') },
            { pattern: /^\d{12}$/, message: t('apikeys.areaRequired') },
          ]}
        >
          <AreaPicker data-testid="apikey-area" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** Shows a new key once, with a copy button. */
function NewKeyModal({ value, onClose }: { value: NewApiKey | null; onClose: () => void }) {
  const { t } = useLocale();
  const { message } = App.useApp();
  const copy = async () => {
    if (!value) return;
    if (await copyText(value.key)) void message.success(t('common.copied'));
    else void message.error(t('common.copyFailed'));
  };
  return (
    <Modal
      open={value !== null}
      title={t('apikeys.keyTitle')}
      onCancel={onClose}
      onOk={onClose}
      okText={t('apikeys.keyCopied')}
      cancelButtonProps={{ style: { display: 'none' } }}
      okButtonProps={buttonTestId('apikey-new-close')}
      mask={{ closable: false }}
      destroyOnHidden
    >
      <Alert type="warning" showIcon title={t('apikeys.keyHint')} className="form-alert" />
      {value ? (
        <Typography.Paragraph>
          {value.name} · {value.areaName}
        </Typography.Paragraph>
      ) : null}
      <div className="temp-password">
        <Typography.Text
          code
          className="mono"
          style={{ wordBreak: 'break-all' }}
          data-testid="apikey-new-key"
        >
          {value?.key}
        </Typography.Text>
        <Button icon={<CopyOutlined />} onClick={copy} data-testid="apikey-new-copy">
          {t('common.copy')}
        </Button>
      </div>
    </Modal>
  );
}

export default function ApiKeysPage() {
  const { t, locale } = useLocale();
  const { message } = App.useApp();
  const isMobile = useIsMobile();
  const [items, setItems] = useState<ApiKey[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<NewApiKey | null>(null);

  const load = useCallback((signal?: AbortSignal) => {
    setLoading(true);
    setError(null);
    apiKeysApi
      .list(signal)
      .then((r) => setItems(r.items))
      .catch((e: unknown) => {
        if (isApiError(e)) setError(e);
      })
      .finally(() => setLoading(false));
  }, []);

  useEffect(() => {
    const ac = new AbortController();
    load(ac.signal);
    return () => ac.abort();
  }, [load]);

  const revoke = async (k: ApiKey) => {
    try {
      const updated = await apiKeysApi.revoke(k.id);
      void message.success(t('apikeys.revokedOk'));
      setItems((list) => list?.map((x) => (x.id === k.id ? updated : x)) ?? null);
    } catch (e) {
      if (!isApiError(e)) throw e;
      void message.error(e.message);
    }
  };

  if (error && !items) return <ErrorResult error={error} onRetry={() => load()} />;

  const status = (k: ApiKey) =>
    k.revokedAt ? (
      <Tag color="default" data-testid={`apikey-status-${k.id}`}>
        {t('apikeys.revoked')}
      </Tag>
    ) : (
      <Tag color="green" data-testid={`apikey-status-${k.id}`}>
        {t('apikeys.active')}
      </Tag>
    );

  const revokeButton = (k: ApiKey) =>
    k.revokedAt ? null : (
      <Popconfirm
        title={t('apikeys.revokeConfirm')}
        okText={t('apikeys.revoke')}
        cancelText={t('common.cancel')}
        okButtonProps={{ danger: true, ...buttonTestId(`apikey-revoke-confirm-${k.id}`) }}
        onConfirm={() => revoke(k)}
      >
        <Button danger size="small" data-testid={`apikey-revoke-${k.id}`}>
          {t('apikeys.revoke')}
        </Button>
      </Popconfirm>
    );

  const lastUsed = (k: ApiKey) =>
    k.lastUsedAt ? formatDateTime(k.lastUsedAt, locale) : t('apikeys.neverUsed');

  const columns: TableColumnsType<ApiKey> = [
    { title: t('apikeys.name'), dataIndex: 'name' },
    {
      title: t('apikeys.prefix'),
      dataIndex: 'keyPrefix',
      render: (v: string) => <span className="mono">{v}…</span>,
    },
    {
      title: t('apikeys.area'),
      dataIndex: 'areaName',
      render: (v: string, k) => (
        <span title={k.areaCode}>
          {v}{' '}
          <Typography.Text type="secondary" className="mono">
            {k.areaCode}
          </Typography.Text>
        </span>
      ),
    },
    {
      title: t('apikeys.createdAt'),
      dataIndex: 'createdAt',
      render: (v: string) => formatDateTime(v, locale),
    },
    { title: t('apikeys.lastUsedAt'), key: 'lastUsedAt', render: (_v, k) => lastUsed(k) },
    { title: t('apikeys.status'), key: 'status', render: (_v, k) => status(k) },
    { title: t('common.actions'), key: 'actions', fixed: 'right', render: (_v, k) => revokeButton(k) },
  ];

  const endpoint = `${window.location.origin}/open311/v2/discovery.json`;

  return (
    <Page
      title={t('apikeys.title')}
      extra={
        <Space wrap>
          <Button
            icon={<ReloadOutlined />}
            onClick={() => load()}
            loading={loading}
            data-testid="apikeys-refresh"
          >
            {t('common.refresh')}
          </Button>
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setCreating(true)}
            data-testid="apikeys-create"
          >
            {t('apikeys.create')}
          </Button>
        </Space>
      }
    >
      <Alert
        type="info"
        showIcon
        className="page-alert"
        title={<span style={{ wordBreak: 'break-word' }}>{t('apikeys.intro', { url: endpoint })}</span>}
      />
      {error && items ? <Alert type="error" showIcon title={error.message} className="page-alert" /> : null}
      {isMobile ? (
        <div className="card-list" data-testid="apikeys-cards">
          {items === null ? <Spin /> : null}
          {items && items.length === 0 ? <Empty description={t('apikeys.empty')} /> : null}
          {items?.map((k) => (
            <Card key={k.id} size="small" data-testid={`apikey-card-${k.id}`}>
              <div className="account-card-head">
                <Typography.Text strong>{k.name}</Typography.Text>
                {status(k)}
              </div>
              <Space orientation="vertical" size={0}>
                <Typography.Text type="secondary" className="mono">
                  {k.keyPrefix}…
                </Typography.Text>
                <Typography.Text type="secondary">
                  {t('apikeys.area')}: {k.areaName}
                </Typography.Text>
                <Typography.Text type="secondary">
                  {t('apikeys.lastUsedAt')}: {lastUsed(k)}
                </Typography.Text>
                {revokeButton(k)}
              </Space>
            </Card>
          ))}
        </div>
      ) : (
        <Table<ApiKey>
          rowKey="id"
          columns={columns}
          dataSource={items ?? []}
          loading={loading}
          locale={{ emptyText: t('apikeys.empty') }}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          scroll={{ x: 'max-content' }}
          data-testid="apikeys-table"
        />
      )}
      <CreateKeyModal
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(k) => {
          setCreating(false);
          setCreated(k);
          // The list keeps the view only: the key itself lives in the one-time dialog.
          const { key: _key, ...view } = k;
          void _key;
          setItems((list) => [view, ...(list ?? [])]);
        }}
      />
      <NewKeyModal value={created} onClose={() => setCreated(null)} />
    </Page>
  );
}
