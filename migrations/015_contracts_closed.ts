// The postings' contract guard (010_contract_posting_guard) looks for a settled or written-off contract among each
// statement's postings. Written as a join of the new postings to contracts by status, it read every contract for
// every statement that wrote postings (a fifth of the cost of writing a receipt's allocations on a ledger of 50,000
// contracts). Closed contracts are few: a partial index on them, and the guard's condition written so the planner
// can use it, make the check a lookup among those few.
import type { Knex } from 'knex';

const guard = (condition: string) => `CREATE OR REPLACE FUNCTION zq_postings_contract_guard() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE
     c record;
   BEGIN
     SELECT k.contract_no, k.status, k.status_date, n.kind INTO c
       FROM new_postings n JOIN contracts k ON k.id = n.contract_id
      WHERE ${condition}
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
   $$`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE INDEX contracts_closed ON contracts (id) WHERE status <> 'active'`);
  await knex.raw(guard(`k.status <> 'active' AND (k.status = 'settled' OR n.kind <> 'recovery')`));
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(guard(`k.status = 'settled' OR (k.status = 'written_off' AND n.kind <> 'recovery')`));
  await knex.raw('DROP INDEX IF EXISTS contracts_closed');
}
