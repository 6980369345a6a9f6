import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dec, formatMoney, sumMoney } from '../../src/core/money.js';
import { customSchedule, dueDates, equalInstallmentPayment, generateSchedule, type ScheduleLine } from '../../src/receivables/schedule.js';

const amounts = (lines: ScheduleLine[], type: string) => lines.filter((l) => l.type === type).map((l) => formatMoney(l.amountDue));

describe('等额本息 equal installment: 100,000.00 at 4.90 %/year over 12 months', () => {
  // Worked by hand (and checked with a 50-digit decimal calculator):
  //   i = 0.049 / 12 = 0.00408333…
  //   (1+i)^12 = 1.05011888…
  //   payment = 100000 × i × (1+i)^12 / ((1+i)^12 − 1) = 8,556.16623… → 8,556.17
  //   month 1: interest = round(100,000.00 × i) = round(408.333…) = 408.33; principal = 8,556.17 − 408.33 = 8,147.84
  //   month 2: balance 91,852.16; interest = round(375.0630…) = 375.06; principal 8,181.11
  //   …
  //   month 12: balance 8,521.32; interest = round(34.7953…) = 34.80; principal = the whole balance 8,521.32,
  //   so the last payment is 8,556.12: it absorbs the rounding of the eleven before it.
  const lines = generateSchedule({
    method: 'equal_installment',
    principal: dec('100000.00'),
    annualRate: dec('0.049'),
    termMonths: 12,
    firstDueDate: '2026-01-31',
  });

  it('payment 8,556.17', () => {
    expect(formatMoney(equalInstallmentPayment(dec('100000'), dec('0.049').dividedBy(12), 12))).toBe('8556.17');
  });

  it('each month’s interest and principal', () => {
    expect(amounts(lines, 'interest')).toEqual([
      '408.33',
      '375.06',
      '341.66',
      '308.11',
      '274.43',
      '240.62',
      '206.66',
      '172.57',
      '138.34',
      '103.96',
      '69.45',
      '34.80',
    ]);
    expect(amounts(lines, 'principal')).toEqual([
      '8147.84',
      '8181.11',
      '8214.51',
      '8248.06',
      '8281.74',
      '8315.55',
      '8349.51',
      '8383.60',
      '8417.83',
      '8452.21',
      '8486.72',
      '8521.32',
    ]);
  });

  it('every installment but the last pays 8,556.17; the last pays 8,556.12', () => {
    for (let seq = 1; seq <= 12; seq++) {
      const total = sumMoney(lines.filter((l) => l.seq === seq).map((l) => l.amountDue));
      expect(formatMoney(total)).toBe(seq === 12 ? '8556.12' : '8556.17');
    }
    expect(formatMoney(sumMoney(lines.filter((l) => l.type === 'principal').map((l) => l.amountDue)))).toBe('100000.00');
  });

  it('due dates on the 31st, clamped to each month’s end', () => {
    expect([...new Set(lines.map((l) => l.dueDate))]).toEqual([
      '2026-01-31',
      '2026-02-28',
      '2026-03-31',
      '2026-04-30',
      '2026-05-31',
      '2026-06-30',
      '2026-07-31',
      '2026-08-31',
      '2026-09-30',
      '2026-10-31',
      '2026-11-30',
      '2026-12-31',
    ]);
  });
});

describe('等额本金 equal principal: 120,000.00 at 6 %/year over 12 months', () => {
  // i = 0.005; principal 10,000.00 a month; interest = balance × i:
  // 120,000 × 0.005 = 600.00, 110,000 → 550.00, …, 10,000 → 50.00; total interest 50 × 78 = 3,900.00.
  const lines = generateSchedule({
    method: 'equal_principal',
    principal: dec('120000'),
    annualRate: dec('0.06'),
    termMonths: 12,
    firstDueDate: '2026-02-15',
  });
  it('principal and interest', () => {
    expect(amounts(lines, 'principal')).toEqual(Array(12).fill('10000.00'));
    expect(amounts(lines, 'interest')).toEqual(
      ['600', '550', '500', '450', '400', '350', '300', '250', '200', '150', '100', '50'].map((v) => `${v}.00`),
    );
    expect(formatMoney(sumMoney(lines.filter((l) => l.type === 'interest').map((l) => l.amountDue)))).toBe('3900.00');
  });

  it('the last month absorbs the remainder: 100,000.00 over 3 = 33,333.33 + 33,333.33 + 33,333.34', () => {
    const three = generateSchedule({
      method: 'equal_principal',
      principal: dec('100000'),
      annualRate: dec('0.12'),
      termMonths: 3,
      firstDueDate: '2026-01-10',
    });
    expect(amounts(three, 'principal')).toEqual(['33333.33', '33333.33', '33333.34']);
    // interest: 100,000 × 0.01 = 1,000.00; 66,666.67 × 0.01 = 666.6667 → 666.67; 33,333.34 × 0.01 = 333.3334 → 333.33
    expect(amounts(three, 'interest')).toEqual(['1000.00', '666.67', '333.33']);
  });
});

