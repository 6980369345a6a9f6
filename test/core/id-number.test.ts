import { describe, expect, it } from 'vitest';
import { creditCodeCheck, idNumberKind, residentIdCheck } from '../../src/core/id-number.js';

describe('ID numbers (证件号码)', () => {
  it('15.10: a resident ID’s check digit, worked by hand (GB 11643)', () => {
    // 3·7 + 4·9 + 0·10 + 1·5 + 0·8 + 4·4 + 1·2 + 9·1 + 9·6 + 0·3 + 0·7 + 1·9 + 0·10 + 1·5 + 1·8 + 2·4 + 3·2 = 179;
    // 179 mod 11 = 3 → '10X98765432'[3] = '9'
    expect(residentIdCheck('34010419900101123')).toBe('9');
    expect(idNumberKind('340104199001011239')).toBe('resident_id');
    expect(idNumberKind('340104199001011234')).toBeNull(); // the old README example: check digit 4 is wrong
    // the standard's own example ends in X (remainder 2)
    expect(idNumberKind('11010519491231002X')).toBe('resident_id');
    expect(idNumberKind('11010519491231002x')).toBe('resident_id');
  });

  it('15.10: a unified social credit code’s check character, worked by hand (GB 32100)', () => {
    // 9·1 + 1·3 + 3·9 + 5·27 + 0·19 + 1·26 + 0·16 + 0·17 + M(21)·20 + 0·29 + 0·25 + 0·13 + 1·8 + 0·24 + 0·10 + Y(30)·30
    // + 4·28 = 1640; 1640 mod 31 = 28; 31 − 28 = 3 → '3'
    expect(creditCodeCheck('91350100M000100Y4')).toBe('3');
    expect(idNumberKind('91350100M000100Y43')).toBe('credit_code');
    expect(idNumberKind('91350100M000100Y44')).toBeNull();
  });

  it('15.10: anything else is neither', () => {
    for (const text of ['123', '', '34010419900101123', '3401041990010112390', '340104199013011235', '91350100I000100Y43']) {
      expect(idNumberKind(text), text).toBeNull();
    }
  });
});
