/** Request and response schemas of cases (诉求/事件): intake, lists, detail, timeline and actions. */
import { Type, type Static } from 'typebox';

export const CASE_CHANNELS = ['window', 'hotline', 'online', 'mailbox', 'patrol', 'transfer'] as const;
export const MATTER_CLASSES = ['public', 'community', 'private'] as const;
export const CASE_LEVELS = ['community', 'street', 'district'] as const;
export const RATINGS = ['satisfied', 'basically', 'dissatisfied'] as const;
export const CASE_STATUS_VALUES = [
  'reported',
  'accepted',
  'declined',
  'dispatched',
  'handling',
  'handled',
  'verified',
  'closed',
  'rated',
  'suspended',
  'merged',
] as const;
export const CASE_ACTION_VALUES = [
  'accept',
  'decline',
  'dispatch',
  'start',
  'progress',
  'handle',
  'verify',
  'reject',
  'close',
  'rate',
  'return',
  'transfer',
  'escalate',
  'request_extension',
  'approve_extension',
  'reject_extension',
  'suspend',
  'resume',
  'supervise',
  'close_private',
  'merge',
] as const;

export const CaseChannel = Type.Enum(CASE_CHANNELS);
export const MatterClass = Type.Enum(MATTER_CLASSES);
export const CaseLevel = Type.Enum(CASE_LEVELS);
export const Rating = Type.Enum(RATINGS);
export const CaseStatus = Type.Enum(CASE_STATUS_VALUES);
export const CaseActionName = Type.Enum(CASE_ACTION_VALUES);

const AreaCodeField = Type.String({ pattern: '^[0-9]{12}([0-9]{3})?$' });
const Phone = Type.String({ pattern: '^1[3-9][0-9]{9}$' });
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const CaseCreate = Type.Object(
  {
    channel: CaseChannel,
    categoryId: Type.String({ format: 'uuid' }),
    title: Text(100),
    description: Text(4000),
    /**
     * A community or a grid. May be left out when lat and lng are given: the grid whose boundary contains the
     * point is the location (400 on body.lat when there is none).
     */
    areaCode: Type.Optional(AreaCodeField),
    address: Type.Optional(Type.String({ maxLength: 200 })),
    lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
    lng: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
    urgency: Type.Optional(Type.Enum(['normal', 'urgent'])),
    reporterName: Type.Optional(Text(32)),
    reporterPhone: Type.Optional(Phone),
    callbackWanted: Type.Optional(Type.Boolean()),
    /** The 12345 or higher-level ticket number of a transferred case. */
    sourceRef: Type.Optional(Text(64)),
    /** Answers to the category's extra questions. */
    answers: Type.Optional(
      Type.Record(
        Type.String({ maxLength: 64 }),
        Type.Union([Type.String({ maxLength: 1000 }), Type.Number(), Type.Boolean()]),
        { maxProperties: 50 },
      ),
    ),
  },
  { additionalProperties: false },
);
export type CaseCreate = Static<typeof CaseCreate>;

