// Where a report's lines come from: the one choice between the figures as reported on the date (the nightly
// snapshots, snapshot.ts) and restated (today's knowledge of the date, lines.ts). Every report asks here, so the
// choice is made in one place.
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import { BadInput } from '../core/errors.js';
import { type ReportFilter, reportContracts, restatedContracts, restatedCredits, restatedLineFigures, restatedLines } from './lines.js';
import { reportedContracts, reportedCredits, reportedLineFigures, reportedLines, reportedNight } from './snapshot.js';

/**
 * Checks that the source has figures for the filter's date: as reported needs that night's snapshot (BadInput naming
 * the nights there are); restated needs the ledger's history of the date (keptFrom). `value` is what the user gave
 * (the date, or the month it stands for). Call before linesOf and creditsOf.
 */
export async function checkSource(
  knex: Knex,
  actor: Actor,
  filter: ReportFilter,
  restated: boolean,
  field = 'asOf',
  value: string = filter.asOf,
): Promise<void> {
  if (restated) return keptFrom(knex, actor, filter, field, value);
  try {
    await reportedNight(knex, filter.asOf, field);
  } catch (error) {
    if (!(error instanceof BadInput)) throw error;
    throw new BadInput(error.field, error.value, `${error.expected}, or --restated for today's knowledge of that date`);
  }
}

/**
 * A contract an import brought in with a cut-over date has no history before it here: its payments until then are
 * one opening posting dated the cut-over, so restated on an earlier date it would look unpaid. A date before the
 * latest cut-over among the filter's contracts is refused, naming the dealer and the date.
 */
async function keptFrom(knex: Knex, actor: Actor, filter: ReportFilter, field: string, value: string): Promise<void> {
  const cut = await knex('contracts as c')
    .join('dealers as d', 'd.id', 'c.dealer_id')
    .whereIn('c.id', reportContracts(knex, actor, filter))
    .where('c.cutover_date', '>', filter.asOf)
    .orderBy('c.cutover_date', 'desc')
    .first('d.code', 'c.cutover_date');
  if (cut) {
    throw new BadInput(
      field,
      value,
      `${value === filter.asOf ? 'a date' : 'a month ending'} on or after ${cut.cutover_date}, when ${cut.code}'s ledger was imported (its payments before that are one opening balance here, so earlier restated figures would be wrong; --dealer narrows the report)`,
    );
  }
}

/** The filter's lines as of its date, with REPORT_LINE_COLUMNS: restated, or as reported that night. */
export function linesOf(knex: Knex, actor: Actor, filter: ReportFilter, restated: boolean): Knex.QueryBuilder {
  return restated ? restatedLines(knex, actor, filter) : reportedLines(knex, actor, filter);
}

/** The filter's line figures without the contract's columns (REPORT_LINE_FIGURES), from the same source. */
export function lineFiguresOf(knex: Knex, actor: Actor, filter: ReportFilter, restated: boolean): Knex.QueryBuilder {
  return restated ? restatedLineFigures(knex, actor, filter) : reportedLineFigures(knex, actor, filter);
}

/** The filter's contracts with REPORT_CONTRACT_COLUMNS (collector and status as of the date), from the same source. */
export function contractsOf(knex: Knex, actor: Actor, filter: ReportFilter, restated: boolean): Knex.QueryBuilder {
  return restated ? restatedContracts(knex, actor, filter) : reportedContracts(knex, actor, filter);
}

/** Each contract's credit as of the filter's date (columns contract_id, credit), from the same source as linesOf. */
export function creditsOf(knex: Knex, actor: Actor, filter: ReportFilter, restated: boolean): Knex.QueryBuilder | Knex.Raw {
  return restated ? restatedCredits(knex, actor, filter) : reportedCredits(knex, actor, filter);
}
