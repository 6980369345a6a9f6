// Stored penalty segments, computed set-based in SQL (RULES.md "Penalty interest"; the pure twin is compute.ts,
// and the property test proves they agree to the cent). A segment is a run of penalty days of one line with one
// overdue base and one daily rate; the last run of a line is open-ended (to_date NULL) while neither changes.
// Segments do not depend on the as-of date: a day's base depends only on postings dated before it, so the
// stored runs are the line's whole future as the ledger stands, and a figure as of D sums the runs up to D.
// The batch keeps them for the lines whose grace period has ended by its business date (due + grace < date).
import type { Knex } from 'knex';
import type { BusinessDate } from '../core/dates.js';
import { dec, type Money, roundMoney } from '../core/money.js';
import type { Tx } from '../db/index.js';
import { dropForBulkLoad } from '../db/indexes.js';
import { kindsSql, PAYS_LINE } from '../ledger/kinds.js';

/**
 * The grace period of every (dealer, receivable type) pair: the most specific setting, latest row
 * (src/penalty/settings.ts resolveGrace does the same for one line).
 */
const GRACE_KEYS = `SELECT d.id AS dealer_id, t.code AS receivable_type,
    coalesce(g.days, 0) AS grace_days, coalesce(g.mode, 'retroactive') AS grace_mode
  FROM dealers d CROSS JOIN receivable_types t
  LEFT JOIN LATERAL (
    SELECT pg.days, pg.mode FROM penalty_grace pg
    WHERE (pg.dealer_id IS NULL OR pg.dealer_id = d.id) AND (pg.receivable_type IS NULL OR pg.receivable_type = t.code)
    ORDER BY pg.specificity DESC, pg.id DESC LIMIT 1
  ) g ON true`;

/** What a late line needs from its line, contract and grace setting (l, c, gk; o the contract-rate overrides). */
const LINE_WINDOW = `l.id AS line_id, l.contract_id, c.dealer_id, l.receivable_type, l.amount_due,
      l.due_date + gk.grace_days AS grace_end,
      greatest(CASE WHEN gk.grace_mode = 'forward' THEN l.due_date + gk.grace_days + 1 ELSE l.due_date + 1 END,
               c.cutover_date + 1) AS window_start,
      CASE WHEN c.status = 'written_off' THEN c.status_date - 1 END AS window_end,
      coalesce(o.contract_id, 0) AS rate_contract`;

const LINE_JOINS = `JOIN receivable_types t ON t.code = l.receivable_type AND t.penalty_bearing
    JOIN contracts c ON c.id = l.contract_id
    JOIN penalty_grace_keys gk ON gk.dealer_id = c.dealer_id AND gk.receivable_type = l.receivable_type
    LEFT JOIN overrides o ON o.contract_id = c.id
    WHERE l.retired_version IS NULL AND l.due_date + gk.grace_days < :asOf::date`;

/** The rate in force when each late line's window opens (penalty_rate_spans), and the rates after it. */
const LATE_WITH_RATE = `SELECT lt.*, sp.daily_rate AS start_rate, sp.next_from, sp.next_rate, sp.next_until
  FROM late lt JOIN penalty_rate_spans sp ON sp.rate_contract = lt.rate_contract AND sp.dealer_id = lt.dealer_id
    AND sp.receivable_type = lt.receivable_type AND sp.from_date <= lt.window_start
    AND (sp.next_from IS NULL OR sp.next_from > lt.window_start)`;

/**
 * The late lines, as of business date :asOf, with everything the segments need (one statement): every live line
 * (a full recomputation) or the lines in penalty_targets (a night's changes).
 *  lines  the penalty-bearing lines with their grace (penalty_grace_keys), window start (day after the due date, or
 *         after the grace period in forward mode, and after an import's cut-over) and end (the day before
 *         settlement or bad-debt confirmation);
 *  paid   per line, postings to its amount (reversals net) paid within the grace period, paid before the window
 *         opens (the base the window opens with), and those value-dated later: how many, their net amount, their
 *         first and last dates (zq_line_paid_sums, migration 016);
 *  rates  per line, the rate in force when its window opens (penalty_rate_spans), and the rates that follow it.
 * A line with no later payment and no later rate has exactly one segment (simple), one with a single change after
 * its window opens two at most (changed); the others go through the full timeline statement (COMPLEX_SQL).
 *
 * Shaped for a million lines: joining every line to its postings and grouping by line was most of a full
 * recomputation. Each line carries what it has been paid and the value date of its latest payment (schedule_lines
 * paid and paid_last, kept by the postings: migration 014), and a line fully paid on or before its due date — most
 * due lines of a ledger, and on an ordinary night the lines that fell due and were paid on time — is dropped as the
 * lines are read: it cannot be late whatever its grace or window (summing every posting per line to tell them apart
 * was a third of a full recomputation). Of the lines left, one whose payments all fall before both its window and
 * the end of its grace period takes the total for both sums; only the others (paid late, reversed late) have their
 * postings read through the line's index for the exact sums. That read is a subquery run only for those lines (a
 * lateral join put a join step on every late line, run or not).
 */
