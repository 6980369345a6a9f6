// Penalty accrued per day and month, per dealer (罚息计提), of the small world (more-fixtures.ts), worked by hand, on
// both databases; each dealer's days add up to the breakdown's penaltyAccrued difference between the two dates.
import { expect, it } from 'vitest';
import { runAction } from '../../src/app/run.js';
import { addDays, eachDate } from '../../src/core/dates.js';
import { dec, sumMoney } from '../../src/core/money.js';
import type { Breakdown } from '../../src/reports/breakdown.js';
import type { PenaltyReport } from '../../src/reports/penalty.js';
import { penaltyDocument, penaltyTable } from '../../src/reports/penalty-view.js';
import { type DbFixture, describeEachDb } from '../support/db.js';
import { buildWorld, expectSheetCells } from './more-fixtures.js';

// 2026-05-15 … 2026-06-30, 0.0005 a day; every line's daily penalty is whole cents, so rounding per line changes nothing:
//   HF01: A1 line 1 1,000.00 overdue since 04-11 → 0.50 a day; A4 800.00 05-16 … 05-20 → 0.40 a day (paid 05-20);
//         A1 line 2 100.00 from 06-11 → 0.05; A2 2,000.00 from 06-02 → 1.00; A3 500.00 from 06-26 → 0.25.
//     05-15 0.50; 05-16 … 05-20 0.90; 05-21 … 06-01 0.50; 06-02 … 06-10 1.50; 06-11 … 06-25 1.55; 06-26 … 06-30 1.80
//     May (05-15 … 05-31): 17 × 0.50 + 5 × 0.40 = 10.50; June: 30 × 0.50 + 29 × 1.00 + 20 × 0.05 + 5 × 0.25 = 46.25
//   WH01: W1 1,500.00 since 03-02 → 0.75 a day (R4 reversed); W2 200.00 on 06-30 → 0.10.
//     May 17 × 0.75 = 12.75; June 30 × 0.75 + 0.10 = 22.60
//   AQ01: B1 600.00 06-21 … 06-30 (bought back on 06-30, which still counts) → 0.30 a day: June 3.00
//   Months: May 23.25, June 71.85; total 95.10.

const FROM = '2026-05-15';
const TO = '2026-06-30';

const report = (f: DbFixture, raw: Record<string, string>, who = 'admin') =>
  runAction(f.db, who, 'report.penalty', { from: FROM, to: TO, ...raw }, { via: 'test' }) as Promise<PenaltyReport>;

const breakdown = (f: DbFixture, asOf: string) =>
  runAction(f.db, 'admin', 'report.breakdown', { restated: true, asOf, by: 'dealer' }, { via: 'test' }) as Promise<Breakdown>;

