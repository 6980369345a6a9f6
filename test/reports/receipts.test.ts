// The receipts journal (收款日记账) of the small world (more-fixtures.ts), worked by hand, on both databases: the
// confirmed receipts of a period with what each paid, subtotals per account and method, the total; buyback
// transfers apart from cash; a reversed receipt left out and noted; scope; bad inputs.
import { expect, it } from 'vitest';
import { runAction } from '../../src/app/run.js';
import { dec, sumMoney } from '../../src/core/money.js';
import { RECEIPT_PARTS, type ReceiptsJournal } from '../../src/reports/receipts.js';
import { receiptsDocument, receiptsTable } from '../../src/reports/receipts-view.js';
import { type DbFixture, describeEachDb } from '../support/db.js';
import { buildWorld, expectSheetCells } from './more-fixtures.js';

// 2026-05-01 … 2026-06-30:
//   R2 05-20 A4 cash CASH 802.00: 5 days' penalty (05-16 … 05-20) × 800.00 × 0.0005 = 2.00 first, principal 800.00
//   R1 06-01 A2 bank_transfer ICBC-01 1,000.00: all principal (due that day, no penalty yet)
//   R3 06-15 W3 bank_transfer ICBC-01 300.00: nothing due (08-01) → credit 300.00
//   R4 06-05 W1 cash CASH 500.00: reversed (录入错误) → left out, listed under 已冲正
//   B1's buyback transfer 06-30 (method buyback, payer AQ01): principal 600.00 + 10 days' penalty 3.00 = 603.00,
//   its own section, not cash.
//   CASH/cash 1 receipt 802.00 (800.00 + 2.00); ICBC-01/bank_transfer 2 receipts 1,300.00 (1,000.00 + credit 300.00)
//   total 3 receipts 2,102.00: principal 1,800.00, penalty 2.00, credit 300.00

const FROM = '2026-05-01';
const TO = '2026-06-30';

const report = (f: DbFixture, raw: Record<string, string>, who = 'admin') =>
  runAction(f.db, who, 'report.receipts', { from: FROM, to: TO, ...raw }, { via: 'test' }) as Promise<ReceiptsJournal>;

const zero = { principal: '0.00', other: '0.00', penalty: '0.00', credit: '0.00', recovery: '0.00' };
const numbers = (j: ReceiptsJournal) => j.receipts.map((r) => `${r.number}:${r.amount}`);

