// The report actions beside the breakdown: `report.overdue` (催收清单), `report.receipts` (收款日记账),
// `report.trend` (月度趋势), `report.penalty` (罚息计提). Read-only, for everyone; what a user sees is their data
// scope (the contracts come through reportContracts/scopeContracts). The adapter prints or writes what they return.
import { defineAction } from '../access/action.js';
import { EVERYONE } from '../access/role-sets.js';
import { lastCompletedBatchDate } from '../batch/runs.js';
import { addMonths, type BusinessDate, parseDate } from '../core/dates.js';
import { BadInput } from '../core/errors.js';
import type { Tx } from '../db/index.js';
import { type OverdueList, overdueList } from './overdue.js';
import { overdueDocument } from './overdue-view.js';
import { type PenaltyReport, penaltyAccrual } from './penalty.js';
import { penaltyDocument } from './penalty-view.js';
import { type ReceiptsJournal, receiptsJournal } from './receipts.js';
import { receiptsDocument } from './receipts-view.js';
import {
  checkReportDate,
  type OutputFormat,
  parseDays,
  parsePeriod,
  parseScope,
  type ScopeRaw,
  type ScopeRequest,
  writeReportFile,
} from './report-common.js';
import { monthsBetween, type Trend, trend } from './trend.js';
import { trendDocument } from './trend-view.js';

/** What every one of these reports hands back besides its figures: how to print it and where. */
export interface Delivery {
  format: OutputFormat;
  out: string | undefined;
}

export interface OverdueRaw extends ScopeRaw {
  asOf?: string | undefined;
  restated?: boolean | undefined;
  minOverdueDays?: string | undefined;
}

export interface OverdueRequest extends ScopeRequest {
  asOf: BusinessDate | undefined;
  restated: boolean;
  minOverdueDays: number;
}

export function parseOverdue(raw: OverdueRaw): OverdueRequest {
  const minOverdueDays = parseDays(raw.minOverdueDays, 'minOverdueDays') ?? 1;
  return {
    ...parseScope(raw),
    asOf: raw.asOf === undefined ? undefined : parseDate(raw.asOf, 'asOf'),
    restated: raw.restated === true,
    minOverdueDays: Math.max(1, minOverdueDays),
  };
}

export const reportOverdue = defineAction({
  name: 'report.overdue',
  summary: 'the overdue list per collector (催收清单) as of a date: customer, phone, machines, overdue lines, penalty',
  roles: EVERYONE,
  mutates: false,
  parse: parseOverdue,
  run: async (tx: Tx, actor, input): Promise<OverdueList & Delivery> => {
    const asOf = checkReportDate('overdue list', input.asOf, await lastCompletedBatchDate(tx));
    const list = await overdueList(tx, actor, { ...input, asOf });
    await writeReportFile(input.format, input.out, () => overdueDocument(list));
    return { ...list, format: input.format, out: input.out };
  },
});

/** A year's journal, leap day included: a named limit on what one report reads. */
export const RECEIPTS_PERIOD_MAX_DAYS = 366;

export interface PeriodRaw extends ScopeRaw {
  from?: string | undefined;
  to?: string | undefined;
}

export interface ReceiptsRequest extends ScopeRequest {
  from: BusinessDate;
  to: BusinessDate;
}

export function parseReceipts(raw: PeriodRaw): ReceiptsRequest {
  return { ...parseScope(raw), ...parsePeriod(raw, RECEIPTS_PERIOD_MAX_DAYS) };
}

export const reportReceipts = defineAction({
  name: 'report.receipts',
  summary: 'the receipts journal (收款日记账) of a period: by account and method, buyback transfers apart from cash',
  roles: EVERYONE,
  mutates: false,
  parse: parseReceipts,
  run: async (tx: Tx, actor, input): Promise<ReceiptsJournal & Delivery> => {
    const journal = await receiptsJournal(tx, actor, input);
    await writeReportFile(input.format, input.out, () => receiptsDocument(journal));
    return { ...journal, format: input.format, out: input.out };
  },
});

/** Three years of months: a named limit on what one chart asks for. */
export const TREND_MONTHS_MAX = 36;
/** Without --from: the twelve months ending with --to. */
export const TREND_MONTHS_DEFAULT = 12;

