// The nightly batch's run log: one row per (step, business date), the key that makes re-running a finished
// date a no-op. Period close (结账) reads it to know how far the batch has run and whether reconciliation
// found discrepancies.
import type { Knex } from 'knex';

const statements = [
  `CREATE TABLE batch_runs (
    id bigserial PRIMARY KEY,
    step text NOT NULL CHECK (step ~ '^[a-z][a-z_]{0,39}$'),
    business_date date NOT NULL,
    status text NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    counts jsonb NOT NULL DEFAULT '{}'::jsonb,
    totals jsonb NOT NULL DEFAULT '{}'::jsonb,
    discrepancies integer NOT NULL DEFAULT 0 CHECK (discrepancies >= 0),
    duration_ms integer CHECK (duration_ms >= 0),
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    error text,
    UNIQUE (step, business_date)
  )`,
  `CREATE INDEX batch_runs_date ON batch_runs (business_date, step)`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS batch_runs CASCADE');
}
