/**
 * A household's card (户): head, type, dwelling, the members now and before with their relation and dates, and
 * the household's history; adding a member (with live ID checks), changing a relation, a member leaving, moving
 * into a dwelling and out again. Actions show only when the server's abilities allow writing.
 */
import { useState } from 'react';
import {
  App,
  Button,
  Card,
  Checkbox,
  Descriptions,
  Divider,
  Empty,
  List,
  Modal,
  Select,
  Skeleton,
  Space,
  Tag,
  Typography,
} from 'antd';
import { ArrowLeftOutlined, UserAddOutlined } from '@ant-design/icons';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { HOUSEHOLD_RELATIONS, type HouseholdRelation } from '../../../../common/schemas/people';
import { useLocale } from '../../i18n';
import { useSession } from '../../session';
import { Page } from '../../components/Page';
import { ErrorResult } from '../../components/ErrorResult';
import { useLoad } from '../../components/useLoad';
import { useAction } from '../../components/useAction';
import { peopleApi, type HouseholdCard } from './api';
import { History } from './History';
import { ageOf, genderLabel, relationLabel, STATUS_COLOURS, statusLabel, typeLabel } from './labels';
import { period } from './ResidentPage';
import { ResidentForm } from './ResidentForm';
import { MoveInModal } from './MoveInModal';
import { HouseholdVisits } from '../visits/HouseholdVisits';
import './people.css';

type Member = HouseholdCard['members'][number];

