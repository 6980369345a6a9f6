// Each test file gets its own database: the embedded snapshot loaded in memory, and, when
// ZQ_TEST_DATABASE_URL is set, a database cloned on the server from the migrated template.
import '../../src/app/document-types.js';
import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { type Actor, loadActor } from '../../src/access/actor.js';
import { type Db, type DbKind, openDatabase, wrapPglite } from '../../src/db/index.js';

export function databaseKinds(): DbKind[] {
  return inject('pgTemplate') ? ['pglite', 'postgres'] : ['pglite'];
}

let counter = 0;

export async function openTestDb(kind: DbKind): Promise<Db> {
  if (kind === 'pglite') {
    const blob = new Blob([fs.readFileSync(inject('pgliteSnapshot'))]);
    const pglite = new PGlite({ loadDataDir: blob, parsers: { 20: (v: string) => Number.parseInt(v, 10), 1082: (v: string) => v } });
    await pglite.waitReady;
    return wrapPglite(pglite, 'memory');
  }
  const url = process.env.ZQ_TEST_DATABASE_URL as string;
  const template = inject('pgTemplate') as string;
  const name = `zq_t_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const server = await openDatabase({ databaseUrl: url }, { requireMigrated: false });
  await server.knex.raw(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  await server.close();
  const target = new URL(url);
  target.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: target.toString() }, { requireMigrated: false });
  return {
    ...db,
    close: async () => {
      await db.close();
      const again = await openDatabase({ databaseUrl: url }, { requireMigrated: false });
      await again.knex.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await again.close();
    },
  };
}

export interface DbFixture {
  db: Db;
  admin: Actor;
}

/** describe() once per database kind, with a fresh database for the block. */
export function describeEachDb(name: string, body: (get: () => DbFixture) => void): void {
  for (const kind of databaseKinds()) {
    describe(`${name} [${kind}]`, () => {
      let fixture: DbFixture | undefined;
      beforeAll(async () => {
        const db = await openTestDb(kind);
        fixture = { db, admin: await loadActor(db.knex, 'admin') };
      });
      afterAll(async () => {
        await fixture?.db.close();
      });
      body(() => {
        if (!fixture) throw new Error('database not open yet');
        return fixture;
      });
    });
  }
}
