// Period close (结账): a closed month accepts no posting whose value date falls inside it, enforced by the
// database (SQLSTATE ZQ002) as well as by the core (src/periods). A reopened month keeps its row with who
// reopened it and why; the full history is in the audit log.
import type { Knex } from 'knex';

const statements = [
  `CREATE TABLE periods (
    month text PRIMARY KEY CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    first_day date NOT NULL UNIQUE,
    last_day date NOT NULL,
    status text NOT NULL CHECK (status IN ('open', 'closed')),
    closed_by bigint REFERENCES users (id),
    closed_at timestamptz,
    reopened_by bigint REFERENCES users (id),
    reopened_at timestamptz,
    reopen_reason text,
    CHECK (first_day <= last_day),
    CHECK (status = 'open' OR closed_at IS NOT NULL)
  )`,
  // Statement-level, over the statement's new rows: one lookup per INSERT, not per posting (imports and the
  // batch insert thousands at a time).
  `CREATE FUNCTION zq_postings_period_guard() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE
     closed text;
     day date;
   BEGIN
     SELECT p.month, n.value_date INTO closed, day
       FROM new_postings n JOIN periods p ON p.status = 'closed' AND n.value_date BETWEEN p.first_day AND p.last_day
      LIMIT 1;
     IF FOUND THEN
       RAISE EXCEPTION 'period % is closed: no posting dated % is accepted (an admin may reopen it)', closed, day
         USING ERRCODE = 'ZQ002';
     END IF;
     RETURN NULL;
   END
   $$`,
  `CREATE TRIGGER postings_period_guard AFTER INSERT ON postings
     REFERENCING NEW TABLE AS new_postings FOR EACH STATEMENT EXECUTE FUNCTION zq_postings_period_guard()`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS postings_period_guard ON postings');
  await knex.raw('DROP FUNCTION IF EXISTS zq_postings_period_guard()');
  await knex.raw('DROP TABLE IF EXISTS periods');
}
