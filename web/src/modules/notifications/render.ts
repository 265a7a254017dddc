/** A notification in the reader's language, from its kind and data (the server stores parameters, not text). */
import { hasMessage } from '../../catalogues';
import type { Locale } from '../../../../common/locale';
import { formatDateTime, type TFunction } from '../../i18n';
import { actionText, statusText } from '../resident/progress';
import type { Notification } from './api';

function str(v: unknown): string | null {
  return typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : null;
}

/** Headline, the case it is about, and one extra line when the kind has one. */
export function renderNotification(
  n: Pick<Notification, 'kind' | 'data'>,
  t: TFunction,
  locale: Locale,
): { title: string; subject: string; extra: string | null } {
  const key = `notifications.kind.${n.kind}`;
  const title = hasMessage(key) ? t(key) : n.kind;
  const subject = [str(n.data.number), str(n.data.title)].filter(Boolean).join(' · ');
  const action = str(n.data.action);
  const status = str(n.data.status);
  const dueAt = str(n.data.dueAt);
  const fraction = typeof n.data.fraction === 'number' ? n.data.fraction : null;
  let extra: string | null;
  switch (n.kind) {
    case 'case.reminder':
      extra =
        fraction !== null && dueAt
          ? t('notifications.reminderExtra', {
              percent: Math.round(fraction * 100),
              due: formatDateTime(dueAt, locale),
            })
          : dueAt
            ? t('notifications.dueExtra', { due: formatDateTime(dueAt, locale) })
            : null;
      break;
    case 'case.overdue':
      extra = dueAt ? t('notifications.overdueExtra', { due: formatDateTime(dueAt, locale) }) : null;
      break;
    case 'case.progress':
      extra = status ? t('notifications.statusExtra', { status: statusText(t, status) }) : null;
      break;
    case 'case.extension_requested':
      extra =
        typeof n.data.days === 'number' ? t('notifications.extensionExtra', { days: n.data.days }) : null;
      break;
    default:
      extra = action ? t('notifications.actionExtra', { action: actionText(t, action) }) : null;
  }
  return { title, subject, extra };
}
