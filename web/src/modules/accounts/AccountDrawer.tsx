/** One account in a drawer: profile edits, enable/disable, password reset, unlock, phone reveal, assignments. */
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  Alert,
  App,
  Button,
  Descriptions,
  Divider,
  Drawer,
  Form,
  Input,
  Popconfirm,
  Space,
  Spin,
  Tag,
  Typography,
} from 'antd';
import {
  EditOutlined,
  KeyOutlined,
  PlusOutlined,
  StopOutlined,
  UnlockOutlined,
  CheckCircleOutlined,
} from '@ant-design/icons';
import { DEPARTMENT_ROLES, type Role } from '../../../../common/roles';
import { isApiError, newUuid, type ApiError } from '../../api';
import { formatDateTime, useLocale } from '../../i18n';
import { useSession } from '../../session';
import { AssignmentList } from '../../components/AssignmentList';
import { ErrorResult } from '../../components/ErrorResult';
import { applyServerErrors } from '../../components/formErrors';
import { useIsMobile } from '../../components/useIsMobile';
import type { TemporaryPassword } from '../../components/TemporaryPasswordModal';
import { AssignmentFields } from './AssignmentFields';
import { RevealPhone } from './RevealPhone';
import { accountsApi, type AccountView } from './api';

export function StatusTags({ account }: { account: AccountView }) {
  const { t } = useLocale();
  return (
    <Space size={4} wrap>
      {account.disabled ? (
        <Tag color="default">{t('accounts.disabled')}</Tag>
      ) : (
        <Tag color="success">{t('accounts.enabled')}</Tag>
      )}
      {account.locked ? <Tag color="error">{t('accounts.locked')}</Tag> : null}
    </Space>
  );
}

interface ProfileValues {
  displayName: string;
  phone?: string;
}

interface AddValues {
  role?: Role;
  areaCode?: string;
  departmentId?: string;
}

