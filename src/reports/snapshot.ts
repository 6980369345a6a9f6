// What was reported on a night: the report lines as the nightly snapshot kept them (migration 020,
// snapshot-store.ts), in the columns of the restated lines (lines.ts REPORT_LINE_COLUMNS) and with the same
// derivations, so that for a night just taken the two are equal row for row (test/reports/snapshot.test.ts).
// A state row holds what does not move by itself; overdue vs not yet due, overdue days and the penalty accruing on
// the open run are derived here for the night asked. A back-dated document entered later changes the restated
// figures, never these.
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import type { BusinessDate } from '../core/dates.js';
import { BadInput } from '../core/errors.js';
import type { AgingBucket } from './aging.js';
import { CONTRACT_HEAD, type ReportFilter, reportContracts, withContractColumns } from './lines.js';

export interface ReportedNight {
  businessDate: BusinessDate;
  /** when the snapshot was taken (ISO timestamp) */
  takenAt: Date;
  late: boolean;
}

/** The snapshot of a night, or BadInput naming the first and last nights there are. Call before reportedLines. */
export async function reportedNight(knex: Knex, asOf: BusinessDate, field = 'asOf'): Promise<ReportedNight> {
  const row = await knex('report_snapshots').where('business_date', asOf).first('business_date', 'taken_at', 'late');
  if (row) return { businessDate: row.business_date, takenAt: new Date(row.taken_at), late: row.late };
  const range = await knex('report_snapshots').min('business_date as first').max('business_date as last').first();
  const expected = range?.first
    ? `a night with a report snapshot (first: ${range.first}, last: ${range.last})`
    : 'a night with a report snapshot (none taken yet: the nightly batch takes one each night)';
  throw new BadInput(field, asOf, expected);
}

/** State rows of a table (alias) valid on the night. */
function validOn(alias: string): string {
  return `${alias}.valid_from <= ?::date AND (${alias}.valid_to IS NULL OR ${alias}.valid_to >= ?::date)`;
}

/**
 * The filter's contracts in the actor's scope reported on the night (a subquery of ids): as reportContracts, but a
 * collector filter means the contracts that collector held that night (their state), as the report's collector
 * column says, not those assigned today. The data scope stays today's: what the actor may see now.
 */
function nightContracts(knex: Knex, actor: Actor, filter: ReportFilter): Knex.QueryBuilder {
  const q = reportContracts(knex, actor, { ...filter, collector: undefined });
  if (filter.collector === undefined) return q;
  return q.whereIn(
    'sc.id',
    knex('report_contract_states as nk')
      .select('nk.contract_id')
      .whereRaw(validOn('nk'), [filter.asOf, filter.asOf])
      .whereIn('nk.collector_id', knex('users').select('id').where('username', filter.collector)),
  );
}

/**
 * Every line reported on filter.asOf of the filter's contracts in the actor's scope, without the contract's
 * columns: rows with REPORT_LINE_FIGURES, derived as restatedLineFigures derives them. The night must have a
 * snapshot (reportedNight). A line is reported with its contract's state of the night (reportedContracts).
 */
export function reportedLineFigures(knex: Knex, actor: Actor, filter: ReportFilter): Knex.QueryBuilder {
  const n = filter.asOf;
  const outstanding = '(s.amount_due - s.paid - s.written_off)';
  const accrued = `(round(s.penalty_closed + coalesce(s.run_base * s.run_rate * (?::date - s.run_from + 1), 0), 2) + s.penalty_opening)`;
  return knex
    .from('report_line_states as s')
    .whereRaw(validOn('s'), [n, n])
    .whereIn('s.contract_id', nightContracts(knex, actor, filter))
    .select(
      's.contract_id as contractId',
      's.line_id as lineId',
      's.seq',
      's.receivable_type as type',
      's.due_date as dueDate',
      's.amount_due as amountDue',
      's.paid as amountPaid',
      's.written_off as writtenOff',
      knex.raw(`${outstanding} AS outstanding`),
      knex.raw(`CASE WHEN s.due_date < ? THEN 0 ELSE ${outstanding} END AS "notDue"`, [n]),
      knex.raw(`CASE WHEN s.due_date < ? THEN ${outstanding} ELSE 0 END AS overdue`, [n]),
      knex.raw(`CASE WHEN ${outstanding} > 0 AND s.due_date < ? THEN ?::date - s.due_date ELSE 0 END AS "overdueDays"`, [n, n]),
      knex.raw(`${accrued} AS "penaltyAccrued"`, [n]),
      's.penalty_paid as penaltyPaid',
      's.penalty_waived as penaltyWaived',
      knex.raw(`${accrued} - s.penalty_paid - s.penalty_waived AS "penaltyOutstanding"`, [n]),
    );
}

/**
 * The filter's contracts reported on the night, with REPORT_CONTRACT_COLUMNS: the collector and status of their
 * state that night; the dealer, customer and names as they stand today.
 */
