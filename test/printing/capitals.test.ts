// 人民币大写: hand-worked cases with a zero in every position, the largest NUMERIC(18,2) the database holds
// (migrations/002_contracts.ts and later: amounts are NUMERIC(18,2)), and the refusals.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dec, MONEY_MAX } from '../../src/core/money.js';
import { amountInCapitals } from '../../src/printing/capitals.js';

const CASES: [string, string][] = [
  ['12345.67', '壹万贰仟叁佰肆拾伍元陆角柒分'],
  ['10000.00', '壹万元整'],
  ['100000000.05', '壹亿元零伍分'],
  ['0.00', '零元整'],
  ['0.05', '伍分'],
  ['0.50', '伍角整'],
  ['0.55', '伍角伍分'],
  ['1.00', '壹元整'],
  ['10.00', '壹拾元整'],
  ['16.00', '壹拾陆元整'],
  ['10.05', '壹拾元零伍分'],
  ['10.50', '壹拾元伍角整'],
  ['101.00', '壹佰零壹元整'],
  ['110.00', '壹佰壹拾元整'],
  ['1001.00', '壹仟零壹元整'],
  ['1010.00', '壹仟零壹拾元整'],
  ['1680.32', '壹仟陆佰捌拾元叁角贰分'],
  ['10001.00', '壹万零壹元整'],
  ['10010.00', '壹万零壹拾元整'],
  ['10100.00', '壹万零壹佰元整'],
  ['11000.00', '壹万壹仟元整'],
  ['100000.00', '壹拾万元整'],
  ['1000000.00', '壹佰万元整'],
  ['1010101.01', '壹佰零壹万零壹佰零壹元零壹分'],
  ['10000000.10', '壹仟万元壹角整'],
  ['100000010.00', '壹亿零壹拾元整'],
  ['100010000.00', '壹亿零壹万元整'],
  ['110000000.00', '壹亿壹仟万元整'],
  ['1000000000000.00', '壹万亿元整'],
  ['1000100000000.00', '壹万零壹亿元整'],
  ['1020304050607.08', '壹万零贰佰零叁亿零肆佰零伍万零陆佰零柒元零捌分'],
  ['9999999999999999.99', '玖仟玖佰玖拾玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分'],
];

describe('amountInCapitals', () => {
  it.each(CASES)('%s → %s', (amount, capitals) => {
    expect(amountInCapitals(amount)).toBe(capitals);
    expect(amountInCapitals(dec(amount))).toBe(capitals);
  });

  it('the largest amount the database holds is MONEY_MAX (NUMERIC(18,2))', () => {
    expect(MONEY_MAX.toFixed(2)).toBe('9999999999999999.99');
    expect(amountInCapitals(MONEY_MAX)).toBe(CASES.at(-1)?.[1]);
  });

  it('refuses a negative amount, more than two decimals, more than the database holds, and text', () => {
    expect(() => amountInCapitals('-0.01')).toThrow('amount: "-0.01" — expected an amount of zero or more');
    expect(() => amountInCapitals('1.005')).toThrow('at most two decimals');
    expect(() => amountInCapitals('10000000000000000.00')).toThrow('at most 9999999999999999.99');
    expect(() => amountInCapitals('abc')).toThrow('amount: "abc" — expected a decimal amount');
  });

  it('never two 零 in a row, never 零 before 元/万/亿 or at the end, and ends with 整 or 分', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 999999999999999999n }), (cents) => {
        const amount = dec(cents.toString()).dividedBy(100).toFixed(2);
        const text = amountInCapitals(amount);
        expect(text).not.toMatch(/零零|零[元万亿]|零整$|零$/);
        expect(text).toMatch(/(整|分)$/);
      }),
    );
  });
});
