/** The signed-in frame: header (brand, user, language, large text, logout) and a menu built from abilities. */
import { Suspense, useMemo, useState, type ReactNode } from 'react';
import { Avatar, Button, Drawer, Layout, Menu, Spin, Tooltip, Typography } from 'antd';
import type { MenuProps } from 'antd';
import {
  ApartmentOutlined,
  ApiOutlined,
  ClusterOutlined,
  AuditOutlined,
  BorderOuterOutlined,
  CalendarOutlined,
  DesktopOutlined,
  HomeOutlined,
  KeyOutlined,
  LogoutOutlined,
  MenuOutlined,
  TeamOutlined,
  UserOutlined,
} from '@ant-design/icons';
import {
  EnvironmentOutlined,
  FormOutlined,
  ScheduleOutlined,
  UnorderedListOutlined,
} from '@ant-design/icons';
import {
  BankOutlined,
  BarChartOutlined,
  BellOutlined,
  EditOutlined,
  FileSearchOutlined,
  ProfileOutlined,
  SolutionOutlined,
  TagsOutlined,
} from '@ant-design/icons';
import { AimOutlined, FundOutlined, ScheduleFilled } from '@ant-design/icons';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { ADMIN_ROLES, type Role } from '../../../common/roles';
import type { MessageKey } from '../../../common/i18n';
import { roleName, useLocale } from '../i18n';
import { useSession, type Me } from '../session';
import { useIsMobile } from './useIsMobile';
import { LanguageSwitch, LargeTextToggle } from './Preferences';
import { NotificationBell } from '../modules/notifications/NotificationBell';

interface NavItem {
  key: string;
  path: string;
  label: MessageKey;
  icon: ReactNode;
  external?: boolean;
}

