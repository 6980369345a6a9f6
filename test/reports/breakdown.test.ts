// The receivables breakdown (债权分解表) of a small ledger worked by hand, on both databases: buckets, subtotals
// per dealer and region, the group total, to the cent; every --by; filters; bad inputs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { runAction } from '../../src/app/run.js';
import { BadInput, NotFound, Refused } from '../../src/core/errors.js';
import { dec } from '../../src/core/money.js';
import { readXlsxSheets } from '../../src/imports/xlsx.js';
import { registerBadDebt } from '../../src/receivables/bad-debt.js';
import { recordConfirmedReceipt } from '../../src/receivables/receipts.js';
import { showContract } from '../../src/receivables/show.js';
import { requestWaiver } from '../../src/receivables/waivers.js';
import { agingBuckets, bucketOf, parseAging } from '../../src/reports/aging.js';
import { BREAKDOWN_BY, type BreakdownRow, breakdown, breakdownStream } from '../../src/reports/breakdown.js';
import { breakdownSheets, breakdownTable, breakdownWorkbook, chineseDate } from '../../src/reports/breakdown-view.js';
import { type ReportSheet, writeReportCsv, writeReportXlsx } from '../../src/reports/xlsx.js';
import { buildOrganisation } from '../access/organisation.js';
import { batch } from '../batch/fixtures.js';
import { type DbFixture, describeEachDb } from '../support/db.js';
import { collector, contractOf, dealerIn, expectConsolidates, figures, region } from './fixtures.js';

const AS_OF = '2026-06-30';

// The ledger, as of 2026-06-30, default penalty rate 0.0005 a day, no grace:
//   region EAST 华东区: HF01 合肥, WH01 芜湖; AQ01 安庆 has no region (under "—"). Collectors c1 (HF01), c2 (WH01).
//   HF01 HT-A 张三 c1: line 1 principal due 06-10 1,000.00, 400.00 received 06-10 (on its due date: no penalty
//        yet) → 600.00 overdue 20 days (06-30 − 06-10) → bucket 1-30; penalty 06-11…06-30 = 20 d × 600.00 ×
//        0.0005 = 6.00. Line 2 principal due 07-10 1,000.00: not yet due.
//   HF01 HT-B 李四 c1: principal due 05-01 2,000.00, unpaid → 60 days (31 in May − 1 + 30 in June) → 31-60;
//        penalty 60 × 2,000.00 × 0.0005 = 60.00, of which 20.00 waived on 06-30 → 40.00 outstanding.
//   WH01 HT-C 王五 c2: fee due 03-01 500.00, unpaid → 121 days (31 + 30 + 31 + 30 − 1) → 91-180;
//        penalty 121 × 500.00 × 0.0005 = 30.25.
//   WH01 HT-D 赵六, no collector: principal due 08-01 3,000.00 (not yet due); 1,000.00 received 06-15 with
//        nothing due → credit 1,000.00.
//   AQ01 HT-E 孙七, written off on 02-01: principal due 01-10 800.00 → written off 800.00, outstanding 0;
//        penalty up to the write-off 01-11…01-31 = 21 × 800.00 × 0.0005 = 8.40, still owed.
//   AQ01 HT-F 周八: principal due 2025-06-01 1,500.00, unpaid → 394 days (365 to 2026-06-01, + 29) → >360;
//        penalty 394 × 1,500.00 × 0.0005 = 295.50.
// Subtotals: HF01 due 4,000.00 (2,000 + 2,000), paid 400.00, outstanding 3,600.00, not due 1,000.00, overdue
//   2,600.00 (600 + 2,000), max 60 days, 1-30 600.00, 31-60 2,000.00, penalty 66.00 (6 + 60), waived 20.00,
//   penalty outstanding 46.00.
//   WH01 due 3,500.00, outstanding 3,500.00, not due 3,000.00, overdue 500.00, 121 days, 91-180 500.00,
//   penalty 30.25, credit 1,000.00.
//   EAST = HF01 + WH01: due 7,500.00, paid 400.00, outstanding 7,100.00, not due 4,000.00, overdue 3,100.00,
//   121 days, penalty 96.25, waived 20.00, outstanding penalty 76.25, credit 1,000.00.
//   — (AQ01): due 2,300.00, written off 800.00, outstanding 1,500.00, overdue 1,500.00, 394 days, >360 1,500.00,
//   penalty 303.90 (8.40 + 295.50).
//   Group: due 9,800.00, paid 400.00, written off 800.00, outstanding 8,600.00, not due 4,000.00, overdue
//   4,600.00 (= 600 + 2,000 + 500 + 1,500, the buckets), 394 days, penalty 400.15, waived 20.00, penalty
//   outstanding 380.15, credit 1,000.00.

