// The audit trail: one row per mutation, written in the same transaction; append-only.
import type { Knex } from 'knex';

const statements = [
  `CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    actor_id bigint REFERENCES users (id),
    actor text NOT NULL,
    action text NOT NULL,
    entity text NOT NULL,
    entity_id text,
    dealer_id bigint REFERENCES dealers (id),
    document_id bigint REFERENCES documents (id),
    details jsonb NOT NULL DEFAULT '{}'::jsonb
  )`,
  `CREATE INDEX audit_log_document ON audit_log (document_id)`,
  `CREATE INDEX audit_log_actor_at ON audit_log (actor_id, at)`,
  `CREATE INDEX audit_log_entity ON audit_log (entity, entity_id)`,
  `CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
     FOR EACH ROW EXECUTE FUNCTION zq_refuse_change()`,
  `CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
     FOR EACH STATEMENT EXECUTE FUNCTION zq_refuse_change()`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS audit_log CASCADE');
}