export const CaseView = Type.Object({
  id: Type.String(),
  number: Type.String(),
  channel: CaseChannel,
  sourceRef: Nullable(Type.String()),
  categoryId: Type.String(),
  categoryName: Type.String(),
  matterClass: MatterClass,
  urgency: Type.String(),
  title: Type.String(),
  description: Type.String(),
  areaCode: Type.String(),
  areaName: Type.String(),
  areaPath: Type.String(),
  address: Nullable(Type.String()),
  lat: Nullable(Type.Number()),
  lng: Nullable(Type.Number()),
  reporterName: Nullable(Type.String({ description: 'Masked, e.g. 张*' })),
  reporterPhone: Nullable(Type.String({ description: 'Masked, e.g. 138****1234' })),
  callbackWanted: Type.Boolean(),
  answers: Type.Record(Type.String(), Type.Unknown()),
  status: CaseStatus,
  level: CaseLevel,
  leadDepartmentId: Nullable(Type.String()),
  leadDepartmentName: Nullable(Type.String()),
  holderPath: Type.String(),
  coDepartmentIds: Type.Array(Type.String()),
  dueAt: Nullable(Type.String()),
  overdue: Type.Boolean(),
  supervised: Type.Boolean(),
  /** When the deadline job escalated it as overdue (it is then on the supervisor's list). */
  overdueEscalatedAt: Nullable(Type.String()),
  mergedIntoId: Nullable(Type.String()),
  /** Count of its photos. */
  photoCount: Type.Integer(),
  reopenCount: Type.Integer(),
  rating: Nullable(Rating),
  version: Type.Integer(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  closedAt: Nullable(Type.String()),
});
export type CaseView = Static<typeof CaseView>;

/**
 * A case as a list shows it: what a row or a card needs to tell cases apart and pick one (number, title, where, state,
 * deadline). The description, the exact location, the answers and the reporter (even masked) are left to the detail,
 * which a user opens for a purpose.
 */
export const CaseSummary = Type.Pick(CaseView, [
  'id',
  'number',
  'channel',
  'categoryId',
  'categoryName',
  'matterClass',
  'urgency',
  'title',
  'areaCode',
  'areaName',
  'address',
  'status',
  'level',
  'leadDepartmentId',
  'leadDepartmentName',
  'dueAt',
  'overdue',
  'supervised',
  'overdueEscalatedAt',
  'photoCount',
  'reopenCount',
  'rating',
  'version',
  'createdAt',
  'updatedAt',
  'closedAt',
]);
export type CaseSummary = Static<typeof CaseSummary>;

export const CaseDetail = Type.Intersect([
  CaseView,
  Type.Object({
    /** The actions this user may take now (the server's own guard). */
    actions: Type.Array(CaseActionName),
  }),
]);
export type CaseDetail = Static<typeof CaseDetail>;

export const CaseListQuery = Type.Object(
  {
    status: Type.Optional(CaseStatus),
    category: Type.Optional(Type.String({ format: 'uuid' })),
    area: Type.Optional(AreaCodeField),
    channel: Type.Optional(CaseChannel),
    overdue: Type.Optional(Type.Boolean()),
    /** Part of the title, or the start of the case number. */
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    /** Only the cases waiting for this user's action. */
    mine: Type.Optional(Type.Boolean()),
    /** The supervisor's list (督办): open cases escalated as overdue by the deadline job, or supervised. */
    supervision: Type.Optional(Type.Boolean()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000, default: 0 })),
  },
  { additionalProperties: false },
);
export type CaseListQuery = Static<typeof CaseListQuery>;

export const CaseList = Type.Object({
  items: Type.Array(CaseSummary),
  total: Type.Integer(),
  /** Counts by status under the same filters (the status filter aside). */
  counts: Type.Record(Type.String(), Type.Integer()),
});

export const CaseEventView = Type.Object({
  seq: Type.Integer(),
  /** The photos shown with this step. */
  attachmentIds: Type.Array(Type.String()),
  action: Type.String(),
  fromStatus: Nullable(Type.String()),
  toStatus: Type.String(),
  actorName: Nullable(Type.String()),
  actorRole: Nullable(Type.String()),
  note: Nullable(Type.String()),
  data: Type.Record(Type.String(), Type.Unknown()),
  at: Type.String(),
});
export const CaseEventList = Type.Object({ items: Type.Array(CaseEventView) });

