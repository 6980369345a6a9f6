// The monthly series for charts (月度趋势): per month of a range, as of its last day (the last completed batch date
// in the month that holds it), the scope's outstanding, overdue, overdue rate (overdue ÷ outstanding), M1+ and M3+
// rates (the outstanding of contracts with a line overdue more than 30 / 90 days ÷ outstanding), and per collector
// the collection rate (回款率):
//
//   回款率(collector, month) = received ÷ due, where
//     due      = the amount due of the lines due in the month (from its first day to its last, or to the batch
//                date in the month that holds it), lines in effect on that day, of the collector's contracts;
//     received = what paid the amounts of the collector's lines due on or before that day, value-dated in the
//                month: receipts' allocations and credit applied (a prepayment counts when the line falls due);
//                not penalty, not an import's opening paid, not a buyback's transfer (no money came in).
//   A month with nothing due has no rate (null); paying arrears can take a rate above 1.
// The collector is the contract's collector now. Rates are 4-decimal strings, rounded half up in SQL; money sums
// are numeric, leaving the database as text. Figures as of a month end come from linesOf (restated or as
// reported); what was received is read from the postings.
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import { addDays, type BusinessDate, minDate, monthEnd } from '../core/dates.js';
import { type ReportFilter, reportContracts } from './lines.js';
import { checkScope, type ReportScope } from './scope.js';
import { checkSource, linesOf } from './sources.js';

export interface TrendInput {
  /** first and last month, YYYY-MM */
  from: string;
  to: string;
  /** the last completed batch date: no month is reported past it */
  lastBatch: BusinessDate;
  restated: boolean;
  dealer?: string | undefined;
  region?: string | undefined;
  collector?: string | undefined;
}

export const TREND_SERIES = ['outstanding', 'overdue', 'overdueRate', 'm1Rate', 'm3Rate'] as const;
export type TrendSeries = (typeof TREND_SERIES)[number];

export interface CollectorTrend {
  collector: string | null;
  /** per month: received ÷ due, 4 decimals, null when nothing fell due */
  rates: (string | null)[];
  due: string[];
  received: string[];
}

export interface Trend {
  from: string;
  to: string;
  restated: boolean;
  scope: ReportScope;
  collector: string | null;
  months: string[];
  /** the date each month's figures are as of: its last day, or the batch date in the month that holds it */
  asOf: BusinessDate[];
  series: Record<TrendSeries, (string | null)[]>;
  collectors: CollectorTrend[];
}

/** The months from one YYYY-MM to another, in order. */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  for (let m = `${from}-01`; m.slice(0, 7) <= to; m = addDays(monthEnd(m), 1)) months.push(m.slice(0, 7));
  return months;
}

const rate = (numerator: string, denominator: string) =>
  `CASE WHEN ${denominator} = 0 THEN NULL ELSE round(${numerator} / ${denominator}, 4)::text END`;

interface MonthFigures {
  outstanding: string;
  overdue: string;
  overdueRate: string | null;
  m1Rate: string | null;
  m3Rate: string | null;
}

interface MonthCollector {
  collector: string | null;
  due: string;
  received: string;
  rate: string | null;
}

/** Per collector: what paid their lines due by the day, value-dated in the month (not buyback transfers). */
function receivedSql(knex: Knex, actor: Actor, filter: ReportFilter, first: BusinessDate) {
  return knex('postings as p')
    .join('schedule_lines as sl', 'sl.id', 'p.schedule_line_id')
    .join('contracts as c', 'c.id', 'p.contract_id')
    .leftJoin('users as u', 'u.id', 'c.collector_id')
    .leftJoin('documents as r', 'r.id', 'p.document_id')
    .whereIn('p.kind', ['allocation', 'credit_application'])
    .whereBetween('p.value_date', [first, filter.asOf])
    .where('sl.due_date', '<=', filter.asOf)
    .whereRaw(`(r.id IS NULL OR (r.data->>'buyback') IS NULL)`)
    .whereIn('p.contract_id', reportContracts(knex, actor, filter))
    .groupBy('u.username')
    .select('u.username as collector', knex.raw('sum(p.signed_amount) AS received'))
    .toSQL();
}

