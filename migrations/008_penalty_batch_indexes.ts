// The nightly reconciliation looks only at contracts with postings value-dated since its previous date
// (src/batch/reconcile.ts): an index on the value date keeps that a range scan instead of a pass over every posting.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX postings_value_date ON postings (value_date)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS postings_value_date');
}
