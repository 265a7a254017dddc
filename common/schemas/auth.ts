/** Request and response schemas of login, sessions, the current account and its profile. */
import { Type, type Static } from 'typebox';
import { ROLES } from '../roles';
import { ACTIONS, SUBJECTS } from '../abilities';

export const RoleSchema = Type.Enum(ROLES);

export const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
    totp: Type.Optional(Type.String({ pattern: '^[0-9]{6}$' })),
  },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

export const ResidentCodeRequest = Type.Object(
  { phone: Type.String({ pattern: '^1[3-9][0-9]{9}$', description: 'Mainland mobile number' }) },
  { additionalProperties: false },
);
export const ResidentLoginBody = Type.Object(
  {
    phone: Type.String({ pattern: '^1[3-9][0-9]{9}$' }),
    code: Type.String({ pattern: '^[0-9]{6}$' }),
  },
  { additionalProperties: false },
);

export const AssignmentView = Type.Object({
  id: Type.String(),
  role: RoleSchema,
  areaCode: Type.Union([Type.String(), Type.Null()]),
  areaName: Type.Union([Type.String(), Type.Null()]),
  areaPath: Type.Union([Type.String(), Type.Null()]),
  departmentId: Type.Union([Type.String(), Type.Null()]),
  departmentName: Type.Union([Type.String(), Type.Null()]),
});
export type AssignmentView = Static<typeof AssignmentView>;

export const AbilityGrantSchema = Type.Object({
  action: Type.Enum(ACTIONS),
  subject: Type.Enum(SUBJECTS),
  areaPaths: Type.Array(Type.String()),
});

export const MeResponse = Type.Object({
  account: Type.Object({
    id: Type.String(),
    kind: Type.Union([Type.Literal('staff'), Type.Literal('resident')]),
    username: Type.Union([Type.String(), Type.Null()]),
    displayName: Type.String(),
    phone: Type.Union([Type.String(), Type.Null()], { description: 'Masked' }),
    totpEnabled: Type.Boolean(),
    mustChangePassword: Type.Boolean(),
    passwordExpiresAt: Type.Union([Type.String(), Type.Null()]),
    /** An administrator role without TOTP: only TOTP enrolment, /api/me and logout work until it is enabled. */
    totpSetupRequired: Type.Boolean(),
  }),
  assignments: Type.Array(AssignmentView),
  abilities: Type.Array(AbilityGrantSchema),
  csrfToken: Type.String(),
  session: Type.Object({
    idleTimeoutSeconds: Type.Integer(),
    expiresAt: Type.String({ format: 'date-time' }),
  }),
});
export type MeResponse = Static<typeof MeResponse>;

export const ChangePasswordBody = Type.Object(
  {
    currentPassword: Type.String({ minLength: 1, maxLength: 256 }),
    newPassword: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);

export const TotpSetupResponse = Type.Object({
  secret: Type.String({ description: 'Base32 secret' }),
  otpauthUrl: Type.String(),
});
export const TotpCodeBody = Type.Object(
  { code: Type.String({ pattern: '^[0-9]{6}$' }) },
  { additionalProperties: false },
);
