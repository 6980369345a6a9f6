// The receivables breakdown (债权分解表): the report lines (sources.ts) of a scope as of a date, summed in SQL to
// the rows asked for (--by) with a subtotal per dealer, per region (dealers without one under "—") and a group
// total. Two GROUP BYs over the lines, money summed as numeric and leaving the database as text:
//   1. the line figures per contract id (and per line or per type when those are the rows); the contract's
//      columns (dealer, customer, collector, status) and its credit join the sums here, once per contract;
//   2. GROUPING SETS over those rows: detail (per --by) → dealer → region → total, so every level's figures
//      are sums of the same rows as the level below.
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import type { BusinessDate } from '../core/dates.js';
import { BadInput, Refused } from '../core/errors.js';
import { type AgingBucket, agingBuckets } from './aging.js';
import { REPORT_CONTRACT_COLUMNS, REPORT_LINE_MONEY, type ReportFilter } from './lines.js';
import { checkScope, type ReportScope } from './scope.js';
import { reportedContractFigures } from './snapshot.js';
import { checkSource, contractsOf, creditsOf, lineFiguresOf } from './sources.js';

export const BREAKDOWN_BY = ['line', 'contract', 'customer', 'collector', 'dealer', 'region', 'type'] as const;
export type BreakdownBy = (typeof BREAKDOWN_BY)[number];

export type BreakdownLevel = 'detail' | 'dealer' | 'region' | 'total';

/** The money columns summed at every level, in the order of the report. */
export const BREAKDOWN_MONEY = REPORT_LINE_MONEY;
export type BreakdownMoney = (typeof BREAKDOWN_MONEY)[number];

export interface BreakdownInput {
  asOf: BusinessDate;
  restated: boolean;
  dealer?: string | undefined;
  region?: string | undefined;
  collector?: string | undefined;
  by: BreakdownBy;
  /** The aging buckets' upper bounds (aging.ts parseAging). */
  aging: readonly number[];
}

/** One row of the report; money as exact decimal strings, null where the row's level has no such value. */
export type BreakdownRow = {
  level: BreakdownLevel;
  region: string | null;
  regionName: string | null;
  dealer: string | null;
  dealerName: string | null;
  contractNo: string | null;
  customer: string | null;
  collector: string | null;
  type: string | null;
  seq: number | null;
  dueDate: BusinessDate | null;
  status: string | null;
  /** lines and contracts summed in the row */
  lines: number;
  contracts: number;
  overdueDays: number;
  /** overdue amount per bucket name ("1-30" … ">360") */
  aging: Record<string, string>;
  /** a contract's advance-receipt credit; null on a line or type row (credit belongs to the contract) */
  credit: string | null;
} & Record<BreakdownMoney, string>;

/** What the report covers: the dealer or region filter, else the group (within the actor's scope). */
export type BreakdownScope = ReportScope;

export interface Breakdown {
  asOf: BusinessDate;
  restated: boolean;
  by: BreakdownBy;
  scope: BreakdownScope;
  collector: string | null;
  aging: string[];
  rows: BreakdownRow[];
  totals: BreakdownRow;
}

/** Per --by: the columns of a detail row, the one whose GROUPING marks the detail level, and their order. */
const DETAIL: Record<BreakdownBy, { keys: readonly string[]; marker: string | null; order: readonly string[] }> = {
  line: {
    keys: ['contractId', 'contractNo', 'customerId', 'customer', 'collector', 'status', 'lineId', 'seq', 'type', 'dueDate'],
    marker: 'lineId',
    order: ['contractNo', 'contractId', 'seq', 'dueDate', 'lineId'],
  },
  contract: {
    keys: ['contractId', 'contractNo', 'customerId', 'customer', 'collector', 'status'],
    marker: 'contractId',
    order: ['contractNo', 'contractId'],
  },
  customer: { keys: ['customerId', 'customer'], marker: 'customerId', order: ['customer', 'customerId'] },
  collector: { keys: ['collector'], marker: 'collector', order: ['collector'] },
  type: { keys: ['type'], marker: 'type', order: ['type'] },
  dealer: { keys: [], marker: null, order: [] },
  region: { keys: [], marker: null, order: [] },
};

