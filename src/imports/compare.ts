// `import.compare`: a dealer's ledger against ours (the data team's monthly reconciliation). The file is read,
// staged and checked exactly as an import reads it (index.ts withStagedLedger), then set against the system's
// figures as of the file's cut-over date in the same transaction, which is rolled back: nothing is written.
// The system's figures are the ledger's balance query (ledger/balances.ts lineBalances) and the penalty the
// penalty module computes (penalty/accrual.ts), as `contract show` prints them.
import type { Actor } from '../access/actor.js';
import { scopeContracts } from '../access/scope.js';
import type { BusinessDate } from '../core/dates.js';
import { dec, formatMoney } from '../core/money.js';
import type { Db, Tx } from '../db/index.js';
import { lineBalances } from '../ledger/balances.js';
import { accruedPenalties } from '../penalty/accrual.js';
import { type ImportOptions, type ImportProblem, withStagedLedger } from './index.js';
import { LEDGER_STAGE } from './ledger.js';

/** Lines with a difference, and contracts on one side only, listed at most (the counts say when more). */
export const MAX_COMPARED_ROWS = 100_000;

/** The figures compared, by their JSON names, with the staged file column and the system column of each. */
export const COMPARED_FIGURES = [
  { field: 'amountDue', column: 'amount_due', zh: '应还金额' },
  { field: 'amountPaid', column: 'amount_paid', zh: '已还金额' },
  { field: 'outstanding', column: 'outstanding', zh: '未还金额' },
  { field: 'penaltyAccrued', column: 'penalty_accrued', zh: '已计罚息' },
  { field: 'penaltyPaid', column: 'penalty_paid', zh: '已收罚息' },
] as const;

export type ComparedFigure = (typeof COMPARED_FIGURES)[number]['field'];

/** equal: no difference (exit 0); different: some (exit 4); rejected: the file has problems an import refuses (exit 2). */
export type CompareOutcome = 'equal' | 'different' | 'rejected';

/** One figure of one line that differs: the dealer's and ours, and file − system. */
export interface LineDifference {
  dealer: string;
  contractNo: string;
  seq: number;
  /** The receivable type's code (principal, interest, …). */
  type: string;
  /** both: the line is in the file and in the system; file or system: only there (the other figure null). */
  presence: 'both' | 'file' | 'system';
  sheet: string | null;
  /** The file's row, as Excel shows it; null for a line only in the system. */
  rowNumber: number | null;
  field: ComparedFigure;
  file: string | null;
  system: string | null;
  /** file − system, a missing side counting as 0. */
  difference: string;
}

/** A contract on one side only, with its totals there. */
export interface ContractTotals {
  dealer: string;
  contractNo: string;
  customer: string | null;
  /** The system's status as of the date; null for a contract only in the file. */
  status: string | null;
  sheet: string | null;
  /** The contract's first row in the file; null for a contract only in the system. */
  rowNumber: number | null;
  lines: number;
  amountDue: string;
  amountPaid: string;
  outstanding: string;
  penaltyAccrued: string;
  penaltyPaid: string;
}

export interface LedgerComparison {
  file: string;
  outcome: CompareOutcome;
  asOf: BusinessDate | null;
  /** The dealers the file concerns (codes). */
  dealers: string[];
  rowsRead: number;
  /** Contracts in the file and in the system, and the file's lines of those contracts. */
  contractsCompared: number;
  linesCompared: number;
  differences: LineDifference[];
  onlyInFile: ContractTotals[];
  onlyInSystem: ContractTotals[];
  /** A list stopped at MAX_COMPARED_ROWS. */
  truncated: boolean;
  /** The file's problems, as an import reports them (outcome rejected). */
  errors: ImportProblem[];
  errorCount: number;
  /** The XLSX written (--out), else null. */
  out: string | null;
}

async function rows<T>(tx: Tx, sql: string, bindings: readonly unknown[] = []): Promise<T[]> {
  return ((await tx.raw(sql, bindings as never)) as { rows: T[] }).rows;
}

