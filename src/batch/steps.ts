// The nightly pipeline for one business date, in order (STYLE.md: visible in one place):
//   apply_credit → accrue_penalty → report_snapshot → collection → reconcile.
// A later issue adds its step by inserting it into BATCH_STEPS before 'reconcile'; the runner records every
// step of the list in batch_runs and runs them all inside the date's one transaction.
import type { Actor } from '../access/actor.js';
import { decidePromises } from '../collections/contacts.js';
import { flagContracts } from '../collections/suggestions.js';
import { addDays, type BusinessDate } from '../core/dates.js';
import { formatMoney } from '../core/money.js';
import type { Tx } from '../db/index.js';
import { CREDIT_IN, CREDIT_OUT, kindsSql } from '../ledger/kinds.js';
import { unlockSettled } from '../machines/lock.js';
import { recomputeSegments } from '../penalty/store.js';
import { replayAllocations } from '../receivables/allocation.js';
import { takeSnapshot } from '../reports/snapshot-store.js';
import { type Discrepancy, reconcile } from './reconcile.js';

export interface StepContext {
  date: BusinessDate;
  /** The business date before `date` whose figures are already stored, or null for a full recomputation. */
  previous: BusinessDate | null;
  /** The run's last date: an earlier date of the run is written after its night (a catch-up, a recomputation). */
  target: BusinessDate;
  actor: Actor;
  /** reconcile every line, not a sample */
  full: boolean;
  /** What the steps before this one handed on (each step's StepResult.handoff, merged in order). */
  handoff: Handoff;
}

/** Values a step hands to the later steps of the same date, explicitly, rather than through the session's state. */
export interface Handoff {
  /** The accrual step's lines: 'targets' (those in penalty_targets, an ordinary night) or 'all'. */
  accrued?: 'targets' | 'all';
}

export interface StepResult {
  counts: Record<string, number>;
  totals: Record<string, string>;
  discrepancies: Discrepancy[];
  handoff?: Handoff;
}

export interface BatchStep {
  name: string;
  run(tx: Tx, ctx: StepContext): Promise<StepResult>;
}

/**
 * Contracts to re-allocate: those holding advance-receipt credit with a line falling due since the previous date
 * (credit is applied on the due date, value date = due date, so it never bears penalty), and those with receipts
 * whose penalty share a queued rate or grace change alters.
 */
const CONTRACTS_TO_REPLAY = `
  SELECT p.contract_id AS id FROM postings p
    JOIN contracts c ON c.id = p.contract_id AND c.status = 'active'
  WHERE p.kind IN (${kindsSql([...CREDIT_IN, ...CREDIT_OUT])})
    AND EXISTS (SELECT 1 FROM schedule_lines l WHERE l.contract_id = p.contract_id AND l.retired_version IS NULL
                AND l.due_date > ?::date AND l.due_date <= ?::date)
  GROUP BY p.contract_id
  HAVING sum(CASE WHEN p.kind = 'credit' THEN p.signed_amount ELSE -p.signed_amount END) > 0
  UNION
  SELECT DISTINCT c.id FROM penalty_dirty q
    JOIN contracts c ON (q.contract_id IS NULL OR q.contract_id = c.id) AND (q.dealer_id IS NULL OR q.dealer_id = c.dealer_id)
    JOIN documents r ON r.contract_id = c.id AND r.type = 'receipt' AND r.status = 'confirmed'
  WHERE q.reason IN ('rate', 'grace') AND c.status = 'active' AND (q.reason = 'grace' OR r.value_date >= q.since)`;

/**
 * The accrued penalty of every line as of the date, rounded per line and summed (RULES.md), and the number of
 * stored segments, in one pass over the segments inside the database: no row leaves it. Most lines have one run
 * (penalty_segments.runs = 1) and are rounded row by row; only the lines with several runs are grouped. Parallel
 * workers do not pay here: on the 2-core machine each costs about 50 ms to start, more than the scan they share.
 */
const ACCRUED_TOTALS = `
  SELECT coalesce(sum(t.total), 0)::text AS total, sum(t.lines) AS lines, sum(t.segments) AS segments FROM (
    SELECT sum(round(x.exact, 2)) AS total, count(x.exact) AS lines, count(*) AS segments FROM (
      SELECT CASE WHEN s.from_date <= :asOf::date AND s.grace_end < :asOf::date
                  THEN s.base * s.daily_rate * (least(coalesce(s.to_date, :asOf::date), :asOf::date) - s.from_date + 1) END AS exact
      FROM penalty_segments s WHERE s.runs = 1) x
    UNION ALL
    SELECT sum(round(m.exact, 2)), count(m.exact), sum(m.segments) FROM (
      SELECT count(*) AS segments,
        sum(CASE WHEN s.from_date <= :asOf::date AND s.grace_end < :asOf::date
                 THEN s.base * s.daily_rate * (least(coalesce(s.to_date, :asOf::date), :asOf::date) - s.from_date + 1) END) AS exact
      FROM penalty_segments s WHERE s.runs > 1 GROUP BY s.line_id) m
  ) t`;

