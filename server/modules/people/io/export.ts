/**
 * Export of resident lists (居民名单导出) to XLSX or CSV, streamed: rows are read from the database a page at a time
 * (keyset on id) and written out as they come. CSV has no size cap; XLSX is written by our streaming writer (xlsx.ts,
 * deflateRaw per entry, inline strings) up to EXPORT_XLSX_MAX_ROWS, the sheet's own limit. ID and phone numbers are
 * masked unless the exporter may reveal personal data there and states a purpose; every export is audited, an
 * unmasked one as 'personal.export' with the purpose and the row count. No cell can become a formula (safeCell).
 */
import { PassThrough, type Readable } from 'node:stream';
import { eq, sql, type SQL } from 'drizzle-orm';
import { ancestorPaths, codeFromPath, isInSubtree } from '../../../../common/area-code';
import { ethnicityName } from '../../../../common/ethnicities';
import { translate, type MessageKey } from '../../../../common/i18n';
import type { Locale } from '../../../../common/locale';
import { EXPORT_XLSX_MAX_ROWS, IO_HEADERS, type ExportQuery } from '../../../../common/schemas/people-io';
import type { AppContext } from '../../../context';
import { queryRows } from '../../../db/client';
import { invalidField } from '../../../http/errors';
import { Ability, type Actor } from '../../../policy/ability';
import { scopeWhere } from '../../../policy/scope';
import type { RequestMeta } from '../../accounts/service';
import { areas } from '../../areas/tables';
import { appendAuditStandalone } from '../../audit/log';
import { residentSearch } from '../service';
import { csvLine, safeCell, type CellValue } from './spreadsheet';
import { writeXlsx } from './xlsx';

const PAGE = 5000;

/** The export's columns: those of the import template (so a clear export can be imported again), then status. */
const EXPORT_HEADERS = [
  IO_HEADERS.name,
  IO_HEADERS.gender,
  IO_HEADERS.birthDate,
  IO_HEADERS.idNumber,
  IO_HEADERS.phone,
  IO_HEADERS.ethnicity,
  IO_HEADERS.residenceType,
  IO_HEADERS.permitExpiresOn,
  IO_HEADERS.householdNumber,
  IO_HEADERS.relation,
  IO_HEADERS.dwelling,
  IO_HEADERS.grid,
  IO_HEADERS.note,
  '状态',
];

interface ExportRow {
  id: string;
  name: string;
  gender: string;
  birth_date: string;
  id_number_masked: string | null;
  id_number_enc: string | null;
  phone_masked: string | null;
  phone_enc: string | null;
  ethnicity: string | null;
  residence_type: string;
  permit_expires_on: string | null;
  household_number: string | null;
  relation: string | null;
  dwelling_label: string | null;
  area_code: string;
  note: string | null;
  status: string;
}

export interface ExportStream {
  stream: Readable;
  filename: string;
  contentType: string;
}

/** The nearest area holding every path of a scope (its code and path); none for an empty or nationwide scope. */
export function scopeArea(paths: string[]): { code: string | null; path: string | null } {
  let path = paths[0] ?? '';
  for (const p of paths) while (path !== '' && !isInSubtree(p, path)) path = ancestorPaths(path).pop() ?? '';
  return path === '' ? { code: null, path: null } : { code: codeFromPath(path), path };
}

/**
 * Prepares an export: checks permission and purpose (4xx before any byte is sent) and returns the stream that
 * writes it; the audit entry is written when the stream has finished, with the row count.
 */
