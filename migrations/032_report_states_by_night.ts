// Report state tables (migrations 020, 021): what a read of one night finds by index, so that it stays as fast after a
// year of nights as after the first. A state valid on night N is current (valid_to IS NULL) or was closed on or after
// N; each of the two has an index of its own, and the readers' condition (reports/snapshot.ts validOn) is their OR.
// Before, the lines that move with the night were found by due date alone, and every state closed since the first
// night with a due date before N was read and thrown away: with a year of closed states (7 million, bench:report's
// ledger with synthetic history) 2 million read for 184,286 kept, 0.37 s; now 0.10 s, as with no history. A
// contract's sums were read in full, 5 million rows for 50,000: 0.24 s; now 0.006 s.
// A night far back still reads every state closed since it (the closed indexes start at valid_to), not every state.
import type { Knex } from 'knex';

/** A line state that moves with the night once due: something outstanding, or a penalty run in progress (migration 021). */
const MOVING = '((amount_due - paid - written_off) <> 0 OR run_from IS NOT NULL)';

const statements = [
  // the nightly step reads a line's current state by key, to compare it and to close it: down the primary key it
  // read every state the line ever had to find it. With a year of closed states (bench:batch BENCH_HISTORY=1), the
  // step on day (b) took 1.85 s, 0.56 s more than with none; with this index 1.63 s (the comparison 0.28 s → 0.13 s,
  // the closing 0.51 s → 0.35 s). Not unique: the check would read, for each of the night's new states, the one
  // it just closed (1.67 s). A contract's current state is few a night: its index is unique.
  'CREATE INDEX report_line_states_current_line ON report_line_states (line_id) WHERE valid_to IS NULL',
  // the night's new states all start on the night: keyed by night first, they are added at the right edge of their
  // primary key instead of beside each line's (each contract's) earlier states, across an index grown past the
  // server's cache. After a year of closed states, day (b)'s step 1.36–1.41 s against 1.55–1.61 s (three runs each,
  // in turn); with none, 1.28–1.42 s against 1.24–1.31 s
  'ALTER TABLE report_line_states DROP CONSTRAINT report_line_states_pkey, ADD PRIMARY KEY (valid_from, line_id)',
  'ALTER TABLE report_contract_sums DROP CONSTRAINT report_contract_sums_pkey, ADD PRIMARY KEY (valid_from, contract_id)',
  'DROP INDEX report_line_states_moving',
  `CREATE INDEX report_line_states_moving ON report_line_states (due_date) WHERE valid_to IS NULL AND ${MOVING}`,
  `CREATE INDEX report_line_states_moved ON report_line_states (valid_to, due_date, valid_from)
     WHERE valid_to IS NOT NULL AND ${MOVING}`,
  'CREATE INDEX report_contract_sums_closed ON report_contract_sums (valid_to, valid_from) WHERE valid_to IS NOT NULL',
  'CREATE UNIQUE INDEX report_contract_states_current ON report_contract_states (contract_id) WHERE valid_to IS NULL',
  'CREATE INDEX report_contract_states_closed ON report_contract_states (valid_to, valid_from) WHERE valid_to IS NOT NULL',
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  for (const name of [
    'report_line_states_current_line',
    'report_line_states_moved',
    'report_contract_sums_closed',
    'report_contract_states_current',
    'report_contract_states_closed',
  ]) {
    await knex.raw(`DROP INDEX ${name}`);
  }
  await knex.raw('DROP INDEX report_line_states_moving');
  await knex.raw(`CREATE INDEX report_line_states_moving ON report_line_states (due_date) WHERE ${MOVING}`);
  await knex.raw('ALTER TABLE report_line_states DROP CONSTRAINT report_line_states_pkey, ADD PRIMARY KEY (line_id, valid_from)');
  await knex.raw('ALTER TABLE report_contract_sums DROP CONSTRAINT report_contract_sums_pkey, ADD PRIMARY KEY (contract_id, valid_from)');
}
