// penalty_segments is derived data: the batch rewrites it from schedule_lines and contracts in the same
// transaction, and neither of those ever loses a row (lines are retired, not deleted). Its foreign keys only cost:
// each inserted segment ran two referential-integrity lookups that also took a row lock on its line and its
// contract (dirtying their pages), three quarters of a full recomputation's insert time at a million lines.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE penalty_segments DROP CONSTRAINT penalty_segments_line_id_fkey');
  await knex.raw('ALTER TABLE penalty_segments DROP CONSTRAINT penalty_segments_contract_id_fkey');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE penalty_segments ADD FOREIGN KEY (line_id) REFERENCES schedule_lines (id)');
  await knex.raw('ALTER TABLE penalty_segments ADD FOREIGN KEY (contract_id) REFERENCES contracts (id)');
}
