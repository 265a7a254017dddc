/** A masked phone number with an eye button that reveals it after the user states a purpose (audited). */
import { useState } from 'react';
import { Alert, Button, Form, Input, Modal, Space, Tooltip, Typography } from 'antd';
import { EyeInvisibleOutlined, EyeOutlined } from '@ant-design/icons';
import { isApiError, type ApiError } from '../../api';
import { useT } from '../../i18n';
import { useSession } from '../../session';
import { buttonTestId } from '../../components/testId';
import { accountsApi } from './api';

export function RevealPhone({ accountId, masked }: { accountId: string; masked: string | null }) {
  const t = useT();
  const { can } = useSession();
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ purpose: string }>();

  if (!masked) return <Typography.Text type="secondary">{t('common.none')}</Typography.Text>;

  const submit = async ({ purpose }: { purpose: string }) => {
    setBusy(true);
    setError(null);
    try {
      const r = await accountsApi.reveal(accountId, purpose.trim());
      setValue(r.value);
      setOpen(false);
      form.resetFields();
    } catch (e) {
      if (!isApiError(e)) throw e;
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Space size={4}>
      <Typography.Text className="mono nowrap" data-testid={value ? 'revealed-phone' : 'masked-phone'}>
        {value ?? masked}
      </Typography.Text>
      {value ? (
        <Tooltip title={t('reveal.hide')}>
          <Button
            type="text"
            size="small"
            icon={<EyeInvisibleOutlined />}
            aria-label={t('reveal.hide')}
            onClick={() => setValue(null)}
          />
        </Tooltip>
      ) : can('reveal', 'PersonalData') || can('reveal', 'Account') ? (
        <Tooltip title={t('reveal.show')}>
          <Button
            type="text"
            size="small"
            icon={<EyeOutlined />}
            aria-label={t('reveal.show')}
            onClick={() => {
              setError(null);
              setOpen(true);
            }}
            data-testid="reveal-phone"
          />
        </Tooltip>
      ) : null}
      <Modal
        open={open}
        title={t('reveal.title')}
        onCancel={() => setOpen(false)}
        onOk={() => form.submit()}
        okText={t('reveal.submit')}
        cancelText={t('common.cancel')}
        confirmLoading={busy}
        okButtonProps={buttonTestId('reveal-submit')}
        destroyOnHidden
        forceRender
      >
        <Alert type="info" showIcon title={t('reveal.purposeHint')} className="form-alert" />
        {error ? (
          <Alert
            type="error"
            showIcon
            title={error.message}
            className="form-alert"
            data-testid="reveal-error"
          />
        ) : null}
        <Form form={form} layout="vertical" onFinish={submit}>
          <Form.Item
            name="purpose"
            label={t('reveal.purpose')}
            rules={[
              { required: true, whitespace: true, min: 2, max: 200, message: t('reveal.purposeRequired') },
            ]}
          >
            <Input.TextArea rows={3} maxLength={200} showCount data-testid="reveal-purpose" />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
