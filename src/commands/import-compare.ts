// `zq import FILE --compare`: a dealer's ledger against the system (import.compare). A summary on stdout (the
// whole comparison with --json, --out FILE.xlsx for the data team); exit 4 when anything differs, 0 when
// nothing does, 2 when the file has problems an import would refuse.
import type { Command } from 'commander';
import { EXIT } from '../core/errors.js';
import { receivableTypeName } from '../core/labels.js';
import { formatMoneyGrouped } from '../core/money.js';
import type { ContractTotals, LedgerComparison, LineDifference } from '../imports/compare.js';
import { act } from './context.js';

/** Rows of each list printed on the terminal; --json and --out have them all. */
const PRINTED = 20;

const FIGURE_NAMES: Record<LineDifference['field'], string> = {
  amountDue: '应还金额 amount due',
  amountPaid: '已还金额 amount paid',
  outstanding: '未还金额 outstanding',
  penaltyAccrued: '已计罚息 penalty accrued',
  penaltyPaid: '已收罚息 penalty paid',
};

const money = (text: string | null) => (text === null ? '—' : formatMoneyGrouped(text));

function differenceLine(d: LineDifference): string {
  const where = d.presence === 'file' ? ' only in the ledger' : d.presence === 'system' ? ' only in the system' : '';
  const row = d.rowNumber === null ? '' : ` (${d.sheet ? `sheet ${d.sheet} ` : ''}row ${d.rowNumber})`;
  return `    ${d.dealer}/${d.contractNo} 期次 ${d.seq} ${receivableTypeName(d.type)}${where}${row}: ${FIGURE_NAMES[d.field]} — ledger ${money(d.file)}, system ${money(d.system)}, difference ${money(d.difference)}`;
}

function contractLine(c: ContractTotals): string {
  const where = c.rowNumber === null ? ` (${c.status})` : ` (${c.sheet ? `sheet ${c.sheet} ` : ''}row ${c.rowNumber})`;
  return `    ${c.dealer}/${c.contractNo} ${c.customer ?? ''}${where}: ${c.lines} line(s), amount due ${money(c.amountDue)}, amount paid ${money(c.amountPaid)}, outstanding ${money(c.outstanding)}, penalty accrued ${money(c.penaltyAccrued)}`;
}

function list<T>(title: string, items: readonly T[], line: (item: T) => string): string[] {
  if (items.length === 0) return [];
  const more = items.length > PRINTED ? [`    … ${items.length - PRINTED} more (--out FILE.xlsx or --json lists them all)`] : [];
  return [`  ${title}`, ...items.slice(0, PRINTED).map(line), ...more];
}

export function describeComparison(c: LedgerComparison): string {
  if (c.outcome === 'rejected') {
    const problems = c.errors.slice(0, 10).map((e) => {
      const where = [
        e.sheet ? `sheet ${e.sheet}` : null,
        e.rowNumber !== null ? `row ${e.rowNumber}` : null,
        e.column ? `column ${e.column}` : null,
      ];
      return `  ${where.filter(Boolean).join(', ') || 'file'}${e.value ? ` ${JSON.stringify(e.value)}` : ''}: ${e.reason}`;
    });
    const more =
      c.errorCount > 10 ? [`  … ${c.errorCount - 10} more problem(s): an import with --dry-run writes them all to its errors file`] : [];
    return [
      `${c.file}: not compared — the ledger has problems an import would refuse; ${c.rowsRead} row(s) read`,
      ...problems,
      ...more,
    ].join('\n');
  }
  const lines = new Set(c.differences.map((d) => `${d.dealer}/${d.contractNo}#${d.seq}:${d.type}`)).size;
  const head = `${c.file}: compared with the system as of ${c.asOf} — dealer ${c.dealers.join(', ') || '—'}; ${c.rowsRead} row(s) read; ${c.contractsCompared} contract(s) and ${c.linesCompared} line(s) in both`;
  const out = [
    head,
    ...(c.outcome === 'equal' ? ['  no differences: the ledger agrees with the system'] : []),
    ...list(`差异 differences: ${c.differences.length} figure(s) on ${lines} line(s)`, c.differences, differenceLine),
    ...list(`只在台账 only in the ledger: ${c.onlyInFile.length} contract(s)`, c.onlyInFile, contractLine),
    ...list(`只在系统 only in the system: ${c.onlyInSystem.length} contract(s)`, c.onlyInSystem, contractLine),
    ...(c.truncated ? ['  (a list stopped at its limit: compare fewer contracts at a time)'] : []),
    ...(c.out ? [`  written to ${c.out}`] : []),
  ];
  return out.join('\n');
}

export interface CompareFlags {
  kind?: string;
  dealer?: string;
  asOf?: string;
  mapping?: string;
  sheet?: string;
  out?: string;
  force?: boolean;
  dryRun?: boolean;
  skipInvalid?: boolean;
  errors?: string;
  createDealers?: boolean;
  status?: string;
}

/** Exit 4 when the ledger and the system differ, 2 when the file was refused (CLI.md exit codes). */
function setExitCode(c: LedgerComparison): void {
  if (c.outcome === 'different') process.exitCode = EXIT.reconciliation;
  if (c.outcome === 'rejected') process.exitCode = EXIT.badInput;
}

export async function compareFile(files: string[], opts: CompareFlags, cmd: Command, flags: Record<string, string>): Promise<void> {
  const { status, ...rest } = opts;
  await act(
    cmd,
    'import.compare',
    { ...rest, files, receiptStatus: status },
    (c) => {
      setExitCode(c);
      return describeComparison(c);
    },
    { files: 'FILE', receiptStatus: '--status', ...flags },
    (c) => {
      setExitCode(c);
      return JSON.stringify({ ...c, errors: c.errors.slice(0, 100) }, null, 2);
    },
  );
}