export async function exportResidents(
  ctx: AppContext,
  actor: Actor,
  query: ExportQuery,
  locale: Locale,
  meta: RequestMeta = {},
): Promise<ExportStream> {
  const ability = new Ability(actor);
  ability.authorize('read', 'Population');
  const format = query.format ?? 'xlsx';
  const unmasked = query.unmasked === true;
  let areaPath: string | null = null;
  if (query.areaCode) {
    const [a] = await ctx.db.select({ path: areas.path }).from(areas).where(eq(areas.code, query.areaCode));
    if (!a) throw invalidField('querystring.areaCode', 'exists');
    // An area outside the exporter's scope is refused as forbidden (not as unknown input).
    ability.authorize('read', 'Population', a.path);
    areaPath = a.path;
  }
  const purpose = query.purpose?.trim() ?? '';
  if (unmasked) {
    if ([...purpose].length < 4) throw invalidField('querystring.purpose', 'required');
    // Without an area: allowed somewhere is enough, the scope filter below keeps to where (null would deny all).
    ability.authorize('reveal', 'PersonalData', areaPath ?? undefined);
  } else if (query.purpose !== undefined) throw invalidField('querystring.purpose', 'notApplicable');

  const conds: SQL[] = [scopeWhere(ability, 'read', 'Population', sql`r.area_path`)];
  // In clear only what the exporter may reveal; anything else in its read scope is left out, not masked.
  if (unmasked) conds.push(scopeWhere(ability, 'reveal', 'PersonalData', sql`r.area_path`));
  if (areaPath) conds.push(sql`r.area_path like ${areaPath + '%'}`);
  conds.push(query.status ? sql`r.status = ${query.status}` : sql`r.status = 'alive'`);
  // The same search as the resident list.
  if (query.q) conds.push(residentSearch(ctx, ability, query.q, 'r'));
  const where = sql.join(conds, sql` and `);

  const t = (key: string) => translate(locale, key as MessageKey);
  const label = (prefix: string, code: string | null) => {
    if (!code) return '';
    const text = t(`${prefix}.${code}`);
    return text && text !== `${prefix}.${code}` ? text : code;
  };
  const toCells = (r: ExportRow): CellValue[] => {
    const idNumber = unmasked && r.id_number_enc ? ctx.secrets.decrypt(r.id_number_enc) : r.id_number_masked;
    const phone = unmasked && r.phone_enc ? ctx.secrets.decrypt(r.phone_enc) : r.phone_masked;
    return [
      r.name,
      label('people.gender', r.gender),
      r.birth_date,
      idNumber ?? '',
      phone ?? '',
      r.ethnicity ? ethnicityName(r.ethnicity, locale) : '',
      label('people.residence', r.residence_type),
      r.permit_expires_on ?? '',
      r.household_number ?? '',
      label('people.relation', r.relation),
      r.dwelling_label ?? '',
      r.area_code,
      r.note ?? '',
      label('people.status', r.status),
    ].map((c) => safeCell(String(c)));
  };

  let count = 0;
  const cap = format === 'xlsx' ? EXPORT_XLSX_MAX_ROWS : Number.POSITIVE_INFINITY;
  async function* rows(): AsyncGenerator<CellValue[]> {
    yield EXPORT_HEADERS;
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const page = await queryRows<ExportRow>(
        ctx.db,
        sql`select r.id, r.name, r.gender, r.birth_date::text as birth_date, r.id_number_masked,
                   ${unmasked ? sql`r.id_number_enc` : sql`null`} as id_number_enc, r.phone_masked,
                   ${unmasked ? sql`r.phone_enc` : sql`null`} as phone_enc, r.ethnicity, r.residence_type,
                   r.permit_expires_on::text as permit_expires_on, h.number as household_number,
                   m.relation, concat_ws(' ', e.name, b.name, coalesce(u.name, u.number || '单元'), d.number) as dwelling_label,
                   r.area_code, r.note, r.status
            from residents r
            left join household_members m on m.resident_id = r.id and m.to_date is null
            left join households h on h.id = m.household_id
            left join resident_dwellings l on l.resident_id = r.id and l.to_date is null
            left join dwellings d on d.id = l.dwelling_id
            left join units u on u.id = d.unit_id
            left join buildings b on b.id = d.building_id
            left join estates e on e.id = b.estate_id
            where ${where} and r.id > ${after}::uuid
            order by r.id
            limit ${PAGE}`,
      );
      for (const r of page) {
        if (count >= cap) return;
        count++;
        yield toCells(r);
      }
      if (page.length < PAGE) return;
      after = page[page.length - 1]!.id;
    }
  }

  // Audited before the first byte, with the count of rows it will hold: an export that starts is on record even
  // when the download is cut short.
  const [counted] = await queryRows<{ n: number }>(
    ctx.db,
    sql`select count(*)::int as n from residents r where ${where}`,
  );
  const total = Math.min(Number(counted?.n ?? 0), cap);
  // Without an area filter the export covers the exporter's whole scope: the entry names that (the area holding all
  // of it), so that it is found under the area whose residents it holds.
  const audited = areaPath
    ? { code: query.areaCode ?? null, path: areaPath }
    : scopeArea(unmasked ? ability.paths('reveal', 'PersonalData') : ability.paths('read', 'Population'));
  await appendAuditStandalone(ctx.db, {
    actorId: actor.accountId,
    actorName: actor.username ?? actor.displayName,
    ip: meta.ip ?? null,
    requestId: meta.requestId ?? null,
    action: unmasked ? 'personal.export' : 'people.export',
    targetType: 'area',
    targetId: audited.code,
    areaPath: audited.path,
    outcome: 'success',
    details: {
      format,
      rows: total,
      unmasked,
      ...(unmasked ? { purpose } : {}),
      ...(query.q ? { search: true } : {}),
      ...(query.status ? { status: query.status } : {}),
      ...(Number(counted?.n ?? 0) > cap ? { truncatedAt: cap } : {}),
    },
  });
  const out = new PassThrough();
  void (async () => {
    try {
      if (format === 'csv') {
        // A BOM so that Excel reads the file as UTF-8.
        if (!out.write('\ufeff')) await new Promise((r) => out.once('drain', r));
        let buf = '';
        for await (const cells of rows()) {
          buf += csvLine(cells);
          if (buf.length > 64 * 1024) {
            if (!out.write(buf)) await new Promise((r) => out.once('drain', r));
            buf = '';
          }
        }
        out.end(buf);
      } else {
        await writeXlsx(out, [
          {
            name: t('peopleIo.export.sheet'),
            header: true,
            widths: [10, 6, 12, 22, 16, 8, 8, 12, 10, 10, 28, 18, 20, 8],
            rows: rows(),
          },
        ]);
      }
    } catch (err) {
      out.destroy(err as Error);
    }
  })();
  const stamp = new Date().toISOString().slice(0, 10);
  return {
    stream: out,
    filename: `residents-${stamp}.${format}`,
    contentType:
      format === 'csv'
        ? 'text/csv; charset=utf-8'
        : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  };
}
