/** Display names and colours of housing values, shared by the pages (the server's enums, the UI's words). */
import type { MessageKey } from '../../../../common/i18n';
import type { BuildingUse, DwellingUse } from '../../../../common/schemas/housing';

export const DWELLING_USE_LABEL: Record<DwellingUse, MessageKey> = {
  self_occupied: 'housing.use.self_occupied',
  rented: 'housing.use.rented',
  vacant: 'housing.use.vacant',
  commercial: 'housing.use.commercial',
};

/** Cell colours of the 楼盘表: calm for self-occupied, warm for rented, grey for vacant, blue for commercial. */
export const DWELLING_USE_COLOUR: Record<DwellingUse, { bg: string; fg: string }> = {
  self_occupied: { bg: '#d9f2e6', fg: '#0b5132' },
  rented: { bg: '#ffe7ba', fg: '#7a4100' },
  vacant: { bg: '#eeeeee', fg: '#434343' },
  commercial: { bg: '#d6e4ff', fg: '#10239e' },
};

export const BUILDING_USE_LABEL: Record<BuildingUse, MessageKey> = {
  residential: 'housing.buildingUse.residential',
  commercial: 'housing.buildingUse.commercial',
  mixed: 'housing.buildingUse.mixed',
  public: 'housing.buildingUse.public',
  other: 'housing.buildingUse.other',
};