const MONTH = /^[0-9]{4}-(0[1-9]|1[0-2])$/;

function parseMonth(text: string | undefined, field: string): string | undefined {
  if (text === undefined) return undefined;
  const trimmed = String(text).trim();
  if (!MONTH.test(trimmed)) throw new BadInput(field, text, 'a month YYYY-MM, e.g. 2026-03');
  return trimmed;
}

export interface TrendRaw extends PeriodRaw {
  restated?: boolean | undefined;
}

export interface TrendRequest extends ScopeRequest {
  from: string | undefined;
  to: string | undefined;
  restated: boolean;
}

export function parseTrend(raw: TrendRaw): TrendRequest {
  const from = parseMonth(raw.from, 'from');
  const to = parseMonth(raw.to, 'to');
  if (from !== undefined && to !== undefined) {
    if (from > to) throw new BadInput('to', to, `a month on or after --from ${from}`);
    if (monthsBetween(from, to).length > TREND_MONTHS_MAX) throw new BadInput('to', to, `at most ${TREND_MONTHS_MAX} months from ${from}`);
  }
  return { ...parseScope(raw), from, to, restated: raw.restated === true };
}

/**
 * The months asked for, defaulted and checked against the last batch date's month. As reported, the default
 * starts no earlier than the month of the first night with a report snapshot (`firstReported`): the months
 * before it were never reported.
 */
export function trendMonths(
  from: string | undefined,
  to: string | undefined,
  lastBatch: BusinessDate,
  firstReported: BusinessDate | null = null,
): { from: string; to: string } {
  const last = lastBatch.slice(0, 7);
  const end = to ?? last;
  if (end > last)
    throw new BadInput('to', end, `a month up to ${last}, the month of the last date the nightly batch completed (${lastBatch})`);
  const year = addMonths(`${end}-01`, 1 - TREND_MONTHS_DEFAULT).slice(0, 7);
  const reported = firstReported?.slice(0, 7);
  const start = from ?? (reported !== undefined && reported > year && reported <= end ? reported : year);
  if (start > end) throw new BadInput('from', start, `a month on or before ${end}`);
  if (monthsBetween(start, end).length > TREND_MONTHS_MAX)
    throw new BadInput('from', start, `at most ${TREND_MONTHS_MAX} months before ${end}`);
  return { from: start, to: end };
}

export const reportTrend = defineAction({
  name: 'report.trend',
  summary: 'the monthly series for charts: outstanding, overdue, overdue rate, M1+/M3+ rates, collection rate per collector',
  roles: EVERYONE,
  mutates: false,
  parse: parseTrend,
  run: async (tx: Tx, actor, input): Promise<Trend & Delivery> => {
    const lastBatch = checkReportDate('trend', undefined, await lastCompletedBatchDate(tx));
    const first = input.restated ? null : ((await tx('report_snapshots').min('business_date as first').first())?.first ?? null);
    const months = trendMonths(input.from, input.to, lastBatch, first);
    const series = await trend(tx, actor, { ...input, ...months, lastBatch });
    await writeReportFile(input.format, input.out, () => trendDocument(series));
    return { ...series, format: input.format, out: input.out };
  },
});

/** A year of days per dealer: a named limit on the rows one report computes. */
export const PENALTY_PERIOD_MAX_DAYS = 366;

export function parsePenalty(raw: PeriodRaw): ReceiptsRequest {
  return { ...parseScope(raw), ...parsePeriod(raw, PENALTY_PERIOD_MAX_DAYS) };
}

export const reportPenalty = defineAction({
  name: 'report.penalty',
  summary: 'penalty accrued per day and per month, per dealer (罚息计提), for a period up to the last batch date',
  roles: EVERYONE,
  mutates: false,
  parse: parsePenalty,
  run: async (tx: Tx, actor, input): Promise<PenaltyReport & Delivery> => {
    checkReportDate('penalty report', input.to, await lastCompletedBatchDate(tx), 'to');
    const report = await penaltyAccrual(tx, actor, input);
    await writeReportFile(input.format, input.out, () => penaltyDocument(report));
    return { ...report, format: input.format, out: input.out };
  },
});

export const reportMoreActions = [reportOverdue, reportReceipts, reportTrend, reportPenalty] as const;
