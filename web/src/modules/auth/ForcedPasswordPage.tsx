/** The page a user must pass before anything else when the server says mustChangePassword. */
import { useNavigate } from 'react-router';
import { useT } from '../../i18n';
import { ForcedStep } from './ForcedStep';
import { ChangePasswordForm } from './ChangePasswordForm';

export default function ForcedPasswordPage() {
  const t = useT();
  const navigate = useNavigate();
  return (
    <ForcedStep
      title={t('password.mustChangeTitle')}
      hint={t('password.mustChangeHint')}
      className="login-card"
      card
      testId="forced-password-page"
    >
      {/* After the change, /api/me no longer demands it and the route guard lets the user in. */}
      <ChangePasswordForm onDone={() => navigate('/', { replace: true })} />
    </ForcedStep>
  );
}
