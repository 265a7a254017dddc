/** Who may do what: the one table of allow rules per role (cancan-style). Anything not listed is denied. */
import type { Action, Subject } from '../../common/abilities';
import type { Role } from '../../common/roles';

export interface Rule {
  actions: Action[];
  subject: Subject;
  /**
   * 'subtree': only on rows whose area lies in the assignment's subtree (the default);
   * 'self': only the actor's own rows (checked by the module, e.g. its own profile).
   */
  scope?: 'subtree';
}

const readAreas: Rule = { actions: ['read'], subject: 'Area' };

export const RULES: Record<Role, Rule[]> = {
  // 系统管理员: configuration and accounts, never residents' sensitive data.
  admin: [
    readAreas,
    { actions: ['manage'], subject: 'Grid' },
    { actions: ['read', 'create'], subject: 'Department' },
    { actions: ['read', 'create', 'update'], subject: 'Account' },
    { actions: ['manage'], subject: 'Assignment' },
    { actions: ['manage'], subject: 'Calendar' },
    { actions: ['manage'], subject: 'Category' },
    { actions: ['manage'], subject: 'RoutingRule' },
    // Open311 clients' keys, each limited to an area.
    { actions: ['manage'], subject: 'ApiKey' },
    // The focus-group tag tree (which tags exist, who sees them); never the residents holding them.
    { actions: ['manage'], subject: 'Tag' },
  ],
  // 安全管理员: roles, policies and sessions; only it grants the three administrator roles.
  security_admin: [
    readAreas,
    { actions: ['read'], subject: 'Department' },
    { actions: ['read'], subject: 'Account' },
    { actions: ['manage'], subject: 'Assignment' },
    { actions: ['manage'], subject: 'AdminAssignment' },
    { actions: ['manage'], subject: 'Session' },
  ],
  // 审计管理员: the audit log only.
  auditor: [{ actions: ['read', 'verify'], subject: 'AuditLog' }],
  leader: [
    readAreas,
    { actions: ['read'], subject: 'Department' },
    { actions: ['read'], subject: 'Account' },
    { actions: ['reveal'], subject: 'PersonalData' },
    // Reads every case in its area; update: supervise (督办).
    { actions: ['read', 'update'], subject: 'Case' },
    { actions: ['read'], subject: 'Statistics' },
    { actions: ['read'], subject: 'Housing' },
    { actions: ['read'], subject: 'Population' },
    // The focus-group tags its role is allowed (each tag lists the roles that see it).
    { actions: ['read'], subject: 'Tag' },
    // The coverage of home visits (民情台账) in its area.
    { actions: ['read'], subject: 'VisitLedger' },
  ],
  // Its path is the district, but caseScopeWhere narrows its cases to those of its department.
  dept_handler: [
    readAreas,
    { actions: ['read'], subject: 'Department' },
    { actions: ['read', 'update'], subject: 'Case' },
  ],
  street_staff: [
    readAreas,
    { actions: ['manage'], subject: 'Grid' },
    { actions: ['read'], subject: 'Department' },
    { actions: ['read'], subject: 'Account' },
    { actions: ['reveal'], subject: 'PersonalData' },
    { actions: ['read', 'create', 'update'], subject: 'Case' },
    { actions: ['read'], subject: 'Statistics' },
    // The housing register of its street (retiring a row is an update).
    { actions: ['read', 'create', 'update'], subject: 'Housing' },
    // Residents and households of its street (nothing is deleted: death and moving out are updates).
    { actions: ['read', 'create', 'update'], subject: 'Population' },
    { actions: ['read'], subject: 'Tag' },
    // Reads the visits of its street, sets the visit rules (走访规则), reads the ledger.
    { actions: ['read'], subject: 'Visit' },
    { actions: ['read', 'create', 'update'], subject: 'VisitRule' },
    { actions: ['read'], subject: 'VisitLedger' },
  ],
  community_worker: [
    readAreas,
    { actions: ['manage'], subject: 'Grid' },
    { actions: ['read'], subject: 'Account' },
    { actions: ['reveal'], subject: 'PersonalData' },
    { actions: ['read', 'create', 'update'], subject: 'Case' },
    { actions: ['read'], subject: 'Statistics' },
    { actions: ['read', 'create', 'update'], subject: 'Housing' },
    { actions: ['read', 'create', 'update'], subject: 'Population' },
    { actions: ['read'], subject: 'Tag' },
    { actions: ['read'], subject: 'Visit' },
    { actions: ['read', 'create', 'update'], subject: 'VisitRule' },
    { actions: ['read'], subject: 'VisitLedger' },
  ],
  grid_worker: [
    readAreas,
    { actions: ['read', 'create', 'update'], subject: 'Case' },
    // Enters the buildings, units and dwellings of its grid(s) (分片包户).
    { actions: ['read', 'create', 'update'], subject: 'Housing' },
    // The residents and households of its grid(s) only.
    { actions: ['read', 'create', 'update'], subject: 'Population' },
    { actions: ['read'], subject: 'Tag' },
    // Visits the households of its grid(s) (分片包户) and reads their visits and due dates.
    { actions: ['read', 'create'], subject: 'Visit' },
  ],
  volunteer: [],
  // Online reports anywhere (the case service checks the channel); its own cases are read through caseScopeWhere.
  resident: [{ actions: ['create'], subject: 'Case' }],
  // 考评: reads the statistics of its area.
  evaluator: [readAreas, { actions: ['read'], subject: 'Statistics' }],
};
