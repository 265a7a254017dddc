import { describe, expect, it } from 'vitest';
import { maskPhoneNumber, parsePhone, phoneLast4 } from './phone-number';

describe('phone numbers', () => {
  it('accepts mainland mobiles 1[3-9] with 11 digits, normalising +86, spaces and dashes', () => {
    for (const input of [
      '13812345678',
      '138 1234 5678',
      '138-1234-5678',
      '+86 138 1234 5678',
      '008613812345678',
      '8613812345678',
    ]) {
      expect(parsePhone(input)).toEqual({ ok: true, phone: '13812345678', kind: 'mobile' });
    }
    expect(parsePhone('19912345678').ok).toBe(true);
  });

  it('refuses mobiles with a wrong prefix or length', () => {
    expect(parsePhone('12812345678')).toEqual({ ok: false, rule: 'prefix' });
    expect(parsePhone('1381234567')).toEqual({ ok: false, rule: 'length' });
    expect(parsePhone('138123456789')).toEqual({ ok: false, rule: 'length' });
  });

  it('accepts landlines with their area code and writes them area-dash-number', () => {
    expect(parsePhone('0552-1234567')).toEqual({ ok: true, phone: '0552-1234567', kind: 'landline' });
    expect(parsePhone('05521234567')).toEqual({ ok: true, phone: '0552-1234567', kind: 'landline' });
    expect(parsePhone('(0552) 123 4567').ok && parsePhone('(0552) 123 4567')).toMatchObject({
      phone: '0552-1234567',
    });
    expect(parsePhone('010-87654321')).toEqual({ ok: true, phone: '010-87654321', kind: 'landline' });
    expect(parsePhone('021 6123 4567')).toEqual({ ok: true, phone: '021-61234567', kind: 'landline' });
    expect(parsePhone('+86 552 1234567')).toEqual({ ok: true, phone: '0552-1234567', kind: 'landline' });
  });

  it('refuses landlines without a proper local number, and non-numbers', () => {
    expect(parsePhone('0552-12345')).toEqual({ ok: false, rule: 'length' });
    expect(parsePhone('0552-0123456')).toEqual({ ok: false, rule: 'prefix' });
    expect(parsePhone('1234567')).toEqual({ ok: false, rule: 'length' });
    expect(parsePhone('7654321')).toEqual({ ok: false, rule: 'prefix' });
    expect(parsePhone('138abc45678')).toEqual({ ok: false, rule: 'format' });
    expect(parsePhone('')).toEqual({ ok: false, rule: 'format' });
  });

  it('masks to the first three and last four, and keeps the last four', () => {
    expect(maskPhoneNumber('13812345678')).toBe('138****5678');
    expect(maskPhoneNumber('0552-1234567')).toBe('055*****4567');
    expect(phoneLast4('0552-1234567')).toBe('4567');
  });
});