const zero = '0.00';
const aging = (a: Partial<Record<string, string>>) => ({
  '1-30': zero,
  '31-60': zero,
  '61-90': zero,
  '91-180': zero,
  '181-360': zero,
  '>360': zero,
  ...a,
});
const figuresOf = (f: Partial<Record<string, unknown>>) => ({
  amountDue: zero,
  amountPaid: zero,
  writtenOff: zero,
  outstanding: zero,
  notDue: zero,
  overdue: zero,
  penaltyAccrued: zero,
  penaltyPaid: zero,
  penaltyWaived: zero,
  penaltyOutstanding: zero,
  overdueDays: 0,
  aging: aging({}),
  ...f,
});

const HF01 = figuresOf({
  amountDue: '4000.00',
  amountPaid: '400.00',
  outstanding: '3600.00',
  notDue: '1000.00',
  overdue: '2600.00',
  overdueDays: 60,
  aging: aging({ '1-30': '600.00', '31-60': '2000.00' }),
  penaltyAccrued: '66.00',
  penaltyWaived: '20.00',
  penaltyOutstanding: '46.00',
  lines: 3,
});
const WH01 = figuresOf({
  amountDue: '3500.00',
  outstanding: '3500.00',
  notDue: '3000.00',
  overdue: '500.00',
  overdueDays: 121,
  aging: aging({ '91-180': '500.00' }),
  penaltyAccrued: '30.25',
  penaltyOutstanding: '30.25',
  lines: 2,
});
const EAST = figuresOf({
  amountDue: '7500.00',
  amountPaid: '400.00',
  outstanding: '7100.00',
  notDue: '4000.00',
  overdue: '3100.00',
  overdueDays: 121,
  aging: aging({ '1-30': '600.00', '31-60': '2000.00', '91-180': '500.00' }),
  penaltyAccrued: '96.25',
  penaltyWaived: '20.00',
  penaltyOutstanding: '76.25',
  lines: 5,
});
const AQ01 = figuresOf({
  amountDue: '2300.00',
  writtenOff: '800.00',
  outstanding: '1500.00',
  overdue: '1500.00',
  overdueDays: 394,
  aging: aging({ '>360': '1500.00' }),
  penaltyAccrued: '303.90',
  penaltyOutstanding: '303.90',
  lines: 2,
});
const GROUP = figuresOf({
  amountDue: '9800.00',
  amountPaid: '400.00',
  writtenOff: '800.00',
  outstanding: '8600.00',
  notDue: '4000.00',
  overdue: '4600.00',
  overdueDays: 394,
  aging: aging({ '1-30': '600.00', '31-60': '2000.00', '91-180': '500.00', '>360': '1500.00' }),
  penaltyAccrued: '400.15',
  penaltyWaived: '20.00',
  penaltyOutstanding: '380.15',
  lines: 7,
});

const CONTRACT_NOS = ['HT-A', 'HT-B', 'HT-C', 'HT-D', 'HT-E', 'HT-F'];
const DEALER_OF: Record<string, string> = {
  'HT-A': 'HF01',
  'HT-B': 'HF01',
  'HT-C': 'WH01',
  'HT-D': 'WH01',
  'HT-E': 'AQ01',
  'HT-F': 'AQ01',
};

async function build(f: DbFixture) {
  const { db, admin } = f;
  await region(db, admin, 'EAST', '华东区');
  await dealerIn(db, admin, 'HF01', '合肥代理店', 'EAST');
  await dealerIn(db, admin, 'WH01', '芜湖代理店', 'EAST');
  await dealerIn(db, admin, 'AQ01', '安庆代理店');
  await collector(db, admin, 'c1', 'HF01');
  await collector(db, admin, 'c2', 'WH01');
  await contractOf(db, admin, {
    dealer: 'HF01',
    contractNo: 'HT-A',
    customer: '张三',
    collector: 'c1',
    lines: [
      [1, 'principal', '2026-06-10', '1000.00'],
      [2, 'principal', '2026-07-10', '1000.00'],
    ],
  });
  await contractOf(db, admin, {
    dealer: 'HF01',
    contractNo: 'HT-B',
    customer: '李四',
    collector: 'c1',
    lines: [[1, 'principal', '2026-05-01', '2000.00']],
  });
  await contractOf(db, admin, {
    dealer: 'WH01',
    contractNo: 'HT-C',
    customer: '王五',
    collector: 'c2',
    lines: [[1, 'fee', '2026-03-01', '500.00']],
  });
  await contractOf(db, admin, { dealer: 'WH01', contractNo: 'HT-D', customer: '赵六', lines: [[1, 'principal', '2026-08-01', '3000.00']] });
  await contractOf(db, admin, { dealer: 'AQ01', contractNo: 'HT-E', customer: '孙七', lines: [[1, 'principal', '2026-01-10', '800.00']] });
  await contractOf(db, admin, { dealer: 'AQ01', contractNo: 'HT-F', customer: '周八', lines: [[1, 'principal', '2025-06-01', '1500.00']] });
  const receive = (dealer: string, contractNo: string, valueDate: string, amount: string) =>
    db.knex.transaction((tx) => recordConfirmedReceipt(tx, admin, { contract: { contractNo, dealer }, valueDate, amount: dec(amount) }));
  await receive('HF01', 'HT-A', '2026-06-10', '400.00');
  await receive('WH01', 'HT-D', '2026-06-15', '1000.00');
  await db.knex.transaction((tx) => registerBadDebt(tx, admin, { contractNo: 'HT-E', dealer: 'AQ01', date: '2026-02-01', reason: '失联' }));
  await batch(db, admin, AS_OF);
  await db.knex.transaction((tx) =>
    requestWaiver(tx, admin, { contractNo: 'HT-B', dealer: 'HF01', amount: dec('20.00'), date: AS_OF, reason: '客户申请' }),
  );
}

