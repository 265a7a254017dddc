/**
 * A masked ID or phone number with a 显示 button: the user states a purpose, the server answers the clear value and
 * when it expires (audited), and the value shows with a countdown until then, then is masked again.
 */
import { useEffect, useState } from 'react';
import { Alert, Button, Form, Input, Modal, Space, Typography } from 'antd';
import { EyeInvisibleOutlined, EyeOutlined } from '@ant-design/icons';
import { PURPOSE_MAX, PURPOSE_MIN } from '../../../../common/schemas/people';
import { isApiError, type ApiError } from '../../api';
import { useT } from '../../i18n';
import { useSession } from '../../session';
import { buttonTestId } from '../../components/testId';
import { peopleApi, type RevealField as Field } from './api';

interface Shown {
  value: string | null;
  expiresAt: number;
}

export function RevealField({
  residentId,
  field,
  masked,
  label,
}: {
  residentId: string;
  field: Field;
  masked: string | null;
  /** The field's name, for the dialog title. */
  label: string;
}) {
  const t = useT();
  const { can } = useSession();
  const [open, setOpen] = useState(false);
  const [shown, setShown] = useState<Shown | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ purpose: string }>();

  // Tick while a value is shown; mask it again at expiresAt.
  useEffect(() => {
    if (!shown) return;
    const timer = window.setInterval(() => {
      const n = Date.now();
      setNow(n);
      if (n >= shown.expiresAt) {
        setShown(null);
        window.clearInterval(timer);
      }
    }, 1000);
    return () => window.clearInterval(timer);
  }, [shown]);

  if (!masked) return <Typography.Text type="secondary">{t('common.none')}</Typography.Text>;

  const submit = async ({ purpose }: { purpose: string }) => {
    setBusy(true);
    setError(null);
    try {
      const r = await peopleApi.reveal(residentId, field, purpose.trim());
      setNow(Date.now());
      setShown({ value: r.value, expiresAt: Date.parse(r.expiresAt) });
      setOpen(false);
      form.resetFields();
    } catch (e) {
      if (!isApiError(e)) throw e;
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const secondsLeft = shown ? Math.max(0, Math.ceil((shown.expiresAt - now) / 1000)) : 0;
  return (
    <Space size={4} wrap>
      <Typography.Text className="mono nowrap" data-testid={shown ? `revealed-${field}` : `masked-${field}`}>
        {shown ? (shown.value ?? t('common.none')) : masked}
      </Typography.Text>
      {shown ? (
        <>
          <Typography.Text type="secondary" className="nowrap">
            {t('people.reveal.countdown', { s: secondsLeft })}
          </Typography.Text>
          <Button size="small" icon={<EyeInvisibleOutlined />} onClick={() => setShown(null)}>
            {t('people.reveal.hide')}
          </Button>
        </>
      ) : can('reveal', 'PersonalData') ? (
        <Button
          size="small"
          icon={<EyeOutlined />}
          onClick={() => {
            setError(null);
            setOpen(true);
          }}
          data-testid={`reveal-${field}`}
        >
          {t('people.reveal.show')}
        </Button>
      ) : null}
      <Modal
        open={open}
        title={t('people.reveal.title', { field: label })}
        onCancel={() => setOpen(false)}
        onOk={() => form.submit()}
        okText={t('people.reveal.show')}
        cancelText={t('common.cancel')}
        confirmLoading={busy}
        okButtonProps={buttonTestId('reveal-submit')}
        destroyOnHidden
        forceRender
      >
        <Alert type="info" showIcon title={t('people.reveal.hint')} className="form-alert" />
        {error ? <Alert type="error" showIcon title={error.message} className="form-alert" /> : null}
        {/* Named per field: both dialogs are rendered, and their inputs need ids of their own. */}
        <Form form={form} name={`reveal-${field}`} layout="vertical" onFinish={submit}>
          <Form.Item
            name="purpose"
            label={t('people.reveal.purpose')}
            rules={[
              {
                required: true,
                whitespace: true,
                min: PURPOSE_MIN,
                max: PURPOSE_MAX,
                message: t('people.reveal.purposeRequired'),
              },
            ]}
          >
            <Input.TextArea rows={3} maxLength={PURPOSE_MAX} showCount data-testid="reveal-purpose" />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
