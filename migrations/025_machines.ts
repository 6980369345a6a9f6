// Financed machines (债权机管理, issue 21): the statuses of CLI.md (normal, lock_pending, locked,
// repossession_pending, repossessed, resold, released), the GPS device and last known location, and a dated
// history of every status change with the document that made it. Statuses change only through
// src/machines/status.ts, which the lock, unlock, repossession and disposition documents call.
import type { Knex } from 'knex';

const statements = [
  `ALTER TABLE machines DROP CONSTRAINT IF EXISTS machines_status_check`,
  // 'scrapped' was allowed by 002 but nothing ever set it; a machine no longer under receivable is 'released'.
  `UPDATE machines SET status = 'released' WHERE status = 'scrapped'`,
  `ALTER TABLE machines ADD CONSTRAINT machines_status_check CHECK (status IN
    ('normal', 'lock_pending', 'locked', 'repossession_pending', 'repossessed', 'resold', 'released'))`,
  `ALTER TABLE machines ADD COLUMN gps_device_id text`,
  `ALTER TABLE machines ADD COLUMN location text`,
  `ALTER TABLE machines ADD COLUMN location_at timestamptz`,
  `ALTER TABLE machines ADD COLUMN status_date date`,
  `CREATE INDEX machines_status ON machines (dealer_id, status)`,
  `CREATE TABLE machine_status_history (
    id bigserial PRIMARY KEY,
    machine_id bigint NOT NULL REFERENCES machines (id),
    from_status text,
    to_status text NOT NULL,
    effective_date date NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    document_id bigint REFERENCES documents (id),
    actor_id bigint REFERENCES users (id),
    note text,
    CHECK (from_status IS DISTINCT FROM to_status)
  )`,
  `CREATE INDEX machine_status_history_machine ON machine_status_history (machine_id, id)`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS machine_status_history');
  await knex.raw('DROP INDEX IF EXISTS machines_status');
  for (const column of ['gps_device_id', 'location', 'location_at', 'status_date'])
    await knex.raw(`ALTER TABLE machines DROP COLUMN IF EXISTS ${column}`);
  await knex.raw('ALTER TABLE machines DROP CONSTRAINT IF EXISTS machines_status_check');
  await knex.raw(`ALTER TABLE machines ADD CONSTRAINT machines_status_check CHECK (status IN
    ('normal', 'lock_pending', 'locked', 'repossession_pending', 'repossessed', 'resold', 'released', 'scrapped'))`);
}
