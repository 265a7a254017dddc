/** The timeline of a case: each step with its actor, role, note, what it changed, and its photos (click to enlarge). */
import { Image, Tag, Timeline, Typography } from 'antd';
import { Link } from 'react-router';
import type { Role } from '../../../../common/roles';
import { ROLE_NAMES } from '../../../../common/roles';
import { formatDateTime, useLocale, type TFunction } from '../../i18n';
import type { Locale } from '../../../../common/locale';
import type { Attachment, CaseEvent } from './api';
import {
  actionLabel,
  channelLabel,
  labelOf,
  levelLabel,
  matterLabel,
  ratingLabel,
  STATUS_COLOURS,
} from './labels';

function roleLabel(role: string | null, locale: Locale): string | null {
  if (!role) return null;
  if (role === 'system') return null;
  return ROLE_NAMES[role as Role]?.[locale] ?? role;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

/**
 * The step's name in the past tense, with where it went when the event says so ("已派遣至民政局", "Dispatched to …").
 * An action the catalogue does not know yet shows as its action label.
 */
export function stepLabel(
  e: Pick<CaseEvent, 'action' | 'data'>,
  t: TFunction,
  locale: Locale,
  deptName: (id: string) => string | null,
): string {
  const d = e.data;
  const dept = str(d.departmentId) ? deptName(str(d.departmentId)!) : null;
  const prevLevel = str((d.prev as { level?: unknown } | undefined)?.level);
  switch (e.action) {
    case 'dispatch':
      if (dept) return t('cases.step.dispatch.department', { name: dept });
      if (!str(d.departmentId) && prevLevel)
        return t('cases.step.dispatch.level', { level: levelLabel(t, locale, prevLevel) });
      break;
    case 'transfer':
      if (dept) return t('cases.step.transfer.department', { name: dept });
      if (str(d.level))
        return t('cases.step.transfer.level', { level: levelLabel(t, locale, str(d.level)!) });
      break;
    case 'escalate':
      if (str(d.toLevel))
        return t('cases.step.escalate.level', { level: levelLabel(t, locale, str(d.toLevel)!) });
      break;
    case 'request_extension':
      if (typeof d.days === 'number') return t('cases.step.request_extension.days', { n: d.days });
      break;
    case 'approve_extension':
      if (typeof d.days === 'number') return t('cases.step.approve_extension.days', { n: d.days });
      break;
    case 'rate':
      if (str(d.rating))
        return t('cases.step.rate.rating', { rating: ratingLabel(t, locale, str(d.rating)!) });
      break;
    case 'merge':
      if (str(d.targetNumber)) return t('cases.step.merge.number', { number: str(d.targetNumber)! });
      break;
    case 'absorb':
      if (str(d.sourceNumber)) return t('cases.step.absorb.number', { number: str(d.sourceNumber)! });
      break;
    default:
      break;
  }
  const plain = labelOf(t, locale, 'cases.step', e.action);
  return plain === e.action ? actionLabel(t, locale, e.action) : plain;
}

/** What an event's data says in words beyond its step name: co-handlers, new deadline, matter class, and so on. */
function dataTags(
  e: CaseEvent,
  t: TFunction,
  locale: Locale,
  deptName: (id: string) => string | null,
): string[] {
  const d = e.data;
  const out: string[] = [];
  if (e.action === 'report' && str(d.channel))
    out.push(t('cases.event.channel', { channel: channelLabel(t, locale, str(d.channel)!) }));
  // Where a dispatch or transfer went is in the step name; an unnamed department (not listable) still says so.
  const dept = str(d.departmentId);
  if (dept && !deptName(dept) && e.action !== 'report') out.push(t('cases.event.departmentUnknown'));
  if (Array.isArray(d.coDepartmentIds) && d.coDepartmentIds.length)
    out.push(
      t('cases.event.coDepartments', {
        names: (d.coDepartmentIds as unknown[])
          .map((id) => (typeof id === 'string' ? (deptName(id) ?? '?') : ''))
          .join(t('common.listSeparator')),
      }),
    );
  if (e.action === 'approve_extension' && str(d.dueAt))
    out.push(t('cases.event.newDue', { at: formatDateTime(str(d.dueAt), locale) }));
  if (d.reopened === true) out.push(t('cases.event.reopened'));
  const mc = d.matterClass as { to?: unknown } | undefined;
  if (mc && typeof mc === 'object' && str(mc.to))
    out.push(t('cases.event.matterClass', { to: matterLabel(t, locale, str(mc.to)!) }));
  if (d.automatic === true) out.push(t('cases.event.automatic'));
  return out;
}

export function CaseTimeline({
  events,
  photos,
  departmentNames,
}: {
  events: CaseEvent[];
  photos: Attachment[];
  /** Department names by id, as far as the reader may list them. */
  departmentNames: ReadonlyMap<string, string>;
}) {
  const { t, locale } = useLocale();
  const bySeq = new Map<number, Attachment[]>();
  for (const p of photos) {
    if (p.eventSeq === null) continue;
    bySeq.set(p.eventSeq, [...(bySeq.get(p.eventSeq) ?? []), p]);
  }
  const deptName = (id: string) => departmentNames.get(id) ?? null;
  const items = events.map((e) => {
    // Photos are listed by the step; attachmentIds on the event catch photos the list does not place.
    const own = bySeq.get(e.seq) ?? photos.filter((p) => e.attachmentIds?.includes(p.id));
    const tags = dataTags(e, t, locale, deptName);
    const role = roleLabel(e.actorRole, locale);
    return {
      key: e.seq,
      color:
        e.action === 'reject' || e.action === 'decline' || e.action === 'return'
          ? 'red'
          : STATUS_COLOURS[e.toStatus] === 'green'
            ? 'green'
            : 'blue',
      content: (
        <div data-testid={`case-event-${e.seq}`} data-action={e.action}>
          <div className="case-event-head">
            <span className="case-event-action" data-testid="case-event-step">
              {stepLabel(e, t, locale, deptName)}
            </span>
            <Typography.Text type="secondary" className="case-event-meta">
              {formatDateTime(e.at, locale)}
            </Typography.Text>
          </div>
          <Typography.Text type="secondary" className="case-event-meta">
            {e.actorName ?? ''}
            {role ? ` · ${role}` : ''}
          </Typography.Text>
          {e.note ? <p className="case-event-note">{e.note}</p> : null}
          {tags.length ? (
            <div className="case-event-data">
              {tags.map((x) => (
                <Tag key={x}>{x}</Tag>
              ))}
            </div>
          ) : null}
          {str(e.data.targetId) ? (
            <Link to={`/cases/${str(e.data.targetId)}`}>{t('cases.detail.openTarget')}</Link>
          ) : null}
          {str(e.data.sourceId) ? (
            <Link to={`/cases/${str(e.data.sourceId)}`}>{str(e.data.sourceNumber) ?? ''}</Link>
          ) : null}
          {own.length ? <PhotoStrip photos={own} testId={`case-event-photos-${e.seq}`} /> : null}
        </div>
      ),
    };
  });
  return <Timeline items={items} data-testid="case-timeline" />;
}

/** Thumbnails that open the photo large (antd's preview, with next/previous within the strip). */
export function PhotoStrip({ photos, testId }: { photos: Attachment[]; testId: string }) {
  const { t } = useLocale();
  return (
    <div className="case-photos" data-testid={testId}>
      <Image.PreviewGroup>
        {photos.map((p) => (
          <Image
            key={p.id}
            src={p.thumbUrl}
            alt={t('cases.photos.view')}
            width={72}
            height={72}
            preview={{ src: p.url }}
            data-testid="case-photo"
          />
        ))}
      </Image.PreviewGroup>
    </div>
  );
}
