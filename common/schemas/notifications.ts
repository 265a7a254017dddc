/** Schemas of the in-app inbox (站内消息) of staff and residents. */
import { Type, type Static } from 'typebox';

/** What a notification is about; the web app renders each kind in the reader's language from `data`. */
export const NOTIFICATION_KINDS = [
  /** A case arrived at the reader's unit (reported, dispatched, transferred, escalated, returned, reopened). */
  'case.assigned',
  /** A handled case waits for verification in the reader's area. */
  'case.to_verify',
  /** A fraction of the deadline has passed (data.fraction, data.dueAt). */
  'case.reminder',
  /** The case ran past its deadline and was escalated one level / put on the supervisor's list. */
  'case.overdue',
  /** A leader supervises (督办) a case the reader's unit holds. */
  'case.supervised',
  /** An extension request waits for the reader's decision. */
  'case.extension_requested',
  /** The reader's own case was closed (residents): please rate it. */
  'case.closed',
  /** The reader's own case moved on (accepted, declined, handled). */
  'case.progress',
] as const;
export const NotificationKind = Type.Enum(NOTIFICATION_KINDS);

export const NotificationView = Type.Object({
  id: Type.Integer(),
  kind: NotificationKind,
  caseId: Type.Union([Type.String(), Type.Null()]),
  /** Parameters: number, title, status, dueAt, fraction, action … */
  data: Type.Record(Type.String(), Type.Unknown()),
  readAt: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
});
export type NotificationView = Static<typeof NotificationView>;

export const NotificationListQuery = Type.Object(
  {
    unread: Type.Optional(Type.Boolean()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000, default: 0 })),
  },
  { additionalProperties: false },
);
export type NotificationListQuery = Static<typeof NotificationListQuery>;

export const NotificationList = Type.Object({
  items: Type.Array(NotificationView),
  total: Type.Integer(),
  unread: Type.Integer(),
});

/** Mark some (ids) or all as read; answers the unread count left. */
export const NotificationReadBody = Type.Object(
  {
    ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 100 })),
    all: Type.Optional(Type.Literal(true)),
  },
  { additionalProperties: false },
);
export type NotificationReadBody = Static<typeof NotificationReadBody>;
export const UnreadCount = Type.Object({ unread: Type.Integer() });
