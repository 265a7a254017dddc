/**
 * Shared pieces of the authorization table test (server/policy/authorization.test.ts): roles, where each role's test
 * account sits, the areas at each relation to it, and the shape of a route's entry. Modules add their routes' entries
 * in `server/modules/<module>/authorization.cases.ts`, exporting `routeCases: Record<string, RouteCase>`.
 */
import { ROLES, type Role } from '../../common/roles';
import { FIXTURE, type Session, type TestEnv } from './harness';

export type Relation = 'own' | 'child' | 'parent' | 'sibling';
export const RELATIONS: Relation[] = ['own', 'child', 'parent', 'sibling'];
export const SCOPED: Relation[] = ['own', 'child'];

// Who may do what, written out as the expected behaviour (not derived from the rule table under test).
export const AREA_READERS: Role[] = [
  'admin',
  'security_admin',
  'leader',
  'dept_handler',
  'street_staff',
  'community_worker',
  'grid_worker',
  'evaluator',
];
export const GRID_MANAGERS: Role[] = ['admin', 'street_staff', 'community_worker'];
export const DEPARTMENT_READERS: Role[] = [
  'admin',
  'security_admin',
  'leader',
  'dept_handler',
  'street_staff',
];
export const DEPARTMENT_CREATORS: Role[] = ['admin'];
export const ACCOUNT_READERS: Role[] = [
  'admin',
  'security_admin',
  'leader',
  'street_staff',
  'community_worker',
];
export const ACCOUNT_UPDATERS: Role[] = ['admin'];
export const ASSIGNMENT_MANAGERS: Role[] = ['admin', 'security_admin'];
export const REVEALERS: Role[] = ['leader', 'street_staff', 'community_worker'];
export const SESSION_MANAGERS: Role[] = ['security_admin'];
export const AUDITORS: Role[] = ['auditor'];
export const EVERYONE: Role[] = [...ROLES];

/** Where each role's test account is assigned. */
export const HOME: Record<Role, string> = {
  admin: FIXTURE.streetA,
  security_admin: FIXTURE.streetA,
  auditor: FIXTURE.streetA,
  leader: FIXTURE.streetA,
  evaluator: FIXTURE.streetA,
  street_staff: FIXTURE.streetA,
  dept_handler: FIXTURE.district, // through 龙子湖区民政局
  community_worker: FIXTURE.communityA1,
  volunteer: FIXTURE.communityA1,
  resident: FIXTURE.communityA1,
  grid_worker: FIXTURE.gridA1a,
};

// Areas outside the fixture that the relations need: a grid under street B, and a branch of the sibling district.
export const EXTRA = {
  gridB1a: '340302002001001',
  otherStreet: '340303001000',
  otherCommunity: '340303001001',
  otherGrid: '340303001001001',
};

/** The area at a relation to an assigned area (null: there is none, e.g. a grid has no child). */
export function areaAt(home: string, rel: Relation): string | null {
  const table: Record<string, Record<Relation, string | null>> = {
    [FIXTURE.district]: {
      own: FIXTURE.district,
      child: FIXTURE.streetA,
      parent: FIXTURE.city,
      sibling: FIXTURE.otherDistrict,
    },
    [FIXTURE.streetA]: {
      own: FIXTURE.streetA,
      child: FIXTURE.communityA1,
      parent: FIXTURE.district,
      sibling: FIXTURE.streetB,
    },
    [FIXTURE.communityA1]: {
      own: FIXTURE.communityA1,
      child: FIXTURE.gridA1a,
      parent: FIXTURE.streetA,
      sibling: FIXTURE.communityA2,
    },
    [FIXTURE.gridA1a]: {
      own: FIXTURE.gridA1a,
      child: null,
      parent: FIXTURE.communityA1,
      sibling: FIXTURE.gridA1b,
    },
  };
  return table[home]![rel];
}

/** A grid inside the area at a relation; for parent and sibling one that lies outside the home subtree. */
export function gridAt(home: string, rel: Relation): string | null {
  const inside: Record<string, string> = {
    [FIXTURE.district]: FIXTURE.gridA1a,
    [FIXTURE.streetA]: FIXTURE.gridA1a,
    [FIXTURE.communityA1]: FIXTURE.gridA1a,
    [FIXTURE.gridA1a]: FIXTURE.gridA1a,
  };
  const outside: Record<string, string> = {
    [FIXTURE.district]: EXTRA.otherGrid,
    [FIXTURE.streetA]: EXTRA.gridB1a,
    [FIXTURE.communityA1]: FIXTURE.gridA2a,
    [FIXTURE.gridA1a]: FIXTURE.gridA1b,
  };
  if (rel === 'child' && home === FIXTURE.gridA1a) return null;
  return rel === 'own' || rel === 'child' ? inside[home]! : outside[home]!;
}

export interface Actor {
  role: Role;
  home: string;
  session: Session;
}

export interface Call {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  payload?: unknown;
  /** For lists: a row that must be present when allowed and absent when denied (instead of 403). */
  listed?: { field: string; value: string };
}

export interface RouteCase {
  /** Which roles may, and whether the relation matters ('scoped': only own and child). */
  allow: Role[];
  scope: 'scoped' | 'any';
  /** Builds the request for an actor and relation; null when the relation has no target for this actor. */
  call(actor: Actor, rel: Relation, m: Matrix): Promise<Call | null>;
  /** Public routes: anonymous callers are not turned away. */
  public?: boolean;
  /** Needs a session of its own (it ends or changes the session). */
  freshSession?: boolean;
}

/** What an entry's `call` may use to set up its target: the app, and fresh rows placed at a relation. */
export interface Matrix {
  env: TestEnv;
  /** The 龙子湖区 department (the dept_handler's) and the neighbouring district's one. */
  departmentId: string;
  otherDepartmentId: string;
  /** A number never returned before in this run, for unique names. */
  seq(): number;
  /** A staff account (role leader) whose home is the given area. */
  newTargetAccount(areaCode: string): Promise<{ id: string; username: string }>;
  /** A fresh grid under a community (so deleting it leaves the fixture alone). */
  newGrid(communityCode: string): Promise<string>;
  /** Logs in (with TOTP where the account has it). */
  loginAs(username: string): Promise<Session>;
}
