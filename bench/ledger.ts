// The benchmarks' ledger at scale, built set-based in SQL as bench/batch.ts builds it: DEALERS dealers (the first
// half under two regions, for the reports' consolidation), one customer each, CONTRACTS contracts of
// LINES_PER_CONTRACT monthly principal lines of 5,000.00 from 2025-06; two contracts in three fall due on the
// 19th; three in five lines due by `day` were paid on their due date (opening_paid), the rest are overdue.
import type { Db } from '../src/db/index.js';

export interface BenchLedger {
  contracts: number;
  linesPerContract: number;
  dealers: number;
  /** the lines due by this date are paid or overdue */
  day: string;
  /** put half the dealers under two regions (the reports' consolidation) */
  regions?: boolean;
}

export async function loadBenchLedger(db: Db, { contracts, linesPerContract, dealers, day, regions = false }: BenchLedger): Promise<void> {
  const k = db.knex;
  const group = "(SELECT id FROM dealers WHERE kind = 'group')";
  if (regions) {
    await k.raw(
      `INSERT INTO dealers (code, name, kind, parent_id) SELECT 'R' || g, 'region ' || g, 'region', ${group} FROM generate_series(1, 2) g`,
    );
  }
  const parent = regions
    ? `CASE WHEN g <= ${dealers / 2} THEN (SELECT id FROM dealers WHERE code = 'R' || (1 + g % 2)) ELSE ${group} END`
    : group;
  await k.raw(`INSERT INTO dealers (code, name, kind, parent_id)
    SELECT 'B' || g, 'bench ' || g, 'dealer', ${parent} FROM generate_series(1, ${dealers}) g`);
  await k.raw(`INSERT INTO customers (dealer_id, name) SELECT id, 'customer ' || code FROM dealers WHERE kind = 'dealer'`);
  await k.raw(`INSERT INTO contracts (dealer_id, contract_no, customer_id, method)
    SELECT cu.dealer_id, 'BC-' || g, cu.id, 'custom' FROM generate_series(1, ${contracts}) g
    JOIN customers cu ON cu.dealer_id = (SELECT min(id) FROM dealers WHERE kind = 'dealer') + g % ${dealers}`);
  await k.raw(
    `INSERT INTO schedule_versions (contract_id, version, effective_from, source) SELECT id, 1, '2025-06-01', 'custom' FROM contracts`,
  );
  await k.raw(`INSERT INTO schedule_lines (contract_id, version, seq, receivable_type, due_date, amount_due)
    SELECT c.id, 1, s, 'principal',
      (date '2025-06-01' + (CASE WHEN c.id % 3 < 2 THEN 18 ELSE c.id % 28 END)::int + make_interval(months => s - 1))::date, 5000.00
    FROM contracts c CROSS JOIN generate_series(1, ${linesPerContract}) s`);
  await k.raw(`INSERT INTO postings (contract_id, dealer_id, schedule_line_id, kind, receivable_type, amount, value_date)
    SELECT l.contract_id, c.dealer_id, l.id, 'opening_paid', 'principal', l.amount_due, l.due_date
    FROM schedule_lines l JOIN contracts c ON c.id = l.contract_id WHERE l.due_date <= '${day}' AND l.id % 5 < 3`);
  await k.raw('VACUUM ANALYZE');
}

/**
 * About a year of closed report states before `day` (BENCH_HISTORY=1), as a year of business days like bench:batch's
 * (b) would leave them: 10 closed copies of each current line state that moves with the night (7 million on the
 * million-line ledger), 100 of each contract's sums (5 million) and 10 of each contract state (500,000), three
 * nights each, all closed before `day`. Returns what it added, for the bench's first line.
 */
export async function addClosedHistory(db: Db, day: string): Promise<string> {
  const plan = [
    ['report_line_states', 10, '(amount_due - paid - written_off) <> 0 OR run_from IS NOT NULL'],
    ['report_contract_sums', 100, 'true'],
    ['report_contract_states', 10, 'true'],
  ] as const;
  const added: string[] = [];
  for (const [table, generations, where] of plan) {
    const list = (await tableColumns(db, table)).filter((c) => c !== 'valid_from' && c !== 'valid_to').join(', ');
    const start = performance.now();
    const result = await db.knex.raw(
      `INSERT INTO ${table} (valid_from, valid_to, ${list})
       SELECT ?::date - ${3 * generations + 2} + 3 * (g - 1), ?::date - ${3 * generations} + 3 * (g - 1), ${list}
         FROM ${table}, generate_series(1, ${generations}) AS g WHERE valid_to IS NULL AND (${where})`,
      [day, day],
    );
    added.push(`${table} ${result.rowCount} (${((performance.now() - start) / 1000).toFixed(1)} s)`);
  }
  await db.knex.raw('VACUUM ANALYZE report_line_states, report_contract_sums, report_contract_states');
  return `closed history added: ${added.join(', ')}`;
}

/** A table's columns in their order, as the catalog has them. */
export async function tableColumns(db: Db, table: string): Promise<string[]> {
  const { rows } = await db.knex.raw(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?
      ORDER BY ordinal_position`,
    [table],
  );
  return rows.map((r: { column_name: string }) => r.column_name);
}