describeEachDb('report penalty', (get) => {
  it('builds the world', async () => {
    await buildWorld(get().db, get().admin);
  });

  it('per dealer, day and month: the hand-worked accruals', async () => {
    const r = await report(get(), {});
    expect(r).toMatchObject({ from: FROM, to: TO, restated: true, scope: { kind: 'group' } });
    expect(r.dealers.map((d) => [d.dealer, d.months, d.total])).toEqual([
      [
        'AQ01',
        [
          { month: '2026-05', accrued: '0.00' },
          { month: '2026-06', accrued: '3.00' },
        ],
        '3.00',
      ],
      [
        'HF01',
        [
          { month: '2026-05', accrued: '10.50' },
          { month: '2026-06', accrued: '46.25' },
        ],
        '56.75',
      ],
      [
        'WH01',
        [
          { month: '2026-05', accrued: '12.75' },
          { month: '2026-06', accrued: '22.60' },
        ],
        '35.35',
      ],
    ]);
    const hf = r.dealers.find((d) => d.dealer === 'HF01');
    expect(hf?.days).toHaveLength(47);
    const day = (date: string) => hf?.days.find((d) => d.date === date)?.accrued;
    expect(
      ['2026-05-15', '2026-05-16', '2026-05-20', '2026-05-21', '2026-06-01', '2026-06-02', '2026-06-11', '2026-06-26', '2026-06-30'].map(
        day,
      ),
    ).toEqual(['0.50', '0.90', '0.90', '0.50', '0.50', '1.50', '1.55', '1.80', '1.80']);
    expect(r.dealers.find((d) => d.dealer === 'WH01')?.days.at(-1)).toEqual({ date: '2026-06-30', accrued: '0.85' });
    expect(r.months).toEqual([
      { month: '2026-05', accrued: '23.25' },
      { month: '2026-06', accrued: '71.85' },
    ]);
    expect(r.total).toBe('95.10');
    expect(r.days.map((d) => d.date)).toEqual([...eachDate(FROM, TO)]);
    expect(r.days[0]).toEqual({ date: FROM, accrued: '1.25' }); // HF01 0.50 + WH01 0.75
    // the days add up to the months and the total
    expect(sumMoney(r.days.map((d) => d.accrued)).equals(dec(r.total))).toBe(true);
  });

  it('each dealer’s period equals the breakdown’s penaltyAccrued on the last day less the day before the first', async () => {
    const f = get();
    for (const [from, to] of [
      [FROM, TO],
      ['2026-06-01', '2026-06-30'],
      ['2026-03-01', '2026-04-30'],
      ['2026-06-30', '2026-06-30'],
    ] as const) {
      const r = await report(f, { from, to });
      const [end, start] = [await breakdown(f, to), await breakdown(f, addDays(from, -1))];
      const accrued = (b: Breakdown, dealer: string) =>
        b.rows.find((row) => row.level === 'dealer' && row.dealer === dealer)?.penaltyAccrued ?? '0.00';
      for (const dealer of ['HF01', 'WH01', 'AQ01']) {
        const total = r.dealers.find((d) => d.dealer === dealer)?.total ?? '0.00';
        expect(dec(total).equals(dec(accrued(end, dealer)).minus(accrued(start, dealer))), `${dealer} ${from} … ${to}`).toBe(true);
      }
      expect(dec(r.total).equals(dec(end.totals.penaltyAccrued).minus(start.totals.penaltyAccrued)), `${from} … ${to}`).toBe(true);
    }
  });

  it('scope: a collector their contracts’ penalty; another dealer or team is not found', async () => {
    const f = get();
    const c2 = await report(f, {}, 'c2');
    // A4's 2.00 in May, A3's 1.25 in June
    expect(c2.dealers.map((d) => [d.dealer, d.total])).toEqual([['HF01', '3.25']]);
    expect(c2.scope.limitedTo).toBe('c2');
    const wh = await report(f, { dealer: 'WH01' }, 'wh.clerk');
    expect(wh.total).toBe('35.35');
    await expect(report(f, { dealer: 'HF01' }, 'wh.clerk')).rejects.toThrow(/^dealer not found: "HF01"$/);
    await expect(report(f, { collector: 'c1' }, 'w1')).rejects.toThrow(/^collector not found: "c1"$/);
    const none = await report(f, { region: 'EAST', from: '2026-01-01', to: '2026-01-31' });
    expect([none.dealers, none.total, none.days.length, none.months]).toEqual([[], '0.00', 31, [{ month: '2026-01', accrued: '0.00' }]]);
  });

  it('the table and the sheets: months and days, a column per dealer, 合计', async () => {
    const r = await report(get(), {});
    const text = penaltyTable(r).split('\n');
    expect(text.slice(0, 4)).toEqual([
      '罚息计提',
      '集团',
      '期间：2026年5月15日至2026年6月30日',
      '口径：重述（当日已计罚息 − 前一日已计罚息，按经销商）',
    ]);
    expect(text[5]).toMatch(/^月份\s+AQ01 安庆代理店\s+HF01 合肥代理店\s+WH01 芜湖代理店\s+合计$/);
    expect(text[7]).toMatch(/^2026-05 +0\.00 +10\.50 +12\.75 +23\.25$/);
    expect(text[9]).toMatch(/^合计 +3\.00 +56\.75 +35\.35 +95\.10$/);
    const [months, days] = penaltyDocument(r).sheets;
    expectSheetCells(penaltyDocument(r).sheets);
    expect(months?.name).toBe('每月');
    expect(days?.rows).toHaveLength(48);
    expect(days?.rows.at(-2)?.cells).toEqual(['2026-06', '2026-06-30', '0.30', '1.80', '0.85', '2.95']);
    expect(days?.rows.at(-1)?.cells).toEqual(['合计', null, '3.00', '56.75', '35.35', '95.10']);
    expect(days?.columns.map((c) => c.kind)).toEqual(['text', 'date', 'money', 'money', 'money', 'money']);
  });

  it('bad inputs: one line naming the field and what was expected', async () => {
    const f = get();
    await expect(report(f, { to: '2026-07-01' })).rejects.toThrow(/^to: "2026-07-01" — expected a date up to 2026-06-30/);
    await expect(report(f, { from: '2026-06-30', to: '2026-06-01' })).rejects.toThrow(
      /^to: "2026-06-01" — expected a date on or after --from/,
    );
    await expect(runAction(f.db, 'admin', 'report.penalty', { to: TO }, { via: 'test' })).rejects.toThrow(/^from: missing/);
    await expect(report(f, { from: '2025-01-01' })).rejects.toThrow(/^to: "2026-06-30" — expected a period of at most 366 days/);
  });
});