function lateSql(scope: 'all' | 'targets'): string {
  const lines = scope === 'all' ? 'schedule_lines sl' : `(SELECT line_id AS id, ${TARGET_COLUMNS} FROM penalty_targets) sl`;
  const due = `(SELECT sl.* FROM ${lines}
      WHERE sl.due_date < :asOf::date - (SELECT min(grace_days) FROM penalty_grace_keys)
        AND (sl.paid < sl.amount_due OR sl.paid_last > sl.due_date)) l`;
  return `WITH
  overrides AS (SELECT DISTINCT contract_id FROM penalty_rates WHERE contract_id IS NOT NULL),
  -- OFFSET 0 keeps the lines a subquery: their window start is computed once per line, not again in every join
  -- filter and expression of the rest of the statement it would otherwise be inlined into
  lines AS (SELECT ${LINE_WINDOW}, l.paid AS total, l.paid_last AS last FROM ${due} ${LINE_JOINS} OFFSET 0),
  -- per line paid late (irregular): paid within the grace period, paid before the window opens, payments dated
  -- after it opens; the others take their total for both sums and have none after (an array built for every line
  -- cost a twentieth of a full recomputation)
  sums AS (
    SELECT cl.*, CASE WHEN cl.last >= least(cl.window_start, cl.grace_end + 1) THEN (
        SELECT ROW(coalesce(sum(p.signed_amount) FILTER (WHERE p.value_date <= cl.grace_end), 0),
                   coalesce(sum(p.signed_amount) FILTER (WHERE p.value_date < cl.window_start), 0),
                   count(*) FILTER (WHERE p.value_date >= cl.window_start),
                   sum(p.signed_amount) FILTER (WHERE p.value_date >= cl.window_start),
                   min(p.value_date) FILTER (WHERE p.value_date >= cl.window_start),
                   max(p.value_date) FILTER (WHERE p.value_date >= cl.window_start))::zq_line_paid_sums
        FROM postings p WHERE p.schedule_line_id = cl.line_id AND p.kind IN (${kindsSql(PAYS_LINE)})) END AS irregular
    FROM lines cl OFFSET 0
  ),
  late AS (
    SELECT ln.line_id, ln.contract_id, ln.dealer_id, ln.receivable_type, ln.amount_due, ln.grace_end, ln.window_start,
      ln.window_end, ln.rate_contract, ln.amount_due - coalesce((ln.irregular).before_window, ln.total, 0) AS start_base,
      coalesce((ln.irregular).later_count > 0, false) AS paid_later, (ln.irregular).later_sum,
      (ln.irregular).later_first, (ln.irregular).later_last
    FROM sums ln
    WHERE ln.amount_due - coalesce((ln.irregular).in_grace, ln.total, 0) > 0
      AND (ln.window_end IS NULL OR ln.window_start <= ln.window_end)
  )
  ${LATE_WITH_RATE}`;
}

/**
 * The rate timeline of every (contract override, dealer, type) key — every dealer and type, and every contract with
 * an override: at each start date of an applicable setting, the most specific setting started by then, in force
 * until the next start (next_from); a start that repeats the rate in force is no start (the runs either side of it
 * are one segment). A first span with no rate runs from -infinity to the first start, so every
 * date of a key falls in exactly one span. Each span also names the rate that follows it (next_rate) and when that
 * one ends (next_until). A handful of rows whatever the number of lines.
 */
