// The dealers an import concerns, one row each: `zq import list` and `zq import show` are scoped by them (a
// dealer's staff see the imports of their dealer only; an import that touched another dealer is a group matter).
// imports.dealer_id names only the --dealer of the whole file, so a ledger with a 经销商 column had none.
// Past imports are attributed from what they left: --dealer, their receipt keys, their contracts' audit rows,
// their changes (keyed "DEALER/contract") and, failing all, the dealer of the user who ran them.
import type { Knex } from 'knex';

const statements = [
  `CREATE TABLE import_dealers (
    import_id bigint NOT NULL REFERENCES imports (id),
    dealer_id bigint NOT NULL REFERENCES dealers (id),
    PRIMARY KEY (import_id, dealer_id)
  )`,
  `CREATE INDEX import_dealers_dealer ON import_dealers (dealer_id, import_id)`,
  `INSERT INTO import_dealers (import_id, dealer_id)
   SELECT id, dealer_id FROM imports WHERE dealer_id IS NOT NULL
   UNION SELECT import_id, dealer_id FROM import_keys
   UNION SELECT (details->>'importId')::bigint, dealer_id FROM audit_log
          WHERE entity = 'contract' AND action = 'import' AND dealer_id IS NOT NULL AND details->>'importId' IS NOT NULL
            AND (details->>'importId')::bigint IN (SELECT id FROM imports)
   UNION SELECT ch.import_id, d.id FROM import_changes ch JOIN dealers d ON d.code = split_part(ch.entity_key, '/', 1)
          WHERE position('/' IN ch.entity_key) > 0
   ON CONFLICT DO NOTHING`,
  `INSERT INTO import_dealers (import_id, dealer_id)
   SELECT i.id, u.dealer_id FROM imports i JOIN users u ON u.id = i.actor_id
    WHERE u.dealer_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM import_dealers x WHERE x.import_id = i.id)`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS import_dealers');
}
