// `zq restore` and `zq backup verify`: a backup file (format.ts) into a new embedded folder or an empty
// PostgreSQL database. The whole file is checked before anything is written; the schema is rebuilt by the
// migrations up to the one the backup was taken at, the rows loaded in one transaction (triggers and foreign-key
// checks held off while loading: the rows are a consistent copy already), the sequences set, and the restored
// rows compared with the figures the backup recorded before that transaction commits. Migrations the code has
// beyond the backup's run after it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import type { Knex } from 'knex';
import { BadInput, Refused } from '../core/errors.js';
import { type Db, type DbConfig, type DbKind, openDatabase } from '../db/index.js';
import { knownMigrations, migrateLatest, migrateTo } from '../db/migrate.js';
import { storedColumns } from './dump.js';
import { collectFigures, compareFigures, dataTables, type Figures, quoteIdent, type Summary } from './figures.js';
import { type BackupHeader, checkBackupFile, HEADER_BYTES } from './format.js';

/** Rows per INSERT, and the most text one carries. */
const BATCH_ROWS = 5000;
const BATCH_CHARS = 4_000_000;

export interface RestoreResult {
  kind: DbKind;
  location: string;
  backup: { takenAt: string; kind: DbKind; lastMigration: string; sha256: string };
  /** Migrations the code has beyond the backup's, run after the restore. */
  migrationsApplied: string[];
  restored: Summary;
}

function checkKnownSchema(file: string, header: BackupHeader): void {
  const known = knownMigrations();
  if (!known.includes(header.lastMigration)) {
    throw new BadInput(
      'FILE',
      file,
      `a backup taken at a migration this zq knows (it was taken at ${header.lastMigration}; this zq's last is ${known.at(-1)}: restore it with the zq that took it, or a newer one)`,
    );
  }
}

function isEmptyFolder(dir: string): boolean {
  try {
    return fs.readdirSync(dir).length === 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
}

async function refuseNonEmptyServer(db: Db): Promise<void> {
  const { rows } = await db.knex.raw(
    `SELECT count(*)::bigint AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S')`,
  );
  if (Number(rows[0].n) > 0) {
    throw new Refused(`the database at ${db.location} is not empty: restore into a new, empty database`);
  }
}

/** Loads the content's rows into the migrated, empty target; returns the figures of what it loaded. */
async function load(tx: Knex.Transaction, file: string): Promise<Figures> {
  await tx.raw(`SET LOCAL session_replication_role = replica`);
  await tx.raw(`SET LOCAL datestyle = 'ISO, YMD'`);
  await tx.raw(`SET LOCAL intervalstyle = 'postgres'`);
  // rows the migrations seeded come back with the backup's own
  const tables = await dataTables(tx);
  if (tables.length > 0) await tx.raw(`TRUNCATE ${tables.map(quoteIdent).join(', ')}`);
  const input = fs.createReadStream(file, { start: HEADER_BYTES }).pipe(zlib.createGunzip());
  let insert = '';
  let batch: string[] = [];
  let chars = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await tx.raw(insert, [`[${batch.join(',')}]`]);
    batch = [];
    chars = 0;
  };
  let ended = false;
  for await (const line of readline.createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
    if (line.startsWith('[')) {
      batch.push(line);
      chars += line.length;
      if (batch.length >= BATCH_ROWS || chars >= BATCH_CHARS) await flush();
      continue;
    }
    await flush();
    const entry = JSON.parse(line) as { table?: string; columns?: string[]; sequences?: [string, string | null][]; end?: true };
    if (entry.table && entry.columns) {
      const types = new Map((await storedColumns(tx, entry.table)).map((c) => [c.name, c.type]));
      const casts = entry.columns.map((c, i) => {
        const type = types.get(c);
        if (!type) throw new Refused(`the backup's table ${entry.table} has a column ${c} that the restored schema lacks`);
        return `(e->>${i})::${type}`;
      });
      insert = `INSERT INTO ${quoteIdent(entry.table)} (${entry.columns.map(quoteIdent).join(', ')}) SELECT ${casts.join(', ')} FROM json_array_elements(?::json) AS e`;
    } else if (entry.sequences) {
      for (const [name, value] of entry.sequences) {
        if (value === null) await tx.raw(`ALTER SEQUENCE ${quoteIdent(name)} RESTART`);
        else await tx.raw('SELECT setval(?::regclass, ?::bigint, true)', [quoteIdent(name), value]);
      }
    } else if (entry.end) {
      ended = true;
    }
  }
  if (!ended) throw new Refused(`the backup ${file} ends before its end line`);
  return collectFigures(tx);
}

