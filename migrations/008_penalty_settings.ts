// Penalty settings (RULES.md "Penalty interest"): effective-dated daily rates and grace periods. Rows are never
// edited: a new setting is a new row, and the most specific one in force wins (contract → dealer + type → type).
import type { Knex } from 'knex';

const statements = [
  `CREATE TABLE penalty_rates (
    id bigserial PRIMARY KEY,
    contract_id bigint REFERENCES contracts (id),
    dealer_id bigint REFERENCES dealers (id),
    receivable_type text REFERENCES receivable_types (code),
    effective_from date NOT NULL,
    daily_rate numeric(20,10) NOT NULL CHECK (daily_rate >= 0),
    specificity smallint GENERATED ALWAYS AS (
      CASE WHEN contract_id IS NOT NULL THEN 4 ELSE 0 END
      + CASE WHEN dealer_id IS NOT NULL THEN 2 ELSE 0 END
      + CASE WHEN receivable_type IS NOT NULL THEN 1 ELSE 0 END) STORED,
    created_by bigint REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (contract_id IS NULL OR dealer_id IS NULL)
  )`,
  `CREATE INDEX penalty_rates_contract ON penalty_rates (contract_id) WHERE contract_id IS NOT NULL`,
  // RULES.md: the default is 0.0005 per day (万分之五) for every penalty-bearing type.
  `INSERT INTO penalty_rates (effective_from, daily_rate) VALUES ('1900-01-01', 0.0005)`,
  `CREATE TABLE penalty_grace (
    id bigserial PRIMARY KEY,
    dealer_id bigint REFERENCES dealers (id),
    receivable_type text REFERENCES receivable_types (code),
    days integer NOT NULL CHECK (days >= 0 AND days <= 366),
    mode text NOT NULL CHECK (mode IN ('retroactive', 'forward')),
    specificity smallint GENERATED ALWAYS AS (
      CASE WHEN dealer_id IS NOT NULL THEN 2 ELSE 0 END + CASE WHEN receivable_type IS NOT NULL THEN 1 ELSE 0 END) STORED,
    created_by bigint REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  // After penalty_dirty (008_penalty_segments): a new setting queues the lines it may change for the batch.
  `CREATE FUNCTION zq_penalty_dirty_rate() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     INSERT INTO penalty_dirty (reason, contract_id, dealer_id, receivable_type, since)
       VALUES ('rate', NEW.contract_id, NEW.dealer_id, NEW.receivable_type, NEW.effective_from);
     RETURN NULL;
   END
   $$`,
  `CREATE TRIGGER penalty_rates_dirty AFTER INSERT ON penalty_rates FOR EACH ROW EXECUTE FUNCTION zq_penalty_dirty_rate()`,
  `CREATE FUNCTION zq_penalty_dirty_grace() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     INSERT INTO penalty_dirty (reason, dealer_id, receivable_type) VALUES ('grace', NEW.dealer_id, NEW.receivable_type);
     RETURN NULL;
   END
   $$`,
  `CREATE TRIGGER penalty_grace_dirty AFTER INSERT ON penalty_grace FOR EACH ROW EXECUTE FUNCTION zq_penalty_dirty_grace()`,
  `CREATE TRIGGER penalty_rates_append_only BEFORE UPDATE OR DELETE ON penalty_rates
     FOR EACH ROW EXECUTE FUNCTION zq_refuse_change()`,
  `CREATE TRIGGER penalty_grace_append_only BEFORE UPDATE OR DELETE ON penalty_grace
     FOR EACH ROW EXECUTE FUNCTION zq_refuse_change()`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS penalty_grace CASCADE');
  await knex.raw('DROP FUNCTION IF EXISTS zq_penalty_dirty_rate() CASCADE');
  await knex.raw('DROP FUNCTION IF EXISTS zq_penalty_dirty_grace() CASCADE');
  await knex.raw('DROP TABLE IF EXISTS penalty_rates CASCADE');
}
