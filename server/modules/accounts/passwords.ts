/** Password hashing (argon2id, 19 MiB, t=2) and the password policy: default, or the 等保 level-3 profile. */
import { hash, verify } from '@node-rs/argon2';
import type { PasswordProfile } from '../../config';
import type { FieldProblem } from '../../http/errors';
import { COMMON_PASSWORDS } from './common-passwords';

// OWASP's argon2id floor: 19 MiB memory, 2 iterations, 1 lane.
// algorithm 2 is Argon2id (the package's const enum cannot be imported under verbatimModuleSyntax).
const ARGON = { algorithm: 2, memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

// A fixed hash to verify against when the username is unknown, so timing does not reveal which accounts exist.
let dummyHash: Promise<string> | null = null;
export function dummyVerify(password: string): Promise<boolean> {
  dummyHash ??= hashPassword('linli-timing-equaliser');
  return dummyHash.then((h) => verifyPassword(h, password));
}

export interface PolicySettings {
  minLength: number;
  minClasses: number;
  /** Days until a password must be changed; null: never. */
  maxAgeDays: number | null;
  /** How many previous passwords may not be reused. */
  history: number;
}

export function policyFor(profile: PasswordProfile): PolicySettings {
  return profile === 'dengbao3'
    ? { minLength: 10, minClasses: 3, maxAgeDays: 90, history: 5 }
    : { minLength: 8, minClasses: 1, maxAgeDays: null, history: 0 };
}

/**
 * When a password set at `changedAt` expires under the profile (dengbao3: after 90 days), or null when it never
 * does. Accounts without a password (residents who log in by SMS) have no expiry.
 */
export function passwordExpiresAt(profile: PasswordProfile, changedAt: Date | null): Date | null {
  const days = policyFor(profile).maxAgeDays;
  if (days === null || changedAt === null) return null;
  return new Date(changedAt.getTime() + days * 24 * 3600 * 1000);
}

/** Whether an account must change its password now: flagged (temporary password) or expired. */
export function passwordChangeRequired(
  profile: PasswordProfile,
  account: {
    mustChangePassword: boolean;
    hasPassword: boolean;
    passwordChangedAt: Date | null;
    createdAt: Date;
  },
  now = Date.now(),
): boolean {
  if (!account.hasPassword) return false;
  if (account.mustChangePassword) return true;
  const expires = passwordExpiresAt(profile, account.passwordChangedAt ?? account.createdAt);
  return expires !== null && expires.getTime() <= now;
}

function classesOf(pw: string): number {
  return [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((r) => r.test(pw)).length;
}

/** Checks a new password against the profile; returns the problems (empty when acceptable). */
export function checkPasswordPolicy(
  password: string,
  profile: PasswordProfile,
  opts: { username?: string | null; field?: string } = {},
): FieldProblem[] {
  const field = opts.field ?? 'body.password';
  const p = policyFor(profile);
  const problems: FieldProblem[] = [];
  if ([...password].length < p.minLength)
    problems.push({ field, rule: 'password.length', limit: p.minLength });
  else if (COMMON_PASSWORDS.has(password.toLowerCase())) problems.push({ field, rule: 'password.common' });
  else if (classesOf(password) < p.minClasses)
    problems.push({ field, rule: 'password.classes', limit: p.minClasses });
  else if (
    profile === 'dengbao3' &&
    opts.username &&
    opts.username.length >= 3 &&
    password.toLowerCase().includes(opts.username.toLowerCase())
  ) {
    problems.push({ field, rule: 'password.username' });
  }
  return problems;
}
