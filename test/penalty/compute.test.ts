// Penalty for one line (RULES.md "Penalty interest"), with hand-worked figures: days × base × rate.
import { describe, expect, it } from 'vitest';
import { Dec } from '../../src/core/money.js';
import { dailyRateFromAnnual, type LinePenaltyInput, linePenalty, type RatePeriod } from '../../src/penalty/compute.js';

const RATE_0005: RatePeriod[] = [{ from: '2020-01-01', dailyRate: new Dec('0.0005') }];

/** A 10,000.00 principal line due 2026-03-10 at 0.0005/day, no grace, unless overridden. */
function line(overrides: Partial<LinePenaltyInput> = {}): LinePenaltyInput {
  return {
    dueDate: '2026-03-10',
    amountDue: new Dec('10000.00'),
    penaltyBearing: true,
    paid: [],
    rates: RATE_0005,
    grace: { days: 0, mode: 'retroactive' },
    ...overrides,
  };
}

const paid = (valueDate: string, amount: string) => ({ valueDate, amount: new Dec(amount) });

interface Case {
  name: string;
  input: LinePenaltyInput;
  asOf: string;
  rounded: string;
  overdueDays: number;
  segments?: [from: string, to: string, days: number, base: string, rate: string][];
}

const cases: Case[] = [
  {
    // RULES.md worked example, all 4,000.00 on the amount: 03-11…03-20 10 d × 10,000.00 × 0.0005 = 50.00;
    // 03-21…04-09 20 d × 6,000.00 × 0.0005 = 60.00; total 110.00; 04-09 − 03-10 = 30 overdue days.
    name: 'worked example (all 4,000.00 to the amount)',
    input: line({ paid: [paid('2026-03-20', '4000.00')] }),
    asOf: '2026-04-09',
    rounded: '110.00',
    overdueDays: 30,
    segments: [
      ['2026-03-11', '2026-03-20', 10, '10000', '0.0005'],
      ['2026-03-21', '2026-04-09', 20, '6000', '0.0005'],
    ],
  },
  {
    // Paid in full on the due date: base(03-11) = 0, no penalty day.
    name: 'paid in full on the due date',
    input: line({ paid: [paid('2026-03-10', '10000.00')] }),
    asOf: '2026-04-09',
    rounded: '0.00',
    overdueDays: 0,
    segments: [],
  },
  {
    // Paid in full on 03-15: the value date itself is an overdue day: 03-11…03-15 5 d × 10,000.00 × 0.0005 = 25.00.
    name: 'paid in full late counts the payment day',
    input: line({ paid: [paid('2026-03-15', '10000.00')] }),
    asOf: '2026-04-09',
    rounded: '25.00',
    overdueDays: 0,
    segments: [['2026-03-11', '2026-03-15', 5, '10000', '0.0005']],
  },
  {
    // Unpaid, as of the due date itself: no penalty day yet (D0 < d).
    name: 'as of the due date',
    input: line(),
    asOf: '2026-03-10',
    rounded: '0.00',
    overdueDays: 0,
  },
  {
    // Grace 5 days: paid in full on 03-15 = D0 + G → no penalty at all.
    name: 'grace: paid on the last grace day',
    input: line({ grace: { days: 5, mode: 'retroactive' }, paid: [paid('2026-03-15', '10000.00')] }),
    asOf: '2026-04-09',
    rounded: '0.00',
    overdueDays: 0,
  },
  {
    // Grace 5, retroactive, paid 03-16: 03-11…03-16 6 d × 10,000.00 × 0.0005 = 30.00.
    name: 'grace retroactive: paid the day after grace',
    input: line({ grace: { days: 5, mode: 'retroactive' }, paid: [paid('2026-03-16', '10000.00')] }),
    asOf: '2026-04-09',
    rounded: '30.00',
    overdueDays: 0,
  },
  {
    // Grace 5, forward, paid 03-16: only 03-16, 1 d × 10,000.00 × 0.0005 = 5.00.
    name: 'grace forward: paid the day after grace',
    input: line({ grace: { days: 5, mode: 'forward' }, paid: [paid('2026-03-16', '10000.00')] }),
    asOf: '2026-04-09',
    rounded: '5.00',
    overdueDays: 0,
  },
  {
    // Grace 5, unpaid, as of 03-15 = D0 + G: grace not over yet → 0 (5 overdue days all the same).
    name: 'grace: still inside grace',
    input: line({ grace: { days: 5, mode: 'retroactive' } }),
    asOf: '2026-03-15',
    rounded: '0.00',
    overdueDays: 5,
  },
  {
    // Grace 5 retroactive, unpaid, as of 03-16: 03-11…03-16 6 d × 10,000.00 × 0.0005 = 30.00.
    name: 'grace retroactive: unpaid the day after grace',
    input: line({ grace: { days: 5, mode: 'retroactive' } }),
    asOf: '2026-03-16',
    rounded: '30.00',
    overdueDays: 6,
  },
  {
    // Grace 5 forward, unpaid, as of 03-16: 03-16 only, 1 d × 10,000.00 × 0.0005 = 5.00.
    name: 'grace forward: unpaid the day after grace',
    input: line({ grace: { days: 5, mode: 'forward' } }),
    asOf: '2026-03-16',
    rounded: '5.00',
    overdueDays: 6,
  },
  {
    // Grace 5 retroactive, 4,000.00 paid inside grace on 03-12, rest unpaid, as of 03-31:
    // 03-11…03-12 2 d × 10,000.00 × 0.0005 = 10.00; 03-13…03-31 19 d × 6,000.00 × 0.0005 = 57.00; total 67.00.
    name: 'grace retroactive: partial payment inside grace',
    input: line({ grace: { days: 5, mode: 'retroactive' }, paid: [paid('2026-03-12', '4000.00')] }),
    asOf: '2026-03-31',
    rounded: '67.00',
    overdueDays: 21,
    segments: [
      ['2026-03-11', '2026-03-12', 2, '10000', '0.0005'],
      ['2026-03-13', '2026-03-31', 19, '6000', '0.0005'],
    ],
  },
  {
    // Same, forward: 03-16…03-31 16 d × 6,000.00 × 0.0005 = 48.00.
    name: 'grace forward: partial payment inside grace',
    input: line({ grace: { days: 5, mode: 'forward' }, paid: [paid('2026-03-12', '4000.00')] }),
    asOf: '2026-03-31',
    rounded: '48.00',
    overdueDays: 21,
    segments: [['2026-03-16', '2026-03-31', 16, '6000', '0.0005']],
  },
  {
    // Rate change on 03-21 (rates given out of order): 03-11…03-20 10 d × 10,000.00 × 0.0005 = 50.00;
    // 03-21…03-31 11 d × 10,000.00 × 0.0006 = 66.00; total 116.00.
    name: 'rate change mid-period',
    input: line({
      rates: [
        { from: '2026-03-21', dailyRate: new Dec('0.0006') },
        { from: '2020-01-01', dailyRate: new Dec('0.0005') },
      ],
    }),
    asOf: '2026-03-31',
    rounded: '116.00',
    overdueDays: 21,
    segments: [
      ['2026-03-11', '2026-03-20', 10, '10000', '0.0005'],
      ['2026-03-21', '2026-03-31', 11, '10000', '0.0006'],
    ],
  },
  {
    // No rate in force before 03-16: 03-16…03-20 5 d × 10,000.00 × 0.0005 = 25.00.
    name: 'no rate in force for the first days',
    input: line({ rates: [{ from: '2026-03-16', dailyRate: new Dec('0.0005') }] }),
    asOf: '2026-03-20',
    rounded: '25.00',
    overdueDays: 10,
    segments: [['2026-03-16', '2026-03-20', 5, '10000', '0.0005']],
  },
  {
    // A new rate period with the same rate does not split the run: 30 d × 10,000.00 × 0.0005 = 150.00.
    name: 'same rate restated is one segment',
    input: line({ rates: [...RATE_0005, { from: '2026-03-20', dailyRate: new Dec('0.0005') }] }),
    asOf: '2026-04-09',
    rounded: '150.00',
    overdueDays: 30,
    segments: [['2026-03-11', '2026-04-09', 30, '10000', '0.0005']],
  },
  {
    // Security deposit is not penalty-bearing: zero penalty, overdue days still count (04-09 − 03-10 = 30).
    name: 'deposit bears no penalty',
    input: line({ penaltyBearing: false }),
    asOf: '2026-04-09',
    rounded: '0.00',
    overdueDays: 30,
    segments: [],
  },
  {
    // Imported line due 2026-01-10, cut-over 03-31 with 4,000.00 paid and 123.4567 penalty accrued:
    // 04-01…04-09 9 d × 6,000.00 × 0.0005 = 27.00; exact 123.4567 + 27 = 150.4567 → 150.46.
    // Overdue days 04-09 − 01-10 = 31 + 28 + 30 = 89.
    name: 'imported line with cut-over and opening penalty',
    input: line({
      dueDate: '2026-01-10',
      cutoverDate: '2026-03-31',
      paid: [paid('2026-03-31', '4000.00')],
      openingPenaltyAccrued: new Dec('123.4567'),
    }),
    asOf: '2026-04-09',
    rounded: '150.46',
    overdueDays: 89,
    segments: [['2026-04-01', '2026-04-09', 9, '6000', '0.0005']],
  },
  {
    // Bad debt confirmed 03-25: no penalty day on or after it: 03-11…03-24 14 d × 10,000.00 × 0.0005 = 70.00.
    name: 'stop date (bad-debt confirmation)',
    input: line({ stopDate: '2026-03-25' }),
    asOf: '2026-04-09',
    rounded: '70.00',
    overdueDays: 30,
    segments: [['2026-03-11', '2026-03-24', 14, '10000', '0.0005']],
  },
  {
    // A payment and its reversal on the same value date net to nothing: 30 d × 10,000.00 × 0.0005 = 150.00.
    name: 'reversal on the same value date',
    input: line({ paid: [paid('2026-03-20', '4000.00'), paid('2026-03-20', '-4000.00')] }),
    asOf: '2026-04-09',
    rounded: '150.00',
    overdueDays: 30,
    segments: [['2026-03-11', '2026-04-09', 30, '10000', '0.0005']],
  },
  {
    // 4,000.00 on 03-15 reversed with value date 03-20: 03-11…03-15 5 d × 10,000.00 × 0.0005 = 25.00;
    // 03-16…03-20 5 d × 6,000.00 × 0.0005 = 15.00; 03-21…03-31 11 d × 10,000.00 × 0.0005 = 55.00; total 95.00.
    name: 'reversal on a later value date',
    input: line({ paid: [paid('2026-03-15', '4000.00'), paid('2026-03-20', '-4000.00')] }),
    asOf: '2026-03-31',
    rounded: '95.00',
    overdueDays: 21,
    segments: [
      ['2026-03-11', '2026-03-15', 5, '10000', '0.0005'],
      ['2026-03-16', '2026-03-20', 5, '6000', '0.0005'],
      ['2026-03-21', '2026-03-31', 11, '10000', '0.0005'],
    ],
  },
  {
    // A payment after the as-of date does not count yet: 30 d × 10,000.00 × 0.0005 = 150.00.
    name: 'payment after the as-of date',
    input: line({ paid: [paid('2026-04-20', '10000.00')] }),
    asOf: '2026-04-09',
    rounded: '150.00',
    overdueDays: 30,
  },
];

