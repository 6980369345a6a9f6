// The comparison as a workbook for the data team (import.compare --out): the differing figures with the
// dealer's and ours side by side and the difference, then the contracts on one side only. Chinese headers,
// amounts as numbers formatted #,##0.00, the header row frozen. Written beside the target and renamed over
// it, so that a reader never sees half a file.
import fs from 'node:fs';
import { contractStatusName, receivableTypeName } from '../core/labels.js';
import { COMPARED_FIGURES, type ContractTotals, type LedgerComparison } from './compare.js';

const MONEY_FORMAT = '#,##0.00';

interface Column {
  header: string;
  width: number;
  money?: boolean;
}

const FIGURE_ZH = new Map<string, string>(COMPARED_FIGURES.map((c) => [c.field, c.zh]));
const PRESENCE_ZH = { both: '两边都有', file: '只在台账', system: '只在系统' } as const;

/**
 * An amount as the cell's number: Excel keeps numbers as doubles, and a two-decimal amount below 10^13 is
 * written and read back exactly; the text is the exact figure.
 */
const amount = (text: string | null): number | null => (text === null ? null : Number(text));

const DIFFERENCE_COLUMNS: Column[] = [
  { header: '经销商', width: 10 },
  { header: '合同编号', width: 20 },
  { header: '期次', width: 6 },
  { header: '款项类型', width: 10 },
  { header: '项目', width: 10 },
  { header: '台账金额', width: 16, money: true },
  { header: '系统金额', width: 16, money: true },
  { header: '差额(台账-系统)', width: 18, money: true },
  { header: '行', width: 10 },
  { header: '台账行号', width: 10 },
];

const CONTRACT_COLUMNS: Column[] = [
  { header: '经销商', width: 10 },
  { header: '合同编号', width: 20 },
  { header: '客户名称', width: 24 },
  { header: '状态', width: 10 },
  { header: '台账行号', width: 10 },
  { header: '期数', width: 6 },
  ...COMPARED_FIGURES.map((c) => ({ header: c.zh, width: 16, money: true })),
];

function contractRow(c: ContractTotals): unknown[] {
  return [
    c.dealer,
    c.contractNo,
    c.customer,
    c.status === null ? null : contractStatusName(c.status),
    c.rowNumber,
    c.lines,
    ...COMPARED_FIGURES.map((f) => amount(c[f.field])),
  ];
}

export async function writeComparisonXlsx(target: string, comparison: LedgerComparison): Promise<void> {
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  const sheet = (name: string, columns: Column[], rows: unknown[][]) => {
    const ws = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = columns.map((c) => ({ header: c.header, width: c.width, style: c.money ? { numFmt: MONEY_FORMAT } : {} }));
    ws.getRow(1).font = { bold: true };
    ws.addRows(rows);
  };
  sheet(
    '差异',
    DIFFERENCE_COLUMNS,
    comparison.differences.map((d) => [
      d.dealer,
      d.contractNo,
      d.seq,
      receivableTypeName(d.type),
      FIGURE_ZH.get(d.field),
      amount(d.file),
      amount(d.system),
      amount(d.difference),
      PRESENCE_ZH[d.presence],
      d.rowNumber,
    ]),
  );
  sheet('只在台账', CONTRACT_COLUMNS, comparison.onlyInFile.map(contractRow));
  sheet('只在系统', CONTRACT_COLUMNS, comparison.onlyInSystem.map(contractRow));
  const partial = `${target}.${process.pid}.partial`;
  try {
    await workbook.xlsx.writeFile(partial);
    fs.renameSync(partial, target);
  } finally {
    fs.rmSync(partial, { force: true });
  }
}
