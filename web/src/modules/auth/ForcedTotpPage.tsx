/** The page an administrator-role account must pass first when the server says totpSetupRequired. */
import { Alert, Button, Typography } from 'antd';
import { LogoutOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router';
import { useT } from '../../i18n';
import { useSession } from '../../session';
import { LanguageSwitch, LargeTextToggle } from '../../components/Preferences';
import { TotpCard } from './TotpCard';

export default function ForcedTotpPage() {
  const t = useT();
  const { me, logout } = useSession();
  const navigate = useNavigate();
  return (
    <div className="login-page">
      <div className="login-toolbar">
        <LanguageSwitch />
        <LargeTextToggle />
        <Button
          type="text"
          icon={<LogoutOutlined />}
          onClick={() => void logout().then(() => navigate('/login', { replace: true }))}
          data-testid="logout-button"
        >
          {t('shell.logout')}
        </Button>
      </div>
      <div className="login-center">
        <div className="forced-totp" data-testid="forced-totp-page">
          <Typography.Title level={3}>{t('totp.mustSetupTitle')}</Typography.Title>
          <Typography.Paragraph type="secondary">
            {me?.account.displayName} {me?.account.username ? `(${me.account.username})` : null}
          </Typography.Paragraph>
          <Alert type="warning" showIcon title={t('totp.adminRequired')} className="form-alert" />
          {/* Once enabled, /api/me stops demanding it and the route guard lets the user in. */}
          <TotpCard hideAdminHint />
        </div>
      </div>
    </div>
  );
}
