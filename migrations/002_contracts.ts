// Customers, machines and contracts. Dealers are namespaces: numbers are unique within a dealer.
import type { Knex } from 'knex';

const statements = [
  `CREATE TABLE customers (
    id bigserial PRIMARY KEY,
    dealer_id bigint NOT NULL REFERENCES dealers (id),
    name text NOT NULL CHECK (length(trim(name)) > 0),
    id_number text,
    phone text,
    address text,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (dealer_id, id_number)
  )`,
  `CREATE INDEX customers_name_phone ON customers (dealer_id, name, phone)`,
  `CREATE TABLE machines (
    id bigserial PRIMARY KEY,
    dealer_id bigint NOT NULL REFERENCES dealers (id),
    serial_no text NOT NULL CHECK (length(trim(serial_no)) > 0),
    model text NOT NULL,
    brand text,
    status text NOT NULL DEFAULT 'normal'
      CHECK (status IN ('normal', 'locked', 'repossessed', 'resold', 'scrapped')),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (dealer_id, serial_no)
  )`,
  `CREATE TABLE contracts (
    id bigserial PRIMARY KEY,
    dealer_id bigint NOT NULL REFERENCES dealers (id),
    contract_no text NOT NULL CHECK (length(trim(contract_no)) > 0),
    customer_id bigint NOT NULL REFERENCES customers (id),
    collector_id bigint REFERENCES users (id),
    sign_date date,
    contract_amount numeric(18,2) CHECK (contract_amount >= 0),
    down_payment numeric(18,2) NOT NULL DEFAULT 0 CHECK (down_payment >= 0),
    financed_amount numeric(18,2) CHECK (financed_amount >= 0),
    annual_rate numeric(20,10) CHECK (annual_rate >= 0),
    term_months integer CHECK (term_months > 0),
    method text NOT NULL DEFAULT 'custom'
      CHECK (method IN ('equal_installment', 'equal_principal', 'interest_free', 'custom')),
    first_due_date date,
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'settled', 'written_off')),
    status_date date,
    cutover_date date,
    financier text,
    held_by text NOT NULL DEFAULT 'dealer' CHECK (held_by IN ('dealer', 'financier')),
    note text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (dealer_id, contract_no),
    CHECK ((status = 'active') = (status_date IS NULL))
  )`,
  `CREATE INDEX contracts_customer ON contracts (customer_id)`,
  `CREATE INDEX contracts_collector ON contracts (collector_id)`,
  `CREATE INDEX contracts_contract_no ON contracts (contract_no)`,
  `CREATE TABLE contract_machines (
    contract_id bigint NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
    machine_id bigint NOT NULL REFERENCES machines (id),
    PRIMARY KEY (contract_id, machine_id)
  )`,
  `CREATE INDEX contract_machines_machine ON contract_machines (machine_id)`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['contract_machines', 'contracts', 'machines', 'customers']) {
    await knex.raw(`DROP TABLE IF EXISTS ${table} CASCADE`);
  }
}
