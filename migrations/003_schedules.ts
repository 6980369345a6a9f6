// Repayment schedules, versioned. A schedule change never rewrites history: a line belongs to the version
// that introduced it until a later version retires it (retired_version); version N shows the lines with
// version <= N and (retired_version IS NULL OR retired_version > N).
import type { Knex } from 'knex';

const statements = [
  `CREATE TABLE schedule_versions (
    id bigserial PRIMARY KEY,
    contract_id bigint NOT NULL REFERENCES contracts (id),
    version integer NOT NULL CHECK (version > 0),
    effective_from date NOT NULL,
    source text NOT NULL CHECK (source IN ('generated', 'imported', 'custom', 'schedule_change')),
    reason text,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (contract_id, version)
  )`,
  `CREATE TABLE schedule_lines (
    id bigserial PRIMARY KEY,
    contract_id bigint NOT NULL REFERENCES contracts (id),
    version integer NOT NULL CHECK (version > 0),
    retired_version integer CHECK (retired_version > version),
    seq integer NOT NULL CHECK (seq >= 0),
    receivable_type text NOT NULL REFERENCES receivable_types (code),
    due_date date NOT NULL,
    amount_due numeric(18,2) NOT NULL CHECK (amount_due >= 0),
    UNIQUE (contract_id, version, seq, receivable_type),
    FOREIGN KEY (contract_id, version) REFERENCES schedule_versions (contract_id, version)
  )`,
  `CREATE INDEX schedule_lines_live ON schedule_lines (contract_id, seq) WHERE retired_version IS NULL`,
  `CREATE INDEX schedule_lines_due ON schedule_lines (due_date) WHERE retired_version IS NULL`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS schedule_lines CASCADE');
  await knex.raw('DROP TABLE IF EXISTS schedule_versions CASCADE');
}
