// The overdue list (催收清单) for people and programs: two sheets — 催收清单 (a row per contract, a subtotal per
// collector, the total) and 逾期明细 (a row per overdue line) — in the workbook writer's ReportSheet shape, the
// text table printed from the first, and the JSON form.
import { receivableTypeName } from '../core/labels.js';
import { formatMoneyGrouped } from '../core/money.js';
import type { Sheet } from './breakdown-view.js';
import type { OverdueContract, OverdueList } from './overdue.js';
import { asOfLine, basisLine, NONE, type ReportDocument, reportText, scopeLine } from './report-common.js';
import type { ReportRow as SheetRow } from './xlsx.js';

export const OVERDUE_TITLE = '催收清单';

const machinesText = (c: OverdueContract) => c.machines.map((m) => `${m.model} ${m.serialNo}`).join('、');

/** "1期 货款 2026-05-01 2,000.00 逾期60天; …" — a contract's overdue lines in one cell. */
export function overdueLinesText(c: OverdueContract): string {
  return c.lines
    .map((l) => `${l.seq}期 ${receivableTypeName(l.type)} ${l.dueDate} ${formatMoneyGrouped(l.outstanding)} 逾期${l.overdueDays}天`)
    .join('；');
}

const collectorName = (collector: string | null) => collector ?? NONE;

/** 催收清单: a row per contract, a subtotal after each collector's contracts, the total. */
function contractSheet(list: OverdueList): Sheet {
  const rows: SheetRow[] = [];
  let sum = 0;
  list.contracts.forEach((c, i) => {
    rows.push({
      level: 'detail',
      cells: [
        collectorName(c.collector),
        `${c.dealer} ${c.dealerName}`,
        c.contractNo,
        c.customer,
        c.phone,
        machinesText(c),
        overdueLinesText(c),
        c.overdueDays,
        c.overdue,
        c.penaltyOutstanding,
      ],
    });
    const next = list.contracts[i + 1];
    if (next === undefined || next.collector !== c.collector) {
      const s = list.collectors[sum++];
      if (s === undefined || s.collector !== c.collector) throw new Error('invariant broken: a subtotal per collector, in order');
      rows.push({
        level: 'subtotal',
        cells: [
          `${collectorName(s.collector)} 小计`,
          null,
          `${s.contracts} 份合同`,
          null,
          null,
          null,
          null,
          null,
          s.overdue,
          s.penaltyOutstanding,
        ],
      });
    }
  });
  const t = list.totals;
  rows.push({
    level: 'total',
    cells: ['合计', null, `${t.contracts} 份合同`, null, null, null, null, null, t.overdue, t.penaltyOutstanding],
  });
  return {
    name: OVERDUE_TITLE,
    columns: [
      { header: '催收员', kind: 'text' },
      { header: '经销商', kind: 'text' },
      { header: '合同编号', kind: 'text' },
      { header: '客户', kind: 'text' },
      { header: '电话', kind: 'text' },
      { header: '机器（型号 序列号）', kind: 'text' },
      { header: '逾期期次', kind: 'text' },
      { header: '最长逾期天数', kind: 'integer' },
      { header: '逾期金额', kind: 'money' },
      { header: '未收罚息', kind: 'money' },
    ],
    rows,
  };
}

/** 逾期明细: a row per overdue line, with its contract's keys, and the total. */
function lineSheet(list: OverdueList): Sheet {
  const rows: SheetRow[] = list.contracts.flatMap((c) =>
    c.lines.map(
      (l): SheetRow => ({
        level: 'detail',
        cells: [
          collectorName(c.collector),
          c.dealer,
          c.contractNo,
          c.customer,
          l.seq,
          receivableTypeName(l.type),
          l.dueDate,
          l.outstanding,
          l.overdueDays,
        ],
      }),
    ),
  );
  rows.push({ level: 'total', cells: ['合计', null, `${list.totals.lines} 期`, null, null, null, null, list.totals.overdue, null] });
  return {
    name: '逾期明细',
    columns: [
      { header: '催收员', kind: 'text' },
      { header: '经销商', kind: 'text' },
      { header: '合同编号', kind: 'text' },
      { header: '客户', kind: 'text' },
      { header: '期次', kind: 'integer' },
      { header: '款项类型', kind: 'text' },
      { header: '应还日期', kind: 'date' },
      { header: '逾期金额', kind: 'money' },
      { header: '逾期天数', kind: 'integer' },
    ],
    rows,
  };
}

/** Title, subtitle and the two sheets (for the text table, and for the workbook writer). */
export function overdueDocument(list: OverdueList): ReportDocument {
  const subtitle = [scopeLine(list.scope, list.collector), asOfLine(list.asOf), basisLine(list.restated)];
  if (list.minOverdueDays > 1) subtitle.push(`逾期天数：${list.minOverdueDays}天及以上`);
  return { title: OVERDUE_TITLE, subtitle, sheets: [contractSheet(list), lineSheet(list)] };
}

/** The text table: the contracts with their overdue lines, the subtotals and the total. */
export function overdueTable(list: OverdueList): string {
  const report = overdueDocument(list);
  return reportText(report, report.sheets.slice(0, 1));
}

/** The JSON form: the report's fields as the action returns them. */
export function overdueJson(list: OverdueList): object {
  const { asOf, restated, scope, collector, minOverdueDays, contracts, collectors, totals } = list;
  return { asOf, restated, scope, collector, minOverdueDays, contracts, collectors, totals };
}
