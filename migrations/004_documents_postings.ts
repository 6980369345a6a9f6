// Documents (every business act with a lifecycle) and postings (the append-only ledger they cause).
// A posting is never updated or deleted: a correction is a new posting that names the one it reverses.
import type { Knex } from 'knex';

const statements = [
  `CREATE TABLE documents (
    id bigserial PRIMARY KEY,
    type text NOT NULL CHECK (type ~ '^[a-z][a-z_]{0,39}$'),
    number text NOT NULL,
    status text NOT NULL CHECK (status IN ('draft', 'registered', 'submitted', 'approved', 'rejected',
      'withdrawn', 'confirmed', 'reversed', 'completed')),
    dealer_id bigint NOT NULL REFERENCES dealers (id),
    contract_id bigint REFERENCES contracts (id),
    author_id bigint NOT NULL REFERENCES users (id),
    value_date date,
    amount numeric(18,2) CHECK (amount >= 0),
    data jsonb NOT NULL DEFAULT '{}'::jsonb,
    reverses_id bigint REFERENCES documents (id),
    locked boolean NOT NULL DEFAULT false,
    locked_by bigint REFERENCES users (id),
    locked_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (type, number),
    CHECK (locked = (locked_at IS NOT NULL))
  )`,
  `CREATE INDEX documents_contract ON documents (contract_id)`,
  `CREATE INDEX documents_dealer_type ON documents (dealer_id, type, status)`,
  `CREATE TABLE postings (
    id bigserial PRIMARY KEY,
    contract_id bigint NOT NULL REFERENCES contracts (id),
    dealer_id bigint NOT NULL REFERENCES dealers (id),
    schedule_line_id bigint REFERENCES schedule_lines (id),
    document_id bigint REFERENCES documents (id),
    kind text NOT NULL CHECK (kind IN (
      'allocation',            -- receipt money to a line's amount
      'penalty_allocation',    -- receipt money to a line's penalty
      'opening_paid',          -- imported: paid before the cut-over date
      'opening_penalty',       -- imported: penalty accrued before the cut-over date
      'opening_penalty_paid',  -- imported: penalty paid before the cut-over date
      'credit',                -- unallocated receipt money held as advance-receipt credit
      'credit_application',    -- credit applied to a line on its due date
      'refund',                -- credit paid back to the customer
      'waiver',                -- penalty forgiven
      'write_off',             -- bad debt written off
      'recovery'               -- money received on a written-off line
    )),
    receivable_type text REFERENCES receivable_types (code),
    amount numeric(18,2) NOT NULL CHECK (amount >= 0),
    signed_amount numeric(18,2) GENERATED ALWAYS AS (CASE WHEN reverses_id IS NULL THEN amount ELSE -amount END) STORED,
    value_date date NOT NULL,
    reverses_id bigint UNIQUE REFERENCES postings (id),
    reason text,
    created_by bigint REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX postings_contract ON postings (contract_id, value_date)`,
  `CREATE INDEX postings_line ON postings (schedule_line_id, value_date)`,
  `CREATE INDEX postings_document ON postings (document_id)`,
  `CREATE FUNCTION zq_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
   END
   $$`,
  `CREATE TRIGGER postings_append_only BEFORE UPDATE OR DELETE ON postings
     FOR EACH ROW EXECUTE FUNCTION zq_refuse_change()`,
  `CREATE TRIGGER postings_no_truncate BEFORE TRUNCATE ON postings
     FOR EACH STATEMENT EXECUTE FUNCTION zq_refuse_change()`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS postings CASCADE');
  await knex.raw('DROP TABLE IF EXISTS documents CASCADE');
  await knex.raw('DROP FUNCTION IF EXISTS zq_refuse_change()');
}
