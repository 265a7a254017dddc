/** The frame of a step the server requires before anything else (password change, TOTP enrolment). */
import type { ReactNode } from 'react';
import { Alert, Button, Card, Typography } from 'antd';
import { LogoutOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router';
import { useT } from '../../i18n';
import { useSession } from '../../session';
import { LanguageSwitch, LargeTextToggle } from '../../components/Preferences';

export function ForcedStep(props: {
  title: string;
  hint: string;
  className: string;
  testId: string;
  /** Show the step on a card (the password form) rather than bare (the TOTP card brings its own). */
  card?: boolean;
  children: ReactNode;
}) {
  const t = useT();
  const { me, logout } = useSession();
  const navigate = useNavigate();
  const content = (
    <>
      <Typography.Title level={3}>{props.title}</Typography.Title>
      <Typography.Paragraph type="secondary">
        {me?.account.displayName} {me?.account.username ? `(${me.account.username})` : null}
      </Typography.Paragraph>
      <Alert type="warning" showIcon title={props.hint} className="form-alert" />
      {props.children}
    </>
  );
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
        {props.card ? (
          <Card className={props.className} data-testid={props.testId}>
            {content}
          </Card>
        ) : (
          <div className={props.className} data-testid={props.testId}>
            {content}
          </div>
        )}
      </div>
    </div>
  );
}
