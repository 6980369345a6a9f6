// The batch actions: `batch.run` (the nightly batch: one transaction per business date, under the batch lock —
// its own transactions, so it is an OwnTxAction) and `batch.status` (the run log).
import { defineAction } from '../access/action.js';
import { EVERYONE, GROUP_FINANCE } from '../access/role-sets.js';
import { addDays, BUSINESS_TIME_ZONE, type BusinessDate, parseDate } from '../core/dates.js';
import { BadInput } from '../core/errors.js';
import { type BatchSummary, runBatch, type StepLog } from './run.js';
import { lastCompletedBatchDate, listRuns } from './runs.js';

export interface BatchRunRaw {
  /** The last business date to run; default: the day before `today`. */
  date?: string | undefined;
  /** Redo every date from this one (a full recomputation of the penalty segments). */
  recomputeFrom?: string | undefined;
  /** Reconcile the stored segments of every line, not a sample. */
  full?: boolean | undefined;
  /** Wait for a batch already running instead of refusing. */
  wait?: boolean | undefined;
  /** Today in the business time zone: the adapter reads the clock, the batch never does. */
  today: BusinessDate;
  /** Told each step's line once its date has committed. */
  onStep?: ((line: StepLog) => void) | undefined;
  /** Told as each step begins. */
  onStart?: ((date: BusinessDate, step: string) => void) | undefined;
}

export const batchRun = defineAction({
  name: 'batch.run',
  summary: 'the nightly batch: every business date after the last completed one, up to the date',
  roles: GROUP_FINANCE,
  mutates: true,
  transaction: 'own',
  parse: (raw: BatchRunRaw) => {
    const date = raw.date ? parseDate(raw.date, 'date') : addDays(raw.today, -1);
    // a date not yet over would accrue penalty for days to come and close the door on that day's receipts
    if (date > raw.today) throw new BadInput('date', date, `a business date on or before today (${raw.today}, ${BUSINESS_TIME_ZONE})`);
    const recomputeFrom = raw.recomputeFrom ? parseDate(raw.recomputeFrom, 'recomputeFrom') : undefined;
    return { date, recomputeFrom, full: raw.full === true, wait: raw.wait === true, onStep: raw.onStep, onStart: raw.onStart };
  },
  run: (db, actor, input): Promise<BatchSummary> =>
    runBatch(
      db,
      actor,
      { date: input.date, recomputeFrom: input.recomputeFrom, full: input.full, wait: input.wait },
      input.onStep ?? (() => {}),
      input.onStart,
    ),
});

export const batchStatus = defineAction({
  name: 'batch.status',
  summary: 'the batch runs: each step and business date with counts, totals, discrepancies and duration',
  roles: EVERYONE,
  mutates: false,
  parse: (raw: { limit?: string | number | undefined }) => {
    const limit = Number(raw.limit ?? 30);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new BadInput('limit', raw.limit, 'a number from 1 to 10000');
    return { limit };
  },
  run: async (tx, _actor, input) => {
    const runs = await listRuns(tx, input.limit);
    const lastCompleted = await lastCompletedBatchDate(tx);
    return { lastCompleted, runs };
  },
});

export const batchActions = [batchRun, batchStatus] as const;
