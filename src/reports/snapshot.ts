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
import { CONTRACT_HEAD, REPORT_LINE_MONEY, type ReportFilter, reportContracts, withContractColumns } from './lines.js';

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
    .whereIn('s.contract_id', reportContracts(knex, actor, filter))
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
    .whereIn('k.contract_id', reportContracts(knex, actor, filter))
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
    .whereIn('k.contract_id', reportContracts(knex, actor, filter));
}

/** The line figures reportedContractSums sums per contract (JSON keys, as in REPORT_LINE_COLUMNS). */
export const REPORTED_SUMS = REPORT_LINE_MONEY;

/**
 * reportedLines summed per contract (columns contract_id, REPORTED_SUMS and "overdueDays", the most of its lines):
 * the state rows are summed before anything is joined to them, so a group-wide read groups a million narrow rows
 * by one key instead of sorting them with the dealer, customer and collector columns. Same contracts and figures
 * as grouping reportedLines (test/reports/snapshot.test.ts).
 */
export function reportedContractSums(knex: Knex, actor: Actor, filter: ReportFilter): Knex.QueryBuilder {
  const n = filter.asOf;
  const outstanding = '(s.amount_due - s.paid - s.written_off)';
  const accrued = `(round(s.penalty_closed + coalesce(s.run_base * s.run_rate * (?::date - s.run_from + 1), 0), 2) + s.penalty_opening)`;
  // as few aggregates over the lines as the figures need (numeric sums are the cost of the read): outstanding, not
  // yet due and the penalty outstanding are differences of sums, exact in NUMERIC
  const sums = knex
    .from('report_line_states as s')
    .whereRaw(validOn('s'), [n, n])
    .whereIn('s.contract_id', reportContracts(knex, actor, filter))
    .groupBy('s.contract_id')
    .select(
      's.contract_id',
      knex.raw('sum(s.amount_due) AS amount_due'),
      knex.raw('sum(s.paid) AS paid'),
      knex.raw('sum(s.written_off) AS written_off'),
      knex.raw(`coalesce(sum(${outstanding}) FILTER (WHERE s.due_date < ?), 0) AS overdue`, [n]),
      knex.raw(`coalesce(max(?::date - s.due_date) FILTER (WHERE ${outstanding} > 0 AND s.due_date < ?), 0) AS overdue_days`, [n, n]),
      knex.raw(`sum(${accrued}) AS accrued`, [n]),
      knex.raw('sum(s.penalty_paid) AS penalty_paid'),
      knex.raw('sum(s.penalty_waived) AS penalty_waived'),
    );
  // a contract is reported on a night with its state of that night (reportedLines joins it)
  return knex
    .from(sums.as('t'))
    .whereExists(knex('report_contract_states as k').whereRaw(`k.contract_id = t.contract_id AND ${validOn('k')}`, [n, n]))
    .select(
      't.contract_id',
      't.amount_due as amountDue',
      't.paid as amountPaid',
      't.written_off as writtenOff',
      knex.raw('t.amount_due - t.paid - t.written_off AS outstanding'),
      knex.raw('t.amount_due - t.paid - t.written_off - t.overdue AS "notDue"'),
      't.overdue',
      't.overdue_days as overdueDays',
      't.accrued as penaltyAccrued',
      't.penalty_paid as penaltyPaid',
      't.penalty_waived as penaltyWaived',
      knex.raw('t.accrued - t.penalty_paid - t.penalty_waived AS "penaltyOutstanding"'),
    );
}
