/** Calls of the statistics dashboard: measures by area, department, category or month, and the XLSX export URL. */
import type { StatsQuery, StatsResult, StatsRow } from '../../../../common/schemas/stats';
import { api, type Query } from '../../api';

export type { StatsQuery, StatsResult, StatsRow };

function toQuery(q: StatsQuery): Query {
  return { by: q.by, area: q.area, from: q.from, to: q.to, lang: q.lang };
}

export const statsApi = {
  cases: (q: StatsQuery, signal?: AbortSignal) =>
    api.get<StatsResult>('/api/stats/cases', toQuery(q), signal),
  /** The same query as a spreadsheet download (a plain link: the session cookie goes along). */
  xlsxUrl: (q: StatsQuery): string => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(toQuery(q)))
      if (v !== undefined && v !== null) params.set(k, String(v));
    return `/api/stats/cases.xlsx?${params.toString()}`;
  },
};
