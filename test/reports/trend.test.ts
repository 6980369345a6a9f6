// The monthly series (月度趋势) of the small world (more-fixtures.ts), worked by hand, on both databases: per month
// end outstanding, overdue, overdue rate, M1+/M3+ rates, and per collector the collection rate (回款率).
import { expect, it } from 'vitest';
import { runAction } from '../../src/app/run.js';
import { NotFound } from '../../src/core/errors.js';
import type { Trend } from '../../src/reports/trend.js';
import { trendDocument, trendTable } from '../../src/reports/trend-view.js';
import { type DbFixture, describeEachDb } from '../support/db.js';
import { buildWorld, expectSheetCells } from './more-fixtures.js';

// Region EAST (HF01, WH01), months 2026-04 … 2026-06 (the batch ran through 06-30):
//   outstanding 04-30: A1 2,100 + A2 3,000 + A3 500 + A4 800 + W1 1,500 + W2 200 + W3 1,000 = 9,100.00
//     overdue: A1 line 1 1,000 (20 d) + W1 1,500 (60 d) = 2,500.00 → 2,500 ÷ 9,100 = 0.27472… → 0.2747
//     M1+ (a line > 30 d): W1 1,500 → 0.16483… → 0.1648; M3+ (> 90 d): none → 0.0000
//   05-31: A4 paid 800 → 8,300.00; overdue A1 1,000 (51 d) + W1 1,500 (91 d) = 2,500.00 → 0.30120… → 0.3012
//     M1+: A1's whole 2,100 + W1 1,500 = 3,600 → 0.43373… → 0.4337; M3+: W1 1,500 → 0.18072… → 0.1807
//   06-30: A2 paid 1,000 → 7,300.00; overdue A1 1,100 + A2 2,000 + A3 500 + W1 1,500 + W2 200 = 5,300.00
//     → 0.72602… → 0.7260; M1+: A1 2,100 + W1 1,500 = 3,600 → 0.49315… → 0.4932; M3+: W1 → 0.20547… → 0.2055
//   (R4, 500.00 on W1 on 06-05, was reversed: nothing received.)
// 回款率 = received in the month on lines due by its end ÷ due in the month:
//   c1 (A1, A2): April 0 ÷ 1,000 (A1 line 1) = 0.0000; May nothing due → null; June 1,000 (R1 on A2) ÷ (100 + 3,000)
//       = 0.32258… → 0.3226
//   c2 (A3, A4): April null; May 800 (R2's principal; its 2.00 of penalty does not count) ÷ 800 = 1.0000;
//       June 0 ÷ 500 = 0.0000
//   w1 (W1, W3): nothing due in these months → null, null, null (W3's 300.00 of credit waits for 08-01)
//   — (W2): June 0 ÷ 200 = 0.0000

const report = (f: DbFixture, raw: Record<string, string | boolean>, who = 'admin') =>
  runAction(f.db, who, 'report.trend', { restated: true, ...raw }, { via: 'test' }) as Promise<Trend>;

