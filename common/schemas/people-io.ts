/**
 * Import and export of residents (居民导入导出): the spreadsheet columns with their Chinese headers (shared by the
 * server's template, importer and exporter and by the web app's report table), the rules a rejected row can break,
 * and the request/response schemas of the routes.
 */
import { Type, type Static } from 'typebox';
import { AreaCode } from './areas';
import { PURPOSE_MAX, PURPOSE_MIN, RESIDENT_STATUSES } from './people';

/** The columns of the resident spreadsheet, in template order. */
export const IO_COLUMNS = [
  'name',
  'gender',
  'birthDate',
  'idNumber',
  'phone',
  'ethnicity',
  'residenceType',
  'permitExpiresOn',
  'householdNumber',
  'relation',
  'dwelling',
  'grid',
  'note',
] as const;
export type IoColumn = (typeof IO_COLUMNS)[number];

/** The Chinese header of each column: what the template carries and the report names. */
export const IO_HEADERS: Record<IoColumn, string> = {
  name: '姓名',
  gender: '性别',
  birthDate: '出生日期',
  idNumber: '公民身份号码',
  phone: '联系电话',
  ethnicity: '民族',
  residenceType: '居住类型',
  permitExpiresOn: '居住证有效期',
  householdNumber: '户号',
  relation: '与户主关系',
  dwelling: '房屋',
  grid: '网格',
  note: '备注',
};

/** Other headers people write for the same column (compared after removing spaces, * and bracketed notes). */
export const IO_HEADER_ALIASES: Record<string, IoColumn> = {
  身份证号: 'idNumber',
  身份证号码: 'idNumber',
  证件号码: 'idNumber',
  电话: 'phone',
  手机: 'phone',
  手机号: 'phone',
  手机号码: 'phone',
  联系方式: 'phone',
  出生年月日: 'birthDate',
  人口类型: 'residenceType',
  居住证到期日: 'permitExpiresOn',
  关系: 'relation',
  住址: 'dwelling',
  房号: 'dwelling',
  所属网格: 'grid',
};

/** Columns a file must have. */
export const IO_REQUIRED_COLUMNS: readonly IoColumn[] = ['name', 'idNumber', 'residenceType'];

/**
 * The rules a rejected row can break, named in the report. ID-number rules (format, length, region, birthDate,
 * checkDigit) and phone rules (format, length, prefix) are those of common/id-number.ts and common/phone-number.ts.
 */
export const IO_RULES = [
  'required',
  'format',
  'length',
  'region',
  'birthDate',
  'checkDigit',
  'prefix',
  'idMismatch',
  'date',
  'future',
  'ethnicity',
  'residenceType',
  'gender',
  'relation',
  'notApplicable',
  'tooLong',
  'characters',
  'duplicateInFile',
  'duplicateElsewhere',
  'householdHead',
  'memberElsewhere',
  'dwelling',
  'grid',
  'numeric',
  'database',
] as const;
export type IoRule = (typeof IO_RULES)[number];

/** Rows per batch (one transaction, a few multi-row statements each). */
export const IMPORT_BATCH_ROWS = 1000;
/** Largest upload accepted (bytes of the file as sent). */
export const IMPORT_MAX_BYTES = 200 * 1024 * 1024;
/** Problems kept in a report; the counts stay exact beyond it. */
export const REPORT_MAX_PROBLEMS = 20_000;
/** Rows an XLSX export holds at most; CSV has no cap (both stream). */
export const EXPORT_XLSX_MAX_ROWS = 1_048_575;

export const IMPORT_MIME_XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const IMPORT_MIME_CSV = 'text/csv';

export const ImportQuery = Type.Object(
  {
    areaCode: AreaCode,
  },
  {
    additionalProperties: false,
    description: 'The community or grid the residents are imported into (within your scope)',
  },
);
export type ImportQuery = Static<typeof ImportQuery>;

export const ImportProblem = Type.Object({
  /** The row number as the spreadsheet shows it (the header is row 1). */
  row: Type.Integer(),
  column: Type.Union([Type.Enum(IO_COLUMNS), Type.Null()]),
  /** The column's Chinese header, as in the file. */
  header: Type.Union([Type.String(), Type.Null()]),
  rule: Type.Enum(IO_RULES),
  message: Type.String(),
});
export type ImportProblem = Static<typeof ImportProblem>;

export const ImportReport = Type.Object({
  id: Type.String({ description: 'Names the report for its download' }),
  areaCode: Type.String(),
  format: Type.Enum(['xlsx', 'csv']),
  fileSha256: Type.String(),
  rows: Type.Integer({ description: 'Data rows read (the header not counted)' }),
  created: Type.Integer(),
  updated: Type.Integer(),
  unchanged: Type.Integer(),
  rejected: Type.Integer(),
  /** Every rule broken by a rejected row (up to REPORT_MAX_PROBLEMS), by row. */
  problems: Type.Array(ImportProblem),
  truncated: Type.Boolean(),
  seconds: Type.Number(),
});
export type ImportReport = Static<typeof ImportReport>;

export const ReportParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
export const FileFormatQuery = Type.Object(
  { format: Type.Optional(Type.Enum(['xlsx', 'csv'], { default: 'xlsx' })) },
  { additionalProperties: false },
);
export type FileFormatQuery = Static<typeof FileFormatQuery>;

export const ExportQuery = Type.Object(
  {
    format: Type.Optional(Type.Enum(['xlsx', 'csv'], { default: 'xlsx' })),
    areaCode: Type.Optional(AreaCode),
    status: Type.Optional(Type.Enum(RESIDENT_STATUSES)),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    /** Ask for ID and phone numbers in clear: needs the reveal permission and a purpose. */
    unmasked: Type.Optional(Type.Boolean()),
    purpose: Type.Optional(
      Type.String({
        minLength: PURPOSE_MIN,
        maxLength: PURPOSE_MAX,
        pattern: '^[^\\u0000-\\u001f\\u007f]*$',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ExportQuery = Static<typeof ExportQuery>;