/** One month in one statement: the portfolio's figures as of its day, and per collector due, received, rate. */
async function month(knex: Knex, actor: Actor, filter: ReportFilter, first: BusinessDate, restated: boolean) {
  await checkSource(knex, actor, filter, restated, 'from', first.slice(0, 7));
  const lines = linesOf(knex, actor, filter, restated).toSQL();
  const received = receivedSql(knex, actor, filter, first);
  const result = await knex.raw(
    `WITH l AS (${lines.sql}),
          c AS (SELECT l."contractId", sum(l.outstanding) AS outstanding, max(l."overdueDays") AS days FROM l GROUP BY l."contractId"),
          t AS (SELECT coalesce(sum(l.outstanding), 0) AS outstanding, coalesce(sum(l.overdue), 0) AS overdue FROM l),
          m AS (SELECT coalesce(sum(c.outstanding) FILTER (WHERE c.days > 30), 0) AS m1,
                       coalesce(sum(c.outstanding) FILTER (WHERE c.days > 90), 0) AS m3 FROM c),
          d AS (SELECT l.collector, coalesce(sum(l."amountDue") FILTER (WHERE l."dueDate" BETWEEN ?::date AND ?::date), 0) AS due
                  FROM l GROUP BY l.collector),
          r AS (${received.sql}),
          k AS (SELECT u.collector, sum(u.due) AS due, sum(u.received) AS received
                  FROM (SELECT d.collector, d.due, 0 AS received FROM d UNION ALL SELECT r.collector, 0, r.received FROM r) AS u
                 GROUP BY u.collector)
     SELECT t.outstanding::numeric(18,2)::text AS outstanding, t.overdue::numeric(18,2)::text AS overdue,
            ${rate('t.overdue', 't.outstanding')} AS "overdueRate", ${rate('m.m1', 't.outstanding')} AS "m1Rate",
            ${rate('m.m3', 't.outstanding')} AS "m3Rate",
            (SELECT coalesce(json_agg(json_build_object('collector', k.collector, 'due', k.due::numeric(18,2)::text,
                       'received', k.received::numeric(18,2)::text, 'rate', ${rate('k.received', 'k.due')})), '[]'::json) FROM k) AS collectors
       FROM t, m`,
    [...lines.bindings, first, filter.asOf, ...received.bindings],
  );
  const row = result.rows[0] as MonthFigures & { collectors: MonthCollector[] | string };
  const collectors = typeof row.collectors === 'string' ? (JSON.parse(row.collectors) as MonthCollector[]) : row.collectors;
  return { figures: row as MonthFigures, collectors };
}

/** The series of the input's months (checked against the batch by the action). */
export async function trend(knex: Knex, actor: Actor, input: TrendInput): Promise<Trend> {
  const scope = await checkScope(knex, actor, input);
  const months = monthsBetween(input.from, input.to);
  const asOf: BusinessDate[] = [];
  const series = Object.fromEntries(TREND_SERIES.map((s) => [s, [] as (string | null)[]])) as Trend['series'];
  const perMonth: Map<string | null, MonthCollector>[] = [];
  for (const m of months) {
    const first = `${m}-01`;
    const day = minDate(monthEnd(first), input.lastBatch);
    const filter: ReportFilter = { asOf: day, dealer: input.dealer, region: input.region, collector: input.collector };
    const { figures, collectors } = await month(knex, actor, filter, first, input.restated);
    asOf.push(day);
    for (const s of TREND_SERIES) series[s].push(figures[s]);
    perMonth.push(new Map(collectors.map((c) => [c.collector, c])));
  }
  const names = new Set<string | null>();
  for (const m of perMonth) for (const name of m.keys()) names.add(name);
  // collectors by name, contracts nobody is assigned to last
  const ordered = [...names].sort((a, b) => (a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0));
  const collectors = ordered.map(
    (collector): CollectorTrend => ({
      collector,
      rates: perMonth.map((m) => m.get(collector)?.rate ?? null),
      due: perMonth.map((m) => m.get(collector)?.due ?? '0.00'),
      received: perMonth.map((m) => m.get(collector)?.received ?? '0.00'),
    }),
  );
  return {
    from: input.from,
    to: input.to,
    restated: input.restated,
    scope,
    collector: input.collector ?? null,
    months,
    asOf,
    series,
    collectors,
  };
}
