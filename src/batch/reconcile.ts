// The reconciliation step: small named checks over the ledger's own invariants, each returning its discrepancies
// as values (none thrown). A discrepancy names the contract and, where it has one, the line.
import type { Knex } from 'knex';
import type { BusinessDate } from '../core/dates.js';
import { formatMoney } from '../core/money.js';
import type { Tx } from '../db/index.js';
import { creditSql, lineSumsSql } from '../ledger/balances.js';
import { kindsSql, PAYS_LINE, RECEIPT_MONEY } from '../ledger/kinds.js';
import { contractPenalties } from '../penalty/accrual.js';
import { CONTRACT_CHUNK, loadContractInputs } from '../penalty/inputs.js';
import { storedSegments } from '../penalty/store.js';

export interface Discrepancy {
  check: string;
  dealer: string;
  contractNo: string;
  seq: number | null;
  type: string | null;
  detail: string;
}

export interface ReconcileOptions {
  date: BusinessDate;
  /** The business date reconciled before this one in the same chain, or null (a first or full recomputation). */
  previous: BusinessDate | null;
  /** Compare the stored segments of every line with the pure computation, not a sample. */
  full: boolean;
  /**
   * What the date's accrual step rewrote, as it handed it on: 'targets' — the lines in its temporary table
   * penalty_targets (an ordinary night); 'all' — every line; null — no accrual ran before this check.
   */
  accrued: 'targets' | 'all' | null;
}

/** Contracts whose stored segments are compared with the pure computation on an ordinary night. */
export const SAMPLE_CONTRACTS = 50;
/** Discrepancies listed per check; the count is exact. */
export const MAX_LISTED = 1000;

/**
 * What the ledger checks look at: every contract, or (an ordinary night) only those that can have changed since
 * the previous reconciled date — a posting written since, or a posting value-dated in (previous, date] — and the
 * segments of the lines the accrual step rewrote. Postings are append-only and segments are only written by the
 * recomputation, so an invariant that held for the others still holds. `contracts` is a SQL condition on a contract
 * id column.
 */
interface Scope {
  contracts: (column: string) => string;
  /** FROM clause of the postings of the lines in scope, as `p`: every posting, or those of reconcile_lines */
  linePostings: string;
  /** FROM clause of the stored segments in scope, as `s`: every segment, or those the accrual step rewrote */
  segments: string;
  /** the whole ledger: lines with no postings are in scope too */
  whole: boolean;
}

type Check = (tx: Tx, options: ReconcileOptions, scope: Scope) => Promise<Discrepancy[]>;

const WHOLE_LEDGER: Scope = {
  contracts: () => 'true',
  linePostings: 'postings p',
  segments: 'penalty_segments s',
  whole: true,
};
const SCOPED: Scope = {
  contracts: (column) => `${column} IN (SELECT contract_id FROM reconcile_scope)`,
  // a line's balance moves only with its own postings: the lines posted to, or value-dated, since the last check
  linePostings: 'reconcile_lines rl JOIN postings p ON p.schedule_line_id = rl.line_id',
  // segments are written for the lines the night's accrual step recomputed (penalty_targets, in the same
  // transaction), and at once for a contract a back-dated receipt changes — which queues the whole contract for
  // the next night to write again. Scoped by contract instead, the check read three in four segments of the
  // benchmark's day.
  segments: 'penalty_targets t JOIN penalty_segments s ON s.line_id = t.line_id',
  whole: false,
};

const LINE_COLUMNS = `d.code AS dealer, c.contract_no AS "contractNo", l.seq, l.receivable_type AS type`;
const LINE_JOIN = `JOIN contracts c ON c.id = l.contract_id JOIN dealers d ON d.id = c.dealer_id`;

function discrepancy(r: Record<string, unknown>, check: string, detail: string): Discrepancy {
  return {
    check,
    dealer: r.dealer as string,
    contractNo: r.contractNo as string,
    seq: (r.seq as number | undefined) ?? null,
    type: (r.type as string | undefined) ?? null,
    detail,
  };
}

async function rows(tx: Tx, sql: string, bindings: readonly Knex.RawBinding[], check: string): Promise<Discrepancy[]> {
  const result = await tx.raw(`${sql} LIMIT ${MAX_LISTED}`, [...bindings]);
  return result.rows.map((r: Record<string, unknown>) => discrepancy(r, check, r.detail as string));
}

