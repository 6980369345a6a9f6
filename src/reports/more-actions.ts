// The report actions beside the breakdown: `report.overdue` (催收清单), `report.receipts` (收款日记账),
// `report.trend` (月度趋势), `report.penalty` (罚息计提). Read-only, for everyone; what a user sees is their data
// scope (the contracts come through reportContracts/scopeContracts). The adapter prints or writes what they return.
import { defineAction } from '../access/action.js';
import { EVERYONE } from '../access/role-sets.js';
import { lastCompletedBatchDate } from '../batch/runs.js';
import { type BusinessDate, parseDate } from '../core/dates.js';
import type { Tx } from '../db/index.js';
import { type OverdueList, overdueList } from './overdue.js';
import { type ReceiptsJournal, receiptsJournal } from './receipts.js';
import {
  checkReportDate,
  type OutputFormat,
  parseDays,
  parsePeriod,
  parseScope,
  type ScopeRaw,
  type ScopeRequest,
} from './report-common.js';

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
    return { ...journal, format: input.format, out: input.out };
  },
});

export const reportMoreActions = [reportOverdue, reportReceipts] as const;