/** Below a contract: the line's (or type's) columns, for the rows that are lines or types. */
const BELOW_CONTRACT: Partial<Record<BreakdownBy, readonly string[]>> = {
  line: ['lineId', 'seq', 'type', 'dueDate'],
  type: ['type'],
};

const q = (column: string) => `"${column}"`;
const cols = (alias: string, columns: readonly string[]) => columns.map((c) => `${alias}.${q(c)}`).join(', ');

type Sql = { sql: string; bindings: readonly Knex.RawBinding[] };

/** The SQL of the breakdown and its bindings: the two GROUP BYs over the source's line figures, contracts and credits. */
export function breakdownSql(
  figures: Sql | { perContract: Sql },
  contracts: Sql,
  credits: Sql,
  by: BreakdownBy,
  buckets: readonly AgingBucket[],
): { sql: string; bindings: Knex.RawBinding[] } {
  const below = BELOW_CONTRACT[by];
  const money = BREAKDOWN_MONEY.map((m) => `${DERIVED_SUMS[m] ?? `sum(l.${q(m)})`} AS ${q(m)}`);
  // bounds are whole numbers parse checked; written into the SQL so the statement's shape is its bucket list
  const aging = buckets.map((b, i) => {
    const within = b.to === null ? `l."overdueDays" >= ${b.from}` : `l."overdueDays" BETWEEN ${b.from} AND ${b.to}`;
    return `sum(CASE WHEN ${within} THEN l.overdue ELSE 0 END) AS a${i}`;
  });
  // grouped by the contract's id alone (a number): the contract's columns join the sums below
  const groupBy = below ? `GROUPING SETS ((l."contractId", ${cols('l', below)}), (l."contractId"))` : 'l."contractId"';
  // figures already summed per contract (as reported: snapshot.ts reportedContractFigures) are stage 1 themselves
  const perContract = 'perContract' in figures;
  if (perContract && below) throw new Error(`invariant broken: a breakdown by ${by} needs the lines, not their sums`);
  // OFFSET 0: each line's figures computed once (inlined, a line's outstanding was computed again in every column
  // and aging filter that reads it: the restated sums took 3.3 s instead of 1.5 s over a million lines)
  const stage1 = perContract
    ? `SELECT pc.*, 1 AS g FROM (${figures.perContract.sql}) AS pc`
    : `SELECT l."contractId"${below ? `, ${cols('l', below)}` : ''},
           ${below ? `GROUPING(l.${q(below[0] as string)})` : '1'} AS g,
           count(*) AS lines, max(l."overdueDays") AS "overdueDays", ${[...money, ...aging].join(', ')}
      FROM (${figures.sql} OFFSET 0) AS l
     GROUP BY ${groupBy}`;
  const stage1Bindings = perContract ? figures.perContract.bindings : figures.bindings;
  const contractColumns = cols(
    'h',
    REPORT_CONTRACT_COLUMNS.filter((c) => c !== 'contractId'),
  );

  const { keys, marker, order } = DETAIL[by];
  const regionKeys = 's.region, s."regionName"';
  const dealerKeys = `${regionKeys}, s.dealer, s."dealerName"`;
  const sets = [
    ...(marker ? [`(${dealerKeys}, ${cols('s', keys)})`] : []),
    ...(by === 'region' ? [] : [`(${dealerKeys})`]),
    `(${regionKeys})`,
    '()',
  ];
  const isDetail = marker ? `GROUPING(s.${q(marker)}) = 0` : 'false';
  // rows that are lines or types sum the stage-1 rows below a contract (g = 0), every other row the contracts'
  const measure = (agg: 'sum' | 'max', column: string) =>
    below
      ? `CASE WHEN ${isDetail} THEN ${agg}(s.${column}) FILTER (WHERE s.g = 0) ELSE ${agg}(s.${column}) FILTER (WHERE s.g = 1) END`
      : `${agg}(s.${column})`;
  const amount = (expression: string) => `coalesce(${expression}, 0)::numeric(18,2)::text`;
  const detailValue = (column: string, when: readonly BreakdownBy[]) =>
    when.includes(by) ? `CASE WHEN ${isDetail} THEN min(s.${q(column)}) END` : 'NULL';
  const select = [
    `CASE WHEN GROUPING(s.region) = 1 THEN 'total' WHEN ${by === 'region' ? 'true' : 'GROUPING(s.dealer) = 1'} THEN 'region' WHEN ${marker ? `GROUPING(s.${q(marker)}) = 1` : 'true'} THEN 'dealer' ELSE 'detail' END AS level`,
    's.region',
    's."regionName"',
    `${by === 'region' ? 'NULL' : 's.dealer'} AS dealer`,
    `${by === 'region' ? 'NULL' : 's."dealerName"'} AS "dealerName"`,
    `${detailValue('contractNo', ['line', 'contract'])} AS "contractNo"`,
    `${detailValue('customer', ['line', 'contract', 'customer'])} AS customer`,
    `${detailValue('collector', ['line', 'contract', 'collector'])} AS collector`,
    `${detailValue('type', ['line', 'type'])} AS type`,
    `${detailValue('seq', ['line'])} AS seq`,
    `${detailValue('dueDate', ['line'])}::text AS "dueDate"`,
    `${detailValue('status', ['line', 'contract'])} AS status`,
    `coalesce(${measure('sum', 'lines')}, 0)::integer AS lines`,
    `${below ? `CASE WHEN ${isDetail} THEN count(*) FILTER (WHERE s.g = 0) ELSE count(*) FILTER (WHERE s.g = 1) END` : 'count(s.g)'}::integer AS contracts`,
    `coalesce(${measure('max', '"overdueDays"')}, 0)::integer AS "overdueDays"`,
    ...BREAKDOWN_MONEY.map((m) => `${amount(measure('sum', q(m)))} AS ${q(m)}`),
    ...buckets.map((_, i) => `${amount(measure('sum', `a${i}`))} AS a${i}`),
    `CASE WHEN ${below ? isDetail : 'false'} THEN NULL ELSE ${amount('sum(s.credit)')} END AS credit`,
  ];
  // a stage-1 contract row carries no line or type: it forms no detail row of its own
  const having = below && marker ? `HAVING NOT (GROUPING(s.${q(marker)}) = 0 AND s.${q(marker)} IS NULL)` : '';
  const orderBy = [
    'GROUPING(s.region)',
    's.region IS NULL',
    's.region',
    ...(by === 'region' ? [] : ['GROUPING(s.dealer)', 's.dealer']),
    ...(marker ? [`GROUPING(s.${q(marker)})`, ...order.map((c) => `min(s.${q(c)}) NULLS LAST`)] : []),
  ];
  const withS = `WITH s AS (
      SELECT s1.*, ${contractColumns}, CASE WHEN s1.g = 1 THEN coalesce(cr.credit, 0) END AS credit
        FROM (${stage1}) AS s1
        JOIN (${contracts.sql}) AS h ON h."contractId" = s1."contractId"
        LEFT JOIN (${credits.sql}) AS cr ON cr.contract_id = s1."contractId" AND s1.g = 1
    )`;
  const bindings = [...stage1Bindings, ...contracts.bindings, ...credits.bindings];
  if (by === 'contract' || by === 'line') return { sql: `${withS}\n${detailRowsSql(by, buckets)}`, bindings };
  const sql = `${withS}
    SELECT ${select.join(',\n           ')}
      FROM s
     GROUP BY GROUPING SETS (${sets.join(', ')})
     ${having}
     ORDER BY ${orderBy.join(', ')}`;
  return { sql, bindings };
}

