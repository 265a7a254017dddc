/** Names and colours of case statuses, actions and channels, the work-list groups, and relative deadlines. */
import dayjs from 'dayjs';
import type { Locale } from '../../../../common/locale';
import { hasMessage } from '../../catalogues';
import type { TFunction } from '../../i18n';
import type { CaseSummary } from './api';

/** t() for keys built from server values: unknown values (a new action of the server) show as they are. */
export function labelOf(t: TFunction, locale: Locale, prefix: string, value: string): string {
  const key = `${prefix}.${value}`;
  return hasMessage(key) ? t(key) : value;
}

export const statusLabel = (t: TFunction, locale: Locale, s: string) => labelOf(t, locale, 'cases.status', s);
export const actionLabel = (t: TFunction, locale: Locale, a: string) => labelOf(t, locale, 'cases.action', a);
export const channelLabel = (t: TFunction, locale: Locale, c: string) =>
  labelOf(t, locale, 'cases.channel', c);
export const ratingLabel = (t: TFunction, locale: Locale, r: string) => labelOf(t, locale, 'cases.rating', r);
export const levelLabel = (t: TFunction, locale: Locale, l: string) =>
  labelOf(t, locale, 'categories.level', l);
export const matterLabel = (t: TFunction, locale: Locale, m: string) =>
  labelOf(t, locale, 'categories.matterClass', m);

export const STATUS_COLOURS: Record<string, string> = {
  reported: 'gold',
  accepted: 'cyan',
  declined: 'default',
  dispatched: 'blue',
  handling: 'processing',
  handled: 'purple',
  verified: 'geekblue',
  closed: 'green',
  rated: 'success',
  suspended: 'orange',
  merged: 'default',
};

/** The work-list groups: what the user has to do next, in the order of the lifecycle. */
export const WORK_GROUPS = [
  'toAccept',
  'toDispatch',
  'toHandle',
  'toVerify',
  'toClose',
  'suspended',
  'toRate',
  'other',
] as const;
export type WorkGroup = (typeof WORK_GROUPS)[number];

const GROUP_OF_STATUS: Record<string, WorkGroup> = {
  reported: 'toAccept',
  accepted: 'toDispatch',
  dispatched: 'toHandle',
  handling: 'toHandle',
  handled: 'toVerify',
  verified: 'toClose',
  suspended: 'suspended',
  closed: 'toRate',
};

export function groupOf(c: Pick<CaseSummary, 'status'>): WorkGroup {
  return GROUP_OF_STATUS[c.status] ?? 'other';
}

/** Overdue first (the latest first among them), then the nearest deadline, then the oldest report. */
export function byUrgency(a: CaseSummary, b: CaseSummary): number {
  if (a.overdue !== b.overdue) return a.overdue ? -1 : 1;
  const da = a.dueAt ? Date.parse(a.dueAt) : Number.POSITIVE_INFINITY;
  const db = b.dueAt ? Date.parse(b.dueAt) : Number.POSITIVE_INFINITY;
  if (da !== db) return da - db;
  return Date.parse(a.createdAt) - Date.parse(b.createdAt);
}

/** Cases sorted into their groups (each sorted by urgency), only non-empty groups, in lifecycle order. */
export function groupCases(items: readonly CaseSummary[]): { group: WorkGroup; items: CaseSummary[] }[] {
  const map = new Map<WorkGroup, CaseSummary[]>();
  for (const c of items) {
    const g = groupOf(c);
    map.set(g, [...(map.get(g) ?? []), c]);
  }
  return WORK_GROUPS.filter((g) => map.has(g)).map((g) => ({ group: g, items: map.get(g)!.sort(byUrgency) }));
}

const ENDED = ['declined', 'closed', 'rated', 'merged'];

export interface DueText {
  text: string;
  late: boolean;
  /** Less than a quarter of a day left: shown in warning colour. */
  soon: boolean;
}

/** "还剩 3 小时" / "已逾期 2 天" from the deadline, or null when the deadline no longer applies. */
export function dueText(
  t: TFunction,
  c: Pick<CaseSummary, 'dueAt' | 'status' | 'overdue'>,
  now = dayjs(),
): DueText | null {
  if (ENDED.includes(c.status)) return null;
  if (c.status === 'suspended') return { text: t('cases.due.stopped'), late: false, soon: false };
  if (!c.dueAt) return { text: t('cases.due.none'), late: false, soon: false };
  const due = dayjs(c.dueAt);
  const late = c.overdue || due.isBefore(now);
  const minutes = Math.abs(due.diff(now, 'minute'));
  const side = late ? 'late' : 'left';
  let text: string;
  if (minutes < 60) text = t(`cases.due.${side}.minutes`, { n: Math.max(1, minutes) });
  else if (minutes < 48 * 60) text = t(`cases.due.${side}.hours`, { n: Math.floor(minutes / 60) });
  else text = t(`cases.due.${side}.days`, { n: Math.floor(minutes / (24 * 60)) });
  return { text, late, soon: !late && minutes < 6 * 60 };
}