export function AccountDrawer({
  accountId,
  onClose,
  onChanged,
  onTemporaryPassword,
}: {
  accountId: string | null;
  onClose: () => void;
  onChanged: () => void;
  onTemporaryPassword: (p: TemporaryPassword) => void;
}) {
  const { t, locale } = useLocale();
  const { message } = App.useApp();
  const { can } = useSession();
  const isMobile = useIsMobile();
  const [account, setAccount] = useState<AccountView | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [profileForm] = Form.useForm<ProfileValues>();
  const [addForm] = Form.useForm<AddValues>();
  const [addError, setAddError] = useState<ApiError | null>(null);
  const addKey = useRef(newUuid());

  const canUpdate = can('update', 'Account');
  const canAssign = can('create', 'Assignment');
  const canUnassign = can('delete', 'Assignment');

  const load = useCallback((id: string, signal?: AbortSignal) => {
    setLoadError(null);
    accountsApi
      .get(id, signal)
      .then(setAccount)
      .catch((e: unknown) => {
        if (isApiError(e)) setLoadError(e);
      });
  }, []);

  useEffect(() => {
    setAccount(null);
    setEditing(false);
    setAddError(null);
    addForm.resetFields();
    if (!accountId) return;
    const ac = new AbortController();
    load(accountId, ac.signal);
    return () => ac.abort();
  }, [accountId, load, addForm]);

  /** Runs one action, shows its error as a toast, and refreshes the list behind the drawer on success. */
  const act = async (name: string, fn: () => Promise<void>) => {
    setBusy(name);
    try {
      await fn();
      onChanged();
    } catch (e) {
      if (!isApiError(e)) throw e;
      void message.error(e.message);
    } finally {
      setBusy(null);
    }
  };

  const a = account;

  const saveProfile = async (v: ProfileValues) => {
    if (!a) return;
    setBusy('profile');
    try {
      const phone = v.phone?.trim();
      const updated = await accountsApi.update(a.id, {
        displayName: v.displayName.trim(),
        // Only send the phone when the user typed a new one: the shown value is masked.
        ...(phone ? { phone } : {}),
      });
      setAccount(updated);
      setEditing(false);
      void message.success(t('common.saved'));
      onChanged();
    } catch (e) {
      if (!isApiError(e)) throw e;
      if (!applyServerErrors(profileForm, e, ['displayName', 'phone'])) void message.error(e.message);
    } finally {
      setBusy(null);
    }
  };

  const addAssignment = async (v: AddValues) => {
    if (!a || !v.role) return;
    setBusy('assign');
    setAddError(null);
    try {
      const body = DEPARTMENT_ROLES.includes(v.role)
        ? { role: v.role, departmentId: v.departmentId }
        : { role: v.role, areaCode: v.areaCode };
      setAccount(await accountsApi.addAssignment(a.id, body, addKey.current));
      addKey.current = newUuid();
      addForm.resetFields();
      void message.success(t('accounts.assignmentAdded'));
      onChanged();
    } catch (e) {
      if (!isApiError(e)) throw e;
      if (!applyServerErrors(addForm, e, ['role', 'areaCode', 'departmentId'])) setAddError(e);
    } finally {
      setBusy(null);
    }
  };

  return (
    <Drawer
      open={accountId !== null}
      onClose={onClose}
      size={isMobile ? '100%' : 600}
      title={a ? a.displayName : t('accounts.detail')}
      extra={a ? <StatusTags account={a} /> : null}
      destroyOnHidden
      data-testid="account-drawer"
    >
      {loadError ? (
        <ErrorResult error={loadError} onRetry={() => accountId && load(accountId)} />
      ) : !a ? (
        <Spin />
      ) : (
        <>
          {editing ? (
            <Form<ProfileValues>
              form={profileForm}
              layout="vertical"
              initialValues={{ displayName: a.displayName }}
              onFinish={saveProfile}
              data-testid="account-profile-form"
            >
              <Form.Item
                name="displayName"
                label={t('accounts.displayName')}
                rules={[
                  { required: true, whitespace: true, max: 64, message: t('accounts.displayNameRequired') },
                ]}
              >
                <Input maxLength={64} data-testid="account-edit-display-name" />
              </Form.Item>
              <Form.Item
                name="phone"
                label={`${t('accounts.phone')} ${t('common.optional')}`}
                extra={a.phone ?? undefined}
                rules={[{ pattern: /^1[3-9]\d{9}$/, message: t('login.phoneInvalid') }]}
              >
                <Input inputMode="tel" maxLength={11} data-testid="account-edit-phone" />
              </Form.Item>
              <Space>
                <Button
                  type="primary"
                  htmlType="submit"
                  loading={busy === 'profile'}
                  data-testid="account-edit-save"
                >
                  {t('common.save')}
                </Button>
                <Button onClick={() => setEditing(false)}>{t('common.cancel')}</Button>
              </Space>
            </Form>
          ) : (
            <Descriptions
              column={1}
              size="small"
              bordered={!isMobile}
              items={[
                { key: 'username', label: t('accounts.username'), children: a.username ?? t('common.none') },
                { key: 'name', label: t('accounts.displayName'), children: a.displayName },
                {
                  key: 'kind',
                  label: t('accounts.kind'),
                  children: a.kind === 'staff' ? t('accounts.kindStaff') : t('accounts.kindResident'),
                },
                {
                  key: 'phone',
                  label: t('accounts.phone'),
                  children: <RevealPhone accountId={a.id} masked={a.phone} />,
                },
                {
                  key: 'totp',
                  label: t('accounts.totp'),
                  children: a.totpEnabled ? t('accounts.totpOn') : t('accounts.totpOff'),
                },
                {
                  key: 'last',
                  label: t('accounts.lastLogin'),
                  children: a.lastLoginAt ? formatDateTime(a.lastLoginAt, locale) : t('accounts.never'),
                },
                {
                  key: 'created',
                  label: t('accounts.createdAt'),
                  children: formatDateTime(a.createdAt, locale),
                },
              ]}
            />
          )}

          {canUpdate && !editing ? (
            <Space wrap className="drawer-actions">
              <Button icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="account-edit">
                {t('common.edit')}
              </Button>
              <Popconfirm
                title={a.disabled ? t('accounts.enableConfirm') : t('accounts.disableConfirm')}
                okText={t('common.ok')}
                cancelText={t('common.cancel')}
                onConfirm={() =>
                  act('disable', async () => {
                    setAccount(await accountsApi.update(a.id, { disabled: !a.disabled }));
                    void message.success(a.disabled ? t('accounts.enabledMsg') : t('accounts.disabledMsg'));
                  })
                }
              >
                <Button
                  danger={!a.disabled}
                  icon={a.disabled ? <CheckCircleOutlined /> : <StopOutlined />}
                  loading={busy === 'disable'}
                  data-testid="account-toggle-disabled"
                >
                  {a.disabled ? t('accounts.enable') : t('accounts.disable')}
                </Button>
              </Popconfirm>
              <Popconfirm
                title={t('accounts.resetConfirm')}
                okText={t('common.ok')}
                cancelText={t('common.cancel')}
                onConfirm={() =>
                  act('reset', async () => {
                    const r = await accountsApi.resetPassword(a.id);
                    onTemporaryPassword({ username: a.username, password: r.temporaryPassword });
                  })
                }
              >
                <Button
                  icon={<KeyOutlined />}
                  loading={busy === 'reset'}
                  data-testid="account-reset-password"
                >
                  {t('accounts.resetPassword')}
                </Button>
              </Popconfirm>
              {a.locked ? (
                <Button
                  icon={<UnlockOutlined />}
                  loading={busy === 'unlock'}
                  onClick={() =>
                    act('unlock', async () => {
                      await accountsApi.unlock(a.id);
                      void message.success(t('accounts.unlocked'));
                      load(a.id);
                    })
                  }
                  data-testid="account-unlock"
                >
                  {t('accounts.unlock')}
                </Button>
              ) : null}
            </Space>
          ) : null}

          <Divider titlePlacement="start">{t('accounts.assignments')}</Divider>
          <AssignmentList
            assignments={a.assignments}
            action={
              canUnassign
                ? (asg) => (
                    <Popconfirm
                      title={t('accounts.removeAssignmentConfirm')}
                      okText={t('accounts.removeAssignment')}
                      cancelText={t('common.cancel')}
                      okButtonProps={{ danger: true }}
                      onConfirm={() =>
                        act('unassign', async () => {
                          setAccount(await accountsApi.removeAssignment(a.id, asg.id));
                          void message.success(t('accounts.assignmentRemoved'));
                        })
                      }
                    >
                      <Button size="small" type="link" danger data-testid={`assignment-remove-${asg.id}`}>
                        {t('accounts.removeAssignment')}
                      </Button>
                    </Popconfirm>
                  )
                : undefined
            }
          />
          {canAssign ? (
            <div className="add-assignment">
              <Typography.Text strong>{t('accounts.addAssignment')}</Typography.Text>
              {addError ? (
                <Alert
                  type="error"
                  showIcon
                  title={addError.message}
                  className="form-alert"
                  data-testid="assignment-add-error"
                />
              ) : null}
              <Form<AddValues>
                form={addForm}
                layout="vertical"
                onFinish={addAssignment}
                data-testid="assignment-add-form"
              >
                <div className="assignment-edit-row">
                  <AssignmentFields form={addForm} prefix={[]} testidSuffix="-new" />
                </div>
                <Button
                  type="primary"
                  htmlType="submit"
                  icon={<PlusOutlined />}
                  loading={busy === 'assign'}
                  data-testid="assignment-add-submit"
                >
                  {t('accounts.addAssignment')}
                </Button>
              </Form>
            </div>
          ) : null}
        </>
      )}
    </Drawer>
  );
}
