import { type BusinessDate, daysBetween, parseDate } from '../core/dates.js';
import { BadInput, Refused } from '../core/errors.js';
import { dec, formatMoneyGrouped } from '../core/money.js';
import { table } from '../core/table.js';
import { chineseDate, type Sheet } from './breakdown-view.js';
import type { ReportScope } from './scope.js';
import { checkReportTarget, type ReportRow as SheetRow, writeReportCsv, writeReportXlsx } from './xlsx.js';

export const OUTPUT_FORMATS = ['table', 'json', 'csv', 'xlsx'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** The flags every one of these reports takes: scope, format, output file. */
export interface ScopeRaw {
  dealer?: string | undefined;
  region?: string | undefined;
  collector?: string | undefined;
  format?: string | undefined;
  out?: string | undefined;
}

export interface ScopeRequest {
  dealer: string | undefined;
  region: string | undefined;
  collector: string | undefined;
  format: OutputFormat;
  out: string | undefined;
}

/** What a report covers: a dealer, a region or the group, narrowed to the actor's own data scope where it is. */
/** The scope and format flags checked without the database; the output file's folder too. */
export function parseScope(raw: ScopeRaw): ScopeRequest {
  const format = raw.format ?? 'table';
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) throw new BadInput('format', format, OUTPUT_FORMATS.join(', '));
  if (raw.dealer !== undefined && raw.region !== undefined)
    throw new BadInput('region', raw.region, `either a dealer or a region, not both (dealer ${raw.dealer} given)`);
  // a workbook or CSV file is written by the action (writeReportFile): it needs its file
  if ((format === 'csv' || format === 'xlsx') && raw.out === undefined)
    throw new BadInput('out', null, `a file to write the ${format.toUpperCase()} to (--format ${format} --out FILE)`);
  if (raw.out !== undefined) checkReportTarget(raw.out);
  return { dealer: raw.dealer, region: raw.region, collector: raw.collector, format: format as OutputFormat, out: raw.out };
}

/** Shown for a contract without a collector, a dealer without a region, an empty field. */
export const NONE = '—';

/** The first subtitle line: 经销商/区域/集团, the collector, and whose data scope it is. */
export function scopeLine(scope: ReportScope, collector: string | null): string {
  const named = scope.name ? `${scope.code} ${scope.name}` : (scope.code ?? '');
  const where = scope.kind === 'dealer' ? `经销商：${named}` : scope.kind === 'region' ? `区域：${named}` : '集团';
  return `${where}${collector ? `　催收员：${collector}` : ''}${scope.limitedTo ? `（${scope.limitedTo} 的数据权限）` : ''}`;
}

/** 口径: as reported that night, or restated. */
export function basisLine(restated: boolean): string {
  return `口径：${restated ? '重述' : '当日报送'}`;
}

export function asOfLine(asOf: BusinessDate): string {
  return `截至：${chineseDate(asOf)}`;
}

export function periodLine(from: BusinessDate, to: BusinessDate): string {
  return `期间：${chineseDate(from)}至${chineseDate(to)}`;
}

/** A period of business dates: both given, from ≤ to, at most `maxDays` long (a named limit per report). */
export function parsePeriod(
  raw: { from?: string | undefined; to?: string | undefined },
  maxDays: number,
): { from: BusinessDate; to: BusinessDate } {
  if (raw.from === undefined) throw new BadInput('from', null, 'the first date of the period, YYYY-MM-DD');
  if (raw.to === undefined) throw new BadInput('to', null, 'the last date of the period, YYYY-MM-DD');
  const from = parseDate(raw.from, 'from');
  const to = parseDate(raw.to, 'to');
  if (from > to) throw new BadInput('to', to, `a date on or after --from ${from}`);
  const days = daysBetween(from, to) + 1;
  if (days > maxDays) throw new BadInput('to', to, `a period of at most ${maxDays} days from ${from}`);
  return { from, to };
}

/** A whole number of days typed on the command line (e.g. --min-overdue-days). */
export function parseDays(text: string | undefined, field: string): number | undefined {
  if (text === undefined) return undefined;
  const trimmed = String(text).trim();
  if (!/^[0-9]{1,5}$/.test(trimmed)) throw new BadInput(field, text, 'a whole number of days, e.g. 30');
  return Number(trimmed);
}

/**
 * The report's date checked against the nightly batch: the default is the last date it completed, a later date
 * is refused (penalty is known only through it), and before the first run there is nothing to report.
 */
export function checkReportDate(
  report: string,
  asOf: BusinessDate | undefined,
  lastCompleted: BusinessDate | null,
  field = 'asOf',
): BusinessDate {
  if (lastCompleted === null)
    throw new Refused(`no nightly batch has completed yet: the ${report} needs the penalty it computes`).suggest({
      action: 'batch.run',
      input: asOf === undefined ? {} : { date: asOf },
    });
  if (asOf === undefined) return lastCompleted;
  if (asOf > lastCompleted)
    throw new BadInput(
      field,
      asOf,
      `a date up to ${lastCompleted}, the last date the nightly batch completed (penalty is known through it)`,
    );
  return asOf;
}

/** A report for people: its title, subtitle lines and sheets, the same for the text table and the workbook. */
export interface ReportDocument {
  title: string;
  subtitle: string[];
  sheets: Sheet[];
}

/** One sheet as a text table: money grouped by thousands, numbers right-aligned. */
export function sheetText(sheet: Sheet): string {
  const columns = sheet.columns.map((c, i) => ({
    header: c.header,
    align: c.kind === 'money' || c.kind === 'integer' || c.kind === 'percent' ? ('right' as const) : ('left' as const),
    value: (row: SheetRow) => {
      const v = row.cells[i];
      if (v === null || v === undefined) return '';
      if (c.kind === 'money') return formatMoneyGrouped(String(v));
      // a rate of 4 decimals is a percentage of 2: exact
      if (c.kind === 'percent') return `${dec(String(v)).times(100).toFixed(2)}%`;
      return v;
    },
  }));
  return table(sheet.rows, columns);
}

/** The text form of a report: title, subtitle, then each sheet under its name (the first without one). */
export function reportText(report: ReportDocument, sheets = report.sheets): string {
  const parts = sheets.map((s, i) => (i === 0 ? sheetText(s) : `${s.name}\n${sheetText(s)}`));
  return [report.title, ...report.subtitle, '', parts.join('\n\n')].join('\n');
}

/** `--format csv|xlsx`: the report written to the file --out names (CSV: its first sheet); table and JSON are the adapter's. */
export async function writeReportFile(format: OutputFormat, out: string | undefined, report: () => ReportDocument): Promise<void> {
  if (out === undefined || (format !== 'csv' && format !== 'xlsx')) return;
  const document = report();
  if (format === 'xlsx') await writeReportXlsx(out, document);
  else await writeReportCsv(out, document.sheets[0] as Sheet);
}
