/**
 * Case detail (诉求详情): the fields (personal data masked as the server gives it), the deadline, the timeline with
 * its photos, and only the actions the server lists in `actions`, each behind its own small form.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { Alert, App, Button, Card, Descriptions, Empty, Skeleton, Space, Spin, Typography } from 'antd';
import { ArrowLeftOutlined, ReloadOutlined } from '@ant-design/icons';
import { Link, useNavigate, useParams } from 'react-router';
import { isApiError, type ApiError } from '../../api';
import { formatDateTime, useLocale } from '../../i18n';
import { Page } from '../../components/Page';
import { ErrorResult } from '../../components/ErrorResult';
import { casesApi, type Attachment, type CaseDetail, type CaseEvent, type Department } from './api';
import { ActionModal } from './ActionModal';
import { actionLabel, channelLabel, levelLabel, matterLabel, ratingLabel } from './labels';
import { CaseFlags, DueTag, StatusTag } from './parts';
import { CaseTimeline, PhotoStrip } from './Timeline';
import { categoryName, useCategories } from './useCategories';

type Action = CaseDetail['actions'][number];

/** Actions shown as the main (primary) button: the step that moves the case forward. */
const PRIMARY: Action[] = [
  'accept',
  'dispatch',
  'start',
  'handle',
  'verify',
  'close',
  'approve_extension',
  'resume',
];
const DANGER: Action[] = ['decline', 'reject', 'return', 'reject_extension'];

interface Side {
  events: CaseEvent[] | null;
  eventsError: ApiError | null;
  photos: Attachment[];
  departments: Department[];
}

