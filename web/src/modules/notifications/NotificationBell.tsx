/** The bell in the header of every signed-in page: the unread count, polled; a click opens the inbox. */
import { Badge, Button, Tooltip } from 'antd';
import { BellOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router';
import { useT } from '../../i18n';
import { useUnread, useUnreadPolling } from './store';
import './notifications.css';

export function NotificationBell() {
  const t = useT();
  const navigate = useNavigate();
  useUnreadPolling();
  const unread = useUnread();
  const label = unread && unread > 0 ? t('notifications.bellUnread', { n: unread }) : t('notifications.bell');
  return (
    <Tooltip title={label}>
      <Button
        type="text"
        aria-label={label}
        onClick={() => navigate('/inbox')}
        data-testid="inbox-bell"
        className="header-button"
        icon={
          <Badge count={unread ?? 0} size="small" overflowCount={99}>
            <BellOutlined className="bell-icon" />
          </Badge>
        }
      />
    </Tooltip>
  );
}
