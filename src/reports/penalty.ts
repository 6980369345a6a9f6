// Penalty accrued per day and per month, per dealer (罚息计提): accrued(D) − accrued(D−1) for each day D of the
// period, where accrued(D) is what the reports show as penaltyAccrued as of D (lines.ts): over the lines in effect
// on D of the contracts that exist by then, the batch's stored segments summed to D and rounded per line, plus the
// imported opening penalty value-dated by D. The days of a dealer therefore add up to the breakdown's
// penaltyAccrued on the last day minus that on the day before the first (tested). Today's segments: restated.
// One statement: the rounded figure per line and day (lines with a segment or an opening penalty only), summed per
// dealer and day, differenced with lag(), then GROUPING SETS for months, dealers and the total.
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import { addDays, type BusinessDate, eachDate } from '../core/dates.js';
import { reportContracts } from './lines.js';
import { checkScope, type ReportScope } from './scope.js';

export interface PenaltyInput {
  from: BusinessDate;
  to: BusinessDate;
  dealer?: string | undefined;
  region?: string | undefined;
  collector?: string | undefined;
}

export interface PenaltyDay {
  date: BusinessDate;
  accrued: string;
}

export interface PenaltyMonth {
  month: string;
  accrued: string;
}

export interface DealerPenalty {
  dealer: string;
  dealerName: string;
  days: PenaltyDay[];
  months: PenaltyMonth[];
  total: string;
}

export interface PenaltyReport {
  from: BusinessDate;
  to: BusinessDate;
  restated: true;
  scope: ReportScope;
  collector: string | null;
  dealers: DealerPenalty[];
  /** the scope's totals per day and per month, and of the period */
  days: PenaltyDay[];
  months: PenaltyMonth[];
  total: string;
}

interface SqlRow {
  dealer: string | null;
  dealerName: string | null;
  month: string | null;
  date: BusinessDate | null;
  accrued: string;
}

/** The statement: per dealer and day the change of the accrued penalty, with month, dealer and total sums. */
function penaltySql(knex: Knex, actor: Actor, input: PenaltyInput) {
  const contracts = reportContracts(knex, actor, {
    asOf: input.to,
    dealer: input.dealer,
    region: input.region,
    collector: input.collector,
  }).toSQL();
  const before = addDays(input.from, -1);
  const sql = `WITH days AS (SELECT d::date AS day FROM generate_series(?::date, ?::date, interval '1 day') AS d),
      sc AS (${contracts.sql}),
      seg AS (
        SELECT s.line_id, days.day, round(sum(s.base * s.daily_rate * (least(coalesce(s.to_date, days.day), days.day) - s.from_date + 1)), 2) AS accrued
          FROM penalty_segments s JOIN days ON s.from_date <= days.day AND s.grace_end < days.day
         WHERE s.contract_id IN (SELECT id FROM sc)
         GROUP BY s.line_id, days.day
        UNION ALL
        SELECT p.schedule_line_id, days.day, sum(p.signed_amount)
          FROM postings p JOIN days ON p.value_date <= days.day
         WHERE p.kind = 'opening_penalty' AND p.contract_id IN (SELECT id FROM sc)
         GROUP BY p.schedule_line_id, days.day
      ),
      -- only the lines in effect on the day, of contracts that exist by then (lines.ts, ledger/lines.ts)
      per_day AS (
        SELECT c.dealer_id, seg.day, sum(seg.accrued) AS accrued
          FROM seg
          JOIN schedule_lines l ON l.id = seg.line_id
          JOIN contracts c ON c.id = l.contract_id
          JOIN schedule_versions v ON v.contract_id = l.contract_id AND v.version = l.version
          LEFT JOIN schedule_versions r ON r.contract_id = l.contract_id AND r.version = l.retired_version
         WHERE (l.version = 1 OR v.effective_from <= seg.day)
           AND (r.version IS NULL OR r.effective_from > seg.day)
           AND (least(c.sign_date, c.cutover_date) IS NULL OR least(c.sign_date, c.cutover_date) <= seg.day)
         GROUP BY c.dealer_id, seg.day
      ),
      grid AS (
        SELECT d.id AS dealer_id, days.day, coalesce(pd.accrued, 0) AS accrued
          FROM (SELECT DISTINCT dealer_id FROM per_day) AS ds
          JOIN dealers d ON d.id = ds.dealer_id
          CROSS JOIN days
          LEFT JOIN per_day pd ON pd.dealer_id = d.id AND pd.day = days.day
      ),
      daily AS (
        SELECT g.dealer_id, g.day, g.accrued - lag(g.accrued) OVER (PARTITION BY g.dealer_id ORDER BY g.day) AS change
          FROM grid g
      )
    SELECT d.code AS dealer, min(d.name) AS "dealerName", to_char(x.day, 'YYYY-MM') AS month, x.day::text AS date,
           coalesce(sum(x.change), 0)::numeric(18,2)::text AS accrued
      FROM daily x JOIN dealers d ON d.id = x.dealer_id
     WHERE x.day >= ?::date
     GROUP BY GROUPING SETS ((d.code, to_char(x.day, 'YYYY-MM'), x.day), (d.code, to_char(x.day, 'YYYY-MM')), (d.code),
                             (to_char(x.day, 'YYYY-MM'), x.day), (to_char(x.day, 'YYYY-MM')), ())
     ORDER BY GROUPING(d.code), d.code, GROUPING(to_char(x.day, 'YYYY-MM')), month, GROUPING(x.day), x.day`;
  return { sql, bindings: [before, input.to, ...contracts.bindings, input.from] };
}

/** The penalty accrued per day and month of the input's period and scope (the action checks the batch date). */
export async function penaltyAccrual(knex: Knex, actor: Actor, input: PenaltyInput): Promise<PenaltyReport> {
  const scope = await checkScope(knex, actor, input);
  const { sql, bindings } = penaltySql(knex, actor, input);
  const rows = (await knex.raw(sql, bindings)).rows as SqlRow[];
  const dealers: DealerPenalty[] = [];
  const report: PenaltyReport = {
    from: input.from,
    to: input.to,
    restated: true,
    scope,
    collector: input.collector ?? null,
    dealers,
    days: [],
    months: [],
    total: '0.00',
  };
  for (const r of rows) {
    let target: { days: PenaltyDay[]; months: PenaltyMonth[]; total: string } = report;
    if (r.dealer !== null) {
      if (dealers.at(-1)?.dealer !== r.dealer)
        dealers.push({ dealer: r.dealer, dealerName: r.dealerName as string, days: [], months: [], total: '0.00' });
      target = dealers.at(-1) as DealerPenalty;
    }
    if (r.date !== null) target.days.push({ date: r.date, accrued: r.accrued });
    else if (r.month !== null) target.months.push({ month: r.month, accrued: r.accrued });
    else target.total = r.accrued;
  }
  // no dealer of the scope accrued anything: every day and month of the period is still there, at zero
  if (report.days.length === 0) {
    report.days = [...eachDate(input.from, input.to)].map((date) => ({ date, accrued: '0.00' }));
    report.months = [...new Set(report.days.map((d) => d.date.slice(0, 7)))].map((month) => ({ month, accrued: '0.00' }));
  }
  return report;
}
