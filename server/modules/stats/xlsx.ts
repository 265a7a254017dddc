/** The statistics as an XLSX workbook: one sheet, headers in the reader's language, a totals row at the end. */
import writeXlsxFile, { type Row } from 'write-excel-file/node';
import type { Locale } from '../../../common/locale';
import type { StatsMeasures, StatsResult } from '../../../common/schemas/stats';

type Text3 = Record<Locale, string>;

const DIMENSION: Record<StatsResult['by'], Text3> = {
  area: { 'zh-CN': '区域', 'zh-TW': '區域', en: 'Area' },
  department: { 'zh-CN': '牵头部门', 'zh-TW': '牽頭部門', en: 'Lead department' },
  category: { 'zh-CN': '事项分类', 'zh-TW': '事項分類', en: 'Category' },
  month: { 'zh-CN': '月份', 'zh-TW': '月份', en: 'Month' },
};

/** The measure columns in order, with whether each is a rate (shown as a percentage). */
const COLUMNS: [keyof StatsMeasures, Text3, 'count' | 'rate' | 'hours'][] = [
  ['total', { 'zh-CN': '案件数', 'zh-TW': '案件數', en: 'Cases' }, 'count'],
  ['respondedInTime', { 'zh-CN': '按时响应', 'zh-TW': '按時回應', en: 'Responded in time' }, 'count'],
  ['responseRate', { 'zh-CN': '响应率', 'zh-TW': '回應率', en: 'Response rate' }, 'rate'],
  ['resolved', { 'zh-CN': '办结数', 'zh-TW': '辦結數', en: 'Resolved' }, 'count'],
  ['resolutionRate', { 'zh-CN': '办结率', 'zh-TW': '辦結率', en: 'Resolution rate' }, 'rate'],
  ['rated', { 'zh-CN': '评价数', 'zh-TW': '評價數', en: 'Rated' }, 'count'],
  ['satisfied', { 'zh-CN': '满意数', 'zh-TW': '滿意數', en: 'Satisfied' }, 'count'],
  ['satisfactionRate', { 'zh-CN': '满意率', 'zh-TW': '滿意率', en: 'Satisfaction rate' }, 'rate'],
  ['closedOnTime', { 'zh-CN': '按期办结', 'zh-TW': '按期辦結', en: 'Closed on time' }, 'count'],
  ['onTimeRate', { 'zh-CN': '按期办结率', 'zh-TW': '按期辦結率', en: 'On-time rate' }, 'rate'],
  ['overdue', { 'zh-CN': '超期未办结', 'zh-TW': '超期未辦結', en: 'Overdue now' }, 'count'],
  [
    'avgHandlingHours',
    { 'zh-CN': '平均办理时长（小时）', 'zh-TW': '平均辦理時長（小時）', en: 'Average handling hours' },
    'hours',
  ],
];

const TOTAL: Text3 = { 'zh-CN': '合计', 'zh-TW': '合計', en: 'Total' };
const SHEET: Text3 = { 'zh-CN': '案件统计', 'zh-TW': '案件統計', en: 'Case statistics' };
const FILE_STEM: Text3 = { 'zh-CN': '案件统计', 'zh-TW': '案件統計', en: 'case-statistics' };

function cells(label: string, m: StatsMeasures, bold = false): Row {
  return [
    { value: label, type: String, fontWeight: bold ? 'bold' : undefined },
    ...COLUMNS.map(([k, , kind]) => {
      const v = m[k];
      if (v === null) return null;
      if (kind === 'rate') return { value: v, type: Number, format: '0.0%' };
      if (kind === 'hours') return { value: v, type: Number, format: '0.0' };
      return { value: v, type: Number };
    }),
  ];
}

/** The workbook's bytes. */
export async function statsWorkbook(result: StatsResult, locale: Locale): Promise<Buffer> {
  const header: Row = [DIMENSION[result.by], ...COLUMNS.map(([, label]) => label)].map((l) => ({
    value: l[locale],
    type: String,
    fontWeight: 'bold' as const,
  }));
  const data: Row[] = [
    header,
    ...result.rows.map((r) => cells(r.label, r)),
    cells(TOTAL[locale], result.totals, true),
  ];
  return writeXlsxFile(data, {
    sheet: SHEET[locale],
    stickyRowsCount: 1,
    columns: [{ width: 28 }, ...COLUMNS.map(() => ({ width: 14 }))],
  }).toBuffer();
}

/** 案件统计-202611.xlsx, or 案件统计-202512-202611.xlsx for a span of months. */
export function workbookName(result: StatsResult, locale: Locale): string {
  const from = result.from.replace('-', '');
  const to = result.to.replace('-', '');
  return `${FILE_STEM[locale]}-${from === to ? to : `${from}-${to}`}.xlsx`;
}

/** Content-Disposition with an ASCII fallback and the RFC 5987 UTF-8 name. */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '').replace(/["\\]/g, '') || 'statistics.xlsx';
  const fallback = ascii.startsWith('-') ? `case-statistics${ascii}` : ascii;
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