describe('linePenalty: hand-worked cases', () => {
  it.each(cases)('$name', ({ input, asOf, rounded, overdueDays, segments }) => {
    const result = linePenalty(input, asOf);
    expect(result.rounded.toFixed(2)).toBe(rounded);
    expect(result.overdueDays).toBe(overdueDays);
    if (segments) {
      const got = result.segments.map((s) => [s.from, s.to, s.days, s.base.toString(), s.rate.toString()]);
      expect(got).toEqual(segments);
    }
    for (const s of result.segments) expect(s.amount.equals(s.base.times(s.rate).times(s.days))).toBe(true);
  });
});

describe('linePenalty: half-up rounding of the exact sum', () => {
  // One day (due 03-10, as of 03-11) at 0.0005: exact = base × 0.0005 × 1.
  it.each([
    ['1234.50', '0.61725', '0.62'], // 1,234.50 × 0.0005 = 0.61725 → 0.62
    ['1230.00', '0.615', '0.62'], // 0.615 → 0.62
    ['1250.00', '0.625', '0.63'], // 0.625 → 0.63 (half-even would give 0.62)
    ['4690.00', '2.345', '2.35'], // 2.345 → 2.35 (half-even would give 2.34)
    ['2010.00', '1.005', '1.01'], // 1.005 → 1.01 (a float would give 1.00)
  ])('base %s → exact %s → %s', (base, exact, rounded) => {
    const result = linePenalty(line({ amountDue: new Dec(base) }), '2026-03-11');
    expect(result.exact.toString()).toBe(exact);
    expect(result.rounded.toFixed(2)).toBe(rounded);
  });

  it('rounds the line total once, not each segment', () => {
    // 03-11 on 1,234.50 = 0.61725; 03-12 on 1,234.50 − 0.01 (a 0.01 payment on 03-11) = 1,234.49 × 0.0005 = 0.617245;
    // exact 1.234495 → 1.23 (rounding each segment first would give 0.62 + 0.62 = 1.24).
    const result = linePenalty(line({ amountDue: new Dec('1234.50'), paid: [paid('2026-03-11', '0.01')] }), '2026-03-12');
    expect(result.exact.toString()).toBe('1.234495');
    expect(result.rounded.toFixed(2)).toBe('1.23');
  });
});

