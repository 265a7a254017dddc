/** The new-account form: identity, optional password, and any number of assignments. */
import { useEffect, useRef, useState } from 'react';
import { Alert, Button, Form, Input, Modal } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { DEPARTMENT_ROLES, type Role } from '../../../../common/roles';
import { isApiError, newUuid, type ApiError } from '../../api';
import { useT } from '../../i18n';
import { applyServerErrors } from '../../components/formErrors';
import { buttonTestId } from '../../components/testId';
import { useIsMobile } from '../../components/useIsMobile';
import { AssignmentFields } from './AssignmentFields';
import { accountsApi, type AccountCreate, type AccountView, type AssignmentInput } from './api';

interface Values {
  username: string;
  displayName: string;
  phone?: string;
  password?: string;
  assignments: { role?: Role; areaCode?: string; departmentId?: string }[];
}

const USERNAME_RE = /^[a-zA-Z][a-zA-Z0-9._-]{2,63}$/;
const PHONE_RE = /^1[3-9]\d{9}$/;

export function AccountCreateModal({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (account: AccountView, temporaryPassword: string | null) => void;
}) {
  const t = useT();
  const isMobile = useIsMobile();
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState<ApiError | null>(null);
  const [saving, setSaving] = useState(false);
  // One key per opening: a retry after a lost response must not create a second account.
  const idemKey = useRef(newUuid());

  useEffect(() => {
    if (!open) return;
    idemKey.current = newUuid();
    setError(null);
    form.resetFields();
  }, [open, form]);

  const onFinish = async (v: Values) => {
    setSaving(true);
    setError(null);
    const body: AccountCreate = {
      username: v.username.trim(),
      displayName: v.displayName.trim(),
      ...(v.phone ? { phone: v.phone.trim() } : {}),
      ...(v.password ? { password: v.password } : {}),
      assignments: v.assignments.flatMap((a): AssignmentInput[] => {
        if (!a.role) return [];
        return DEPARTMENT_ROLES.includes(a.role)
          ? [{ role: a.role, departmentId: a.departmentId }]
          : [{ role: a.role, areaCode: a.areaCode }];
      }),
    };
    try {
      const r = await accountsApi.create(body, idemKey.current);
      onCreated(r.account, r.temporaryPassword);
    } catch (e) {
      if (!isApiError(e)) throw e;
      if (!applyServerErrors(form, e, ['username', 'displayName', 'phone', 'password', 'assignments']))
        setError(e);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open={open}
      title={t('accounts.createTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      okButtonProps={buttonTestId('account-create-submit')}
      width={isMobile ? '100%' : 640}
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
          data-testid="account-create-error"
        />
      ) : null}
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={onFinish}
        initialValues={{ assignments: [{}] }}
        data-testid="account-create-form"
      >
        <Form.Item
          name="username"
          label={t('accounts.username')}
          extra={t('accounts.usernameRule')}
          rules={[{ required: true, pattern: USERNAME_RE, message: t('accounts.usernameRule') }]}
        >
          <Input autoComplete="off" autoCapitalize="none" spellCheck={false} data-testid="account-username" />
        </Form.Item>
        <Form.Item
          name="displayName"
          label={t('accounts.displayName')}
          rules={[{ required: true, whitespace: true, max: 64, message: t('accounts.displayNameRequired') }]}
        >
          <Input maxLength={64} data-testid="account-display-name" />
        </Form.Item>
        <Form.Item
          name="phone"
          label={`${t('accounts.phone')} ${t('common.optional')}`}
          rules={[{ pattern: PHONE_RE, message: t('login.phoneInvalid') }]}
        >
          <Input inputMode="tel" maxLength={11} data-testid="account-phone" />
        </Form.Item>
        <Form.Item
          name="password"
          label={`${t('accounts.password')} ${t('common.optional')}`}
          extra={t('accounts.passwordHint')}
        >
          <Input.Password autoComplete="new-password" data-testid="account-password" />
        </Form.Item>
        <Form.Item label={t('accounts.assignments')} required>
          <Form.List name="assignments">
            {(fields, { add, remove }, { errors }) => (
              <>
                {fields.map((field, i) => (
                  <div key={field.key} className="assignment-edit-row" data-testid={`assignment-row-${i}`}>
                    <AssignmentFields
                      form={form}
                      prefix={[field.name]}
                      listName="assignments"
                      testidSuffix={`-${i}`}
                    />
                    {fields.length > 1 ? (
                      <Button
                        type="text"
                        danger
                        icon={<MinusCircleOutlined />}
                        onClick={() => remove(field.name)}
                        aria-label={t('accounts.removeAssignment')}
                        data-testid={`assignment-remove-row-${i}`}
                      />
                    ) : null}
                  </div>
                ))}
                <Button
                  type="dashed"
                  icon={<PlusOutlined />}
                  onClick={() => add({})}
                  block
                  data-testid="account-add-assignment"
                >
                  {t('accounts.addAssignment')}
                </Button>
                <Form.ErrorList errors={errors} />
              </>
            )}
          </Form.List>
        </Form.Item>
      </Form>
    </Modal>
  );
}
