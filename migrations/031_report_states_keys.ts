// Report state tables (migrations 020, 021) are derived data, as penalty_segments is (migration 011): the nightly
// step writes them from schedule_lines and contracts in the same transaction, and neither of those ever loses a row
// (lines are retired, not deleted). Their foreign keys only cost: each state written ran a referential-integrity
// lookup per key that also took a row lock on its line and its contract, 0.4 s of bench:batch's business day (b)
// for its 41,787 line states and 20,000 contracts' sums. The collector of a contract state keeps its key.
import type { Knex } from 'knex';

const KEYS = [
  ['report_line_states', 'line_id', 'schedule_lines'],
  ['report_line_states', 'contract_id', 'contracts'],
  ['report_contract_states', 'contract_id', 'contracts'],
  ['report_contract_sums', 'contract_id', 'contracts'],
] as const;

export async function up(knex: Knex): Promise<void> {
  for (const [table, column] of KEYS) await knex.raw(`ALTER TABLE ${table} DROP CONSTRAINT ${table}_${column}_fkey`);
}

export async function down(knex: Knex): Promise<void> {
  for (const [table, column, parent] of KEYS) await knex.raw(`ALTER TABLE ${table} ADD FOREIGN KEY (${column}) REFERENCES ${parent} (id)`);
}
