/** HTTP routes of resident import and export (template, raw upload, report download, list export); thin. */
import { ErrorBody } from '../../../../common/schemas/common';
import {
  ExportQuery,
  FileFormatQuery,
  IMPORT_MAX_BYTES,
  ImportQuery,
  ImportReport,
  ReportParams,
} from '../../../../common/schemas/people-io';
import type { AppContext } from '../../../context';
import { localeOf } from '../../../http/errors';
import type { App } from '../../../http/types';
import type { RegisterRoutes } from '../../index';
import { exportResidents } from './export';
import { IMPORT_MIME_TYPES, reportFile, runImport, unsupportedSheetType } from './service';
import { attachment, spreadsheetFile, XLSX_MIME } from './spreadsheet';
import { templateStream } from './template';

const security = [{ session: [] }];
const writeSecurity = [{ session: [], csrf: [] }];
const readErrors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const tags = ['people'];
export const peopleIoRoutes: RegisterRoutes = async (app, ctx) => {
  app.get(
    '/api/people/import-template',
    {
      schema: {
        tags,
        summary: 'The resident import template: Chinese headers, an example row, and (XLSX) a notes sheet',
        security,
        querystring: FileFormatQuery,
        response: { 200: spreadsheetFile('The template'), ...readErrors },
      },
    },
    async (req, reply) => {
      const format = req.query.format ?? 'xlsx';
      const stream = templateStream(req.requireActor(), format);
      return reply
        .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : XLSX_MIME)
        .header('content-disposition', attachment(`residents-template.${format}`))
        .send(stream);
    },
  );

  await app.register(async (scope) => importUpload(scope as App, ctx));

  app.get(
    '/api/people/imports/:id/report',
    {
      schema: {
        tags,
        summary:
          "An import's report as XLSX or CSV: one line per rule a rejected row broke (row, column, rule)",
        security,
        params: ReportParams,
        querystring: FileFormatQuery,
        response: { 200: spreadsheetFile('The report'), ...readErrors },
      },
    },
    async (req, reply) => {
      const f = await reportFile(
        ctx,
        req.requireActor(),
        req.params.id,
        req.query.format ?? 'xlsx',
        localeOf(req),
      );
      return reply
        .header('content-type', f.contentType)
        .header('content-disposition', attachment(f.filename))
        .send(f.stream);
    },
  );

  app.get(
    '/api/residents/export',
    {
      schema: {
        tags,
        summary:
          'Export residents within scope to XLSX or CSV (streamed). Numbers masked unless unmasked=true with a purpose and the reveal permission; audited either way',
        security,
        querystring: ExportQuery,
        response: { 200: spreadsheetFile('The resident list'), ...readErrors },
      },
    },
    async (req, reply) => {
      const f = await exportResidents(ctx, req.requireActor(), req.query, localeOf(req), {
        ip: req.ip,
        requestId: req.id,
      });
      return reply
        .header('content-type', f.contentType)
        .header('cache-control', 'no-store')
        .header('content-disposition', attachment(f.filename))
        .send(f.stream);
    },
  );
};

/**
 * The import upload, in a scope of its own: the body is not parsed but handed to the handler as the raw stream,
 * which writes it to a temporary file (capped at IMPORT_MAX_BYTES). A body of another declared type is 415.
 */
async function importUpload(app: App, ctx: AppContext): Promise<void> {
  app.addContentTypeParser([...IMPORT_MIME_TYPES], (_req, payload, done) => done(null, payload));
  app.addContentTypeParser('*', (req, payload, done) => {
    if (req.headers['content-type']) done(unsupportedSheetType(), undefined);
    else done(null, payload);
  });
  app.post(
    '/api/people/import',
    {
      // The same file twice changes nothing the second time: retries are safe without Idempotency-Key.
      // No route bodyLimit: JSON bodies keep the general limit; the raw upload is capped while it is written to disk.
      config: { idempotency: false },
      schema: {
        tags,
        summary: `Import residents from an XLSX or CSV file sent as the raw body (Content-Type ${IMPORT_MIME_TYPES.join(', ')}; at most ${IMPORT_MAX_BYTES / 1024 / 1024} MB) into a community or grid. Answers the report: counts and every rejected row with its column and rule`,
        security: writeSecurity,
        querystring: ImportQuery,
        response: { 200: ImportReport, ...readErrors, 409: ErrorBody, 413: ErrorBody, 415: ErrorBody },
      },
    },
    async (req) =>
      runImport(
        ctx,
        req.requireActor(),
        {
          areaCode: req.query.areaCode,
          contentType: req.headers['content-type'],
          body: req.body,
          locale: localeOf(req),
        },
        { ip: req.ip, requestId: req.id },
      ),
  );
}
