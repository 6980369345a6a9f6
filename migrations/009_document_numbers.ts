// Document numbers: one counter per document type, taken with UPDATE … RETURNING so that concurrent
// documents never share a number (documents.number is UNIQUE per type).
import type { Knex } from 'knex';

const statements = [
  `CREATE TABLE document_counters (
    type text PRIMARY KEY CHECK (type ~ '^[a-z][a-z_]{0,39}$'),
    last_value bigint NOT NULL CHECK (last_value >= 0)
  )`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS document_counters');
}