/** Reads the ledger as an import would and compares it with the system as of `options.asOf`. */
export async function compareLedger(db: Db, actor: Actor, file: string, options: ImportOptions): Promise<LedgerComparison> {
  const staged = await withStagedLedger(db, actor, file, options, (tx, fixedDealer) =>
    compareStaged(tx, actor, options.asOf as BusinessDate, fixedDealer),
  );
  const { summary } = staged;
  const found = staged.rejected ? null : staged.value;
  const differs = found !== null && found.differences.length + found.onlyInFile.length + found.onlyInSystem.length > 0;
  return {
    file,
    outcome: found === null ? 'rejected' : differs ? 'different' : 'equal',
    asOf: options.asOf ?? null,
    dealers: found?.dealers ?? [],
    rowsRead: summary.rowsRead,
    contractsCompared: found?.contractsCompared ?? 0,
    linesCompared: found?.linesCompared ?? 0,
    differences: found?.differences ?? [],
    onlyInFile: found?.onlyInFile ?? [],
    onlyInSystem: found?.onlyInSystem ?? [],
    truncated: found?.truncated ?? false,
    errors: summary.errors,
    errorCount: summary.errorCount,
    out: null,
  };
}

type Found = Pick<
  LedgerComparison,
  'dealers' | 'contractsCompared' | 'linesCompared' | 'differences' | 'onlyInFile' | 'onlyInSystem' | 'truncated'
>;

/** The staged file against the system, in the transaction that staged it. */
async function compareStaged(tx: Tx, actor: Actor, asOf: BusinessDate, fixedDealer: number | undefined): Promise<Found> {
  const dealerIds = await fileDealers(tx, fixedDealer);
  await stageContracts(tx, actor, asOf, dealerIds);
  await stageSystemLines(tx, asOf);
  const [counts] = await rows<{ contracts: number; lines: number }>(
    tx,
    `SELECT (SELECT count(*)::int FROM zq_compare_contracts WHERE in_file AND contract_id IS NOT NULL) AS contracts,
            (SELECT count(*)::int FROM ${LEDGER_STAGE} s JOIN zq_compare_contracts cc USING (dealer_id, contract_no)
              WHERE cc.contract_id IS NOT NULL) AS lines`,
  );
  const lines = await differingLines(tx);
  const onlyInFile = await contractsOnlyInFile(tx);
  const onlyInSystem = await contractsOnlyInSystem(tx, asOf);
  const dealers = await tx('dealers').whereIn('id', dealerIds).orderBy('code').pluck('code');
  return {
    dealers,
    contractsCompared: counts?.contracts ?? 0,
    linesCompared: counts?.lines ?? 0,
    differences: lines.flatMap(lineDifferences),
    onlyInFile,
    onlyInSystem,
    truncated: [lines, onlyInFile, onlyInSystem].some((list) => list.length >= MAX_COMPARED_ROWS),
  };
}

/** The dealers of the file's rows, and the one --dealer names (a file without rows still has it). */
async function fileDealers(tx: Tx, fixedDealer: number | undefined): Promise<number[]> {
  const staged = (await rows<{ dealer_id: number }>(tx, `SELECT DISTINCT dealer_id FROM ${LEDGER_STAGE}`)).map((r) => Number(r.dealer_id));
  return [...new Set([...staged, ...(fixedDealer === undefined ? [] : [fixedDealer])])];
}

/**
 * zq_compare_contracts: the file's contracts (with the system's id where it has them, in the actor's scope),
 * and the system's contracts of the file's dealers that exist on the date (signed or cut over by then, as
 * `contract list --as-of` counts them) and that the file does not have.
 */
async function stageContracts(tx: Tx, actor: Actor, asOf: BusinessDate, dealerIds: readonly number[]): Promise<void> {
  const visible = scopeContracts(tx('contracts as c').select('c.id', 'c.dealer_id', 'c.contract_no'), actor, 'c').toSQL();
  await tx.raw(`DROP TABLE IF EXISTS zq_compare_contracts`);
  await tx.raw(
    `CREATE TEMP TABLE zq_compare_contracts ON COMMIT DROP AS
     SELECT f.dealer_id, f.contract_no, f.sheet, f.rn, v.id AS contract_id, true AS in_file
       FROM (SELECT DISTINCT ON (dealer_id, contract_no) dealer_id, contract_no, sheet, rn
               FROM ${LEDGER_STAGE} ORDER BY dealer_id, contract_no, rn) f
       LEFT JOIN (${visible.sql}) v ON v.dealer_id = f.dealer_id AND v.contract_no = f.contract_no`,
    visible.bindings as never,
  );
  await tx.raw(
    `INSERT INTO zq_compare_contracts (dealer_id, contract_no, sheet, rn, contract_id, in_file)
     SELECT v.dealer_id, v.contract_no, NULL, NULL, v.id, false
       FROM (${visible.sql}) v JOIN contracts c ON c.id = v.id
      WHERE v.dealer_id = ANY(?::bigint[])
        AND (least(c.sign_date, c.cutover_date) IS NULL OR least(c.sign_date, c.cutover_date) <= ?::date)
        AND NOT EXISTS (SELECT 1 FROM zq_compare_contracts cc WHERE cc.dealer_id = v.dealer_id AND cc.contract_no = v.contract_no)`,
    [...(visible.bindings as unknown[]), dealerIds, asOf] as never,
  );
}

