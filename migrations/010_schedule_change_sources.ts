// Schedule versions made by operations: a charge (代付/代垫 lines) and a buyback (回购: the amount the dealer paid
// the financier becomes the dealer's own line) add versions beside schedule changes; a contract remembers from
// which date the dealer holds it.
import type { Knex } from 'knex';

const statements = [
  `ALTER TABLE schedule_versions DROP CONSTRAINT schedule_versions_source_check`,
  `ALTER TABLE schedule_versions ADD CONSTRAINT schedule_versions_source_check
     CHECK (source IN ('generated', 'imported', 'custom', 'schedule_change', 'charge', 'buyback'))`,
  `ALTER TABLE schedule_versions ADD COLUMN document_id bigint REFERENCES documents (id)`,
  `ALTER TABLE contracts ADD COLUMN held_by_from date`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE contracts DROP COLUMN IF EXISTS held_by_from');
  await knex.raw('ALTER TABLE schedule_versions DROP COLUMN IF EXISTS document_id');
  await knex.raw('ALTER TABLE schedule_versions DROP CONSTRAINT schedule_versions_source_check');
  await knex.raw(`ALTER TABLE schedule_versions ADD CONSTRAINT schedule_versions_source_check
     CHECK (source IN ('generated', 'imported', 'custom', 'schedule_change'))`);
}