const RATE_SPANS = `WITH
  rate_keys AS (
    SELECT 0::bigint AS rate_contract, d.id AS dealer_id, t.code AS receivable_type FROM dealers d CROSS JOIN receivable_types t
    UNION ALL
    SELECT c.id, c.dealer_id, t.code FROM (SELECT DISTINCT contract_id FROM penalty_rates WHERE contract_id IS NOT NULL) o
      JOIN contracts c ON c.id = o.contract_id CROSS JOIN receivable_types t
  ),
  key_dates AS (
    SELECT DISTINCT k.rate_contract, k.dealer_id, k.receivable_type, r.effective_from AS from_date
    FROM rate_keys k JOIN penalty_rates r
      ON (r.contract_id IS NULL OR r.contract_id = k.rate_contract) AND (r.dealer_id IS NULL OR r.dealer_id = k.dealer_id)
     AND (r.receivable_type IS NULL OR r.receivable_type = k.receivable_type)
  ),
  key_rates AS (
    SELECT kd.*, (
      SELECT r.daily_rate FROM penalty_rates r
      WHERE (r.contract_id IS NULL OR r.contract_id = kd.rate_contract) AND (r.dealer_id IS NULL OR r.dealer_id = kd.dealer_id)
        AND (r.receivable_type IS NULL OR r.receivable_type = kd.receivable_type) AND r.effective_from <= kd.from_date
      ORDER BY r.specificity DESC, r.effective_from DESC, r.id DESC LIMIT 1) AS daily_rate
    FROM key_dates kd
    UNION ALL
    SELECT k.*, '-infinity'::date, NULL FROM rate_keys k
  ),
  changes AS (
    SELECT kr.*, lag(kr.daily_rate) OVER (PARTITION BY kr.rate_contract, kr.dealer_id, kr.receivable_type ORDER BY kr.from_date) AS rate_before
    FROM key_rates kr
  )
  SELECT sp.*, lead(sp.daily_rate) OVER w AS next_rate, lead(sp.from_date, 2) OVER w AS next_until FROM (
    SELECT ch.rate_contract, ch.dealer_id, ch.receivable_type, ch.from_date, ch.daily_rate,
      lead(ch.from_date) OVER (PARTITION BY ch.rate_contract, ch.dealer_id, ch.receivable_type ORDER BY ch.from_date) AS next_from
    FROM changes ch WHERE ch.from_date = '-infinity' OR ch.daily_rate IS DISTINCT FROM ch.rate_before) sp
  WINDOW w AS (PARTITION BY sp.rate_contract, sp.dealer_id, sp.receivable_type ORDER BY sp.from_date)`;

/*
 * The shape of a late line, as conditions on its row (as columns of the late lines, computed for every one of them,
 * they cost a full recomputation 0.05 s more):
 *  simple    nothing changes after the window opens (no payment, no rate change): one segment;
 *  changed   exactly one change after it opens, from CHANGE_FROM on, and the window left open: either a net payment
 *            on a single date and no rate change (the base drops the day after), or a rate change and no payment:
 *            two segments at most;
 *  complex   anything else: the timeline statement (COMPLEX_SQL).
 * Most lines a night recomputes are simple or changed (paid that day, or reached by a dealer's new rate): for them
 * the timeline statement's sorts and windows cost more than writing their segments.
 */
const SIMPLE = 'NOT paid_later AND next_from IS NULL';
/** The date a changed line's one change applies from; NULL for the other shapes. */
const CHANGE_FROM = `CASE WHEN window_end IS NOT NULL THEN NULL
    WHEN paid_later THEN CASE WHEN next_from IS NULL AND later_first = later_last AND later_sum <> 0 THEN later_first + 1 END
    WHEN next_until IS NULL THEN next_from END`;
const COMPLEX = `NOT (${SIMPLE}) AND (${CHANGE_FROM}) IS NULL`;

/** The one segment of each simple late line: open from the window start (or closed at its end), one base, one rate. */
const SIMPLE_WRITTEN = `${SIMPLE} AND start_base > 0 AND start_rate IS NOT NULL`;
const SIMPLE_SQL = `SELECT line_id, contract_id, window_start, window_end, start_base, start_rate,
    CASE WHEN window_end IS NOT NULL THEN start_base * start_rate * (window_end - window_start + 1) END, grace_end, 1
  FROM late WHERE ${SIMPLE_WRITTEN}`;

/**
 * The segments of each changed late line (LATE_WITH_RATE): up to the day before the change at the starting base and
 * rate, and from it, open, at the base and rate after it — each written if its base is above zero and it has a rate.
 */
