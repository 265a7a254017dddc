/**
 * The import template (居民导入模板): the Chinese headers, one example row (marked so the importer skips it) and,
 * in the XLSX, a notes sheet explaining each column and its rules.
 */
import { PassThrough, type Readable } from 'node:stream';
import { makeIdNumber } from '../../../../common/id-number';
import {
  IO_COLUMNS,
  IO_HEADERS,
  IO_REQUIRED_COLUMNS,
  type IoColumn,
} from '../../../../common/schemas/people-io';
import { Ability, type Actor } from '../../../policy/ability';
import { EXAMPLE_ROW_NOTE } from './import';
import { csvLine, type CellValue } from './spreadsheet';
import { writeXlsx } from './xlsx';

const EXAMPLE: Record<IoColumn, string> = {
  name: '张三',
  gender: '男',
  birthDate: '1980-05-17',
  idNumber: makeIdNumber('340302', '1980-05-17', 511),
  phone: '13900000000',
  ethnicity: '汉族',
  residenceType: '户籍',
  permitExpiresOn: '',
  householdNumber: '1001',
  relation: '户主',
  dwelling: '3栋/2单元/301',
  grid: '',
  note: EXAMPLE_ROW_NOTE,
};

const NOTES: Record<IoColumn, string> = {
  name: '必填；不超过 40 个字',
  gender: '男/女；填写身份证号时可不填（由号码得出），填写时须与号码一致',
  birthDate: 'YYYY-MM-DD（如 1980-05-17）；填写身份证号时可不填，填写时须与号码一致',
  idNumber:
    '必填（境外人员可不填）；18 位，按 GB 11643 校验码检查；15 位旧号自动升位；请设为文本格式，以免末几位变成 0',
  phone: '手机 11 位或带区号的座机（0552-1234567）',
  ethnicity: '民族名称（汉族、回族……）或两位代码（01……56）',
  residenceType: '必填：户籍 / 流动 / 境外',
  permitExpiresOn: '仅流动人口：居住证有效期，YYYY-MM-DD',
  householdNumber: '本社区内的户号；不存在时自动建户',
  relation:
    '填写户号时必填：户主、配偶、子、女、父母、公婆/岳父母、女婿、儿媳、孙子女、祖父母、兄弟姐妹、其他',
  dwelling: '楼栋/单元/房号（如 3栋/2单元/301，可在前面加小区名），须是导入范围内已登记的房屋',
  grid: '网格代码（15 位）或网格名称；不填时为房屋所在网格或导入的社区/网格',
  note: '备注，不超过 500 字',
};

function rows(): CellValue[][] {
  return [IO_COLUMNS.map((c) => IO_HEADERS[c]), IO_COLUMNS.map((c) => EXAMPLE[c])];
}

/**
 * The template as XLSX (data sheet and notes sheet) or CSV (headers and the example row, with a BOM), for those
 * who may register residents.
 */
export function templateStream(actor: Actor, format: 'xlsx' | 'csv'): Readable {
  new Ability(actor).authorize('create', 'Population');
  const out = new PassThrough();
  if (format === 'csv') {
    out.end('\ufeff' + rows().map(csvLine).join(''));
    return out;
  }
  void writeXlsx(out, [
    { name: '居民', header: true, widths: [10, 6, 12, 22, 16, 8, 10, 14, 10, 12, 22, 18, 24], rows: rows() },
    {
      name: '填写说明',
      header: true,
      widths: [16, 8, 90],
      rows: [
        ['列', '必填', '说明'],
        ...IO_COLUMNS.map((c) => [IO_HEADERS[c], IO_REQUIRED_COLUMNS.includes(c) ? '是' : '', NOTES[c]]),
        [],
        ['', '', `第 2 行是示例，备注为“${EXAMPLE_ROW_NOTE}”的行不会导入。`],
        [
          '',
          '',
          '同一文件可重复导入：按身份证号匹配已登记的居民，未变的行跳过，有变化的行更新并记入居民档案。',
        ],
        ['', '', '有错误的行不会导入；导入后可下载错误报告，逐行列出出错的列和规则。'],
      ],
    },
  ]).catch((err: unknown) => out.destroy(err as Error));
  return out;
}
