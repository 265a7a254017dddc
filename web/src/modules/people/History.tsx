/** The timeline of a resident's or household's events: what happened on which day, who recorded it. */
import { Empty, Timeline, Typography } from 'antd';
import { Link } from 'react-router';
import { formatDateTime, useLocale } from '../../i18n';
import type { ResidentEvent } from './api';
import { eventLabel, livingLabel, relationLabel } from './labels';

const FIELD_KEYS: Record<
  string,
  'people.resident.name' | 'people.resident.idNumber' | 'people.resident.phone'
> = {
  name: 'people.resident.name',
  idNumber: 'people.resident.idNumber',
  phone: 'people.resident.phone',
};

export function History({ events, showNames }: { events: ResidentEvent[]; showNames?: boolean }) {
  const { t, locale } = useLocale();
  if (events.length === 0) return <Empty description={t('people.resident.none')} />;
  return (
    <Timeline
      items={events.map((e) => {
        const d = e.data;
        const extra: string[] = [];
        if (e.kind === 'relation_changed')
          extra.push(
            t('people.event.relationFromTo', {
              from: relationLabel(t, String(d.from ?? '')),
              to: relationLabel(t, String(d.to ?? '')),
            }),
          );
        if (e.kind === 'joined_household' && typeof d.relation === 'string')
          extra.push(relationLabel(t, d.relation));
        if (e.kind === 'moved_in' && typeof d.livingType === 'string')
          extra.push(livingLabel(t, d.livingType));
        if (e.kind === 'corrected' && Array.isArray(d.fields))
          extra.push(
            t('people.event.fields', {
              fields: d.fields
                .map((f) => (typeof f === 'string' && FIELD_KEYS[f] ? t(FIELD_KEYS[f]) : String(f)))
                .join(t('common.listSeparator')),
            }),
          );
        return {
          key: e.id,
          children: (
            <div data-testid="history-item">
              <Typography.Text strong>
                {e.occurredOn} {eventLabel(t, e.kind)}
              </Typography.Text>
              {showNames ? (
                <>
                  {' · '}
                  <Link to={`/residents/${e.residentId}`}>{e.residentName}</Link>
                </>
              ) : null}
              {extra.length ? <div>{extra.join(' · ')}</div> : null}
              {e.note ? <div>{e.note}</div> : null}
              <Typography.Text type="secondary" className="people-event-by">
                {t('people.event.by', {
                  // Seeds and jobs record as 'system': say 系统, not the machine name.
                  name: e.actorName === 'system' ? t('people.event.system') : (e.actorName ?? ''),
                  at: formatDateTime(e.at, locale),
                })}
              </Typography.Text>
            </div>
          ),
        };
      })}
    />
  );
}