export default function CaseDetailPage() {
  const { id = '' } = useParams();
  const { t, locale } = useLocale();
  const navigate = useNavigate();
  const categories = useCategories();
  const [c, setC] = useState<CaseDetail | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [side, setSide] = useState<Side>({ events: null, eventsError: null, photos: [], departments: [] });
  const [reload, setReload] = useState(0);
  const [action, setAction] = useState<Action | null>(null);
  const { message } = App.useApp();
  /** Set by the user's own action: a reload refused then means the case left the user's hands (退回, 转办). */
  const actedHere = useRef(false);

  useEffect(() => {
    const ac = new AbortController();
    setError(null);
    casesApi
      .get(id, ac.signal)
      .then((loaded) => {
        actedHere.current = false;
        setC(loaded);
      })
      .catch((e: unknown) => {
        if (!isApiError(e)) return;
        if (actedHere.current && (e.status === 403 || e.status === 404)) {
          actedHere.current = false;
          void message.info({ content: t('cases.detail.gone'), duration: 6 });
          navigate('/work', { replace: true });
          return;
        }
        setError(e);
      });
    // The timeline, photos and department names load beside the case; each may fail on its own.
    Promise.allSettled([
      casesApi.events(id, ac.signal),
      casesApi.photos(id, ac.signal),
      casesApi.departments(id, ac.signal),
    ]).then(([ev, ph, dp]) => {
      if (ac.signal.aborted) return;
      setSide({
        events: ev.status === 'fulfilled' ? ev.value.items : null,
        eventsError: ev.status === 'rejected' && isApiError(ev.reason) ? ev.reason : null,
        photos: ph.status === 'fulfilled' ? ph.value.items : [],
        departments: dp.status === 'fulfilled' ? dp.value.items : [],
      });
    });
    return () => ac.abort();
    // t, message and navigate only matter when a reload fails; a language switch need not reload the case.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id, reload]);

  const refresh = useCallback(() => setReload((r) => r + 1), []);

  if (error && !c) return <ErrorResult error={error} onRetry={refresh} />;
  if (!c)
    return (
      <div className="page">
        <Card>
          <Skeleton active paragraph={{ rows: 6 }} />
        </Card>
      </div>
    );

  const category = categories.byId.get(c.categoryId);
  const questionLabel = (key: string) => {
    const q = category?.questions.find((x) => x.key === key);
    return q ? (locale === 'en' && q.labelEn ? q.labelEn : q.label) : key;
  };
  const answerText = (v: unknown) =>
    typeof v === 'boolean' ? (v ? t('cases.yes') : t('cases.no')) : String(v ?? '');
  // Not every role may list departments: the case's own lead department is named by the case itself.
  const departmentNames = new Map(side.departments.map((d) => [d.id, d.name]));
  if (c.leadDepartmentId && c.leadDepartmentName)
    departmentNames.set(c.leadDepartmentId, c.leadDepartmentName);
  const deptName = (did: string) => departmentNames.get(did) ?? '?';
  const unplaced = side.photos.filter((p) => p.eventSeq === null);
  const answers = Object.entries(c.answers ?? {});

  const actions = c.actions.filter((a) => a !== 'merge' || c.status !== 'merged');
  const actionButtons = actions.length ? (
    <div className="case-actions" data-testid="case-actions">
      {actions.map((a) => (
        <Button
          key={a}
          type={PRIMARY.includes(a) ? 'primary' : 'default'}
          danger={DANGER.includes(a)}
          onClick={() => setAction(a)}
          data-testid={`case-action-${a}`}
        >
          {actionLabel(t, locale, a)}
        </Button>
      ))}
    </div>
  ) : (
    <Typography.Text type="secondary" data-testid="case-no-actions">
      {t('cases.detail.noActions')}
    </Typography.Text>
  );

  const info = [
    { key: 'number', label: t('cases.field.number'), children: <span className="mono">{c.number}</span> },
    {
      key: 'category',
      label: t('cases.field.category'),
      children: category ? categoryName(category, locale) : c.categoryName,
    },
    {
      key: 'matterClass',
      label: t('cases.field.matterClass'),
      children: matterLabel(t, locale, c.matterClass),
    },
    {
      key: 'channel',
      label: t('cases.field.channel'),
      children: (
        <>
          {channelLabel(t, locale, c.channel)}
          {c.sourceRef ? (
            <Typography.Text type="secondary">
              {' '}
              · {t('cases.field.sourceRef')} <span className="mono">{c.sourceRef}</span>
            </Typography.Text>
          ) : null}
        </>
      ),
    },
    {
      key: 'urgency',
      label: t('cases.field.urgency'),
      children: t(c.urgency === 'urgent' ? 'cases.urgency.urgent' : 'cases.urgency.normal'),
    },
    {
      key: 'area',
      label: t('cases.field.area'),
      children: (
        <>
          {c.areaName}
          {c.address ? ` · ${c.address}` : ''}
        </>
      ),
    },
    ...(c.lat !== null && c.lng !== null
      ? [
          {
            key: 'location',
            label: t('cases.field.location'),
            children: (
              <span className="mono">
                {c.lat.toFixed(6)}, {c.lng.toFixed(6)}
              </span>
            ),
          },
        ]
      : []),
    {
      key: 'reporter',
      label: t('cases.field.reporter'),
      children: (
        <span data-testid="case-reporter">
          {[c.reporterName, c.reporterPhone].filter(Boolean).join(' · ') || t('common.none')}
          {c.callbackWanted ? ` · ${t('cases.field.callbackWanted')}` : ''}
        </span>
      ),
    },
    {
      key: 'holder',
      label: t('cases.field.holder'),
      children: (
        <span data-testid="case-holder">
          {c.leadDepartmentName ?? levelLabel(t, locale, c.level)}
          {c.leadDepartmentName ? ` · ${levelLabel(t, locale, c.level)}` : ''}
        </span>
      ),
    },
    ...(c.coDepartmentIds.length
      ? [
          {
            key: 'co',
            label: t('cases.field.coDepartments'),
            children: c.coDepartmentIds.map(deptName).join(t('common.listSeparator')),
          },
        ]
      : []),
    {
      key: 'due',
      label: t('cases.field.dueAt'),
      children: (
        <Space size={4} wrap>
          {c.dueAt ? <span data-testid="case-due-at">{formatDateTime(c.dueAt, locale)}</span> : null}
          <DueTag c={c} />
        </Space>
      ),
    },
    { key: 'created', label: t('cases.field.createdAt'), children: formatDateTime(c.createdAt, locale) },
    ...(c.closedAt
      ? [{ key: 'closed', label: t('cases.field.closedAt'), children: formatDateTime(c.closedAt, locale) }]
      : []),
    ...(c.rating
      ? [{ key: 'rating', label: t('cases.field.rating'), children: ratingLabel(t, locale, c.rating) }]
      : []),
    ...answers.map(([k, v]) => ({ key: `a.${k}`, label: questionLabel(k), children: answerText(v) })),
  ];

  return (
    <Page
      title={
        <Space size={8} wrap>
          <Button
            type="text"
            icon={<ArrowLeftOutlined />}
            onClick={() => (window.history.length > 1 ? navigate(-1) : navigate('/cases'))}
            aria-label={t('cases.detail.back')}
            data-testid="case-back"
          />
          {t('cases.detail.title')}
        </Space>
      }
      extra={
        <Button icon={<ReloadOutlined />} onClick={refresh} data-testid="case-refresh">
          {t('cases.detail.refresh')}
        </Button>
      }
    >
      {c.mergedIntoId ? (
        <Alert
          type="info"
          showIcon
          className="case-merged-alert"
          data-testid="case-merged"
          title={
            <>
              {t('cases.detail.mergedInto')}{' '}
              <Link to={`/cases/${c.mergedIntoId}`} data-testid="case-merged-link">
                {t('cases.detail.openTarget')}
              </Link>
            </>
          }
        />
      ) : null}
      <div className="case-layout">
        <div className="card-stack">
          <Card data-testid="case-head">
            <div className="case-head">
              <div className="case-head-tags">
                <StatusTag status={c.status} />
                <DueTag c={c} />
                <CaseFlags c={c} />
              </div>
              <Typography.Title level={4} className="case-title" data-testid="case-title">
                {c.title}
              </Typography.Title>
              <Typography.Text type="secondary" className="mono" data-testid="case-number">
                {c.number}
              </Typography.Text>
              <Typography.Paragraph className="case-description">{c.description}</Typography.Paragraph>
              {unplaced.length ? (
                <>
                  <Typography.Text type="secondary">{t('cases.detail.otherPhotos')}</Typography.Text>
                  <PhotoStrip photos={unplaced} testId="case-other-photos" />
                </>
              ) : null}
            </div>
          </Card>
          <Card size="small" title={t('cases.detail.actions')}>
            {actionButtons}
          </Card>
          <Card size="small" title={t('cases.detail.info')}>
            <Descriptions column={1} size="small" items={info} data-testid="case-info" />
          </Card>
        </div>
        <Card size="small" title={t('cases.detail.timeline')}>
          {side.events === null && !side.eventsError ? <Spin /> : null}
          {side.eventsError ? (
            <Alert
              type="error"
              showIcon
              title={t('cases.detail.timelineError')}
              description={side.eventsError.message}
            />
          ) : null}
          {side.events && side.events.length === 0 ? (
            <Empty description={t('cases.detail.timelineEmpty')} />
          ) : null}
          {side.events && side.events.length > 0 ? (
            <CaseTimeline events={side.events} photos={side.photos} departmentNames={departmentNames} />
          ) : null}
        </Card>
      </div>
      <ActionModal
        c={c}
        action={action}
        onClose={() => setAction(null)}
        onDone={(updated) => {
          setAction(null);
          setC(updated);
          actedHere.current = true;
          refresh();
        }}
        onStale={() => {
          setAction(null);
          refresh();
        }}
      />
    </Page>
  );
}
