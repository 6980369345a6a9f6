// The archive (档案管理, issue 21 point 8): files attached to a contract, a customer, a machine, a document or a
// contact log. The bytes are stored once per content (archive_blobs, keyed by their SHA-256), in the database so
// that a backup, a transaction and the data scope cover them; each attachment is a row naming its owner, its
// dealer and (where the owner has one) its contract. Removing a file is a recorded act: the row keeps who removed
// it, when and why; the blob stays. Blobs are never changed or deleted.
import type { Knex } from 'knex';

const statements = [
  `CREATE TABLE archive_blobs (
    sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    bytes bytea NOT NULL,
    size bigint NOT NULL CHECK (size > 0 AND size = octet_length(bytes)),
    mime text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE TRIGGER archive_blobs_append_only BEFORE UPDATE OR DELETE ON archive_blobs
     FOR EACH ROW EXECUTE FUNCTION zq_refuse_change()`,
  `CREATE TABLE attachments (
    id bigserial PRIMARY KEY,
    owner_kind text NOT NULL CHECK (owner_kind IN ('contract', 'customer', 'machine', 'document', 'contact_log')),
    owner_id bigint NOT NULL,
    dealer_id bigint NOT NULL REFERENCES dealers (id),
    contract_id bigint REFERENCES contracts (id),
    sha256 text NOT NULL REFERENCES archive_blobs (sha256),
    file_name text NOT NULL CHECK (length(trim(file_name)) > 0),
    kind text NOT NULL,
    mime text NOT NULL,
    size bigint NOT NULL CHECK (size > 0),
    added_by bigint NOT NULL REFERENCES users (id),
    added_at timestamptz NOT NULL DEFAULT now(),
    removed_at timestamptz,
    removed_by bigint REFERENCES users (id),
    removal_reason text,
    CHECK ((removed_at IS NULL) = (removed_by IS NULL) AND (removed_at IS NULL) = (removal_reason IS NULL))
  )`,
  `CREATE INDEX attachments_owner ON attachments (owner_kind, owner_id)`,
  `CREATE INDEX attachments_contract ON attachments (contract_id)`,
  `CREATE INDEX attachments_sha256 ON attachments (sha256)`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS attachments');
  await knex.raw('DROP TABLE IF EXISTS archive_blobs');
}
