/** Request and response schemas of staff account administration. */
import { Type, type Static } from 'typebox';
import { Id } from './common';
import { AssignmentView, RoleSchema } from './auth';

export const AssignmentInput = Type.Object(
  {
    role: RoleSchema,
    areaCode: Type.Optional(Type.String({ pattern: '^[0-9]{12}([0-9]{3})?$' })),
    departmentId: Type.Optional(Type.String({ format: 'uuid' })),
  },
  { additionalProperties: false },
);
export type AssignmentInput = Static<typeof AssignmentInput>;

export const AccountView = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('staff'), Type.Literal('resident')]),
  username: Type.Union([Type.String(), Type.Null()]),
  displayName: Type.String(),
  phone: Type.Union([Type.String(), Type.Null()], { description: 'Masked, e.g. 138****1234' }),
  disabled: Type.Boolean(),
  locked: Type.Boolean(),
  totpEnabled: Type.Boolean(),
  homeAreaCode: Type.Union([Type.String(), Type.Null()]),
  assignments: Type.Array(AssignmentView),
  lastLoginAt: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
});
export type AccountView = Static<typeof AccountView>;

export const AccountListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 64 })),
  role: Type.Optional(RoleSchema),
  area: Type.Optional(Type.String({ pattern: '^[0-9]{12}([0-9]{3})?$' })),
  disabled: Type.Optional(Type.Boolean()),
  kind: Type.Optional(Type.Union([Type.Literal('staff'), Type.Literal('resident')])),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
});
export const AccountList = Type.Object({ items: Type.Array(AccountView), total: Type.Integer() });

export const AccountCreate = Type.Object(
  {
    username: Type.String({ pattern: '^[a-zA-Z][a-zA-Z0-9._-]{2,63}$' }),
    displayName: Type.String({ minLength: 1, maxLength: 64 }),
    phone: Type.Optional(Type.String({ pattern: '^1[3-9][0-9]{9}$' })),
    /** When omitted a temporary password is generated and returned once. */
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    homeAreaCode: Type.Optional(Type.String({ pattern: '^[0-9]{12}([0-9]{3})?$' })),
    assignments: Type.Array(AssignmentInput, { maxItems: 20 }),
  },
  { additionalProperties: false },
);
export type AccountCreate = Static<typeof AccountCreate>;

export const AccountCreated = Type.Object({
  account: AccountView,
  temporaryPassword: Type.Union([Type.String(), Type.Null()]),
});

export const AccountUpdate = Type.Object(
  {
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    phone: Type.Optional(Type.Union([Type.String({ pattern: '^1[3-9][0-9]{9}$' }), Type.Null()])),
    disabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const PasswordReset = Type.Object({ temporaryPassword: Type.String() });

export const RevealBody = Type.Object(
  {
    field: Type.Literal('phone'),
    purpose: Type.String({ minLength: 2, maxLength: 200 }),
  },
  { additionalProperties: false },
);
export const RevealResponse = Type.Object({
  field: Type.String(),
  value: Type.Union([Type.String(), Type.Null()]),
});

export const SessionView = Type.Object({
  id: Type.String(),
  accountId: Type.String(),
  username: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  lastSeenAt: Type.String(),
  expiresAt: Type.String(),
});
export const SessionList = Type.Object({ items: Type.Array(SessionView) });

export const SessionListQuery = Type.Object({
  accountId: Type.Optional(Id),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 200 })),
});

/** Path parameters of the account administration routes. */
export const AccountIdParams = Type.Object({ id: Id });
export const AssignmentIdParams = Type.Object({ id: Id, assignmentId: Id });
export const SessionIdParams = Type.Object({ id: Id });
