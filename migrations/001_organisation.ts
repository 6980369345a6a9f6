// The organisation: the group and its dealers (a tree), roles, users, and the receivable types.
import type { Knex } from 'knex';

const statements = [
  `CREATE TABLE dealers (
    id bigserial PRIMARY KEY,
    code text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$'),
    name text NOT NULL CHECK (length(trim(name)) > 0),
    kind text NOT NULL DEFAULT 'dealer' CHECK (kind IN ('group', 'region', 'dealer')),
    parent_id bigint REFERENCES dealers (id),
    allocation_strategy text NOT NULL DEFAULT 'by_installment'
      CHECK (allocation_strategy IN ('by_installment', 'principal_first')),
    province text,
    city text,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'group') = (parent_id IS NULL)),
    CHECK (parent_id IS NULL OR parent_id <> id)
  )`,
  `CREATE UNIQUE INDEX dealers_one_group ON dealers ((true)) WHERE kind = 'group'`,
  `CREATE INDEX dealers_parent ON dealers (parent_id)`,
  `CREATE TABLE roles (
    code text PRIMARY KEY CHECK (code ~ '^[a-z][a-z_]{0,31}$'),
    name_zh text NOT NULL,
    name_en text NOT NULL,
    scope text NOT NULL CHECK (scope IN ('group', 'dealer', 'own'))
  )`,
  `CREATE TABLE users (
    id bigserial PRIMARY KEY,
    username text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
    name text NOT NULL CHECK (length(trim(name)) > 0),
    dealer_id bigint REFERENCES dealers (id),
    reports_to bigint REFERENCES users (id),
    phone text,
    password_hash text,
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (reports_to IS NULL OR reports_to <> id)
  )`,
  `CREATE INDEX users_reports_to ON users (reports_to)`,
  `CREATE INDEX users_dealer ON users (dealer_id)`,
  `CREATE TABLE user_roles (
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role text NOT NULL REFERENCES roles (code),
    PRIMARY KEY (user_id, role)
  )`,
  `CREATE TABLE receivable_types (
    code text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{0,31}$'),
    name_zh text NOT NULL UNIQUE,
    name_en text NOT NULL,
    penalty_bearing boolean NOT NULL,
    allocation_priority integer NOT NULL CHECK (allocation_priority >= 0),
    is_system boolean NOT NULL DEFAULT false
  )`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['receivable_types', 'user_roles', 'users', 'roles', 'dealers']) {
    await knex.raw(`DROP TABLE IF EXISTS ${table} CASCADE`);
  }
}
