// Each stored segment carries the number of runs its line has (1 for most lines). The nightly totals round each
// line's accrued penalty: a line with one run needs no grouping, and telling those lines apart used to cost a
// scan for lines with closed runs and an anti-join, more than half of the totals statement. The batch writes all
// runs of a line together (store.ts), so the count is known when they are written.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE penalty_segments ADD COLUMN runs integer NOT NULL DEFAULT 1 CHECK (runs > 0)');
  await knex.raw(`UPDATE penalty_segments s SET runs = x.n
    FROM (SELECT line_id, count(*) AS n FROM penalty_segments GROUP BY line_id HAVING count(*) > 1) x
    WHERE s.line_id = x.line_id`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE penalty_segments DROP COLUMN runs');
}
