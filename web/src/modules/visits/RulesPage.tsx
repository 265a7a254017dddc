/**
 * 走访规则: how often the households of a street, community or grid (optionally a focus group) are visited. Rules
 * above the user's area apply but are read-only here; the server says which are editable.
 */
import { useEffect, useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Form,
  Input,
  InputNumber,
  List,
  Modal,
  Select,
  Skeleton,
  Space,
  Tag,
  Typography,
} from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { api, isApiError, type ApiError } from '../../api';
import { useLocale } from '../../i18n';
import { useSession } from '../../session';
import { Page } from '../../components/Page';
import { ErrorResult } from '../../components/ErrorResult';
import { AreaPicker } from '../../components/AreaPicker';
import { applyServerErrors } from '../../components/formErrors';
import { visitsApi, type VisitRule } from './api';
import './visits.css';

interface RuleValues {
  areaCode: string;
  tagId?: string;
  intervalDays: number;
  note?: string;
}

export default function RulesPage() {
  const { t } = useLocale();
  const { can } = useSession();
  const { message, modal } = App.useApp();
  const [areaCode, setAreaCode] = useState<string | undefined>(undefined);
  const [data, setData] = useState<{ items: VisitRule[]; defaultIntervalDays: number } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [reload, setReload] = useState(0);
  const [creating, setCreating] = useState(false);
  const [tags, setTags] = useState<{ id: string; name: string }[]>([]);

  useEffect(() => {
    const ac = new AbortController();
    setError(null);
    visitsApi
      .rules(areaCode, ac.signal)
      .then(setData)
      .catch((e: unknown) => {
        if (isApiError(e)) setError(e);
      });
    return () => ac.abort();
  }, [areaCode, reload]);

  useEffect(() => {
    const ac = new AbortController();
    // The focus groups this user may see; without the right the rule form offers area rules only.
    api
      .get<{ items: { id: string; name: string }[] }>('/api/tags', {}, ac.signal)
      .then((r) => setTags(r.items))
      .catch(() => setTags([]));
    return () => ac.abort();
  }, []);

  const change = (r: VisitRule) => {
    let days = r.intervalDays;
    modal.confirm({
      title: t('visits.rules.change', { area: r.areaName ?? r.areaCode }),
      content: (
        <InputNumber
          min={1}
          max={366}
          defaultValue={r.intervalDays}
          addonAfter={t('visits.rules.days')}
          onChange={(v) => (days = Number(v ?? r.intervalDays))}
        />
      ),
      onOk: async () => {
        try {
          await visitsApi.updateRule(r.id, { version: r.version, intervalDays: days });
          void message.success(t('common.saved'));
          setReload((n) => n + 1);
        } catch (e) {
          if (!isApiError(e)) throw e;
          void message.error(e.details[0]?.message ?? e.message);
        }
      },
    });
  };
  const retire = (r: VisitRule) =>
    modal.confirm({
      title: t('visits.rules.retire'),
      content: t('visits.rules.retireConfirm'),
      onOk: async () => {
        try {
          await visitsApi.retireRule(r.id, r.version);
          setReload((n) => n + 1);
        } catch (e) {
          if (!isApiError(e)) throw e;
          void message.error(e.message);
        }
      },
    });

  if (error) return <ErrorResult error={error} onRetry={() => setReload((n) => n + 1)} />;
  return (
    <Page
      title={t('visits.rules.title')}
      extra={
        can('create', 'VisitRule') ? (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setCreating(true)}
            data-testid="rule-add"
          >
            {t('visits.rules.add')}
          </Button>
        ) : null
      }
    >
      <Space wrap className="visits-filter">
        <AreaPicker value={areaCode} onChange={setAreaCode} allowClear style={{ minWidth: 240 }} />
      </Space>
      <Alert
        type="info"
        showIcon
        className="visits-section"
        message={t('visits.rules.hint', { n: data?.defaultIntervalDays ?? 60 })}
      />
      {!data ? (
        <Skeleton active />
      ) : (
        <Card className="visits-section">
          <List
            dataSource={data.items}
            locale={{ emptyText: t('visits.rules.none') }}
            renderItem={(r) => (
              <List.Item
                key={r.id}
                data-testid="rule-item"
                actions={
                  r.editable
                    ? [
                        <Button key="c" size="small" onClick={() => change(r)}>
                          {t('common.edit')}
                        </Button>,
                        <Button key="r" size="small" danger onClick={() => retire(r)}>
                          {t('visits.rules.retire')}
                        </Button>,
                      ]
                    : [<Tag key="i">{t('visits.rules.inherited')}</Tag>]
                }
              >
                <List.Item.Meta
                  title={
                    <Space wrap>
                      <span>{r.areaName ?? r.areaCode}</span>
                      {r.tagName ? (
                        <Tag color="purple">{r.tagName}</Tag>
                      ) : (
                        <Tag>{t('visits.rules.allHouseholds')}</Tag>
                      )}
                    </Space>
                  }
                  description={
                    <>
                      <Typography.Text strong>{t('visits.my.every', { n: r.intervalDays })}</Typography.Text>
                      {r.note ? ` · ${r.note}` : ''}
                    </>
                  }
                />
              </List.Item>
            )}
          />
        </Card>
      )}
      <RuleModal
        open={creating}
        tags={tags}
        onClose={() => setCreating(false)}
        onSaved={() => {
          setCreating(false);
          void message.success(t('common.saved'));
          setReload((n) => n + 1);
        }}
      />
    </Page>
  );
}

function RuleModal({
  open,
  tags,
  onClose,
  onSaved,
}: {
  open: boolean;
  tags: { id: string; name: string }[];
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useLocale();
  const [form] = Form.useForm<RuleValues>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async (v: RuleValues) => {
    setBusy(true);
    setError(null);
    try {
      await visitsApi.createRule({
        areaCode: v.areaCode,
        intervalDays: v.intervalDays,
        ...(v.tagId ? { tagId: v.tagId } : {}),
        ...(v.note?.trim() ? { note: v.note.trim() } : {}),
      });
      form.resetFields();
      onSaved();
    } catch (e) {
      if (!isApiError(e)) throw e;
      if (!applyServerErrors(form, e)) setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open={open}
      title={t('visits.rules.add')}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={busy}
      destroyOnHidden
    >
      {error ? <Alert type="error" showIcon message={error.message} className="visits-error" /> : null}
      <Form
        form={form}
        layout="vertical"
        onFinish={(v) => void submit(v)}
        initialValues={{ intervalDays: 60 }}
      >
        <Form.Item name="areaCode" label={t('visits.rules.area')} rules={[{ required: true }]}>
          <AreaPicker />
        </Form.Item>
        <Form.Item name="tagId" label={t('visits.rules.tag')}>
          <Select
            allowClear
            placeholder={t('visits.rules.allHouseholds')}
            options={tags.map((g) => ({ value: g.id, label: g.name }))}
          />
        </Form.Item>
        <Form.Item name="intervalDays" label={t('visits.rules.interval')} rules={[{ required: true }]}>
          <InputNumber min={1} max={366} addonAfter={t('visits.rules.days')} />
        </Form.Item>
        <Form.Item name="note" label={t('visits.rules.note')}>
          <Input maxLength={200} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