const report = (f: DbFixture, raw: Record<string, string | boolean>, who = 'admin') =>
  runAction(f.db, who, 'report.breakdown', { restated: true, ...raw }, { via: 'test' });

const byLevel = (rows: readonly BreakdownRow[], level: BreakdownRow['level']) => rows.filter((r) => r.level === level);

it('aging buckets: the list, the names, and which bucket a number of days falls in', () => {
  expect(agingBuckets(parseAging(undefined)).map((b) => b.name)).toEqual(['1-30', '31-60', '61-90', '91-180', '181-360', '>360']);
  expect(agingBuckets(parseAging('7, 30')).map((b) => b.name)).toEqual(['1-7', '8-30', '>30']);
  const buckets = agingBuckets([30, 60]);
  expect([0, 1, 30, 31, 60, 61, 9999].map((d) => bucketOf(buckets, d)?.name ?? null)).toEqual([
    null,
    '1-30',
    '1-30',
    '31-60',
    '31-60',
    '>60',
    '>60',
  ]);
  for (const bad of ['', '30,30', '60,30', '0,30', '-5', '30,abc', '1.5', '30,,60']) expect(() => parseAging(bad), bad).toThrow(BadInput);
  expect(() => parseAging('60,30')).toThrow(/aging: "60,30" — expected increasing whole numbers of days, e.g. 30,60,90/);
  expect(chineseDate('2026-03-31')).toBe('2026年3月31日');
});

