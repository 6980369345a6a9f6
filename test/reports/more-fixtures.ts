// The small world of the reports beside the breakdown (overdue, receipts, trend, penalty), worked by hand in each
// test. Default penalty rate 0.0005 a day, no grace, allocation by installment; the batch run through 2026-06-30.
//
//   region EAST: HF01 合肥代理店 (collectors c1, c2; hf.fin dealer finance), WH01 芜湖代理店 (collector w1; wh.clerk
//   clerk); AQ01 安庆代理店 has no region.
//   HF01 A1 张三 c1, phone 13800000001, machine SY215C SN-A1:
//        1 principal 04-10 1,000.00 unpaid; 2 interest 06-10 100.00 unpaid; 3 principal 07-10 1,000.00
//   HF01 A2 李四 c1, phone 13800000002: 1 principal 06-01 3,000.00; R1 1,000.00 on 06-01 (bank, ICBC-01)
//   HF01 A3 王五 c2, machines SY75 SN-A3a and SN-A3b: 1 fee 06-25 500.00 unpaid
//   HF01 A4 赵六 c2: 1 principal 05-15 800.00; R2 802.00 on 05-20 (cash, CASH): 5 days' penalty 05-16 … 05-20
//        = 5 × 800.00 × 0.0005 = 2.00 first, then 800.00 to the principal — paid up
//   WH01 W1 孙七 w1, phone 13900000001, machine XE60 SN-W1: 1 principal 03-01 1,500.00 unpaid;
//        R4 500.00 on 06-05 (cash, CASH) confirmed, then reversed (录入错误)
//   WH01 W2 周八, no collector: 1 principal 06-29 200.00 unpaid
//   WH01 W3 吴九 w1: 1 principal 08-01 1,000.00; R3 300.00 on 06-15 (bank, ICBC-01), nothing due: credit
//   AQ01 B1 郑十, financed by 工商银行: 1 principal 06-20 600.00 unpaid; bought back on 06-30 for 620.00: the
//        transfer receipt (method buyback) closes 600.00 and 10 days' penalty 06-21 … 06-30 = 10 × 600.00 ×
//        0.0005 = 3.00, i.e. 603.00; a 代付 line of 620.00 due 06-30
import { expect } from 'vitest';
import type { Actor } from '../../src/access/actor.js';
import { dec } from '../../src/core/money.js';
import type { Db } from '../../src/db/index.js';
import { requestBuyback } from '../../src/receivables/buyback.js';
import { createContract } from '../../src/receivables/contracts.js';
import { recordConfirmedReceipt, reverseReceipt } from '../../src/receivables/receipts.js';
import type { Sheet } from '../../src/reports/breakdown-view.js';
import type { CellKind } from '../../src/reports/xlsx.js';
import { batch } from '../batch/fixtures.js';
import { collector, dealerIn, type LineSpec, region } from './fixtures.js';

export const AS_OF = '2026-06-30';

async function contract(
  db: Db,
  admin: Actor,
  spec: {
    dealer: string;
    contractNo: string;
    customer: string;
    phone?: string;
    collector?: string;
    machines?: [model: string, serialNo: string][];
    financier?: string;
    lines: LineSpec[];
  },
) {
  await db.knex.transaction((tx) =>
    createContract(tx, admin, {
      dealer: spec.dealer,
      contractNo: spec.contractNo,
      customer: { name: spec.customer, phone: spec.phone },
      collector: spec.collector,
      financier: spec.financier,
      machines: (spec.machines ?? []).map(([model, serialNo]) => ({ model, serialNo })),
      method: 'custom',
      lines: spec.lines.map(([seq, type, dueDate, amount]) => ({ seq, type, dueDate, amountDue: dec(amount) })),
    }),
  );
}

async function receive(
  db: Db,
  admin: Actor,
  dealer: string,
  contractNo: string,
  valueDate: string,
  amount: string,
  how: { method: string; account: string; payer: string; documentNumber: string },
) {
  return db.knex.transaction((tx) =>
    recordConfirmedReceipt(tx, admin, { contract: { contractNo, dealer }, valueDate, amount: dec(amount), ...how }),
  );
}

