/**
 * Moving a household into a dwelling (迁入房屋): the dwelling is picked estate → building → unit → dwelling within
 * the household's community (the server moves a household within its community only), with how they live there
 * and the date. Used from the household's card and from a member's card.
 */
import { DatePicker, Form, Select } from 'antd';
import type { Dayjs } from 'dayjs';
import { LIVING_TYPES, type LivingType } from '../../../../common/schemas/people';
import { useLocale } from '../../i18n';
import { FormModal } from '../../components/FormModal';
import { DwellingPicker } from '../housing/DwellingPicker';
import { peopleApi, type HouseholdCard } from './api';
import { livingLabel } from './labels';

interface MoveValues {
  dwellingId: string;
  livingType: LivingType;
  date?: Dayjs;
}

/** See the module comment; `areaCode` is the household's area (its community is the picker's scope). */
export function MoveInModal({
  open,
  householdId,
  areaCode,
  initialDwellingId,
  onClose,
  onMoved,
}: {
  open: boolean;
  householdId: string;
  areaCode: string;
  initialDwellingId?: string;
  onClose: () => void;
  onMoved: (h: HouseholdCard) => void;
}) {
  const { t } = useLocale();
  const [form] = Form.useForm<MoveValues>();
  const submit = async (v: MoveValues) => {
    const h = await peopleApi.moveIn(householdId, {
      dwellingId: v.dwellingId,
      livingType: v.livingType,
      ...(v.date ? { date: v.date.format('YYYY-MM-DD') } : {}),
    });
    onMoved(h);
  };
  return (
    <FormModal<MoveValues>
      open={open}
      title={t('people.household.moveIn')}
      form={form}
      onSubmit={submit}
      onClose={onClose}
      fieldErrors={['dwellingId', 'livingType', 'date']}
      initialValues={{ dwellingId: initialDwellingId, livingType: 'own' }}
      data-testid="move-in-modal"
    >
      <Form.Item
        name="dwellingId"
        label={t('people.household.dwelling')}
        extra={t('people.household.dwellingPickHint')}
        rules={[{ required: true, message: t('people.household.dwellingRequired') }]}
      >
        {/* A community's code is the first 12 digits of its grids' codes. */}
        <DwellingPicker area={areaCode.slice(0, 12)} />
      </Form.Item>
      <Form.Item name="livingType" label={t('people.household.livingType')}>
        <Select options={LIVING_TYPES.map((v) => ({ value: v, label: livingLabel(t, v) }))} />
      </Form.Item>
      <Form.Item name="date" label={t('people.date')} extra={t('people.dateHint')}>
        <DatePicker style={{ width: '100%' }} />
      </Form.Item>
    </FormModal>
  );
}
