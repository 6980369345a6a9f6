// `zq backup`: the whole database, consistent, into one file (format.ts). It reads through the Db that
// openDatabase returned — the embedded folder under its lock, a PostgreSQL server, or whatever shares the
// folder over a socket — in one REPEATABLE READ, READ ONLY transaction: every table as of one moment.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import type { Knex } from 'knex';
import { formatTimestamp } from '../core/dates.js';
import { BadInput, Refused } from '../core/errors.js';
import type { Db } from '../db/index.js';
import { collectFigures, dataTables, quoteIdent } from './figures.js';
import { type BackupHeader, encodeHeader, FORMAT_VERSION, HEADER_BYTES, type TableEntry } from './format.js';

const FETCH_ROWS = 2000;
/** Rows per fetch of a table with a bytea column (the archive's blobs, up to 20 MB each): one, to bound memory. */
const FETCH_ROWS_BYTEA = 1;
const OUT_EXPECTED = 'a file name in a folder that exists';

/** The target may be written: checked before anything is read or written. */
export function checkBackupTarget(target: string, force: boolean): void {
  if (target === '' || target.endsWith('/') || target.endsWith(path.sep)) throw new BadInput('out', target, OUT_EXPECTED);
  const folder = path.dirname(path.resolve(target));
  if (!isDirectory(folder) || isDirectory(target)) throw new BadInput('out', target, OUT_EXPECTED);
  try {
    fs.accessSync(folder, fs.constants.W_OK);
  } catch {
    throw new BadInput('out', target, `${OUT_EXPECTED} you may write to`);
  }
  if (!force && fs.existsSync(target)) throw new BadInput('out', target, 'a file that does not exist yet (--force to replace it)');
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Tables in an order where a table comes after those its foreign keys name (a cycle keeps the name order). */
async function inDependencyOrder(tx: Knex.Transaction, tables: string[]): Promise<string[]> {
  const { rows } = await tx.raw(
    `SELECT c.relname AS child, p.relname AS parent FROM pg_constraint k
       JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE k.contype = 'f' AND n.nspname = current_schema()`,
  );
  const parents = new Map<string, Set<string>>(tables.map((t) => [t, new Set<string>()]));
  for (const r of rows as { child: string; parent: string }[]) if (r.child !== r.parent) parents.get(r.child)?.add(r.parent);
  const ordered: string[] = [];
  const placed = new Set<string>();
  while (ordered.length < tables.length) {
    const ready = tables.filter((t) => !placed.has(t) && [...(parents.get(t) ?? [])].every((p) => placed.has(p) || !parents.has(p)));
    const next = ready.length > 0 ? ready : tables.filter((t) => !placed.has(t)).slice(0, 1);
    for (const t of next) {
      ordered.push(t);
      placed.add(t);
    }
  }
  return ordered;
}

/** The columns a restore writes: stored ones, generated columns aside (the target computes them). */
export async function storedColumns(q: Knex | Knex.Transaction, table: string): Promise<{ name: string; type: string }[]> {
  const { rows } = await q.raw(
    `SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute
      WHERE attrelid = ?::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum`,
    [quoteIdent(table)],
  );
  return rows as { name: string; type: string }[];
}

async function primaryKey(tx: Knex.Transaction, table: string): Promise<string[]> {
  const { rows } = await tx.raw(
    `SELECT a.attname AS name FROM pg_index i
       JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) ON true
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indrelid = ?::regclass AND i.indisprimary ORDER BY k.n`,
    [quoteIdent(table)],
  );
  return (rows as { name: string }[]).map((r) => r.name);
}

export interface BackupResult {
  file: string;
  header: BackupHeader;
}

/**
 * The server openDatabase connected to, as libpq's environment for pg_dump (the password stays out of its command
 * line, where `ps` would show it).
 */
function serverEnv(db: Db): NodeJS.ProcessEnv {
  const connection = (db.knex.client as { config: { connection?: unknown } }).config.connection;
  if (db.kind !== 'postgres' || typeof connection !== 'object' || connection === null) {
    throw new BadInput('pg-dump', true, 'a PostgreSQL database (--database-url): the embedded database is backed up in zq format');
  }
  const c = connection as Record<string, unknown>;
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [variable, key] of [
    ['PGHOST', 'host'],
    ['PGPORT', 'port'],
    ['PGUSER', 'user'],
    ['PGPASSWORD', 'password'],
    ['PGDATABASE', 'database'],
    ['PGSSLMODE', 'sslmode'],
  ] as const) {
    if (c[key] !== undefined && c[key] !== null) env[variable] = String(c[key]);
  }
  return env;
}

/** pg_dump of the snapshot `snapshot` in custom format, into `sink`; a missing pg_dump is said so. */
async function pgDump(env: NodeJS.ProcessEnv, snapshot: string, sink: NodeJS.WritableStream): Promise<void> {
  const child = spawn('pg_dump', ['--format=custom', `--snapshot=${snapshot}`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
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
      throw new Refused(
        "pg_dump is not installed here: install the PostgreSQL client of the server's version, or back up without --pg-dump",
      );
    }
    throw err;
  }
  await pipeline(child.stdout, sink, { end: false });
  const code = await exited;
  if (code !== 0) throw new Refused(`pg_dump failed (exit ${code}): ${stderr.trim().split('\n')[0] ?? ''}`);
}

