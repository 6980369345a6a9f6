// The contract list under load (issue 20, speed): what its filters look up by index instead of reading every contract.
// - schedule_lines_unpaid: the lines not paid in full by their postings (schedule_lines.paid), by contract and due
//   date — the overdue filter's candidates (src/receivables/contracts.ts mayBeOverdue) probe it per contract;
//   schedule_lines_paid_last: the lines paid in full, by the date of their latest payment — those paid after an
//   as-of date may have been overdue on it (as of today: next to none).
// - The search (part of a customer's name or phone, a contract number, a machine serial) matches anywhere in the
//   text (ILIKE '%…%'), which a btree cannot serve: on PostgreSQL with the pg_trgm extension available (it ships
//   with PostgreSQL's contrib and is trusted: a database owner may create it) trigram GIN indexes serve it. PGlite
//   has no pg_trgm unless every process loads it, so there the search reads the contracts (an embedded ledger
//   is one machine's); the queries are the same on both.
import type { Knex } from 'knex';

const TRIGRAM_INDEXES = [
  `CREATE INDEX contracts_contract_no_trgm ON contracts USING gin (contract_no gin_trgm_ops)`,
  `CREATE INDEX customers_name_trgm ON customers USING gin (name gin_trgm_ops)`,
  `CREATE INDEX customers_phone_trgm ON customers USING gin (phone gin_trgm_ops)`,
  `CREATE INDEX machines_serial_no_trgm ON machines USING gin (serial_no gin_trgm_ops)`,
];

/** Whether pg_trgm is installed, or available and this user may create it in this database. */
async function trigramsAvailable(knex: Knex): Promise<boolean> {
  const { rows } = await knex.raw(
    `SELECT installed_version IS NOT NULL AS installed,
            has_database_privilege(current_database(), 'CREATE') AS may_create
       FROM pg_available_extensions WHERE name = 'pg_trgm'`,
  );
  const row = rows[0] as { installed: boolean; may_create: boolean } | undefined;
  return row !== undefined && (row.installed || row.may_create);
}

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE INDEX schedule_lines_unpaid ON schedule_lines (contract_id, due_date) WHERE paid < amount_due`);
  await knex.raw(`CREATE INDEX schedule_lines_paid_last ON schedule_lines (paid_last, due_date, contract_id) WHERE paid >= amount_due`);
  if (!(await trigramsAvailable(knex))) return;
  await knex.raw('CREATE EXTENSION IF NOT EXISTS pg_trgm');
  for (const sql of TRIGRAM_INDEXES) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  for (const name of ['contracts_contract_no_trgm', 'customers_name_trgm', 'customers_phone_trgm', 'machines_serial_no_trgm']) {
    await knex.raw(`DROP INDEX IF EXISTS ${name}`);
  }
  await knex.raw('DROP INDEX IF EXISTS schedule_lines_paid_last');
  await knex.raw('DROP INDEX IF EXISTS schedule_lines_unpaid');
}
