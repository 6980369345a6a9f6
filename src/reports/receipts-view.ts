// The receipts journal (收款日记账) for people and programs: its sheets in the workbook writer's ReportSheet shape —
// 收款明细 (cash receipts and their total), 按账户汇总 (per account and method), 回购转账 (buyback transfers, apart),
// 已冲正 (reversed receipts, left out) — the text table printed from them, and the JSON form.
import type { Sheet } from './breakdown-view.js';
import type { ReceiptRow, ReceiptSum, ReceiptsJournal } from './receipts.js';
import { NONE, periodLine, type ReportDocument, reportText, scopeLine } from './report-common.js';
import type { CellKind, ReportRow as SheetRow } from './xlsx.js';

export const RECEIPTS_TITLE = '收款日记账';

const PART_COLUMNS: { header: string; kind: CellKind }[] = [
  { header: '金额', kind: 'money' },
  { header: '本金', kind: 'money' },
  { header: '其他款项', kind: 'money' },
  { header: '罚息', kind: 'money' },
  { header: '预收', kind: 'money' },
  { header: '坏账收回', kind: 'money' },
];

const parts = (r: ReceiptRow | ReceiptSum) => [r.amount, r.principal, r.other, r.penalty, r.credit, r.recovery];

const RECEIPT_COLUMNS: { header: string; kind: CellKind }[] = [
  { header: '收款单号', kind: 'text' },
  { header: '起息日', kind: 'date' },
  { header: '经销商', kind: 'text' },
  { header: '合同编号', kind: 'text' },
  { header: '客户', kind: 'text' },
  { header: '付款人', kind: 'text' },
  { header: '收款方式', kind: 'text' },
  { header: '收款账户', kind: 'text' },
  ...PART_COLUMNS,
];

function receiptSheet(name: string, rows: readonly ReceiptRow[], total: ReceiptSum, totalLabel: string): Sheet {
  const detail = rows.map(
    (r): SheetRow => ({
      level: 'detail',
      cells: [r.number, r.valueDate, r.dealer, r.contractNo, r.customer, r.payer, r.method ?? NONE, r.account ?? NONE, ...parts(r)],
    }),
  );
  const totalRow: SheetRow = {
    level: 'total',
    cells: [totalLabel, null, null, `${total.receipts} 笔`, null, null, null, null, ...parts(total)],
  };
  return { name, columns: RECEIPT_COLUMNS, rows: [...detail, totalRow] };
}

function accountSheet(journal: ReceiptsJournal): Sheet {
  const rows = journal.subtotals.map(
    (s): SheetRow =>
      s.level === 'method'
        ? { level: 'detail', cells: [s.account ?? NONE, s.method ?? NONE, s.receipts, ...parts(s)] }
        : { level: 'subtotal', cells: [`${s.account ?? NONE} 小计`, null, s.receipts, ...parts(s)] },
  );
  rows.push({ level: 'total', cells: ['合计', null, journal.totals.receipts, ...parts(journal.totals)] });
  return {
    name: '按账户汇总',
    columns: [
      { header: '收款账户', kind: 'text' },
      { header: '收款方式', kind: 'text' },
      { header: '笔数', kind: 'integer' },
      ...PART_COLUMNS,
    ],
    rows,
  };
}

function reversedSheet(journal: ReceiptsJournal): Sheet {
  return {
    name: '已冲正',
    columns: [
      { header: '收款单号', kind: 'text' },
      { header: '起息日', kind: 'date' },
      { header: '经销商', kind: 'text' },
      { header: '合同编号', kind: 'text' },
      { header: '客户', kind: 'text' },
      { header: '金额', kind: 'money' },
      { header: '冲正日期', kind: 'date' },
      { header: '冲正原因', kind: 'text' },
    ],
    rows: journal.reversed.map((r) => ({
      level: 'detail',
      cells: [r.number, r.valueDate, r.dealer, r.contractNo, r.customer, r.amount, r.reversedOn, r.reason],
    })),
  };
}

/** Title, subtitle (with the two rules a reader must know) and the four sheets. */
export function receiptsDocument(journal: ReceiptsJournal): ReportDocument {
  return {
    title: RECEIPTS_TITLE,
    subtitle: [
      scopeLine(journal.scope, journal.collector),
      periodLine(journal.from, journal.to),
      '说明：已冲正的收款不计入（列于“已冲正”）；回购转账不是现金收款，单列于“回购转账”，不计入合计',
    ],
    sheets: [
      receiptSheet('收款明细', journal.receipts, journal.totals, '合计'),
      accountSheet(journal),
      receiptSheet('回购转账', journal.buybacks, journal.buybackTotals, '回购转账合计'),
      reversedSheet(journal),
    ],
  };
}

export function receiptsTable(journal: ReceiptsJournal): string {
  return reportText(receiptsDocument(journal));
}

export function receiptsJson(journal: ReceiptsJournal): object {
  const { from, to, scope, collector, receipts, subtotals, totals, buybacks, buybackTotals, reversed } = journal;
  return { from, to, scope, collector, receipts, subtotals, totals, buybacks, buybackTotals, reversed };
}