/**
 * Per line in scope (every line, or on an ordinary night those with a posting written or value-dated since the
 * previous check: postings are append-only, so no other line's balance moved), postings dated up to the date:
 * paid (allocations, opening paid, credit applied) and settled (paid and written off). No line is paid above its
 * amount due (line_overpaid), and none is settled above it (negative_outstanding). And the paid amount and latest
 * payment date each line carries (schedule_lines.paid and paid_last, on which the full recomputation of the
 * segments relies) equal its postings', whatever their value date (line_paid_cached). One pass over the postings
 * serves the three checks; it aggregates first and joins names only for the discrepancies (joining every posting
 * to its line, contract and dealer before grouping cost more than the checks themselves).
 */
async function lineBalances(tx: Tx, { date }: ReconcileOptions, scope: Scope): Promise<Discrepancy[]> {
  const cached = (total: string, last: string) =>
    `'cached paid ' || l.paid || ' (last ' || coalesce(l.paid_last::text, 'none') || ') but the postings add up to '
       || ${total} || ' (last ' || coalesce(${last}::text, 'none') || ')'`;
  // the ledger's one line-balances query: paid and written off as of the date, and what pays the line at any date
  const sums = lineSumsSql(date, { postings: scope.linePostings, only: ['paid', 'written_off'], ever: true });
  const result = await tx.raw(
    `SELECT ${LINE_COLUMNS},
       CASE WHEN x.paid > l.amount_due THEN 'paid ' || x.paid || ' above the amount due ' || l.amount_due END AS overpaid,
       CASE WHEN l.amount_due - x.paid - x.written_off < 0
            THEN 'outstanding ' || (l.amount_due - x.paid - x.written_off) || ' is negative' END AS negative,
       CASE WHEN l.paid <> x.paid_ever OR l.paid_last IS DISTINCT FROM x.paid_last THEN ${cached('x.paid_ever', 'x.paid_last')} END AS cached
     FROM (${sums.sql}) x
     JOIN schedule_lines l ON l.id = x.line_id ${LINE_JOIN}
     WHERE x.paid > l.amount_due OR l.amount_due - x.paid - x.written_off < 0 OR l.paid <> x.paid_ever
        OR l.paid_last IS DISTINCT FROM x.paid_last
     LIMIT ${3 * MAX_LISTED}`,
    sums.bindings,
  );
  // the whole ledger: a line no posting has paid carries nothing either
  const unpaid = scope.whole
    ? await tx.raw(
        `SELECT ${LINE_COLUMNS}, ${cached("'0.00'", 'NULL')} AS cached FROM schedule_lines l ${LINE_JOIN}
         WHERE (l.paid <> 0 OR l.paid_last IS NOT NULL) AND NOT EXISTS (SELECT 1 FROM postings p
           WHERE p.schedule_line_id = l.id AND p.kind IN (${kindsSql(PAYS_LINE)}))
         LIMIT ${MAX_LISTED}`,
      )
    : { rows: [] };
  const listed = (found: Record<string, unknown>[], column: 'overpaid' | 'negative' | 'cached', check: string) =>
    found
      .filter((r) => r[column] !== null)
      .slice(0, MAX_LISTED)
      .map((r) => discrepancy(r, check, r[column] as string));
  return [
    ...listed([...result.rows, ...unpaid.rows], 'cached', 'line_paid_cached'),
    ...listed(result.rows, 'overpaid', 'line_overpaid'),
    ...listed(result.rows, 'negative', 'negative_outstanding'),
  ];
}

/** A contract's credit (advance receipts less credit applied and refunds) is never negative. */
const negativeCredit: Check = (tx, { date }, scope) => {
  const credit = creditSql(date, { sql: scope.contracts('p.contract_id'), bindings: [] });
  return rows(
    tx,
    `SELECT d.code AS dealer, c.contract_no AS "contractNo", 'credit ' || x.credit || ' is negative' AS detail
     FROM (${credit.sql}) x
     JOIN contracts c ON c.id = x.contract_id JOIN dealers d ON d.id = c.dealer_id
     WHERE x.credit < 0`,
    credit.bindings,
    'negative_outstanding',
  );
};

/**
 * Every confirmed receipt is fully allocated or held as credit; a reversed one has nothing left. Each receipt's
 * postings are summed through their index: planned as a join, with statistics taken while the ledger had no
 * receipt postings yet (an import, a first night), PGlite ran it as a nested loop over all postings (20 s for
 * 20,000 receipts).
 */
