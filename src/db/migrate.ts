// Migrations live in migrations/ (forward-only, never edited once landed). Compiled, they run from
// dist/migrations/*.js; under vitest, from migrations/*.ts. Names are stored without the extension so
// both forms are the same migration.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Knex } from 'knex';

const here = path.dirname(fileURLToPath(import.meta.url));
const ownExtension = path.extname(fileURLToPath(import.meta.url)); // .js compiled, .ts under vitest
export const MIGRATIONS_DIR = path.resolve(here, '..', '..', 'migrations');

interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down?(knex: Knex): Promise<void>;
}

/** The code's migrations, oldest first. */
export function knownMigrations(): string[] {
  return fs
    .readdirSync(MIGRATIONS_DIR)
    .filter((f) => f.endsWith(ownExtension) && !f.endsWith(`.d${ownExtension}`) && /^\d{3}_/.test(f))
    .map((f) => f.slice(0, -ownExtension.length))
    .sort();
}

const source: Knex.MigrationSource<string> = {
  async getMigrations() {
    return knownMigrations();
  },
  getMigrationName(name) {
    return name;
  },
  async getMigration(name) {
    const mod = (await import(pathToFileURL(path.join(MIGRATIONS_DIR, name + ownExtension)).href)) as MigrationModule;
    return { up: mod.up, down: mod.down ?? (async () => {}) };
  },
};

const config: Knex.MigratorConfig = { migrationSource: source, tableName: 'knex_migrations' };

export async function migrateLatest(knex: Knex): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest(config)) as [number, string[]];
  return applied;
}

/** Migrates up to `last` and no further (a restore recreates the schema its backup was taken at). */
export async function migrateTo(knex: Knex, last: string): Promise<string[]> {
  const upTo: Knex.MigrationSource<string> = { ...source, getMigrations: async () => knownMigrations().filter((m) => m <= last) };
  const [, applied] = (await knex.migrate.latest({ ...config, migrationSource: upTo })) as [number, string[]];
  return applied;
}

export async function pendingMigrations(knex: Knex): Promise<string[]> {
  const [, pending] = (await knex.migrate.list(config)) as [unknown, { file: string }[] | string[]];
  return pending.map((p) => (typeof p === 'string' ? p : p.file));
}
