/**
 * The housing forms, each in a modal: an estate, a whole building (the bulk creator), a building's details, a unit
 * and a dwelling. Server validation errors land on the fields they name; anything else shows above the form.
 */
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { Alert, App, Form, Input, InputNumber, Modal, Select, Typography } from 'antd';
import type { FormInstance, InputProps } from 'antd';
import {
  BUILDING_USES,
  DWELLING_USES,
  MAX_FLOORS,
  MAX_PER_FLOOR,
  MAX_UNITS,
  type BuildingUse,
  type DwellingUse,
} from '../../../../common/schemas/housing';
import { isApiError, newUuid, type ApiError } from '../../api';
import { useT } from '../../i18n';
import { AreaPicker } from '../../components/AreaPicker';
import { applyServerErrors } from '../../components/formErrors';
import { buttonTestId } from '../../components/testId';
import { housingApi, type Building, type Dwelling, type Estate } from './api';
import { BUILDING_USE_LABEL, DWELLING_USE_LABEL } from './labels';

/** The frame every housing form shares: modal, error banner, submit with server errors mapped to fields. */
function FormModal<V extends object>({
  open,
  title,
  form,
  fields,
  testId,
  onClose,
  submit,
  children,
  readOnly = false,
}: {
  readOnly?: boolean;
  open: boolean;
  title: ReactNode;
  form: FormInstance<V>;
  fields: string[];
  testId: string;
  onClose: () => void;
  submit: (values: V) => Promise<void>;
  children: ReactNode;
}) {
  const t = useT();
  const { message } = App.useApp();
  const [error, setError] = useState<ApiError | null>(null);
  const [saving, setSaving] = useState(false);
  useEffect(() => {
    if (open) setError(null);
  }, [open]);

  const onFinish = async (v: V) => {
    setSaving(true);
    setError(null);
    try {
      await submit(v);
      void message.success(t('common.saved'));
    } catch (e) {
      if (!isApiError(e)) throw e;
      if (!applyServerErrors(form, e, fields)) setError(e);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open={open}
      title={title}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      okButtonProps={{ ...buttonTestId(`${testId}-submit`), hidden: readOnly }}
      destroyOnHidden
      forceRender
    >
      {error ? (
        <Alert
          type="error"
          showIcon
          title={error.message}
          className="form-alert"
          data-testid={`${testId}-error`}
        />
      ) : null}
      <Form<V> form={form} layout="vertical" onFinish={onFinish} data-testid={testId}>
        {children}
      </Form>
    </Modal>
  );
}

/**
 * The form of a modal, reset to `initial` each time the modal opens (and when `initial` changes: the caller memoises
 * it), with a fresh idempotency key for that opening's save.
 */
function useFreshForm<V extends object>(
  open: boolean,
  initial?: Parameters<FormInstance<V>['setFieldsValue']>[0],
): [FormInstance<V>, string] {
  const [form] = Form.useForm<V>();
  const [key, setKey] = useState(newUuid);
  useEffect(() => {
    if (!open) return;
    setKey(newUuid());
    form.resetFields();
    if (initial) form.setFieldsValue(initial);
  }, [open, initial, form]);
  return [form, key];
}

/** A text field: `required` refuses a blank value, and with `max` one longer than maxLength as well. */
function TextItem({
  name,
  label,
  extra,
  required = false,
  max = false,
  maxLength,
  ...input
}: {
  name: string;
  label: ReactNode;
  extra?: ReactNode;
  required?: boolean;
  max?: boolean;
  maxLength: number;
} & Omit<InputProps, 'name' | 'maxLength' | 'required' | 'max'>) {
  return (
    <Form.Item
      name={name}
      label={label}
      extra={extra}
      rules={
        required ? [{ required: true, whitespace: true, ...(max ? { max: maxLength } : {}) }] : undefined
      }
    >
      <Input maxLength={maxLength} {...input} />
    </Form.Item>
  );
}

/** A required whole number from 1 to max (floors, units, doors). */
function CountItem({
  name,
  label,
  max,
  testId,
}: {
  name: string;
  label: ReactNode;
  max: number;
  testId?: string;
}) {
  return (
    <Form.Item name={name} label={label} rules={[{ required: true }]}>
      <InputNumber min={1} max={max} precision={0} inputMode="numeric" data-testid={testId} />
    </Form.Item>
  );
}

const buildingUseOptions = (t: ReturnType<typeof useT>) =>
  BUILDING_USES.map((u) => ({ value: u, label: t(BUILDING_USE_LABEL[u]) }));
const dwellingUseOptions = (t: ReturnType<typeof useT>) =>
  DWELLING_USES.map((u) => ({ value: u, label: t(DWELLING_USE_LABEL[u]) }));

interface EstateValues {
  areaCode?: string;
  name: string;
  address?: string;
  propertyCompany?: string;
  propertyPhone?: string;
}

/** Adds an estate (小区) to a community, or changes one. */
export function EstateModal({
  open,
  estate,
  defaultArea,
  onClose,
  onSaved,
}: {
  open: boolean;
  estate: Estate | null;
  defaultArea?: string;
  onClose: () => void;
  onSaved: (e: Estate) => void;
}) {
  const t = useT();
  const initial = useMemo(
    () =>
      estate
        ? {
            name: estate.name,
            address: estate.address ?? '',
            propertyCompany: estate.propertyCompany ?? '',
            propertyPhone: estate.propertyPhone ?? '',
          }
        : { areaCode: defaultArea, name: '' },
    [estate, defaultArea],
  );
  const [form, key] = useFreshForm<EstateValues>(open, initial);

  const blankToNull = (v?: string) => (v && v.trim() ? v.trim() : null);
  return (
    <FormModal<EstateValues>
      open={open}
      title={estate ? t('housing.estate.edit') : t('housing.estate.add')}
      form={form}
      fields={['areaCode', 'name', 'address', 'propertyCompany', 'propertyPhone']}
      testId="estate-form"
      onClose={onClose}
      submit={async (v) => {
        const common = {
          address: blankToNull(v.address),
          propertyCompany: blankToNull(v.propertyCompany),
          propertyPhone: blankToNull(v.propertyPhone),
        };
        const saved = estate
          ? await housingApi.updateEstate(estate.id, {
              ...common,
              name: v.name.trim(),
              version: estate.version,
            })
          : await housingApi.createEstate({ ...common, areaCode: v.areaCode!, name: v.name.trim() }, key);
        onSaved(saved);
      }}
    >
      {estate ? null : (
        <Form.Item
          name="areaCode"
          label={t('housing.estate.community')}
          extra={t('housing.estate.communityHint')}
          rules={[{ required: true, message: t('housing.estate.communityRequired') }]}
        >
          <AreaPicker data-testid="estate-area" />
        </Form.Item>
      )}
      <TextItem
        name="name"
        label={t('housing.estate.name')}
        required
        max
        maxLength={60}
        data-testid="estate-name"
      />
      <TextItem name="address" label={t('housing.address')} maxLength={120} />
      <TextItem name="propertyCompany" label={t('housing.estate.propertyCompany')} maxLength={60} />
      <TextItem
        name="propertyPhone"
        label={t('housing.estate.propertyPhone')}
        extra={t('housing.estate.propertyPhoneHint')}
        maxLength={20}
        inputMode="tel"
      />
    </FormModal>
  );
}

/** Estates to pick from for a building in a grid: those of the grid's community. */
function useEstateOptions(area: string | undefined) {
  const [estates, setEstates] = useState<Estate[]>([]);
  const community = area && area.length >= 12 ? area.slice(0, 12) : undefined;
  useEffect(() => {
    if (!community) {
      setEstates([]);
      return;
    }
    const ac = new AbortController();
    housingApi
      .estates({ area: community, limit: 500 }, ac.signal)
      .then((r) => setEstates(r.items))
      .catch(() => setEstates([]));
    return () => ac.abort();
  }, [community]);
  return useMemo(() => estates.map((e) => ({ value: e.id, label: e.name })), [estates]);
}

interface BulkValues {
  areaCode?: string;
  estateId?: string;
  name: string;
  number?: string;
  floors: number;
  units: number;
  dwellingsPerFloor: number;
  use: BuildingUse;
  dwellingUse: DwellingUse;
  dwellingArea?: number | null;
}

/** The bulk creator: a whole building (units × floors × dwellings per floor) in one save. */
export function BulkBuildingModal({
  open,
  defaultArea,
  defaultEstate,
  onClose,
  onSaved,
}: {
  open: boolean;
  defaultArea?: string;
  defaultEstate?: string;
  onClose: () => void;
  onSaved: (b: Building) => void;
}) {
  const t = useT();
  const initial = useMemo(
    () => ({
      areaCode: defaultArea && defaultArea.length === 15 ? defaultArea : undefined,
      estateId: defaultEstate,
      floors: 6,
      units: 2,
      dwellingsPerFloor: 2,
      use: 'residential' as const,
      dwellingUse: 'self_occupied' as const,
    }),
    [defaultArea, defaultEstate],
  );
  const [form, key] = useFreshForm<BulkValues>(open, initial);
  const area = Form.useWatch('areaCode', form);
  const floors = Form.useWatch('floors', form) ?? 0;
  const unitsN = Form.useWatch('units', form) ?? 0;
  const perFloor = Form.useWatch('dwellingsPerFloor', form) ?? 0;
  const estateOptions = useEstateOptions(area);

  return (
    <FormModal<BulkValues>
      open={open}
      title={t('housing.bulk.title')}
      form={form}
      fields={[
        'areaCode',
        'estateId',
        'name',
        'number',
        'floors',
        'units',
        'dwellingsPerFloor',
        'dwellingArea',
      ]}
      testId="bulk-form"
      onClose={onClose}
      submit={async (v) => {
        const r = await housingApi.bulkCreate(
          {
            areaCode: v.areaCode!,
            estateId: v.estateId ?? null,
            name: v.name.trim(),
            number: v.number?.trim() || null,
            floors: v.floors,
            units: v.units,
            dwellingsPerFloor: v.dwellingsPerFloor,
            use: v.use,
            dwellingUse: v.dwellingUse,
            dwellingArea: v.dwellingArea ?? null,
          },
          key,
        );
        onSaved(r.building);
      }}
    >
      <Form.Item
        name="areaCode"
        label={t('housing.grid')}
        extra={t('housing.gridHint')}
        rules={[
          { required: true, message: t('housing.gridRequired') },
          { len: 15, message: t('housing.gridRequired') },
        ]}
      >
        <AreaPicker data-testid="bulk-area" />
      </Form.Item>
      <Form.Item name="estateId" label={t('housing.estate')}>
        <Select
          allowClear
          options={estateOptions}
          placeholder={t('housing.noEstate')}
          data-testid="bulk-estate"
        />
      </Form.Item>
      <TextItem
        name="name"
        label={t('housing.building.name')}
        required
        max
        maxLength={60}
        placeholder={t('housing.building.namePlaceholder')}
        data-testid="bulk-name"
      />
      <div className="housing-form-row">
        <CountItem name="floors" label={t('housing.building.floors')} max={MAX_FLOORS} testId="bulk-floors" />
        <CountItem name="units" label={t('housing.bulk.units')} max={MAX_UNITS} testId="bulk-units" />
        <CountItem
          name="dwellingsPerFloor"
          label={t('housing.bulk.perFloor')}
          max={MAX_PER_FLOOR}
          testId="bulk-per-floor"
        />
      </div>
      <Typography.Paragraph type="secondary" data-testid="bulk-total">
        {t('housing.bulk.total', { n: floors * unitsN * perFloor })}
      </Typography.Paragraph>
      <Form.Item name="use" label={t('housing.building.use')}>
        <Select options={buildingUseOptions(t)} />
      </Form.Item>
      <Form.Item
        name="dwellingUse"
        label={t('housing.bulk.dwellingUse')}
        extra={t('housing.bulk.dwellingUseHint')}
      >
        <Select options={dwellingUseOptions(t)} />
      </Form.Item>
      <Form.Item name="dwellingArea" label={t('housing.dwelling.area')}>
        <InputNumber min={1} max={10000} addonAfter="m²" />
      </Form.Item>
      <TextItem name="number" label={t('housing.building.number')} maxLength={16} />
    </FormModal>
  );
}

interface BuildingValues {
  estateId?: string | null;
  name: string;
  number?: string;
  floors: number;
  use: BuildingUse;
  address?: string;
}

/** Changes a building's details (its point is placed on the map). */
export function BuildingEditModal({
  open,
  building,
  onClose,
  onSaved,
}: {
  open: boolean;
  building: Building;
  onClose: () => void;
  onSaved: (b: Building) => void;
}) {
  const t = useT();
  const initial = useMemo(
    () => ({
      estateId: building.estateId,
      name: building.name,
      number: building.number ?? '',
      floors: building.floors,
      use: building.use,
      address: building.address ?? '',
    }),
    [building],
  );
  // No idempotency key: a change carries its version instead.
  const [form] = useFreshForm<BuildingValues>(open, initial);
  const estateOptions = useEstateOptions(building.areaCode);
  return (
    <FormModal<BuildingValues>
      open={open}
      title={t('housing.building.edit')}
      form={form}
      fields={['estateId', 'name', 'number', 'floors', 'use', 'address']}
      testId="building-form"
      onClose={onClose}
      submit={async (v) => {
        onSaved(
          await housingApi.updateBuilding(building.id, {
            estateId: v.estateId ?? null,
            name: v.name.trim(),
            number: v.number?.trim() || null,
            floors: v.floors,
            use: v.use,
            address: v.address?.trim() || null,
            version: building.version,
          }),
        );
      }}
    >
      <Form.Item name="estateId" label={t('housing.estate')}>
        <Select allowClear options={estateOptions} placeholder={t('housing.noEstate')} />
      </Form.Item>
      <TextItem name="name" label={t('housing.building.name')} required maxLength={60} />
      <CountItem name="floors" label={t('housing.building.floors')} max={MAX_FLOORS} />
      <Form.Item name="use" label={t('housing.building.use')}>
        <Select options={buildingUseOptions(t)} />
      </Form.Item>
      <TextItem name="number" label={t('housing.building.number')} maxLength={16} />
      <TextItem name="address" label={t('housing.address')} maxLength={120} />
    </FormModal>
  );
}

/** Adds a unit to a building. */
export function UnitModal({
  open,
  buildingId,
  onClose,
  onSaved,
}: {
  open: boolean;
  buildingId: string;
  onClose: () => void;
  onSaved: (unitId: string) => void;
}) {
  const t = useT();
  const [form, key] = useFreshForm<{ number: string; name?: string }>(open);
  return (
    <FormModal<{ number: string; name?: string }>
      open={open}
      title={t('housing.unit.add')}
      form={form}
      fields={['number', 'name']}
      testId="unit-form"
      onClose={onClose}
      submit={async (v) => {
        const u = await housingApi.createUnit(
          { buildingId, number: v.number.trim(), name: v.name?.trim() || null },
          key,
        );
        onSaved(u.id);
      }}
    >
      <TextItem
        name="number"
        label={t('housing.unit.number')}
        required
        maxLength={16}
        inputMode="numeric"
        data-testid="unit-number"
      />
      <TextItem name="name" label={t('housing.unit.name')} maxLength={30} />
    </FormModal>
  );
}

interface DwellingValues {
  floor: number;
  number: string;
  floorArea?: number | null;
  use: DwellingUse;
}

/** Adds a dwelling to a unit, or changes one (its use, most often). */
export function DwellingModal({
  open,
  unitId,
  dwelling,
  maxFloor,
  onClose,
  onSaved,
  extra,
  readOnly = false,
}: {
  /** Readers without the right to change it see the dwelling without a save button. */
  readOnly?: boolean;
  open: boolean;
  unitId: string;
  dwelling: Dwelling | null;
  maxFloor: number;
  onClose: () => void;
  onSaved: () => void;
  /** Links and actions under the form (the households of the dwelling, retiring it). */
  extra?: ReactNode;
}) {
  const t = useT();
  const initial = useMemo<Partial<DwellingValues>>(
    () =>
      dwelling
        ? { floor: dwelling.floor, number: dwelling.number, floorArea: dwelling.floorArea, use: dwelling.use }
        : { floor: 1, number: '', use: 'self_occupied' },
    [dwelling],
  );
  const [form, key] = useFreshForm<DwellingValues>(open, initial);
  return (
    <FormModal<DwellingValues>
      open={open}
      title={dwelling ? dwelling.label : t('housing.dwelling.add')}
      form={form}
      fields={['floor', 'number', 'floorArea', 'use']}
      testId="dwelling-form"
      readOnly={readOnly}
      onClose={onClose}
      submit={async (v) => {
        const body = { floor: v.floor, number: v.number.trim(), floorArea: v.floorArea ?? null, use: v.use };
        if (dwelling) await housingApi.updateDwelling(dwelling.id, { ...body, version: dwelling.version });
        else await housingApi.createDwelling({ ...body, unitId }, key);
        onSaved();
      }}
    >
      <Form.Item name="use" label={t('housing.dwelling.use')} rules={[{ required: true }]}>
        <Select options={dwellingUseOptions(t)} data-testid="dwelling-use" />
      </Form.Item>
      <div className="housing-form-row">
        <CountItem name="floor" label={t('housing.dwelling.floor')} max={maxFloor} />
        <TextItem
          name="number"
          label={t('housing.dwelling.number')}
          required
          maxLength={16}
          data-testid="dwelling-number"
        />
      </div>
      <Form.Item name="floorArea" label={t('housing.dwelling.area')}>
        <InputNumber min={1} max={10000} addonAfter="m²" />
      </Form.Item>
      {extra}
    </FormModal>
  );
}