/**
 * By contract or by line, each detail row is a stage-1 row as it is (a contract's, or a line's: g = 0), and only
 * the dealer, region and total rows are sums, of the contracts' rows (g = 1). (GROUPING SETS over every row keyed
 * by ten columns sorted a million lines on disk, twice, for groups of one row.) The same columns and order as the
 * general statement: rows by contract number (then a line's seq, due date, id) within their dealer, the dealer's
 * subtotal after them, the region's after its dealers, the total last. The order is one integer first in the row,
 * k = ((dk × 4 + kind) × 2^32 + cpos): the dealer's place (dk), the row's kind (0 detail, 1 dealer, 2 region, 3
 * total) and the contract's place by number (cpos), numbered over the dealers and the contracts alone; a line's
 * seq, due date and id after it. Sorted by their text keys (or by several integers, mostly equal), the wide rows
 * took half a second for 50,000 rows and a quarter of a minute for a million: each tie read the next key out of
 * the row again.
 */
function detailRowsSql(by: 'contract' | 'line', buckets: readonly AgingBucket[]): string {
  const amount = (expression: string) => `coalesce(${expression}, 0)::numeric(18,2)::text`;
  const money = [...BREAKDOWN_MONEY.map(q), ...buckets.map((_, i) => `a${i}`)];
  const line = by === 'line';
  const detail = [
    'o.dk * 4 * 4294967296 + o.cpos AS k',
    `${line ? 's.seq' : 'NULL::integer'} AS k4`,
    `${line ? 's."dueDate"' : 'NULL::date'} AS k5`,
    `${line ? 's."lineId"' : 'NULL::bigint'} AS k6`,
    `'detail' AS level`,
    's.region',
    's."regionName"',
    's.dealer',
    's."dealerName"',
    's."contractNo"',
    's.customer',
    's.collector',
    `${line ? 's.type' : 'NULL::text'} AS type`,
    `${line ? 's.seq' : 'NULL::integer'} AS seq`,
    `${line ? 's."dueDate"::text' : 'NULL::text'} AS "dueDate"`,
    's.status',
    'coalesce(s.lines, 0)::integer AS lines',
    '1 AS contracts',
    'coalesce(s."overdueDays", 0)::integer AS "overdueDays"',
    ...money.map((m) => `${amount(`s.${m}`)} AS ${m}`),
    `${line ? 'NULL' : amount('s.credit')} AS credit`,
  ];
  const subtotal = [
    '(max(o.dk) * 4 + CASE WHEN GROUPING(s.region) = 1 THEN 3 WHEN GROUPING(s.dealer) = 1 THEN 2 ELSE 1 END) * 4294967296',
    'NULL',
    'NULL',
    'NULL',
    `CASE WHEN GROUPING(s.region) = 1 THEN 'total' WHEN GROUPING(s.dealer) = 1 THEN 'region' ELSE 'dealer' END`,
    's.region',
    's."regionName"',
    's.dealer',
    's."dealerName"',
    'NULL',
    'NULL',
    'NULL',
    'NULL',
    'NULL',
    'NULL',
    'NULL',
    'coalesce(sum(s.lines), 0)::integer',
    'count(*)::integer',
    'coalesce(max(s."overdueDays"), 0)::integer',
    ...money.map((m) => amount(`sum(s.${m})`)),
    amount('sum(s.credit)'),
  ];
  return `, dr AS (
      SELECT x.dealer, row_number() OVER (ORDER BY x.region IS NULL, x.region, x.dealer) AS dk
        FROM (SELECT DISTINCT region, dealer FROM s WHERE g = 1) AS x
    ), o AS (
      SELECT x."contractId", dr.dk, row_number() OVER (ORDER BY x."contractNo", x."contractId") AS cpos
        FROM (SELECT "contractId", dealer, "contractNo" FROM s WHERE g = 1) AS x JOIN dr ON dr.dealer = x.dealer
    ), r AS (
      SELECT ${detail.join(', ')} FROM s JOIN o ON o."contractId" = s."contractId"${line ? ' WHERE s.g = 0' : ''}
      UNION ALL
      SELECT ${subtotal.join(', ')} FROM s JOIN o ON o."contractId" = s."contractId" WHERE s.g = 1
       GROUP BY GROUPING SETS ((s.region, s."regionName", s.dealer, s."dealerName"), (s.region, s."regionName"), ())
    )
    SELECT level, region, "regionName", dealer, "dealerName", "contractNo", customer, collector, type, seq, "dueDate",
           status, lines, contracts, "overdueDays", ${money.join(', ')}, credit
      FROM r
     ORDER BY k, k4, k5, k6`;
}

