/**
 * Choosing a dwelling without typing its ID: 小区 → 楼栋 → 单元 → 房屋, one select under the other (fits a phone),
 * each listing what the housing API gives the user within its scope, narrowed to an area when given (a household
 * moves within its community). Buildings outside any estate are under "不属于小区的楼栋"; with no estates at all
 * the first step is skipped. A form control: `value` is the dwelling's id.
 */
import { useEffect, useState } from 'react';
import { Select, Typography } from 'antd';
import { useLocale } from '../../i18n';
import { housingApi, type Building, type Dwelling, type Estate, type UnitSummary } from './api';
import { DWELLING_USE_LABEL } from './labels';
import './housing.css';

/** The estate step's value for buildings that belong to no estate. */
const NO_ESTATE = '-';
const LIMIT = 500;

export interface DwellingPickerProps {
  value?: string;
  onChange?: (dwellingId: string | undefined) => void;
  /** Only housing in this area (e.g. the household's community). */
  area?: string;
  'data-testid'?: string;
}

/** See the module comment. */
export function DwellingPicker({ value, onChange, area, ...rest }: DwellingPickerProps) {
  const { t } = useLocale();
  const [estates, setEstates] = useState<Estate[] | null>(null);
  const [estate, setEstate] = useState<string | undefined>();
  const [buildings, setBuildings] = useState<Building[] | null>(null);
  const [building, setBuilding] = useState<string | undefined>();
  const [units, setUnits] = useState<UnitSummary[] | null>(null);
  const [unit, setUnit] = useState<string | undefined>();
  const [dwellings, setDwellings] = useState<Dwelling[] | null>(null);
  const [chosen, setChosen] = useState<Dwelling | null>(null);

  // Estates of the area; with none, straight to the buildings outside estates.
  useEffect(() => {
    const ac = new AbortController();
    housingApi
      .estates({ ...(area ? { area } : {}), limit: LIMIT }, ac.signal)
      .then((r) => {
        setEstates(r.items);
        if (r.items.length === 0) setEstate((e) => e ?? NO_ESTATE);
      })
      .catch(() => setEstates([]));
    return () => ac.abort();
  }, [area]);

  // A dwelling given from outside (e.g. ?dwellingId=): fill in the steps that lead to it.
  useEffect(() => {
    if (!value || chosen?.id === value) return;
    const ac = new AbortController();
    void (async () => {
      try {
        const d = await housingApi.dwelling(value, ac.signal);
        const b = await housingApi.building(d.buildingId, ac.signal);
        setEstate(b.building.estateId ?? NO_ESTATE);
        setBuilding(d.buildingId);
        setUnit(d.unitId);
        setChosen(d);
      } catch {
        // Not found or not in scope: the steps stay empty and the user picks.
      }
    })();
    return () => ac.abort();
    // Only a value that differs from the one picked here needs resolving.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value]);

  useEffect(() => {
    setBuildings(null);
    if (!estate) return;
    const ac = new AbortController();
    const query =
      estate === NO_ESTATE ? { ...(area ? { area } : {}), limit: LIMIT } : { estateId: estate, limit: LIMIT };
    housingApi
      .buildings(query, ac.signal)
      .then((r) => setBuildings(estate === NO_ESTATE ? r.items.filter((b) => !b.estateId) : r.items))
      .catch(() => setBuildings([]));
    return () => ac.abort();
  }, [estate, area]);

  useEffect(() => {
    setUnits(null);
    if (!building) return;
    const ac = new AbortController();
    housingApi
      .building(building, ac.signal)
      .then((r) => setUnits(r.units))
      .catch(() => setUnits([]));
    return () => ac.abort();
  }, [building]);

  useEffect(() => {
    setDwellings(null);
    if (!unit) return;
    const ac = new AbortController();
    housingApi
      .unit(unit, ac.signal)
      .then((r) => setDwellings(r.dwellings))
      .catch(() => setDwellings([]));
    return () => ac.abort();
  }, [unit]);

  const pick = (d: Dwelling | null) => {
    setChosen(d);
    // Only a real change: clearing a choice that was never made must not mark the form field as missing.
    if (d?.id !== value) onChange?.(d?.id);
  };
  /** What every step's select has: search by label, full width, its name as placeholder, waiting for its list. */
  const step = (
    name: 'estate' | 'building' | 'unit' | 'dwelling',
    after: unknown,
    list: unknown[] | null,
  ) => ({
    showSearch: true,
    optionFilterProp: 'label' as const,
    style: { width: '100%' },
    placeholder: t(`housing.picker.${name}`),
    'aria-label': t(`housing.picker.${name}`),
    notFoundContent: t('housing.picker.none'),
    disabled: !after,
    loading: Boolean(after) && list === null,
    'data-testid': `picker-${name}`,
  });

  return (
    <div className="dwelling-picker" data-testid={rest['data-testid']}>
      {estates === null || estates.length > 0 ? (
        <Select
          {...step('estate', true, estates)}
          value={estate}
          onChange={(v: string) => {
            setEstate(v);
            setBuilding(undefined);
            setUnit(undefined);
            pick(null);
          }}
          options={[
            ...(estates ?? []).map((e) => ({ value: e.id, label: e.name })),
            { value: NO_ESTATE, label: t('housing.picker.noEstate') },
          ]}
        />
      ) : null}
      <Select
        {...step('building', estate, buildings)}
        value={building}
        onChange={(v: string) => {
          setBuilding(v);
          setUnit(undefined);
          pick(null);
        }}
        options={(buildings ?? []).map((b) => ({ value: b.id, label: b.name }))}
      />
      <Select
        {...step('unit', building, units)}
        value={unit}
        onChange={(v: string) => {
          setUnit(v);
          pick(null);
        }}
        options={(units ?? []).map((u) => ({
          value: u.id,
          label: u.name ?? t('housing.unitN', { n: u.number }),
        }))}
      />
      <Select
        {...step('dwelling', unit, dwellings)}
        value={chosen?.id ?? value}
        onChange={(v: string) => pick((dwellings ?? []).find((d) => d.id === v) ?? null)}
        options={(dwellings ?? []).map((d) => ({
          value: d.id,
          label: t('housing.picker.dwellingOption', {
            number: d.number,
            floor: d.floor,
            use: t(DWELLING_USE_LABEL[d.use]),
          }),
        }))}
      />
      {chosen ? (
        <Typography.Text type="secondary" data-testid="picker-chosen">
          {t('housing.picker.chosen', { label: chosen.label })}
        </Typography.Text>
      ) : null}
    </div>
  );
}
