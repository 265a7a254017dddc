/**
 * The small form of one case action: only the fields that action needs (machine.ts TRANSITIONS[x].requires) plus
 * an optional note and, for on-site steps, photos. Sends the version shown; a stale one (409 case.stale) reloads.
 */
import { useEffect, useMemo, useState } from 'react';
import { Alert, App, Empty, Form, Input, InputNumber, Modal, Radio, Select, Spin, Typography } from 'antd';
import { Link } from 'react-router';
import { MATTER_CLASSES, PHOTOS_PER_CASE, RATINGS, CASE_LEVELS } from '../../../../common/schemas/cases';
import { isApiError, newUuid, type ApiError } from '../../api';
import { useLocale } from '../../i18n';
import { applyServerErrors } from '../../components/formErrors';
import { buttonTestId } from '../../components/testId';
import { casesApi, type CaseActionBody, type CaseDetail, type Department, type SimilarCase } from './api';
import { actionLabel, levelLabel, matterLabel, ratingLabel, statusLabel } from './labels';
import { PhotoPicker, usePhotoQueue } from './PhotoPicker';

type Action = CaseActionBody['action'];

/** What each action asks for; `note` is the optional free text every action may carry. */
interface ActionForm {
  reason?: boolean;
  note?: 'required' | 'optional';
  guidance?: boolean;
  rating?: boolean;
  days?: boolean;
  matterClass?: boolean;
  dispatch?: boolean;
  transfer?: boolean;
  merge?: boolean;
  photos?: boolean;
}

const FORMS: Record<Action, ActionForm> = {
  accept: { matterClass: true, note: 'optional' },
  decline: { reason: true },
  dispatch: { dispatch: true, matterClass: true, note: 'optional' },
  start: { note: 'optional' },
  progress: { note: 'required', photos: true },
  handle: { note: 'required', photos: true },
  verify: { note: 'optional', photos: true },
  reject: { reason: true, photos: true },
  close: { note: 'optional' },
  rate: { rating: true },
  return: { reason: true },
  transfer: { reason: true, transfer: true },
  escalate: { reason: true },
  request_extension: { reason: true, days: true },
  approve_extension: { note: 'optional' },
  reject_extension: { reason: true },
  suspend: { reason: true },
  resume: { note: 'optional' },
  supervise: { note: 'required' },
  close_private: { guidance: true },
  merge: { merge: true, note: 'optional' },
};

/** Actions that change nothing but the status can go without a form when the user wants; all open one for clarity. */
export function actionForm(action: Action): ActionForm {
  return FORMS[action] ?? { note: 'optional' };
}

interface Values {
  note?: string;
  reason?: string;
  guidance?: string;
  rating?: (typeof RATINGS)[number];
  comment?: string;
  days?: number;
  matterClass?: (typeof MATTER_CLASSES)[number];
  mode?: 'keep' | 'department' | 'level';
  departmentId?: string;
  coDepartmentIds?: string[];
  level?: (typeof CASE_LEVELS)[number];
  targetId?: string;
}

const FIELDS = [
  'note',
  'reason',
  'guidance',
  'rating',
  'comment',
  'days',
  'matterClass',
  'departmentId',
  'coDepartmentIds',
  'level',
  'targetId',
];

function useDepartments(enabled: boolean, caseId: string) {
  const [items, setItems] = useState<Department[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    if (!enabled) return;
    const ac = new AbortController();
    setItems(null);
    setError(null);
    casesApi
      .departments(caseId, ac.signal)
      .then((r) => setItems(r.items))
      .catch((e: unknown) => {
        if (!isApiError(e)) return;
        setError(e);
      });
    return () => ac.abort();
  }, [enabled, caseId]);
  return { items, error };
}

