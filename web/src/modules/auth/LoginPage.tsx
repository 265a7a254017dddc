/** The login page: staff sign in with username, password and TOTP when asked; residents with phone and SMS code. */
import { useState } from 'react';
import { Alert, App, Button, Card, Form, Input, Space, Tabs, Typography } from 'antd';
import {
  FileSearchOutlined,
  LockOutlined,
  MobileOutlined,
  SafetyOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { Link } from 'react-router';
import { isApiError, type ApiError } from '../../api';
import { useT } from '../../i18n';
import { useSession } from '../../session';
import { applyServerErrors } from '../../components/formErrors';
import { useCountdown } from '../../components/useCountdown';
import { LanguageSwitch, LargeTextToggle } from '../../components/Preferences';
import { authApi } from './api';

interface StaffValues {
  username: string;
  password: string;
  totp?: string;
}

interface ResidentValues {
  phone: string;
  code: string;
}

const PHONE_RE = /^1[3-9]\d{9}$/;
const SIX_DIGITS = /^\d{6}$/;

function StaffLogin() {
  const t = useT();
  const { refresh } = useSession();
  const [form] = Form.useForm<StaffValues>();
  const [needTotp, setNeedTotp] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [lockedFor, startLock] = useCountdown();

  const onFinish = async (v: StaffValues) => {
    setSubmitting(true);
    setError(null);
    try {
      await authApi.login({
        username: v.username.trim(),
        password: v.password,
        ...(needTotp ? { totp: v.totp } : {}),
      });
      // The login route redirects as soon as the session turns authenticated.
      await refresh();
    } catch (e) {
      if (!isApiError(e)) throw e;
      if (e.code === 'auth.totp_required' && !needTotp) {
        setNeedTotp(true);
        return;
      }
      if (e.code === 'auth.locked' && e.retryAfterSeconds) startLock(e.retryAfterSeconds);
      if (e.code === 'auth.totp_required' || e.code === 'auth.totp_invalid') form.setFieldValue('totp', '');
      applyServerErrors(form, e, ['username', 'password', 'totp']);
      setError(e);
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Form<StaffValues>
      form={form}
      layout="vertical"
      size="large"
      onFinish={onFinish}
      requiredMark={false}
      data-testid="staff-login-form"
    >
      {error ? (
        <Alert type="error" showIcon title={error.message} className="form-alert" data-testid="login-error" />
      ) : null}
      <Form.Item
        name="username"
        label={t('login.username')}
        rules={[{ required: true, whitespace: true, message: t('login.usernameRequired') }]}
      >
        <Input
          prefix={<UserOutlined />}
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          data-testid="login-username"
        />
      </Form.Item>
      <Form.Item
        name="password"
        label={t('login.password')}
        rules={[{ required: true, message: t('login.passwordRequired') }]}
      >
        <Input.Password
          prefix={<LockOutlined />}
          autoComplete="current-password"
          data-testid="login-password"
        />
      </Form.Item>
      {needTotp ? (
        <>
          <Alert type="info" showIcon title={t('login.totpHint')} className="form-alert" />
          <Form.Item
            name="totp"
            label={t('login.totp')}
            rules={[{ required: true, pattern: SIX_DIGITS, message: t('login.sixDigits') }]}
          >
            <Input
              prefix={<SafetyOutlined />}
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={6}
              autoFocus
              data-testid="login-totp"
            />
          </Form.Item>
        </>
      ) : null}
      <Button
        type="primary"
        htmlType="submit"
        block
        loading={submitting}
        disabled={lockedFor > 0}
        data-testid="login-submit"
      >
        {lockedFor > 0 ? t('login.retryIn', { seconds: lockedFor }) : t('login.submit')}
      </Button>
    </Form>
  );
}

function ResidentLogin() {
  const t = useT();
  const { message } = App.useApp();
  const { refresh } = useSession();
  const [form] = Form.useForm<ResidentValues>();
  const [error, setError] = useState<ApiError | null>(null);
  const [sending, setSending] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [resendIn, startResend] = useCountdown();

  const sendCode = async () => {
    let phone: string;
    try {
      phone = (await form.validateFields(['phone'])).phone;
    } catch {
      return;
    }
    setSending(true);
    setError(null);
    try {
      await authApi.residentCode(phone);
      startResend(60);
      void message.success(t('login.codeSent'));
    } catch (e) {
      if (!isApiError(e)) throw e;
      if (e.retryAfterSeconds) startResend(e.retryAfterSeconds);
      applyServerErrors(form, e, ['phone']);
      setError(e);
    } finally {
      setSending(false);
    }
  };

  const onFinish = async (v: ResidentValues) => {
    setSubmitting(true);
    setError(null);
    try {
      await authApi.residentLogin(v.phone, v.code);
      await refresh();
    } catch (e) {
      if (!isApiError(e)) throw e;
      applyServerErrors(form, e, ['phone', 'code']);
      setError(e);
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Form<ResidentValues>
      form={form}
      layout="vertical"
      size="large"
      onFinish={onFinish}
      requiredMark={false}
      data-testid="resident-login-form"
    >
      <Typography.Paragraph type="secondary">{t('login.residentHint')}</Typography.Paragraph>
      {error ? (
        <Alert
          type="error"
          showIcon
          title={error.message}
          className="form-alert"
          data-testid="resident-login-error"
        />
      ) : null}
      <Form.Item
        name="phone"
        label={t('login.phone')}
        rules={[{ required: true, pattern: PHONE_RE, message: t('login.phoneInvalid') }]}
      >
        <Input
          prefix={<MobileOutlined />}
          inputMode="tel"
          autoComplete="tel"
          maxLength={11}
          data-testid="resident-phone"
        />
      </Form.Item>
      <Form.Item label={t('login.smsCode')} required>
        <Space.Compact block>
          <Form.Item
            name="code"
            noStyle
            rules={[{ required: true, pattern: SIX_DIGITS, message: t('login.sixDigits') }]}
          >
            <Input
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={6}
              data-testid="resident-code"
            />
          </Form.Item>
          <Button
            onClick={sendCode}
            loading={sending}
            disabled={resendIn > 0}
            data-testid="resident-send-code"
          >
            {resendIn > 0 ? t('login.resendIn', { seconds: resendIn }) : t('login.sendCode')}
          </Button>
        </Space.Compact>
      </Form.Item>
      <Button type="primary" htmlType="submit" block loading={submitting} data-testid="resident-submit">
        {t('login.submit')}
      </Button>
    </Form>
  );
}

export default function LoginPage() {
  const t = useT();
  const { state } = useSession();
  const reason = state.status === 'anonymous' ? state.reason : undefined;
  return (
    <div className="login-page">
      <div className="login-toolbar">
        <LanguageSwitch />
        <LargeTextToggle />
      </div>
      <div className="login-center">
        <div className="login-brand">
          <img src="/favicon.svg" alt="" className="login-logo" />
          <Typography.Title level={1} className="login-title">
            {t('app.name')}
          </Typography.Title>
          <Typography.Text type="secondary" className="login-tagline">
            {t('app.tagline')}
          </Typography.Text>
        </div>
        <Card className="login-card">
          {reason === 'expired' ? (
            <Alert
              type="warning"
              showIcon
              title={t('shell.sessionExpired')}
              className="form-alert"
              data-testid="session-expired"
            />
          ) : null}
          <Tabs
            defaultActiveKey="staff"
            centered
            destroyOnHidden={false}
            items={[
              {
                key: 'staff',
                label: <span data-testid="login-tab-staff">{t('login.staffTab')}</span>,
                children: <StaffLogin />,
              },
              {
                key: 'resident',
                label: <span data-testid="login-tab-resident">{t('login.residentTab')}</span>,
                children: <ResidentLogin />,
              },
            ]}
          />
        </Card>
        <Link to="/track" className="login-track-link" data-testid="login-track-link">
          <FileSearchOutlined /> {t('track.loginLink')}
        </Link>
        <Typography.Text type="secondary" className="login-footer">
          {t('app.footer')}
        </Typography.Text>
      </div>
    </div>
  );
}
