// The per-contract figures collections decide on, as of a date, set-based over the ledger's own line balances
// (src/ledger/balances.ts lineBalances, the query contract show and the reports stand on): the outstanding, the
// overdue amount (outstanding of lines due before the date), the largest overdue days (as contract show counts
// them: date − due date of a line with something outstanding) and the run of consecutive unpaid installments
// (counted back from the latest installment due before the date: each with something outstanding).
import type { Knex } from 'knex';
import type { BusinessDate } from '../core/dates.js';
import { lineBalances } from '../ledger/balances.js';

/**
 * SQL of one row per contract of `contracts` (a subquery of ids) that has lines: contract_id, outstanding,
 * overdue (numeric), overdue_days, unpaid_run (integer).
 */
export function contractFiguresSql(
  knex: Knex,
  asOf: BusinessDate,
  contracts: Knex.QueryBuilder,
): { sql: string; bindings: readonly Knex.RawBinding[] } {
  const balances = lineBalances(knex, asOf, contracts, { numeric: true }).toSQL();
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
