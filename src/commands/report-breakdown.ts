// `zq report breakdown` (债权分解表), a command of the `zq report` group: flags → the report.breakdown action → a table, JSON, or the file --out names.
import type { Command } from 'commander';
import { act } from './context.js';

interface BreakdownFlags {
  asOf?: string;
  restated?: boolean;
  dealer?: string;
  region?: string;
  collector?: string;
  by?: string;
  aging?: string;
  format?: string;
  out?: string;
}

type BreakdownOut = import('../app/run.js').Output<'report.breakdown'>;

async function breakdown(flags: BreakdownFlags, cmd: Command): Promise<void> {
  const view = await import('../reports/breakdown-view.js');
  const { writeReportText } = await import('../reports/output.js');
  // the report goes to stdout, or whole to the file --out names; then stdout says where it went
  const deliver = (out: BreakdownOut, text: string, summary: () => string): string => {
    if (out.out === undefined) return text;
    // CSV and XLSX the action has written; table and JSON are written here
    if (out.format === 'table' || out.format === 'json') writeReportText(out.out, `${text}\n`);
    return summary();
  };
  const jsonText = (out: BreakdownOut) => JSON.stringify(view.breakdownJson(out), null, 2);
  await act(
    cmd,
    'report.breakdown',
    { ...flags, restated: flags.restated === true },
    (out) =>
      deliver(
        out,
        out.format === 'json' ? jsonText(out) : view.breakdownTable(out),
        () => `${view.BREAKDOWN_TITLE} (${out.written ?? out.rows.length} rows) written to ${out.out}`,
      ),
    {},
    (out) => deliver(out, jsonText(out), () => JSON.stringify({ out: out.out, rows: out.written ?? out.rows.length })),
  );
}

export function registerBreakdown(report: Command): void {
  report
    .command('breakdown')
    .description('the receivables breakdown (债权分解表) as of a date, with aging, subtotals per dealer and region, and the total')
    .option('--as-of <date>', 'figures as of this business date (default: the last date the nightly batch completed)')
    .option('--restated', 'today’s knowledge of that date, backdated documents included (重述)')
    .option('--dealer <code>', 'only this dealer')
    .option('--region <code>', 'only the dealers of this region')
    .option('--collector <username>', 'only this collector’s contracts')
    .option('--by <level>', 'rows per line, contract (default), customer, collector, dealer, region or type')
    .option('--aging <days>', 'aging buckets’ upper bounds in days (default 30,60,90,180,360)')
    .option('--format <format>', 'table (default), json, csv or xlsx (csv and xlsx need --out)')
    .option('--out <file>', 'write the report to this file (replaced whole when complete) instead of stdout')
    .action(breakdown);
}
