/** Request and response schemas of the audit log viewer. */
import { Type, type Static } from 'typebox';

export const AuditEntry = Type.Object({
  id: Type.String({ description: 'Sequence number, as a string' }),
  at: Type.String({ format: 'date-time' }),
  actorId: Type.Union([Type.String(), Type.Null()]),
  actorName: Type.Union([Type.String(), Type.Null()]),
  action: Type.String({ description: 'e.g. auth.login, account.create, area.grid.update, personal.reveal' }),
  targetType: Type.Union([Type.String(), Type.Null()]),
  targetId: Type.Union([Type.String(), Type.Null()]),
  areaPath: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  outcome: Type.Union([Type.Literal('success'), Type.Literal('failure'), Type.Literal('denied')]),
  details: Type.Unknown(),
  /** The chain hash; null for the moment between writing an entry and the sealer linking it into the chain. */
  hash: Type.Union([Type.String(), Type.Null()]),
});
export type AuditEntry = Static<typeof AuditEntry>;

export const AuditQuery = Type.Object({
  actor: Type.Optional(Type.String({ maxLength: 64, description: 'Username or account id' })),
  action: Type.Optional(Type.String({ maxLength: 64, description: 'Prefix match, e.g. "auth."' })),
  outcome: Type.Optional(
    Type.Union([Type.Literal('success'), Type.Literal('failure'), Type.Literal('denied')]),
  ),
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
  before: Type.Optional(
    Type.String({ pattern: '^[0-9]{1,18}$', description: 'Cursor: entries with a smaller id' }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});
export const AuditPage = Type.Object({
  items: Type.Array(AuditEntry),
  nextBefore: Type.Union([Type.String(), Type.Null()]),
});
export const AuditVerifyResult = Type.Object({
  ok: Type.Boolean(),
  checked: Type.Integer(),
  algorithm: Type.String(),
  firstBadId: Type.Union([Type.String(), Type.Null()]),
  problem: Type.Union([Type.String(), Type.Null()]),
});
