// The lines postings go to: schedule lines by version. A schedule change, charge or buyback writes version
// N+1 and retires the lines it replaces; a line counts from its version's effective date, so figures before
// it show the schedule as it then stood (RULES.md: a change never rewrites history).
import type { Knex } from 'knex';
import type { BusinessDate } from '../core/dates.js';

/**
 * schedule_lines as l, limited to the lines in effect on a date. Version 1 is in effect from the start; a
 * later version from its effective date, until the version that retires its line takes effect.
 *
 * Written as conditions on the line's own columns first (`l.version = 1`, `l.retired_version IS NULL`: almost
 * every line), each OR-ed with a look-up of the version only for the others: the planner then estimates the
 * lines in effect from the line's statistics. Joined to both versions instead, it estimated a million lines at
 * one row and built its hash tables on the million (a restated breakdown of 1,000,000 lines took 13 s, not 4).
 */
export function linesInEffect(knex: Knex, asOf: BusinessDate): Knex.QueryBuilder {
  return knex('schedule_lines as l')
    .where((w) =>
      w
        .where('l.version', 1)
        .orWhereExists(
          knex('schedule_versions as v')
            .select(knex.raw('1'))
            .whereRaw('v.contract_id = l.contract_id AND v.version = l.version AND v.effective_from <= ?', [asOf]),
        ),
    )
    .where((w) =>
      w
        .whereNull('l.retired_version')
        .orWhereNotExists(
          knex('schedule_versions as r')
            .select(knex.raw('1'))
            .whereRaw('r.contract_id = l.contract_id AND r.version = l.retired_version AND r.effective_from <= ?', [asOf]),
        ),
    );
}