const CHANGED_SQL = `SELECT lt.line_id, lt.contract_id, r.from_date, r.to_date, r.base, r.daily_rate, r.amount, lt.grace_end,
    (lt.start_base > 0 AND lt.start_rate IS NOT NULL)::int + (lt.base_after > 0 AND lt.rate_after IS NOT NULL)::int
  FROM (SELECT line_id, contract_id, grace_end, window_start, start_base, start_rate, ${CHANGE_FROM} AS change_from,
          CASE WHEN paid_later THEN start_base - later_sum ELSE start_base END AS base_after,
          CASE WHEN paid_later THEN start_rate ELSE next_rate END AS rate_after
        -- OFFSET 0: the change date computed once per line, not in every expression that names it
        FROM late WHERE NOT (${SIMPLE}) OFFSET 0) lt
  CROSS JOIN LATERAL (VALUES
    (lt.window_start, lt.change_from - 1, lt.start_base, lt.start_rate, lt.start_base * lt.start_rate * (lt.change_from - lt.window_start)),
    (lt.change_from, NULL, lt.base_after, lt.rate_after, NULL)) r(from_date, to_date, base, daily_rate, amount)
  WHERE lt.change_from IS NOT NULL AND r.base > 0 AND r.daily_rate IS NOT NULL`;

/**
 * One statement from the late lines to the segments: the simple and changed ones (most of them) are written straight
 * to penalty_segments, the complex ones kept in penalty_late for COMPLEX_SQL. Before, every late line went through
 * the temporary table first: at a full recomputation that was writing, analyzing and reading back 190,000 rows.
 */
function writeLateSql(late: string): string {
  return `WITH late AS MATERIALIZED (${late}),
  complex AS (INSERT INTO penalty_late SELECT * FROM late WHERE ${COMPLEX}),
  simple AS (${INSERT_COLUMNS} ${SIMPLE_SQL}),
  changed AS (${INSERT_COLUMNS} ${CHANGED_SQL} RETURNING 1)
  SELECT count(*) AS late, count(*) FILTER (WHERE ${COMPLEX}) AS complex,
    count(*) FILTER (WHERE ${SIMPLE_WRITTEN}) + (SELECT count(*) FROM changed) AS written
  FROM late`;
}

/**
 * Segments of the complex late lines, every step a join, an aggregate or a window over the set:
 *  points   per line the dates where the base changes (the day after a day's payments that do not net to zero),
 *           the rate changes after the window opens (a span starts), and the window start;
 *  runs     between consecutive points: base = amount due − payments so far (running sum), the next point;
 *  then each run clipped to the window, kept if its base is above zero, with the rate of the span it starts in.
 * Neighbouring runs always differ in base or rate (every point changes one of them, and spans that repeat a rate
 * are merged), so the runs are the segments as they are.
 */
const COMPLEX_SQL = `WITH
  late AS (SELECT * FROM penalty_late),
  events AS (
    -- each line's postings through its index (planned as a join, it hashed every posting of the ledger)
    SELECT lt.line_id, pd.at, pd.delta FROM late lt CROSS JOIN LATERAL (
      SELECT p.value_date + 1 AS at, -sum(p.signed_amount) AS delta FROM postings p
      WHERE p.schedule_line_id = lt.line_id AND p.kind IN (${kindsSql(PAYS_LINE)})
      GROUP BY p.value_date HAVING sum(p.signed_amount) <> 0) pd
    UNION ALL
    SELECT lt.line_id, sp.from_date, 0
    FROM late lt JOIN penalty_rate_spans sp ON sp.rate_contract = lt.rate_contract AND sp.dealer_id = lt.dealer_id
      AND sp.receivable_type = lt.receivable_type AND sp.from_date > lt.window_start
    UNION ALL
    SELECT lt.line_id, lt.window_start, 0 FROM late lt
  ),
  points AS (SELECT line_id, at, sum(delta) AS delta FROM events GROUP BY line_id, at),
  runs AS (
    SELECT pt.line_id, pt.at, lead(pt.at) OVER w AS next_at,
      lt.amount_due + sum(pt.delta) OVER (w ROWS UNBOUNDED PRECEDING) AS base
    FROM points pt JOIN late lt ON lt.line_id = pt.line_id
    WINDOW w AS (PARTITION BY pt.line_id ORDER BY pt.at)
  ),
  clipped AS (
    SELECT rn.line_id, rn.base, greatest(rn.at, lt.window_start) AS from_date,
      CASE WHEN rn.next_at IS NULL THEN lt.window_end ELSE least(rn.next_at - 1, lt.window_end) END AS to_date,
      lt.contract_id, lt.rate_contract, lt.dealer_id, lt.receivable_type, lt.grace_end
    FROM runs rn JOIN late lt ON lt.line_id = rn.line_id
    WHERE rn.base > 0
  )
  SELECT cl.line_id, cl.contract_id, cl.from_date, cl.to_date, cl.base, sp.daily_rate,
    CASE WHEN cl.to_date IS NOT NULL THEN cl.base * sp.daily_rate * (cl.to_date - cl.from_date + 1) END AS amount,
    cl.grace_end, count(*) OVER (PARTITION BY cl.line_id) AS runs
  FROM clipped cl JOIN penalty_rate_spans sp ON sp.rate_contract = cl.rate_contract AND sp.dealer_id = cl.dealer_id
    AND sp.receivable_type = cl.receivable_type AND sp.from_date <= cl.from_date
    AND (sp.next_from IS NULL OR sp.next_from > cl.from_date)
  WHERE sp.daily_rate IS NOT NULL AND (cl.to_date IS NULL OR cl.from_date <= cl.to_date)`;

