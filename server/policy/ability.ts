/** An actor's abilities: decides can/cannot for an action on a subject at an area, and lists grants for the web app. */
import type { AbilityGrant, Action, Subject } from '../../common/abilities';
import type { Role } from '../../common/roles';
import { AppError } from '../http/errors';
import { RULES } from './rules';

export interface ActorAssignment {
  id: string;
  role: Role;
  areaCode: string | null;
  areaPath: string;
  departmentId: string | null;
  /** Names for display (/api/me), loaded with the session. */
  areaName?: string | null;
  departmentName?: string | null;
}

export interface Actor {
  accountId: string;
  kind: 'staff' | 'resident';
  username: string | null;
  displayName: string;
  sessionId: string;
  csrfToken: string;
  assignments: ActorAssignment[];
}

/** True when `path` is `ancestor` or lies below it (paths are group-aligned code prefixes). */
export function pathWithin(path: string, ancestor: string): boolean {
  return path.startsWith(ancestor);
}

export class Ability {
  private readonly grantsBySubject = new Map<string, string[]>();

  constructor(readonly actor: Actor | null) {
    for (const a of actor?.assignments ?? []) {
      for (const rule of RULES[a.role] ?? []) {
        for (const action of rule.actions) {
          const key = `${action}:${rule.subject}`;
          const list = this.grantsBySubject.get(key) ?? [];
          if (!list.includes(a.areaPath)) list.push(a.areaPath);
          this.grantsBySubject.set(key, list);
        }
      }
    }
  }

  /** The area paths under which the action on the subject is allowed (empty: nowhere). */
  paths(action: Action, subject: Subject): string[] {
    const direct = this.grantsBySubject.get(`${action}:${subject}`) ?? [];
    const managed = action === 'manage' ? [] : (this.grantsBySubject.get(`manage:${subject}`) ?? []);
    // Drop paths already covered by a shorter one, so scope filters stay small.
    const all = [...new Set([...direct, ...managed])].sort((a, b) => a.length - b.length);
    return all.filter((p, i) => !all.slice(0, i).some((q) => pathWithin(p, q)));
  }

  /** May the actor do this at all (somewhere), or at the given area path? */
  can(action: Action, subject: Subject, areaPath?: string | null): boolean {
    const paths = this.paths(action, subject);
    if (areaPath === undefined) return paths.length > 0;
    if (areaPath === null) return false;
    return paths.some((p) => pathWithin(areaPath, p));
  }

  /** Throws 403 unless allowed; denials are audited by the error handler. */
  authorize(action: Action, subject: Subject, areaPath?: string | null): void {
    if (!this.can(action, subject, areaPath)) throw new AppError('forbidden');
  }

  /** The grants, as the web app receives them from /api/me. */
  grants(): AbilityGrant[] {
    const out: AbilityGrant[] = [];
    for (const key of this.grantsBySubject.keys()) {
      const [action, subject] = key.split(':') as [Action, Subject];
      out.push({ action, subject, areaPaths: this.paths(action, subject) });
    }
    return out.sort((a, b) => (a.subject + a.action).localeCompare(b.subject + b.action));
  }

  hasRole(role: Role): boolean {
    return (this.actor?.assignments ?? []).some((a) => a.role === role);
  }
}