/** The menu entries this account's abilities allow, in menu order. */
export function navItems(me: Me, can: ReturnType<typeof useSession>['can']): NavItem[] {
  const items: NavItem[] = [{ key: 'home', path: '/', label: 'menu.home', icon: <HomeOutlined /> }];
  // Staff case screens; residents (who may create cases online) have their own pages.
  if (me.account.kind !== 'resident' && can('read', 'Case')) {
    items.push({ key: 'work', path: '/work', label: 'menu.casesWork', icon: <ScheduleOutlined /> });
    items.push({ key: 'cases', path: '/cases', label: 'menu.casesList', icon: <UnorderedListOutlined /> });
    if (can('create', 'Case'))
      items.push({ key: 'caseNew', path: '/cases/new', label: 'menu.casesNew', icon: <FormOutlined /> });
    if (can('read', 'Statistics'))
      items.push({
        key: 'caseMap',
        path: '/cases/map',
        label: 'menu.casesMap',
        icon: <EnvironmentOutlined />,
      });
  }
  // Residents get four plain entries; everyone signed in has the inbox.
  if (me.account.kind === 'resident') {
    items.push({ key: 'report', path: '/report', label: 'resident.menuReport', icon: <EditOutlined /> });
    items.push({
      key: 'myCases',
      path: '/my-cases',
      label: 'resident.menuMyCases',
      icon: <ProfileOutlined />,
    });
  }
  items.push({ key: 'inbox', path: '/inbox', label: 'notifications.menu', icon: <BellOutlined /> });
  if (me.account.kind === 'resident')
    items.push({ key: 'track', path: '/track', label: 'resident.menuTrack', icon: <FileSearchOutlined /> });
  if (me.account.kind === 'resident')
    items.push({
      key: 'myHousehold',
      path: '/my-household',
      label: 'myHousehold.menu',
      icon: <TeamOutlined />,
    });
  // The population register (住户与人口): staff who read residents and households.
  if (me.account.kind !== 'resident' && can('read', 'Population'))
    items.push({ key: 'households', path: '/households', label: 'people.menu', icon: <SolutionOutlined /> });
  // Focus groups (重点人群): staff who read residents and the tag tree.
  if (me.account.kind !== 'resident' && can('read', 'Population') && can('read', 'Tag'))
    items.push({ key: 'focusGroups', path: '/focus-groups', label: 'tags.menu', icon: <TagsOutlined /> });
  // Home visits (入户走访): the due list, the ledger (民情台账) and the visit rules, each as the server allows.
  if (me.account.kind !== 'resident' && can('read', 'Visit'))
    items.push({ key: 'visits', path: '/visits', label: 'visits.menu.my', icon: <AimOutlined /> });
  if (can('read', 'VisitLedger'))
    items.push({
      key: 'visitLedger',
      path: '/visits/ledger',
      label: 'visits.menu.ledger',
      icon: <FundOutlined />,
    });
  if (can('read', 'VisitRule'))
    items.push({
      key: 'visitRules',
      path: '/visits/rules',
      label: 'visits.menu.rules',
      icon: <ScheduleFilled />,
    });
  if (can('read', 'Statistics'))
    items.push({ key: 'stats', path: '/stats', label: 'stats.menu', icon: <BarChartOutlined /> });
  if (can('read', 'Housing'))
    items.push({ key: 'housing', path: '/housing', label: 'housing.menu', icon: <BankOutlined /> });
  if (can('read', 'Area'))
    items.push({ key: 'areas', path: '/areas', label: 'menu.areas', icon: <ApartmentOutlined /> });
  if (can('manage', 'Grid'))
    items.push({ key: 'grids', path: '/grids', label: 'menu.grids', icon: <BorderOuterOutlined /> });
  if (can('read', 'Account'))
    items.push({ key: 'accounts', path: '/accounts', label: 'menu.accounts', icon: <TeamOutlined /> });
  if (can('manage', 'Session'))
    items.push({ key: 'sessions', path: '/sessions', label: 'menu.sessions', icon: <DesktopOutlined /> });
  if (can('read', 'AuditLog'))
    items.push({ key: 'audit', path: '/audit', label: 'menu.audit', icon: <AuditOutlined /> });
  if (can('manage', 'Calendar'))
    items.push({ key: 'calendar', path: '/calendar', label: 'menu.calendar', icon: <CalendarOutlined /> });
  if (can('manage', 'Category'))
    items.push({
      key: 'categories',
      path: '/categories',
      label: 'menu.categories',
      icon: <ClusterOutlined />,
    });
  if (can('manage', 'Tag'))
    items.push({ key: 'tags', path: '/tags', label: 'tags.adminMenu', icon: <TagsOutlined /> });
  if (can('manage', 'ApiKey'))
    items.push({ key: 'apikeys', path: '/apikeys', label: 'menu.apikeys', icon: <KeyOutlined /> });
  items.push({ key: 'profile', path: '/me', label: 'menu.profile', icon: <UserOutlined /> });
  if (me.assignments.some((a) => ADMIN_ROLES.includes(a.role)))
    items.push({ key: 'docs', path: '/api/docs', label: 'menu.docs', icon: <ApiOutlined />, external: true });
  return items;
}

const KEY_BY_SEGMENT: Record<string, string> = {
  '': 'home',
  areas: 'areas',
  grids: 'grids',
  accounts: 'accounts',
  sessions: 'sessions',
  audit: 'audit',
  calendar: 'calendar',
  categories: 'categories',
  apikeys: 'apikeys',
  me: 'profile',
  report: 'report',
  'my-cases': 'myCases',
  'my-household': 'myHousehold',
  inbox: 'inbox',
  stats: 'stats',
  households: 'households',
  residents: 'households',
  'focus-groups': 'focusGroups',
  tags: 'tags',
  work: 'work',
  cases: 'cases',
  housing: 'housing',
};
/** Paths whose menu entry is not the one of their first segment. */
const KEY_BY_PATH: Record<string, string> = {
  '/cases/new': 'caseNew',
  '/cases/map': 'caseMap',
  '/visits': 'visits',
  '/visits/ledger': 'visitLedger',
  '/visits/rules': 'visitRules',
};

