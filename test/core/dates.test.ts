import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  daysBetween,
  eachDate,
  formatTimestamp,
  isValidDate,
  latestMoneyDate,
  monthEnd,
  parseDate,
  refuseFutureDate,
  today,
} from '../../src/core/dates.js';

describe('business dates', () => {
  it('parses exactly YYYY-MM-DD and real calendar days', () => {
    expect(parseDate('2026-03-10')).toBe('2026-03-10');
    for (const bad of ['2026/03/10', '26-03-10', '2026-3-1', '', 'today']) {
      expect(() => parseDate(bad, '--as-of')).toThrow(/^--as-of: .* expected a date YYYY-MM-DD/);
    }
    // well formed, but no such day (or outside the years zq keeps): the message says so
    for (const bad of ['2026-02-29', '2026-13-01', '2026-04-31', '1899-12-31']) {
      expect(() => parseDate(bad, '--as-of')).toThrow(/^--as-of: .* expected a real calendar day from 1900-01-01 to 2999-12-31/);
    }
    expect(isValidDate('2028-02-29')).toBe(true);
  });

  it('day arithmetic agrees with the JavaScript calendar on every day from 1900 to 2999', () => {
    const DAY_MS = 86_400_000;
    const reference = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
    let date = '1900-01-01';
    let count = 0;
    while (date !== '3000-01-01') {
      const next = addDays(date, 1);
      expect(next).toBe(reference(date, 1));
      expect(daysBetween('1970-01-01', date)).toBe(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
      date = next;
      count++;
    }
    expect(count).toBe(daysBetween('1900-01-01', '3000-01-01'));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400_000 }), fc.integer({ min: -40_000, max: 40_000 }), (start, step) => {
        const from = addDays('1900-01-01', start);
        expect(addDays(from, step)).toBe(reference(from, step));
      }),
    );
  });

  it('adds days across months, years and leap days', () => {
    expect(addDays('2026-03-10', 30)).toBe('2026-04-09');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('counts days between (the worked example: 03-10 → 04-09 is 30 days)', () => {
    expect(daysBetween('2026-03-10', '2026-04-09')).toBe(30);
    expect(daysBetween('2026-04-09', '2026-03-10')).toBe(-30);
    expect(daysBetween('2025-12-31', '2026-12-31')).toBe(365);
  });

  it('clamps to month end and returns to the original day (RULES.md: 01-31 → 02-28 → 03-31)', () => {
    expect(addMonths('2026-01-31', 1, 31)).toBe('2026-02-28');
    expect(addMonths('2026-01-31', 2, 31)).toBe('2026-03-31');
    expect(addMonths('2026-01-31', 3, 31)).toBe('2026-04-30');
    expect(addMonths('2027-01-31', 13, 31)).toBe('2028-02-29');
    expect(addMonths('2026-11-15', 2)).toBe('2027-01-15');
    expect(addMonths('2026-03-15', -3)).toBe('2025-12-15');
    expect(monthEnd('2026-02-10')).toBe('2026-02-28');
  });

  it('today is the calendar date in Asia/Shanghai, not UTC', () => {
    // 2026-03-09T17:00Z is already 2026-03-10 01:00 in Shanghai.
    expect(today('Asia/Shanghai', new Date('2026-03-09T17:00:00Z'))).toBe('2026-03-10');
    expect(today('UTC', new Date('2026-03-09T17:00:00Z'))).toBe('2026-03-09');
  });

  it('lists each date of a range', () => {
    expect([...eachDate('2026-02-27', '2026-03-01')]).toEqual(['2026-02-27', '2026-02-28', '2026-03-01']);
  });

  it('property: addDays and daysBetween are inverse', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40_000 }), fc.integer({ min: -5000, max: 5000 }), (offset, n) => {
        const start = addDays('1950-01-01', offset);
        expect(daysBetween(start, addDays(start, n))).toBe(n);
      }),
    );
  });
});

describe('timestamps', () => {
  it('15.22: a moment is printed in Asia/Shanghai with its zone, whatever the process time zone', () => {
    expect(formatTimestamp(new Date('2026-03-09T16:30:05Z'))).toBe('2026-03-10T00:30:05+08:00');
    expect(formatTimestamp('2026-12-31T23:59:59.900Z')).toBe('2027-01-01T07:59:59+08:00');
    // the same instant read back
    expect(Date.parse(formatTimestamp(new Date('2026-06-01T00:00:00Z')))).toBe(Date.parse('2026-06-01T00:00:00Z'));
  });
});

describe('dates later than today', () => {
  it('15.11: refuseFutureDate allows up to today plus ZQ_FUTURE_DAYS (Asia/Shanghai) and refuses later', () => {
    // 2026-03-10 16:30 UTC is already 03-11 in Shanghai
    const now = new Date('2026-03-10T16:30:00Z');
    const latest = latestMoneyDate({}, now);
    expect(latest).toBe('2026-03-11');
    expect(refuseFutureDate('valueDate', '2026-03-11', latest)).toBe('2026-03-11');
    expect(() => refuseFutureDate('valueDate', '2026-03-12', latest)).toThrow(
      /valueDate: "2026-03-12" — expected a date on or before 2026-03-11/,
    );
    expect(latestMoneyDate({ ZQ_FUTURE_DAYS: '3' }, now)).toBe('2026-03-14');
    expect(() => latestMoneyDate({ ZQ_FUTURE_DAYS: '-1' }, now)).toThrow(/ZQ_FUTURE_DAYS/);
  });
});
