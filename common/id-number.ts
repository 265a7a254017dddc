/**
 * Chinese resident identity card numbers (公民身份号码, GB 11643-1999), shared by the server and the web app so the
 * form validates live with the very rules the server applies.
 *
 * 18 characters: 6-digit region code (行政区划代码), 8-digit birth date, 3-digit sequence (odd: male, even: female)
 * and the ISO 7064 MOD 11-2 check character (0-9 or X for 10). First-generation cards carry 15 digits (2-digit year,
 * no check digit); they are accepted and upgraded by inserting "19" before the year and computing the check digit.
 */

/** Why a number was refused; stable names that error details and the web app use. */
export type IdNumberRule = 'format' | 'length' | 'region' | 'birthDate' | 'checkDigit';

export type Gender = 'male' | 'female';

export type ParsedIdNumber =
  | {
      ok: true;
      /** The 18-character number (upper-case X), also for a 15-digit input. */
      idNumber: string;
      /** YYYY-MM-DD. */
      birthDate: string;
      gender: Gender;
      /** The 6-digit region code of the registration. */
      regionCode: string;
      /** True when a 15-digit number was given and upgraded. */
      upgraded: boolean;
    }
  | { ok: false; rule: IdNumberRule };

/** Province-level codes of GB/T 2260 (the first two digits of a region code). */
export const PROVINCE_CODES: readonly string[] = [
  '11', '12', '13', '14', '15', // 北京 天津 河北 山西 内蒙古
  '21', '22', '23', // 辽宁 吉林 黑龙江
  '31', '32', '33', '34', '35', '36', '37', // 上海 江苏 浙江 安徽 福建 江西 山东
  '41', '42', '43', '44', '45', '46', // 河南 湖北 湖南 广东 广西 海南
  '50', '51', '52', '53', '54', // 重庆 四川 贵州 云南 西藏
  '61', '62', '63', '64', '65', // 陕西 甘肃 青海 宁夏 新疆
  '71', '81', '82', // 台湾 香港 澳门
]; // prettier-ignore

/** ISO 7064 MOD 11-2 weights of the first 17 digits: 2^(17-i) mod 11. */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

/** The check character (0-9 or X) of the first 17 digits. */
export function idCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

/** Today in China time, YYYY-MM-DD (birth dates are China-time calendar dates). */
export function chinaToday(now: Date = new Date()): string {
  return new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** True when YYYYMMDD is a real calendar date between 1900-01-01 and `today` (YYYY-MM-DD). */
function validBirth(yyyymmdd: string, today: string): boolean {
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  if (y < 1900 || m < 1 || m > 12 || d < 1) return false;
  const t = new Date(Date.UTC(y, m - 1, d));
  if (t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return false;
  return `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}` <= today;
}

/** Removes what people type around a number: spaces and a lower-case x. */
export function normalizeIdNumber(input: string): string {
  return input.replace(/[\s\u3000]/g, '').toUpperCase();
}

/**
 * Validates a resident ID number and derives birth date, gender and region. Checks run in a fixed order (format,
 * length, region, birth date, check digit), so the first broken rule is the one named.
 */
export function parseIdNumber(input: string, opts: { today?: string } = {}): ParsedIdNumber {
  const s = normalizeIdNumber(input);
  if (!/^[0-9]*X?$/.test(s) || s.length === 0) return { ok: false, rule: 'format' };
  if (s.length !== 18 && s.length !== 15) return { ok: false, rule: 'length' };
  if (s.length === 15 && s.endsWith('X')) return { ok: false, rule: 'format' };
  if (!PROVINCE_CODES.includes(s.slice(0, 2))) return { ok: false, rule: 'region' };
  const today = opts.today ?? chinaToday();
  const upgraded = s.length === 15;
  const first17 = upgraded ? `${s.slice(0, 6)}19${s.slice(6, 15)}` : s.slice(0, 17);
  const birth = first17.slice(6, 14);
  if (!validBirth(birth, today)) return { ok: false, rule: 'birthDate' };
  const check = idCheckChar(first17);
  if (!upgraded && s[17] !== check) return { ok: false, rule: 'checkDigit' };
  return {
    ok: true,
    idNumber: first17 + check,
    birthDate: `${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6, 8)}`,
    gender: Number(first17[16]) % 2 === 1 ? 'male' : 'female',
    regionCode: first17.slice(0, 6),
    upgraded,
  };
}

/** 340302********1234: first 6 + last 4, what every response shows of an ID number. */
export function maskIdNumber(idNumber: string): string {
  if (idNumber.length <= 10) return '*'.repeat(idNumber.length);
  return `${idNumber.slice(0, 6)}${'*'.repeat(idNumber.length - 10)}${idNumber.slice(-4)}`;
}

/**
 * Builds a valid 18-digit number from region, birth date (YYYY-MM-DD) and a 3-digit sequence (demo data, tests).
 * The sequence's parity gives the gender: odd male, even female.
 */
export function makeIdNumber(regionCode: string, birthDate: string, sequence: number): string {
  const first17 = `${regionCode}${birthDate.replaceAll('-', '')}${String(sequence % 1000).padStart(3, '0')}`;
  return first17 + idCheckChar(first17);
}