/** The tables the segment statements read: their planner statistics must describe them (see refreshStatistics). */
const BATCH_TABLES = [
  'contracts',
  'schedule_lines',
  'postings',
  'documents',
  'penalty_rates',
  'penalty_grace',
  'penalty_segments',
  'penalty_dirty',
];

/**
 * Brings the planner's statistics of the batch's tables up to date. The segment statements are a few large joins;
 * with stale statistics (a freshly loaded or imported ledger, and always on PGlite, which has no autovacuum) the
 * planner misjudges them and picks nested loops that turn minutes long. Like autovacuum, only a table whose size
 * moved by a fifth since its last ANALYZE (or never analyzed) is analyzed again: an ordinary night changes none,
 * and ANALYZE of the large tables is a noticeable part of a one-day run. PGlite keeps no activity counters
 * (pg_stat_user_tables stays at zero), so the test is the page count ANALYZE recorded against the current one.
 */
export async function refreshStatistics(knex: Knex | Tx): Promise<void> {
  const stale = await knex.raw(
    `SELECT t.name FROM unnest(?::text[]) t(name) JOIN pg_class c ON c.oid = to_regclass(t.name)
     WHERE c.reltuples < 0 OR abs(pg_relation_size(c.oid) / current_setting('block_size')::int - c.relpages) > c.relpages / 5 + 8`,
    [BATCH_TABLES],
  );
  for (const { name } of stale.rows as { name: string }[]) await knex.raw(`ANALYZE ${name}`);
}

/**
 * The ledger the batch reads is cached in memory (PGlite is in memory; a server keeps it in its buffers), where a
 * random page costs about what a sequential one does. At the default (4) the planner preferred scanning the whole
 * of postings or segments to a thousand index probes for a night's few thousand lines.
 */
export const RANDOM_PAGE_COST = 1.1;

/** runs: how many runs the line has (migration 012); all runs of a line are written by the same statement. */
const INSERT_COLUMNS = 'INSERT INTO penalty_segments (line_id, contract_id, from_date, to_date, base, daily_rate, amount, grace_end, runs)';

/**
 * Room for the sorts and hash joins of the segment statements: at PostgreSQL's default (4MB) the sorts of a night
 * with tens of thousands of changed lines, and the hash joins of a full recomputation, spilled to disk.
 */
const RECOMPUTE_WORK_MEM = '64MB';

/** Up to this many target lines the planner's default guess for the target table is good enough. */
const SMALL_TARGET_SET = 100;

export type RecomputeScope =
  /** every live line (a full recomputation, --recompute-from) */
  | { kind: 'all' }
  /** what changed since the batch's previous business date: lines newly past grace, and the queue */
  | { kind: 'changed'; previous: BusinessDate }
  /** every line of these contracts (a receipt or correction recomputes its contract at once) */
  | { kind: 'contracts'; contractIds: number[] };

export interface RecomputeCounts {
  lines: number;
  segments: number;
  /** queue entries consumed; -1 in a full recomputation (the whole queue, uncounted) */
  queue: number;
}

/**
 * Brings the stored segments up to date as of a business date, in a handful of statements whatever the number
 * of lines: find the target lines, collect the late ones, delete their segments, insert the recomputed ones,
 * clear the queue. The intermediate sets are temporary tables analyzed before use: planned blind, the joins over
 * them were estimated at a row or two and run as nested loops over tens of thousands of lines (minutes).
 */
