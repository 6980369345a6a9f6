// Every row of every table of a database as text, for comparing a restored database with its source.
import type { Db } from '../../src/db/index.js';

export async function allRows(db: Db, options: { skip?: string[] } = {}): Promise<Record<string, string[]>> {
  return db.knex.transaction(async (tx) => {
    await tx.raw(`SET LOCAL TimeZone = 'UTC'`);
    await tx.raw(`SET LOCAL datestyle = 'ISO, YMD'`);
    const { rows: tables } = await tx.raw(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname NOT LIKE 'knex_migrations%' ORDER BY 1`,
    );
    const out: Record<string, string[]> = {};
    for (const { name } of tables as { name: string }[]) {
      if (options.skip?.includes(name)) continue;
      const { rows } = await tx.raw(`SELECT t::text AS r FROM "${name}" t ORDER BY 1`);
      out[name] = (rows as { r: string }[]).map((r) => r.r);
    }
    const { rows: sequences } = await tx.raw(
      `SELECT sequencename || '=' || coalesce(last_value::text, '-') AS r FROM pg_sequences ORDER BY 1`,
    );
    out['(sequences)'] = (sequences as { r: string }[]).map((r) => r.r);
    return out;
  });
}
