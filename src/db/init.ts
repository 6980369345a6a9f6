// `zq init`: create or migrate, then seed. Safe to run any number of times.
import { type DbConfig, type DbKind, openDatabase, resolveDbConfig } from './index.js';
import { migrateLatest } from './migrate.js';
import { type SeedResult, seed } from './seed.js';

export interface InitResult {
  kind: DbKind;
  location: string;
  migrationsApplied: string[];
  seed: SeedResult;
}

export async function initDatabase(flags: DbConfig): Promise<InitResult> {
  const db = await openDatabase(resolveDbConfig(flags), { requireMigrated: false, create: true });
  try {
    const migrationsApplied = await migrateLatest(db.knex);
    return { kind: db.kind, location: db.location, migrationsApplied, seed: await seed(db.knex) };
  } finally {
    await db.close();
  }
}