describe('免息分期 interest-free split', () => {
  it('50,000.00 over 6: 8,333.33 × 5 and 8,333.35; no interest lines', () => {
    const lines = generateSchedule({
      method: 'interest_free',
      principal: dec('50000'),
      annualRate: dec('0.2'), // ignored
      termMonths: 6,
      firstDueDate: '2026-05-20',
    });
    expect(amounts(lines, 'principal')).toEqual(['8333.33', '8333.33', '8333.33', '8333.33', '8333.33', '8333.35']);
    expect(amounts(lines, 'interest')).toEqual([]);
  });
});

describe('custom lines and bad terms', () => {
  it('sorts and checks custom lines', () => {
    const lines = customSchedule(
      [
        { seq: 2, type: 'principal', dueDate: '2026-02-01', amountDue: dec('500') },
        { seq: 1, type: 'fee', dueDate: '2026-01-01', amountDue: dec('20') },
        { seq: 1, type: 'principal', dueDate: '2026-01-01', amountDue: dec('500') },
      ],
      new Set(['principal', 'fee']),
    );
    expect(lines.map((l) => `${l.seq}:${l.type}`)).toEqual(['1:fee', '1:principal', '2:principal']);
    expect(() => customSchedule([{ seq: 1, type: 'x', dueDate: '2026-01-01', amountDue: dec(1) }], new Set(['principal']))).toThrow(
      /^type/,
    );
    expect(() =>
      customSchedule([
        { seq: 1, type: 'principal', dueDate: '2026-01-01', amountDue: dec(1) },
        { seq: 1, type: 'principal', dueDate: '2026-01-01', amountDue: dec(2) },
      ]),
    ).toThrow(/one line per installment/);
  });

  it.each([
    [{ termMonths: 0 }, /^term-months/],
    [{ termMonths: 361 }, /^term-months/],
    [{ principal: dec(0) }, /^principal/],
    [{ principal: dec('1.001') }, /^principal/],
    [{ annualRate: dec('-0.01') }, /^annual-rate/],
    [{ annualRate: dec('4.9') }, /^annual-rate/],
  ])('refuses %o', (change, reason) => {
    expect(() =>
      generateSchedule({
        method: 'equal_installment',
        principal: dec('1000'),
        annualRate: dec('0.05'),
        termMonths: 12,
        firstDueDate: '2026-01-01',
        ...change,
      }),
    ).toThrow(reason);
  });

  it('refuses a principal too small for its installments (1.00 over 35 months)', () => {
    expect(() =>
      generateSchedule({ method: 'interest_free', principal: dec('1.00'), annualRate: dec(0), termMonths: 35, firstDueDate: '2026-01-01' }),
    ).toThrow(/^principal: "1.00" — expected an amount large enough for 35 installments/);
  });

  it('due dates keep the first due day (29th) and clamp in February', () => {
    expect(dueDates('2026-01-29', 3)).toEqual(['2026-01-29', '2026-02-28', '2026-03-29']);
  });
});

describe('properties of every generated schedule', () => {
  it('principal lines add up to the financed amount, amounts non-negative, dates ascending', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('equal_installment', 'equal_principal', 'interest_free' as const),
        fc.bigInt({ min: 100_000n, max: 10n ** 10n }),
        fc.integer({ min: 0, max: 2400 }), // annual rate in basis points: 0 … 24 %
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 31 }),
        (method, cents, bp, months, day) => {
          const principal = dec(cents.toString()).dividedBy(100);
          const lines = generateSchedule({
            method,
            principal,
            annualRate: dec(bp).dividedBy(10000),
            termMonths: months,
            firstDueDate: `2026-01-${String(Math.min(day, 31)).padStart(2, '0')}`,
          });
          const principals = lines.filter((l) => l.type === 'principal');
          expect(principals).toHaveLength(months);
          expect(sumMoney(principals.map((l) => l.amountDue)).equals(principal)).toBe(true);
          for (const line of lines) {
            expect(line.amountDue.isNegative()).toBe(false);
            expect(line.amountDue.decimalPlaces()).toBeLessThanOrEqual(2);
          }
          const dates = principals.map((l) => l.dueDate);
          expect([...dates].sort()).toEqual(dates);
        },
      ),
      { numRuns: 300 },
    );
  });
});