/** The last date the nightly batch completed: the latest date whose penalty is known. */
export function checkAsOf(asOf: BusinessDate | undefined, lastCompleted: BusinessDate | null): BusinessDate {
  if (lastCompleted === null)
    throw new Refused('no nightly batch has completed yet: the breakdown needs the penalty it computes').suggest({
      action: 'batch.run',
      input: asOf === undefined ? {} : { date: asOf },
    });
  if (asOf === undefined) return lastCompleted;
  if (asOf > lastCompleted)
    throw new BadInput(
      'asOf',
      asOf,
      `a date up to ${lastCompleted}, the last date the nightly batch completed (penalty is known through it)`,
    );
  return asOf;
}

/**
 * The statement's planner settings, for the rest of its (read-only) transaction. The lines in effect are
 * estimated at a row or two whatever their number (linesInEffect's conditions on the retiring version), so the
 * planner joins a million lines by nested loops of index lookups: hash and merge joins, in memory, ran the same
 * statement two to three times faster on 1,000,000 lines (bench:report). Groups are sorted, not hashed: a hashed
 * group's numeric sums each hold memory of their own, and summing a million lines into 50,000 contracts took a
 * second longer hashed than sorted (restated by contract: 4.1 s against 3.3 s).
 */
const PLANNER_SETTINGS = ['enable_nestloop = off', 'enable_hashagg = off', "work_mem = '128MB'", 'jit = off'] as const;