const receiptAllocated: Check = (tx, _options, scope) =>
  rows(
    tx,
    `SELECT d.code AS dealer, c.contract_no AS "contractNo",
       'receipt ' || r.number || ' (' || r.status || ', ' || r.amount || '): ' || x.allocated || ' allocated or held as credit' AS detail
     FROM documents r JOIN contracts c ON c.id = r.contract_id JOIN dealers d ON d.id = c.dealer_id
     CROSS JOIN LATERAL (SELECT coalesce(sum(p.signed_amount), 0) AS allocated FROM postings p
       WHERE p.document_id = r.id AND p.kind IN (${kindsSql(RECEIPT_MONEY)})) x
     WHERE r.type = 'receipt' AND r.status IN ('confirmed', 'reversed') AND ${scope.contracts('r.contract_id')}
       AND x.allocated <> CASE WHEN r.status = 'confirmed' THEN r.amount ELSE 0 END`,
    [],
    'receipt_allocated',
  );

/**
 * Stored segments are consistent: closed amounts are base × rate × days, runs of a line do not overlap, and each
 * row's count of its line's runs (penalty_segments.runs, which the nightly totals rely on) is right: the same on
 * every row of the line, and equal to the last row's position (one window, one sort).
 */
const segmentIntegrity: Check = (tx, _options, scope) =>
  rows(
    tx,
    `SELECT ${LINE_COLUMNS}, 'segment from ' || s.from_date || ': ' ||
       CASE WHEN s.to_date IS NOT NULL AND s.amount IS DISTINCT FROM s.base * s.daily_rate * (s.to_date - s.from_date + 1)
            THEN 'amount ' || coalesce(s.amount::text, 'missing') || ' is not base × rate × days'
            WHEN s.previous_to >= s.from_date THEN 'overlaps the previous one'
            WHEN s.runs <> s.previous_runs THEN 'runs ' || s.runs || ' but the previous segment says ' || s.previous_runs
            ELSE 'runs ' || s.runs || ' but the line has ' || s.position END AS detail
     FROM (SELECT s.*, lag(coalesce(s.to_date, 'infinity'::date)) OVER w AS previous_to, lag(s.runs) OVER w AS previous_runs,
             row_number() OVER w AS position, lead(s.from_date) OVER w IS NULL AS last
           FROM ${scope.segments}
           WINDOW w AS (PARTITION BY s.line_id ORDER BY s.from_date)) s
     JOIN schedule_lines l ON l.id = s.line_id ${LINE_JOIN}
     WHERE (s.to_date IS NOT NULL AND s.amount IS DISTINCT FROM s.base * s.daily_rate * (s.to_date - s.from_date + 1))
        OR s.previous_to >= s.from_date OR s.runs <> s.previous_runs OR (s.last AND s.runs <> s.position)`,
    [],
    'segment_integrity',
  );

/** Stored segments equal the pure computation (compute.ts), for a sample of contracts or all of them. */
const segmentsMatchPure: Check = async (tx, { date, full }) => {
  const chosen = full
    ? await tx('contracts').orderBy('id').pluck('id')
    : await tx
        .raw(
          // SAMPLE_CONTRACTS probes of the contract index at points spread by a hash of the date: cheap at any size
          `SELECT DISTINCT pick.id FROM (SELECT min(contract_id) AS lo, max(contract_id) AS hi FROM penalty_segments) r
           CROSS JOIN generate_series(1, ${SAMPLE_CONTRACTS}) g
           CROSS JOIN LATERAL (SELECT s.contract_id AS id FROM penalty_segments s
             WHERE s.contract_id >= r.lo + abs(hashtext(? || g::text)::bigint) % (r.hi - r.lo + 1)
             ORDER BY s.contract_id LIMIT 1) pick`,
          [date],
        )
        .then((r) => r.rows.map((x: { id: number }) => x.id));
  const found: Discrepancy[] = [];
  // a chunk of contracts at a time: --full on a ledger of a million lines is far more than one query may name, or
  // than memory should hold at once
  for (let i = 0; i < chosen.length; i += CONTRACT_CHUNK) {
    const inputs = await loadContractInputs(tx, chosen.slice(i, i + CONTRACT_CHUNK));
    const lineIds = [...inputs.values()].flatMap((c) => c.lines.map((l) => l.lineId));
    const stored = new Map<number, string[]>();
    for (const s of await storedSegments(tx, lineIds)) {
      if (s.from > date || s.graceEnd >= date) continue;
      const to = s.to === null || s.to > date ? date : s.to;
      const list = stored.get(s.lineId) ?? [];
      list.push(`${s.from}…${to} ${s.base}×${trimRate(s.dailyRate)}`);
      stored.set(s.lineId, list);
    }
    for (const contract of inputs.values()) {
      for (const { line, penalty } of contractPenalties(contract, date)) {
        const pure = penalty.segments.map((s) => `${s.from}…${s.to} ${formatMoney(s.base)}×${trimRate(s.rate.toFixed())}`);
        const have = stored.get(line.lineId) ?? [];
        if (pure.join(', ') === have.join(', ')) continue;
        found.push({
          check: 'segments_match_pure',
          dealer: contract.dealer,
          contractNo: contract.contractNo,
          seq: line.seq,
          type: line.type,
          detail: `stored [${have.join(', ')}] ≠ computed [${pure.join(', ')}]`,
        });
        if (found.length >= MAX_LISTED) return found;
      }
    }
  }
  return found;
};

