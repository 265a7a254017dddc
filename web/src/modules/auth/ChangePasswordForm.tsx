/** The change-password form, shared by the forced first-login page and the profile page. */
import { useState } from 'react';
import { Alert, App, Button, Form, Input } from 'antd';
import { isApiError, type ApiError } from '../../api';
import { useT } from '../../i18n';
import { useSession } from '../../session';
import { applyServerErrors } from '../../components/formErrors';
import { authApi } from './api';

interface Values {
  currentPassword: string;
  newPassword: string;
  confirm: string;
}

export function ChangePasswordForm({ onDone }: { onDone?: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const { refresh } = useSession();
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState<ApiError | null>(null);
  const [submitting, setSubmitting] = useState(false);

  const onFinish = async (v: Values) => {
    setSubmitting(true);
    setError(null);
    try {
      await authApi.changePassword(v.currentPassword, v.newPassword);
      form.resetFields();
      void message.success(t('password.changed'));
      await refresh();
      onDone?.();
    } catch (e) {
      if (!isApiError(e)) throw e;
      if (!applyServerErrors(form, e, ['currentPassword', 'newPassword'])) setError(e);
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Form<Values>
      form={form}
      layout="vertical"
      onFinish={onFinish}
      requiredMark={false}
      className="narrow-form"
      data-testid="change-password-form"
    >
      {error ? (
        <Alert
          type="error"
          showIcon
          title={error.message}
          className="form-alert"
          data-testid="change-password-error"
        />
      ) : null}
      <Form.Item
        name="currentPassword"
        label={t('password.current')}
        rules={[{ required: true, message: t('password.required') }]}
      >
        <Input.Password autoComplete="current-password" data-testid="password-current" />
      </Form.Item>
      <Form.Item
        name="newPassword"
        label={t('password.new')}
        rules={[{ required: true, message: t('password.required') }]}
      >
        <Input.Password autoComplete="new-password" data-testid="password-new" />
      </Form.Item>
      <Form.Item
        name="confirm"
        label={t('password.confirm')}
        dependencies={['newPassword']}
        rules={[
          { required: true, message: t('password.required') },
          ({ getFieldValue }) => ({
            validator: (_rule, value: string | undefined) =>
              !value || value === getFieldValue('newPassword')
                ? Promise.resolve()
                : Promise.reject(new Error(t('password.mismatch'))),
          }),
        ]}
      >
        <Input.Password autoComplete="new-password" data-testid="password-confirm" />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={submitting} data-testid="password-submit">
        {t('password.submit')}
      </Button>
    </Form>
  );
}
