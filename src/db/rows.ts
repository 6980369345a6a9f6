// Many rows in one INSERT: one array parameter per column (INSERT … SELECT * FROM unnest($1, $2, …)), so the
// statement, its statement-level triggers and its plan are paid once, whatever the number of rows, and no
// statement nears the protocol's limit of 65,535 parameters.
import type { Knex } from 'knex';
import type { Tx } from './index.js';

export interface ColumnType {
  name: string;
  /** the column's SQL type, as the arrays are cast: 'text', 'bigint', 'date', 'numeric(18,2)' */
  sqlType: string;
}

export type ColumnValue = string | number | null;

/** Inserts the rows, each with its values in the order of `columns`. */
export async function insertRows(
  tx: Tx,
  table: string,
  columns: readonly ColumnType[],
  rows: readonly (readonly ColumnValue[])[],
): Promise<void> {
  if (rows.length === 0) return;
  const arrays = columns.map((_, i) => rows.map((row) => row[i] ?? null));
  await tx.raw(
    `INSERT INTO ${table} (${columns.map((c) => c.name).join(', ')})
     SELECT * FROM unnest(${columns.map((c) => `?::${c.sqlType}[]`).join(', ')})`,
    arrays as unknown as Knex.RawBinding[],
  );
}

/** The rows a raw INSERT/UPDATE/DELETE touched, as pg (rowCount) and PGlite (affectedRows) report it. */
export function rowCount(result: unknown): number {
  const r = result as { rowCount?: number | null; affectedRows?: number };
  return r.rowCount ?? r.affectedRows ?? 0;
}
