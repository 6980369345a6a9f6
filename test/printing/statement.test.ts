// The statement of account (对账单) of a hand-worked ledger, pure (buildStatement) and through its template; then
// printed by real Chromium, its text read back with pdftotext, and the batch writer's folder rules.
//
// Contract HT-1 of 张三, line 1 principal 30,000.00 due 2026-02-28, line 2 principal 30,000.00 due 2026-04-30;
// penalty 0.0005 a day. Period 2026-03-01 … 2026-03-31:
//   opening (as of 02-28): line 1 due and unpaid → 30,000.00 (line 2 not yet due: not owed yet)
//   03-02 receipt R-1 10,030.00: penalty 03-01…03-02 = 2 d × 30,000.00 × 0.0005 = 30.00 first, then 10,000.00
//         to line 1 → balance 30,000.00 − 10,030.00 = 19,970.00
//   03-31 penalty accrued in March: 30.00 + 03-03…03-31 29 d × 20,000.00 × 0.0005 = 290.00 → 320.00
//         → balance 19,970.00 + 320.00 = 20,290.00
//   closing: outstanding 50,000.00 (20,000.00 + 30,000.00 not due), overdue 20,000.00 (31 days: 31-60),
//   penalty accrued 320.00, paid 30.00, owed 290.00 → balance 20,000.00 + 290.00 = 20,290.00.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dec, type Money, ZERO } from '../../src/core/money.js';
import { buildStatement, type ContractFacts, type StatementFacts } from '../../src/printing/statement.js';
import { safeName, statementFileNames, writeStatements } from '../../src/printing/statement-files.js';
import { statementContext, statementJson } from '../../src/printing/statement-view.js';
import { loadTemplate } from '../../src/printing/templates.js';
import type { PositionLine } from '../../src/receivables/position.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zq-statement-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const m = (s: string): Money => dec(s);

function line(id: number, dueDate: string, f: Partial<PositionLine>): PositionLine {
  return {
    id,
    seq: id,
    type: 'principal',
    dueDate,
    amountDue: m('30000.00'),
    amountPaid: ZERO,
    writtenOff: ZERO,
    recovered: ZERO,
    outstanding: m('30000.00'),
    overdueDays: 0,
    penaltyAccrued: ZERO,
    penaltyPaid: ZERO,
    penaltyWaived: ZERO,
    penaltyOutstanding: ZERO,
    ...f,
  };
}

const ref = { id: 1, dealerId: 1, dealer: 'HF01', contractNo: 'HT-1', status: 'active' as const, statusDate: null, cutoverDate: null };

function contract(): ContractFacts {
  const receipt = {
    documentId: 7,
    documentType: 'receipt',
    documentNumber: 'R-1',
    method: 'cash',
    valueDate: '2026-03-02',
    lineId: 1,
    seq: 1,
    lineType: 'principal',
  };
  return {
    dealer: 'HF01',
    contractNo: 'HT-1',
    collector: { name: '李催收', phone: '13900000000' },
    machines: ['SY215C SY001'],
    opening: { contract: ref, asOf: '2026-02-28', credit: ZERO, lines: [line(1, '2026-02-28', {}), line(2, '2026-04-30', {})] },
    closing: {
      contract: ref,
      asOf: '2026-03-31',
      credit: ZERO,
      lines: [
        line(1, '2026-02-28', {
          amountPaid: m('10000.00'),
          outstanding: m('20000.00'),
          overdueDays: 31,
          penaltyAccrued: m('320.00'),
          penaltyPaid: m('30.00'),
          penaltyOutstanding: m('290.00'),
        }),
        line(2, '2026-04-30', {}),
      ],
    },
    postings: [
      { id: 1, kind: 'penalty_allocation', signedAmount: m('30.00'), ...receipt },
      { id: 2, kind: 'allocation', signedAmount: m('10000.00'), ...receipt },
    ],
    penalties: [
      { date: '2026-02-28', accrued: new Map([[1, ZERO]]) },
      { date: '2026-03-31', accrued: new Map([[1, m('320.00')]]) },
    ],
  };
}

const facts = (contracts = [contract()]): StatementFacts => ({
  dealer: {
    code: 'HF01',
    name: '合肥代理店',
    address: '合肥市蜀山区1号',
    phone: '0551-1234567',
    bankName: '工商银行合肥分行',
    bankAccount: '1302 0000 1111',
  },
  customer: { id: 11, name: '张三', phone: '13800000000', idNumber: null, address: null },
  from: '2026-03-01',
  to: '2026-03-31',
  contracts,
});