describe('linePenalty: overdue days', () => {
  it('paid in full late: overdueDays 0 as of later, overdueDaysAtPayoff = P − D0', () => {
    // Paid 03-15 for a line due 03-10: 逾期天数 = 还款日 − 应还日 = 5.
    const result = linePenalty(line({ paid: [paid('2026-03-15', '10000.00')] }), '2026-04-09');
    expect(result.overdueDays).toBe(0);
    expect(result.overdueDaysAtPayoff).toBe(5);
    expect(result.outstandingAsOf.toFixed(2)).toBe('0.00');
  });

  it('paid in two parts: the payoff day is the day of the last part', () => {
    const input = line({ paid: [paid('2026-03-12', '4000.00'), paid('2026-03-18', '6000.00')] });
    expect(linePenalty(input, '2026-04-09').overdueDaysAtPayoff).toBe(8);
    // As of 03-17 the line is not paid in full yet: no payoff, 7 overdue days, 6,000.00 outstanding.
    const before = linePenalty(input, '2026-03-17');
    expect(before.overdueDaysAtPayoff).toBeNull();
    expect(before.overdueDays).toBe(7);
    expect(before.outstandingAsOf.toFixed(2)).toBe('6000.00');
  });

  it('paid on time: overdueDaysAtPayoff 0', () => {
    expect(linePenalty(line({ paid: [paid('2026-03-01', '10000.00')] }), '2026-04-09').overdueDaysAtPayoff).toBe(0);
  });

  it('not due yet: 0 overdue days', () => {
    expect(linePenalty(line(), '2026-03-01').overdueDays).toBe(0);
  });

  it('a payoff reversed later is no payoff', () => {
    const input = line({ paid: [paid('2026-03-15', '10000.00'), paid('2026-03-20', '-10000.00')] });
    const result = linePenalty(input, '2026-03-31');
    expect(result.overdueDaysAtPayoff).toBeNull();
    expect(result.overdueDays).toBe(21);
  });
});

