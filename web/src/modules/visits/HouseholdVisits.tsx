/**
 * The visit history on a household card (走访记录): newest first, with persons met, situation, needs (a need
 * becomes a case in one step for the grid worker) and photos; a button to record a visit when allowed.
 */
import { useEffect, useState } from 'react';
import { App, Button, Card, Empty, Image, List, Modal, Space, Tag, TreeSelect, Typography } from 'antd';
import { EditOutlined } from '@ant-design/icons';
import { Link } from 'react-router';
import { isApiError } from '../../api';
import { useLocale } from '../../i18n';
import { useSession } from '../../session';
import { useCategories } from '../cases/useCategories';
import { visitsApi, type Visit } from './api';
import { VisitDrawer } from './MyVisitsPage';
import './visits.css';

export function HouseholdVisits({
  householdId,
  householdNumber,
  headName,
}: {
  householdId: string;
  householdNumber: string;
  headName: string | null;
}) {
  const { t } = useLocale();
  const { can } = useSession();
  const [items, setItems] = useState<Visit[] | null>(null);
  const [reload, setReload] = useState(0);
  const [recording, setRecording] = useState(false);
  const [needFor, setNeedFor] = useState<{ visit: Visit; n: number } | null>(null);

  useEffect(() => {
    const ac = new AbortController();
    visitsApi
      .list({ householdId, limit: 50 }, ac.signal)
      .then((r) => setItems(r.items))
      .catch(() => setItems([]));
    return () => ac.abort();
  }, [householdId, reload]);

  if (!can('read', 'Visit')) return null;
  const mayRecord = can('create', 'Visit');
  return (
    <Card
      title={t('visits.household.title')}
      className="people-section"
      data-testid="household-visits"
      extra={
        mayRecord ? (
          <Button
            icon={<EditOutlined />}
            onClick={() => setRecording(true)}
            data-testid="household-visit-record"
          >
            {t('visits.my.record')}
          </Button>
        ) : null
      }
    >
      {items === null ? null : items.length === 0 ? (
        <Empty description={t('visits.household.none')} />
      ) : (
        <List
          dataSource={items}
          renderItem={(v) => (
            <List.Item key={v.id} data-testid="household-visit">
              <div className="visits-history">
                <Space wrap>
                  <Typography.Text strong>{v.visitedOn}</Typography.Text>
                  <span>{v.visitorName}</span>
                  {v.followUp ? <Tag color="orange">{t('visits.form.followUp')}</Tag> : null}
                  {v.correctedById ? <Tag>{t('visits.household.corrected')}</Tag> : null}
                </Space>
                {v.personsMet.length ? (
                  <div className="visits-due-meta">
                    {t('visits.household.met', { names: v.personsMet.map((p) => p.name).join('、') })}
                  </div>
                ) : null}
                <Typography.Paragraph className="visits-situation">{v.situation}</Typography.Paragraph>
                {v.needs.map((n) => (
                  <div key={n.n} className="visits-need">
                    <Tag>{t(`visits.need.${n.category}`)}</Tag>
                    <span>{n.text}</span>
                    {n.caseId ? (
                      <Link to={`/cases/${n.caseId}`}>{n.caseNumber}</Link>
                    ) : mayRecord && !v.correctedById ? (
                      <Button
                        size="small"
                        onClick={() => setNeedFor({ visit: v, n: n.n })}
                        data-testid="need-to-case"
                      >
                        {t('visits.household.toCase')}
                      </Button>
                    ) : null}
                  </div>
                ))}
                {v.photos.length ? (
                  <Image.PreviewGroup>
                    <Space wrap>
                      {v.photos.map((p) => (
                        <Image key={p.id} width={72} src={p.thumbUrl} preview={{ src: p.url }} />
                      ))}
                    </Space>
                  </Image.PreviewGroup>
                ) : null}
              </div>
            </List.Item>
          )}
        />
      )}
      <VisitDrawer
        item={recording ? { householdId, householdNumber, headName } : null}
        onClose={() => setRecording(false)}
        onSaved={() => {
          setRecording(false);
          setReload((n) => n + 1);
        }}
      />
      <NeedCaseModal
        target={needFor}
        onClose={() => setNeedFor(null)}
        onDone={() => {
          setNeedFor(null);
          setReload((n) => n + 1);
        }}
      />
    </Card>
  );
}

function NeedCaseModal({
  target,
  onClose,
  onDone,
}: {
  target: { visit: Visit; n: number } | null;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t } = useLocale();
  const { message } = App.useApp();
  const categories = useCategories();
  const [categoryId, setCategoryId] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const need = target?.visit.needs.find((n) => n.n === target.n);
  const submit = async () => {
    if (!target || !categoryId) return;
    setBusy(true);
    try {
      const r = await visitsApi.needToCase(target.visit.id, target.n, categoryId);
      void message.success(t('visits.household.caseMade', { number: r.caseNumber }));
      onDone();
    } catch (e) {
      if (!isApiError(e)) throw e;
      void message.error(e.details[0]?.message ?? e.message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open={target !== null}
      title={t('visits.household.toCase')}
      onCancel={onClose}
      onOk={() => void submit()}
      okButtonProps={{ disabled: !categoryId }}
      confirmLoading={busy}
      destroyOnHidden
    >
      <Typography.Paragraph>{need?.text}</Typography.Paragraph>
      <TreeSelect
        style={{ width: '100%' }}
        treeData={categories.tree}
        value={categoryId}
        onChange={(v: string) => setCategoryId(v)}
        placeholder={t('visits.household.category')}
        showSearch
        treeNodeFilterProp="title"
        data-testid="need-category"
      />
    </Modal>
  );
}
