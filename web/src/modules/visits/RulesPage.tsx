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
  Select,
  Skeleton,
  Space,
  Tag,
  Typography,
} from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { api } from '../../api';
import { useLocale } from '../../i18n';
import { useSession } from '../../session';
import { Page } from '../../components/Page';
import { ErrorResult } from '../../components/ErrorResult';
import { AreaPicker } from '../../components/AreaPicker';
import { FormModal } from '../../components/FormModal';
import { useLoad } from '../../components/useLoad';
import { useAction } from '../../components/useAction';
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
  const run = useAction();
  const [areaCode, setAreaCode] = useState<string | undefined>(undefined);
  const { data, error, reload } = useLoad((signal) => visitsApi.rules(areaCode, signal), [areaCode]);
  const [creating, setCreating] = useState(false);
  const [tags, setTags] = useState<{ id: string; name: string }[]>([]);

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
      onOk: () =>
        run(() => visitsApi.updateRule(r.id, { version: r.version, intervalDays: days })).then(
          (done) => done && reload(),
        ),
    });
  };
  const retire = (r: VisitRule) =>
    modal.confirm({
      title: t('visits.rules.retire'),
      content: t('visits.rules.retireConfirm'),
      onOk: () =>
        run(() => visitsApi.retireRule(r.id, r.version), { saved: false }).then((done) => done && reload()),
    });

  if (error) return <ErrorResult error={error} onRetry={reload} />;
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
          reload();
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
  const submit = async (v: RuleValues) => {
    await visitsApi.createRule({
      areaCode: v.areaCode,
      intervalDays: v.intervalDays,
      ...(v.tagId ? { tagId: v.tagId } : {}),
      ...(v.note?.trim() ? { note: v.note.trim() } : {}),
    });
    form.resetFields();
    onSaved();
  };
  return (
    <FormModal<RuleValues>
      open={open}
      title={t('visits.rules.add')}
      form={form}
      onSubmit={submit}
      onClose={onClose}
      fieldErrors
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
    </FormModal>
  );
}
