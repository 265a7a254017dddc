/** My profile: who I am, my assignments, password change, and TOTP set-up and removal. */
import { Card, Descriptions } from 'antd';
import { formatDateTime, useLocale } from '../../i18n';
import { useMe } from '../../session';
import { Page } from '../../components/Page';
import { AssignmentList } from '../../components/AssignmentList';
import { ChangePasswordForm } from './ChangePasswordForm';
import { TotpCard } from './TotpCard';

export default function ProfilePage() {
  const { t, locale } = useLocale();
  const me = useMe();
  const a = me.account;
  const staff = a.kind === 'staff';
  return (
    <Page title={t('profile.title')}>
      <div className="card-stack">
        <Card title={t('profile.account')} data-testid="profile-card">
          <Descriptions
            column={{ xs: 1, sm: 1, md: 2 }}
            items={[
              { key: 'name', label: t('accounts.displayName'), children: a.displayName },
              ...(a.username
                ? [{ key: 'username', label: t('accounts.username'), children: a.username }]
                : []),
              {
                key: 'kind',
                label: t('accounts.kind'),
                children: staff ? t('accounts.kindStaff') : t('accounts.kindResident'),
              },
              { key: 'phone', label: t('accounts.phone'), children: a.phone ?? t('common.none') },
              ...(a.passwordExpiresAt
                ? [
                    {
                      key: 'expires',
                      label: t('password.expiresAt'),
                      children: formatDateTime(a.passwordExpiresAt, locale),
                    },
                  ]
                : []),
            ]}
          />
        </Card>
        <Card title={t('profile.assignments')}>
          <AssignmentList assignments={me.assignments} />
        </Card>
        {staff ? (
          <Card title={t('password.changeTitle')}>
            <ChangePasswordForm />
          </Card>
        ) : null}
        {staff ? <TotpCard /> : null}
      </div>
    </Page>
  );
}
