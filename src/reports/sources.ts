// Where a report's lines come from: the one choice between the figures as reported on the date (the nightly
// snapshots, snapshot.ts) and restated (today's knowledge of the date, lines.ts). Every report asks here, so the
// choice is made in one place.
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import type { BusinessDate } from '../core/dates.js';
import { BadInput } from '../core/errors.js';
import { type ReportFilter, restatedContracts, restatedCredits, restatedLineFigures, restatedLines } from './lines.js';
import { reportedContracts, reportedCredits, reportedLineFigures, reportedLines, reportedNight } from './snapshot.js';

/**
 * Checks that the source has figures for the date: as reported needs that night's snapshot (BadInput naming the
 * nights there are). Call before linesOf and creditsOf.
 */
export async function checkSource(knex: Knex, asOf: BusinessDate, restated: boolean, field = 'asOf'): Promise<void> {
  if (restated) return;
  try {
    await reportedNight(knex, asOf, field);
  } catch (error) {
    if (!(error instanceof BadInput)) throw error;
    throw new BadInput(error.field, error.value, `${error.expected}, or --restated for today's knowledge of that date`);
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
