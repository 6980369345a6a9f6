// What the segment statements sum of a late line's postings when it was paid late (src/penalty/store.ts lateSql):
// the sums within its grace period and before its window opens, and what was paid after the window opened — how
// many postings, their net amount and their first and last value dates. One row type, so that one subquery per
// line returns them all: a payment on a single date after the window opens makes the line's two segments without
// the timeline statement.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE TYPE zq_line_paid_sums AS (
    in_grace numeric, before_window numeric, later_count bigint, later_sum numeric, later_first date, later_last date)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TYPE IF EXISTS zq_line_paid_sums');
}
