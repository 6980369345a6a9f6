// The batch's run log (batch_runs, migration 006): one row per (step, business date). Period close reads it.
import type { Knex } from 'knex';
import { type BusinessDate, formatTimestamp } from '../core/dates.js';
import type { Tx } from '../db/index.js';

export interface StepRecord {
  step: string;
  businessDate: BusinessDate;
  status: 'running' | 'done' | 'failed';
  counts: Record<string, number>;
  totals: Record<string, string>;
  discrepancies: number;
  durationMs: number | null;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
}

/**
 * Writes the row of a (step, date), replacing an earlier failed or redone one. The step has just finished: the
 * clock, not now() (the start of the date's transaction, the same for every step).
 */
export async function recordStep(
  tx: Tx | Knex,
  row: Pick<StepRecord, 'step' | 'businessDate' | 'status' | 'counts' | 'totals' | 'discrepancies' | 'durationMs' | 'error'>,
): Promise<void> {
  await tx.raw(
    `INSERT INTO batch_runs (step, business_date, status, counts, totals, discrepancies, duration_ms, started_at, finished_at, error)
     VALUES (?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, clock_timestamp() - make_interval(secs => ? / 1000.0), clock_timestamp(), ?)
     ON CONFLICT (step, business_date) DO UPDATE SET status = EXCLUDED.status, counts = EXCLUDED.counts,
       totals = EXCLUDED.totals, discrepancies = EXCLUDED.discrepancies, duration_ms = EXCLUDED.duration_ms,
       started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at, error = EXCLUDED.error`,
    [
      row.step,
      row.businessDate,
      row.status,
      JSON.stringify(row.counts),
      JSON.stringify(row.totals),
      row.discrepancies,
      row.durationMs,
      row.durationMs ?? 0,
      row.error,
    ],
  );
}

export async function listRuns(knex: Knex, limit: number): Promise<StepRecord[]> {
  const rows = await knex('batch_runs')
    .orderBy([
      { column: 'business_date', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(limit)
    .select(
      'step',
      'business_date as businessDate',
      'status',
      'counts',
      'totals',
      'discrepancies',
      'duration_ms as durationMs',
      'started_at as startedAt',
      'finished_at as finishedAt',
      'error',
    );
  return rows.map((r) => ({
    ...r,
    counts: typeof r.counts === 'string' ? JSON.parse(r.counts) : r.counts,
    totals: typeof r.totals === 'string' ? JSON.parse(r.totals) : r.totals,
    startedAt: formatTimestamp(r.startedAt),
    finishedAt: r.finishedAt ? formatTimestamp(r.finishedAt) : null,
  }));
}

/** The last business date the nightly batch completed (every step), or null before the first run. */
export async function lastCompletedBatchDate(tx: Tx): Promise<BusinessDate | null> {
  const row = await tx('batch_runs').where({ step: 'reconcile', status: 'done' }).max('business_date as date').first();
  return row?.date ?? null;
}
