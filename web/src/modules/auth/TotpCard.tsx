/** TOTP enrolment (QR code, secret, confirming code) and removal, for the profile and the forced set-up page. */
import { useState } from 'react';
import { Alert, App, Button, Card, Form, Input, Space, Tag, Typography } from 'antd';
import { SafetyCertificateOutlined } from '@ant-design/icons';
import { toDataURL } from 'qrcode';
import { ADMIN_ROLES } from '../../../../common/roles';
import { isApiError, type ApiError } from '../../api';
import { useLocale } from '../../i18n';
import { useMe, useSession } from '../../session';
import { authApi } from './api';

const SIX_DIGITS = /^\d{6}$/;

interface Setup {
  secret: string;
  qr: string;
}

/** Base32 secrets are easier to type in groups of four. */
const groupSecret = (s: string) => s.replace(/(.{4})(?=.)/g, '$1 ');

export function TotpCard({ hideAdminHint = false }: { hideAdminHint?: boolean }) {
  const { t } = useLocale();
  const { message } = App.useApp();
  const me = useMe();
  const { refresh } = useSession();
  const [setup, setSetup] = useState<Setup | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [form] = Form.useForm<{ code: string }>();
  const enabled = me.account.totpEnabled;
  const mustUse = me.assignments.some((a) => ADMIN_ROLES.includes(a.role));

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      if (!isApiError(e)) throw e;
      setError(e);
      if (e.details.length) form.setFields([{ name: 'code', errors: [e.message] }]);
    } finally {
      setBusy(false);
    }
  };

  const startSetup = () =>
    run(async () => {
      const r = await authApi.totpSetup();
      const qr = await toDataURL(r.otpauthUrl, { margin: 1, width: 220, errorCorrectionLevel: 'M' });
      form.resetFields();
      setSetup({ secret: r.secret, qr });
    });

  const confirm = ({ code }: { code: string }) =>
    run(async () => {
      if (enabled) {
        await authApi.totpDisable(code);
        void message.success(t('totp.disabled'));
      } else {
        await authApi.totpEnable(code);
        void message.success(t('totp.enabled'));
        setSetup(null);
      }
      form.resetFields();
      await refresh();
    });

  const codeForm = (submitLabel: string, testid: string) => (
    <Form form={form} layout="inline" onFinish={confirm} className="totp-form">
      <Form.Item name="code" rules={[{ required: true, pattern: SIX_DIGITS, message: t('login.sixDigits') }]}>
        <Input
          placeholder={t('totp.code')}
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={6}
          data-testid={`${testid}-code`}
          style={{ width: '13em' }}
        />
      </Form.Item>
      <Form.Item>
        <Button type="primary" htmlType="submit" loading={busy} danger={enabled} data-testid={testid}>
          {submitLabel}
        </Button>
      </Form.Item>
    </Form>
  );

  return (
    <Card
      title={
        <Space>
          <SafetyCertificateOutlined />
          {t('totp.title')}
          <Tag color={enabled ? 'success' : 'default'} data-testid="totp-status">
            {enabled ? t('totp.statusOn') : t('totp.statusOff')}
          </Tag>
        </Space>
      }
      data-testid="totp-card"
    >
      {mustUse && !enabled && !hideAdminHint ? (
        <Alert type="warning" showIcon title={t('totp.adminRequired')} className="form-alert" />
      ) : null}
      {error ? (
        <Alert type="error" showIcon title={error.message} className="form-alert" data-testid="totp-error" />
      ) : null}
      {enabled ? (
        <>
          <Typography.Paragraph type="secondary">{t('totp.disableHint')}</Typography.Paragraph>
          {codeForm(t('totp.disable'), 'totp-disable')}
        </>
      ) : setup ? (
        <div className="totp-setup">
          <Typography.Paragraph>{t('totp.scanHint')}</Typography.Paragraph>
          <img
            src={setup.qr}
            alt={t('totp.qrAlt')}
            width={220}
            height={220}
            className="totp-qr"
            data-testid="totp-qr"
          />
          <Typography.Paragraph>
            {t('totp.secret')}:{' '}
            <Typography.Text code copyable={{ text: setup.secret }} data-testid="totp-secret">
              {groupSecret(setup.secret)}
            </Typography.Text>
          </Typography.Paragraph>
          {codeForm(t('totp.confirmEnable'), 'totp-enable')}
        </div>
      ) : (
        <Button type="primary" onClick={startSetup} loading={busy} data-testid="totp-setup">
          {t('totp.setup')}
        </Button>
      )}
    </Card>
  );
}
