/** Display names of the register's codes (relation, residence type, status …) in the UI language. */
import type { MessageKey } from '../../../../common/i18n';
import type { TFunction } from '../../i18n';

/** The label of a code under a key prefix, or the code itself when the catalogue does not know it. */
export function codeLabel(t: TFunction, prefix: string, code: string | null | undefined): string {
  if (!code) return '';
  const key = `${prefix}.${code}` as MessageKey;
  const text = t(key);
  // translate() gives undefined for a key the catalogue lacks, whatever its type says.
  return text && text !== key ? text : code;
}

export const relationLabel = (t: TFunction, c: string | null | undefined) =>
  codeLabel(t, 'people.relation', c);
export const residenceLabel = (t: TFunction, c: string | null | undefined) =>
  codeLabel(t, 'people.residence', c);
export const statusLabel = (t: TFunction, c: string | null | undefined) => codeLabel(t, 'people.status', c);
export const genderLabel = (t: TFunction, c: string | null | undefined) => codeLabel(t, 'people.gender', c);
export const livingLabel = (t: TFunction, c: string | null | undefined) => codeLabel(t, 'people.living', c);
export const eventLabel = (t: TFunction, c: string | null | undefined) => codeLabel(t, 'people.event', c);
export const typeLabel = (t: TFunction, c: string | null | undefined) => codeLabel(t, 'people.type', c);

/** Whole years between a birth date and today. */
export function ageOf(birthDate: string, today = new Date()): number {
  const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number];
  let age = today.getFullYear() - y;
  if (today.getMonth() + 1 < m || (today.getMonth() + 1 === m && today.getDate() < d)) age--;
  return age;
}

export const STATUS_COLOURS: Record<string, string> = {
  alive: 'green',
  deceased: 'default',
  moved_out: 'orange',
};
