/**
 * Helpers to write a module's rows of the authorization table (server/policy/authorization.test.ts) as a table: a
 * target placed at the relation (`on`), and the request made on it (`get`, `post`, `patch`).
 */
import type { Role } from '../../common/roles';
import { areaAt, gridAt, type Actor, type Call, type Matrix, type Relation, type RouteCase } from './matrix';

/** Finds or places what a request is made on, at a relation to the actor; null: nothing there for this actor. */
export type Target<T> = (a: Actor, rel: Relation, m: Matrix) => T | null | Promise<T | null>;

/** A scoped case: the request is made on what `target` finds at the relation; no target there, no call. */
export function on<T>(
  allow: Role[],
  target: Target<T>,
  request: (t: T, m: Matrix) => Call | Promise<Call>,
): RouteCase {
  return {
    allow,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const t = await target(a, rel, m);
      return t === null ? null : request(t, m);
    },
  };
}

/** A case where the relation does not matter: the same request for every actor. */
export function anywhere(allow: Role[], request: (m: Matrix) => Call | Promise<Call>): RouteCase {
  return { allow, scope: 'any', call: async (_a, _rel, m) => request(m) };
}

/** The grid at the relation (null: none for this actor). */
export const gridOf = (a: Actor, rel: Relation): string | null => gridAt(a.home, rel);

/** The area at the relation (null: none for this actor). */
export const areaOf = (a: Actor, rel: Relation): string | null => areaAt(a.home, rel);

/** Places something in the grid at the relation. */
export function inGrid<T>(place: (grid: string, m: Matrix) => Promise<T>): Target<T> {
  return async (a, rel, m) => {
    const grid = gridAt(a.home, rel);
    return grid ? place(grid, m) : null;
  };
}

/** A read; for a list, the row that must be in it. */
export const get = (url: string, listed?: Call['listed']): Call => ({
  method: 'GET',
  url,
  ...(listed ? { listed } : {}),
});

/** A POST with a JSON body (or raw bytes). */
export const post = (url: string, payload: unknown = {}): Call => ({ method: 'POST', url, payload });

/** A PATCH with a JSON body. */
export const patch = (url: string, payload: unknown): Call => ({ method: 'PATCH', url, payload });

/** A list that must hold the row with this id when allowed. */
export const listed = (value: string): Call['listed'] => ({ field: 'id', value });
