/** HTTP routes of the in-app inbox: every signed-in account (staff or resident) reads and marks its own only. */
import { ErrorBody } from '../../../common/schemas/common';
import {
  NotificationList,
  NotificationListQuery,
  NotificationReadBody,
  UnreadCount,
} from '../../../common/schemas/notifications';
import type { RegisterRoutes } from '../index';
import { listInbox, markRead, unreadCount } from './service';

const security = [{ session: [] }];
const readErrors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };

export const notificationRoutes: RegisterRoutes = async (app, ctx) => {
  app.get(
    '/api/notifications',
    {
      schema: {
        tags: ['notifications'],
        summary:
          'My notifications, newest first (unread=true: only unread), with the total and the unread count',
        security,
        querystring: NotificationListQuery,
        response: { 200: NotificationList, ...readErrors },
      },
    },
    async (req) => listInbox(ctx, req.requireActor(), req.query),
  );

  app.get(
    '/api/notifications/unread',
    {
      schema: {
        tags: ['notifications'],
        summary: 'How many of my notifications are unread (for the badge)',
        security,
        response: { 200: UnreadCount, ...readErrors },
      },
    },
    async (req) => ({ unread: await unreadCount(ctx.db, req.requireActor().accountId) }),
  );

  app.post(
    '/api/notifications/read',
    {
      config: { keepsCaches: true },
      schema: {
        tags: ['notifications'],
        summary: 'Mark some (ids) or all of my notifications read; answers the unread count left',
        security,
        body: NotificationReadBody,
        response: { 200: UnreadCount, ...readErrors },
      },
    },
    async (req) => markRead(ctx, req.requireActor(), req.body),
  );
};
