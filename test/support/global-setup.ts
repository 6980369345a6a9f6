// Once per `npm test`: a migrated, seeded embedded database saved as a snapshot (each test file loads it in
// about a second instead of running initdb and the migrations), and, when ZQ_TEST_DATABASE_URL is set, a
// template database on the server from which each test file clones its own database.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { TestProject } from 'vitest/node';
import { openDatabase, wrapPglite } from '../../src/db/index.js';
import { migrateLatest } from '../../src/db/migrate.js';
import { seed } from '../../src/db/seed.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteSnapshot: string;
    pgTemplate: string | null;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zq-test-'));
  const pglite = new PGlite();
  const db = wrapPglite(pglite, 'memory');
  await migrateLatest(db.knex);
  await seed(db.knex);
  const dump = await pglite.dumpDataDir('none');
  const snapshot = path.join(dir, 'snapshot.tar');
  fs.writeFileSync(snapshot, Buffer.from(await dump.arrayBuffer()));
  await db.close();
  project.provide('pgliteSnapshot', snapshot);

  const url = process.env.ZQ_TEST_DATABASE_URL;
  let template: string | null = null;
  if (url) {
    template = `zq_test_template_${process.pid}`;
    const server = await openDatabase({ databaseUrl: url }, { requireMigrated: false });
    await server.knex.raw(`DROP DATABASE IF EXISTS ${template}`);
    await server.knex.raw(`CREATE DATABASE ${template}`);
    await server.close();
    const target = new URL(url);
    target.pathname = `/${template}`;
    const tdb = await openDatabase({ databaseUrl: target.toString() }, { requireMigrated: false });
    await migrateLatest(tdb.knex);
    await seed(tdb.knex);
    await tdb.close();
  }
  project.provide('pgTemplate', template);

  return async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    if (url && template) {
      const server = await openDatabase({ databaseUrl: url }, { requireMigrated: false });
      await server.knex.raw(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
      await server.close();
    }
  };
}