export async function recomputeSegments(tx: Tx, asOf: BusinessDate, scope: RecomputeScope): Promise<RecomputeCounts> {
  // The statements are few and large; PostgreSQL's JIT compiler spends more time than it saves on them.
  await tx.raw('SET LOCAL jit = off');
  await tx.raw(`SET LOCAL random_page_cost = ${RANDOM_PAGE_COST}`);
  await tx.raw(`SET LOCAL work_mem = '${RECOMPUTE_WORK_MEM}'`);
  // A full recomputation consumes the whole queue and empties it with TRUNCATE (a DELETE of the million rows an
  // import queues takes longer than the recomputation): the lock keeps writers from queueing rows it would lose.
  if (scope.kind === 'all') await tx.raw('LOCK TABLE penalty_dirty IN ACCESS EXCLUSIVE MODE');
  const maxQueued = Number((await tx.raw('SELECT coalesce(max(id), 0) AS id FROM penalty_dirty')).rows[0].id);
  // a few rows, but they decide how many lines each join yields: always analyzed
  await tempTable(tx, 'penalty_grace_keys', GRACE_KEYS, {}, true);
  await tempTable(tx, 'penalty_rate_spans', RATE_SPANS, {}, true);
  let lines: number;
  let late: LateCounts;
  let rebuildIndexes: (() => Promise<void>) | undefined;
  if (scope.kind === 'all') {
    // every row goes: TRUNCATE (transactional in PostgreSQL) frees the table and its indexes at once, where a
    // DELETE would leave every dead row and index entry behind for the INSERT to step over
    await tx.raw('TRUNCATE penalty_segments');
    // and load it bare: building the indexes once afterwards costs about half of maintaining them per row
    rebuildIndexes = await dropForBulkLoad(tx, ['penalty_segments'], { constraintIndexes: true, foreignKeys: false });
    // The statement reads most of the ledger: a bitmap or a plain scan reads each page once, where an index scan
    // over half a million due lines visited the table in due-date order, page after page again (0.24 s against 0.04 s).
    await tx.raw('SET LOCAL enable_indexscan = off');
    late = await writeLate(tx, lateSql('all'), asOf);
    await tx.raw('RESET enable_indexscan');
    // a full recomputation counts the late lines it finds (counting every due line as well cost a tenth of it)
    lines = late.late;
  } else {
    await tx.raw('DROP TABLE IF EXISTS penalty_targets');
    // no key: each statement that fills it yields distinct lines (UNION), and keeping a unique index up to date
    // cost more than the query that found them (62,000 lines: 0.1 s of 0.15 s). The lines come with what the late
    // lines need of them: most are found by reading their line anyway, and reading them again by key from the
    // late lines' statement walked half the line index (0.2 s of a night's 1.3 s of accrual).
    await tx.raw(`CREATE TEMP TABLE penalty_targets (line_id bigint NOT NULL, contract_id bigint NOT NULL,
      receivable_type text NOT NULL, due_date date NOT NULL, amount_due numeric(18,2) NOT NULL, retired_version integer,
      paid numeric(18,2) NOT NULL, paid_last date) ON COMMIT DROP`);
    if (scope.kind === 'contracts') {
      await tx.raw(`INSERT INTO penalty_targets SELECT id, ${TARGET_COLUMNS} FROM schedule_lines WHERE contract_id = ANY(?::bigint[])`, [
        scope.contractIds,
      ]);
    } else {
      await tx.raw(changedTargetsSql(), { asOf, previous: scope.previous, maxQueued });
    }
    lines = Number((await tx.raw('SELECT count(*) AS n FROM penalty_targets')).rows[0].n);
    if (lines > SMALL_TARGET_SET) await analyzeTemp(tx, 'penalty_targets');
    await tx.raw('DELETE FROM penalty_segments s USING penalty_targets t WHERE s.line_id = t.line_id');
    late = await writeLate(tx, lateSql('targets'), asOf);
  }
  const complex = late.complex > 0 ? ((await tx.raw(`${INSERT_COLUMNS} ${COMPLEX_SQL}`)).rowCount ?? 0) : 0;
  await rebuildIndexes?.();
  let queue = 0;
  if (scope.kind === 'all') {
    // the whole queue is consumed, uncounted (-1): counting the million rows an import queues cost a twentieth of
    // the recomputation, for a figure that says nothing about it
    queue = -1;
    await tx.raw('TRUNCATE penalty_dirty');
  } else if (scope.kind === 'changed') {
    queue = (await tx.raw('DELETE FROM penalty_dirty WHERE id <= ?', [maxQueued])).rowCount ?? 0;
  } else {
    // Segments written outside the night (a back-dated receipt, a waiver, a settlement) are written again by the
    // next night, which then reconciles them with the rest of its work: the queue names only lines whose paid
    // amount moved, and such a change rewrites every line of the contract (a penalty-only allocation, none).
    await tx.raw(`INSERT INTO penalty_dirty (reason, contract_id) SELECT 'contract', unnest(?::bigint[])`, [scope.contractIds]);
  }
  return { lines, segments: late.written + complex, queue };
}

