// Synthetic statement facts for printing tests: customer i of HF01, one contract of `count` monthly installments from
// 2026-01-10 (the first ten paid on their due dates, any later ones unpaid with 410.00 penalty each), period 2026.
// bench/print.ts prints it too (14 installments: two pages).
// More installments, more rows, more pages: 3 → 1 page, 14 → 2, 30 → 3, 60 → 5 with the shipped template.
import { addMonths } from '../../src/core/dates.js';
import { dec, type Money, ZERO } from '../../src/core/money.js';
import type { ContractFacts, StatementFacts, StatementPosting } from '../../src/printing/statement.js';
import type { PositionLine } from '../../src/receivables/position.js';
export function statementFacts(i: number, count = 14): StatementFacts {
  const ref = {
    id: i,
    dealerId: 1,
    dealer: 'HF01',
    contractNo: `HF01-2025-${String(i).padStart(4, '0')}`,
    status: 'active' as const,
    statusDate: null,
    cutoverDate: null,
  };
  const lines: PositionLine[] = [];
  const postings: StatementPosting[] = [];
  const amount = dec('27333.33').plus(i % 100);
  for (let seq = 1; seq <= count; seq++) {
    const dueDate = addMonths('2026-01-10', seq - 1);
    const paid = seq <= 10;
    lines.push({
      id: seq,
      seq,
      type: 'principal',
      dueDate,
      amountDue: amount,
      amountPaid: paid ? amount : ZERO,
      writtenOff: ZERO,
      recovered: ZERO,
      outstanding: paid ? ZERO : amount,
      overdueDays: paid || dueDate > '2026-12-31' ? 0 : 30,
      penaltyAccrued: paid ? ZERO : dec('410.00'),
      penaltyPaid: ZERO,
      penaltyWaived: ZERO,
      penaltyOutstanding: paid ? ZERO : dec('410.00'),
    });
    if (paid)
      postings.push({
        id: seq,
        kind: 'allocation',
        valueDate: dueDate,
        signedAmount: amount,
        documentId: 1000 + seq,
        documentType: 'receipt',
        documentNumber: `RECEIPT-${String(i * 100 + seq).padStart(6, '0')}`,
        method: 'bank_transfer',
        lineId: seq,
        seq,
        lineType: 'principal',
      });
  }
  const opening = {
    contract: ref,
    asOf: '2025-12-31',
    credit: ZERO,
    lines: lines.map((l) => ({
      ...l,
      amountPaid: ZERO,
      outstanding: l.amountDue,
      overdueDays: 0,
      penaltyAccrued: ZERO,
      penaltyOutstanding: ZERO,
    })),
  };
  const contract: ContractFacts = {
    dealer: 'HF01',
    contractNo: ref.contractNo,
    collector: { name: '李娜', phone: '13900000000' },
    machines: [`SY215C SY215C${2595926 + i}`],
    opening,
    closing: { contract: ref, asOf: '2026-12-31', credit: ZERO, lines },
    postings,
    penalties: [
      { date: '2025-12-31', accrued: new Map() },
      { date: '2026-12-31', accrued: new Map(lines.map((l) => [l.id, l.penaltyAccrued as Money])) },
    ],
  };
  return {
    dealer: {
      code: 'HF01',
      name: '合肥代理店',
      address: '安徽省合肥市蜀山区望江西路1号',
      phone: '0551-65550000',
      bankName: '中国工商银行合肥分行',
      bankAccount: '1302 0101 0900 0123 456',
    },
    customer: { id: i, name: `客户${i}号工程机械有限公司`, phone: '13800000000', idNumber: null, address: null },
    from: '2026-01-01',
    to: '2026-12-31',
    contracts: [contract],
  };
}