describeEachDb('report breakdown', (get) => {
  it('before any batch run: a one-line refusal that names the batch', async () => {
    const f = get();
    const refused = await report(f, {}).catch((e) => e);
    expect(refused).toBeInstanceOf(Refused);
    expect(refused.message).toMatch(/no nightly batch has completed yet/);
    expect(refused.next).toEqual({ action: 'batch.run', input: {} });
  });

  it('builds the hand-worked ledger', async () => {
    await build(get());
  });

  it('by contract: each contract as `contract show` gives it, subtotals per dealer and region, the group total', async () => {
    const f = get();
    const b = await report(f, {});
    expect(b).toMatchObject({
      asOf: AS_OF,
      restated: true,
      by: 'contract',
      aging: ['1-30', '31-60', '61-90', '91-180', '181-360', '>360'],
    });
    // order: region EAST (HF01 contracts, HF01 subtotal, WH01 …, WH01 subtotal, EAST subtotal), then "—", then the total
    expect(b.rows.map((r) => `${r.level}:${r.region ?? '—'}/${r.dealer ?? ''}/${r.contractNo ?? ''}`)).toEqual([
      'detail:EAST/HF01/HT-A',
      'detail:EAST/HF01/HT-B',
      'dealer:EAST/HF01/',
      'detail:EAST/WH01/HT-C',
      'detail:EAST/WH01/HT-D',
      'dealer:EAST/WH01/',
      'region:EAST//',
      'detail:—/AQ01/HT-E',
      'detail:—/AQ01/HT-F',
      'dealer:—/AQ01/',
      'region:—//',
      'total:—//',
    ]);
    const rows = new Map(b.rows.map((r) => [`${r.level}:${r.dealer ?? r.region ?? 'total'}:${r.contractNo ?? ''}`, r]));
    expect(figures(rows.get('dealer:HF01:') as BreakdownRow)).toEqual(HF01);
    expect(figures(rows.get('dealer:WH01:') as BreakdownRow)).toEqual(WH01);
    expect(figures(rows.get('region:EAST:') as BreakdownRow)).toEqual(EAST);
    expect(figures(rows.get('dealer:AQ01:') as BreakdownRow)).toEqual(AQ01);
    expect(figures(b.totals)).toEqual(GROUP);
    expect(b.totals).toMatchObject({ credit: '1000.00', contracts: 6, lines: 7 });
    expect(rows.get('dealer:WH01:')?.credit).toBe('1000.00');
    expect(rows.get('region:EAST:')?.credit).toBe('1000.00');
    expect(rows.get('dealer:HF01:')?.credit).toBe('0.00');
    // the contract rows, worked above
    expect(rows.get('detail:HF01:HT-A')).toMatchObject({
      customer: '张三',
      collector: 'c1',
      status: 'active',
      amountDue: '2000.00',
      amountPaid: '400.00',
      outstanding: '1600.00',
      notDue: '1000.00',
      overdue: '600.00',
      overdueDays: 20,
      penaltyAccrued: '6.00',
      penaltyOutstanding: '6.00',
      aging: aging({ '1-30': '600.00' }),
    });
    expect(rows.get('detail:HF01:HT-B')).toMatchObject({
      overdueDays: 60,
      penaltyAccrued: '60.00',
      penaltyWaived: '20.00',
      penaltyOutstanding: '40.00',
    });
    expect(rows.get('detail:WH01:HT-D')).toMatchObject({ collector: null, credit: '1000.00', notDue: '3000.00' });
    expect(rows.get('detail:AQ01:HT-E')).toMatchObject({
      status: 'written_off',
      writtenOff: '800.00',
      outstanding: '0.00',
      overdueDays: 0,
      penaltyAccrued: '8.40',
      penaltyOutstanding: '8.40',
    });
    expect(rows.get('detail:AQ01:HT-F')).toMatchObject({ overdueDays: 394, penaltyAccrued: '295.50', aging: aging({ '>360': '1500.00' }) });
    // and each contract row is what `contract show` prints for that date
    for (const no of CONTRACT_NOS) {
      const shown = await showContract(f.db.knex, f.admin, no, DEALER_OF[no], AS_OF);
      const row = rows.get(`detail:${DEALER_OF[no]}:${no}`) as BreakdownRow;
      const { recovered: _, ...totals } = shown.totals;
      expect({ ...totals }, no).toEqual({
        amountDue: row.amountDue,
        amountPaid: row.amountPaid,
        outstanding: row.outstanding,
        overdue: row.overdue,
        penaltyAccrued: row.penaltyAccrued,
        penaltyPaid: row.penaltyPaid,
        penaltyWaived: row.penaltyWaived,
        penaltyOutstanding: row.penaltyOutstanding,
        credit: row.credit,
        writtenOff: row.writtenOff,
      });
      expect(row.status).toBe(shown.status);
    }
    expectConsolidates(b, expect);
  });

  it('every --by gives the same subtotals and total; rows per line, customer, collector, type, dealer, region', async () => {
    const f = get();
    for (const by of ['line', 'contract', 'customer', 'collector', 'dealer', 'region', 'type']) {
      const b = await report(f, { by });
      expect(figures(b.totals), by).toEqual(GROUP);
      expect(b.totals.credit, by).toBe('1000.00');
      expectConsolidates(b, expect);
      if (by !== 'region')
        expect(figures(b.rows.find((r) => r.level === 'dealer' && r.dealer === 'HF01') as BreakdownRow), by).toEqual(HF01);
      expect(figures(b.rows.find((r) => r.level === 'region' && r.region === 'EAST') as BreakdownRow), by).toEqual(EAST);
    }
    const lines = await report(f, { by: 'line' });
    const hta = byLevel(lines.rows, 'detail').filter((r) => r.contractNo === 'HT-A');
    expect(
      hta.map((r) => [r.seq, r.type, r.dueDate, r.outstanding, r.overdue, r.notDue, r.overdueDays, r.penaltyAccrued, r.credit]),
    ).toEqual([
      [1, 'principal', '2026-06-10', '600.00', '600.00', '0.00', 20, '6.00', null],
      [2, 'principal', '2026-07-10', '1000.00', '0.00', '1000.00', 0, '0.00', null],
    ]);
    expect(byLevel(lines.rows, 'detail')).toHaveLength(7);
    // credit belongs to the contract: blank on its lines, in the dealer's subtotal
    expect(lines.rows.find((r) => r.contractNo === 'HT-D')?.credit).toBeNull();
    expect(lines.rows.find((r) => r.level === 'dealer' && r.dealer === 'WH01')?.credit).toBe('1000.00');

    const collectors = await report(f, { by: 'collector' });
    expect(byLevel(collectors.rows, 'detail').map((r) => [r.dealer, r.collector, r.outstanding, r.credit])).toEqual([
      ['HF01', 'c1', '3600.00', '0.00'],
      ['WH01', 'c2', '500.00', '0.00'],
      ['WH01', null, '3000.00', '1000.00'],
      ['AQ01', null, '1500.00', '0.00'],
    ]);
    const types = await report(f, { by: 'type' });
    expect(byLevel(types.rows, 'detail').map((r) => [r.dealer, r.type, r.amountDue, r.contracts])).toEqual([
      ['HF01', 'principal', '4000.00', 2],
      ['WH01', 'fee', '500.00', 1],
      ['WH01', 'principal', '3000.00', 1],
      ['AQ01', 'principal', '2300.00', 2],
    ]);
    const customers = await report(f, { by: 'customer' });
    // per dealer, in the database's collation of the names
    expect(byLevel(customers.rows, 'detail').map((r) => r.dealer)).toEqual(['HF01', 'HF01', 'WH01', 'WH01', 'AQ01', 'AQ01']);
    expect(
      byLevel(customers.rows, 'detail')
        .map((r) => `${r.dealer}:${r.customer}:${r.outstanding}`)
        .sort(),
    ).toEqual(
      ['AQ01:周八:1500.00', 'AQ01:孙七:0.00', 'HF01:张三:1600.00', 'HF01:李四:2000.00', 'WH01:王五:500.00', 'WH01:赵六:3000.00'].sort(),
    );
    const dealers = await report(f, { by: 'dealer' });
    expect(dealers.rows.map((r) => `${r.level}:${r.region ?? '—'}/${r.dealer ?? ''}`)).toEqual([
      'dealer:EAST/HF01',
      'dealer:EAST/WH01',
      'region:EAST/',
      'dealer:—/AQ01',
      'region:—/',
      'total:—/',
    ]);
    const regions = await report(f, { by: 'region' });
    expect(regions.rows.map((r) => `${r.level}:${r.region ?? '—'}:${r.outstanding}`)).toEqual([
      'region:EAST:7100.00',
      'region:—:1500.00',
      'total:—:8600.00',
    ]);
  });

  it('--aging sets the buckets; --dealer, --region, --collector narrow the rows and totals', async () => {
    const f = get();
    const b = await report(f, { aging: '45,400' });
    expect(b.aging).toEqual(['1-45', '46-400', '>400']);
    // 600.00 (20 d) → 1-45; 2,000.00 (60 d), 500.00 (121 d), 1,500.00 (394 d) → 46-400
    expect(b.totals.aging).toEqual({ '1-45': '600.00', '46-400': '4000.00', '>400': zero });
    const hf = await report(f, { dealer: 'hf01' });
    expect(hf.scope).toMatchObject({ kind: 'dealer', code: 'HF01', name: '合肥代理店' });
    expect(figures(hf.totals)).toEqual(HF01);
    const east = await report(f, { region: 'EAST' });
    expect(figures(east.totals)).toEqual(EAST);
    expect(east.totals.credit).toBe('1000.00');
    const c2 = await report(f, { collector: 'c2' });
    expect(byLevel(c2.rows, 'detail').map((r) => r.contractNo)).toEqual(['HT-C']);
    expect(c2.totals).toMatchObject({ outstanding: '500.00', penaltyAccrued: '30.25', credit: '0.00' });
    // an earlier date: before HT-A's payment and due date, HT-B overdue 30 days
    const may = await report(f, { asOf: '2026-05-31', dealer: 'HF01' });
    expect(may.totals).toMatchObject({ amountPaid: zero, overdue: '2000.00', overdueDays: 30, penaltyAccrued: '30.00' });
  });

  it('the table: Chinese headers, grouped amounts, 小计 and 合计 rows, title and subtitle; the sheets', async () => {
    const f = get();
    const b = await report(f, {});
    const text = breakdownTable(b);
    const lines = text.split('\n');
    expect(lines.slice(0, 4)).toEqual(['债权分解表', '集团', '截至：2026年6月30日', '口径：重述']);
    expect(lines[5]).toMatch(
      /^区域\s+经销商\s+合同编号\s+客户\s+催收员\s+应还金额\s+已还金额\s+坏账核销\s+未还金额\s+未到期\s+逾期金额\s+最长逾期天数\s+逾期1-30天/,
    );
    expect(lines[5]).toMatch(/已计罚息\s+已收罚息\s+减免罚息\s+未收罚息\s+预收余额\s+状态$/);
    expect(text).toMatch(/HF01 合肥代理店 小计 .* 4,000\.00/);
    expect(text).toMatch(/EAST 华东区 小计/);
    expect(text).toMatch(/— 小计/);
    expect(lines.at(-1)).toMatch(/^合计 .* 9,800\.00 .* 1,000\.00$/);
    expect(text).toMatch(/坏账核销$/m); // HT-E's status
    const [detail, summary] = breakdownSheets(b);
    expect(detail?.rows.map((r) => r.level)).toEqual([
      'detail',
      'detail',
      'subtotal',
      'detail',
      'detail',
      'subtotal',
      'subtotal',
      'detail',
      'detail',
      'subtotal',
      'subtotal',
      'total',
    ]);
    expect(summary?.rows.map((r) => [r.level, r.cells[0], r.cells[1]])).toEqual([
      ['detail', 'EAST', 'HF01 合肥代理店'],
      ['detail', 'EAST', 'WH01 芜湖代理店'],
      ['subtotal', 'EAST 华东区 小计', null],
      ['detail', '—', 'AQ01 安庆代理店'],
      ['subtotal', '— 小计', null],
      ['total', '合计', null],
    ]);
    expect(detail?.columns.filter((c) => c.kind === 'money')).toHaveLength(6 + 6 + 4 + 1);
  });

  it('--format csv and xlsx write the file --out names (the report workbook writer), and need one', async () => {
    const f = get();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zq-breakdown-'));
    const csv = path.join(dir, 'b.csv');
    await report(f, { format: 'csv', out: csv });
    const lines = fs.readFileSync(csv, 'utf8').split('\r\n');
    expect(lines[0]).toMatch(/^\uFEFF区域,经销商,合同编号,客户,催收员,应还金额,/);
    expect(lines.filter((l) => l.startsWith('合计,'))).toEqual([expect.stringMatching(/^合计,,,,,9800\.00,400\.00,800\.00,8600\.00,/)]);
    const xlsx = path.join(dir, 'b.xlsx');
    await report(f, { format: 'xlsx', out: xlsx });
    expect(fs.readFileSync(xlsx).subarray(0, 2).toString()).toBe('PK');
    expect(fs.readdirSync(dir).sort()).toEqual(['b.csv', 'b.xlsx']);
    await expect(report(f, { format: 'xlsx' })).rejects.toThrow(/^out: missing — expected a file to write the XLSX to/);
  });

  it('csv and xlsx, streamed from the database, are the files the in-memory report makes, for every --by and basis', async () => {
    const f = get();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zq-breakdown-stream-'));
    const sheetsOf = async (file: string) => {
      const sheets: [string, string[][]][] = [];
      for await (const sheet of readXlsxSheets(file)) {
        const rows: string[][] = [];
        for await (const row of sheet.rows) rows.push(row.cells);
        sheets.push([sheet.name, rows]);
      }
      return sheets;
    };
    for (const by of BREAKDOWN_BY) {
      for (const restated of [true, false]) {
        const raw = { by, restated, aging: '30,90' };
        const b = await report(f, { ...raw, format: 'json' });
        await writeReportCsv(path.join(dir, 'memory.csv'), breakdownSheets(b)[0] as ReportSheet);
        await writeReportXlsx(path.join(dir, 'memory.xlsx'), breakdownWorkbook(b));
        const csv = await report(f, { ...raw, format: 'csv', out: path.join(dir, 'stream.csv') });
        const xlsx = await report(f, { ...raw, format: 'xlsx', out: path.join(dir, 'stream.xlsx') });
        const what = `--by ${by}${restated ? ' --restated' : ''}`;
        expect(fs.readFileSync(path.join(dir, 'stream.csv')), what).toEqual(fs.readFileSync(path.join(dir, 'memory.csv')));
        expect(await sheetsOf(path.join(dir, 'stream.xlsx')), what).toEqual(await sheetsOf(path.join(dir, 'memory.xlsx')));
        for (const out of [csv, xlsx]) {
          expect(out.written, what).toBe(b.rows.length);
          expect(out.rows, what).toEqual(b.rows.filter((r) => r.level !== 'detail'));
          expect(out.totals, what).toEqual(b.totals);
        }
      }
    }
    expect(fs.readdirSync(dir).sort()).toEqual(['memory.csv', 'memory.xlsx', 'stream.csv', 'stream.xlsx']);
  });

  it('the streamed rows, fetched a few at a time, are the in-memory rows; the cursor is closed when they are left', async () => {
    const f = get();
    const input = { asOf: AS_OF, restated: true, by: 'line' as const, aging: parseAging(undefined) };
    const expected = await f.db.knex.transaction((tx) => breakdown(tx, f.admin, input));
    // 1 and 3 end on a full fetch and on a short one; 1000 reads all in one
    for (const fetchRows of [1, 3, expected.rows.length, 1000]) {
      const got = await f.db.knex.transaction(async (tx) => {
        const s = await breakdownStream(tx, f.admin, input, fetchRows);
        const rows: BreakdownRow[] = [];
        for await (const r of s.rows) rows.push(r);
        // closed, read to the end or left after a row: another report in the same transaction declares it again
        const left = (await breakdownStream(tx, f.admin, input, fetchRows)).rows[Symbol.asyncIterator]();
        expect((await left.next()).value).toEqual(expected.rows[0]);
        await left.return?.();
        const third = await breakdownStream(tx, f.admin, input, fetchRows);
        let count = 0;
        for await (const r of third.rows) count += r.level === 'total' ? 0 : 1;
        return { rows, totals: s.totals(), third: third.totals(), count };
      });
      expect(got.rows, `fetch ${fetchRows}`).toEqual(expected.rows);
      expect(got.totals).toEqual(expected.totals);
      expect(got.third).toEqual(expected.totals);
      expect(got.count).toBe(expected.rows.length - 1);
    }
  });

  it('bad inputs: one line naming the field and what was expected', async () => {
    const f = get();
    await expect(report(f, { aging: '30,20' })).rejects.toThrow(/^aging: "30,20" — expected increasing whole numbers of days/);
    await expect(report(f, { asOf: '2026-07-01' })).rejects.toThrow(
      /^asOf: "2026-07-01" — expected a date up to 2026-06-30, the last date the nightly batch completed/,
    );
    await expect(report(f, { dealer: 'HF01', region: 'EAST' })).rejects.toThrow(
      /^region: "EAST" — expected either a dealer or a region, not both/,
    );
    await expect(report(f, { by: 'month' })).rejects.toThrow(/^by: "month" — expected line, contract, customer/);
    await expect(report(f, { format: 'pdf' })).rejects.toThrow(BadInput);
    await expect(report(f, { asOf: '2026-02-30' })).rejects.toThrow(BadInput);
    await expect(report(f, { dealer: 'NOPE' })).rejects.toThrow(NotFound);
    await expect(report(f, { region: 'HF01' })).rejects.toThrow(NotFound); // a dealer, not a region
    await expect(report(f, { collector: 'nobody' })).rejects.toThrow(NotFound);
  });
});