describeEachDb('report trend', (get) => {
  it('builds the world', async () => {
    await buildWorld(get().db, get().admin);
  });

  it('per month end: outstanding, overdue and the rates; per collector the collection rate', async () => {
    const t = await report(get(), { from: '2026-04', to: '2026-06', region: 'EAST' });
    expect(t).toMatchObject({ from: '2026-04', to: '2026-06', restated: true, scope: { kind: 'region', code: 'EAST' } });
    expect(t.months).toEqual(['2026-04', '2026-05', '2026-06']);
    expect(t.asOf).toEqual(['2026-04-30', '2026-05-31', '2026-06-30']);
    expect(t.series).toEqual({
      outstanding: ['9100.00', '8300.00', '7300.00'],
      overdue: ['2500.00', '2500.00', '5300.00'],
      overdueRate: ['0.2747', '0.3012', '0.7260'],
      m1Rate: ['0.1648', '0.4337', '0.4932'],
      m3Rate: ['0.0000', '0.1807', '0.2055'],
    });
    expect(t.collectors).toEqual([
      { collector: 'c1', rates: ['0.0000', null, '0.3226'], due: ['1000.00', '0.00', '3100.00'], received: ['0.00', '0.00', '1000.00'] },
      { collector: 'c2', rates: [null, '1.0000', '0.0000'], due: ['0.00', '800.00', '500.00'], received: ['0.00', '800.00', '0.00'] },
      { collector: 'w1', rates: [null, null, null], due: ['0.00', '0.00', '0.00'], received: ['0.00', '0.00', '0.00'] },
      { collector: null, rates: [null, null, '0.0000'], due: ['0.00', '0.00', '200.00'], received: ['0.00', '0.00', '0.00'] },
    ]);
  });

  it('the group: the buyback’s transfer is no collection; the default is the twelve months to the batch’s', async () => {
    // AQ01 B1 on 06-30: line 1 (600.00, due 06-20) closed by the transfer, its 代付 line 620.00 due 06-30 →
    // outstanding 7,300 + 620 = 7,920.00; — is due 200 (W2) + 600 + 620 = 1,420.00 in June and received nothing
    const t = await report(get(), {});
    expect(t.months).toHaveLength(12);
    expect(t.months[0]).toBe('2025-07');
    expect(t.months.at(-1)).toBe('2026-06');
    expect(t.series.outstanding.at(-1)).toBe('7920.00');
    const none = t.collectors.find((c) => c.collector === null);
    expect([none?.due.at(-1), none?.received.at(-1), none?.rates.at(-1)]).toEqual(['1420.00', '0.00', '0.0000']);
    // 2025-07: everything not yet due, nothing overdue
    expect(t.series.overdue[0]).toBe('0.00');
    expect(t.series.overdueRate[0]).toBe('0.0000');
  });

  it('scope: a collector sees their own series; another team is not found', async () => {
    const f = get();
    const c2 = await report(f, { from: '2026-05', to: '2026-06' }, 'c2');
    // A3 500 + A4 800 on 05-31 → A4 paid: 500.00; June: A3 overdue 500 of 500 → 1.0000
    expect(c2.series.outstanding).toEqual(['500.00', '500.00']);
    expect(c2.series.overdueRate).toEqual(['0.0000', '1.0000']);
    expect(c2.collectors.map((c) => c.collector)).toEqual(['c2']);
    const hf = await report(f, { from: '2026-06', to: '2026-06' }, 'hf.fin');
    expect(hf.series.outstanding).toEqual(['4600.00']); // A1 2,100 + A2 2,000 + A3 500 + A4 0
    await expect(report(f, { collector: 'c1' }, 'c2')).rejects.toThrow(NotFound);
    await expect(report(f, { dealer: 'HF01' }, 'wh.clerk')).rejects.toThrow(NotFound);
  });

  it('the table and the sheets', async () => {
    const t = await report(get(), { from: '2026-04', to: '2026-06', region: 'EAST' });
    const text = trendTable(t).split('\n');
    expect(text[0]).toBe('月度趋势');
    expect(text[1]).toBe('区域：EAST 华东区');
    expect(text.find((l) => l.startsWith('2026-06 '))).toMatch(/2026-06-30 +7,300\.00 +5,300\.00 +72\.60% +49\.32% +20\.55%$/);
    expect(text.find((l) => l.startsWith('c1 '))).toMatch(/^c1 +0\.00% +32\.26%$/);
    const [months, rates] = trendDocument(t).sheets;
    expectSheetCells(trendDocument(t).sheets);
    expect(months?.columns.map((c) => c.kind)).toEqual(['text', 'date', 'money', 'money', 'percent', 'percent', 'percent']);
    expect(rates?.columns.map((c) => c.header)).toEqual(['催收员', '2026-04', '2026-05', '2026-06']);
    expect(rates?.rows[0]?.cells).toEqual(['c1', '0.0000', null, '0.3226']);
  });

  it('bad inputs: one line naming the field and what was expected', async () => {
    const f = get();
    await expect(report(f, { from: '2026-4' })).rejects.toThrow(/^from: "2026-4" — expected a month YYYY-MM/);
    await expect(report(f, { to: '2026-07' })).rejects.toThrow(/^to: "2026-07" — expected a month up to 2026-06/);
    await expect(report(f, { from: '2026-06', to: '2026-05' })).rejects.toThrow(
      /^to: "2026-05" — expected a month on or after --from 2026-06/,
    );
    await expect(report(f, { from: '2020-01', to: '2026-06' })).rejects.toThrow(/^to: "2026-06" — expected at most 36 months/);
    await expect(report(f, { from: '2026-07' })).rejects.toThrow(/^from: "2026-07" — expected a month on or before 2026-06/);
  });
});
