// The figures a backup records and `zq backup verify` / `zq restore` compare after restoring: the rows of every
// table, the ledger's totals (postings per kind) and what a person recognises (dealers, contracts, schedule
// lines, postings, the last business date the batch completed). Dealers: the dealers proper, not the group or regions.
import type { Knex } from 'knex';

export interface LedgerTotal {
  kind: string;
  postings: number;
  /** Sum of the postings' amounts (NUMERIC as text). */
  amount: string;
  /** Sum of the signed amounts: a reversal subtracts. */
  signed: string;
}

export interface Summary {
  dealers: number;
  contracts: number;
  lines: number;
  postings: number;
  lastBatchDate: string | null;
}

export interface Figures {
  /** Rows per table, by table name. */
  rows: Record<string, number>;
  ledger: LedgerTotal[];
  summary: Summary;
}

/** The tables of the database's own schema that hold its data (knex's migration bookkeeping aside), sorted. */
export async function dataTables(q: Knex | Knex.Transaction): Promise<string[]> {
  const { rows } = await q.raw(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname NOT IN ('knex_migrations', 'knex_migrations_lock')
      ORDER BY c.relname`,
  );
  return (rows as { name: string }[]).map((r) => r.name);
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

async function count(q: Knex | Knex.Transaction, table: string, tables: string[]): Promise<number> {
  if (!tables.includes(table)) return 0;
  const { rows } = await q.raw(`SELECT count(*)::bigint AS n FROM ${quoteIdent(table)}`);
  return Number(rows[0].n);
}

export async function collectFigures(q: Knex | Knex.Transaction): Promise<Figures> {
  const tables = await dataTables(q);
  const rows: Record<string, number> = {};
  for (const table of tables) rows[table] = await count(q, table, tables);
  let ledger: LedgerTotal[] = [];
  if (tables.includes('postings')) {
    const result = await q.raw(
      `SELECT kind, count(*)::bigint AS postings, coalesce(sum(amount), 0)::text AS amount, coalesce(sum(signed_amount), 0)::text AS signed
         FROM postings GROUP BY kind ORDER BY kind`,
    );
    ledger = (result.rows as LedgerTotal[]).map((r) => ({
      kind: r.kind,
      postings: Number(r.postings),
      amount: r.amount,
      signed: r.signed,
    }));
  }
  let dealers = 0;
  if (tables.includes('dealers')) {
    const result = await q.raw(`SELECT count(*)::bigint AS n FROM dealers WHERE kind = 'dealer'`);
    dealers = Number(result.rows[0].n);
  }
  let lastBatchDate: string | null = null;
  if (tables.includes('batch_runs')) {
    const result = await q.raw(`SELECT max(business_date)::text AS d FROM batch_runs WHERE status = 'done'`);
    lastBatchDate = result.rows[0]?.d ?? null;
  }
  return {
    rows,
    ledger,
    summary: {
      dealers,
      contracts: rows.contracts ?? 0,
      lines: rows.schedule_lines ?? 0,
      postings: rows.postings ?? 0,
      lastBatchDate,
    },
  };
}

/** What differs between the figures a backup recorded and those of a restored database, one line each. */
export function compareFigures(recorded: Figures, found: Figures): string[] {
  const differences: string[] = [];
  for (const table of new Set([...Object.keys(recorded.rows), ...Object.keys(found.rows)])) {
    if (recorded.rows[table] !== found.rows[table]) {
      differences.push(`table ${table}: ${found.rows[table] ?? 'missing'} row(s), the backup recorded ${recorded.rows[table] ?? 'none'}`);
    }
  }
  const key = (t: LedgerTotal) => `${t.postings} posting(s), amount ${t.amount}, signed ${t.signed}`;
  const kinds = new Set([...recorded.ledger.map((t) => t.kind), ...found.ledger.map((t) => t.kind)]);
  for (const kind of kinds) {
    const a = recorded.ledger.find((t) => t.kind === kind);
    const b = found.ledger.find((t) => t.kind === kind);
    if (!a || !b || key(a) !== key(b)) {
      differences.push(`postings of kind ${kind}: ${b ? key(b) : 'none'}, the backup recorded ${a ? key(a) : 'none'}`);
    }
  }
  if (recorded.summary.lastBatchDate !== found.summary.lastBatchDate) {
    differences.push(
      `last batch date: ${found.summary.lastBatchDate ?? 'none'}, the backup recorded ${recorded.summary.lastBatchDate ?? 'none'}`,
    );
  }
  return differences;
}
