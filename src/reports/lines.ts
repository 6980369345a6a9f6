// The reports' one source of restated figures: every contract line in the actor's data scope as of a date, with
// the figures of `contract show` (CLI.md), set-based — one statement whatever the number of lines. The balances
// are the ledger's own query (ledger/balances.ts lineBalances); the penalty the system computed is the nightly
// batch's stored segments summed up to the date and rounded per line (penalty/store.ts; the reconciliation
// proves they equal the pure computation `contract show` prints), plus the imported opening penalty.
//
// Restated means today's knowledge of that date: a receipt entered later with an earlier value date counts.
// What was reported on the date itself comes from the snapshots (reports/snapshot.ts), in the same columns.
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import { scopeContracts } from '../access/scope.js';
import type { BusinessDate } from '../core/dates.js';
import { creditSql, lineBalances } from '../ledger/balances.js';

/** Which contracts a report covers, within the actor's scope. */
export interface ReportFilter {
  asOf: BusinessDate;
  /** a dealer's code */
  dealer?: string | undefined;
  /** a region's code: its dealers */
  region?: string | undefined;
  /** a collector's username: the contracts assigned to them */
  collector?: string | undefined;
}

/**
 * The contracts of the filter in the actor's scope that exist on the date (signed or cut over by then), as a
 * subquery of ids (aliased sc inside).
 */
export function reportContracts(knex: Knex, actor: Actor, filter: ReportFilter): Knex.QueryBuilder {
  const q = knex('contracts as sc')
    .select('sc.id')
    .whereRaw('(least(sc.sign_date, sc.cutover_date) IS NULL OR least(sc.sign_date, sc.cutover_date) <= ?)', [filter.asOf]);
  scopeContracts(q, actor, 'sc');
  if (filter.dealer !== undefined)
    q.whereIn('sc.dealer_id', knex('dealers').select('id').whereRaw('upper(code) = upper(?)', [filter.dealer]));
  if (filter.region !== undefined) {
    q.whereIn(
      'sc.dealer_id',
      knex('dealers as rd')
        .join('dealers as rr', 'rr.id', 'rd.parent_id')
        .select('rd.id')
        .where('rr.kind', 'region')
        .whereRaw('upper(rr.code) = upper(?)', [filter.region]),
    );
  }
  if (filter.collector !== undefined) q.whereIn('sc.collector_id', knex('users').select('id').where('username', filter.collector));
  return q;
}

/**
 * Penalty the batch computed per line as of the date, exact runs summed and rounded per line (as the nightly
 * totals do, penalty/store.ts): columns line_id, accrued.
 */
function segmentPenaltySql(asOf: BusinessDate): { sql: string; bindings: Knex.RawBinding[] } {
  return {
    sql: `SELECT s.line_id, round(sum(s.base * s.daily_rate * (least(coalesce(s.to_date, ?::date), ?::date) - s.from_date + 1)), 2) AS accrued
            FROM penalty_segments s
           WHERE s.from_date <= ?::date AND s.grace_end < ?::date
           GROUP BY s.line_id`,
    bindings: [asOf, asOf, asOf, asOf],
  };
}

/**
 * The contract's columns of a report line, from its contract (c), dealer (d), region (r), customer (cu) and
 * collector (u): the same whichever source the figures come from.
 */
export const CONTRACT_HEAD = [
  'd.code as dealer',
  'd.name as dealerName',
  'r.code as region',
  'r.name as regionName',
  'c.id as contractId',
  'c.contract_no as contractNo',
  'cu.id as customerId',
  'cu.name as customer',
  'cu.phone as phone',
  'u.username as collector',
] as const;

/** The money figures of a report line that sum (per contract, dealer, region, group), in report order. */
export const REPORT_LINE_MONEY = [
  'amountDue',
  'amountPaid',
  'writtenOff',
  'outstanding',
  'notDue',
  'overdue',
  'penaltyAccrued',
  'penaltyPaid',
  'penaltyWaived',
  'penaltyOutstanding',
] as const;

/** The contract's columns of a report line (CONTRACT_HEAD's names and the contract's status on the date). */
export const REPORT_CONTRACT_COLUMNS = [
  'dealer',
  'dealerName',
  'region',
  'regionName',
  'contractId',
  'contractNo',
  'customerId',
  'customer',
  'phone',
  'collector',
  'status',
] as const;

/** A line's own figures (and its contract's id), in order: what the line-figure queries return. */
export const REPORT_LINE_FIGURES = [
  'contractId',
  'lineId',
  'seq',
  'type',
  'dueDate',
  'amountDue',
  'amountPaid',
  'writtenOff',
  'outstanding',
  'notDue',
  'overdue',
  'overdueDays',
  'penaltyAccrued',
  'penaltyPaid',
  'penaltyWaived',
  'penaltyOutstanding',
] as const;