export async function buildWorld(db: Db, admin: Actor): Promise<void> {
  await region(db, admin, 'EAST', '华东区');
  await dealerIn(db, admin, 'HF01', '合肥代理店', 'EAST');
  await dealerIn(db, admin, 'WH01', '芜湖代理店', 'EAST');
  await dealerIn(db, admin, 'AQ01', '安庆代理店');
  await collector(db, admin, 'c1', 'HF01');
  await collector(db, admin, 'c2', 'HF01');
  await collector(db, admin, 'w1', 'WH01');
  await collector(db, admin, 'hf.fin', 'HF01', ['dealer_finance']);
  await collector(db, admin, 'wh.clerk', 'WH01', ['clerk']);
  await contract(db, admin, {
    dealer: 'HF01',
    contractNo: 'A1',
    customer: '张三',
    phone: '13800000001',
    collector: 'c1',
    machines: [['SY215C', 'SN-A1']],
    lines: [
      [1, 'principal', '2026-04-10', '1000.00'],
      [2, 'interest', '2026-06-10', '100.00'],
      [3, 'principal', '2026-07-10', '1000.00'],
    ],
  });
  await contract(db, admin, {
    dealer: 'HF01',
    contractNo: 'A2',
    customer: '李四',
    phone: '13800000002',
    collector: 'c1',
    lines: [[1, 'principal', '2026-06-01', '3000.00']],
  });
  await contract(db, admin, {
    dealer: 'HF01',
    contractNo: 'A3',
    customer: '王五',
    collector: 'c2',
    machines: [
      ['SY75', 'SN-A3b'],
      ['SY75', 'SN-A3a'],
    ],
    lines: [[1, 'fee', '2026-06-25', '500.00']],
  });
  await contract(db, admin, {
    dealer: 'HF01',
    contractNo: 'A4',
    customer: '赵六',
    collector: 'c2',
    lines: [[1, 'principal', '2026-05-15', '800.00']],
  });
  await contract(db, admin, {
    dealer: 'WH01',
    contractNo: 'W1',
    customer: '孙七',
    phone: '13900000001',
    collector: 'w1',
    machines: [['XE60', 'SN-W1']],
    lines: [[1, 'principal', '2026-03-01', '1500.00']],
  });
  await contract(db, admin, { dealer: 'WH01', contractNo: 'W2', customer: '周八', lines: [[1, 'principal', '2026-06-29', '200.00']] });
  await contract(db, admin, {
    dealer: 'WH01',
    contractNo: 'W3',
    customer: '吴九',
    collector: 'w1',
    lines: [[1, 'principal', '2026-08-01', '1000.00']],
  });
  await contract(db, admin, {
    dealer: 'AQ01',
    contractNo: 'B1',
    customer: '郑十',
    financier: '工商银行',
    lines: [[1, 'principal', '2026-06-20', '600.00']],
  });
  const bank = { method: 'bank_transfer', account: 'ICBC-01' };
  const cash = { method: 'cash', account: 'CASH' };
  await receive(db, admin, 'HF01', 'A2', '2026-06-01', '1000.00', { ...bank, payer: '李四', documentNumber: 'R1' });
  await receive(db, admin, 'HF01', 'A4', '2026-05-20', '802.00', { ...cash, payer: '赵六', documentNumber: 'R2' });
  await receive(db, admin, 'WH01', 'W3', '2026-06-15', '300.00', { ...bank, payer: '吴九', documentNumber: 'R3' });
  const r4 = await receive(db, admin, 'WH01', 'W1', '2026-06-05', '500.00', { ...cash, payer: '孙七', documentNumber: 'R4' });
  await db.knex.transaction((tx) => reverseReceipt(tx, admin, r4.id, '录入错误'));
  await db.knex.transaction((tx) =>
    requestBuyback(tx, admin, { contractNo: 'B1', dealer: 'AQ01', amount: dec('620.00'), date: AS_OF, reason: '银行代偿通知' }),
  );
  await batch(db, admin, AS_OF);
}

/**
 * Every cell of a report's sheets has the shape its column's kind asks of the workbook writer (reports/xlsx.ts
 * refuses any other): dates YYYY-MM-DD, money and percent exact decimal strings, integers numbers, text strings.
 */
export function expectSheetCells(sheets: readonly Sheet[]): void {
  const shapes: Record<CellKind, (v: string | number) => boolean> = {
    text: (v) => typeof v === 'string',
    date: (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v),
    money: (v) => typeof v === 'string' && /^-?\d{1,13}\.\d{2}$/.test(v),
    percent: (v) => typeof v === 'string' && /^-?\d+\.\d{4}$/.test(v),
    integer: (v) => typeof v === 'number' && Number.isInteger(v),
  };
  for (const sheet of sheets)
    for (const [r, row] of sheet.rows.entries()) {
      expect(row.cells, `${sheet.name} row ${r}`).toHaveLength(sheet.columns.length);
      for (const [i, cell] of row.cells.entries()) {
        const column = sheet.columns[i] as Sheet['columns'][number];
        if (cell !== null) expect(shapes[column.kind](cell), `${sheet.name} row ${r} ${column.header}: ${cell}`).toBe(true);
      }
    }
}
