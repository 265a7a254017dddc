import { describe, expect, it } from 'vitest';
import { idCheckChar, makeIdNumber, maskIdNumber, parseIdNumber } from './id-number';

const TODAY = '2026-05-01';

describe('resident ID numbers (GB 11643-1999)', () => {
  it('accepts the standard example and derives birth date, gender and region', () => {
    expect(parseIdNumber('11010519491231002X', { today: TODAY })).toEqual({
      ok: true,
      idNumber: '11010519491231002X',
      birthDate: '1949-12-31',
      gender: 'female',
      regionCode: '110105',
      upgraded: false,
    });
  });

  it('takes a lower-case x and spaces as typed', () => {
    const r = parseIdNumber(' 110105 19491231 002x ', { today: TODAY });
    expect(r.ok && r.idNumber).toBe('11010519491231002X');
  });

  it('computes the ISO 7064 MOD 11-2 check character, X for 10', () => {
    expect(idCheckChar('11010519491231002')).toBe('X');
    expect(idCheckChar('34030219800101001')).toBe(makeIdNumber('340302', '1980-01-01', 1).slice(-1));
  });

  it('refuses a wrong check digit', () => {
    expect(parseIdNumber('110105194912310021', { today: TODAY })).toEqual({ ok: false, rule: 'checkDigit' });
  });

  it('tells the gender by the parity of the sequence digit', () => {
    const male = parseIdNumber(makeIdNumber('340302', '1990-06-15', 11), { today: TODAY });
    const female = parseIdNumber(makeIdNumber('340302', '1990-06-15', 12), { today: TODAY });
    expect(male.ok && male.gender).toBe('male');
    expect(female.ok && female.gender).toBe('female');
  });

  it('upgrades a legacy 15-digit number to 18 digits', () => {
    const r = parseIdNumber('110105491231002', { today: TODAY });
    expect(r).toMatchObject({
      ok: true,
      idNumber: '11010519491231002X',
      birthDate: '1949-12-31',
      upgraded: true,
    });
  });

  it('refuses impossible, future and too early birth dates', () => {
    for (const birth of ['19900230', '19901301', '19900000', '20270101', '18991231']) {
      const first17 = `340302${birth}001`;
      expect(parseIdNumber(first17 + idCheckChar(first17), { today: TODAY })).toEqual({
        ok: false,
        rule: 'birthDate',
      });
    }
    // 29 February exists in leap years only.
    expect(parseIdNumber(makeIdNumber('340302', '2000-02-29', 1), { today: TODAY }).ok).toBe(true);
    expect(parseIdNumber('340302190002290011'.slice(0, 17) + '1', { today: TODAY }).ok).toBe(false);
    // Born today is fine, tomorrow is not.
    expect(parseIdNumber(makeIdNumber('340302', TODAY, 1), { today: TODAY }).ok).toBe(true);
    expect(parseIdNumber(makeIdNumber('340302', '2026-05-02', 1), { today: TODAY })).toEqual({
      ok: false,
      rule: 'birthDate',
    });
  });

  it('refuses an unknown province code', () => {
    expect(parseIdNumber(makeIdNumber('990302', '1980-01-01', 1), { today: TODAY })).toEqual({
      ok: false,
      rule: 'region',
    });
    expect(parseIdNumber(makeIdNumber('100302', '1980-01-01', 1), { today: TODAY }).ok).toBe(false);
    expect(parseIdNumber(makeIdNumber('820000', '1980-01-01', 1), { today: TODAY }).ok).toBe(true);
  });

  it('names length and format failures', () => {
    expect(parseIdNumber('3403021980010100', { today: TODAY })).toEqual({ ok: false, rule: 'length' });
    expect(parseIdNumber('34030219800101001X1', { today: TODAY })).toEqual({ ok: false, rule: 'format' });
    expect(parseIdNumber('3403021980O101001X', { today: TODAY })).toEqual({ ok: false, rule: 'format' });
    expect(parseIdNumber('', { today: TODAY })).toEqual({ ok: false, rule: 'format' });
    expect(parseIdNumber('11010549123100X', { today: TODAY })).toEqual({ ok: false, rule: 'format' });
  });

  it('masks to the first six and the last four characters', () => {
    expect(maskIdNumber('11010519491231002X')).toBe('110105********002X');
  });
});
