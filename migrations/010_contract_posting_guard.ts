// A settled contract accepts no posting, and a written-off one only recoveries (RULES.md "Settlement, waiver,
// bad debt"), enforced by the database as well as by the core (src/receivables). A settlement's reversal first
// makes the contract active again. SQLSTATE ZQ003 (the CLI shows the message with exit 2).
import type { Knex } from 'knex';

const statements = [
  // Statement-level over the statement's new rows: one join per INSERT rather than a lookup per posting.
  `CREATE FUNCTION zq_postings_contract_guard() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE
     c record;
   BEGIN
     SELECT k.contract_no, k.status, k.status_date, n.kind INTO c
       FROM new_postings n JOIN contracts k ON k.id = n.contract_id
      WHERE k.status = 'settled' OR (k.status = 'written_off' AND n.kind <> 'recovery')
      LIMIT 1;
     IF NOT FOUND THEN
       RETURN NULL;
     END IF;
     IF c.status = 'settled' THEN
       RAISE EXCEPTION 'contract % was settled on %: it accepts no posting (reverse the settlement first)', c.contract_no, c.status_date
         USING ERRCODE = 'ZQ003';
     END IF;
     RAISE EXCEPTION 'contract % was written off on %: it accepts only recoveries, not % postings', c.contract_no, c.status_date, c.kind
       USING ERRCODE = 'ZQ003';
   END
   $$`,
  `CREATE TRIGGER postings_contract_guard AFTER INSERT ON postings
     REFERENCING NEW TABLE AS new_postings FOR EACH STATEMENT EXECUTE FUNCTION zq_postings_contract_guard()`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS postings_contract_guard ON postings');
  await knex.raw('DROP FUNCTION IF EXISTS zq_postings_contract_guard()');
}