/**
 * Sums that are differences of other sums, line by line (REPORT_LINE_FIGURES): written so, the stage-1 aggregate
 * adds up 13 columns of a million lines instead of 16 (PostgreSQL computes identical aggregates once), about a
 * seventh less time for the restated breakdown. Exact: every figure is a numeric(18,2) sum.
 */
const DERIVED_SUMS: Partial<Record<BreakdownMoney, string>> = {
  outstanding: 'sum(l."amountDue") - sum(l."amountPaid") - sum(l."writtenOff")',
  // a line's outstanding is overdue (due before the night) or not yet due
  notDue: 'sum(l."amountDue") - sum(l."amountPaid") - sum(l."writtenOff") - sum(l.overdue)',
  penaltyOutstanding: 'sum(l."penaltyAccrued") - sum(l."penaltyPaid") - sum(l."penaltyWaived")',
};

/** A row of the statement: the report's row as JSON text. */
type SqlRow = { row: string };

/** The keys of a report row as the statement gives them, in order: every column but the buckets, then `aging`. */
const ROW_KEYS = [
  'level',
  'region',
  'regionName',
  'dealer',
  'dealerName',
  'contractNo',
  'customer',
  'collector',
  'type',
  'seq',
  'dueDate',
  'status',
  'lines',
  'contracts',
  'overdueDays',
  ...BREAKDOWN_MONEY,
  'credit',
] as const satisfies readonly (keyof BreakdownRow)[];

/** The report's header (everything but its rows) and its statement, checked and ready to run. */
async function prepareBreakdown(
  knex: Knex,
  actor: Actor,
  input: BreakdownInput,
): Promise<{ head: Omit<Breakdown, 'rows' | 'totals'>; sql: string; bindings: Knex.RawBinding[]; toRow: (r: SqlRow) => BreakdownRow }> {
  if (input.dealer !== undefined && input.region !== undefined)
    throw new BadInput('region', input.region, `either a dealer or a region, not both (dealer ${input.dealer} given)`);
  const scope = await checkScope(knex, actor, input);
  const filter: ReportFilter = { asOf: input.asOf, dealer: input.dealer, region: input.region, collector: input.collector };
  const buckets = agingBuckets(input.aging);
  await checkSource(knex, actor, filter, input.restated);
  // as reported, rows of a contract or above read the contracts' sums and their moving lines, not every line
  const figures =
    !input.restated && BELOW_CONTRACT[input.by] === undefined
      ? { perContract: reportedContractFigures(knex, actor, filter, buckets).toSQL() }
      : lineFiguresOf(knex, actor, filter, input.restated).toSQL();
  const contracts = contractsOf(knex, actor, filter, input.restated).toSQL();
  const credits = creditsOf(knex, actor, filter, input.restated).toSQL();
  const statement = breakdownSql(figures, contracts, credits, input.by, buckets);
  for (const setting of PLANNER_SETTINGS) await knex.raw(`SET LOCAL ${setting}`);
  // Each row leaves the database as one JSON text, the bucket columns a0, a1, … as its `aging`: PGlite hands every
  // column to JavaScript apart, and the 33 columns of 50,000 rows took 1.2 s longer than a text each (as reported
  // by contract, 3.0 s against 1.7 s); on PostgreSQL the two take the same time. The statement's ORDER BY is kept
  // by the plain projection over it.
  const column = (key: string) => `'${key}', t.${q(key)}`;
  const aging = buckets.map((b, i) => `'${b.name}', t.a${i}`).join(', ');
  const sql = `SELECT json_build_object(${[...ROW_KEYS.map(column), `'aging', json_build_object(${aging})`].join(', ')})::text AS row
      FROM (${statement.sql}) AS t`;
  const toRow = (r: SqlRow): BreakdownRow => JSON.parse(r.row) as BreakdownRow;
  const head = {
    asOf: input.asOf,
    restated: input.restated,
    by: input.by,
    scope,
    collector: input.collector ?? null,
    aging: buckets.map((b) => b.name),
  };
  return { head, sql, bindings: statement.bindings, toRow };
}