/**
 * zq_compare_system: every line in effect on the date of the contracts the system has, with its balance
 * (lineBalances) and its penalty accrued: the imported opening penalty plus what the penalty module computes.
 */
async function stageSystemLines(tx: Tx, asOf: BusinessDate): Promise<void> {
  const ids = (await rows<{ contract_id: number }>(tx, `SELECT contract_id FROM zq_compare_contracts WHERE contract_id IS NOT NULL`)).map(
    (r) => Number(r.contract_id),
  );
  const penalty = [...(await accruedPenalties(tx, ids, asOf))].filter(([, amount]) => !amount.isZero());
  const balances = lineBalances(tx, asOf, ids).toSQL();
  await tx.raw(`DROP TABLE IF EXISTS zq_compare_system`);
  await tx.raw(
    `CREATE TEMP TABLE zq_compare_system ON COMMIT DROP AS
     SELECT b."contractId" AS contract_id, b.seq, b.type AS receivable_type, b."amountDue"::numeric(18,2) AS amount_due,
            b."amountPaid"::numeric(18,2) AS amount_paid, b.outstanding::numeric(18,2) AS outstanding,
            (b."penaltyOpening"::numeric + coalesce(p.accrued, 0))::numeric(18,2) AS penalty_accrued,
            b."penaltyPaid"::numeric(18,2) AS penalty_paid
       FROM (${balances.sql}) b
       LEFT JOIN unnest(?::bigint[], ?::numeric[]) AS p(line_id, accrued) ON p.line_id = b."lineId"`,
    [...(balances.bindings as unknown[]), penalty.map(([id]) => id), penalty.map(([, amount]) => formatMoney(amount))] as never,
  );
}

/** A line of the file beside the system's (either may be missing), where any figure differs. */
interface LineRow {
  dealer: string;
  contract_no: string;
  seq: number;
  receivable_type: string;
  sheet: string | null;
  rn: number | null;
  in_file: boolean;
  in_system: boolean;
  [figure: `${'file' | 'system'}_${string}`]: string | null;
}

const FILE_FIGURES = `s.amount_due, s.amount_paid, (s.amount_due - s.amount_paid) AS outstanding, s.penalty_accrued, s.penalty_paid`;

async function differingLines(tx: Tx): Promise<LineRow[]> {
  const pick = (side: 'f' | 'y', prefix: string) =>
    COMPARED_FIGURES.map((c) => `${side}.${c.column}::text AS ${prefix}_${c.column}`).join(', ');
  const differs = COMPARED_FIGURES.map((c) => `f.${c.column} IS DISTINCT FROM y.${c.column}`).join(' OR ');
  return rows<LineRow>(
    tx,
    `WITH f AS (SELECT cc.contract_id, s.seq, s.receivable_type, s.sheet, s.rn, ${FILE_FIGURES}
                  FROM ${LEDGER_STAGE} s JOIN zq_compare_contracts cc USING (dealer_id, contract_no)
                 WHERE cc.contract_id IS NOT NULL),
          y AS (SELECT * FROM zq_compare_system WHERE contract_id IN (SELECT contract_id FROM zq_compare_contracts WHERE in_file))
     SELECT d.code AS dealer, c.contract_no, coalesce(f.seq, y.seq) AS seq, coalesce(f.receivable_type, y.receivable_type) AS receivable_type,
            f.sheet, f.rn, f.contract_id IS NOT NULL AS in_file, y.contract_id IS NOT NULL AS in_system,
            ${pick('f', 'file')}, ${pick('y', 'system')}
       FROM f FULL JOIN y ON y.contract_id = f.contract_id AND y.seq = f.seq AND y.receivable_type = f.receivable_type
       JOIN contracts c ON c.id = coalesce(f.contract_id, y.contract_id)
       JOIN dealers d ON d.id = c.dealer_id
      WHERE f.contract_id IS NULL OR y.contract_id IS NULL OR ${differs}
      ORDER BY d.code, c.contract_no, 3, 4
      LIMIT ${MAX_COMPARED_ROWS}`,
  );
}