/**
 * ANALYZE of a temporary table from a small sample: the plans need its size and rough proportions, and the
 * default sample (30,000 rows) cost as much as the statement that filled it.
 */
async function analyzeTemp(tx: Tx, name: string): Promise<void> {
  await tx.raw('SET LOCAL default_statistics_target = 10');
  await tx.raw(`ANALYZE ${name}`);
  await tx.raw('RESET default_statistics_target');
}

interface LateCounts {
  late: number;
  complex: number;
  /** segments written for the simple and changed lines */
  written: number;
}

/** Writes the late lines of `sql` (writeLateSql); penalty_late is analyzed when it holds more than a few lines. */
async function writeLate(tx: Tx, sql: string, asOf: BusinessDate): Promise<LateCounts> {
  await tx.raw('DROP TABLE IF EXISTS penalty_late');
  await tx.raw(`CREATE TEMP TABLE penalty_late ON COMMIT DROP AS ${sql} WITH NO DATA`, { asOf });
  const row = (await tx.raw(writeLateSql(sql), { asOf })).rows[0];
  const counts = { late: Number(row.late), complex: Number(row.complex), written: Number(row.written) };
  if (counts.complex > SMALL_TARGET_SET) await analyzeTemp(tx, 'penalty_late');
  return counts;
}

/** A temporary table (dropped at commit) holding a query's rows; a temporary table has no statistics until analyzed. */
async function tempTable(tx: Tx, name: string, sql: string, bindings: Record<string, string>, analyze: boolean): Promise<void> {
  await tx.raw(`DROP TABLE IF EXISTS ${name}`);
  await tx.raw(`CREATE TEMP TABLE ${name} ON COMMIT DROP AS ${sql}`, bindings);
  if (analyze) await analyzeTemp(tx, name);
}

/** What penalty_targets keeps of each line beside its id, in the order of its columns. */
const TARGET_COLUMNS = 'contract_id, receivable_type, due_date, amount_due, retired_version, paid, paid_last';
/** A target row from schedule_lines l. */
const TARGET_LINE = `l.id, ${TARGET_COLUMNS.replace(/(\w+)/g, 'l.$1')}`;

/**
 * Lines whose grace period ended since the previous business date (a range of due dates on their index, then
 * each line's own grace), and every line the queue names.
 */
