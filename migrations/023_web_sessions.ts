// The web viewer's sessions (issue 20): one row per logged-in browser, keyed by the SHA-256 of the cookie's token
// (the token itself is never stored), with its CSRF token and the moments that decide idle and absolute expiry.
// A user's failed logins in a row and, after five, the moment the account may try again.
import type { Knex } from 'knex';

const statements = [
  `CREATE TABLE web_sessions (
    id text PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id),
    csrf_token text NOT NULL,
    created_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL
  )`,
  `CREATE INDEX web_sessions_user ON web_sessions (user_id)`,
  `ALTER TABLE users ADD COLUMN failed_logins integer NOT NULL DEFAULT 0`,
  `ALTER TABLE users ADD COLUMN locked_until timestamptz`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS web_sessions');
  await knex.raw('ALTER TABLE users DROP COLUMN IF EXISTS failed_logins');
  await knex.raw('ALTER TABLE users DROP COLUMN IF EXISTS locked_until');
}
