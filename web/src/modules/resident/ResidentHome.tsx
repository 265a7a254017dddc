/** A resident's landing page: four big buttons (report, my cases, messages, tracking) and the latest cases. */
import { useEffect, useState } from 'react';
import { Badge, Typography } from 'antd';
import {
  BellOutlined,
  EditOutlined,
  FileSearchOutlined,
  ProfileOutlined,
  TeamOutlined,
} from '@ant-design/icons';
import { Link } from 'react-router';
import { useLocale } from '../../i18n';
import { useMe } from '../../session';
import { useUnread } from '../notifications/store';
import { residentApi, type CaseSummary } from './api';
import { CaseCard } from './MyCasesPage';
import './resident.css';

export function ResidentHome() {
  const { t } = useLocale();
  const me = useMe();
  const unread = useUnread();
  const [recent, setRecent] = useState<CaseSummary[] | null>(null);

  useEffect(() => {
    const ac = new AbortController();
    residentApi
      .list({ limit: 3, offset: 0 }, ac.signal)
      .then((r) => setRecent(r.items))
      .catch(() => setRecent([]));
    return () => ac.abort();
  }, []);

  return (
    <div className="page resident-page" data-testid="welcome-card">
      <Typography.Title level={3} className="resident-title">
        {t('home.welcome', { name: me.account.displayName })}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('resident.homeIntro')}</Typography.Paragraph>
      <div className="home-tiles">
        <Link to="/report" className="home-tile home-tile-primary" data-testid="resident-tile-report">
          <EditOutlined className="home-tile-icon" />
          <span className="home-tile-label">{t('resident.menuReport')}</span>
          <span className="home-tile-hint">{t('resident.tileReportHint')}</span>
        </Link>
        <Link to="/my-cases" className="home-tile" data-testid="resident-tile-my-cases">
          <ProfileOutlined className="home-tile-icon" />
          <span className="home-tile-label">{t('resident.menuMyCases')}</span>
        </Link>
        <Link to="/inbox" className="home-tile" data-testid="resident-tile-inbox">
          <Badge count={unread ?? 0} offset={[6, -2]}>
            <BellOutlined className="home-tile-icon" />
          </Badge>
          <span className="home-tile-label">{t('notifications.menu')}</span>
        </Link>
        <Link to="/track" className="home-tile" data-testid="resident-tile-track">
          <FileSearchOutlined className="home-tile-icon" />
          <span className="home-tile-label">{t('resident.menuTrack')}</span>
        </Link>
        <Link to="/my-household" className="home-tile" data-testid="resident-tile-my-household">
          <TeamOutlined className="home-tile-icon" />
          <span className="home-tile-label">{t('myHousehold.menu')}</span>
          <span className="home-tile-hint">{t('myHousehold.tileHint')}</span>
        </Link>
      </div>
      {recent && recent.length ? (
        <>
          <Typography.Title level={5} className="recent-title">
            {t('resident.recent')}
          </Typography.Title>
          <div className="card-list">
            {recent.map((c) => (
              <CaseCard key={c.id} c={c} />
            ))}
          </div>
        </>
      ) : null}
    </div>
  );
}