export function reportedContracts(knex: Knex, actor: Actor, filter: ReportFilter): Knex.QueryBuilder {
  const n = filter.asOf;
  return knex
    .from('report_contract_states as k')
    .join('contracts as c', 'c.id', 'k.contract_id')
    .join('dealers as d', 'd.id', 'c.dealer_id')
    .leftJoin('dealers as r', (j) => j.on('r.id', 'd.parent_id').andOnVal('r.kind', '=', 'region'))
    .join('customers as cu', 'cu.id', 'c.customer_id')
    .leftJoin('users as u', 'u.id', 'k.collector_id')
    .whereRaw(validOn('k'), [n, n])
    .whereIn('k.contract_id', nightContracts(knex, actor, filter))
    .select(...CONTRACT_HEAD, 'k.status as status');
}

/** Every line reported on filter.asOf: rows with REPORT_LINE_COLUMNS (reportedLineFigures with its contract). */
export function reportedLines(knex: Knex, actor: Actor, filter: ReportFilter): Knex.QueryBuilder {
  return withContractColumns(knex, reportedLineFigures(knex, actor, filter), reportedContracts(knex, actor, filter));
}

/** Each contract's advance-receipt credit as reported on the night (columns contract_id, credit; none where zero). */
export function reportedCredits(knex: Knex, actor: Actor, filter: ReportFilter): Knex.QueryBuilder {
  return knex('report_contract_states as k')
    .select('k.contract_id', 'k.credit')
    .whereRaw(validOn('k'), [filter.asOf, filter.asOf])
    .where('k.credit', '<>', 0)
    .whereIn('k.contract_id', nightContracts(knex, actor, filter));
}

/**
 * reportedLines summed per contract (columns "contractId", lines, "overdueDays" — the most of its lines —
 * REPORT_LINE_MONEY, and a0, a1, … the overdue amount per aging bucket), for the contracts reported on the night.
 * What does not move with the night is read from the contract's sums (migration 021: one row per contract);
 * line by line only the lines that move with it once due — something outstanding, or a penalty run in progress
 * (whose lines are all due: a run starts after its line's due date and grace) — through their partial index.
 * A group-wide read of a million lines so sums the fifty thousand contracts and the overdue lines, not every line.
 * Equal to grouping reportedLines (test/reports/snapshot.test.ts).
 */
export function reportedContractFigures(knex: Knex, actor: Actor, filter: ReportFilter, buckets: readonly AgingBucket[]): Knex.Raw {
  const n = filter.asOf;
  const o = '(s.amount_due - s.paid - s.written_off)';
  const aging = buckets.map(
    (b, i) =>
      `coalesce(sum(v.o) FILTER (WHERE v.o > 0 AND v.days ${b.to === null ? `>= ${b.from}` : `BETWEEN ${b.from} AND ${b.to}`}), 0) AS a${i}`,
  );
  const contracts = nightContracts(knex, actor, filter);
  // each moving line's outstanding, days and penalty computed once (OFFSET 0 keeps the subquery whole): inlined
  // into the sums, the outstanding was computed again in each of their filters, and the sums took twice as long
  return knex.raw(
    `SELECT t.contract_id AS "contractId", t.lines, coalesce(m.overdue_days, 0) AS "overdueDays",
            t.amount_due AS "amountDue", t.paid AS "amountPaid", t.written_off AS "writtenOff",
            t.amount_due - t.paid - t.written_off AS outstanding,
            t.amount_due - t.paid - t.written_off - coalesce(m.overdue, 0) AS "notDue",
            coalesce(m.overdue, 0) AS overdue,
            t.penalty_opening + t.penalty_settled + coalesce(m.accrued, 0) AS "penaltyAccrued",
            t.penalty_paid AS "penaltyPaid", t.penalty_waived AS "penaltyWaived",
            t.penalty_opening + t.penalty_settled + coalesce(m.accrued, 0) - t.penalty_paid - t.penalty_waived AS "penaltyOutstanding"
            ${buckets.map((_, i) => `, coalesce(m.a${i}, 0) AS a${i}`).join('')}
       FROM report_contract_sums t
       JOIN report_contract_states k ON k.contract_id = t.contract_id AND ${validOn('k')}
       LEFT JOIN (
         SELECT v.contract_id, sum(v.o) AS overdue, max(v.days) FILTER (WHERE v.o > 0) AS overdue_days, sum(v.accrued) AS accrued
                ${aging.map((a) => `, ${a}`).join('')}
           FROM (
             SELECT s.contract_id, ${o} AS o, ?::date - s.due_date AS days,
                    CASE WHEN s.run_from IS NOT NULL
                         THEN round(s.penalty_closed + s.run_base * s.run_rate * (?::date - s.run_from + 1), 2) END AS accrued
               FROM report_line_states s
              WHERE ${validOn('s')} AND s.due_date < ?::date AND (${o} <> 0 OR s.run_from IS NOT NULL)
                AND s.contract_id IN ?
             OFFSET 0
           ) AS v
          GROUP BY v.contract_id
       ) m ON m.contract_id = t.contract_id
      WHERE ${validOn('t')} AND t.contract_id IN ?`,
    [n, n, n, n, n, n, n, contracts, n, n, contracts],
  );
}
