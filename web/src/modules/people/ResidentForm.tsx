/**
 * Adding a resident to a household: the ID number is checked as it is typed with the very rules the server applies
 * (common/id-number.ts: check digit, birth date, region, length), gender and birth date come from it, and the
 * phone is checked likewise (common/phone-number.ts). Server field errors land on their fields.
 */
import { useMemo, useState } from 'react';
import { DatePicker, Form, Input, Radio, Select } from 'antd';
import type { Dayjs } from 'dayjs';
import { ruleMessage } from '../../../../common/errors';
import { ETHNICITIES } from '../../../../common/ethnicities';
import { parseIdNumber } from '../../../../common/id-number';
import { parsePhone } from '../../../../common/phone-number';
import {
  GENDERS,
  HOUSEHOLD_RELATIONS,
  NAME_MAX,
  RESIDENCE_TYPES,
  type HouseholdRelation,
  type ResidenceType,
} from '../../../../common/schemas/people';
import { newUuid } from '../../api';
import { useLocale } from '../../i18n';
import { FormModal } from '../../components/FormModal';
import { peopleApi, type ResidentCard } from './api';
import { genderLabel, relationLabel, residenceLabel } from './labels';

interface Values {
  name: string;
  idNumber?: string;
  gender?: 'male' | 'female';
  birthDate?: Dayjs;
  phone?: string;
  ethnicity?: string;
  residenceType: ResidenceType;
  permitExpiresOn?: Dayjs;
  relation: HouseholdRelation;
}

const FIELDS = [
  'name',
  'idNumber',
  'gender',
  'birthDate',
  'phone',
  'ethnicity',
  'residenceType',
  'permitExpiresOn',
  'relation',
];

export function ResidentForm({
  open,
  householdId,
  hasHead,
  onClose,
  onSaved,
}: {
  open: boolean;
  householdId: string;
  hasHead: boolean;
  onClose: () => void;
  onSaved: (r: ResidentCard) => void;
}) {
  const { t, locale } = useLocale();
  const [form] = Form.useForm<Values>();
  // One key per opening of the form: a retried save of the same form is not registered twice.
  const [key, setKey] = useState(newUuid);
  const idNumber = Form.useWatch('idNumber', form) ?? '';
  const residenceType = Form.useWatch('residenceType', form);
  const parsed = useMemo(() => (idNumber.trim() ? parseIdNumber(idNumber) : null), [idNumber]);
  const idOk = parsed?.ok ? parsed : null;
  const idLabel = t('people.resident.idNumber');

  const submit = async (v: Values) => {
    const r = await peopleApi.createResident(
      {
        name: v.name.trim(),
        residenceType: v.residenceType,
        householdId,
        relation: v.relation,
        ...(v.idNumber?.trim() ? { idNumber: v.idNumber.trim() } : {}),
        ...(!idOk && v.gender ? { gender: v.gender } : {}),
        ...(!idOk && v.birthDate ? { birthDate: v.birthDate.format('YYYY-MM-DD') } : {}),
        ...(v.phone?.trim() ? { phone: v.phone.trim() } : {}),
        ...(v.ethnicity ? { ethnicity: v.ethnicity } : {}),
        ...(v.residenceType === 'floating' && v.permitExpiresOn
          ? { permitExpiresOn: v.permitExpiresOn.format('YYYY-MM-DD') }
          : {}),
      },
      key,
    );
    form.resetFields();
    setKey(newUuid());
    onSaved(r);
  };

  return (
    <FormModal<Values>
      open={open}
      title={t('people.form.title')}
      form={form}
      onSubmit={submit}
      onClose={onClose}
      fieldErrors={FIELDS}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      forceRender
      initialValues={{
        residenceType: 'registered',
        relation: hasHead ? 'spouse' : 'head',
        ethnicity: '01',
      }}
    >
      <Form.Item
        name="name"
        label={t('people.resident.name')}
        rules={[{ required: true, whitespace: true, max: NAME_MAX, message: t('people.form.nameRequired') }]}
      >
        <Input maxLength={NAME_MAX} autoComplete="off" data-testid="resident-name" />
      </Form.Item>
      <Form.Item name="relation" label={t('people.resident.relation')} rules={[{ required: true }]}>
        <Select
          options={HOUSEHOLD_RELATIONS.filter((r) => r !== 'head' || !hasHead).map((r) => ({
            value: r,
            label: relationLabel(t, r),
          }))}
        />
      </Form.Item>
      <Form.Item name="residenceType" label={t('people.resident.residenceType')} rules={[{ required: true }]}>
        <Radio.Group
          optionType="button"
          options={RESIDENCE_TYPES.map((r) => ({ value: r, label: residenceLabel(t, r) }))}
        />
      </Form.Item>
      <Form.Item
        name="idNumber"
        label={idLabel}
        extra={residenceType === 'foreign' ? t('people.form.idOptional') : undefined}
        validateStatus={parsed && !parsed.ok ? 'error' : idOk ? 'success' : undefined}
        hasFeedback={Boolean(parsed)}
        help={
          parsed && !parsed.ok
            ? ruleMessage(locale, parsed.rule, idLabel, parsed.rule === 'length' ? '18' : 'GB 11643')
            : idOk
              ? idOk.upgraded
                ? `${t('people.form.idOk', { birth: idOk.birthDate, gender: genderLabel(t, idOk.gender) })} · ${t('people.form.idUpgraded')}`
                : t('people.form.idOk', { birth: idOk.birthDate, gender: genderLabel(t, idOk.gender) })
              : undefined
        }
        rules={[
          { required: residenceType !== 'foreign', message: t('people.form.required') },
          {
            validator: async (_r, value: string | undefined) => {
              if (!value?.trim()) return;
              const p = parseIdNumber(value);
              if (!p.ok) throw new Error(ruleMessage(locale, p.rule, idLabel));
            },
          },
        ]}
      >
        <Input
          maxLength={30}
          inputMode="text"
          autoComplete="off"
          className="mono"
          data-testid="resident-id"
        />
      </Form.Item>
      {!idOk ? (
        <>
          <Form.Item name="gender" label={t('people.resident.gender')} extra={t('people.form.fromId')}>
            <Radio.Group options={GENDERS.map((g) => ({ value: g, label: genderLabel(t, g) }))} />
          </Form.Item>
          <Form.Item name="birthDate" label={t('people.resident.birthDate')}>
            <DatePicker style={{ width: '100%' }} />
          </Form.Item>
        </>
      ) : null}
      <Form.Item
        name="phone"
        label={t('people.resident.phone')}
        extra={t('people.form.phoneHint')}
        rules={[
          {
            validator: async (_r, value: string | undefined) => {
              if (!value?.trim()) return;
              const p = parsePhone(value);
              if (!p.ok)
                throw new Error(
                  ruleMessage(
                    locale,
                    p.rule,
                    t('people.resident.phone'),
                    p.rule === 'length' ? '11' : '13812345678, 0552-1234567',
                  ),
                );
            },
          },
        ]}
      >
        <Input maxLength={30} inputMode="tel" autoComplete="off" data-testid="resident-phone" />
      </Form.Item>
      <Form.Item name="ethnicity" label={t('people.resident.ethnicity')}>
        <Select
          showSearch
          optionFilterProp="label"
          options={ETHNICITIES.map((e) => ({ value: e.code, label: e[locale] }))}
        />
      </Form.Item>
      {residenceType === 'floating' ? (
        <Form.Item name="permitExpiresOn" label={t('people.resident.permitExpiresOn')}>
          <DatePicker style={{ width: '100%' }} />
        </Form.Item>
      ) : null}
    </FormModal>
  );
}
