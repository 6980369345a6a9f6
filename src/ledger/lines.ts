// The lines postings go to: schedule lines by version. A schedule change, charge or buyback writes version
// N+1 and retires the lines it replaces; a line counts from its version's effective date, so figures before
// it show the schedule as it then stood (RULES.md: a change never rewrites history).
import type { Knex } from 'knex';
import type { BusinessDate } from '../core/dates.js';

/**
 * schedule_lines as l, limited to the lines in effect on a date. Version 1 is in effect from the start; a
 * later version from its effective date, until the version that retires its line takes effect.
 */
export function linesInEffect(knex: Knex, asOf: BusinessDate): Knex.QueryBuilder {
  return knex('schedule_lines as l')
    .join('schedule_versions as v', (j) => j.on('v.contract_id', 'l.contract_id').andOn('v.version', 'l.version'))
    .leftJoin('schedule_versions as r', (j) => j.on('r.contract_id', 'l.contract_id').andOn('r.version', 'l.retired_version'))
    .where((w) => w.where('l.version', 1).orWhere('v.effective_from', '<=', asOf))
    .where((w) => w.whereNull('r.version').orWhere('r.effective_from', '>', asOf));
}
