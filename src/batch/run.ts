// `zq batch run`: every business date after the last completed one up to the target date, one transaction per
// date (all its steps land together or not at all, so a process killed at any point leaves no half-done date
// and the next run resumes), under the batch lock. Re-running a finished date is a no-op that says so.
import type { Actor } from '../access/actor.js';
import { addDays, type BusinessDate, daysBetween, eachDate } from '../core/dates.js';
import { BadInput, databaseRefusal } from '../core/errors.js';
import type { Db } from '../db/index.js';
import { RANDOM_PAGE_COST, refreshStatistics } from '../penalty/store.js';
import { acquireBatchLock } from './lock.js';
import type { Discrepancy } from './reconcile.js';
import { lastCompletedBatchDate, recordStep } from './runs.js';
import { BATCH_STEPS, type Handoff, type StepResult } from './steps.js';

/** The most business dates one run catches up (ten years); beyond, the run refuses rather than loop for hours. */
export const MAX_CATCH_UP_DAYS = 3660;

/** The tables a night rewrites rows of: segments (lines recomputed), the queue, and lines (their paid amount). */
const CHURNED_TABLES = ['penalty_segments', 'penalty_dirty', 'schedule_lines'];

/** work_mem of a batch date's transaction on PGlite (see runDate). */
const PGLITE_WORK_MEM = '32MB';

export interface BatchOptions {
  date: BusinessDate;
  recomputeFrom?: BusinessDate | undefined;
  full?: boolean | undefined;
  wait?: boolean | undefined;
}

export interface StepLog {
  date: BusinessDate;
  step: string;
  status: 'done' | 'skipped';
  durationMs: number;
  counts: Record<string, number>;
  totals: Record<string, string>;
  discrepancies: number;
  message?: string;
}

export interface BatchSummary {
  date: BusinessDate;
  lastCompletedBefore: BusinessDate | null;
  datesRun: BusinessDate[];
  alreadyDone: boolean;
  discrepancies: (Discrepancy & { date: BusinessDate })[];
}

/** The dates to run: after the last completed one (or from --recompute-from) through the target. */
export function datesToRun(last: BusinessDate | null, options: BatchOptions): { dates: BusinessDate[]; fullFrom: BusinessDate | null } {
  let from: BusinessDate;
  let fullFrom: BusinessDate | null = null;
  if (options.recomputeFrom !== undefined) {
    if (options.recomputeFrom > options.date) {
      throw new BadInput('recomputeFrom', options.recomputeFrom, `a date on or before the batch date ${options.date}`);
    }
    if (last !== null && options.recomputeFrom > addDays(last, 1)) {
      throw new BadInput(
        'recomputeFrom',
        options.recomputeFrom,
        `a date on or before ${addDays(last, 1)}, the day after the last completed business date (no date is skipped)`,
      );
    }
    from = options.recomputeFrom;
    fullFrom = from;
  } else if (last === null) {
    from = options.date;
    fullFrom = from;
  } else {
    from = addDays(last, 1);
  }
  if (from > options.date) return { dates: [], fullFrom: null };
  if (daysBetween(from, options.date) >= MAX_CATCH_UP_DAYS) {
    throw new BadInput('date', options.date, `at most ${MAX_CATCH_UP_DAYS} business dates after ${from} in one run`);
  }
  return { dates: [...eachDate(from, options.date)], fullFrom };
}

/**
 * Runs the batch. `log` gets each step's line once its date has committed; `started` is told as each step begins,
 * so that a long date (a full recomputation takes 15–20 s on a large ledger) shows progress meanwhile.
 */
