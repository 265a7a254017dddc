/** Types of the API as the web app uses them, derived from the shared TypeBox schemas (types only, no runtime). */
import type { Static } from 'typebox';
import type { Area as AreaSchema, AreaWithAncestors } from '../../common/schemas/areas';
import type { AssignmentView as AssignmentViewSchema, MeResponse } from '../../common/schemas/auth';
import type {
  AccountCreate as AccountCreateSchema,
  AccountView as AccountViewSchema,
  AssignmentInput as AssignmentInputSchema,
} from '../../common/schemas/accounts';

export type Area = Static<typeof AreaSchema>;
export type AreaDetail = Static<typeof AreaWithAncestors>;
export type AssignmentView = Static<typeof AssignmentViewSchema>;
export type AssignmentInput = Static<typeof AssignmentInputSchema>;
export type AccountView = Static<typeof AccountViewSchema>;
export type AccountCreate = Static<typeof AccountCreateSchema>;
export type Me = Static<typeof MeResponse>;
