import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BadInput } from '../../src/core/errors.js';
import {
  dec,
  formatMoney,
  formatMoneyGrouped,
  formatRate,
  parseMoney,
  parseMoneyNotation,
  parseRate,
  roundMoney,
  sumMoney,
} from '../../src/core/money.js';

describe('roundMoney: half-up to the cent (RULES.md)', () => {
  it.each([
    ['0.005', '0.01'], // exactly half a cent rounds up
    ['0.0049999', '0.00'],
    ['0.615', '0.62'],
    ['2.675', '2.68'], // a float would give 2.67
    ['-0.005', '-0.01'], // half-up is away from zero for negatives (ROUND_HALF_UP)
    ['1234.5', '1234.50'],
    ['60.50000000001', '60.50'],
  ])('%s → %s', (input, expected) => {
    expect(formatMoney(roundMoney(input))).toBe(expected);
  });

  it('refuses a fractional JavaScript number: money never passes through a float', () => {
    expect(() => dec(0.1)).toThrow(/non-integer JavaScript number/);
    expect(dec(5).toString()).toBe('5');
  });

  it('0.1 + 0.2 is exactly 0.3', () => {
    expect(sumMoney(['0.1', '0.2']).equals('0.3')).toBe(true);
  });
});

describe('parseMoney: strict decimal strings from the command line', () => {
  it.each([
    ['150', '150.00'],
    ['150.5', '150.50'],
    [' 0.01 ', '0.01'],
    ['100000.00', '100000.00'],
  ])('%s → %s', (input, expected) => expect(formatMoney(parseMoney(input))).toBe(expected));

  it.each(['1.005', '1,000', 'abc', '', '1e3', '¥5', '-5', '10000000000000000.00'])(
    'refuses %j with a BadInput naming the field',
    (input) => {
      expect(() => parseMoney(input, '--amount')).toThrow(BadInput);
      expect(() => parseMoney(input, '--amount')).toThrow(/^--amount: /);
    },
  );

  it('a negative amount only where allowed', () => {
    expect(formatMoney(parseMoney('-5', 'x', { allowNegative: true }))).toBe('-5.00');
  });

  it('15.22: an amount that must be more than zero says so for -5 and for 0 alike', () => {
    for (const input of ['-5', '0', '0.00']) {
      expect(() => parseMoney(input, '--amount', { positive: true })).toThrow(
        `--amount: ${JSON.stringify(input)} — expected an amount of more than zero`,
      );
    }
    expect(formatMoney(parseMoney('0.01', '--amount', { positive: true }))).toBe('0.01');
  });
});

describe('parseMoneyNotation: what dealers write (IMPORT-FORMAT.md)', () => {
  it.each([
    ['1234.5', '1234.50'],
    ['1,234.50', '1234.50'],
    ['¥1,234.50', '1234.50'],
    ['￥1234.50元', '1234.50'],
    ['１２３４．５０', '1234.50'],
    ['(1,234.50)', '-1234.50'],
    ['1.5万', '15000.00'],
    ['12.3456万', '123456.00'],
    ['  8,000 ', '8000.00'],
    ['-200', '-200.00'],
    ['-¥1,234.50', '-1234.50'],
  ])('%s → %s', (input, expected) => {
    const value = parseMoneyNotation(input);
    expect(value && formatMoney(value)).toBe(expected);
  });

  it.each(['', '   ', '　', '-'])('%j is an empty cell', (input) => expect(parseMoneyNotation(input)).toBeNull());

  it.each([
    ['1.005', /at most two decimals/],
    ['1.2345678万', /at most two decimals/],
    ['12,34.5', /an amount such as/],
    ['abc', /an amount such as/],
  ])('%s is refused', (input, reason) => {
    expect(() => parseMoneyNotation(input, 'amount_due')).toThrow(reason);
  });
});

describe('formatting', () => {
  it('groups thousands for people, never for JSON', () => {
    expect(formatMoneyGrouped('1234567.5')).toBe('1,234,567.50');
    expect(formatMoneyGrouped('-1000')).toBe('-1,000.00');
    expect(formatMoneyGrouped('999')).toBe('999.00');
    expect(formatMoney('1234567.5')).toBe('1234567.50');
  });

  it('rates keep up to ten decimals', () => {
    expect(formatRate(parseRate('4.9%'))).toBe('0.049');
    expect(formatRate(parseRate('0.0005'))).toBe('0.0005');
    expect(() => parseRate('0.00000000001')).toThrow(/10 decimals/);
    expect(() => parseRate('abc', '--annual-rate')).toThrow(/^--annual-rate/);
  });

  it('property: parse ∘ format is the identity for any cent amount', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n }), (cents) => {
        const text = formatMoney(dec(cents.toString()).dividedBy(100));
        expect(formatMoney(parseMoney(text))).toBe(text);
        expect(formatMoney(parseMoneyNotation(formatMoneyGrouped(text)) ?? dec(-1))).toBe(text);
      }),
    );
  });
});
