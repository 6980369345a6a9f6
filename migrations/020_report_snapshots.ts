// Report snapshots (issue 18): what the reports showed each night, kept as it was. Storage grows with change, not
// with nights × lines: a state row holds a line's figures that do not move by themselves, valid over a range of
// nights (valid_to NULL while current); overdue days, not-yet-due vs overdue and the penalty accruing on the open
// run are derived for the night asked (reports/snapshot.ts). The nightly step (reports/snapshot-store.ts) writes a
// new row only for a line whose state differs from its current one, closing that one at the night before.
// Rows describing nights already taken are never changed: the one update allowed is closing a current row.
import type { Knex } from 'knex';

const statements = [
  `CREATE TABLE report_snapshots (
    business_date date PRIMARY KEY,
    taken_at timestamptz NOT NULL DEFAULT now(),
    -- written after its night: by a catch-up or a recomputation that ran later nights in the same run
    late boolean NOT NULL,
    lines_written integer NOT NULL,
    contracts_written integer NOT NULL,
    -- what the snapshot had seen: the next night looks at the postings, lines and versions after these
    postings_through bigint NOT NULL,
    lines_through bigint NOT NULL,
    versions_through bigint NOT NULL,
    queue_through bigint NOT NULL
  )`,
  `CREATE TABLE report_line_states (
    line_id bigint NOT NULL REFERENCES schedule_lines (id),
    contract_id bigint NOT NULL REFERENCES contracts (id),
    valid_from date NOT NULL,
    valid_to date,
    seq integer NOT NULL,
    receivable_type text NOT NULL,
    due_date date NOT NULL,
    amount_due numeric(18,2) NOT NULL,
    paid numeric(18,2) NOT NULL,
    written_off numeric(18,2) NOT NULL,
    penalty_opening numeric(18,2) NOT NULL,
    penalty_paid numeric(18,2) NOT NULL,
    penalty_waived numeric(18,2) NOT NULL,
    -- exact penalty of the runs that ended before valid_from (base × rate × days, unrounded)
    penalty_closed numeric(30,12) NOT NULL,
    -- the run in progress on valid_from: a night's share is run_base × run_rate × (night − run_from + 1)
    run_from date,
    run_base numeric(18,2),
    run_rate numeric(20,10),
    -- the first night on which the figures move other than by the run's days (the run ends, another starts,
    -- the grace period ends): the step looks at the line again that night
    changes_on date,
    PRIMARY KEY (line_id, valid_from),
    CHECK (valid_to IS NULL OR valid_to >= valid_from),
    CHECK ((run_from IS NULL) = (run_base IS NULL) AND (run_from IS NULL) = (run_rate IS NULL))
  )`,
  `CREATE INDEX report_line_states_current ON report_line_states (contract_id) WHERE valid_to IS NULL`,
  `CREATE INDEX report_line_states_changes ON report_line_states (changes_on) WHERE valid_to IS NULL AND changes_on IS NOT NULL`,
  `CREATE TABLE report_contract_states (
    contract_id bigint NOT NULL REFERENCES contracts (id),
    valid_from date NOT NULL,
    valid_to date,
    collector_id bigint REFERENCES users (id),
    status text NOT NULL,
    credit numeric(18,2) NOT NULL,
    -- a status dated after the night: the night it takes effect
    changes_on date,
    PRIMARY KEY (contract_id, valid_from),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
  )`,
  `CREATE INDEX report_contract_states_changes ON report_contract_states (changes_on) WHERE valid_to IS NULL AND changes_on IS NOT NULL`,
  // contracts whose reported facts changed (collector, status, dates): a trigger, so no writer can forget it;
  // contract_id NULL: every contract (the segments were recomputed in full on a night already taken)
  `CREATE TABLE report_snapshot_queue (
    id bigserial PRIMARY KEY,
    contract_id bigint
  )`,
  `CREATE FUNCTION zq_report_snapshot_queue() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     INSERT INTO report_snapshot_queue (contract_id) VALUES (NEW.id);
     RETURN NULL;
   END
   $$`,
  `CREATE TRIGGER contracts_report_snapshot_queue AFTER UPDATE ON contracts FOR EACH ROW
     WHEN ((OLD.collector_id, OLD.status, OLD.status_date, OLD.sign_date, OLD.cutover_date)
       IS DISTINCT FROM (NEW.collector_id, NEW.status, NEW.status_date, NEW.sign_date, NEW.cutover_date))
     EXECUTE FUNCTION zq_report_snapshot_queue()`,
  // the one change allowed to a state row: closing the current one (valid_to from NULL to a night on or after its start)
  `CREATE FUNCTION zq_report_state_close_only() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP = 'UPDATE' AND OLD.valid_to IS NULL AND NEW.valid_to IS NOT NULL
        AND to_jsonb(NEW) - 'valid_to' = to_jsonb(OLD) - 'valid_to' THEN
       RETURN NEW;
     END IF;
     RAISE EXCEPTION '% keeps the nights already reported: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
   END
   $$`,
  `CREATE TRIGGER report_line_states_close_only BEFORE UPDATE OR DELETE ON report_line_states
     FOR EACH ROW EXECUTE FUNCTION zq_report_state_close_only()`,
  `CREATE TRIGGER report_contract_states_close_only BEFORE UPDATE OR DELETE ON report_contract_states
     FOR EACH ROW EXECUTE FUNCTION zq_report_state_close_only()`,
  `CREATE TRIGGER report_snapshots_append_only BEFORE UPDATE OR DELETE ON report_snapshots
     FOR EACH ROW EXECUTE FUNCTION zq_refuse_change()`,
  ...['report_snapshots', 'report_line_states', 'report_contract_states'].map(
    (t) => `CREATE TRIGGER ${t}_no_truncate BEFORE TRUNCATE ON ${t} FOR EACH STATEMENT EXECUTE FUNCTION zq_refuse_change()`,
  ),
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS contracts_report_snapshot_queue ON contracts');
  for (const t of ['report_line_states', 'report_contract_states', 'report_snapshots', 'report_snapshot_queue']) {
    await knex.raw(`DROP TABLE IF EXISTS ${t} CASCADE`);
  }
  await knex.raw('DROP FUNCTION IF EXISTS zq_report_snapshot_queue()');
  await knex.raw('DROP FUNCTION IF EXISTS zq_report_state_close_only()');
}