describeEachDb('report receipts', (get) => {
  it('builds the world', async () => {
    await buildWorld(get().db, get().admin);
  });

  it('the cash receipts of the period, what each paid, per account and method, the total; buybacks apart', async () => {
    const j = await report(get(), {});
    expect(j).toMatchObject({ from: FROM, to: TO, scope: { kind: 'group' }, collector: null });
    expect(j.receipts).toEqual([
      {
        number: 'R2',
        valueDate: '2026-05-20',
        dealer: 'HF01',
        contractNo: 'A4',
        customer: '赵六',
        collector: 'c2',
        payer: '赵六',
        method: 'cash',
        account: 'CASH',
        reference: null,
        amount: '802.00',
        ...zero,
        principal: '800.00',
        penalty: '2.00',
      },
      expect.objectContaining({ number: 'R1', valueDate: '2026-06-01', amount: '1000.00', ...zero, principal: '1000.00' }),
      expect.objectContaining({ number: 'R3', valueDate: '2026-06-15', amount: '300.00', ...zero, credit: '300.00', collector: 'w1' }),
    ]);
    // each receipt's parts add up to it
    for (const r of [...j.receipts, ...j.buybacks])
      expect(sumMoney(RECEIPT_PARTS.map((p) => r[p])).equals(dec(r.amount)), r.number).toBe(true);
    expect(j.subtotals).toEqual([
      { level: 'method', account: 'CASH', method: 'cash', receipts: 1, amount: '802.00', ...zero, principal: '800.00', penalty: '2.00' },
      { level: 'account', account: 'CASH', method: null, receipts: 1, amount: '802.00', ...zero, principal: '800.00', penalty: '2.00' },
      {
        level: 'method',
        account: 'ICBC-01',
        method: 'bank_transfer',
        receipts: 2,
        amount: '1300.00',
        ...zero,
        principal: '1000.00',
        credit: '300.00',
      },
      {
        level: 'account',
        account: 'ICBC-01',
        method: null,
        receipts: 2,
        amount: '1300.00',
        ...zero,
        principal: '1000.00',
        credit: '300.00',
      },
    ]);
    expect(j.totals).toEqual({
      level: 'total',
      account: null,
      method: null,
      receipts: 3,
      amount: '2102.00',
      ...zero,
      principal: '1800.00',
      penalty: '2.00',
      credit: '300.00',
    });
    expect(j.buybacks).toEqual([
      expect.objectContaining({
        valueDate: '2026-06-30',
        dealer: 'AQ01',
        contractNo: 'B1',
        method: 'buyback',
        payer: 'AQ01',
        amount: '603.00',
        principal: '600.00',
        penalty: '3.00',
      }),
    ]);
    expect(j.buybackTotals).toMatchObject({ level: 'total', receipts: 1, amount: '603.00', principal: '600.00', penalty: '3.00' });
    expect(j.reversed).toEqual([
      {
        number: 'R4',
        valueDate: '2026-06-05',
        dealer: 'WH01',
        contractNo: 'W1',
        customer: '孙七',
        amount: '500.00',
        reversedOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        reason: '录入错误',
      },
    ]);
  });

  it('the period bounds the value dates; an empty period has zero totals', async () => {
    const june = await report(get(), { from: '2026-06-01' });
    expect(numbers(june)).toEqual(['R1:1000.00', 'R3:300.00']);
    expect(june.totals).toMatchObject({ receipts: 2, amount: '1300.00' });
    const day = await report(get(), { from: '2026-05-20', to: '2026-05-20' });
    expect(numbers(day)).toEqual(['R2:802.00']);
    expect(day.reversed).toEqual([]);
    const none = await report(get(), { from: '2026-01-01', to: '2026-01-31' });
    expect(none.receipts).toEqual([]);
    expect(none.subtotals).toEqual([]);
    expect(none.totals).toEqual({ level: 'total', account: null, method: null, receipts: 0, amount: '0.00', ...zero });
    expect(none.buybackTotals.amount).toBe('0.00');
  });

  it('scope: a collector their contracts’ receipts, dealer staff their dealer’s; another dealer is not found', async () => {
    const f = get();
    expect(numbers(await report(f, {}, 'c2'))).toEqual(['R2:802.00']);
    const w1 = await report(f, {}, 'w1');
    expect(numbers(w1)).toEqual(['R3:300.00']);
    expect(w1.reversed.map((r) => r.number)).toEqual(['R4']);
    expect(w1.buybacks).toEqual([]);
    expect(numbers(await report(f, {}, 'hf.fin'))).toEqual(['R2:802.00', 'R1:1000.00']);
    expect((await report(f, {}, 'hf.fin')).totals.amount).toBe('1802.00');
    expect(numbers(await report(f, { dealer: 'WH01' }, 'wh.clerk'))).toEqual(['R3:300.00']);
    await expect(report(f, { dealer: 'HF01' }, 'wh.clerk')).rejects.toThrow(/^dealer not found: "HF01"$/);
    await expect(report(f, { collector: 'c1' }, 'c2')).rejects.toThrow(/^collector not found: "c1"$/);
    expect(numbers(await report(f, { collector: 'c1' }))).toEqual(['R1:1000.00']);
    expect(numbers(await report(f, { region: 'EAST' }))).toEqual(['R2:802.00', 'R1:1000.00', 'R3:300.00']);
    expect((await report(f, { region: 'EAST' })).buybacks).toEqual([]);
  });

  it('the table: title, period, the note, the four sheets with 小计 and 合计', async () => {
    const j = await report(get(), {});
    const text = receiptsTable(j).split('\n');
    expect(text.slice(0, 4)).toEqual([
      '收款日记账',
      '集团',
      '期间：2026年5月1日至2026年6月30日',
      '说明：已冲正的收款不计入（列于“已冲正”）；回购转账不是现金收款，单列于“回购转账”，不计入合计',
    ]);
    expect(text[5]).toMatch(
      /^收款单号\s+起息日\s+经销商\s+合同编号\s+客户\s+付款人\s+收款方式\s+收款账户\s+金额\s+本金\s+其他款项\s+罚息\s+预收\s+坏账收回$/,
    );
    expect(text.find((l) => l.startsWith('合计 '))).toMatch(/3 笔 +2,102\.00 +1,800\.00 +0\.00 +2\.00 +300\.00 +0\.00$/);
    expect(text.find((l) => l.startsWith('ICBC-01 小计'))).toMatch(/2 +1,300\.00/);
    expect(text.find((l) => l.startsWith('回购转账合计'))).toMatch(/1 笔 +603\.00 +600\.00 +0\.00 +3\.00/);
    expect(text.find((l) => l.startsWith('R4 '))).toMatch(/500\.00 +\d{4}-\d{2}-\d{2} +录入错误$/);
    expect(receiptsDocument(j).sheets.map((s) => s.name)).toEqual(['收款明细', '按账户汇总', '回购转账', '已冲正']);
    expectSheetCells(receiptsDocument(j).sheets);
  });

  it('bad inputs: one line naming the field and what was expected', async () => {
    const f = get();
    const run = (raw: Record<string, string | undefined>) => runAction(f.db, 'admin', 'report.receipts', raw, { via: 'test' });
    await expect(run({ to: TO })).rejects.toThrow(/^from: missing — expected the first date of the period/);
    await expect(run({ from: FROM })).rejects.toThrow(/^to: missing — expected the last date of the period/);
    await expect(run({ from: '2026-06-30', to: '2026-06-01' })).rejects.toThrow(
      /^to: "2026-06-01" — expected a date on or after --from 2026-06-30$/,
    );
    await expect(run({ from: '2025-01-01', to: '2026-06-30' })).rejects.toThrow(
      /^to: "2026-06-30" — expected a period of at most 366 days/,
    );
    await expect(run({ from: '2026-13-01', to: TO })).rejects.toThrow(/^from: "2026-13-01"/);
    await expect(run({ from: FROM, to: TO, format: 'xml' })).rejects.toThrow(/^format: "xml" — expected table, json, csv, xlsx$/);
  });
});
