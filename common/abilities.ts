/** The actions and subjects that the policy layer speaks of; the web app receives abilities in these terms. */
export const ACTIONS = [
  'read',
  'create',
  'update',
  'delete',
  'manage',
  'reveal',
  'verify',
  'export',
] as const;
export type Action = (typeof ACTIONS)[number];

export const SUBJECTS = [
  'Area',
  'Grid',
  'Department',
  'Account',
  'Assignment',
  'AdminAssignment',
  'Session',
  'AuditLog',
  'PersonalData',
  'Calendar',
  'Category',
  'RoutingRule',
  'Case',
  'Statistics',
  'ApiKey',
  // The housing register: estates, buildings, units, dwellings (issue 4).
  'Housing',
  // The population register: residents and households (issue 4); ID/phone reveal stays PersonalData.
  'Population',
  // The focus-group tag tree (重点人群, issue 4); tagging a resident is an update of Population.
  'Tag',
  // Home visits (入户走访): recording and reading visits; the visit rules; the ledger of coverage (民情台账).
  'Visit',
  'VisitRule',
  'VisitLedger',
] as const;
export type Subject = (typeof SUBJECTS)[number];

/** One ability as the web app sees it: an action on a subject, limited to some area subtrees (empty = everywhere). */
export interface AbilityGrant {
  action: Action;
  subject: Subject;
  /** Area paths (code prefixes) the grant is limited to; an empty list means no area limit. */
  areaPaths: string[];
}

/** True when a grant list allows the action on the subject somewhere (for showing menus; the server decides). */
export function hasAbility(grants: readonly AbilityGrant[], action: Action, subject: Subject): boolean {
  return grants.some((g) => (g.action === action || g.action === 'manage') && g.subject === subject);
}