export async function runBatch(
  db: Db,
  actor: Actor,
  options: BatchOptions,
  log: (line: StepLog) => void,
  started: (date: BusinessDate, step: string) => void = () => {},
): Promise<BatchSummary> {
  const lock = await acquireBatchLock(db, options.wait === true);
  try {
    const last = await db.knex.transaction((tx) => lastCompletedBatchDate(tx));
    const { dates, fullFrom } = datesToRun(last, options);
    if (dates.length > 0) await refreshStatistics(db.knex);
    const summary: BatchSummary = {
      date: options.date,
      lastCompletedBefore: last,
      datesRun: [],
      alreadyDone: dates.length === 0,
      discrepancies: [],
    };
    if (dates.length === 0) {
      for (const step of BATCH_STEPS) {
        log({
          date: options.date,
          step: step.name,
          status: 'skipped',
          durationMs: 0,
          counts: {},
          totals: {},
          discrepancies: 0,
          message: `already done (last completed business date ${last})`,
        });
      }
      return summary;
    }
    for (const date of dates) {
      const logs = await runDate(db, actor, date, date === fullFrom ? null : addDays(date, -1), options, started);
      summary.datesRun.push(date);
      for (const entry of logs) {
        log(entry.log);
        summary.discrepancies.push(...entry.result.discrepancies.map((d) => ({ ...d, date })));
      }
    }
    // PGlite has no autovacuum: without this, every line rewritten or paid would leave its old row behind for good,
    // and each night's scans would step over all of them. A server's autovacuum does the same on its own.
    if (db.kind === 'pglite') await db.knex.raw(`VACUUM ${CHURNED_TABLES.join(', ')}`);
    return summary;
  } finally {
    await lock.release();
  }
}

async function runDate(
  db: Db,
  actor: Actor,
  date: BusinessDate,
  previous: BusinessDate | null,
  options: BatchOptions,
  started: (date: BusinessDate, step: string) => void,
) {
  const done: { log: StepLog; result: StepResult }[] = [];
  let current = BATCH_STEPS[0]?.name ?? 'none';
  try {
    await db.knex.transaction(async (tx) => {
      // every step reads a night's changes through indexes (see RANDOM_PAGE_COST)
      await tx.raw(`SET LOCAL random_page_cost = ${RANDOM_PAGE_COST}`);
      // A night's statements are few and short; PostgreSQL's JIT compiler took longer than the queries it compiled
      // (0.35 s of the credit step's 0.64 s on the benchmark's ledger)
      await tx.raw('SET LOCAL jit = off');
      // PGlite runs with the default 4 MB of work_mem, and a full recomputation's hashes and aggregates spilled to
      // its emulated file system (a third of the segment statement); a server's setting is its administrator's
      if (db.kind === 'pglite') await tx.raw(`SET LOCAL work_mem = '${PGLITE_WORK_MEM}'`);
      // A full recomputation (the first date of a run from scratch or of --recompute-from) makes the figures of
      // every later date stale: their rows go with it, in the same transaction, so a run that stops half-way
      // leaves the last completed date at the last date it redid, and the next run carries on from there.
      if (previous === null) await tx('batch_runs').where('business_date', '>', date).delete();
      let handoff: Handoff = {};
      for (const step of BATCH_STEPS) {
        current = step.name;
        started(date, step.name);
        const startedAt = performance.now();
        const result = await step.run(tx, { date, previous, target: options.date, actor, full: options.full === true, handoff });
        handoff = { ...handoff, ...result.handoff };
        const durationMs = Math.round(performance.now() - startedAt);
        await recordStep(tx, {
          step: step.name,
          businessDate: date,
          status: 'done',
          counts: result.counts,
          totals: result.totals,
          discrepancies: result.discrepancies.length,
          durationMs,
          error: null,
        });
        done.push({
          log: {
            date,
            step: step.name,
            status: 'done',
            durationMs,
            counts: result.counts,
            totals: result.totals,
            discrepancies: result.discrepancies.length,
          },
          result,
        });
      }
    });
  } catch (err) {
    await recordStep(db.knex, {
      step: current,
      businessDate: date,
      status: 'failed',
      counts: {},
      totals: {},
      discrepancies: 0,
      durationMs: null,
      // a refusal raised by the database is recorded as its message, not the SQL statement knex puts before it
      error: (databaseRefusal(err) ?? (err as Error).message).slice(0, 2000),
    });
    throw err;
  }
  return done;
}