/** pg_restore of a --pg-dump backup's content into the empty database at `url`, in one transaction. */
async function pgRestore(file: string, url: string): Promise<void> {
  const child = spawn('pg_restore', ['--no-owner', '--no-privileges', '--single-transaction', '--exit-on-error', '--dbname', url], {
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<number>((resolve) => child.once('close', (code) => resolve(code ?? 1)));
  try {
    // a tool that is not installed fails to start: said so, before anything is piped
    await new Promise((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Refused(`pg_restore is not installed here: install the PostgreSQL client of the server's version to restore ${file}`);
    }
    throw err;
  }
  await pipeline(fs.createReadStream(file, { start: HEADER_BYTES }), child.stdin);
  const code = await exited;
  if (code !== 0) throw new Refused(`pg_restore failed (exit ${code}): ${stderr.trim().split('\n')[0] ?? ''}`);
}

/** A --pg-dump backup restores onto a server only (pg_restore). */
function checkTargetForContent(file: string, header: BackupHeader, target: DbConfig): void {
  if (header.content === 'pg_dump' && target.databaseUrl === undefined) {
    throw new BadInput('--data-dir', target.dataDir, `--database-url of an empty PostgreSQL database: ${file} was taken with --pg-dump`);
  }
}

/** Restores into `target` (restore) — or, for verify, into a temporary folder; `migrate` runs the code's later migrations. */
async function restoreInto(file: string, header: BackupHeader, target: DbConfig, migrate: boolean): Promise<RestoreResult> {
  let db: Db;
  const dir = target.dataDir;
  const created = dir !== undefined && !fs.existsSync(dir);
  if (dir !== undefined) {
    if (!isEmptyFolder(dir)) throw new Refused(`the folder ${dir} is not empty: restore into a new folder`);
    db = await openDatabase({ dataDir: dir }, { requireMigrated: false, create: true });
  } else {
    db = await openDatabase(target, { requireMigrated: false });
    try {
      await refuseNonEmptyServer(db);
    } catch (err) {
      await db.close();
      throw err;
    }
  }
  try {
    if (header.content === 'pg_dump') {
      await pgRestore(file, target.databaseUrl as string);
      const differences = compareFigures(header.figures, await collectFigures(db.knex));
      if (differences.length > 0) {
        throw new Refused(
          `the restored rows differ from the backup's figures (drop the database before another try): ${differences.join('; ')}`,
        );
      }
    } else {
      await migrateTo(db.knex, header.lastMigration);
      await db.knex.transaction(async (tx) => {
        const differences = compareFigures(header.figures, await load(tx, file));
        if (differences.length > 0) {
          throw new Refused(`the restored rows differ from the backup's figures: ${differences.join('; ')}`);
        }
      });
    }
    const migrationsApplied = migrate ? await migrateLatest(db.knex) : [];
    const restored = (await collectFigures(db.knex)).summary;
    await db.close();
    return {
      kind: db.kind,
      location: db.location,
      backup: { takenAt: header.takenAt, kind: header.kind, lastMigration: header.lastMigration, sha256: header.sha256 },
      migrationsApplied,
      restored,
    };
  } catch (err) {
    await db.close();
    if (dir !== undefined) {
      // the folder was new or empty: leave it as it was
      if (created) fs.rmSync(dir, { recursive: true, force: true });
      else for (const entry of fs.readdirSync(dir)) fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
    }
    throw err;
  }
}

/** `zq restore FILE --data-dir NEW | --database-url URL`. */
export async function restoreBackup(file: string, target: DbConfig): Promise<RestoreResult> {
  const header = await checkBackupFile(file);
  checkKnownSchema(file, header);
  checkTargetForContent(file, header, target);
  return restoreInto(file, header, target, true);
}

export interface VerifyResult {
  file: string;
  content: BackupHeader['content'];
  takenAt: string;
  kind: DbKind;
  lastMigration: string;
  seconds: number;
  sha256: string;
  tables: number;
  rows: number;
  restored: Summary;
  ledger: Figures['ledger'];
}

/** A temporary database on the server at `url` for verifying a --pg-dump backup; dropped after. */
async function withTemporaryServerDatabase<T>(url: string, fn: (url: string) => Promise<T>): Promise<T> {
  const name = `zq_verify_${process.pid}_${Date.now().toString(36)}`;
  const server = await openDatabase({ databaseUrl: url }, { requireMigrated: false });
  try {
    await server.knex.raw(`CREATE DATABASE ${name}`);
    const target = new URL(url);
    target.pathname = `/${name}`;
    try {
      return await fn(target.toString());
    } finally {
      await server.knex.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  } finally {
    await server.close();
  }
}

/**
 * `zq backup verify FILE`: restores into a temporary embedded folder (a --pg-dump backup: a temporary database on
 * the server `server` names) and compares; the temporary database is removed after.
 */
export async function verifyBackup(file: string, server?: string): Promise<VerifyResult> {
  const header = await checkBackupFile(file);
  checkKnownSchema(file, header);
  if (header.content === 'pg_dump' && server === undefined) {
    throw new BadInput(
      '--database-url',
      undefined,
      `a PostgreSQL server to verify ${file} on (taken with --pg-dump: a temporary database is made there and dropped)`,
    );
  }
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'zq-verify-'));
  try {
    const result =
      header.content === 'pg_dump'
        ? await withTemporaryServerDatabase(server as string, (url) => restoreInto(file, header, { databaseUrl: url }, false))
        : await restoreInto(file, header, { dataDir: path.join(temp, 'db') }, false);
    return {
      file,
      content: header.content,
      takenAt: header.takenAt,
      kind: header.kind,
      lastMigration: header.lastMigration,
      seconds: header.seconds,
      sha256: header.sha256,
      tables: header.tables.length,
      rows: header.tables.reduce((n, t) => n + t.rows, 0),
      restored: result.restored,
      ledger: header.figures.ledger,
    };
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
}
