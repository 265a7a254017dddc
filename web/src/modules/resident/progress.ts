/** The five steps a resident sees (受理 → 派遣 → 处理 → 核查 → 办结) and where a case stands on them. */
import type { MessageKey } from '../../../../common/i18n';
import { hasMessage } from '../../catalogues';
import type { TFunction } from '../../i18n';

export const PROGRESS_STEPS = ['accept', 'dispatch', 'handle', 'verify', 'close'] as const;
export type ProgressStep = (typeof PROGRESS_STEPS)[number];

export type StepState = 'done' | 'current' | 'todo' | 'stopped';

export interface Progress {
  /** Index of the step the case is at (the last one done + 1), or of the step where it stopped. */
  current: number;
  /** true: all five done; 'stopped': declined or merged, nothing more happens; 'paused': suspended. */
  finished: boolean;
  stopped: boolean;
  paused: boolean;
}

/** Where a status stands on the five steps. */
export function progressOf(status: string): Progress {
  const base = { finished: false, stopped: false, paused: false };
  switch (status) {
    case 'reported':
      return { ...base, current: 0 };
    case 'accepted':
      return { ...base, current: 1 };
    case 'dispatched':
    case 'handling':
      return { ...base, current: 2 };
    case 'suspended':
      return { ...base, current: 2, paused: true };
    case 'handled':
      return { ...base, current: 3 };
    case 'verified':
      return { ...base, current: 4 };
    case 'closed':
    case 'rated':
      return { ...base, current: 5, finished: true };
    case 'declined':
    case 'merged':
      return { ...base, current: 0, stopped: true };
    default:
      return { ...base, current: 0 };
  }
}

/** The state of one step of a case's progress. */
export function stepState(p: Progress, index: number): StepState {
  if (index < p.current) return 'done';
  if (index === p.current) return p.stopped ? 'stopped' : 'current';
  return 'todo';
}

/** The step a status reached when an event led to it (for the times under the steps). */
const STEP_OF_STATUS: Record<string, number> = {
  accepted: 0,
  declined: 0,
  dispatched: 1,
  handling: 2,
  handled: 2,
  verified: 3,
  closed: 4,
};

/** The time each step was last reached, from the case's events (oldest first). */
export function stepTimes(events: readonly { toStatus: string; at: string }[]): (string | null)[] {
  const times: (string | null)[] = PROGRESS_STEPS.map(() => null);
  for (const e of events) {
    const i = STEP_OF_STATUS[e.toStatus];
    if (i !== undefined) times[i] = e.at;
  }
  return times;
}

function known(key: string): key is MessageKey {
  return hasMessage(key);
}

/** A status in plain words for residents; an unknown one shows as it is. */
export function statusText(t: TFunction, status: string): string {
  const key = `resident.status.${status}`;
  return known(key) ? t(key) : status;
}

/** A timeline step (event action) in plain words; an unknown one shows as it is. */
export function actionText(t: TFunction, action: string): string {
  const key = `resident.action.${action}`;
  return known(key) ? t(key) : action;
}

/** Tag colours of the statuses: open ones blue, waiting for the resident gold, ended green or grey. */
export function statusColor(status: string): string {
  switch (status) {
    case 'closed':
      return 'gold';
    case 'rated':
      return 'green';
    case 'declined':
    case 'merged':
      return 'default';
    case 'suspended':
      return 'orange';
    default:
      return 'blue';
  }
}

/** A short date and time, e.g. 03-01 14:05 (the year only when it is not this year). */
export function shortTime(iso: string | null | undefined, locale: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const sameYear = d.getFullYear() === new Date().getFullYear();
  return d.toLocaleString(locale === 'en' ? 'en-GB' : locale, {
    ...(sameYear ? {} : { year: 'numeric' }),
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
}
