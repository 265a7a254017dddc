/**
 * 我的家庭信息: what the register holds about the resident's household (members with masked numbers) and who in
 * which role and unit looked at it, showed a number in full, exported or changed it, and when. Phone first, big type.
 */
import { useCallback, useEffect, useState } from 'react';
import { Card, Empty, Spin, Tag, Typography } from 'antd';
import { LeftOutlined } from '@ant-design/icons';
import { Link } from 'react-router';
import type { MyAccess, MyHousehold, MyHouseholds, MyTag } from '../../../../common/schemas/my-household';
import { api } from '../../api';
import { formatDateTime, roleName, useLocale } from '../../i18n';
import { ErrorResult } from '../../components/ErrorResult';
import { ageOf, genderLabel, relationLabel } from '../people/labels';
import './resident.css';

/** One line of the access log: when, who (role · unit), what, and the stated purpose. */
function AccessItem({ a }: { a: MyAccess }) {
  const { t, locale } = useLocale();
  const whom = a.residentName ?? t('myHousehold.wholeHousehold');
  const field = a.field === 'idNumber' ? t('myHousehold.idNumber') : t('myHousehold.phone');
  const what = t(`myHousehold.kind.${a.kind}`, { whom, field });
  const who = [a.role ? roleName(a.role, locale) : t('myHousehold.staff'), a.unit]
    .filter(Boolean)
    .join(' · ');
  return (
    <li className="my-access-item" data-testid="my-access-item" data-kind={a.kind}>
      <Typography.Text type="secondary" className="my-access-time">
        {formatDateTime(a.at, locale)}
      </Typography.Text>
      <div>
        <Typography.Text strong>{who}</Typography.Text> {what}
      </div>
      {a.purpose ? (
        <div className="my-access-purpose">{t('myHousehold.purpose', { purpose: a.purpose })}</div>
      ) : null}
    </li>
  );
}

/**
 * The focus-group tags held about a member: the server sends the member's own tags with details and, for the other
 * members, ordinary tags without (the rule is the server's: server/modules/people/my-household.ts).
 */
function MemberTags({ tags }: { tags: MyTag[] }) {
  const { t, locale } = useLocale();
  return (
    <div className="my-line">
      <Typography.Text type="secondary">{t('myHousehold.tags')}：</Typography.Text>
      <ul className="my-tags">
        {tags.map((g) => (
          <li key={g.id} className="my-tag" data-testid="my-member-tag" data-code={g.code}>
            <Tag color={g.toDate ? undefined : 'gold'}>{locale === 'en' ? (g.nameEn ?? g.name) : g.name}</Tag>
            {g.sensitivity !== 'normal' ? (
              <Tag color={g.sensitivity === 'restricted' ? 'red' : 'orange'}>
                {t(`tags.sensitivity.${g.sensitivity}`)}
              </Tag>
            ) : null}
            <Typography.Text type="secondary">
              {g.toDate
                ? t('myHousehold.tagPeriod', { from: g.fromDate, to: g.toDate })
                : t('myHousehold.tagSince', { date: g.fromDate })}
            </Typography.Text>
            {g.details?.length ? (
              <div className="my-tag-details" data-testid="my-member-tag-details">
                {g.details
                  .map((d) => `${locale === 'en' ? (d.labelEn ?? d.label) : d.label}：${d.value}`)
                  .join('；')}
              </div>
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

function HouseholdView({ h }: { h: MyHousehold }) {
  const { t } = useLocale();
  return (
    <>
      <Card
        className="resident-card"
        data-testid="my-household"
        title={t('myHousehold.number', { number: h.number })}
      >
        {h.dwellingLabel ? (
          <div className="my-line">
            <Typography.Text type="secondary">{t('myHousehold.address')}：</Typography.Text>
            {h.dwellingLabel}
          </div>
        ) : null}
        {h.areaName ? (
          <div className="my-line">
            <Typography.Text type="secondary">{t('myHousehold.area')}：</Typography.Text>
            {h.areaName}
          </div>
        ) : null}
      </Card>
      <Card className="resident-card" title={t('myHousehold.members', { n: h.members.length })}>
        <ul className="my-members">
          {h.members.map((m) => (
            <li key={m.id} className="my-member" data-testid="my-member">
              <div className="my-member-head">
                <Typography.Text strong className="my-member-name">
                  {m.name}
                </Typography.Text>
                <Tag color={m.relation === 'head' ? 'blue' : undefined}>{relationLabel(t, m.relation)}</Tag>
                {m.self ? <Tag color="green">{t('myHousehold.self')}</Tag> : null}
                <span>
                  {genderLabel(t, m.gender)} · {t('people.resident.age', { n: ageOf(m.birthDate) })}
                </span>
              </div>
              {m.idNumberMasked ? (
                <div className="my-line">
                  <Typography.Text type="secondary">{t('myHousehold.idNumber')}：</Typography.Text>
                  <span className="mono" data-testid="my-member-id">
                    {m.idNumberMasked}
                  </span>
                </div>
              ) : null}
              {m.phoneMasked ? (
                <div className="my-line">
                  <Typography.Text type="secondary">{t('myHousehold.phone')}：</Typography.Text>
                  <span className="mono">{m.phoneMasked}</span>
                </div>
              ) : null}
              {m.tags.length ? <MemberTags tags={m.tags} /> : null}
            </li>
          ))}
        </ul>
        {h.members.some((m) => m.tags.length) ? (
          <Typography.Paragraph type="secondary">{t('myHousehold.tagsIntro')}</Typography.Paragraph>
        ) : null}
        <Typography.Text type="secondary">{t('myHousehold.correct')}</Typography.Text>
      </Card>
      <Card className="resident-card" title={t('myHousehold.access')} data-testid="my-access">
        <Typography.Paragraph type="secondary">{t('myHousehold.accessIntro')}</Typography.Paragraph>
        {h.access.length === 0 ? (
          <Empty description={t('myHousehold.accessNone')} data-testid="my-access-none" />
        ) : (
          <ul className="my-access">
            {h.access.map((a, i) => (
              <AccessItem key={`${a.at}-${i}`} a={a} />
            ))}
          </ul>
        )}
      </Card>
    </>
  );
}

export default function MyHouseholdPage() {
  const { t } = useLocale();
  const [data, setData] = useState<MyHouseholds | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [reload, setReload] = useState(0);
  const retry = useCallback(() => setReload((n) => n + 1), []);

  useEffect(() => {
    const ac = new AbortController();
    setError(null);
    api
      .get<MyHouseholds>('/api/me/household', undefined, ac.signal)
      .then(setData)
      .catch((e: unknown) => {
        if (!ac.signal.aborted) setError(e);
      });
    return () => ac.abort();
  }, [reload]);

  if (error) return <ErrorResult error={error} onRetry={retry} />;
  return (
    <div className="page resident-page" data-testid="my-household-page">
      <Link to="/" className="back-link">
        <LeftOutlined /> {t('myHousehold.backHome')}
      </Link>
      <Typography.Title level={3} className="resident-title">
        {t('myHousehold.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('myHousehold.intro')}</Typography.Paragraph>
      {!data ? (
        <div className="page-loading">
          <Spin size="large" />
        </div>
      ) : data.households.length === 0 ? (
        <Card className="resident-card">
          <Empty description={t('myHousehold.none')} data-testid="my-household-none" />
        </Card>
      ) : (
        data.households.map((h) => <HouseholdView key={h.id} h={h} />)
      )}
    </div>
  );
}