/**
 * Writes the backup of `db` to `target` (through a `.partial` file beside it, renamed when complete). With
 * `pgDump` (PostgreSQL only) the content is pg_dump's custom format of the same snapshot the figures are read in.
 */
export async function takeBackup(db: Db, target: string, options: { force: boolean; pgDump?: boolean }): Promise<BackupResult> {
  checkBackupTarget(target, options.force);
  const server = options.pgDump ? serverEnv(db) : undefined;
  const started = Date.now();
  const partial = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.partial`);
  const file = fs.createWriteStream(partial, { flags: 'wx', start: HEADER_BYTES });
  try {
    const hash = createHash('sha256');
    let bytes = 0;
    const gzip = zlib.createGzip();
    const counting = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        bytes += chunk.length;
        done(null, chunk);
      },
    });
    const written = server ? pipeline(counting, file) : pipeline(gzip, counting, file);
    // awaited below; a failure before that (the file then destroyed) must not end the process unhandled
    written.catch(() => {});
    const write = async (text: string) => {
      if (!gzip.write(text)) await once(gzip, 'drain');
    };
    const content = await db.knex.transaction(
      async (tx) => {
        await tx.raw(`SET LOCAL datestyle = 'ISO, YMD'`);
        await tx.raw(`SET LOCAL intervalstyle = 'postgres'`);
        await tx.raw(`SET LOCAL extra_float_digits = 3`);
        const { rows: migrations } = await tx.raw('SELECT name FROM knex_migrations ORDER BY id');
        const figures = await collectFigures(tx);
        const tables: TableEntry[] = [];
        if (server) {
          const { rows } = await tx.raw('SELECT pg_export_snapshot() AS snapshot');
          await pgDump(server, rows[0].snapshot, counting);
          for (const [name, count] of Object.entries(figures.rows)) tables.push({ name, columns: [], rows: count });
          return { migrations: (migrations as { name: string }[]).map((m) => m.name), figures, tables, sequences: 0 };
        }
        for (const name of await inDependencyOrder(tx, await dataTables(tx))) {
          const stored = await storedColumns(tx, name);
          const columns = stored.map((c) => c.name);
          const fetchRows = stored.some((c) => c.type === 'bytea') ? FETCH_ROWS_BYTEA : FETCH_ROWS;
          await write(`${JSON.stringify({ table: name, columns })}\n`);
          const key = await primaryKey(tx, name);
          const values = columns.map((c) => `${quoteIdent(c)}::text`).join(', ');
          const order = key.length > 0 ? ` ORDER BY ${key.map(quoteIdent).join(', ')}` : '';
          await tx.raw(
            `DECLARE zq_backup NO SCROLL CURSOR FOR SELECT array_to_json(ARRAY[${values}]::text[])::text AS r FROM ${quoteIdent(name)}${order}`,
          );
          let count = 0;
          for (;;) {
            const { rows } = await tx.raw(`FETCH ${fetchRows} FROM zq_backup`);
            if (rows.length === 0) break;
            count += rows.length;
            await write(`${(rows as { r: string }[]).map((r) => r.r).join('\n')}\n`);
          }
          await tx.raw('CLOSE zq_backup');
          tables.push({ name, columns, rows: count });
        }
        const { rows: sequences } = await tx.raw(
          `SELECT sequencename AS name, last_value::text AS value FROM pg_sequences WHERE schemaname = current_schema() ORDER BY sequencename`,
        );
        await write(
          `${JSON.stringify({ sequences: (sequences as { name: string; value: string | null }[]).map((s) => [s.name, s.value]) })}\n`,
        );
        await write(`${JSON.stringify({ end: true })}\n`);
        return { migrations: (migrations as { name: string }[]).map((m) => m.name), figures, tables, sequences: sequences.length };
      },
      { isolationLevel: 'repeatable read', readOnly: true },
    );
    if (server) counting.end();
    else gzip.end();
    await written;
    const header: BackupHeader = {
      format: FORMAT_VERSION,
      content: server ? 'pg_dump' : 'zq',
      kind: db.kind,
      lastMigration: content.migrations.at(-1) ?? '',
      migrations: content.migrations,
      takenAt: formatTimestamp(new Date(started)),
      seconds: (Date.now() - started) / 1000,
      sha256: hash.digest('hex'),
      bytes,
      tables: content.tables,
      sequences: content.sequences,
      figures: content.figures,
    };
    const fd = fs.openSync(partial, 'r+');
    try {
      fs.writeSync(fd, encodeHeader(header), 0, HEADER_BYTES, 0);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    // checked again: a file that appeared at the target while the backup ran is not replaced without --force
    checkBackupTarget(target, options.force);
    fs.renameSync(partial, target);
    return { file: target, header };
  } catch (err) {
    // the file opens asynchronously: removed once it is closed, not before it is created
    const closed = file.closed ? Promise.resolve() : new Promise<void>((resolve) => file.once('close', () => resolve()));
    file.destroy();
    await closed;
    fs.rmSync(partial, { force: true });
    throw err;
  }
}