// Data scope: the organisation of test/access/organisation.ts (four levels of users across two dealers); each
// contract 1,200.00 in three installments due 01-10, 02-10, 03-10, all overdue on 03-31 (80, 49, 21 days):
// penalty 400.00 × 0.0005 × (80 + 49 + 21) = 30.00 a contract.
describeEachDb('report breakdown: data scope', (get) => {
  it('builds the organisation and runs the batch', async () => {
    const f = get();
    await buildOrganisation(f.db.knex, f.admin);
    await batch(f.db, f.admin, '2026-03-31');
  });

  it('each user sees exactly their contracts, and totals of those alone', async () => {
    const f = get();
    const seen: Record<string, string[]> = {
      admin: ['HF-1', 'HF-2', 'HF-3', 'HF-4', 'HF-5', 'WH-1', 'WH-2', 'WH-3'],
      aud: ['HF-1', 'HF-2', 'HF-3', 'HF-4', 'HF-5', 'WH-1', 'WH-2', 'WH-3'],
      'hf.fin': ['HF-1', 'HF-2', 'HF-3', 'HF-4', 'HF-5'],
      boss: ['HF-1', 'HF-2', 'HF-3', 'HF-4', 'WH-1', 'WH-2', 'WH-3'],
      'hf.lead': ['HF-1', 'HF-2', 'HF-3'],
      'wh.c1': ['WH-1'],
    };
    for (const [user, nos] of Object.entries(seen)) {
      const b = await report(f, {}, user);
      expect(
        byLevel(b.rows, 'detail').map((r) => r.contractNo),
        user,
      ).toEqual(nos);
      expect(b.totals, user).toMatchObject({
        outstanding: `${nos.length * 1200}.00`,
        penaltyAccrued: `${nos.length * 30}.00`,
        contracts: nos.length,
      });
      expect(b.scope.limitedTo, user).toBe(['admin', 'aud'].includes(user) ? null : user);
      expectConsolidates(b, expect);
    }
  });

  it('a dealer or collector outside the scope is not found, as an unknown one', async () => {
    const f = get();
    const refused = await report(f, { dealer: 'WH01' }, 'hf.fin').catch((e) => e);
    expect(refused).toBeInstanceOf(NotFound);
    expect(refused.message).toBe('dealer not found: "WH01"');
    await expect(report(f, { collector: 'wh.c1' }, 'hf.c1')).rejects.toThrow('collector not found: "wh.c1"');
    expect(byLevel((await report(f, { collector: 'hf.c2' }, 'hf.lead')).rows, 'detail').map((r) => r.contractNo)).toEqual(['HF-2']);
    // report diff checks its dealer as every report does
    for (const [dealer, who] of [
      ['NOPE', 'admin'],
      ['WH01', 'hf.fin'],
      ['WH01', 'hf.c1'],
    ] as const) {
      const diff = runAction(f.db, who, 'report.diff', { asOf: '2026-03-31', dealer }, { via: 'test' });
      await expect(diff, `${who} ${dealer}`).rejects.toThrow(`dealer not found: "${dealer}"`);
    }
  });

  it('as reported, a collector is the one the contract had that night, in the rows, --by collector and --collector alike', async () => {
    const f = get();
    // HF-2 moves from hf.c2 to hf.c1 after the night of 03-31 was reported
    await runAction(
      f.db,
      'hf.lead',
      'collection.assign',
      { contractNo: 'HF-2', dealer: 'HF01', to: 'hf.c1', reason: '调整分工', date: '2026-04-01' },
      { via: 'test' },
    );
    const reported = (raw: Record<string, string>, who: string) => report(f, { ...raw, restated: false, asOf: '2026-03-31' }, who);
    const rows = async (raw: Record<string, string>, who: string) =>
      byLevel((await reported(raw, who)).rows, 'detail').map((r) => [r.contractNo, r.collector]);
    // that night hf.c2 held HF-2: the rows say so, and --collector hf.c2 finds it, as --by collector counts it
    expect(await rows({ collector: 'hf.c2' }, 'hf.lead')).toEqual([['HF-2', 'hf.c2']]);
    expect(await rows({ collector: 'hf.c1' }, 'hf.lead')).toEqual([['HF-1', 'hf.c1']]);
    const byCollector = await reported({ by: 'collector' }, 'hf.lead');
    for (const name of ['hf.c1', 'hf.c2']) {
      const row = byLevel(byCollector.rows, 'detail').find((r) => r.collector === name);
      expect(row, name).toMatchObject({ contracts: 1, outstanding: '1200.00' });
      expect((await reported({ collector: name }, 'hf.lead')).totals, name).toMatchObject({ contracts: 1, outstanding: '1200.00' });
    }
    // restated, today's assignment: hf.c1 holds both
    const restated = await report(f, { collector: 'hf.c1', asOf: '2026-03-31' }, 'hf.lead');
    expect(byLevel(restated.rows, 'detail').map((r) => [r.contractNo, r.collector])).toEqual([
      ['HF-1', 'hf.c1'],
      ['HF-2', 'hf.c1'],
    ]);
    // the data scope is today's: hf.c1 may now see HF-2 (reported under hf.c2, who held it), hf.c2 no longer
    expect(await rows({}, 'hf.c1')).toEqual([
      ['HF-1', 'hf.c1'],
      ['HF-2', 'hf.c2'],
    ]);
    expect(await rows({}, 'hf.c2')).toEqual([]);
  });

  it('restated before an imported ledger’s cut-over: refused, naming the dealer and the date; --dealer narrows it', async () => {
    const f = get();
    // WH-1 as an import leaves it: signed before, its payments until the cut-over one opening balance on that date
    await f.db.knex('contracts').where({ contract_no: 'WH-1' }).update({ sign_date: '2026-01-01', cutover_date: '2026-03-15' });
    try {
      const expected = "when WH01's ledger was imported";
      await expect(report(f, { asOf: '2026-03-10' })).rejects.toThrow(
        `asOf: "2026-03-10" — expected a date on or after 2026-03-15, ${expected}`,
      );
      await expect(runAction(f.db, 'admin', 'report.overdue', { asOf: '2026-03-10', restated: true }, { via: 'test' })).rejects.toThrow(
        expected,
      );
      await expect(
        runAction(f.db, 'admin', 'report.trend', { from: '2026-02', to: '2026-03', restated: true }, { via: 'test' }),
      ).rejects.toThrow(`from: "2026-02" — expected a month ending on or after 2026-03-15, ${expected}`);
      // the other dealer, the cut-over date itself, and a user who cannot see WH-1 are not refused
      expect((await report(f, { asOf: '2026-03-10', dealer: 'HF01' })).totals.contracts).toBe(5);
      expect((await report(f, { asOf: '2026-03-15' })).totals.contracts).toBe(8);
      expect((await report(f, { asOf: '2026-03-10' }, 'hf.fin')).totals.contracts).toBe(5);
    } finally {
      await f.db.knex('contracts').where({ contract_no: 'WH-1' }).update({ sign_date: null, cutover_date: null });
    }
  });
});
