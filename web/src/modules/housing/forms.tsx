/**
 * The housing forms, each in a modal: an estate, a whole building (the bulk creator), a building's details, a unit
 * and a dwelling. Server validation errors land on the fields they name; anything else shows above the form.
 */
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { Alert, App, Form, Input, InputNumber, Modal, Select, Typography } from 'antd';
import type { FormInstance } from 'antd';
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
  const [form] = Form.useForm<EstateValues>();
  const [key, setKey] = useState(newUuid);
  useEffect(() => {
    if (!open) return;
    setKey(newUuid());
    form.resetFields();
    form.setFieldsValue(
      estate
        ? {
            name: estate.name,
            address: estate.address ?? '',
            propertyCompany: estate.propertyCompany ?? '',
            propertyPhone: estate.propertyPhone ?? '',
          }
        : { areaCode: defaultArea, name: '' },
    );
  }, [open, estate, defaultArea, form]);

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
      <Form.Item
        name="name"
        label={t('housing.estate.name')}
        rules={[{ required: true, whitespace: true, max: 60 }]}
      >
        <Input maxLength={60} data-testid="estate-name" />
      </Form.Item>
      <Form.Item name="address" label={t('housing.address')}>
        <Input maxLength={120} />
      </Form.Item>
      <Form.Item name="propertyCompany" label={t('housing.estate.propertyCompany')}>
        <Input maxLength={60} />
      </Form.Item>
      <Form.Item
        name="propertyPhone"
        label={t('housing.estate.propertyPhone')}
        extra={t('housing.estate.propertyPhoneHint')}
      >
        <Input maxLength={20} inputMode="tel" />
      </Form.Item>
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
  const [form] = Form.useForm<BulkValues>();
  const [key, setKey] = useState(newUuid);
  const area = Form.useWatch('areaCode', form);
  const floors = Form.useWatch('floors', form) ?? 0;
  const unitsN = Form.useWatch('units', form) ?? 0;
  const perFloor = Form.useWatch('dwellingsPerFloor', form) ?? 0;
  const estateOptions = useEstateOptions(area);
  useEffect(() => {
    if (!open) return;
    setKey(newUuid());
    form.resetFields();
    form.setFieldsValue({
      areaCode: defaultArea && defaultArea.length === 15 ? defaultArea : undefined,
      estateId: defaultEstate,
      floors: 6,
      units: 2,
      dwellingsPerFloor: 2,
      use: 'residential',
      dwellingUse: 'self_occupied',
    });
  }, [open, defaultArea, defaultEstate, form]);

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
      <Form.Item
        name="name"
        label={t('housing.building.name')}
        rules={[{ required: true, whitespace: true, max: 60 }]}
      >
        <Input maxLength={60} placeholder={t('housing.building.namePlaceholder')} data-testid="bulk-name" />
      </Form.Item>
      <div className="housing-form-row">
        <Form.Item name="floors" label={t('housing.building.floors')} rules={[{ required: true }]}>
          <InputNumber min={1} max={MAX_FLOORS} precision={0} inputMode="numeric" data-testid="bulk-floors" />
        </Form.Item>
        <Form.Item name="units" label={t('housing.bulk.units')} rules={[{ required: true }]}>
          <InputNumber min={1} max={MAX_UNITS} precision={0} inputMode="numeric" data-testid="bulk-units" />
        </Form.Item>
        <Form.Item name="dwellingsPerFloor" label={t('housing.bulk.perFloor')} rules={[{ required: true }]}>
          <InputNumber
            min={1}
            max={MAX_PER_FLOOR}
            precision={0}
            inputMode="numeric"
            data-testid="bulk-per-floor"
          />
        </Form.Item>
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
      <Form.Item name="number" label={t('housing.building.number')}>
        <Input maxLength={16} />
      </Form.Item>
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
  const [form] = Form.useForm<BuildingValues>();
  const estateOptions = useEstateOptions(building.areaCode);
  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue({
      estateId: building.estateId,
      name: building.name,
      number: building.number ?? '',
      floors: building.floors,
      use: building.use,
      address: building.address ?? '',
    });
  }, [open, building, form]);
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
      <Form.Item
        name="name"
        label={t('housing.building.name')}
        rules={[{ required: true, whitespace: true }]}
      >
        <Input maxLength={60} />
      </Form.Item>
      <Form.Item name="floors" label={t('housing.building.floors')} rules={[{ required: true }]}>
        <InputNumber min={1} max={MAX_FLOORS} precision={0} inputMode="numeric" />
      </Form.Item>
      <Form.Item name="use" label={t('housing.building.use')}>
        <Select options={buildingUseOptions(t)} />
      </Form.Item>
      <Form.Item name="number" label={t('housing.building.number')}>
        <Input maxLength={16} />
      </Form.Item>
      <Form.Item name="address" label={t('housing.address')}>
        <Input maxLength={120} />
      </Form.Item>
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
  const [form] = Form.useForm<{ number: string; name?: string }>();
  const [key, setKey] = useState(newUuid);
  useEffect(() => {
    if (!open) return;
    setKey(newUuid());
    form.resetFields();
  }, [open, form]);
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
      <Form.Item
        name="number"
        label={t('housing.unit.number')}
        rules={[{ required: true, whitespace: true }]}
      >
        <Input maxLength={16} inputMode="numeric" data-testid="unit-number" />
      </Form.Item>
      <Form.Item name="name" label={t('housing.unit.name')}>
        <Input maxLength={30} />
      </Form.Item>
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
  const [form] = Form.useForm<DwellingValues>();
  const [key, setKey] = useState(newUuid);
  useEffect(() => {
    if (!open) return;
    setKey(newUuid());
    form.resetFields();
    form.setFieldsValue(
      dwelling
        ? { floor: dwelling.floor, number: dwelling.number, floorArea: dwelling.floorArea, use: dwelling.use }
        : { floor: 1, number: '', use: 'self_occupied' },
    );
  }, [open, dwelling, form]);
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
        <Form.Item name="floor" label={t('housing.dwelling.floor')} rules={[{ required: true }]}>
          <InputNumber min={1} max={maxFloor} precision={0} inputMode="numeric" />
        </Form.Item>
        <Form.Item
          name="number"
          label={t('housing.dwelling.number')}
          rules={[{ required: true, whitespace: true }]}
        >
          <Input maxLength={16} data-testid="dwelling-number" />
        </Form.Item>
      </div>
      <Form.Item name="floorArea" label={t('housing.dwelling.area')}>
        <InputNumber min={1} max={10000} addonAfter="m²" />
      </Form.Item>
      {extra}
    </FormModal>
  );
}