describe('linePenalty: cost follows the number of changes, not days', () => {
  it('ten years overdue with monthly part-payments gives one segment per payment', () => {
    // 120 payments of 10.00 on the 10th of each month from 2016-04-10; 10 years of days.
    const payments = Array.from({ length: 120 }, (_, k) => {
      const month = 3 + k; // months since 2016-01
      const date = `${2016 + Math.floor(month / 12)}-${String((month % 12) + 1).padStart(2, '0')}-10`;
      return paid(date, '10.00');
    });
    const rates = [{ from: '2000-01-01', dailyRate: new Dec('0.0005') }];
    const result = linePenalty(line({ dueDate: '2016-03-10', paid: payments, rates }), '2026-03-31');
    expect(result.segments.length).toBe(121);
    expect(result.segments[0]?.from).toBe('2016-03-11');
    expect(result.segments.at(-1)?.base.toFixed(2)).toBe('8800.00');
    expect(result.segments.reduce((n, s) => n + s.days, 0)).toBe(3673); // 2016-03-10 → 2026-03-10 = 3,650 + 2 leap days; + 21
  });
});

describe('linePenalty: invalid input is a broken invariant', () => {
  it.each([
    ['a negative rate', line({ rates: [{ from: '2020-01-01', dailyRate: new Dec('-0.0005') }] })],
    ['two rates from the same day', line({ rates: [...RATE_0005, ...RATE_0005] })],
    ['a bad due date', line({ dueDate: '2026-02-30' })],
    ['negative grace days', line({ grace: { days: -1, mode: 'retroactive' } })],
    ['fractional grace days', line({ grace: { days: 1.5, mode: 'forward' } })],
    ['a negative amount due', line({ amountDue: new Dec('-1.00') })],
  ])('%s', (_name, input) => {
    expect(() => linePenalty(input, '2026-04-09')).toThrow(/invariant broken/);
  });

  it('a bad as-of date', () => {
    expect(() => linePenalty(line(), '2026/04/09')).toThrow(/invariant broken/);
  });
});

describe('dailyRateFromAnnual', () => {
  it.each([
    ['0.18', 360, '0.0005'], // 0.18 / 360 = 0.0005 (万分之五)
    ['0.1825', 365, '0.0005'], // 0.1825 / 365 = 0.0005
    ['0.0365', 365, '0.0001'],
    ['0.000000036', 360, '0.0000000001'], // the tenth decimal still exact
    ['0', 365, '0'],
  ] as const)('%s / %d = %s exactly', (annual, basis, daily) => {
    const { exact, nearest } = dailyRateFromAnnual(new Dec(annual), basis);
    expect(exact?.toString()).toBe(daily);
    expect(nearest.toString()).toBe(daily);
  });

  it.each([
    ['0.05', 360, '0.0001388889'], // 0.000138888… : no exact daily rate; nearest half-up
    ['0.18', 365, '0.0004931507'], // 0.000493150684…
    ['0.1', 365, '0.0002739726'], // 0.000273972602…
    ['0.000000018', 360, '0.0000000001'], // exactly 0.00000000005: eleven decimals
  ] as const)('%s / %d has no exact daily rate with 10 decimals (nearest %s)', (annual, basis, nearest) => {
    const result = dailyRateFromAnnual(new Dec(annual), basis);
    expect(result.exact).toBeNull();
    expect(result.nearest.toString()).toBe(nearest);
  });
});
