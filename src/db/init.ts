// `zq init`: create or migrate, then seed. Safe to run any number of times.
import { type Db, type DbConfig, type DbKind, openDatabase, resolveDbConfig } from './index.js';
import { migrateLatest, pendingMigrations } from './migrate.js';
import { type SeedResult, seed } from './seed.js';

export interface InitResult {
  kind: DbKind;
  location: string;
  migrationsApplied: string[];
  seed: SeedResult;
  /** The backup taken before migrating an existing embedded database (see beforeMigrate). */
  backup?: string | undefined;
}

/**
 * `beforeMigrate` runs on an existing embedded database that has migrations to run, before they run (the backup
 * module's copy into the folder's backups/); it returns what to report.
 */
export async function initDatabase(flags: DbConfig, beforeMigrate?: (db: Db, dataDir: string) => Promise<string>): Promise<InitResult> {
  const config = resolveDbConfig(flags);
  const db = await openDatabase(config, { requireMigrated: false, create: true });
  try {
    let backup: string | undefined;
    if (beforeMigrate && db.kind === 'pglite' && config.dataDir) {
      const { rows } = await db.knex.raw(`SELECT to_regclass('knex_migrations') IS NOT NULL AS made`);
      if (rows[0]?.made && (await pendingMigrations(db.knex)).length > 0) backup = await beforeMigrate(db, config.dataDir);
    }
    const migrationsApplied = await migrateLatest(db.knex);
    return { kind: db.kind, location: db.location, migrationsApplied, seed: await seed(db.knex), ...(backup ? { backup } : {}) };
  } finally {
    await db.close();
  }
}
