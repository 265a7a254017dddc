/** Accounts: search and filter staff accounts (table on desktop, cards on phones), create, open the detail drawer. */
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  App,
  Button,
  Card,
  Empty,
  Input,
  Pagination,
  Select,
  Space,
  Spin,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { TableColumnsType } from 'antd';
import { SearchOutlined, UserAddOutlined } from '@ant-design/icons';
import { useSearchParams } from 'react-router';
import { ROLES, type Role } from '../../../../common/roles';
import { isApiError, type ApiError } from '../../api';
import { formatDateTime, roleName, useLocale } from '../../i18n';
import { useSession } from '../../session';
import { Page } from '../../components/Page';
import { ErrorResult } from '../../components/ErrorResult';
import { AreaPicker } from '../../components/AreaPicker';
import { assignmentPlace } from '../../components/AssignmentList';
import { TemporaryPasswordModal, type TemporaryPassword } from '../../components/TemporaryPasswordModal';
import { useIsMobile } from '../../components/useIsMobile';
import { AccountCreateModal } from './AccountCreateModal';
import { AccountDrawer, StatusTags } from './AccountDrawer';
import { accountsApi, type AccountView } from './api';

const PAGE_SIZE = 20;

function AssignmentTags({ account }: { account: AccountView }) {
  const { locale } = useLocale();
  return (
    <Space size={[4, 4]} wrap>
      {account.assignments.map((a) => (
        <Tag key={a.id} color="processing">
          {roleName(a.role, locale)}
          {assignmentPlace(a) ? ` · ${assignmentPlace(a)}` : ''}
        </Tag>
      ))}
    </Space>
  );
}

