// The breakdown for people and programs: its columns (Chinese headers) once, for the text table and for the
// workbook's sheets (the report workbook writer's ReportSheet shape), its title, and its JSON form.
import { contractStatusName, receivableTypeName } from '../core/labels.js';
import { formatMoneyGrouped } from '../core/money.js';
import { table } from '../core/table.js';
import type { Breakdown, BreakdownBy, BreakdownLevel, BreakdownMoney, BreakdownRow, BreakdownStream } from './breakdown.js';
import type { CellKind, ReportRow, ReportSheet, ReportWorkbook } from './xlsx.js';

export const BREAKDOWN_TITLE = '债权分解表';

/** Shown for a dealer without a region and a contract without a collector. */
export const NONE = '—';

/** A column of the report: its Chinese header, its kind, and its cell of a row (money as exact strings). */
export interface BreakdownColumn {
  header: string;
  kind: CellKind;
  value: (row: BreakdownRow) => string | number | null;
}

/** A sheet of the workbook, its rows in memory (the breakdown's rows are). */
export type Sheet = ReportSheet & { rows: ReportRow[] };

/** The report without its rows: what its columns, title and subtitle are made of. */
export type BreakdownHead = Omit<Breakdown, 'rows' | 'totals'>;

/** The level a row of this report is a plain row at: by dealer the dealers are the rows, by region the regions. */
function rowLevel(by: BreakdownBy): BreakdownLevel {
  return by === 'dealer' ? 'dealer' : by === 'region' ? 'region' : 'detail';
}

/** Whether a row is a subtotal or the total of the report rather than one of its rows. */
export function sheetLevel(by: BreakdownBy, row: BreakdownRow): ReportRow['level'] {
  if (row.level === 'total') return 'total';
  return row.level === rowLevel(by) ? 'detail' : 'subtotal';
}

const named = (code: string | null, name: string | null) => (code === null ? NONE : name ? `${code} ${name}` : code);

/** The region and dealer cells, where subtotals and the total say 小计 / 合计. */
function placeColumns(b: BreakdownHead): BreakdownColumn[] {
  const region: BreakdownColumn = {
    header: '区域',
    kind: 'text',
    value: (r) => {
      if (r.level === 'total') return '合计';
      if (r.level === 'region') return `${named(r.region, r.regionName)}${sheetLevel(b.by, r) === 'subtotal' ? ' 小计' : ''}`;
      return r.region ?? NONE;
    },
  };
  if (b.by === 'region') return [region];
  const dealer: BreakdownColumn = {
    header: '经销商',
    kind: 'text',
    value: (r) => {
      if (r.level === 'dealer') return `${named(r.dealer, r.dealerName)}${sheetLevel(b.by, r) === 'subtotal' ? ' 小计' : ''}`;
      return r.level === 'detail' ? r.dealer : null;
    },
  };
  return [region, dealer];
}

const text = (header: string, value: BreakdownColumn['value']): BreakdownColumn => ({ header, kind: 'text', value });
const detail = (r: BreakdownRow, value: string | number | null) => (r.level === 'detail' ? value : null);

/** The columns that name a row of each --by. */
function keyColumns(by: BreakdownBy): BreakdownColumn[] {
  const contract = text('合同编号', (r) => r.contractNo);
  const customer = text('客户', (r) => r.customer);
  const collector = text('催收员', (r) => detail(r, r.collector ?? NONE));
  const type = text('款项类型', (r) => (r.type === null ? null : receivableTypeName(r.type)));
  switch (by) {
    case 'line':
      return [
        contract,
        customer,
        collector,
        { header: '期次', kind: 'integer', value: (r) => r.seq },
        type,
        { header: '应还日期', kind: 'date', value: (r) => r.dueDate },
      ];
    case 'contract':
      return [contract, customer, collector];
    case 'customer':
      return [customer];
    case 'collector':
      return [collector];
    case 'type':
      return [type];
    default:
      return [];
  }
}

const MONEY_HEADERS: Record<BreakdownMoney, string> = {
  amountDue: '应还金额',
  amountPaid: '已还金额',
  writtenOff: '坏账核销',
  outstanding: '未还金额',
  notDue: '未到期',
  overdue: '逾期金额',
  penaltyAccrued: '已计罚息',
  penaltyPaid: '已收罚息',
  penaltyWaived: '减免罚息',
  penaltyOutstanding: '未收罚息',
};

const money = (m: BreakdownMoney): BreakdownColumn => ({ header: MONEY_HEADERS[m], kind: 'money', value: (r) => r[m] });

/** Every column of the report, in order: place, row keys, amounts, aging, penalty, credit, status. */
export function breakdownColumns(b: BreakdownHead): BreakdownColumn[] {
  const status =
    b.by === 'line' || b.by === 'contract' ? [text('状态', (r) => (r.status === null ? null : contractStatusName(r.status)))] : [];
  return [
    ...placeColumns(b),
    ...keyColumns(b.by),
    ...(['amountDue', 'amountPaid', 'writtenOff', 'outstanding', 'notDue', 'overdue'] as const).map(money),
    { header: '最长逾期天数', kind: 'integer', value: (r) => r.overdueDays },
    ...b.aging.map((bucket): BreakdownColumn => ({ header: `逾期${bucket}天`, kind: 'money', value: (r) => r.aging[bucket] ?? null })),
    ...(['penaltyAccrued', 'penaltyPaid', 'penaltyWaived', 'penaltyOutstanding'] as const).map(money),
    { header: '预收余额', kind: 'money', value: (r) => r.credit },
    ...status,
  ];
}

