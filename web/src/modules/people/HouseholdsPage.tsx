/**
 * The households list (住户): those of a dwelling (`?dwellingId=`), of an area (`?areaCode=`), or all within the
 * user's scope, searchable by number; each opens its card. New households start here (at the dwelling when given).
 */
import { useEffect, useState } from 'react';
import {
  App,
  Button,
  Card,
  Empty,
  Form,
  Input,
  List,
  Pagination,
  Radio,
  Select,
  Skeleton,
  Space,
  Tag,
  Typography,
} from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { Link, useNavigate, useSearchParams } from 'react-router';
import {
  HOUSEHOLD_TYPES,
  LIVING_TYPES,
  type HouseholdType,
  type LivingType,
} from '../../../../common/schemas/people';
import { isApiError, type ApiError } from '../../api';
import { useLocale } from '../../i18n';
import { useSession } from '../../session';
import { Page } from '../../components/Page';
import { ErrorResult } from '../../components/ErrorResult';
import { AreaPicker } from '../../components/AreaPicker';
import { FormModal } from '../../components/FormModal';
import { peopleApi, type Household } from './api';
import { livingLabel, typeLabel } from './labels';
import { ExportButton } from './ExportButton';
import './people.css';

const PAGE = 20;

export default function HouseholdsPage() {
  const { t } = useLocale();
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const dwellingId = params.get('dwellingId') ?? undefined;
  const areaCode = params.get('areaCode') ?? undefined;
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const [data, setData] = useState<{ items: Household[]; total: number } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [reload, setReload] = useState(0);
  const [creating, setCreating] = useState(false);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    const ac = new AbortController();
    setError(null);
    setLoading(true);
    peopleApi
      .households(
        {
          ...(dwellingId ? { dwellingId } : {}),
          ...(areaCode ? { areaCode } : {}),
          ...(q.trim() ? { q: q.trim() } : {}),
          limit: PAGE,
          offset: (page - 1) * PAGE,
        },
        ac.signal,
      )
      .then(setData)
      .catch((e: unknown) => {
        if (isApiError(e)) setError(e);
      })
      .finally(() => {
        if (!ac.signal.aborted) setLoading(false);
      });
    return () => ac.abort();
  }, [dwellingId, areaCode, q, page, reload]);

  if (error && !data) return <ErrorResult error={error} onRetry={() => setReload((n) => n + 1)} />;

  return (
    <Page
      title={t('people.households.title')}
      extra={
        <Space wrap>
          {can('create', 'Population') ? (
            <Button
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => setCreating(true)}
              data-testid="household-create"
            >
              {t('people.households.create')}
            </Button>
          ) : null}
          {can('create', 'Population') ? (
            <Link to="/people/import" data-testid="people-import-link">
              <Button>{t('peopleIo.import.title')}</Button>
            </Link>
          ) : null}
          <ExportButton areaCode={areaCode} />
        </Space>
      }
    >
      <Card size="small" className="people-filter">
        <Space wrap>
          <Input.Search
            allowClear
            placeholder={t('people.households.search')}
            onSearch={(v) => {
              setPage(1);
              setQ(v);
            }}
            style={{ maxWidth: 280 }}
            data-testid="household-search"
          />
          {dwellingId || areaCode ? (
            <Space wrap>
              <Tag color="blue">
                {dwellingId ? t('people.households.ofDwelling') : t('people.households.ofArea')}
              </Tag>
              <Button size="small" onClick={() => setParams({})}>
                {t('people.households.showAll')}
              </Button>
            </Space>
          ) : null}
        </Space>
      </Card>
      {!data ? (
        <Skeleton active />
      ) : data.items.length === 0 ? (
        <Empty description={t('people.households.empty')} />
      ) : (
        <>
          <List
            dataSource={data.items}
            // The last rows stay in view while a search or another page loads, marked as loading.
            loading={loading}
            data-testid="households-list"
            renderItem={(h) => (
              <List.Item>
                <List.Item.Meta
                  title={
                    <Link to={`/households/${h.id}`} className="people-member-name">
                      {h.number}
                      {h.headName ? ` · ${h.headName}` : ''}
                    </Link>
                  }
                  description={
                    <Space wrap size={[8, 4]}>
                      <span>{typeLabel(t, h.type)}</span>
                      <span>{t('people.households.memberCount', { n: h.memberCount })}</span>
                      <span>{h.dwellingLabel ?? t('people.households.noDwelling')}</span>
                      {h.areaName ? <Typography.Text type="secondary">{h.areaName}</Typography.Text> : null}
                    </Space>
                  }
                />
              </List.Item>
            )}
          />
          {data.total > PAGE ? (
            <Pagination
              current={page}
              pageSize={PAGE}
              total={data.total}
              onChange={setPage}
              showSizeChanger={false}
            />
          ) : null}
        </>
      )}
      <CreateHousehold
        open={creating}
        dwellingId={dwellingId}
        areaCode={areaCode}
        onClose={() => setCreating(false)}
      />
    </Page>
  );
}

interface CreateValues {
  number: string;
  type: HouseholdType;
  areaCode?: string;
  livingType?: LivingType;
}

function CreateHousehold({
  open,
  dwellingId,
  areaCode,
  onClose,
}: {
  open: boolean;
  dwellingId?: string;
  areaCode?: string;
  onClose: () => void;
}) {
  const { t } = useLocale();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const [form] = Form.useForm<CreateValues>();
  const submit = async (v: CreateValues) => {
    const h = await peopleApi.createHousehold({
      number: v.number.trim(),
      type: v.type,
      ...(dwellingId ? { dwellingId, livingType: v.livingType ?? 'own' } : { areaCode: v.areaCode }),
    });
    void message.success(t('common.saved'));
    navigate(`/households/${h.id}`);
  };
  return (
    <FormModal<CreateValues>
      open={open}
      title={t('people.households.create')}
      form={form}
      onSubmit={submit}
      onClose={onClose}
      fieldErrors={['number', 'type', 'areaCode', 'livingType']}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      forceRender
      initialValues={{ type: 'family', livingType: 'own', areaCode }}
    >
      <Form.Item
        name="number"
        label={t('people.households.number')}
        extra={t('people.households.numberHint')}
        rules={[
          { required: true, pattern: /^[0-9A-Za-z-]{1,32}$/, message: t('people.households.numberHint') },
        ]}
      >
        <Input maxLength={32} data-testid="household-number" />
      </Form.Item>
      <Form.Item name="type" label={t('people.households.type')}>
        <Radio.Group
          optionType="button"
          options={HOUSEHOLD_TYPES.map((v) => ({ value: v, label: typeLabel(t, v) }))}
        />
      </Form.Item>
      {dwellingId ? (
        <Form.Item name="livingType" label={t('people.household.livingType')}>
          <Select options={LIVING_TYPES.map((v) => ({ value: v, label: livingLabel(t, v) }))} />
        </Form.Item>
      ) : (
        <Form.Item
          name="areaCode"
          label={t('people.households.area')}
          rules={[{ required: true, message: t('people.households.areaRequired') }]}
        >
          <AreaPicker />
        </Form.Item>
      )}
    </FormModal>
  );
}
