// Bulk loads without per-row index and key upkeep: drop what a table keeps up row by row, load, make it again.
// The definitions are read from the catalog, so what comes back is exactly what the migrations made (they stay
// the one place it is defined), and a rollback restores everything anyway (DDL is transactional).
import type { Tx } from './index.js';

interface Dropped {
  table: string;
  /** the constraint's name (a primary key, UNIQUE or foreign key), or null for a plain index */
  constraint: string | null;
  name: string;
  def: string;
}

/**
 * Drops the indexes of the tables — with `constraintIndexes` also those behind a primary key or UNIQUE
 * constraint — and, with `foreignKeys`, their foreign keys. Returns what makes them again: indexes first, so
 * that the keys check against them.
 */
export async function dropForBulkLoad(
  tx: Tx,
  tables: readonly string[],
  options: { constraintIndexes: boolean; foreignKeys: boolean },
): Promise<() => Promise<void>> {
  const indexes = (
    await tx.raw(
      `SELECT x.indrelid::regclass::text AS "table", quote_ident(c.conname) AS constraint, quote_ident(i.relname) AS name,
              coalesce(pg_get_constraintdef(c.oid), pg_get_indexdef(i.oid)) AS def
         FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
         LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid
        WHERE x.indrelid = ANY (?::regclass[]) AND (? OR c.oid IS NULL)
        ORDER BY i.oid`,
      [[...tables], options.constraintIndexes],
    )
  ).rows as Dropped[];
  const keys = options.foreignKeys
    ? ((
        await tx.raw(
          `SELECT conrelid::regclass::text AS "table", quote_ident(conname) AS constraint, quote_ident(conname) AS name,
                  pg_get_constraintdef(oid) AS def
             FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY (?::regclass[]) ORDER BY oid`,
          [[...tables]],
        )
      ).rows as Dropped[])
    : [];
  const drop = (d: Dropped) => (d.constraint ? `ALTER TABLE ${d.table} DROP CONSTRAINT ${d.constraint}` : `DROP INDEX ${d.name}`);
  const make = (d: Dropped) => (d.constraint ? `ALTER TABLE ${d.table} ADD CONSTRAINT ${d.constraint} ${d.def}` : d.def);
  for (const d of [...keys, ...indexes]) await tx.raw(drop(d));
  return async () => {
    for (const d of [...indexes, ...keys]) await tx.raw(make(d));
  };
}
