/**
 * A resident's card (居民信息): masked ID and phone (显示 reveals for a stated purpose, for 5 minutes), the household
 * and dwelling history with dates, the events timeline, and recording a death.
 */
import { useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Descriptions,
  Form,
  Input,
  List,
  Skeleton,
  Space,
  Tag,
} from 'antd';
import { ArrowLeftOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import { Link, useNavigate, useParams } from 'react-router';
import { ethnicityName } from '../../../../common/ethnicities';
import { useLocale } from '../../i18n';
import { useSession } from '../../session';
import { Page } from '../../components/Page';
import { ErrorResult } from '../../components/ErrorResult';
import { FormModal } from '../../components/FormModal';
import { useLoad } from '../../components/useLoad';
import { peopleApi, type ResidentCard } from './api';
import { History } from './History';
import { MoveInModal } from './MoveInModal';
import {
  ageOf,
  genderLabel,
  livingLabel,
  relationLabel,
  residenceLabel,
  STATUS_COLOURS,
  statusLabel,
} from './labels';
import { RevealField } from './RevealField';
import { ResidentTags } from '../tags/ResidentTags';
import './people.css';

export default function ResidentPage() {
  const { id = '' } = useParams();
  const { t, locale } = useLocale();
  const { can } = useSession();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const { data: r, setData: setR, error, reload } = useLoad((signal) => peopleApi.resident(id, signal), [id]);
  const [moving, setMoving] = useState(false);

  if (error) return <ErrorResult error={error} onRetry={reload} />;
  if (!r) return <Skeleton active />;

  const canWrite = can('update', 'Population') && r.status === 'alive';
  // A member of a household that lives nowhere now can be moved in from here (the household moves, with him).
  const canMoveIn = canWrite && r.householdId !== null && !r.dwellings.some((d) => !d.toDate);
  return (
    <Page
      title={r.name}
      extra={
        <Space wrap>
          <Button icon={<ArrowLeftOutlined />} onClick={() => navigate(-1)}>
            {t('people.back')}
          </Button>
          {canWrite ? <DeathButton resident={r} onDone={setR} /> : null}
        </Space>
      }
    >
      <Card className="people-section">
        <Descriptions column={{ xs: 1, sm: 1, md: 2 }} size="middle" data-testid="resident-card">
          <Descriptions.Item label={t('people.resident.status')}>
            <Tag color={STATUS_COLOURS[r.status]}>{statusLabel(t, r.status)}</Tag>
            {r.diedOn ? `${t('people.resident.diedOn')} ${r.diedOn}` : null}
          </Descriptions.Item>
          <Descriptions.Item label={t('people.resident.idNumber')}>
            <RevealField
              residentId={r.id}
              field="idNumber"
              masked={r.idNumberMasked}
              label={t('people.resident.idNumber')}
            />
          </Descriptions.Item>
          <Descriptions.Item label={t('people.resident.phone')}>
            <RevealField
              residentId={r.id}
              field="phone"
              masked={r.phoneMasked}
              label={t('people.resident.phone')}
            />
          </Descriptions.Item>
          <Descriptions.Item label={t('people.resident.gender')}>
            {genderLabel(t, r.gender)}
          </Descriptions.Item>
          <Descriptions.Item label={t('people.resident.birthDate')}>
            {r.birthDate}（{t('people.resident.age', { n: ageOf(r.birthDate) })}）
          </Descriptions.Item>
          <Descriptions.Item label={t('people.resident.ethnicity')}>
            {r.ethnicity ? ethnicityName(r.ethnicity, locale) : t('common.none')}
          </Descriptions.Item>
          <Descriptions.Item label={t('people.resident.residenceType')}>
            {residenceLabel(t, r.residenceType)}
            {r.permitExpiresOn ? ` · ${t('people.resident.permitExpiresOn')} ${r.permitExpiresOn}` : null}
          </Descriptions.Item>
          <Descriptions.Item label={t('people.resident.area')}>{r.areaName ?? r.areaCode}</Descriptions.Item>
          <Descriptions.Item label={t('people.resident.household')}>
            {r.householdId ? (
              <Link to={`/households/${r.householdId}`}>
                {r.householdNumber} · {relationLabel(t, r.relation)}
              </Link>
            ) : (
              t('common.none')
            )}
          </Descriptions.Item>
          {r.note ? <Descriptions.Item label={t('people.resident.note')}>{r.note}</Descriptions.Item> : null}
        </Descriptions>
      </Card>

      {can('read', 'Tag') ? <ResidentTags residentId={r.id} alive={r.status === 'alive'} /> : null}

      <Card title={t('people.resident.households')} className="people-section">
        <List
          dataSource={r.households}
          locale={{ emptyText: t('people.resident.none') }}
          renderItem={(h) => (
            <List.Item>
              <Link to={`/households/${h.householdId}`}>{h.householdNumber}</Link>
              <span>{relationLabel(t, h.relation)}</span>
              <span>{period(t, h.fromDate, h.toDate)}</span>
            </List.Item>
          )}
        />
      </Card>

      <Card
        title={t('people.resident.dwellings')}
        className="people-section"
        extra={
          canMoveIn ? (
            <Button size="small" onClick={() => setMoving(true)} data-testid="resident-move-in">
              {t('people.household.moveIn')}
            </Button>
          ) : null
        }
      >
        <List
          dataSource={r.dwellings}
          locale={{ emptyText: t('people.resident.none') }}
          renderItem={(d) => (
            <List.Item>
              <Link to={`/households?dwellingId=${d.dwellingId}`}>{d.label}</Link>
              <span>{livingLabel(t, d.livingType)}</span>
              <span>{period(t, d.fromDate, d.toDate)}</span>
            </List.Item>
          )}
        />
      </Card>

      <Card title={t('people.resident.history')} className="people-section">
        <History events={r.events} />
      </Card>

      {canMoveIn && r.householdId ? (
        <MoveInModal
          open={moving}
          householdId={r.householdId}
          areaCode={r.areaCode}
          onClose={() => setMoving(false)}
          onMoved={() => {
            setMoving(false);
            void message.success(t('common.saved'));
            reload();
          }}
        />
      ) : null}
    </Page>
  );
}

/** "2024-03-01 起" or "2024-03-01 至 2025-01-31". */
export function period(t: ReturnType<typeof useLocale>['t'], from: string, to: string | null): string {
  return to ? t('people.household.period', { from, to }) : t('people.household.since', { date: from });
}

interface DeathValues {
  date?: Dayjs;
  note?: string;
}

function DeathButton({ resident, onDone }: { resident: ResidentCard; onDone: (r: ResidentCard) => void }) {
  const { t } = useLocale();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<DeathValues>();
  const submit = async (v: DeathValues) => {
    const r = await peopleApi.death(resident.id, {
      ...(v.date ? { date: v.date.format('YYYY-MM-DD') } : {}),
      ...(v.note?.trim() ? { note: v.note.trim() } : {}),
    });
    onDone(r);
    setOpen(false);
    void message.success(t('common.saved'));
  };
  return (
    <>
      <Button danger onClick={() => setOpen(true)} data-testid="record-death">
        {t('people.resident.recordDeath')}
      </Button>
      <FormModal<DeathValues>
        open={open}
        title={t('people.resident.recordDeath')}
        form={form}
        onSubmit={submit}
        onClose={() => setOpen(false)}
        okButtonProps={{ danger: true }}
        forceRender
        notice={
          <Alert type="warning" showIcon title={t('people.resident.deathHint')} className="form-alert" />
        }
      >
        <Form.Item name="date" label={t('people.resident.diedOn')} extra={t('people.dateHint')}>
          <DatePicker style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="note" label={t('people.resident.note')}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
      </FormModal>
    </>
  );
}