function useSimilar(enabled: boolean, c: CaseDetail) {
  const [items, setItems] = useState<SimilarCase[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    if (!enabled) return;
    const ac = new AbortController();
    setItems(null);
    setError(null);
    casesApi
      .similar(
        {
          categoryId: c.categoryId,
          areaCode: c.areaCode,
          title: c.title,
          exclude: c.id,
          ...(c.lat !== null && c.lng !== null ? { lat: c.lat, lng: c.lng } : {}),
        },
        ac.signal,
      )
      .then((r) => setItems(r.items))
      .catch((e: unknown) => {
        if (!isApiError(e)) return;
        if (e.status === 404) setItems([]);
        else setError(e);
      });
    return () => ac.abort();
  }, [enabled, c.id, c.categoryId, c.areaCode, c.title, c.lat, c.lng]);
  return { items, error };
}

export function ActionModal({
  c,
  action,
  onClose,
  onDone,
  onStale,
}: {
  c: CaseDetail;
  /** The action to take; null: closed. */
  action: Action | null;
  onClose: () => void;
  onDone: (updated: CaseDetail, action: Action) => void;
  onStale: () => void;
}) {
  const { t, locale } = useLocale();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState<ApiError | null>(null);
  const [saving, setSaving] = useState(false);
  const [uploading, setUploading] = useState(false);
  const [idemKey, setIdemKey] = useState(newUuid);
  const spec = action ? actionForm(action) : {};
  const queue = usePhotoQueue(Math.max(0, PHOTOS_PER_CASE - c.photoCount));
  const mode = Form.useWatch('mode', form);
  const departments = useDepartments(Boolean(spec.dispatch || spec.transfer), c.id);
  const similar = useSimilar(Boolean(spec.merge), c);
  const { reset } = queue;

  useEffect(() => {
    if (!action) return;
    setError(null);
    setIdemKey(newUuid());
    reset();
    form.resetFields();
    const f = actionForm(action);
    form.setFieldsValue({
      matterClass: f.matterClass ? c.matterClass : undefined,
      mode: f.dispatch ? 'keep' : f.transfer ? 'department' : undefined,
      coDepartmentIds: [],
    });
  }, [action, c.matterClass, form, reset]);

  const deptOptions = useMemo(
    () => (departments.items ?? []).map((d) => ({ value: d.id, label: d.name })),
    [departments.items],
  );

  if (!action) return null;
  const label = actionLabel(t, locale, action);

  const onFinish = async (v: Values) => {
    setSaving(true);
    setError(null);
    try {
      let attachmentIds: string[] | undefined;
      if (spec.photos && queue.items.length > 0) {
        setUploading(true);
        const up = await queue.uploadAll(c.id);
        setUploading(false);
        if (up.failed > 0) return;
        attachmentIds = up.ids;
      }
      const trim = (s: string | undefined) => (s && s.trim() ? s.trim() : undefined);
      const body: CaseActionBody = {
        action,
        version: c.version,
        ...(trim(v.note) ? { note: trim(v.note) } : {}),
        ...(spec.reason ? { reason: trim(v.reason) } : {}),
        ...(spec.guidance ? { guidance: trim(v.guidance) } : {}),
        ...(spec.rating
          ? { rating: v.rating, ...(trim(v.comment) ? { comment: trim(v.comment) } : {}) }
          : {}),
        ...(spec.days ? { days: v.days } : {}),
        ...(spec.matterClass && v.matterClass && v.matterClass !== c.matterClass
          ? { matterClass: v.matterClass }
          : {}),
        ...((spec.dispatch || spec.transfer) && v.mode === 'department' && v.departmentId
          ? { departmentId: v.departmentId }
          : {}),
        ...(spec.dispatch && v.mode === 'department' && v.coDepartmentIds?.length
          ? { coDepartmentIds: v.coDepartmentIds.filter((d) => d !== v.departmentId) }
          : {}),
        ...(spec.transfer && v.mode === 'level' ? { level: v.level } : {}),
        ...(spec.merge ? { targetId: v.targetId } : {}),
        ...(attachmentIds?.length ? { attachmentIds } : {}),
      };
      const updated = await casesApi.act(c.id, body, idemKey);
      void message.success(t('cases.detail.done', { action: label }));
      onDone(updated, action);
    } catch (e) {
      if (!isApiError(e)) throw e;
      // A refused request is remembered under its key: the corrected one needs a fresh key.
      if (e.status > 0) setIdemKey(newUuid());
      if (e.code === 'case.stale') {
        void message.warning({ content: t('cases.detail.stale'), duration: 6 });
        onStale();
        return;
      }
      if (!applyServerErrors(form, e, FIELDS)) setError(e);
    } finally {
      setSaving(false);
      setUploading(false);
    }
  };

  const required = (msg: string) => [{ required: true, whitespace: true, message: msg }];

  return (
    <Modal
      open
      title={`${label} · ${c.number}`}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={label}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      okButtonProps={{
        ...buttonTestId('action-submit'),
        danger: ['decline', 'reject', 'return', 'reject_extension'].includes(action),
      }}
      cancelButtonProps={buttonTestId('action-cancel')}
      destroyOnHidden
      maskClosable={!saving}
      data-testid={`action-modal-${action}`}
    >
      {error ? (
        <Alert
          type="error"
          showIcon
          title={error.message}
          className="form-alert"
          data-testid="action-error"
        />
      ) : null}
      {uploading ? (
        <Alert type="info" showIcon title={t('cases.form.uploading')} className="form-alert" />
      ) : null}
      <Form<Values> form={form} layout="vertical" onFinish={onFinish} data-testid="action-form">
        {spec.dispatch ? (
          <Form.Item name="mode" label={t('cases.form.dispatchTo')}>
            <Radio.Group
              options={[
                { value: 'keep', label: t('cases.form.keep') },
                { value: 'department', label: t('cases.form.toDepartment') },
              ]}
              data-testid="action-mode"
            />
          </Form.Item>
        ) : null}
        {spec.transfer ? (
          <Form.Item name="mode" label={t('cases.form.transferTo')}>
            <Radio.Group
              options={[
                { value: 'department', label: t('cases.form.toDepartment') },
                { value: 'level', label: t('cases.form.toLevel') },
              ]}
              data-testid="action-mode"
            />
          </Form.Item>
        ) : null}
        {(spec.dispatch || spec.transfer) && mode === 'department' ? (
          <>
            {departments.error ? (
              <Alert
                type="error"
                showIcon
                className="form-alert"
                title={t('cases.form.departmentsError', { message: departments.error.message })}
              />
            ) : null}
            {departments.items && departments.items.length === 0 ? (
              <Alert
                type="warning"
                showIcon
                className="form-alert"
                title={t('cases.form.noDepartments')}
                data-testid="action-no-departments"
              />
            ) : null}
            <Form.Item
              name="departmentId"
              label={t('cases.form.department')}
              rules={[{ required: true, message: t('cases.form.departmentRequired') }]}
            >
              <Select
                showSearch={{ optionFilterProp: 'label' }}
                loading={departments.items === null && !departments.error}
                options={deptOptions}
                placeholder={t('cases.form.department')}
                data-testid="action-department"
              />
            </Form.Item>
            {spec.dispatch ? (
              <Form.Item name="coDepartmentIds" label={t('cases.form.coDepartments')}>
                <Select
                  mode="multiple"
                  showSearch={{ optionFilterProp: 'label' }}
                  options={deptOptions}
                  maxCount={10}
                  data-testid="action-co-departments"
                />
              </Form.Item>
            ) : null}
          </>
        ) : null}
        {spec.transfer && mode === 'level' ? (
          <Form.Item
            name="level"
            label={t('cases.form.level')}
            rules={[{ required: true, message: t('cases.form.levelRequired') }]}
          >
            <Radio.Group
              options={CASE_LEVELS.map((l) => ({ value: l, label: levelLabel(t, locale, l) }))}
              data-testid="action-level"
            />
          </Form.Item>
        ) : null}
        {spec.merge ? (
          <>
            <Typography.Paragraph type="secondary">{t('cases.form.mergeHint')}</Typography.Paragraph>
            {similar.error ? <Alert type="error" showIcon title={similar.error.message} /> : null}
            {similar.items === null && !similar.error ? <Spin /> : null}
            {similar.items && similar.items.length === 0 ? (
              <Empty description={t('cases.form.noSimilar')} data-testid="action-no-similar" />
            ) : null}
            {similar.items && similar.items.length > 0 ? (
              <Form.Item
                name="targetId"
                label={t('cases.form.mergeTarget')}
                rules={[{ required: true, message: t('cases.form.mergeTargetRequired') }]}
              >
                <Radio.Group className="merge-options" data-testid="action-merge-target">
                  {similar.items.map((s) => (
                    <Radio key={s.id} value={s.id} style={{ display: 'flex', marginBottom: 8 }}>
                      <span>
                        {s.title} <span className="mono">{s.number}</span> ·{' '}
                        {statusLabel(t, locale, s.status)} ·{' '}
                        <Link to={`/cases/${s.id}`} target="_blank">
                          {t('cases.detail.openTarget')}
                        </Link>
                      </span>
                    </Radio>
                  ))}
                </Radio.Group>
              </Form.Item>
            ) : null}
          </>
        ) : null}
        {spec.matterClass ? (
          <Form.Item name="matterClass" label={t('cases.form.matterClass')}>
            <Radio.Group
              options={MATTER_CLASSES.map((m) => ({ value: m, label: matterLabel(t, locale, m) }))}
              data-testid="action-matter-class"
            />
          </Form.Item>
        ) : null}
        {spec.rating ? (
          <>
            <Form.Item
              name="rating"
              label={t('cases.form.rating')}
              rules={[{ required: true, message: t('cases.form.ratingRequired') }]}
            >
              <Radio.Group
                options={RATINGS.map((r) => ({ value: r, label: ratingLabel(t, locale, r) }))}
                data-testid="action-rating"
              />
            </Form.Item>
            <Form.Item name="comment" label={t('cases.form.comment')}>
              <Input.TextArea rows={3} maxLength={1000} showCount data-testid="action-comment" />
            </Form.Item>
          </>
        ) : null}
        {spec.days ? (
          <Form.Item
            name="days"
            label={t('cases.form.days')}
            rules={[{ required: true, message: t('cases.form.daysRequired') }]}
          >
            <InputNumber min={1} max={30} precision={0} data-testid="action-days" />
          </Form.Item>
        ) : null}
        {spec.reason ? (
          <Form.Item
            name="reason"
            label={t('cases.form.reason')}
            rules={required(t('cases.form.reasonRequired'))}
          >
            <Input.TextArea rows={3} maxLength={1000} showCount data-testid="action-reason" />
          </Form.Item>
        ) : null}
        {spec.guidance ? (
          <Form.Item
            name="guidance"
            label={t('cases.form.guidance')}
            rules={required(t('cases.form.guidanceRequired'))}
          >
            <Input.TextArea rows={4} maxLength={2000} showCount data-testid="action-guidance" />
          </Form.Item>
        ) : null}
        {spec.note ? (
          <Form.Item
            name="note"
            label={
              spec.note === 'required'
                ? t('cases.form.note')
                : `${t('cases.form.note')}${t('common.optional')}`
            }
            rules={spec.note === 'required' ? required(t('cases.form.noteRequired')) : []}
          >
            <Input.TextArea rows={3} maxLength={2000} showCount data-testid="action-note" />
          </Form.Item>
        ) : null}
        {spec.photos && queue.max > 0 ? (
          <Form.Item label={t('cases.form.photos')}>
            <PhotoPicker queue={queue} disabled={saving} testId="action-photos" />
          </Form.Item>
        ) : null}
      </Form>
    </Modal>
  );
}
