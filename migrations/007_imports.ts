// Imports of dealer files: one row per file imported (or rejected), every row-level error, every change a
// re-import made or refused (conflict), and the natural keys that make a receipt row import only once.
import type { Knex } from 'knex';

const statements = [
  `CREATE TABLE imports (
    id bigserial PRIMARY KEY,
    file_name text NOT NULL,
    file_hash text NOT NULL CHECK (file_hash ~ '^[0-9a-f]{64}$'),
    file_size bigint NOT NULL CHECK (file_size >= 0),
    kind text NOT NULL CHECK (kind IN ('ledger', 'receipts')),
    dealer_id bigint REFERENCES dealers (id),
    as_of date,
    status text NOT NULL CHECK (status IN ('imported', 'rejected', 'unchanged')),
    rows_read integer NOT NULL DEFAULT 0 CHECK (rows_read >= 0),
    rows_imported integer NOT NULL DEFAULT 0 CHECK (rows_imported >= 0),
    rows_rejected integer NOT NULL DEFAULT 0 CHECK (rows_rejected >= 0),
    counts jsonb NOT NULL DEFAULT '{}'::jsonb,
    actor_id bigint REFERENCES users (id),
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    duration_ms integer CHECK (duration_ms >= 0)
  )`,
  `CREATE INDEX imports_hash ON imports (file_hash, kind)`,
  `CREATE TABLE import_errors (
    id bigserial PRIMARY KEY,
    import_id bigint NOT NULL REFERENCES imports (id),
    file text NOT NULL,
    sheet text,
    row_number integer,
    column_name text,
    value text,
    reason text NOT NULL
  )`,
  `CREATE INDEX import_errors_import ON import_errors (import_id, id)`,
  `CREATE TABLE import_changes (
    id bigserial PRIMARY KEY,
    import_id bigint NOT NULL REFERENCES imports (id),
    entity text NOT NULL,
    entity_key text NOT NULL,
    field text NOT NULL,
    old_value text,
    new_value text,
    outcome text NOT NULL CHECK (outcome IN ('applied', 'conflict')),
    reason text
  )`,
  `CREATE INDEX import_changes_import ON import_changes (import_id, id)`,
  `CREATE TABLE import_keys (
    dealer_id bigint NOT NULL REFERENCES dealers (id),
    key_kind text NOT NULL CHECK (key_kind IN ('receipt')),
    key text NOT NULL,
    import_id bigint NOT NULL REFERENCES imports (id),
    document_id bigint REFERENCES documents (id),
    PRIMARY KEY (dealer_id, key_kind, key)
  )`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['import_keys', 'import_changes', 'import_errors', 'imports']) {
    await knex.raw(`DROP TABLE IF EXISTS ${table} CASCADE`);
  }
}
