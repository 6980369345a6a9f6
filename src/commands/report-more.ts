// `zq report overdue | receipts | trend | penalty`, commands of the `zq report` group: flags → the report's action
// → a table, JSON, or the file --out names (written whole through a partial file).
import type { Command } from 'commander';
import type { ActionName } from '../app/catalogue.js';
import type { Output } from '../app/run.js';
import { act } from './context.js';

type Flags = Record<string, string | boolean | undefined>;

interface Printed {
  out: string | undefined;
  format: 'table' | 'json' | 'csv' | 'xlsx';
}

/**
 * Runs a report: to stdout, or whole to the file --out names, after which stdout says where it went. `rows`
 * counts what was written, for that line.
 */
async function runReport<N extends ActionName>(
  cmd: Command,
  name: N,
  flags: Flags,
  view: { title: string; table: (out: Output<N>) => string; json: (out: Output<N>) => object; rows: (out: Output<N>) => number },
): Promise<void> {
  const { writeReportText } = await import('../reports/output.js');
  const deliver = (out: Output<N> & Printed, text: string, summary: () => string): string => {
    if (out.out === undefined) return text;
    // CSV and XLSX the action has written; table and JSON are written here
    if (out.format === 'table' || out.format === 'json') writeReportText(out.out, `${text}\n`);
    return summary();
  };
  const jsonText = (out: Output<N>) => JSON.stringify(view.json(out), null, 2);
  await act(
    cmd,
    name,
    { ...flags, restated: flags.restated === true } as never,
    (out) => {
      const o = out as Output<N> & Printed;
      return deliver(
        o,
        o.format === 'json' ? jsonText(out) : view.table(out),
        () => `${view.title} (${view.rows(out)} rows) written to ${o.out}`,
      );
    },
    {},
    (out) => {
      const o = out as Output<N> & Printed;
      return deliver(o, jsonText(out), () => JSON.stringify({ out: o.out, rows: view.rows(out) }));
    },
  );
}

async function overdue(flags: Flags, cmd: Command): Promise<void> {
  const v = await import('../reports/overdue-view.js');
  await runReport(cmd, 'report.overdue', flags, {
    title: v.OVERDUE_TITLE,
    table: v.overdueTable,
    json: v.overdueJson,
    rows: (out) => out.contracts.length,
  });
}

async function receipts(flags: Flags, cmd: Command): Promise<void> {
  const v = await import('../reports/receipts-view.js');
  await runReport(cmd, 'report.receipts', flags, {
    title: v.RECEIPTS_TITLE,
    table: v.receiptsTable,
    json: v.receiptsJson,
    rows: (out) => out.receipts.length + out.buybacks.length,
  });
}

async function trend(flags: Flags, cmd: Command): Promise<void> {
  const v = await import('../reports/trend-view.js');
  await runReport(cmd, 'report.trend', flags, {
    title: v.TREND_TITLE,
    table: v.trendTable,
    json: v.trendJson,
    rows: (out) => out.months.length,
  });
}

async function penalty(flags: Flags, cmd: Command): Promise<void> {
  const v = await import('../reports/penalty-view.js');
  await runReport(cmd, 'report.penalty', flags, {
    title: v.PENALTY_TITLE,
    table: v.penaltyTable,
    json: v.penaltyJson,
    rows: (out) => out.days.length,
  });
}

/** The flags every report of this file shares. */
function scopeOptions(command: Command): Command {
  return command
    .option('--dealer <code>', 'only this dealer')
    .option('--region <code>', 'only the dealers of this region')
    .option('--collector <username>', 'only this collector’s contracts')
    .option('--format <format>', 'table (default), json, csv or xlsx (csv and xlsx need --out)')
    .option('--out <file>', 'write the report to this file (replaced whole when complete) instead of stdout');
}

export function registerMore(report: Command): void {
  scopeOptions(
    report
      .command('overdue')
      .description('the overdue list per collector (催收清单): customer, phone, machines, overdue lines, overdue days, penalty')
      .option('--as-of <date>', 'figures as of this business date (default: the last date the nightly batch completed)')
      .option('--restated', 'today’s knowledge of that date, backdated documents included (重述)')
      .option('--min-overdue-days <n>', 'only contracts overdue at least this many days (default 1)'),
  ).action(overdue);
  scopeOptions(
    report
      .command('receipts')
      .description('the receipts journal (收款日记账) of a period: by account and method, buyback transfers apart from cash')
      .option('--from <date>', 'the first value date of the period (required)')
      .option('--to <date>', 'the last value date of the period (required; at most 366 days after --from)'),
  ).action(receipts);
  scopeOptions(
    report
      .command('trend')
      .description(
        'the monthly series for charts: outstanding, overdue, overdue rate, M1+/M3+ rates, collection rate (回款率) per collector',
      )
      .option('--from <month>', 'the first month, YYYY-MM (default: 11 months before --to)')
      .option('--to <month>', 'the last month, YYYY-MM (default: the month of the last completed batch date)')
      .option('--restated', 'today’s knowledge of each month end, backdated documents included (重述)'),
  ).action(trend);
  scopeOptions(
    report
      .command('penalty')
      .description('penalty accrued per day and per month, per dealer (罚息计提): each day’s accrued penalty less the day before’s')
      .option('--from <date>', 'the first day of the period (required)')
      .option('--to <date>', 'the last day of the period (required; up to the last completed batch date, at most 366 days)'),
  ).action(penalty);
}
