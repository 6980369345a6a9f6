// The overdue list per collector (催收清单) of the small world (more-fixtures.ts), worked by hand, on both
// databases: the contracts with an overdue line, per collector with subtotals, the total; --min-overdue-days;
// scope; bad inputs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { runAction } from '../../src/app/run.js';
import { BadInput, NotFound, Refused } from '../../src/core/errors.js';
import { readXlsxSheets } from '../../src/imports/xlsx.js';
import type { OverdueList } from '../../src/reports/overdue.js';
import { overdueDocument, overdueTable } from '../../src/reports/overdue-view.js';
import { type DbFixture, describeEachDb } from '../support/db.js';
import { AS_OF, buildWorld, expectSheetCells } from './more-fixtures.js';

// As of 2026-06-30 (penalty 0.0005 a day):
//   A1 (c1): line 1 1,000.00 due 04-10 → 81 days (20 in April + 31 + 30), penalty 81 × 1,000.00 × 0.0005 = 40.50;
//        line 2 100.00 due 06-10 → 20 days, penalty 20 × 100.00 × 0.0005 = 1.00; line 3 not due.
//        Overdue 1,100.00, 81 days, penalty outstanding 41.50.
//   A2 (c1): 3,000.00 due 06-01, 1,000.00 paid on the due date → 2,000.00, 29 days, 29 × 2,000.00 × 0.0005 = 29.00.
//   A3 (c2): 500.00 due 06-25 → 5 days, 5 × 500.00 × 0.0005 = 1.25.
//   A4 (c2): paid up (its 2.00 of penalty too): not listed.
//   W1 (w1): 1,500.00 due 03-01 → 121 days (30 + 30 + 31 + 30), 121 × 1,500.00 × 0.0005 = 90.75 (R4 reversed).
//   W2 (nobody): 200.00 due 06-29 → 1 day, 0.10.   W3: nothing due.   B1: closed by the buyback, its 代付 line
//   due 06-30 not overdue on 06-30.
//   c1: A2 2,000.00 before A1 1,100.00 (largest first) → 2 contracts, 3 lines, 3,100.00, penalty 70.50
//   c2: 500.00, 1.25   w1: 1,500.00, 90.75   —: 200.00, 0.10
//   total: 5 contracts, 6 lines, 5,300.00, penalty 162.60

const report = (f: DbFixture, raw: Record<string, string | boolean>, who = 'admin') =>
  runAction(f.db, who, 'report.overdue', { restated: true, ...raw }, { via: 'test' }) as Promise<OverdueList>;

const keys = (list: OverdueList) => list.contracts.map((c) => `${c.collector ?? '—'}:${c.contractNo}:${c.overdue}`);