function trimRate(rate: string): string {
  return rate.includes('.') ? rate.replace(/0+$/, '').replace(/\.$/, '') : rate;
}

/** The checks, in the order they run and print. */
export const CHECKS: readonly { names: readonly string[]; run: Check }[] = [
  // one pass over the lines' postings (lineBalances) makes three checks; the contracts' credit is negative_outstanding too
  { names: ['line_paid_cached', 'line_overpaid', 'negative_outstanding'], run: lineBalances },
  { names: [], run: negativeCredit },
  { names: ['receipt_allocated'], run: receiptAllocated },
  { names: ['segment_integrity'], run: segmentIntegrity },
  { names: ['segments_match_pure'], run: segmentsMatchPure },
];

export interface ReconcileResult {
  checked: string[];
  discrepancies: Discrepancy[];
  /** The last posting id this reconciliation covered; the next date's scope starts after it. */
  postingsThrough: number;
  /** Contracts the ledger checks looked at, or null for the whole ledger. */
  contractsScoped: number | null;
}

export async function reconcile(tx: Tx, options: ReconcileOptions): Promise<ReconcileResult> {
  const postingsThrough = Number((await tx.raw('SELECT coalesce(max(id), 0) AS id FROM postings')).rows[0].id);
  const contractsScoped = await buildScope(tx, options, postingsThrough);
  const scope = contractsScoped === null ? WHOLE_LEDGER : SCOPED;
  const discrepancies: Discrepancy[] = [];
  for (const check of CHECKS) discrepancies.push(...(await check.run(tx, options, scope)));
  return { checked: CHECKS.flatMap((c) => c.names), discrepancies, postingsThrough, contractsScoped };
}

/** Fills reconcile_scope for an ordinary night; null means the whole ledger (--full, a first run, no mark). */
async function buildScope(tx: Tx, options: ReconcileOptions, postingsThrough: number): Promise<number | null> {
  if (options.full || options.previous === null) return null;
  const previous = await tx.raw(
    `SELECT (counts->>'postingsThrough')::bigint AS mark FROM batch_runs WHERE step = 'reconcile' AND status = 'done' AND business_date = ?`,
    [options.previous],
  );
  const mark = previous.rows[0]?.mark;
  if (mark === null || mark === undefined) return null;
  // the segments in scope are those the night's accrual step rewrote: without that step, all of them
  if (options.accrued !== 'targets') return null;
  await tx.raw('DROP TABLE IF EXISTS reconcile_scope');
  // no keys on these two: the UNIONs that fill them yield distinct rows, and a unique index cost more than the scan
  await tx.raw('CREATE TEMP TABLE reconcile_scope (contract_id bigint NOT NULL) ON COMMIT DROP');
  await tx.raw(
    `INSERT INTO reconcile_scope (contract_id)
     SELECT contract_id FROM postings WHERE id > ? AND id <= ?
     UNION SELECT contract_id FROM postings WHERE value_date > ?::date AND value_date <= ?::date`,
    [mark, postingsThrough, options.previous, options.date],
  );
  await tx.raw('ANALYZE reconcile_scope');
  await tx.raw('DROP TABLE IF EXISTS reconcile_lines');
  await tx.raw('CREATE TEMP TABLE reconcile_lines (line_id bigint NOT NULL) ON COMMIT DROP');
  await tx.raw(
    `INSERT INTO reconcile_lines (line_id)
     SELECT schedule_line_id FROM postings WHERE id > ? AND id <= ? AND schedule_line_id IS NOT NULL
     UNION SELECT schedule_line_id FROM postings WHERE value_date > ?::date AND value_date <= ?::date AND schedule_line_id IS NOT NULL`,
    [mark, postingsThrough, options.previous, options.date],
  );
  await tx.raw('ANALYZE reconcile_lines');
  return Number((await tx.raw('SELECT count(*) AS n FROM reconcile_scope')).rows[0].n);
}
