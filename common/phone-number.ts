/**
 * Telephone numbers of residents, shared by the server and the web app: mainland mobiles (1[3-9] + 9 digits) and
 * landlines with their area code (0552-1234567). What people type around a number (spaces, dashes, brackets, +86)
 * is normalised away first.
 */

/** Why a number was refused: stray characters, the wrong number of digits, or a prefix no number has. */
export type PhoneRule = 'format' | 'length' | 'prefix';

export type ParsedPhone =
  | {
      ok: true;
      /** Mobile: 11 digits; landline: area code, a dash, the local number (0552-1234567). */
      phone: string;
      kind: 'mobile' | 'landline';
    }
  | { ok: false; rule: PhoneRule };

/** Validates and normalises a phone number. */
export function parsePhone(input: string): ParsedPhone {
  let s = input.replace(/[\s\u3000\-－()（）.]/g, '');
  let international = false;
  if (s.startsWith('+86')) {
    s = s.slice(3);
    international = true;
  } else if (s.startsWith('0086')) {
    s = s.slice(4);
    international = true;
  } else if (/^861[3-9][0-9]{9}$/.test(s)) {
    s = s.slice(2);
  }
  if (!/^[0-9]+$/.test(s)) return { ok: false, rule: 'format' };
  // After the country code a landline drops its trunk 0 (+86 552 1234567).
  if (international && !s.startsWith('1') && !s.startsWith('0')) s = `0${s}`;
  if (s.startsWith('1')) {
    if (s.length !== 11) return { ok: false, rule: 'length' };
    if (!/^1[3-9]/.test(s)) return { ok: false, rule: 'prefix' };
    return { ok: true, phone: s, kind: 'mobile' };
  }
  if (s.startsWith('0')) {
    if (s.startsWith('00')) return { ok: false, rule: 'prefix' };
    // 010 and 020-029 are the only three-digit area codes; every other one has four digits.
    const areaLength = /^0(10|2[0-9])/.test(s) ? 3 : 4;
    const local = s.slice(areaLength);
    if (local.length < 7 || local.length > 8) return { ok: false, rule: 'length' };
    // A local number never starts with the trunk prefix 0.
    if (local.startsWith('0')) return { ok: false, rule: 'prefix' };
    return { ok: true, phone: `${s.slice(0, areaLength)}-${local}`, kind: 'landline' };
  }
  return { ok: false, rule: 'prefix' };
}

/** The last four digits (what a search by "last four" and the masked form keep). */
export function phoneLast4(phone: string): string {
  return phone.replace(/[^0-9]/g, '').slice(-4);
}

/** 138****5678 / 055*****4567: first 3 + last 4 of the normalised number. */
export function maskPhoneNumber(phone: string): string {
  if (phone.length < 8) return '*'.repeat(phone.length);
  return `${phone.slice(0, 3)}${'*'.repeat(phone.length - 7)}${phone.slice(-4)}`;
}
