// Dealer codes are unique regardless of case: `hf01` beside `HF01` reads as the same dealer in every report and
// file. A database that already holds such a pair keeps the first-created code as it is and renames each later one
// to CODE-ID (still a valid code, and unique, since the id is): nothing is deleted, the rows keep their ids, and
// the admin sees the renamed codes in `zq dealer list`.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    `UPDATE dealers d
        SET code = left(d.code, 31 - length(d.id::text)) || '-' || d.id
      WHERE EXISTS (SELECT 1 FROM dealers e WHERE upper(e.code) = upper(d.code) AND e.id < d.id)`,
  );
  await knex.raw('CREATE UNIQUE INDEX dealers_code_upper ON dealers (upper(code))');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS dealers_code_upper');
}
