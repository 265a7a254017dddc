/** The page an administrator-role account must pass first when the server says totpSetupRequired. */
import { useT } from '../../i18n';
import { ForcedStep } from './ForcedStep';
import { TotpCard } from './TotpCard';

export default function ForcedTotpPage() {
  const t = useT();
  return (
    <ForcedStep
      title={t('totp.mustSetupTitle')}
      hint={t('totp.adminRequired')}
      className="forced-totp"
      testId="forced-totp-page"
    >
      {/* Once enabled, /api/me stops demanding it and the route guard lets the user in. */}
      <TotpCard hideAdminHint />
    </ForcedStep>
  );
}
