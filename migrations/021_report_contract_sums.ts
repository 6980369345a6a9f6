// Report snapshots, per contract (issue 18): the sums of a contract's line states that do not move by themselves,
// valid over a range of nights like the states they sum. A report by contract (or dealer, region, group) as
// reported on a night reads these 50,000 rows and, line by line, only the lines whose figures move with the
// night — overdue lines and lines with a penalty run in progress — instead of summing every line state of the
// night (reports/snapshot.ts reportedContractFigures). The nightly step writes a new row for a contract whose
// line states it wrote (reports/snapshot-store.ts); this migration fills the rows of the nights already taken.
import type { Knex } from 'knex';

/** A line state's outstanding: what makes it move with the night once due (see the partial index). */
const OUTSTANDING = '(amount_due - paid - written_off)';

/**
 * Every contract's sums over the nights of its line states, from the line states alone (exported for the test that
 * proves the nightly step writes the same rows): its sums change on the nights any of its line states starts or ends.
 */
export const CONTRACT_SUMS_FROM_LINE_STATES = `WITH bounds AS (
     SELECT contract_id, valid_from AS night FROM report_line_states
     UNION SELECT contract_id, valid_to + 1 FROM report_line_states WHERE valid_to IS NOT NULL
   ), ranges AS (
     SELECT contract_id, night AS valid_from, lead(night) OVER (PARTITION BY contract_id ORDER BY night) - 1 AS valid_to
       FROM bounds
   )
   SELECT r.contract_id, r.valid_from, r.valid_to, count(*)::integer AS lines, sum(s.amount_due) AS amount_due,
          sum(s.paid) AS paid, sum(s.written_off) AS written_off, sum(s.penalty_opening) AS penalty_opening,
          sum(s.penalty_paid) AS penalty_paid, sum(s.penalty_waived) AS penalty_waived,
          coalesce(sum(round(s.penalty_closed, 2)) FILTER (WHERE s.run_from IS NULL), 0)::numeric(18,2) AS penalty_settled
     FROM ranges r
     JOIN report_line_states s ON s.contract_id = r.contract_id AND s.valid_from <= r.valid_from
      AND (s.valid_to IS NULL OR s.valid_to >= r.valid_from)
    GROUP BY r.contract_id, r.valid_from, r.valid_to`;

const statements = [
  `CREATE TABLE report_contract_sums (
    contract_id bigint NOT NULL REFERENCES contracts (id),
    valid_from date NOT NULL,
    valid_to date,
    lines integer NOT NULL,
    amount_due numeric(18,2) NOT NULL,
    paid numeric(18,2) NOT NULL,
    written_off numeric(18,2) NOT NULL,
    penalty_opening numeric(18,2) NOT NULL,
    penalty_paid numeric(18,2) NOT NULL,
    penalty_waived numeric(18,2) NOT NULL,
    -- the penalty of the lines without a run in progress, each line's rounded: round(penalty_closed, 2) summed
    penalty_settled numeric(18,2) NOT NULL,
    PRIMARY KEY (contract_id, valid_from),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
  )`,
  `CREATE INDEX report_contract_sums_current ON report_contract_sums (contract_id) WHERE valid_to IS NULL`,
  // the lines whose figures move with the night once due: something outstanding, or a penalty run in progress
  `CREATE INDEX report_line_states_moving ON report_line_states (due_date)
     WHERE ${OUTSTANDING} <> 0 OR run_from IS NOT NULL`,
  `CREATE TRIGGER report_contract_sums_close_only BEFORE UPDATE OR DELETE ON report_contract_sums
     FOR EACH ROW EXECUTE FUNCTION zq_report_state_close_only()`,
  `CREATE TRIGGER report_contract_sums_no_truncate BEFORE TRUNCATE ON report_contract_sums
     FOR EACH STATEMENT EXECUTE FUNCTION zq_refuse_change()`,
  // the nights already taken: a contract's sums change on the nights any of its line states starts or ends
  `INSERT INTO report_contract_sums (contract_id, valid_from, valid_to, lines, amount_due, paid, written_off,
     penalty_opening, penalty_paid, penalty_waived, penalty_settled) ${CONTRACT_SUMS_FROM_LINE_STATES}`,
  'ANALYZE report_contract_sums',
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS report_line_states_moving');
  await knex.raw('DROP TABLE IF EXISTS report_contract_sums CASCADE');
}
