/** Calls of the in-app inbox: the list, the unread count and marking as read. */
import type { Static } from 'typebox';
import type {
  NotificationList as NotificationListSchema,
  NotificationReadBody,
  NotificationView,
  UnreadCount,
} from '../../../../common/schemas/notifications';
import { api } from '../../api';

export type Notification = Static<typeof NotificationView>;
export type NotificationList = Static<typeof NotificationListSchema>;

export const notificationsApi = {
  list: (query: { unread?: boolean; limit: number; offset: number }, signal?: AbortSignal) =>
    api.get<NotificationList>('/api/notifications', query, signal),
  unread: (signal?: AbortSignal) =>
    api.get<Static<typeof UnreadCount>>('/api/notifications/unread', undefined, signal),
  read: (body: NotificationReadBody) => api.post<Static<typeof UnreadCount>>('/api/notifications/read', body),
};
