/** The ledger (民情台账) as a file: the coverage of an area over a period, per grid and per grid worker, in XLSX or CSV. */
import { PassThrough, type Readable } from 'node:stream';
import type { CoverageExportQuery } from '../../../common/schemas/visits';
import { parseAreaCode } from '../../../common/area-code';
import { translate } from '../../../common/i18n';
import type { Locale } from '../../../common/locale';
import type { AppContext } from '../../context';
import type { Actor } from '../../policy/ability';
import { appendAuditStandalone } from '../audit/log';
import { csvLine, safeCell, type CellValue } from '../people/io/spreadsheet';
import { writeXlsx } from '../people/io/xlsx';
import { coverage } from './service';

export interface LedgerFile {
  stream: Readable;
  filename: string;
  format: 'xlsx' | 'csv';
}

/**
 * The ledger file, in the request's language, after the same checks as the ledger itself (who may read it, a known
 * area at a level it covers, a period in order). Names are made safe for spreadsheet programs. The export is audited
 * as resident exports are: it names the grid workers, who are people too.
 */
export async function ledgerFile(
  ctx: AppContext,
  actor: Actor,
  q: CoverageExportQuery,
  locale: Locale,
  meta: { ip: string | null; requestId: string | null },
): Promise<LedgerFile> {
  const format = q.format ?? 'xlsx';
  const data = await coverage(ctx, actor, { areaCode: q.areaCode, from: q.from, to: q.to });
  const area = parseAreaCode(data.areaCode);
  await appendAuditStandalone(ctx.db, {
    actorId: actor.accountId,
    actorName: actor.username ?? actor.displayName,
    ip: meta.ip,
    requestId: meta.requestId,
    action: 'visits.ledger.export',
    targetType: 'area',
    targetId: data.areaCode,
    areaPath: area.ok ? area.path : null,
    outcome: 'success',
    details: { format, from: data.from, to: data.to, grids: data.grids.length, workers: data.workers.length },
  });
  const t = (key: Parameters<typeof translate>[1]) => translate(locale, key);
  const figures = (r: {
    households: number;
    visitedHouseholds: number;
    coveragePercent: number | null;
    visits: number;
  }) => [r.households, r.visitedHouseholds, r.coveragePercent, r.visits];
  const nameOf = new Map(data.grids.map((g) => [g.areaCode, g.areaName ?? g.areaCode]));
  const byGrid: CellValue[][] = [
    [
      t('visits.ledger.grid'),
      t('visits.ledger.areaCode'),
      t('visits.ledger.households'),
      t('visits.ledger.visited'),
      t('visits.ledger.coveragePercent'),
      t('visits.ledger.visits'),
    ],
    ...data.grids.map((g) => [safeCell(g.areaName ?? g.areaCode), g.areaCode, ...figures(g)]),
    [
      `${t('visits.ledger.total')} · ${safeCell(data.areaName ?? data.areaCode)} · ${data.from} – ${data.to}`,
      data.areaCode,
      ...figures(data.total),
    ],
  ];
  const byWorker: CellValue[][] = [
    [
      t('visits.ledger.worker'),
      t('visits.ledger.grid'),
      t('visits.ledger.households'),
      t('visits.ledger.visitedByWorker'),
      t('visits.ledger.coveragePercent'),
      t('visits.ledger.visits'),
    ],
    ...data.workers.map((w) => [
      safeCell(w.name),
      safeCell(w.areaCodes.map((c) => nameOf.get(c) ?? c).join(translate(locale, 'common.listSeparator'))),
      ...figures(w),
    ]),
  ];
  const filename = `ledger-${data.areaCode}-${data.from}-${data.to}.${format}`;
  const out = new PassThrough();
  if (format === 'csv') {
    // One file, two tables: the grids (with the total), a blank line, the grid workers. The BOM tells Excel it is UTF-8.
    out.end('\ufeff' + [...byGrid, [], ...byWorker].map(csvLine).join(''));
  } else {
    writeXlsx(out, [
      { name: t('visits.ledger.byGrid'), header: true, widths: [28, 18, 10, 10, 16, 10], rows: byGrid },
      { name: t('visits.ledger.byWorker'), header: true, widths: [16, 40, 10, 12, 16, 10], rows: byWorker },
    ]).catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
  }
  return { stream: out, filename, format };
}
