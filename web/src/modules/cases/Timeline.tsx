/** The timeline of a case: each step with its actor, role, note, what it changed, and its photos (click to enlarge). */
import { Image, Tag, Timeline, Typography } from 'antd';
import { Link } from 'react-router';
import type { Role } from '../../../../common/roles';
import { ROLE_NAMES } from '../../../../common/roles';
import { formatDateTime, useLocale, type TFunction } from '../../i18n';
import type { Locale } from '../../../../common/locale';
import type { Attachment, CaseEvent } from './api';
import { actionLabel, levelLabel, matterLabel, ratingLabel, channelLabel, STATUS_COLOURS } from './labels';

function roleLabel(role: string | null, locale: Locale): string | null {
  if (!role) return null;
  if (role === 'system') return null;
  return ROLE_NAMES[role as Role]?.[locale] ?? role;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

/** What an event's data says in words: where it went, new deadline, rating, and so on. */
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
  const dept = str(d.departmentId);
  if (dept && e.action !== 'report') {
    const name = deptName(dept);
    out.push(name ? t('cases.event.department', { name }) : t('cases.event.departmentUnknown'));
  }
  if (Array.isArray(d.coDepartmentIds) && d.coDepartmentIds.length)
    out.push(
      t('cases.event.coDepartments', {
        names: (d.coDepartmentIds as unknown[])
          .map((id) => (typeof id === 'string' ? (deptName(id) ?? '?') : ''))
          .join(t('common.listSeparator')),
      }),
    );
  if (str(d.level) && e.action === 'transfer')
    out.push(t('cases.event.level', { level: levelLabel(t, locale, str(d.level)!) }));
  if (str(d.fromLevel) && str(d.toLevel))
    out.push(
      t('cases.event.levels', {
        from: levelLabel(t, locale, str(d.fromLevel)!),
        to: levelLabel(t, locale, str(d.toLevel)!),
      }),
    );
  if (typeof d.days === 'number') out.push(t('cases.event.days', { n: d.days }));
  if (e.action === 'approve_extension' && str(d.dueAt))
    out.push(t('cases.event.newDue', { at: formatDateTime(str(d.dueAt), locale) }));
  if (str(d.rating)) out.push(t('cases.event.rating', { rating: ratingLabel(t, locale, str(d.rating)!) }));
  if (d.reopened === true) out.push(t('cases.event.reopened'));
  const mc = d.matterClass as { to?: unknown } | undefined;
  if (mc && typeof mc === 'object' && str(mc.to))
    out.push(t('cases.event.matterClass', { to: matterLabel(t, locale, str(mc.to)!) }));
  if (str(d.targetNumber)) out.push(t('cases.event.mergedInto', { number: str(d.targetNumber)! }));
  if (str(d.sourceNumber)) out.push(t('cases.event.absorbed', { number: str(d.sourceNumber)! }));
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
            <span className="case-event-action">{actionLabel(t, locale, e.action)}</span>
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