/** 2026-03-31 → 2026年3月31日 */
export function chineseDate(date: string): string {
  const [y, m, d] = date.split('-');
  return `${y}年${Number(m)}月${Number(d)}日`;
}

/** The report's subtitle lines: scope, date, basis (口径). */
export function breakdownSubtitle(b: BreakdownHead): string[] {
  const scope =
    b.scope.kind === 'dealer'
      ? `经销商：${named(b.scope.code, b.scope.name)}`
      : b.scope.kind === 'region'
        ? `区域：${named(b.scope.code, b.scope.name)}`
        : '集团';
  return [
    `${scope}${b.collector ? `　催收员：${b.collector}` : ''}${b.scope.limitedTo ? `（${b.scope.limitedTo} 的数据权限）` : ''}`,
    `截至：${chineseDate(b.asOf)}`,
    `口径：${b.restated ? '重述' : '当日报送'}`,
  ];
}

/** The text table: title, subtitle, the rows with subtotals and the total. */
export function breakdownTable(b: Breakdown): string {
  const columns = breakdownColumns(b).map((c) => ({
    header: c.header,
    align: c.kind === 'money' || c.kind === 'integer' ? ('right' as const) : ('left' as const),
    value: (r: BreakdownRow) => {
      const v = c.value(r);
      if (v === null) return '';
      return c.kind === 'money' ? formatMoneyGrouped(String(v)) : v;
    },
  }));
  return [BREAKDOWN_TITLE, ...breakdownSubtitle(b), '', table(b.rows, columns)].join('\n');
}

/** The JSON form (CLI.md): rows named as `contract show --json` names them, plus the report's own fields. */
export function breakdownJson(b: Breakdown): object {
  return {
    asOf: b.asOf,
    restated: b.restated,
    by: b.by,
    scope: b.scope,
    collector: b.collector,
    aging: b.aging,
    rows: b.rows,
    totals: b.totals,
  };
}

function sheetRow(by: BreakdownBy, r: BreakdownRow, columns: readonly BreakdownColumn[]): ReportRow {
  const level = sheetLevel(by, r);
  return {
    level,
    ...(level === 'subtotal' ? { depth: r.level === 'dealer' ? 2 : 1 } : {}),
    cells: columns.map((c) => c.value(r)),
  };
}

/** The summary sheet's report: by dealer, or by region when the report is. */
function summaryOf<T extends BreakdownHead>(b: T): T {
  return { ...b, by: b.by === 'region' ? 'region' : 'dealer' };
}

const headOf = (columns: readonly BreakdownColumn[]) => columns.map((c) => ({ header: c.header, kind: c.kind }));

/** The workbook's sheets: 明细 (every row with subtotals and the total) and 汇总 (dealers, regions, total). */
export function breakdownSheets(b: Breakdown): Sheet[] {
  const columns = breakdownColumns(b);
  const summary = summaryOf(b);
  const summaryColumns = breakdownColumns(summary);
  return [
    { name: '明细', columns: headOf(columns), rows: b.rows.map((r) => sheetRow(b.by, r, columns)) },
    {
      name: '汇总',
      columns: headOf(summaryColumns),
      rows: b.rows.filter((r) => r.level !== 'detail').map((r) => sheetRow(summary.by, r, summaryColumns)),
    },
  ];
}

/** The workbook: title, subtitle, the detail and summary sheets. */
export function breakdownWorkbook(b: Breakdown): ReportWorkbook {
  return { title: BREAKDOWN_TITLE, subtitle: breakdownSubtitle(b), sheets: breakdownSheets(b) };
}

/**
 * The sheets of a breakdown whose rows come from the database as they are written (breakdownStream): 明细 turns
 * each row into its sheet row as it passes, keeping the subtotals and the total (a few per dealer and region),
 * which 汇总, written after it, is made of. `written()` counts the rows of 明细; `kept()` the rows kept.
 */
export function breakdownStreamSheets(b: BreakdownStream): {
  sheets: [ReportSheet, ReportSheet];
  written: () => number;
  kept: () => BreakdownRow[];
} {
  const columns = breakdownColumns(b);
  const summary = summaryOf(b);
  const summaryColumns = breakdownColumns(summary);
  const kept: BreakdownRow[] = [];
  let written = 0;
  async function* detail(): AsyncGenerator<ReportRow> {
    for await (const r of b.rows) {
      if (r.level !== 'detail') kept.push(r);
      written++;
      yield sheetRow(b.by, r, columns);
    }
  }
  // read when the writer comes to it, after 明细
  const summaryRows: Iterable<ReportRow> = {
    [Symbol.iterator]: () => kept.map((r) => sheetRow(summary.by, r, summaryColumns))[Symbol.iterator](),
  };
  return {
    sheets: [
      { name: '明细', columns: headOf(columns), rows: detail() },
      { name: '汇总', columns: headOf(summaryColumns), rows: summaryRows },
    ],
    written: () => written,
    kept: () => kept,
  };
}