const applyCredit: BatchStep = {
  name: 'apply_credit',
  async run(tx, ctx) {
    const since = ctx.previous ?? '1900-01-01';
    const ids = (await tx.raw(CONTRACTS_TO_REPLAY, [since, ctx.date])).rows.map((r: { id: number }) => r.id);
    const outcome = await replayAllocations(tx, ctx.actor, ids, ctx.date);
    const applied = await tx('postings')
      .where({ kind: 'credit_application', value_date: ctx.date })
      .sum({ total: 'signed_amount' })
      .first();
    return {
      counts: { contracts: ids.length, posted: outcome.posted, reversed: outcome.reversed },
      totals: { creditApplied: formatMoney(applied?.total ?? 0) },
      discrepancies: [],
    };
  },
};

const accruePenalty: BatchStep = {
  name: 'accrue_penalty',
  async run(tx, ctx) {
    const counts = await recomputeSegments(
      tx,
      ctx.date,
      ctx.previous === null ? { kind: 'all' } : { kind: 'changed', previous: ctx.previous },
    );
    const totals = (await tx.raw(ACCRUED_TOTALS, { asOf: ctx.date })).rows[0];
    return {
      counts: {
        linesRecomputed: counts.lines,
        segmentsWritten: counts.segments,
        queued: counts.queue,
        segmentsStored: Number(totals.segments),
        linesAccruing: Number(totals.lines),
      },
      totals: { penaltyAccrued: formatMoney(totals.total) },
      discrepancies: [],
      handoff: { accrued: ctx.previous === null ? 'all' : 'targets' },
    };
  },
};

/** The night's figures as the reports show them, kept as they were (reports/snapshot-store.ts). */
const reportSnapshot: BatchStep = {
  name: 'report_snapshot',
  async run(tx, ctx) {
    const counts = await takeSnapshot(tx, { date: ctx.date, late: ctx.date < ctx.target, recomputedAll: ctx.handoff.accrued === 'all' });
    return { counts: { ...counts }, totals: {}, discrepancies: [] };
  },
};

/**
 * Collections (issue 21): promises to pay whose date has passed are kept or broken, and the suggested-action rules
 * flag (or clear) contracts. A re-run of the date decides its promises and flags again (collections/contacts.ts,
 * collections/suggestions.ts).
 */
const collectionStep: BatchStep = {
  name: 'collection',
  async run(tx, ctx) {
    const promises = await decidePromises(tx, ctx.date);
    const flags = await flagContracts(tx, ctx.date);
    return {
      counts: {
        promisesKept: promises.kept,
        promisesBroken: promises.broken,
        flagsRaised: flags.raised,
        flagsCleared: flags.cleared,
        flagsOpen: flags.open,
      },
      totals: {},
      discrepancies: [],
    };
  },
};

const reconcileStep: BatchStep = {
  name: 'reconcile',
  async run(tx, ctx) {
    const result = await reconcile(tx, {
      date: ctx.date,
      previous: ctx.previous,
      full: ctx.full,
      accrued: ctx.handoff.accrued ?? null,
    });
    return {
      counts: {
        checks: result.checked.length,
        // -1: the whole ledger was checked
        contractsChecked: result.contractsScoped ?? -1,
        postingsThrough: result.postingsThrough,
      },
      totals: {},
      discrepancies: result.discrepancies,
    };
  },
};

/** Machines of contracts settled by the date unlocked where the dealer's setting says so (machines/lock.ts). */
const machineUnlock: BatchStep = {
  name: 'machine_unlock',
  async run(tx, ctx) {
    const unlocked = await unlockSettled(tx, ctx.actor, ctx.date);
    return { counts: { unlocked: unlocked.length }, totals: {}, discrepancies: [] };
  },
};

/** The steps of one business date, in order. The last one marks the date complete. */
export const BATCH_STEPS: readonly BatchStep[] = [applyCredit, accruePenalty, reportSnapshot, collectionStep, machineUnlock, reconcileStep];

export function nextDate(date: BusinessDate): BusinessDate {
  return addDays(date, 1);
}
