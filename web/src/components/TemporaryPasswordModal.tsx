/** Shows a generated temporary password exactly once, with a copy button. */
import { Alert, App, Button, Modal, Typography } from 'antd';
import { CopyOutlined } from '@ant-design/icons';
import { useT } from '../i18n';
import { copyText } from './copy';
import { buttonTestId } from './testId';

export interface TemporaryPassword {
  username: string | null;
  password: string;
}

export function TemporaryPasswordModal({
  value,
  onClose,
}: {
  value: TemporaryPassword | null;
  onClose: () => void;
}) {
  const t = useT();
  const { message } = App.useApp();
  const copy = async () => {
    if (!value) return;
    if (await copyText(value.password)) void message.success(t('common.copied'));
    else void message.error(t('common.copyFailed'));
  };
  return (
    <Modal
      open={value !== null}
      title={t('accounts.tempPasswordTitle')}
      onCancel={onClose}
      onOk={onClose}
      okText={t('common.ok')}
      cancelButtonProps={{ style: { display: 'none' } }}
      okButtonProps={buttonTestId('temp-password-close')}
      mask={{ closable: false }}
      destroyOnHidden
    >
      <Alert type="warning" showIcon title={t('accounts.tempPasswordHint')} className="form-alert" />
      {value?.username ? (
        <Typography.Paragraph>
          {t('accounts.username')}: <Typography.Text strong>{value.username}</Typography.Text>
        </Typography.Paragraph>
      ) : null}
      <div className="temp-password">
        <Typography.Text code className="temp-password-text" data-testid="temp-password">
          {value?.password}
        </Typography.Text>
        <Button icon={<CopyOutlined />} onClick={copy} data-testid="temp-password-copy">
          {t('common.copy')}
        </Button>
      </div>
    </Modal>
  );
}