/** The columns of a report line, in order: what every report reads (restated here, as reported in snapshot.ts). */
export const REPORT_LINE_COLUMNS = [...REPORT_CONTRACT_COLUMNS, ...REPORT_LINE_FIGURES.filter((c) => c !== 'contractId')] as const;

/**
 * A source's line figures joined to its contracts' columns: rows with REPORT_LINE_COLUMNS. The two are separate
 * queries so that a report summing a million lines per contract groups them by the contract's id alone and joins
 * the dealer, customer and collector to the fifty thousand sums (breakdown.ts), not to every line.
 */
export function withContractColumns(knex: Knex, figures: Knex.QueryBuilder, contracts: Knex.QueryBuilder): Knex.QueryBuilder {
  const contractColumns = new Set<string>(REPORT_CONTRACT_COLUMNS);
  return knex
    .from(figures.as('f'))
    .join(contracts.as('h'), 'h.contractId', 'f.contractId')
    .select(REPORT_LINE_COLUMNS.map((c) => `${contractColumns.has(c) ? 'h' : 'f'}.${c}`));
}

/**
 * Every line in effect on the date of the filter's contracts, restated, without the contract's columns: rows with
 * REPORT_LINE_FIGURES, money as numeric (cast to text where it leaves the database). `overdue` is the outstanding
 * of a line due before the date, `notDue` the rest; `overdueDays` as `contract show` counts them.
 */
export function restatedLineFigures(knex: Knex, actor: Actor, filter: ReportFilter): Knex.QueryBuilder {
  const { asOf } = filter;
  const penalty = segmentPenaltySql(asOf);
  const balances = lineBalances(knex, asOf, reportContracts(knex, actor, filter), { numeric: true });
  const outstanding = 'b.outstanding';
  const accrued = '(coalesce(p.accrued, 0) + b."penaltyOpening")';
  return knex
    .from(balances.as('b'))
    .leftJoin(knex.raw(`(${penalty.sql}) AS p`, penalty.bindings), 'p.line_id', 'b.lineId')
    .select(
      'b.contractId as contractId',
      'b.lineId as lineId',
      'b.seq',
      'b.type',
      'b.dueDate as dueDate',
      'b.amountDue as amountDue',
      'b.amountPaid as amountPaid',
      'b.writtenOff as writtenOff',
      knex.raw(`${outstanding} AS outstanding`),
      knex.raw(`CASE WHEN b."dueDate" < ? THEN 0 ELSE ${outstanding} END AS "notDue"`, [asOf]),
      knex.raw(`CASE WHEN b."dueDate" < ? THEN ${outstanding} ELSE 0 END AS overdue`, [asOf]),
      knex.raw(`CASE WHEN ${outstanding} > 0 AND b."dueDate" < ? THEN ?::date - b."dueDate" ELSE 0 END AS "overdueDays"`, [asOf, asOf]),
      knex.raw(`${accrued} AS "penaltyAccrued"`),
      'b.penaltyPaid as penaltyPaid',
      'b.penaltyWaived as penaltyWaived',
      knex.raw(`${accrued} - b."penaltyPaid" - b."penaltyWaived" AS "penaltyOutstanding"`),
    );
}

/** The filter's contracts in the actor's scope on the date with REPORT_CONTRACT_COLUMNS, as they stand today. */
export function restatedContracts(knex: Knex, actor: Actor, filter: ReportFilter): Knex.QueryBuilder {
  return knex('contracts as c')
    .join('dealers as d', 'd.id', 'c.dealer_id')
    .leftJoin('dealers as r', (j) => j.on('r.id', 'd.parent_id').andOnVal('r.kind', '=', 'region'))
    .join('customers as cu', 'cu.id', 'c.customer_id')
    .leftJoin('users as u', 'u.id', 'c.collector_id')
    .whereIn('c.id', reportContracts(knex, actor, filter))
    .select(...CONTRACT_HEAD, knex.raw(`CASE WHEN c.status_date <= ? THEN c.status ELSE 'active' END AS status`, [filter.asOf]));
}

/** Every line in effect on the date of the filter's contracts, restated: rows with REPORT_LINE_COLUMNS. */
export function restatedLines(knex: Knex, actor: Actor, filter: ReportFilter): Knex.QueryBuilder {
  return withContractColumns(knex, restatedLineFigures(knex, actor, filter), restatedContracts(knex, actor, filter));
}

/** Each contract's advance-receipt credit as of the date (columns contract_id, credit), for the filter's contracts. */
export function restatedCredits(knex: Knex, actor: Actor, filter: ReportFilter): Knex.Raw {
  const credit = creditSql(filter.asOf, { sql: 'p.contract_id IN ?', bindings: [reportContracts(knex, actor, filter)] });
  return knex.raw(credit.sql, credit.bindings);
}
