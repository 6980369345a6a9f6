// The breakdown's action: `report.breakdown` (债权分解表). Read-only, for everyone; what a user sees is their data
// scope (the lines come through reportContracts/scopeContracts). The adapter prints or writes what it returns.
import { defineAction } from '../access/action.js';
import { EVERYONE } from '../access/role-sets.js';
import { lastCompletedBatchDate } from '../batch/runs.js';
import { type BusinessDate, parseDate } from '../core/dates.js';
import { BadInput } from '../core/errors.js';
import type { Tx } from '../db/index.js';
import { parseAging } from './aging.js';
import { BREAKDOWN_BY, type Breakdown, type BreakdownBy, breakdown, breakdownStream, checkAsOf } from './breakdown.js';
import { BREAKDOWN_TITLE, breakdownStreamSheets, breakdownSubtitle } from './breakdown-view.js';
import { checkReportTarget, writeReportCsv, writeReportXlsx } from './xlsx.js';

export const REPORT_FORMATS = ['table', 'json', 'csv', 'xlsx'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface BreakdownRaw {
  asOf?: string | undefined;
  restated?: boolean | undefined;
  dealer?: string | undefined;
  region?: string | undefined;
  collector?: string | undefined;
  by?: string | undefined;
  aging?: string | undefined;
  format?: string | undefined;
  out?: string | undefined;
}

export interface BreakdownRequest {
  asOf: BusinessDate | undefined;
  restated: boolean;
  dealer: string | undefined;
  region: string | undefined;
  collector: string | undefined;
  by: BreakdownBy;
  aging: number[];
  format: ReportFormat;
  out: string | undefined;
}

/** Every flag checked before the database is read; the output file's place too. */
export function parseBreakdown(raw: BreakdownRaw): BreakdownRequest {
  const by = raw.by ?? 'contract';
  if (!(BREAKDOWN_BY as readonly string[]).includes(by)) throw new BadInput('by', by, BREAKDOWN_BY.join(', '));
  const format = raw.format ?? 'table';
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) throw new BadInput('format', format, REPORT_FORMATS.join(', '));
  if (raw.dealer !== undefined && raw.region !== undefined)
    throw new BadInput('region', raw.region, `either a dealer or a region, not both (dealer ${raw.dealer} given)`);
  // a workbook or CSV file is written by the action (as import --compare writes its workbook): it needs its file
  if ((format === 'csv' || format === 'xlsx') && raw.out === undefined)
    throw new BadInput('out', null, `a file to write the ${format.toUpperCase()} to (--format ${format} --out FILE)`);
  if (raw.out !== undefined) checkReportTarget(raw.out);
  return {
    asOf: raw.asOf === undefined ? undefined : parseDate(raw.asOf, 'asOf'),
    restated: raw.restated === true,
    dealer: raw.dealer,
    region: raw.region,
    collector: raw.collector,
    by: by as BreakdownBy,
    aging: parseAging(raw.aging),
    format: format as ReportFormat,
    out: raw.out,
  };
}

/**
 * What the action returns. Table and JSON: the report, every row in memory. CSV and XLSX: the file is written as
 * the rows come from the database (breakdownStream), so `rows` holds only the subtotal and total rows, and
 * `written` the rows of the file's detail sheet (null for table and JSON).
 */
export type BreakdownResult = Breakdown & { format: ReportFormat; out: string | undefined; written: number | null };

export const reportBreakdown = defineAction({
  name: 'report.breakdown',
  summary: 'the receivables breakdown (债权分解表) as of a date, with aging, subtotals per dealer and region, and the total',
  roles: EVERYONE,
  mutates: false,
  parse: parseBreakdown,
  run: async (tx: Tx, actor, input): Promise<BreakdownResult> => {
    const asOf = checkAsOf(input.asOf, await lastCompletedBatchDate(tx));
    const { format, out } = input;
    if ((format === 'csv' || format === 'xlsx') && out !== undefined) {
      const report = await breakdownStream(tx, actor, { ...input, asOf });
      const { sheets, written, kept } = breakdownStreamSheets(report);
      // CSV: the detail sheet (rows, subtotals, total); XLSX: the detail and summary sheets
      if (format === 'csv') await writeReportCsv(out, sheets[0]);
      else await writeReportXlsx(out, { title: BREAKDOWN_TITLE, subtitle: breakdownSubtitle(report), sheets });
      return { ...report, rows: kept(), totals: report.totals(), format, out, written: written() };
    }
    const report = await breakdown(tx, actor, { ...input, asOf });
    return { ...report, format, out, written: null };
  },
});

export const reportBreakdownActions = [reportBreakdown] as const;
