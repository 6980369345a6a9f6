// Each line carries what its postings have paid of its amount (paid: allocations, opening paid and credit applied,
// reversals net, whatever their value date) and the value date of the latest of them (paid_last). A full
// recomputation of the penalty segments drops the lines paid in full on time before any other work; summing every
// posting of the ledger per line to tell them apart was a third of it. The postings keep the figures up to date
// (they are append-only, so an insert is the only change), and the nightly reconciliation checks the cache against
// the postings (src/batch/reconcile.ts, line_paid_cached).
import type { Knex } from 'knex';

/** The kinds that pay a line's amount: src/penalty/inputs.ts BASE_PAID_KINDS, as of this migration. */
const BASE_PAID = `'allocation', 'opening_paid', 'credit_application'`;
/** Every column of a line but the cache: a change to one of them is a schedule change the batch must see. */
const LINE_COLUMNS = 'contract_id, version, retired_version, seq, receivable_type, due_date, amount_due';
const prefixed = (alias: string) => LINE_COLUMNS.replace(/(\w+)/g, `${alias}.$1`);

const statements = [
  'ALTER TABLE schedule_lines ADD COLUMN paid numeric(18,2) NOT NULL DEFAULT 0, ADD COLUMN paid_last date',
  `UPDATE schedule_lines l SET paid = x.total, paid_last = x.last
     FROM (SELECT schedule_line_id, sum(signed_amount) AS total, max(value_date) AS last FROM postings
           WHERE schedule_line_id IS NOT NULL AND kind IN (${BASE_PAID}) GROUP BY schedule_line_id) x
    WHERE l.id = x.schedule_line_id`,
  // One UPDATE per statement that writes postings, whatever the number of rows. A writer that has set the figures
  // of the lines itself says so for the transaction (zq.line_paid_set): an import writing a new contract's lines
  // with their opening paid amount, where updating the million lines it had just written doubled its time. The
  // reconciliation would report a line whose figures it got wrong.
  `CREATE FUNCTION zq_line_paid() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF current_setting('zq.line_paid_set', true) = 'on' THEN
       RETURN NULL;
     END IF;
     UPDATE schedule_lines l SET paid = l.paid + n.total, paid_last = greatest(l.paid_last, n.last)
       FROM (SELECT schedule_line_id, sum(signed_amount) AS total, max(value_date) AS last FROM new_postings
             WHERE schedule_line_id IS NOT NULL AND kind IN (${BASE_PAID}) GROUP BY schedule_line_id) n
      WHERE l.id = n.schedule_line_id;
     RETURN NULL;
   END
   $$`,
  `CREATE TRIGGER postings_line_paid AFTER INSERT ON postings
     REFERENCING NEW TABLE AS new_postings FOR EACH STATEMENT EXECUTE FUNCTION zq_line_paid()`,
  // The lines' update trigger queued every updated line for the batch, through a transition table of them all; an
  // update of the cache alone is no schedule change (the posting that made it is queued already). A row trigger
  // with a condition is not even called for those, and queues the lines whose other columns changed.
  'DROP TRIGGER schedule_lines_penalty_dirty_update ON schedule_lines',
  `CREATE FUNCTION zq_penalty_dirty_line_change() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     INSERT INTO penalty_dirty (reason, line_id, contract_id) VALUES ('line', NEW.id, NEW.contract_id);
     RETURN NULL;
   END
   $$`,
  `CREATE TRIGGER schedule_lines_penalty_dirty_update AFTER UPDATE ON schedule_lines
     FOR EACH ROW WHEN ((${prefixed('OLD')}) IS DISTINCT FROM (${prefixed('NEW')}))
     EXECUTE FUNCTION zq_penalty_dirty_line_change()`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS postings_line_paid ON postings');
  await knex.raw('DROP FUNCTION IF EXISTS zq_line_paid()');
  await knex.raw('DROP TRIGGER IF EXISTS schedule_lines_penalty_dirty_update ON schedule_lines');
  await knex.raw('DROP FUNCTION IF EXISTS zq_penalty_dirty_line_change()');
  await knex.raw(`CREATE TRIGGER schedule_lines_penalty_dirty_update AFTER UPDATE ON schedule_lines
     REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION zq_penalty_dirty_lines()`);
  await knex.raw('ALTER TABLE schedule_lines DROP COLUMN paid, DROP COLUMN paid_last');
}