function changedTargetsSql(): string {
  return `INSERT INTO penalty_targets
  WITH queued AS (SELECT * FROM penalty_dirty WHERE id <= :maxQueued),
  -- a contract's or a dealer's rate change reaches the segments through those contracts (their indexes), so it
  -- costs what it changes; only a rate for every dealer reads every segment
  rate_contracts AS (
    SELECT q.contract_id, q.receivable_type, q.since FROM queued q WHERE q.reason = 'rate' AND q.contract_id IS NOT NULL
    UNION ALL
    SELECT c.id, q.receivable_type, q.since FROM queued q JOIN contracts c ON c.dealer_id = q.dealer_id
    WHERE q.reason = 'rate' AND q.contract_id IS NULL
  ),
  -- rates for every dealer: the few rows a segment scan joins against
  rate_everywhere AS MATERIALIZED (
    SELECT q.since, q.receivable_type FROM queued q WHERE q.reason = 'rate' AND q.contract_id IS NULL AND q.dealer_id IS NULL
  )
  SELECT ${TARGET_LINE} FROM schedule_lines l
    JOIN contracts c ON c.id = l.contract_id
    JOIN penalty_grace_keys gk ON gk.dealer_id = c.dealer_id AND gk.receivable_type = l.receivable_type
    WHERE l.retired_version IS NULL
      AND l.due_date >= :previous::date - (SELECT max(grace_days) FROM penalty_grace_keys)
      AND l.due_date < :asOf::date - (SELECT min(grace_days) FROM penalty_grace_keys)
      AND l.due_date + gk.grace_days >= :previous::date AND l.due_date + gk.grace_days < :asOf::date
      -- a line paid in full by its due date can never be late, and it had no segments before its grace ended (most
      -- lines of a ledger: three in five of the benchmark's day); any later change to it comes through the queue
      AND (l.paid < l.amount_due OR l.paid_last > l.due_date)
  UNION
  SELECT ${TARGET_LINE} FROM schedule_lines l
    WHERE l.id IN (SELECT q.line_id FROM queued q WHERE q.line_id IS NOT NULL)
  UNION
  SELECT ${TARGET_LINE} FROM queued q JOIN schedule_lines l ON l.contract_id = q.contract_id
    WHERE q.reason = 'contract'
  UNION
  -- each segment's line by its key, only for the segments a rate reaches: a join to the lines was planned as a hash
  -- of all of them (a million rows) for a few thousand segments
  SELECT ${TARGET_LINE} FROM rate_contracts rc
    JOIN penalty_segments s ON s.contract_id = rc.contract_id AND coalesce(s.to_date, 'infinity'::date) >= rc.since
    CROSS JOIN LATERAL (SELECT * FROM schedule_lines l WHERE l.id = s.line_id OFFSET 0) l
    WHERE rc.receivable_type IS NULL OR l.receivable_type = rc.receivable_type
  UNION
  SELECT ${TARGET_LINE} FROM rate_everywhere q
    JOIN penalty_segments s ON coalesce(s.to_date, 'infinity'::date) >= q.since
    CROSS JOIN LATERAL (SELECT * FROM schedule_lines l WHERE l.id = s.line_id OFFSET 0) l
    WHERE (q.receivable_type IS NULL OR l.receivable_type = q.receivable_type)
      -- uncorrelated, so checked once: without such a rate the branch does not run at all
      AND EXISTS (SELECT 1 FROM rate_everywhere)
  UNION
  SELECT ${TARGET_LINE} FROM queued q
    JOIN contracts c ON q.dealer_id IS NULL OR q.dealer_id = c.dealer_id
    JOIN schedule_lines l ON l.contract_id = c.id AND (q.receivable_type IS NULL OR q.receivable_type = l.receivable_type)
    WHERE q.reason = 'grace' AND l.retired_version IS NULL AND l.due_date < :asOf::date`;
}

export interface StoredSegment {
  lineId: number;
  from: BusinessDate;
  to: BusinessDate | null;
  base: string;
  dailyRate: string;
  graceEnd: BusinessDate;
}

/** The stored segments of some lines, as stored (open runs have to = null). */
export async function storedSegments(knex: Knex, lineIds: readonly number[]): Promise<StoredSegment[]> {
  if (lineIds.length === 0) return [];
  return (await knex('penalty_segments')
    .whereRaw('line_id = ANY(?::bigint[])', [lineIds as number[]])
    .orderBy([{ column: 'line_id' }, { column: 'from_date' }])
    .select(
      'line_id as lineId',
      'from_date as from',
      'to_date as to',
      'base',
      'daily_rate as dailyRate',
      'grace_end as graceEnd',
    )) as StoredSegment[];
}

/**
 * Exact accrued penalty per line as of a date, from the stored segments (set-based; a report over every line
 * is one query). Lines without segments accrue nothing. Optionally limited to some contracts.
 */
export async function storedAccrued(
  knex: Knex,
  asOf: BusinessDate,
  contractIds?: readonly number[],
): Promise<Map<number, { exact: string; rounded: Money }>> {
  const q = knex('penalty_segments as s')
    .where('s.from_date', '<=', asOf)
    .where('s.grace_end', '<', asOf)
    .groupBy('s.line_id')
    .select(
      's.line_id as lineId',
      knex.raw(`sum(s.base * s.daily_rate * (least(coalesce(s.to_date, ?::date), ?::date) - s.from_date + 1))::text AS exact`, [
        asOf,
        asOf,
      ]),
    );
  if (contractIds) q.whereIn('s.contract_id', contractIds);
  const rows = (await q) as { lineId: number; exact: string }[];
  return new Map(rows.map((r) => [r.lineId, { exact: r.exact, rounded: roundMoney(dec(r.exact)) }]));
}