export default function AccountsPage() {
  const { t, locale } = useLocale();
  const { message } = App.useApp();
  const { can } = useSession();
  const isMobile = useIsMobile();
  // Filters live in the URL so that reload and the back button keep them.
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const role = (params.get('role') ?? undefined) as Role | undefined;
  const area = params.get('area') ?? undefined;
  const status = params.get('status') ?? undefined;
  const page = Math.max(1, Number(params.get('page') ?? '1') || 1);

  const [data, setData] = useState<{ items: AccountView[]; total: number } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);
  const [reload, setReload] = useState(0);
  const [searchText, setSearchText] = useState(q);
  const [creating, setCreating] = useState(false);
  const [openId, setOpenId] = useState<string | null>(null);
  const [tempPassword, setTempPassword] = useState<TemporaryPassword | null>(null);

  // The last query this page wrote to the URL; any other change (back button) resets the box.
  const pushedQ = useRef(q);
  useEffect(() => {
    if (q !== pushedQ.current) {
      pushedQ.current = q;
      setSearchText(q);
    }
  }, [q]);

  const setFilter = useCallback(
    (key: string, value: string | undefined) => {
      setParams(
        (p) => {
          const next = new URLSearchParams(p);
          if (value) next.set(key, value);
          else next.delete(key);
          if (key !== 'page') next.delete('page');
          return next;
        },
        { replace: true },
      );
    },
    [setParams],
  );

  // Search as the user types, once typing pauses.
  useEffect(() => {
    const next = searchText.trim();
    if (next === q) return;
    const timer = window.setTimeout(() => {
      pushedQ.current = next;
      setFilter('q', next || undefined);
    }, 400);
    return () => window.clearTimeout(timer);
  }, [searchText, q, setFilter]);

  useEffect(() => {
    const ac = new AbortController();
    setLoading(true);
    setError(null);
    accountsApi
      .list(
        {
          q: q || undefined,
          role,
          area,
          disabled: status === 'disabled' ? true : status === 'enabled' ? false : undefined,
          limit: PAGE_SIZE,
          offset: (page - 1) * PAGE_SIZE,
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
  }, [q, role, area, status, page, reload]);

  const refresh = () => setReload((r) => r + 1);

  if (error && !data) return <ErrorResult error={error} onRetry={refresh} />;

  const columns: TableColumnsType<AccountView> = [
    {
      title: t('accounts.username'),
      dataIndex: 'username',
      render: (_v, a) => (
        <Button
          type="link"
          className="link-cell"
          onClick={() => setOpenId(a.id)}
          data-testid={`account-open-${a.username ?? a.id}`}
        >
          {a.username ?? a.id.slice(0, 8)}
        </Button>
      ),
    },
    { title: t('accounts.displayName'), dataIndex: 'displayName' },
    {
      title: t('accounts.phone'),
      dataIndex: 'phone',
      render: (v: string | null) => <span className="mono">{v ?? ''}</span>,
    },
    {
      title: t('accounts.assignments'),
      key: 'assignments',
      render: (_v, a) => <AssignmentTags account={a} />,
    },
    { title: t('accounts.status'), key: 'status', render: (_v, a) => <StatusTags account={a} /> },
    {
      title: t('accounts.lastLogin'),
      dataIndex: 'lastLoginAt',
      render: (v: string | null) => (v ? formatDateTime(v, locale) : t('accounts.never')),
    },
  ];

  const filters = (
    <div className="filter-bar" data-testid="accounts-filters">
      <Input
        placeholder={t('accounts.searchPlaceholder')}
        allowClear
        prefix={<SearchOutlined />}
        value={searchText}
        onChange={(e) => setSearchText(e.target.value)}
        onPressEnter={() => {
          pushedQ.current = searchText.trim();
          setFilter('q', searchText.trim() || undefined);
        }}
        className="filter-search"
        data-testid="accounts-search"
      />
      <Select<Role>
        allowClear
        placeholder={t('accounts.allRoles')}
        value={role}
        onChange={(v) => setFilter('role', v)}
        options={ROLES.map((r) => ({ value: r, label: roleName(r, locale) }))}
        className="filter-select"
        data-testid="accounts-role-filter"
      />
      <Select<string>
        allowClear
        placeholder={t('accounts.allStatus')}
        value={status}
        onChange={(v) => setFilter('status', v)}
        options={[
          { value: 'enabled', label: t('accounts.enabled') },
          { value: 'disabled', label: t('accounts.disabled') },
        ]}
        className="filter-select"
        data-testid="accounts-status-filter"
      />
      <AreaPicker
        allowClear
        placeholder={t('accounts.areaFilter')}
        value={area}
        onChange={(v) => setFilter('area', v)}
        style={{ minWidth: 200 }}
        data-testid="accounts-area-filter"
      />
    </div>
  );

  const items = data?.items ?? [];
  const total = data?.total ?? 0;
  const onPage = (p: number) => setFilter('page', p > 1 ? String(p) : undefined);

  return (
    <Page
      title={t('accounts.title')}
      extra={
        can('create', 'Account') ? (
          <Button
            type="primary"
            icon={<UserAddOutlined />}
            onClick={() => setCreating(true)}
            data-testid="accounts-create"
          >
            {t('accounts.create')}
          </Button>
        ) : null
      }
    >
      <Card size="small" className="filter-card">
        {filters}
      </Card>
      {isMobile ? (
        <div className="card-list" data-testid="accounts-cards">
          {loading && !data ? <Spin /> : null}
          {data && items.length === 0 ? <Empty description={t('accounts.empty')} /> : null}
          {items.map((a) => (
            <Card
              key={a.id}
              size="small"
              hoverable
              onClick={() => setOpenId(a.id)}
              className="account-card"
              data-testid={`account-card-${a.username ?? a.id}`}
            >
              <div className="account-card-head">
                <Typography.Text strong>{a.displayName}</Typography.Text>
                <StatusTags account={a} />
              </div>
              <Typography.Text type="secondary">
                {a.username}
                {a.phone ? ` · ${a.phone}` : ''}
              </Typography.Text>
              <div className="account-card-tags">
                <AssignmentTags account={a} />
              </div>
            </Card>
          ))}
          {total > PAGE_SIZE ? (
            <Pagination
              simple
              current={page}
              pageSize={PAGE_SIZE}
              total={total}
              onChange={onPage}
              className="card-pagination"
            />
          ) : null}
        </div>
      ) : (
        <Table<AccountView>
          rowKey="id"
          columns={columns}
          dataSource={items}
          loading={loading}
          locale={{ emptyText: t('accounts.empty') }}
          pagination={{
            current: page,
            pageSize: PAGE_SIZE,
            total,
            showSizeChanger: false,
            showTotal: (n) => t('common.total', { total: n }),
            onChange: onPage,
          }}
          scroll={{ x: 'max-content' }}
          data-testid="accounts-table"
        />
      )}
      <AccountCreateModal
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(account, temporaryPassword) => {
          setCreating(false);
          void message.success(t('accounts.created'));
          if (temporaryPassword) setTempPassword({ username: account.username, password: temporaryPassword });
          refresh();
        }}
      />
      <AccountDrawer
        accountId={openId}
        onClose={() => setOpenId(null)}
        onChanged={refresh}
        onTemporaryPassword={setTempPassword}
      />
      <TemporaryPasswordModal value={tempPassword} onClose={() => setTempPassword(null)} />
    </Page>
  );
}
