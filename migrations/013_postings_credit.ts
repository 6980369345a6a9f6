// The nightly credit step looks for contracts holding advance-receipt credit (src/batch/steps.ts): few postings are
// credit, its application or its refund, and a partial index on them finds those contracts without reading the
// others, however many the ledger holds.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE INDEX postings_credit ON postings (contract_id) WHERE kind IN ('credit', 'credit_application', 'refund')`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS postings_credit');
}
