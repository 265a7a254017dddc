/** Home: a welcome card with who you are and your assignments, and quick links to what you may open. */
import { Card, Col, Row, Tag, Typography } from 'antd';
import { UserOutlined } from '@ant-design/icons';
import { Link } from 'react-router';
import { useLocale } from '../../i18n';
import { useMe, useSession } from '../../session';
import { AssignmentList } from '../../components/AssignmentList';
import { navItems, roleNames } from '../../components/AppShell';
import { handlesCases, WorkCard } from '../cases/WorkCard';
import { ResidentHome } from '../resident/ResidentHome';

export default function HomePage() {
  const { t, locale } = useLocale();
  const me = useMe();
  const { can } = useSession();
  const links = navItems(me, can).filter((i) => i.key !== 'home');
  const roles = roleNames(me, locale);
  // Residents land on four big buttons instead of the staff overview.
  if (me.account.kind === 'resident') return <ResidentHome />;
  return (
    <div className="page card-stack">
      <Card className="welcome-card" data-testid="welcome-card">
        <Typography.Title level={2} className="welcome-title">
          {t('home.welcome', { name: me.account.displayName })}
        </Typography.Title>
        <Typography.Paragraph type="secondary">{t('home.staffIntro')}</Typography.Paragraph>
        <div className="welcome-meta">
          {me.account.username ? <Tag icon={<UserOutlined />}>{me.account.username}</Tag> : null}
          {roles.map((r) => (
            <Tag key={r} color="blue">
              {r}
            </Tag>
          ))}
        </div>
        {me.account.kind === 'staff' ? (
          <>
            <Typography.Title level={5}>{t('home.assignments')}</Typography.Title>
            <AssignmentList assignments={me.assignments} empty={t('home.noAssignments')} />
          </>
        ) : null}
      </Card>
      {handlesCases(me, can) ? <WorkCard /> : null}
      <Card title={t('home.quickLinks')}>
        <Row gutter={[12, 12]}>
          {links.map((item) => {
            const body = (
              <Card hoverable size="small" className="quick-link">
                <span className="quick-link-icon">{item.icon}</span>
                <span className="quick-link-label">{t(item.label)}</span>
              </Card>
            );
            return (
              <Col key={item.key} xs={12} sm={8} lg={6} data-testid={`quick-${item.key}`}>
                {item.external ? (
                  <a href={item.path} target="_blank" rel="noreferrer">
                    {body}
                  </a>
                ) : (
                  <Link to={item.path}>{body}</Link>
                )}
              </Col>
            );
          })}
        </Row>
      </Card>
    </div>
  );
}
