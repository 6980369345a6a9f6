// The statement of account as people read it: the template's context (amounts 12,345.67, dates 2026年3月31日),
// the workbook (--format xlsx, the conventions of src/reports/xlsx.ts) and the JSON (amounts as strings).
import { receivableTypeName } from '../core/labels.js';
import { formatMoney, formatMoneyGrouped, type Money } from '../core/money.js';
import { chineseDate } from '../reports/breakdown-view.js';
import type { ReportRow, ReportWorkbook } from '../reports/xlsx.js';
import type { Statement, Summary } from './statement.js';

export const STATEMENT_TITLE = '对账单';
export const CONFIRMATION = '客户确认：以上数据核对无误';

const g = (m: Money | null): string => (m === null ? '' : formatMoneyGrouped(m));

function summaryView(s: Summary) {
  return {
    amountDue: g(s.amountDue),
    amountPaid: g(s.amountPaid),
    writtenOff: g(s.writtenOff),
    outstanding: g(s.outstanding),
    notDue: g(s.notDue),
    overdue: g(s.overdue),
    penaltyAccrued: g(s.penaltyAccrued),
    penaltyPaid: g(s.penaltyPaid),
    penaltyWaived: g(s.penaltyWaived),
    penaltyOutstanding: g(s.penaltyOutstanding),
    credit: g(s.credit),
    balance: g(s.balance),
    hasWrittenOff: !s.writtenOff.isZero(),
  };
}

/** The context statement.hbs renders: every figure already formatted, so a dealer's own template needs no logic. */
export function statementContext(s: Statement, printed: { by: string; at: string }) {
  return {
    title: STATEMENT_TITLE,
    dealer: s.dealer,
    customer: s.customer,
    from: chineseDate(s.from),
    to: chineseDate(s.to),
    contracts: s.contracts.map((c) => ({ contractNo: c.contractNo, machines: c.machines.join('、'), collector: c.collector?.name ?? '' })),
    /** several contracts: the rows name theirs */
    several: s.contracts.length > 1,
    collectors: s.collectors,
    opening: g(s.opening),
    // not `date`: that is the template's date helper
    rows: s.rows.map((r) => ({
      day: chineseDate(r.date),
      contractNo: r.contractNo,
      text: r.text,
      increase: g(r.increase),
      decrease: g(r.decrease),
      detail: g(r.detail),
      balance: g(r.balance),
      sub: r.kind === 'allocation',
    })),
    increase: g(s.increase),
    decrease: g(s.decrease),
    closing: summaryView(s.closing),
    overdueLines: s.overdueLines.map((l) => ({
      contractNo: l.contractNo,
      installment: `第${l.seq}期${receivableTypeName(l.type)}`,
      dueDate: chineseDate(l.dueDate),
      outstanding: g(l.outstanding),
      overdueDays: l.overdueDays,
      penaltyOutstanding: g(l.penaltyOutstanding),
    })),
    aging: s.aging.map((a) => ({ bucket: `${a.bucket}天`, amount: g(a.amount) })),
    confirmation: CONFIRMATION,
    printedBy: printed.by,
    printedAt: printed.at,
    signatures: [
      { label: '客户签字（盖章）', name: '' },
      { label: '日期', name: '' },
    ],
  };
}

function summaryJson(s: Summary) {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, formatMoney(v as Money)]));
}

/** `--json`: the statement's figures, amounts as strings. */
export function statementJson(s: Statement) {
  return {
    dealer: s.dealer.code,
    customer: { id: s.customer.id, name: s.customer.name },
    from: s.from,
    to: s.to,
    contracts: s.contracts.map((c) => ({
      contractNo: c.contractNo,
      collector: c.collector?.name ?? null,
      closing: summaryJson(c.closing),
    })),
    opening: formatMoney(s.opening),
    rows: s.rows.map((r) => ({
      date: r.date,
      kind: r.kind,
      contractNo: r.contractNo,
      text: r.text,
      increase: r.increase === null ? null : formatMoney(r.increase),
      decrease: r.decrease === null ? null : formatMoney(r.decrease),
      detail: r.detail === null ? null : formatMoney(r.detail),
      balance: formatMoney(r.balance),
    })),
    closing: summaryJson(s.closing),
    overdueLines: s.overdueLines.map((l) => ({
      ...l,
      outstanding: formatMoney(l.outstanding),
      penaltyOutstanding: formatMoney(l.penaltyOutstanding),
    })),
    aging: Object.fromEntries(s.aging.map((a) => [a.bucket, formatMoney(a.amount)])),
  };
}

const money = (m: Money | null): string | null => (m === null ? null : formatMoney(m));

/** `--format xlsx`: the rows with their running balance, then the closing figures and the overdue lines. */
export function statementWorkbook(s: Statement): ReportWorkbook {
  const rows: ReportRow[] = [
    { level: 'subtotal', cells: [s.from, '', '期初余额', null, null, null, formatMoney(s.opening)] },
    ...s.rows.map(
      (r): ReportRow => ({
        level: 'detail',
        cells: [r.date, r.contractNo, r.text, money(r.increase), money(r.decrease), money(r.detail), formatMoney(r.balance)],
      }),
    ),
    {
      level: 'total',
      cells: [s.to, '', '期末余额', formatMoney(s.increase), formatMoney(s.decrease), null, formatMoney(s.closing.balance)],
    },
  ];
  const c = s.closing;
  const figures: [string, Money][] = [
    ['应还合计', c.amountDue],
    ['已还合计', c.amountPaid],
    ['坏账核销', c.writtenOff],
    ['未还合计', c.outstanding],
    ['其中未到期', c.notDue],
    ['逾期', c.overdue],
    ['已计罚息', c.penaltyAccrued],
    ['已还罚息', c.penaltyPaid],
    ['减免罚息', c.penaltyWaived],
    ['未还罚息', c.penaltyOutstanding],
    ['预收款', c.credit],
    ['应付余额', c.balance],
  ];
  return {
    title: `${STATEMENT_TITLE} ${s.customer.name}`,
    subtitle: [`经销商：${s.dealer.code} ${s.dealer.name}`, `期间：${chineseDate(s.from)}至${chineseDate(s.to)}`],
    sheets: [
      {
        name: '明细',
        columns: [
          { header: '日期', kind: 'date' },
          { header: '合同号', kind: 'text' },
          { header: '摘要', kind: 'text' },
          { header: '增加', kind: 'money' },
          { header: '减少', kind: 'money' },
          { header: '其中', kind: 'money' },
          { header: '余额', kind: 'money' },
        ],
        rows,
      },
      {
        name: '期末',
        columns: [
          { header: '项目', kind: 'text' },
          { header: '金额', kind: 'money' },
        ],
        rows: figures.map(([label, m]) => ({ level: 'detail' as const, cells: [label, formatMoney(m)] })),
      },
      {
        name: '逾期明细',
        columns: [
          { header: '合同号', kind: 'text' },
          { header: '期次', kind: 'integer' },
          { header: '类型', kind: 'text' },
          { header: '应还日期', kind: 'date' },
          { header: '未还', kind: 'money' },
          { header: '逾期天数', kind: 'integer' },
          { header: '未还罚息', kind: 'money' },
        ],
        rows: s.overdueLines.map((l) => ({
          level: 'detail' as const,
          cells: [
            l.contractNo,
            l.seq,
            receivableTypeName(l.type),
            l.dueDate,
            formatMoney(l.outstanding),
            l.overdueDays,
            formatMoney(l.penaltyOutstanding),
          ],
        })),
      },
    ],
  };
}