function checkTotals(last: BreakdownRow | undefined): BreakdownRow {
  if (last?.level !== 'total') throw new Error('invariant broken: the breakdown ends with its total row');
  return last;
}

/** The breakdown of the input's scope as of its date (checked against the batch by the action), its rows in memory. */
export async function breakdown(knex: Knex, actor: Actor, input: BreakdownInput): Promise<Breakdown> {
  const { head, sql, bindings, toRow } = await prepareBreakdown(knex, actor, input);
  const result = await knex.raw(sql, bindings);
  const rows = (result.rows as SqlRow[]).map(toRow);
  return { ...head, rows, totals: checkTotals(rows.at(-1)) };
}

/** The rows fetched from the report's cursor at a time: a few megabytes of rows in memory, whatever the report's size. */
export const BREAKDOWN_FETCH_ROWS = 5000;
const CURSOR = 'zq_report';

/** The breakdown whose rows come as they are read: `rows` is read once, and `totals` is known after it. */
export interface BreakdownStream extends Omit<Breakdown, 'rows' | 'totals'> {
  rows: AsyncIterable<BreakdownRow>;
  /** The total row, once `rows` has been read to its end. */
  totals(): BreakdownRow;
}

/**
 * The breakdown of breakdown(), its rows read from a server-side cursor BREAKDOWN_FETCH_ROWS at a time inside
 * the caller's transaction (PGlite and PostgreSQL alike: knex's .stream() buffers every row on PGlite), so that
 * a million lines are written to a file with bounded memory. The cursor is closed when the rows are read or left.
 * `fetchRows` is for tests (several fetches of a small report).
 */
export async function breakdownStream(
  knex: Knex,
  actor: Actor,
  input: BreakdownInput,
  fetchRows = BREAKDOWN_FETCH_ROWS,
): Promise<BreakdownStream> {
  const { head, sql, bindings, toRow } = await prepareBreakdown(knex, actor, input);
  // a cursor is planned for its first rows (cursor_tuple_fraction 0.1): this one is read to its end
  await knex.raw('SET LOCAL cursor_tuple_fraction = 1.0');
  let last: BreakdownRow | undefined;
  async function* rows(): AsyncGenerator<BreakdownRow> {
    await knex.raw(`DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${sql}`, bindings);
    let read = false;
    try {
      for (;;) {
        const batch = (await knex.raw(`FETCH ${fetchRows} FROM ${CURSOR}`)).rows as SqlRow[];
        for (const r of batch) {
          last = toRow(r);
          yield last;
        }
        if (batch.length < fetchRows) break;
      }
      read = true;
    } finally {
      // left early (the writer failed): the transaction may be failed too, and its end closes the cursor anyway
      if (read) await knex.raw(`CLOSE ${CURSOR}`);
      else await knex.raw(`CLOSE ${CURSOR}`).catch(() => undefined);
    }
  }
  return { ...head, rows: rows(), totals: () => checkTotals(last) };
}