describe('buildStatement (hand-worked)', () => {
  it('runs the balance from the opening through the receipt and the penalty to the closing', () => {
    const s = statementJson(buildStatement(facts()));
    expect(s.opening).toBe('30000.00');
    expect(s.rows.map((r) => [r.date, r.kind, r.text, r.increase, r.decrease, r.detail, r.balance])).toEqual([
      ['2026-03-02', 'receipt', '收款 R-1 现金', null, '10030.00', null, '19970.00'],
      ['2026-03-02', 'allocation', '　其中：核销 第1期货款罚息', null, null, '30.00', '19970.00'],
      ['2026-03-02', 'allocation', '　其中：核销 第1期货款', null, null, '10000.00', '19970.00'],
      ['2026-03-31', 'penalty', '罚息计提 第1期货款（2026-03-01至2026-03-31）', '320.00', null, null, '20290.00'],
    ]);
    expect(s.closing).toMatchObject({
      amountDue: '60000.00',
      amountPaid: '10000.00',
      outstanding: '50000.00',
      notDue: '30000.00',
      overdue: '20000.00',
      penaltyAccrued: '320.00',
      penaltyPaid: '30.00',
      penaltyOutstanding: '290.00',
      credit: '0.00',
      balance: '20290.00',
    });
    expect(s.overdueLines).toEqual([
      {
        contractNo: 'HT-1',
        seq: 1,
        type: 'principal',
        dueDate: '2026-02-28',
        outstanding: '20000.00',
        overdueDays: 31,
        penaltyOutstanding: '290.00',
      },
    ]);
    expect(s.aging).toMatchObject({ '1-30': '0.00', '31-60': '20000.00', '>360': '0.00' });
  });

  it('shows what the rows do not explain as an adjustment, so the balance still ends at the closing figure', () => {
    const c = contract();
    // a schedule change raised line 1 to 31,000.00 during the period
    c.closing.lines[0] = { ...(c.closing.lines[0] as PositionLine), amountDue: m('31000.00'), outstanding: m('21000.00') };
    const s = statementJson(buildStatement(facts([c])));
    expect(s.rows.at(-1)).toMatchObject({ kind: 'adjustment', increase: '1000.00', balance: '21290.00' });
    expect(s.closing.balance).toBe('21290.00');
  });

  it('renders the template: amounts 12,345.67, dates 2026年3月31日, the running balance, the confirmation block', () => {
    const html = loadTemplate('statement')(statementContext(buildStatement(facts()), { by: '系统管理员', at: '2026年4月1日' }));
    const text = html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    for (const expected of [
      '对账单',
      '合肥代理店',
      '张三',
      '期间：2026年3月1日至2026年3月31日',
      '期初余额 30,000.00',
      '10,030.00',
      '19,970.00',
      '320.00',
      '20,290.00',
      '客户确认：以上数据核对无误',
      '工商银行合肥分行',
      '1302 0000 1111',
      '李催收',
    ])
      expect(text).toContain(expected);
    // in order: opening, after the receipt, after the penalty
    const order = ['30,000.00', '19,970.00', '20,290.00'].map((a) => text.indexOf(a));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(text).toContain('2026年3月2日');
  });
});

describe('printed with Chromium', () => {
  it('writes a PDF whose text has the customer and every amount; re-running leaves an unchanged file alone', async () => {
    const statement = buildStatement(facts());
    const options = { target: { kind: 'dir' as const, dir }, format: 'pdf' as const, merge: false, force: false, printedBy: '系统管理员' };
    const first = await writeStatements([statement], options);
    expect(first.statements).toMatchObject([{ customer: '张三', status: 'written', closingBalance: '20290.00', overdue: '20000.00' }]);
    const file = path.join(dir, 'HF01_张三_2026-03-31.pdf');
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    for (const expected of [
      '张三',
      '30,000.00',
      '10,030.00',
      '10,000.00',
      '19,970.00',
      '320.00',
      '20,290.00',
      '290.00',
      '50,000.00',
      '客户确认：以上数据核对无误',
    ])
      expect(text).toContain(expected);
    expect(fs.statSync(file).size).toBeLessThan(200 * 1024);
    const index = fs.readFileSync(path.join(dir, 'statements_2026-03-31.csv'), 'utf8');
    expect(index).toMatch(
      /^\uFEFF文件,客户,期末余额,逾期金额,内容哈希\r\nHF01_张三_2026-03-31\.pdf,张三,20290\.00,20000\.00,[0-9a-f]{64}\r\n$/,
    );
    const before = fs.statSync(file).mtimeMs;
    const again = await writeStatements([statement], options);
    expect(again.statements[0]?.status).toBe('unchanged');
    expect(fs.statSync(file).mtimeMs).toBe(before);
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', file, path.join(os.tmpdir(), 'zq-statement-page')]);
  }, 60_000);

  it('never replaces a file zq did not write: that customer fails, the others print', async () => {
    const other = fs.mkdtempSync(path.join(dir, 'batch-'));
    const a = buildStatement(facts());
    const b = buildStatement({ ...facts(), customer: { id: 12, name: '李四', phone: null, idNumber: null, address: null } });
    fs.writeFileSync(path.join(other, 'HF01_张三_2026-03-31.pdf'), 'mine');
    const result = await writeStatements([a, b], {
      target: { kind: 'dir', dir: other },
      format: 'pdf',
      merge: false,
      force: false,
      printedBy: 'x',
    });
    expect(result.statements.map((s) => [s.customer, s.status])).toEqual([
      ['张三', 'failed'],
      ['李四', 'written'],
    ]);
    expect(result.statements[0]?.error).toMatch(/exists and was not written by zq \(--force replaces it\)/);
    expect(fs.readFileSync(path.join(other, 'HF01_张三_2026-03-31.pdf'), 'utf8')).toBe('mine');
    expect(fs.readFileSync(path.join(other, 'statements_2026-03-31.csv'), 'utf8')).not.toContain('张三');
  }, 60_000);
});

describe('file names', () => {
  it('are filesystem-safe and stable; customers sharing a name get their id', () => {
    expect(safeName('a/b\\c:d*e?"f<g>h|i j\u0001k')).toBe('a_b_c_d_e_f_g_h_i_j_k');
    expect(safeName('..隐藏')).toBe('隐藏');
    const s = buildStatement(facts());
    const twin = { ...s, customer: { ...s.customer, id: 12 } };
    expect(statementFileNames([s, twin], 'pdf')).toEqual(['HF01_张三-11_2026-03-31.pdf', 'HF01_张三-12_2026-03-31.pdf']);
    expect(statementFileNames([s], 'html')).toEqual(['HF01_张三_2026-03-31.html']);
  });
});