/** Distinct role names of the account, in assignment order. */
export function roleNames(me: Me, locale: Parameters<typeof roleName>[1]): string[] {
  return [...new Set<Role>(me.assignments.map((a) => a.role))].map((r) => roleName(r, locale));
}

export function AppShell() {
  const { me, can, logout } = useSession();
  const { locale, t } = useLocale();
  const isMobile = useIsMobile();
  const navigate = useNavigate();
  const location = useLocation();
  const [drawerOpen, setDrawerOpen] = useState(false);

  const items = useMemo(() => (me ? navItems(me, can) : []), [me, can]);
  if (!me) return null;

  const selectedKey =
    KEY_BY_PATH[location.pathname] ?? KEY_BY_SEGMENT[location.pathname.split('/')[1] ?? ''] ?? '';
  const roles = roleNames(me, locale);

  const menuItems: MenuProps['items'] = items.map((item) => ({
    key: item.key,
    icon: item.icon,
    label: item.external ? (
      <a href={item.path} target="_blank" rel="noreferrer">
        {t(item.label)}
      </a>
    ) : (
      t(item.label)
    ),
    'data-testid': `menu-${item.key}`,
  }));

  const onMenuClick: MenuProps['onClick'] = ({ key }) => {
    const item = items.find((i) => i.key === key);
    setDrawerOpen(false);
    if (item && !item.external) navigate(item.path);
  };

  const menu = (
    <Menu
      mode="inline"
      selectedKeys={[selectedKey]}
      items={menuItems}
      onClick={onMenuClick}
      className="side-menu"
      data-testid="side-menu"
    />
  );

  const userBlock = (
    <div className="user-block" data-testid="current-user">
      <Avatar className="user-avatar" icon={<UserOutlined />} />
      <div className="user-text">
        <Typography.Text strong ellipsis className="user-name">
          {me.account.displayName}
        </Typography.Text>
        {roles.length > 0 ? (
          <Typography.Text type="secondary" ellipsis className="user-roles" data-testid="current-roles">
            {roles.join(t('common.listSeparator'))}
          </Typography.Text>
        ) : null}
      </div>
    </div>
  );

  return (
    <Layout className="shell">
      <Layout.Header className="shell-header">
        {isMobile ? (
          <Button
            type="text"
            icon={<MenuOutlined />}
            aria-label={t('shell.openMenu')}
            onClick={() => setDrawerOpen(true)}
            data-testid="nav-toggle"
            className="header-button"
          />
        ) : null}
        <a
          className="brand"
          href="/"
          onClick={(e) => {
            e.preventDefault();
            navigate('/');
          }}
        >
          <img src="/favicon.svg" alt="" className="brand-logo" />
          <span className="brand-name">{t('app.name')}</span>
        </a>
        <div className="header-spacer" />
        {isMobile ? null : userBlock}
        <NotificationBell />
        <LanguageSwitch compact={isMobile} />
        <LargeTextToggle />
        <Tooltip title={isMobile ? t('shell.logout') : undefined}>
          <Button
            type="text"
            icon={<LogoutOutlined />}
            onClick={() => {
              void logout().then(() => navigate('/login', { replace: true }));
            }}
            aria-label={t('shell.logout')}
            data-testid="logout-button"
            className="header-button"
          >
            {isMobile ? null : t('shell.logout')}
          </Button>
        </Tooltip>
      </Layout.Header>
      <Layout>
        {isMobile ? (
          <Drawer
            placement="left"
            open={drawerOpen}
            onClose={() => setDrawerOpen(false)}
            size={280}
            title={userBlock}
            styles={{ body: { padding: 0 } }}
            data-testid="nav-drawer"
          >
            {menu}
          </Drawer>
        ) : (
          <Layout.Sider width={220} className="shell-sider" theme="light">
            {menu}
          </Layout.Sider>
        )}
        <Layout.Content className="shell-content">
          <Suspense
            fallback={
              <div className="page-loading">
                <Spin size="large" />
              </div>
            }
          >
            <Outlet />
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
