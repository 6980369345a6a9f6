// In-app notifications (issue 21 point 6): one row per user and event — a repossession approved, registered or
// disposed of — with its Chinese title and text and the contract, document and machine it concerns. A user reads
// only their own (`zq notification list`, /notifications); the unread count in the web header is a count over
// the partial index of unread rows. Repossession itself keeps its figures in its document (documents.data) and
// the machine's status history (025); it needs no table of its own.
import type { Knex } from 'knex';

const statements = [
  `CREATE TABLE notifications (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id),
    kind text NOT NULL CHECK (kind ~ '^[a-z][a-z_]{0,39}$'),
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body text NOT NULL DEFAULT '' CHECK (length(body) <= 2000),
    dealer_id bigint REFERENCES dealers (id),
    contract_id bigint REFERENCES contracts (id),
    document_id bigint REFERENCES documents (id),
    machine_id bigint REFERENCES machines (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at timestamptz
  )`,
  `CREATE INDEX notifications_user ON notifications (user_id, id DESC)`,
  `CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS notifications');
}
