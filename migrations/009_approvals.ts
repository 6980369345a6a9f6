// The approval engine (审批流): admin-configured rules per document type, and one request per submitted
// document with its ordered steps. A request copies its rule's steps when it is made, so that changing the
// rules later never changes a flow under way (src/approvals).
import type { Knex } from 'knex';

const statements = [
  `CREATE TABLE approval_rules (
    id bigserial PRIMARY KEY,
    document_type text NOT NULL CHECK (document_type ~ '^[a-z][a-z_]{0,39}$'),
    position integer NOT NULL CHECK (position > 0),
    condition text NOT NULL DEFAULT '',
    steps jsonb NOT NULL CHECK (jsonb_typeof(steps) = 'array' AND jsonb_array_length(steps) > 0),
    note text,
    active boolean NOT NULL DEFAULT true,
    created_by bigint REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    removed_by bigint REFERENCES users (id),
    removed_at timestamptz,
    CHECK (active = (removed_at IS NULL))
  )`,
  `CREATE UNIQUE INDEX approval_rules_order ON approval_rules (document_type, position) WHERE active`,
  `CREATE TABLE approval_requests (
    id bigserial PRIMARY KEY,
    document_id bigint NOT NULL UNIQUE REFERENCES documents (id),
    rule_id bigint REFERENCES approval_rules (id),
    applicant_id bigint NOT NULL REFERENCES users (id),
    status text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    current_step integer CHECK (current_step > 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    decided_at timestamptz,
    CHECK ((status = 'pending') = (current_step IS NOT NULL)),
    CHECK ((status = 'pending') = (decided_at IS NULL))
  )`,
  `CREATE INDEX approval_requests_pending ON approval_requests (status) WHERE status = 'pending'`,
  `CREATE TABLE approval_steps (
    id bigserial PRIMARY KEY,
    request_id bigint NOT NULL REFERENCES approval_requests (id),
    seq integer NOT NULL CHECK (seq > 0),
    configured text NOT NULL,
    approver_kind text NOT NULL CHECK (approver_kind IN ('role', 'user', 'admin')),
    approver_role text REFERENCES roles (code),
    approver_user_id bigint REFERENCES users (id),
    note text,
    status text NOT NULL CHECK (status IN ('waiting', 'pending', 'approved', 'rejected', 'skipped')),
    decided_by bigint REFERENCES users (id),
    decided_at timestamptz,
    comment text,
    UNIQUE (request_id, seq),
    CHECK ((approver_kind = 'role') = (approver_role IS NOT NULL)),
    CHECK ((approver_kind = 'user') = (approver_user_id IS NOT NULL)),
    CHECK ((status IN ('approved', 'rejected')) = (decided_by IS NOT NULL)),
    CHECK (status <> 'rejected' OR length(trim(comment)) > 0)
  )`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['approval_steps', 'approval_requests', 'approval_rules']) await knex.raw(`DROP TABLE IF EXISTS ${table} CASCADE`);
}