/** The figures of one line that differ; a line on one side only shows its amount due and every figure not 0. */
function lineDifferences(row: LineRow): LineDifference[] {
  const presence = row.in_file && row.in_system ? 'both' : row.in_file ? 'file' : 'system';
  return COMPARED_FIGURES.flatMap(({ field, column }) => {
    const file = row[`file_${column}`] ?? null;
    const system = row[`system_${column}`] ?? null;
    const difference = dec(file ?? 0).minus(dec(system ?? 0));
    if (difference.isZero() && (presence === 'both' || field !== 'amountDue')) return [];
    return [
      {
        dealer: row.dealer,
        contractNo: row.contract_no,
        seq: Number(row.seq),
        type: row.receivable_type,
        presence,
        sheet: row.sheet,
        rowNumber: row.rn === null ? null : Number(row.rn),
        field,
        file: file === null ? null : formatMoney(file),
        system: system === null ? null : formatMoney(system),
        difference: formatMoney(difference),
      },
    ];
  });
}

interface TotalsRow {
  dealer: string;
  contract_no: string;
  customer: string | null;
  status: string | null;
  sheet: string | null;
  rn: number | null;
  lines: number;
  amount_due: string;
  amount_paid: string;
  outstanding: string;
  penalty_accrued: string;
  penalty_paid: string;
}

const TOTALS = COMPARED_FIGURES.map((c) => `coalesce(sum(x.${c.column}), 0)::numeric(18,2)::text AS ${c.column}`).join(', ');

function totalsOf(r: TotalsRow): ContractTotals {
  return {
    dealer: r.dealer,
    contractNo: r.contract_no,
    customer: r.customer,
    status: r.status,
    sheet: r.sheet,
    rowNumber: r.rn === null ? null : Number(r.rn),
    lines: Number(r.lines),
    amountDue: r.amount_due,
    amountPaid: r.amount_paid,
    outstanding: r.outstanding,
    penaltyAccrued: r.penalty_accrued,
    penaltyPaid: r.penalty_paid,
  };
}

async function contractsOnlyInFile(tx: Tx): Promise<ContractTotals[]> {
  const found = await rows<TotalsRow>(
    tx,
    `SELECT d.code AS dealer, cc.contract_no, min(x.customer_name) AS customer, NULL AS status, cc.sheet, cc.rn,
            count(*)::int AS lines, ${TOTALS}
       FROM zq_compare_contracts cc JOIN dealers d ON d.id = cc.dealer_id
       JOIN (SELECT s.*, s.amount_due - s.amount_paid AS outstanding FROM ${LEDGER_STAGE} s) x
         ON x.dealer_id = cc.dealer_id AND x.contract_no = cc.contract_no
      WHERE cc.contract_id IS NULL
      GROUP BY d.code, cc.contract_no, cc.sheet, cc.rn
      ORDER BY d.code, cc.contract_no
      LIMIT ${MAX_COMPARED_ROWS}`,
  );
  return found.map(totalsOf);
}

async function contractsOnlyInSystem(tx: Tx, asOf: BusinessDate): Promise<ContractTotals[]> {
  const found = await rows<TotalsRow>(
    tx,
    `SELECT d.code AS dealer, cc.contract_no, cu.name AS customer,
            CASE WHEN c.status_date <= ?::date THEN c.status ELSE 'active' END AS status, NULL AS sheet, NULL::int AS rn,
            count(x.seq)::int AS lines, ${TOTALS}
       FROM zq_compare_contracts cc JOIN contracts c ON c.id = cc.contract_id
       JOIN dealers d ON d.id = cc.dealer_id JOIN customers cu ON cu.id = c.customer_id
       LEFT JOIN zq_compare_system x ON x.contract_id = cc.contract_id
      WHERE NOT cc.in_file
      GROUP BY d.code, cc.contract_no, cu.name, c.status, c.status_date
      ORDER BY d.code, cc.contract_no
      LIMIT ${MAX_COMPARED_ROWS}`,
    [asOf],
  );
  return found.map(totalsOf);
}
