// A requester may withdraw their own request while it waits for approval (RULES.md: a document can be withdrawn
// only before it is confirmed); the request then ends as 'withdrawn' and its open steps as 'skipped'.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE approval_requests DROP CONSTRAINT approval_requests_status_check');
  await knex.raw(`ALTER TABLE approval_requests ADD CONSTRAINT approval_requests_status_check
    CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE approval_requests DROP CONSTRAINT approval_requests_status_check');
  await knex.raw(`ALTER TABLE approval_requests ADD CONSTRAINT approval_requests_status_check
    CHECK (status IN ('pending', 'approved', 'rejected'))`);
}