describeEachDb('report overdue', (get) => {
  it('before any batch run: a refusal that names the batch', async () => {
    await expect(report(get(), {})).rejects.toThrow(Refused);
    await expect(report(get(), {})).rejects.toThrow(/no nightly batch has completed yet: the overdue list needs the penalty/);
  });

  it('builds the world', async () => {
    await buildWorld(get().db, get().admin);
  });

  it('per collector, largest overdue first: the hand-worked contracts, lines, subtotals and total', async () => {
    const list = await report(get(), {});
    expect(list).toMatchObject({ asOf: AS_OF, restated: true, minOverdueDays: 1, scope: { kind: 'group', limitedTo: null } });
    expect(keys(list)).toEqual(['c1:A2:2000.00', 'c1:A1:1100.00', 'c2:A3:500.00', 'w1:W1:1500.00', '—:W2:200.00']);
    expect(list.contracts[1]).toEqual({
      dealer: 'HF01',
      dealerName: '合肥代理店',
      contractNo: 'A1',
      customer: '张三',
      phone: '13800000001',
      collector: 'c1',
      machines: [{ model: 'SY215C', serialNo: 'SN-A1' }],
      lines: [
        { seq: 1, type: 'principal', dueDate: '2026-04-10', outstanding: '1000.00', overdueDays: 81 },
        { seq: 2, type: 'interest', dueDate: '2026-06-10', outstanding: '100.00', overdueDays: 20 },
      ],
      overdueDays: 81,
      overdue: '1100.00',
      penaltyOutstanding: '41.50',
    });
    expect(list.contracts.map((c) => [c.contractNo, c.overdueDays, c.penaltyOutstanding])).toEqual([
      ['A2', 29, '29.00'],
      ['A1', 81, '41.50'],
      ['A3', 5, '1.25'],
      ['W1', 121, '90.75'],
      ['W2', 1, '0.10'],
    ]);
    expect(list.contracts[2]?.machines).toEqual([
      { model: 'SY75', serialNo: 'SN-A3a' },
      { model: 'SY75', serialNo: 'SN-A3b' },
    ]);
    expect(list.contracts[0]).toMatchObject({ phone: '13800000002', machines: [] });
    expect(list.collectors).toEqual([
      { collector: 'c1', contracts: 2, lines: 3, overdue: '3100.00', penaltyOutstanding: '70.50' },
      { collector: 'c2', contracts: 1, lines: 1, overdue: '500.00', penaltyOutstanding: '1.25' },
      { collector: 'w1', contracts: 1, lines: 1, overdue: '1500.00', penaltyOutstanding: '90.75' },
      { collector: null, contracts: 1, lines: 1, overdue: '200.00', penaltyOutstanding: '0.10' },
    ]);
    expect(list.totals).toEqual({ contracts: 5, lines: 6, overdue: '5300.00', penaltyOutstanding: '162.60' });
  });

  it('--min-overdue-days keeps the contracts overdue that long; an earlier --as-of', async () => {
    const list = await report(get(), { minOverdueDays: '30' });
    expect(keys(list)).toEqual(['c1:A1:1100.00', 'w1:W1:1500.00']);
    // A1 keeps both overdue lines (the 20-day one too): the filter is on the contract's largest overdue days
    expect(list.contracts[0]?.lines).toHaveLength(2);
    expect(list.totals).toEqual({ contracts: 2, lines: 3, overdue: '2600.00', penaltyOutstanding: '132.25' });
    // 05-31: A1 line 1 51 days (25.50), W1 91 days (68.25); A4 due 05-15 was paid on 05-20
    const may = await report(get(), { asOf: '2026-05-31' });
    expect(keys(may)).toEqual(['c1:A1:1000.00', 'w1:W1:1500.00']);
    expect(may.totals).toEqual({ contracts: 2, lines: 2, overdue: '2500.00', penaltyOutstanding: '93.75' });
  });

  it('scope: a collector sees their own, dealer staff their dealer; another team or dealer is not found', async () => {
    const f = get();
    expect(keys(await report(f, {}, 'c2'))).toEqual(['c2:A3:500.00']);
    expect(keys(await report(f, {}, 'w1'))).toEqual(['w1:W1:1500.00']);
    const hf = await report(f, {}, 'hf.fin');
    expect(keys(hf)).toEqual(['c1:A2:2000.00', 'c1:A1:1100.00', 'c2:A3:500.00']);
    expect(hf.scope).toEqual({ kind: 'group', code: null, name: null, limitedTo: 'hf.fin' });
    expect(hf.totals).toEqual({ contracts: 3, lines: 4, overdue: '3600.00', penaltyOutstanding: '71.75' });
    expect(keys(await report(f, { dealer: 'WH01' }, 'wh.clerk'))).toEqual(['w1:W1:1500.00', '—:W2:200.00']);
    await expect(report(f, { dealer: 'HF01' }, 'wh.clerk')).rejects.toThrow(NotFound);
    await expect(report(f, { collector: 'c1' }, 'c2')).rejects.toThrow(NotFound);
    await expect(report(f, { collector: 'c1' }, 'w1')).rejects.toThrow(NotFound);
    expect(keys(await report(f, { collector: 'c1' }, 'hf.fin'))).toEqual(['c1:A2:2000.00', 'c1:A1:1100.00']);
    expect(keys(await report(f, { region: 'EAST' }))).toHaveLength(5);
    expect(keys(await report(f, { dealer: 'AQ01' }))).toEqual([]);
  });

  it('the table and the sheets: Chinese headers, the overdue lines in one cell, 小计 and 合计', async () => {
    const list = await report(get(), {});
    const text = overdueTable(list).split('\n');
    expect(text.slice(0, 4)).toEqual(['催收清单', '集团', '截至：2026年6月30日', '口径：重述']);
    expect(text[5]).toMatch(
      /^催收员\s+经销商\s+合同编号\s+客户\s+电话\s+机器（型号 序列号）\s+逾期期次\s+最长逾期天数\s+逾期金额\s+未收罚息$/,
    );
    expect(text.find((l) => l.includes(' A1 '))).toMatch(
      /1期 货款 2026-04-10 1,000\.00 逾期81天；2期 利息 2026-06-10 100\.00 逾期20天 +81 +1,100\.00 +41\.50$/,
    );
    expect(text.find((l) => l.startsWith('c1 小计'))).toMatch(/2 份合同 +3,100\.00 +70\.50$/);
    expect(text.at(-1)).toMatch(/^合计 .*5 份合同 +5,300\.00 +162\.60$/);
    const [contracts, lines] = overdueDocument(list).sheets;
    expectSheetCells(overdueDocument(list).sheets);
    expect(contracts?.rows.map((r) => r.level)).toEqual([
      'detail',
      'detail',
      'subtotal',
      'detail',
      'subtotal',
      'detail',
      'subtotal',
      'detail',
      'subtotal',
      'total',
    ]);
    expect(contracts?.rows.at(-2)?.cells[0]).toBe('— 小计');
    expect(lines?.rows).toHaveLength(7);
    expect(lines?.rows[1]?.cells).toEqual(['c1', 'HF01', 'A1', '张三', 1, '货款', '2026-04-10', '1000.00', 81]);
    expect(lines?.columns.map((c) => c.kind)).toEqual(['text', 'text', 'text', 'text', 'integer', 'text', 'date', 'money', 'integer']);
  });

  it('--format csv and xlsx write the file --out names (the report workbook writer), and need one', async () => {
    const f = get();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zq-overdue-'));
    const csv = path.join(dir, 'o.csv');
    await report(f, { format: 'csv', out: csv });
    const lines = fs.readFileSync(csv, 'utf8').split('\r\n');
    expect(lines[0]).toMatch(/^\uFEFF催收员,经销商,合同编号,/);
    expect(lines.filter((l) => l.startsWith('合计,'))).toHaveLength(1);
    const xlsx = path.join(dir, 'o.xlsx');
    await report(f, { format: 'xlsx', out: xlsx });
    const cells: string[] = [];
    for await (const sheet of readXlsxSheets(xlsx)) for await (const row of sheet.rows) cells.push(...row.cells);
    expect(cells[0]).toBe('催收清单');
    expect(cells).toContain('合计');
    expect(fs.readdirSync(dir).sort()).toEqual(['o.csv', 'o.xlsx']);
    await expect(report(f, { format: 'xlsx' })).rejects.toThrow(/^out: missing — expected a file to write the XLSX to/);
  });

  it('bad inputs: one line naming the field and what was expected', async () => {
    const f = get();
    await expect(report(f, { asOf: '2026-07-01' })).rejects.toThrow(/^asOf: "2026-07-01" — expected a date up to 2026-06-30/);
    await expect(report(f, { minOverdueDays: 'ten' })).rejects.toThrow(/^minOverdueDays: "ten" — expected a whole number of days/);
    await expect(report(f, { format: 'pdf' })).rejects.toThrow(/^format: "pdf" — expected table, json, csv, xlsx$/);
    await expect(report(f, { dealer: 'HF01', region: 'EAST' })).rejects.toThrow(/^region: "EAST" — expected either a dealer or a region/);
    await expect(report(f, { asOf: '2026-02-30' })).rejects.toThrow(BadInput);
    await expect(report(f, { dealer: 'NOPE' })).rejects.toThrow(NotFound);
  });
});
