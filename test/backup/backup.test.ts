// Backup and restore in-process, on both databases: awkward values come back exactly (text with newlines and
// quotes, NUMERIC digits, timestamps' microseconds, JSON, NULLs, the sequences); a backup taken at an older
// schema is restored at that schema and migrated after; init's backups before migrating keep the last N.
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, it } from 'vitest';
import { backupBeforeMigrate, backupsToKeep } from '../../src/backup/before-migrate.js';
import { takeBackup } from '../../src/backup/dump.js';
import { checkBackupFile, HEADER_BYTES } from '../../src/backup/format.js';
import { restoreBackup, verifyBackup } from '../../src/backup/restore.js';
import { BadInput, Refused } from '../../src/core/errors.js';
import { openDatabase, wrapPglite } from '../../src/db/index.js';
import { initDatabase } from '../../src/db/init.js';
import { knownMigrations, migrateTo } from '../../src/db/migrate.js';
import { seed } from '../../src/db/seed.js';
import { describeEachDb } from '../support/db.js';
import { tempDir } from '../support/zq.js';
import { allRows } from './rows.js';

const dirs: string[] = [];
const temp = () => {
  const dir = tempDir('zq-backup-');
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describeEachDb('backup and restore', (get) => {
  it('restores every row exactly, into a new embedded folder, and verify agrees', async () => {
    const { db } = get();
    const awkward = '第一行\n"引号" \'单引号\' \\ 反斜杠 \u2028 tab\tend';
    const group = await db.knex('dealers').where({ kind: 'group' }).first('id');
    await db.knex('dealers').insert({ code: 'AW01', name: awkward, kind: 'dealer', parent_id: group.id });
    await db.knex('audit_log').insert({
      actor: 'admin',
      action: 'test',
      entity: 'database',
      details: JSON.stringify({ amount: '12345678901234.56', text: awkward, nested: { a: [1, null] } }),
      at: db.knex.raw(`'2026-03-10 09:30:00.123456+08'::timestamptz`),
    });
    const dir = temp();
    const file = path.join(dir, 'a.zqb');
    const { header } = await takeBackup(db, file, { force: false });
    expect(header.kind).toBe(db.kind);
    expect(header.lastMigration).toBe(knownMigrations().at(-1));
    expect(header.figures.rows.dealers).toBe(2);
    expect(header.tables.find((t) => t.name === 'dealers')?.rows).toBe(2);
    // a table comes after the tables its foreign keys name
    const order = header.tables.map((t) => t.name);
    expect(order.indexOf('dealers')).toBeLessThan(order.indexOf('users'));
    expect(order.indexOf('contracts')).toBeLessThan(order.indexOf('postings'));
    expect(fs.readdirSync(dir)).toEqual(['a.zqb']);
    await expect(checkBackupFile(file)).resolves.toMatchObject({ sha256: header.sha256 });

    const target = path.join(dir, 'restored');
    const result = await restoreBackup(file, { dataDir: target });
    expect(result.migrationsApplied).toEqual([]);
    expect(result.restored).toEqual({ dealers: 1, contracts: 0, lines: 0, postings: 0, lastBatchDate: null });
    const restored = await openDatabase({ dataDir: target });
    try {
      expect(await allRows(restored)).toEqual(await allRows(db));
      const [{ details }] = await restored.knex('audit_log').where({ action: 'test' }).select('details');
      expect(details.text).toBe(awkward);
    } finally {
      await restored.close();
    }
    const verified = await verifyBackup(file);
    expect(verified.rows).toBe(header.tables.reduce((n, t) => n + t.rows, 0));
  });

  it.runIf(process.env.ZQ_TEST_DATABASE_URL)('restores into an empty PostgreSQL database, and refuses one that holds tables', async () => {
    const { db } = get();
    const file = path.join(temp(), 'pg.zqb');
    await takeBackup(db, file, { force: false });
    const url = process.env.ZQ_TEST_DATABASE_URL as string;
    const name = `zq_restore_${process.pid}_${db.kind}`;
    const server = await openDatabase({ databaseUrl: url }, { requireMigrated: false });
    await server.knex.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await server.knex.raw(`CREATE DATABASE ${name}`);
    const target = new URL(url);
    target.pathname = `/${name}`;
    try {
      const result = await restoreBackup(file, { databaseUrl: target.toString() });
      expect(result.kind).toBe('postgres');
      const restored = await openDatabase({ databaseUrl: target.toString() });
      try {
        expect(await allRows(restored)).toEqual(await allRows(db));
      } finally {
        await restored.close();
      }
      await expect(restoreBackup(file, { databaseUrl: target.toString() })).rejects.toThrow(/is not empty/);
    } finally {
      await server.knex.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await server.close();
    }
  });

  it('--pg-dump: pg_dump of the same snapshot on PostgreSQL, restored by pg_restore and verified on the server; refused on the embedded database', async () => {
    const { db } = get();
    const dir = temp();
    const file = path.join(dir, 'pg_dump.zqb');
    if (db.kind === 'pglite') {
      await expect(takeBackup(db, file, { force: false, pgDump: true })).rejects.toThrow(/pg-dump: true — expected a PostgreSQL database/);
      expect(fs.readdirSync(dir)).toEqual([]);
      return;
    }
    const { header } = await takeBackup(db, file, { force: false, pgDump: true });
    expect(header.content).toBe('pg_dump');
    await expect(restoreBackup(file, { dataDir: path.join(dir, 'folder') })).rejects.toThrow(/taken with --pg-dump/);
    expect(fs.existsSync(path.join(dir, 'folder'))).toBe(false);
    await expect(verifyBackup(file)).rejects.toThrow(/--database-url: missing/);
    const url = process.env.ZQ_TEST_DATABASE_URL as string;
    const verified = await verifyBackup(file, url);
    expect(verified.content).toBe('pg_dump');
    const name = `zq_pgrestore_${process.pid}`;
    const server = await openDatabase({ databaseUrl: url }, { requireMigrated: false });
    await server.knex.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await server.knex.raw(`CREATE DATABASE ${name}`);
    const target = new URL(url);
    target.pathname = `/${name}`;
    try {
      const result = await restoreBackup(file, { databaseUrl: target.toString() });
      expect(result.restored).toEqual(header.figures.summary);
      const restored = await openDatabase({ databaseUrl: target.toString() });
      try {
        expect(await allRows(restored)).toEqual(await allRows(db));
      } finally {
        await restored.close();
      }
    } finally {
      await server.knex.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await server.close();
    }
  });

  it('refuses an existing file without --force, and writes nothing', async () => {
    const { db } = get();
    const dir = temp();
    const file = path.join(dir, 'b.zqb');
    fs.writeFileSync(file, 'mine');
    await expect(takeBackup(db, file, { force: false })).rejects.toThrow(BadInput);
    expect(fs.readFileSync(file, 'utf8')).toBe('mine');
    expect(fs.readdirSync(dir)).toEqual(['b.zqb']);
    await takeBackup(db, file, { force: true });
    expect(fs.statSync(file).size).toBeGreaterThan(HEADER_BYTES);
    expect(fs.readdirSync(dir)).toEqual(['b.zqb']);
  });
});

describe('backup and restore across schema versions', () => {
  it('a backup taken at an older migration is restored at it and migrated after; one from a newer zq is refused', async () => {
    const previous = knownMigrations().at(-2) as string;
    const pglite = new PGlite({ parsers: { 20: (v: string) => Number.parseInt(v, 10), 1082: (v: string) => v } });
    const old = wrapPglite(pglite, 'memory');
    const dir = temp();
    const file = path.join(dir, 'old.zqb');
    try {
      await migrateTo(old.knex, previous);
      await seed(old.knex);
      await takeBackup(old, file, { force: false });
    } finally {
      await old.close();
    }
    const result = await restoreBackup(file, { dataDir: path.join(dir, 'new') });
    expect(result.backup.lastMigration).toBe(previous);
    expect(result.migrationsApplied).toEqual([knownMigrations().at(-1)]);

    // the same file claiming a migration this code does not know: refused before anything is written
    const newer = path.join(dir, 'newer.zqb');
    const text = fs.readFileSync(file);
    const block = text.subarray(0, HEADER_BYTES).toString('utf8');
    const json = block.split('\n')[1] as string;
    const { encodeHeader } = await import('../../src/backup/format.js');
    const header = JSON.parse(json);
    header.lastMigration = '999_from_the_future';
    fs.writeFileSync(newer, Buffer.concat([encodeHeader(header), text.subarray(HEADER_BYTES)]));
    await expect(restoreBackup(newer, { dataDir: path.join(dir, 'never') })).rejects.toThrow(/999_from_the_future/);
    expect(fs.existsSync(path.join(dir, 'never'))).toBe(false);
  });

  it('zq init backs up an embedded database that has migrations to run, keeping the last N', async () => {
    const dir = temp();
    const folder = path.join(dir, 'db');
    const db = await openDatabase({ dataDir: folder }, { requireMigrated: false, create: true });
    try {
      await migrateTo(db.knex, knownMigrations().at(-2) as string);
      await seed(db.knex);
      // two earlier backups and a file of the user's own in backups/
      await backupBeforeMigrate(db, folder, 5);
      await backupBeforeMigrate(db, folder, 5);
      fs.writeFileSync(path.join(folder, 'backups', 'keep-me.txt'), 'mine');
    } finally {
      await db.close();
    }
    const result = await initDatabase({ dataDir: folder }, async (open, dataDir) => (await backupBeforeMigrate(open, dataDir, 2)).file);
    expect(result.migrationsApplied).toEqual([knownMigrations().at(-1)]);
    expect(result.backup).toMatch(/backups\/before-migrate-\d{8}T\d{6}Z(-\d+)?\.zqb$/);
    const kept = fs.readdirSync(path.join(folder, 'backups')).sort();
    expect(kept.filter((f) => f.endsWith('.zqb'))).toHaveLength(2);
    expect(kept).toContain('keep-me.txt');
    expect(kept).toContain(path.basename(result.backup as string));
    // up to date: no backup
    const again = await initDatabase({ dataDir: folder }, async () => {
      throw new Error('no backup when nothing is pending');
    });
    expect(again.backup).toBeUndefined();
    // restore refuses the folder: it holds a database
    await expect(restoreBackup(result.backup as string, { dataDir: folder })).rejects.toThrow(Refused);
  });

  it('the number of backups to keep: --keep-backups, then ZQ_BACKUP_KEEP, then 5', () => {
    expect(backupsToKeep(undefined, {})).toBe(5);
    expect(backupsToKeep(undefined, { ZQ_BACKUP_KEEP: '30' })).toBe(30);
    expect(backupsToKeep('3', { ZQ_BACKUP_KEEP: '30' })).toBe(3);
    expect(() => backupsToKeep('0', {})).toThrow('keep-backups: "0" — expected a whole number of backups to keep, from 1');
    expect(() => backupsToKeep(undefined, { ZQ_BACKUP_KEEP: 'x' })).toThrow(/ZQ_BACKUP_KEEP/);
  });
});
