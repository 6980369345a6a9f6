// Where a report's lines come from: the one choice between the figures as reported on the date (the nightly
// snapshots) and restated (today's knowledge of the date, lines.ts). Every report asks here, so the choice is
// made in one place.
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import { BadInput } from '../core/errors.js';
import { type ReportFilter, restatedCredits, restatedLines } from './lines.js';

/** The filter's lines as of its date, with REPORT_LINE_COLUMNS: restated, or as reported that night. */
export function linesOf(knex: Knex, actor: Actor, filter: ReportFilter, restated: boolean): Knex.QueryBuilder {
  if (restated) return restatedLines(knex, actor, filter);
  throw new BadInput('restated', null, 'as reported needs the nightly snapshots');
}

/** Each contract's credit as of the filter's date (columns contract_id, credit), from the same source as linesOf. */
export function creditsOf(knex: Knex, actor: Actor, filter: ReportFilter, restated: boolean): Knex.QueryBuilder | Knex.Raw {
  if (restated) return restatedCredits(knex, actor, filter);
  throw new BadInput('restated', null, 'as reported needs the nightly snapshots');
}
