// Schedule versions that operations create (issue 6): a charge (代付/代垫) adds lines, a buyback (回购) replaces
// the financier's unpaid lines with the dealer's own. Each version names the document that made it, so the
// schedule's history reads as a list of approved acts.
import type { Knex } from 'knex';

const statements = [
  `ALTER TABLE schedule_versions DROP CONSTRAINT schedule_versions_source_check`,
  `ALTER TABLE schedule_versions ADD CONSTRAINT schedule_versions_source_check
     CHECK (source IN ('generated', 'imported', 'custom', 'schedule_change', 'charge', 'buyback'))`,
  `ALTER TABLE schedule_versions ADD COLUMN document_id bigint REFERENCES documents (id)`,
  `CREATE INDEX schedule_lines_retired ON schedule_lines (contract_id, retired_version) WHERE retired_version IS NOT NULL`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS schedule_lines_retired');
  await knex.raw('ALTER TABLE schedule_versions DROP COLUMN IF EXISTS document_id');
  await knex.raw('ALTER TABLE schedule_versions DROP CONSTRAINT schedule_versions_source_check');
  await knex.raw(`ALTER TABLE schedule_versions ADD CONSTRAINT schedule_versions_source_check
    CHECK (source IN ('generated', 'imported', 'custom', 'schedule_change'))`);
}
