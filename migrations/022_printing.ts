// Printing (issue 19): the dealer's letterhead details (address, phone, the bank and account customers pay into)
// and the print history of receipt vouchers (收据): each print is a row, the first is the original and every
// later one a reprint (补打) with its copy number. The history is append-only like the audit log.
import type { Knex } from 'knex';

const statements = [
  `ALTER TABLE dealers ADD COLUMN address text`,
  `ALTER TABLE dealers ADD COLUMN phone text`,
  `ALTER TABLE dealers ADD COLUMN bank_name text`,
  `ALTER TABLE dealers ADD COLUMN bank_account text`,
  `CREATE TABLE document_prints (
    id bigserial PRIMARY KEY,
    document_id bigint NOT NULL REFERENCES documents (id),
    dealer_id bigint NOT NULL REFERENCES dealers (id),
    copy integer NOT NULL CHECK (copy >= 1),
    -- the document's status when printed: a reversed receipt prints 作废
    status text NOT NULL,
    printed_by bigint NOT NULL REFERENCES users (id),
    printed_at timestamptz NOT NULL DEFAULT now(),
    file text,
    UNIQUE (document_id, copy)
  )`,
  `CREATE TRIGGER document_prints_append_only BEFORE UPDATE OR DELETE ON document_prints
     FOR EACH ROW EXECUTE FUNCTION zq_refuse_change()`,
  `CREATE TRIGGER document_prints_no_truncate BEFORE TRUNCATE ON document_prints
     FOR EACH STATEMENT EXECUTE FUNCTION zq_refuse_change()`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS document_prints');
  for (const column of ['bank_account', 'bank_name', 'phone', 'address']) {
    await knex.raw(`ALTER TABLE dealers DROP COLUMN IF EXISTS ${column}`);
  }
}
