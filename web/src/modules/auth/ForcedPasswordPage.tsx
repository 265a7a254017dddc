/** The page a user must pass before anything else when the server says mustChangePassword. */
import { Alert, Button, Card, Typography } from 'antd';
import { LogoutOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router';
import { useT } from '../../i18n';
import { useSession } from '../../session';
import { LanguageSwitch, LargeTextToggle } from '../../components/Preferences';
import { ChangePasswordForm } from './ChangePasswordForm';

export default function ForcedPasswordPage() {
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
        <Card className="login-card" data-testid="forced-password-page">
          <Typography.Title level={3}>{t('password.mustChangeTitle')}</Typography.Title>
          <Typography.Paragraph type="secondary">
            {me?.account.displayName} {me?.account.username ? `(${me.account.username})` : null}
          </Typography.Paragraph>
          <Alert type="warning" showIcon title={t('password.mustChangeHint')} className="form-alert" />
          {/* After the change, /api/me no longer demands it and the route guard lets the user in. */}
          <ChangePasswordForm onDone={() => navigate('/', { replace: true })} />
        </Card>
      </div>
    </div>
  );
}
