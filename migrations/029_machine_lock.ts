// Machine lock (锁机, issue 21): which provider carries a lock or unlock instruction out (per dealer, or the
// global default where dealer_id is NULL), whether a settled contract's locked machine is unlocked by itself,
// and one row per instruction sent (its id is the document number), with the provider's result.
import type { Knex } from 'knex';

const statements = [
  `CREATE TABLE machine_lock_settings (
    id bigserial PRIMARY KEY,
    dealer_id bigint REFERENCES dealers (id),
    provider text NOT NULL CHECK (provider IN ('manual', 'file-outbox')),
    outbox_dir text,
    unlock_on_settlement boolean NOT NULL DEFAULT false,
    updated_by bigint REFERENCES users (id),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (provider <> 'file-outbox' OR outbox_dir IS NOT NULL)
  )`,
  // one global row (dealer_id NULL) and one per dealer at most
  `CREATE UNIQUE INDEX machine_lock_settings_dealer ON machine_lock_settings ((coalesce(dealer_id, 0)))`,
  `CREATE TABLE machine_lock_instructions (
    id text PRIMARY KEY,
    document_id bigint NOT NULL UNIQUE REFERENCES documents (id),
    machine_id bigint NOT NULL REFERENCES machines (id),
    dealer_id bigint NOT NULL REFERENCES dealers (id),
    action text NOT NULL CHECK (action IN ('lock', 'unlock')),
    provider text NOT NULL CHECK (provider IN ('manual', 'file-outbox')),
    outbox_dir text,
    status text NOT NULL DEFAULT 'sent' CHECK (status IN ('sent', 'done', 'failed')),
    previous_status text NOT NULL,
    sent_at timestamptz NOT NULL DEFAULT now(),
    result_at timestamptz,
    result_by bigint REFERENCES users (id),
    result_message text
  )`,
  `CREATE INDEX machine_lock_instructions_machine ON machine_lock_instructions (machine_id, status)`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS machine_lock_instructions');
  await knex.raw('DROP TABLE IF EXISTS machine_lock_settings');
}
