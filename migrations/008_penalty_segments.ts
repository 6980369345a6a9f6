// Stored penalty accruals (RULES.md "Penalty interest"): one row per run of days with one overdue base and one
// daily rate. The last run of a line stays open-ended (to_date NULL) while neither changes, so a quiet day
// writes nothing. The batch keeps them; penalty_dirty is the queue of what changed since it last ran, filled
// by triggers so that no writer (receipts, imports, schedule changes, settlement, settings) can forget it.
import type { Knex } from 'knex';

const statements = [
  `CREATE TABLE penalty_segments (
    line_id bigint NOT NULL REFERENCES schedule_lines (id),
    contract_id bigint NOT NULL REFERENCES contracts (id),
    from_date date NOT NULL,
    to_date date,
    base numeric(18,2) NOT NULL CHECK (base > 0),
    daily_rate numeric(20,10) NOT NULL CHECK (daily_rate >= 0),
    -- exact base × rate × days of a closed run (a 2-decimal base times a 10-decimal rate has 12 decimals);
    -- NULL while the run is open: its amount as of a date is base × rate × (as-of − from + 1)
    amount numeric(24,12),
    -- penalty counts only as of a date after the end of the grace period (RULES.md)
    grace_end date NOT NULL,
    PRIMARY KEY (line_id, from_date),
    CHECK (to_date IS NULL OR to_date >= from_date),
    CHECK ((to_date IS NULL) = (amount IS NULL))
  )`,
  `CREATE INDEX penalty_segments_contract ON penalty_segments (contract_id)`,
  `CREATE TABLE penalty_dirty (
    id bigserial PRIMARY KEY,
    reason text NOT NULL CHECK (reason IN ('posting', 'line', 'contract', 'rate', 'grace')),
    line_id bigint,
    contract_id bigint,
    dealer_id bigint,
    receivable_type text,
    since date,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE FUNCTION zq_penalty_dirty_postings() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     INSERT INTO penalty_dirty (reason, line_id, contract_id)
       SELECT DISTINCT 'posting', n.schedule_line_id, n.contract_id FROM new_postings n
       WHERE n.schedule_line_id IS NOT NULL AND n.kind IN ('allocation', 'opening_paid', 'credit_application');
     RETURN NULL;
   END
   $$`,
  `CREATE TRIGGER postings_penalty_dirty AFTER INSERT ON postings
     REFERENCING NEW TABLE AS new_postings FOR EACH STATEMENT EXECUTE FUNCTION zq_penalty_dirty_postings()`,
  `CREATE FUNCTION zq_penalty_dirty_lines() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     INSERT INTO penalty_dirty (reason, line_id, contract_id)
       SELECT 'line', n.id, n.contract_id FROM new_lines n;
     RETURN NULL;
   END
   $$`,
  `CREATE TRIGGER schedule_lines_penalty_dirty_insert AFTER INSERT ON schedule_lines
     REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION zq_penalty_dirty_lines()`,
  `CREATE TRIGGER schedule_lines_penalty_dirty_update AFTER UPDATE ON schedule_lines
     REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION zq_penalty_dirty_lines()`,
  `CREATE FUNCTION zq_penalty_dirty_contract() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF (NEW.status, NEW.status_date, NEW.cutover_date) IS DISTINCT FROM (OLD.status, OLD.status_date, OLD.cutover_date) THEN
       INSERT INTO penalty_dirty (reason, contract_id) VALUES ('contract', NEW.id);
     END IF;
     RETURN NULL;
   END
   $$`,
  `CREATE TRIGGER contracts_penalty_dirty AFTER UPDATE ON contracts
     FOR EACH ROW EXECUTE FUNCTION zq_penalty_dirty_contract()`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  for (const trigger of [
    'postings_penalty_dirty ON postings',
    'schedule_lines_penalty_dirty_insert ON schedule_lines',
    'schedule_lines_penalty_dirty_update ON schedule_lines',
    'contracts_penalty_dirty ON contracts',
  ]) {
    await knex.raw(`DROP TRIGGER IF EXISTS ${trigger}`);
  }
  await knex.raw('DROP TABLE IF EXISTS penalty_dirty CASCADE');
  await knex.raw('DROP TABLE IF EXISTS penalty_segments CASCADE');
  for (const fn of ['postings', 'lines', 'contract']) await knex.raw(`DROP FUNCTION IF EXISTS zq_penalty_dirty_${fn}()`);
}
