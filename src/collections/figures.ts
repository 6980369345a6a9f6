// The per-contract figures collections decide on, as of a date, set-based over the ledger's own line balances
// (src/ledger/balances.ts lineBalances, the query contract show and the reports stand on): the outstanding, the
// overdue amount (outstanding of lines due before the date), the largest overdue days (as contract show counts
// them: date − due date of a line with something outstanding) and the run of consecutive unpaid installments
// (counted back from the latest installment due before the date: each with something outstanding).
//
// The nightly step reads the lines' cached paid amount instead (schedule_lines.paid and paid_last, kept by the
// postings' trigger and checked by the reconciliation): a line whose latest payment is dated on or before the
// date has paid exactly its cache by then; only a line paid after the date sums its postings up to it. On
// 50,000 contracts (1,000,000 lines) that is one pass over the lines instead of the ledger's per-line sums of
// every posting; test/collections/collections.test.ts proves the two agree. Written-off amounts do not enter:
// both paths serve active contracts only, which have none.
import type { Knex } from 'knex';
import type { BusinessDate } from '../core/dates.js';
import { lineBalances } from '../ledger/balances.js';
import { kindsSql, PAYS_LINE } from '../ledger/kinds.js';
import { linesInEffect } from '../ledger/lines.js';

/**
 * The lines in effect on the date of `contracts` that fell due before it, with their outstanding as of it, from the
 * cached paid amount (what the flags need: the figures' `outstanding` then counts those lines alone).
 */
function cachedDueLines(knex: Knex, asOf: BusinessDate, contracts: Knex.QueryBuilder): Knex.QueryBuilder {
  return linesInEffect(knex, asOf)
    .whereIn('l.contract_id', contracts)
    .where('l.due_date', '<', asOf)
    .select(
      'l.contract_id as contractId',
      'l.seq',
      'l.due_date as dueDate',
      knex.raw(
        `l.amount_due - CASE WHEN l.paid_last IS NULL OR l.paid_last <= ?::date THEN l.paid
           ELSE coalesce((SELECT sum(p.signed_amount) FROM postings p
                           WHERE p.schedule_line_id = l.id AND p.kind IN (${kindsSql(PAYS_LINE)}) AND p.value_date <= ?::date), 0) END AS outstanding`,
        [asOf, asOf],
      ),
    );
}

/**
 * SQL of one row per contract of `contracts` (a subquery of ids) that has lines: contract_id, outstanding,
 * overdue (numeric), overdue_days, unpaid_run (integer).
 */
export function contractFiguresSql(
  knex: Knex,
  asOf: BusinessDate,
  contracts: Knex.QueryBuilder,
  /** cached: from the lines' cached paid amount, lines due before the date alone (outstanding = overdue) */
  options: { cached?: boolean } = {},
): { sql: string; bindings: readonly Knex.RawBinding[] } {
  const balances = (
    options.cached ? cachedDueLines(knex, asOf, contracts) : lineBalances(knex, asOf, contracts, { numeric: true })
  ).toSQL();
  const sql = `WITH b AS (${balances.sql}),
    inst AS (
      SELECT b."contractId" AS contract_id, b.seq, sum(b.outstanding) AS outstanding
        FROM b WHERE b."dueDate" < ?::date GROUP BY b."contractId", b.seq
    ),
    run AS (
      SELECT i.contract_id,
             count(*) FILTER (WHERE i.outstanding > 0 AND i.seq > coalesce(p.last_paid, -2147483648))::integer AS unpaid_run
        FROM inst i
        LEFT JOIN (SELECT contract_id, max(seq) AS last_paid FROM inst WHERE outstanding <= 0 GROUP BY contract_id) p
               ON p.contract_id = i.contract_id
       GROUP BY i.contract_id
    )
    SELECT b."contractId" AS contract_id,
           sum(b.outstanding) AS outstanding,
           sum(CASE WHEN b."dueDate" < ?::date THEN b.outstanding ELSE 0 END) AS overdue,
           coalesce(max(CASE WHEN b.outstanding > 0 AND b."dueDate" < ?::date THEN ?::date - b."dueDate" END), 0)::integer AS overdue_days,
           coalesce(min(run.unpaid_run), 0)::integer AS unpaid_run
      FROM b LEFT JOIN run ON run.contract_id = b."contractId"
     GROUP BY b."contractId"`;
  return { sql, bindings: [...balances.bindings, asOf, asOf, asOf, asOf] };
}