export default function HouseholdPage() {
  const { id = '' } = useParams();
  const [search] = useSearchParams();
  const { t } = useLocale();
  const { can } = useSession();
  const navigate = useNavigate();
  const { message, modal } = App.useApp();
  const run = useAction();
  const {
    data: h,
    setData: setH,
    error,
    reload,
  } = useLoad((signal) => peopleApi.household(id, signal), [id]);
  const [adding, setAdding] = useState(false);
  const [relationOf, setRelationOf] = useState<Member | null>(null);
  const [moving, setMoving] = useState(false);

  if (error) return <ErrorResult error={error} onRetry={reload} />;
  if (!h) return <Skeleton active />;

  const canWrite = can('update', 'Population');
  const current = h.members.filter((m) => !m.toDate);
  const former = h.members.filter((m) => m.toDate);
  const act = async (p: () => Promise<HouseholdCard>) => {
    const r = await run(p);
    if (r) setH(r);
  };
  const leave = (m: Member) =>
    modal.confirm({
      title: t('people.household.leave'),
      content: t('people.household.leaveConfirm', { name: m.name }),
      onOk: () => act(() => peopleApi.leave(h.id, m.id)),
    });
  const moveOut = () => {
    let leftArea = false;
    modal.confirm({
      title: t('people.household.moveOut'),
      content: (
        <Space direction="vertical">
          <span>{t('people.household.moveOutConfirm', { dwelling: h.dwellingLabel ?? '' })}</span>
          <Checkbox onChange={(e) => (leftArea = e.target.checked)}>
            {t('people.household.leftArea')}
          </Checkbox>
        </Space>
      ),
      onOk: () => act(() => peopleApi.moveOut(h.id, { leftArea })),
    });
  };

  const memberItem = (m: Member) => (
    <List.Item
      key={`${m.id}-${m.fromDate}-${m.linkRelation}`}
      actions={
        canWrite && !m.toDate
          ? [
              <Button key="rel" size="small" onClick={() => setRelationOf(m)}>
                {t('people.household.changeRelation')}
              </Button>,
              <Button key="leave" size="small" danger onClick={() => leave(m)}>
                {t('people.household.leave')}
              </Button>,
            ]
          : []
      }
    >
      <div className="people-member" data-testid="household-member">
        <Link to={`/residents/${m.id}`} className="people-member-name">
          {m.name}
        </Link>
        <Tag color={m.linkRelation === 'head' ? 'blue' : undefined}>{relationLabel(t, m.linkRelation)}</Tag>
        <span>
          {genderLabel(t, m.gender)} · {t('people.resident.age', { n: ageOf(m.birthDate) })}
        </span>
        {m.status !== 'alive' ? <Tag color={STATUS_COLOURS[m.status]}>{statusLabel(t, m.status)}</Tag> : null}
        <Typography.Text className="mono">{m.idNumberMasked ?? ''}</Typography.Text>
        <Typography.Text type="secondary">{period(t, m.fromDate, m.toDate)}</Typography.Text>
      </div>
    </List.Item>
  );

  return (
    <Page
      title={t('people.household.title', { number: h.number })}
      extra={
        <Space wrap>
          <Button icon={<ArrowLeftOutlined />} onClick={() => navigate(-1)}>
            {t('people.back')}
          </Button>
          {canWrite ? (
            <Button
              type="primary"
              icon={<UserAddOutlined />}
              onClick={() => setAdding(true)}
              data-testid="member-add"
            >
              {t('people.household.addMember')}
            </Button>
          ) : null}
        </Space>
      }
    >
      <Card className="people-section">
        <Descriptions column={{ xs: 1, sm: 1, md: 2 }} data-testid="household-card">
          <Descriptions.Item label={t('people.households.head')}>
            {h.headResidentId ? (
              <Link to={`/residents/${h.headResidentId}`}>{h.headName}</Link>
            ) : (
              t('common.none')
            )}
          </Descriptions.Item>
          <Descriptions.Item label={t('people.households.type')}>{typeLabel(t, h.type)}</Descriptions.Item>
          <Descriptions.Item label={t('people.households.area')}>
            {h.areaName ?? h.areaCode}
          </Descriptions.Item>
          <Descriptions.Item label={t('people.households.dwelling')}>
            <Space wrap>
              {h.dwellingId ? (
                <Link to={`/households?dwellingId=${h.dwellingId}`}>{h.dwellingLabel}</Link>
              ) : (
                t('people.households.noDwelling')
              )}
              {canWrite && h.dwellingId ? (
                <Button size="small" onClick={moveOut} data-testid="move-out">
                  {t('people.household.moveOut')}
                </Button>
              ) : null}
              {canWrite && !h.dwellingId ? (
                <Button size="small" onClick={() => setMoving(true)} data-testid="move-in">
                  {t('people.household.moveIn')}
                </Button>
              ) : null}
            </Space>
          </Descriptions.Item>
        </Descriptions>
      </Card>

      <Card title={`${t('people.household.current')} (${current.length})`} className="people-section">
        {current.length ? (
          <List dataSource={current} renderItem={memberItem} />
        ) : (
          <Empty description={t('people.household.noMembers')} />
        )}
        {former.length ? (
          <>
            <Divider titlePlacement="start">{t('people.household.former')}</Divider>
            <List dataSource={former} renderItem={memberItem} />
          </>
        ) : null}
      </Card>

      <Card title={t('people.household.history')} className="people-section">
        <History events={h.events} showNames />
      </Card>

      <HouseholdVisits householdId={h.id} householdNumber={h.number} headName={h.headName} />

      <ResidentForm
        open={adding}
        householdId={h.id}
        hasHead={Boolean(h.headResidentId)}
        onClose={() => setAdding(false)}
        onSaved={() => {
          setAdding(false);
          void message.success(t('common.saved'));
          reload();
        }}
      />
      <RelationModal
        member={relationOf}
        hasHead={Boolean(h.headResidentId)}
        onClose={() => setRelationOf(null)}
        onSubmit={async (relation) => {
          if (relationOf) await act(() => peopleApi.changeRelation(h.id, relationOf.id, relation));
          setRelationOf(null);
        }}
      />
      <MoveInModal
        open={moving}
        householdId={h.id}
        areaCode={h.areaCode}
        initialDwellingId={search.get('dwellingId') ?? undefined}
        onClose={() => setMoving(false)}
        onMoved={(r) => {
          setH(r);
          setMoving(false);
          void message.success(t('common.saved'));
        }}
      />
    </Page>
  );
}

function RelationModal({
  member,
  hasHead,
  onClose,
  onSubmit,
}: {
  member: Member | null;
  hasHead: boolean;
  onClose: () => void;
  onSubmit: (relation: HouseholdRelation) => Promise<void>;
}) {
  const { t } = useLocale();
  const [relation, setRelation] = useState<HouseholdRelation | null>(null);
  return (
    <Modal
      open={member !== null}
      title={member ? `${t('people.household.changeRelation')} · ${member.name}` : ''}
      onCancel={onClose}
      onOk={() => (relation ? onSubmit(relation) : onClose())}
      destroyOnHidden
    >
      <Select
        style={{ width: '100%' }}
        defaultValue={member?.linkRelation}
        onChange={(v: HouseholdRelation) => setRelation(v)}
        options={HOUSEHOLD_RELATIONS.filter(
          (r) => r !== 'head' || !hasHead || member?.linkRelation === 'head',
        ).map((r) => ({ value: r, label: relationLabel(t, r) }))}
      />
    </Modal>
  );
}
