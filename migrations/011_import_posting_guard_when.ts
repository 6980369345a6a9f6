// The finance-lock guard on postings (009_document_locks) matters only for a reversal: with a WHEN condition
// the database skips the plpgsql call for every other posting, which is nearly all of a ledger import's rows.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER postings_lock_guard ON postings');
  await knex.raw(`CREATE TRIGGER postings_lock_guard BEFORE INSERT ON postings
    FOR EACH ROW WHEN (NEW.reverses_id IS NOT NULL) EXECUTE FUNCTION zq_postings_lock_guard()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER postings_lock_guard ON postings');
  await knex.raw(`CREATE TRIGGER postings_lock_guard BEFORE INSERT ON postings
    FOR EACH ROW EXECUTE FUNCTION zq_postings_lock_guard()`);
}