export const CaseActionBody = Type.Object(
  {
    action: CaseActionName,
    /** The case version the user saw; a stale one is refused (409 case.stale). */
    version: Type.Integer({ minimum: 1 }),
    note: Type.Optional(Text(2000)),
    reason: Type.Optional(Text(1000)),
    guidance: Type.Optional(Text(2000)),
    matterClass: Type.Optional(MatterClass),
    /** dispatch / transfer: the lead department. */
    departmentId: Type.Optional(Type.String({ format: 'uuid' })),
    coDepartmentIds: Type.Optional(
      Type.Array(Type.String({ format: 'uuid' }), { maxItems: 10, uniqueItems: true }),
    ),
    /** transfer: a level of the case's own area chain instead of a department. */
    level: Type.Optional(CaseLevel),
    /** request_extension: working days asked for. */
    days: Type.Optional(Type.Integer({ minimum: 1, maximum: 30 })),
    rating: Type.Optional(Rating),
    comment: Type.Optional(Type.String({ maxLength: 1000 })),
    /** merge: the case this duplicate is merged into. */
    targetId: Type.Optional(Type.String({ format: 'uuid' })),
    /** Photos uploaded to this case by the actor and not yet attached, to show with this step. */
    attachmentIds: Type.Optional(
      Type.Array(Type.String({ format: 'uuid' }), { maxItems: 9, uniqueItems: true }),
    ),
  },
  { additionalProperties: false },
);
export type CaseActionBody = Static<typeof CaseActionBody>;

export const CaseIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

// ---- photos ---------------------------------------------------------------------------------------------

/** Accepted image types; anything else, or bytes that are not such an image, is refused with 415/400. */
export const PHOTO_MIME_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export const PHOTO_MAX_BYTES = 10 * 1024 * 1024;
export const PHOTOS_PER_CASE = 9;

export const AttachmentView = Type.Object({
  id: Type.String(),
  caseId: Type.String(),
  /** The step it was shown with (1 = the report); null until attached to a step. */
  eventSeq: Nullable(Type.Integer()),
  mime: Type.String(),
  bytes: Type.Integer(),
  width: Type.Integer(),
  height: Type.Integer(),
  /** GET: the photo (re-encoded, location and camera data stripped). */
  url: Type.String(),
  thumbUrl: Type.String(),
  createdAt: Type.String(),
});
export type AttachmentView = Static<typeof AttachmentView>;
export const AttachmentList = Type.Object({ items: Type.Array(AttachmentView) });
export const AttachmentIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

// ---- similar open cases (before saving) ----------------------------------------------------------------

export const SimilarQuery = Type.Object(
  {
    categoryId: Type.String({ format: 'uuid' }),
    areaCode: AreaCodeField,
    title: Type.Optional(Type.String({ maxLength: 100 })),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
    lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
    lng: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
    /** Leave this case out (when checking an existing case for duplicates). */
    exclude: Type.Optional(Type.String({ format: 'uuid' })),
  },
  { additionalProperties: false },
);
export type SimilarQuery = Static<typeof SimilarQuery>;

export const SimilarCase = Type.Object({
  id: Type.String(),
  number: Type.String(),
  title: Type.String(),
  status: CaseStatus,
  categoryName: Type.String(),
  areaName: Type.String(),
  /** Metres from the given point, when both have coordinates. */
  distanceM: Nullable(Type.Number()),
  /** 0..1: how alike the texts are. */
  score: Type.Number(),
  /** Why it is listed: same category nearby, similar text, or both. */
  reasons: Type.Array(Type.Enum(['nearby', 'sameArea', 'text'])),
  createdAt: Type.String(),
});
export const SimilarList = Type.Object({ items: Type.Array(SimilarCase) });

// ---- public tracking (no personal data) -----------------------------------------------------------------

export const TrackQuery = Type.Object(
  {
    number: Type.String({ pattern: '^[0-9]{6}-[0-9]{8}-[0-9]{6}$' }),
    /** The last four digits of the reporter's phone. */
    phone4: Type.String({ pattern: '^[0-9]{4}$' }),
  },
  { additionalProperties: false },
);
export type TrackQuery = Static<typeof TrackQuery>;

export const TrackView = Type.Object({
  number: Type.String(),
  categoryName: Type.String(),
  /** The community (never the address or the text, which may name people). */
  areaName: Type.String(),
  status: CaseStatus,
  dueAt: Nullable(Type.String()),
  createdAt: Type.String(),
  closedAt: Nullable(Type.String()),
  rating: Nullable(Rating),
  /** The steps, oldest first: action, status and time only. */
  steps: Type.Array(Type.Object({ action: Type.String(), toStatus: Type.String(), at: Type.String() })),
});
export type TrackView = Static<typeof TrackView>;
