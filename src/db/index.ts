// Opening a database: the embedded PGlite (default, one process at a time) or a PostgreSQL server by URL.
// Both speak PostgreSQL; the same migrations and queries run on both (DESIGN.md "Data").
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import knexPkg, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import pg from 'pg';
import { DatabaseUnavailable } from '../core/errors.js';
import { type FolderLock, lockFolder } from './lock.js';
import { pendingMigrations } from './migrate.js';
import { findShare, type ShareInfo, shareDatabase } from './share.js';

const { knex } = knexPkg;

export type DbKind = 'pglite' | 'postgres';
export type Tx = Knex.Transaction;

export interface DbConfig {
  dataDir?: string | undefined;
  databaseUrl?: string | undefined;
}

export interface Db {
  knex: Knex;
  kind: DbKind;
  /** The folder or the URL (without password), for messages. */
  location: string;
  /**
   * An embedded database folder reached through `zq serve`'s socket (src/db/share.ts): SQL as on a server, but
   * one PGlite session behind it, so session advisory locks do not exclude each other (the batch's lock uses
   * the folder instead).
   */
  sharedFolder?: string;
  close(): Promise<void>;
}

export const DEFAULT_DATA_DIR = '.zq';
const PG_TYPE = { int8: 20, date: 1082 } as const;

// One behaviour for both drivers: bigint/count as a JS number (ids and counts stay far below 2^53),
// dates as 'YYYY-MM-DD' strings (never a Date shifted by a time zone), NUMERIC as a string (the default).
pg.types.setTypeParser(PG_TYPE.int8, (v) => Number.parseInt(v, 10));
pg.types.setTypeParser(PG_TYPE.date, (v) => v);
const PGLITE_PARSERS = {
  [PG_TYPE.int8]: (v: string) => Number.parseInt(v, 10),
  [PG_TYPE.date]: (v: string) => v,
};

/**
 * Where knex's own warnings go (it would write them, with stacks, through console): the CLI points them at its
 * log, so that `--log-format json` stays JSON. A connection that fails is not reported here: the caller gets the
 * error and reports it once.
 */
let warningSink: (message: string) => void = (message) => process.stderr.write(`zq: database warning: ${message}\n`);

export function onDatabaseWarning(sink: (message: string) => void): void {
  warningSink = sink;
}

const firstLine = (message: unknown) => String(message instanceof Error ? message.message : message).split('\n')[0] ?? '';
const KNEX_LOG: Knex.Logger = {
  warn: (message) => {
    if (!/^Acquire connection error/.test(String(message))) warningSink(firstLine(message));
  },
  error: (message) => warningSink(firstLine(message)),
  deprecate: (method, alternative) => warningSink(`${method} is deprecated, use ${alternative}`),
  debug: () => {},
};

/** Flags first, then ZQ_DATABASE_URL, DATABASE_URL, ZQ_DATA_DIR, then ./.zq. */
export function resolveDbConfig(flags: DbConfig, env: NodeJS.ProcessEnv = process.env): DbConfig {
  const databaseUrl = flags.databaseUrl ?? env.ZQ_DATABASE_URL ?? env.DATABASE_URL;
  if (databaseUrl && !flags.dataDir) return { databaseUrl };
  return { dataDir: flags.dataDir ?? env.ZQ_DATA_DIR ?? DEFAULT_DATA_DIR };
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

export interface OpenOptions {
  /** Refuse to open a database with pending migrations (every command but init). Default true. */
  requireMigrated?: boolean;
  /** An embedded database folder in use by another process: wait for it (`batch run --wait`) instead of refusing. */
  waitForFolder?: boolean;
  /** Create the embedded database when the folder holds none: only `zq init` and `zq demo` do. */
  create?: boolean;
  /** PostgreSQL: connections the pool may hold (default POOL_MAX; `zq serve` takes SERVE_POOL_MAX). */
  poolMax?: number;
}

/** Connections a command's pool holds at most: one command runs one thing at a time. */
export const POOL_MAX = 4;
/**
 * Connections `zq serve`'s pool holds at most on PostgreSQL: every page holds one for its read's transaction,
 * and with POOL_MAX 50 sessions at once queued behind four (issue 20: the contract list's p95 was seconds).
 */
export const SERVE_POOL_MAX = 16;

export async function openDatabase(config: DbConfig, options: OpenOptions = {}): Promise<Db> {
  const db = config.databaseUrl
    ? await openServer(config.databaseUrl, options.poolMax ?? POOL_MAX)
    : await openEmbedded(config.dataDir ?? DEFAULT_DATA_DIR, options.waitForFolder === true, options.create === true);
  if (options.requireMigrated ?? true) {
    try {
      // an empty server database is not a zq database yet: say so, and leave it as it is (knex would add its tables)
      const { rows } = await db.knex.raw(`SELECT to_regclass('knex_migrations') IS NOT NULL AS made`);
      if (!rows[0]?.made) throw new DatabaseUnavailable(`no database at ${db.location} — create one first`).suggest({ action: 'init' });
      const pending = await pendingMigrations(db.knex);
      if (pending.length > 0) {
        throw new DatabaseUnavailable(
          `the database at ${db.location} has ${pending.length} pending migration(s) (${pending.join(', ')}): it must be migrated first`,
        ).suggest({ action: 'init' });
      }
    } catch (err) {
      await db.close();
      throw err;
    }
  }
  return db;
}

async function openServer(url: string, poolMax: number): Promise<Db> {
  const instance = knex({ client: 'pg', connection: url, pool: { min: 0, max: poolMax }, log: KNEX_LOG });
  try {
    await instance.raw('select 1');
  } catch (err) {
    await instance.destroy();
    throw new DatabaseUnavailable(`cannot connect to PostgreSQL at ${redactUrl(url)}: ${(err as Error).message}`);
  }
  return { knex: instance, kind: 'postgres', location: redactUrl(url), close: () => instance.destroy() };
}

/** An embedded database in `dataDir` (PGlite's own files in dataDir/pgdata), or in memory with ':memory:'. */
export async function openEmbedded(dataDir: string, waitForFolder = false, create = true): Promise<Db> {
  const inMemory = dataDir === ':memory:';
  // a typo in --data-dir or a command run in the wrong folder must not leave a new empty database behind
  if (!inMemory && !create && !fs.existsSync(path.join(dataDir, 'pgdata', 'PG_VERSION'))) {
    throw new DatabaseUnavailable(`no database at ${dataDir} — create one first`).suggest({ action: 'init' });
  }
  let lock: FolderLock | undefined;
  if (!inMemory) {
    try {
      lock = await lockFolder(dataDir, false);
    } catch (err) {
      // held by `zq serve`: go through its socket; held by any other command: refuse, or wait for it
      const share = err instanceof DatabaseUnavailable ? findShare(dataDir) : null;
      if (share) return openShared(share, dataDir);
      if (!waitForFolder) throw err;
      lock = await lockFolder(dataDir, true);
    }
  }
  try {
    const pglite = new PGlite({
      ...(inMemory ? {} : { dataDir: path.join(dataDir, 'pgdata') }),
      parsers: PGLITE_PARSERS,
    });
    await pglite.waitReady;
    return wrapPglite(pglite, inMemory ? 'memory' : dataDir, lock);
  } catch (err) {
    await lock?.release();
    throw err;
  }
}

/** A connection pool to the PGlite that `zq serve` shares from `dataDir` (pg over its Unix socket). */
export async function openShared(share: ShareInfo, dataDir: string): Promise<Db> {
  const instance = knex({
    client: 'pg',
    connection: { host: share.dir, port: share.port, user: 'postgres', database: 'postgres' },
    pool: { min: 0, max: POOL_MAX },
    log: KNEX_LOG,
  });
  try {
    await instance.raw('select 1');
  } catch (err) {
    await instance.destroy();
    throw new DatabaseUnavailable(
      `cannot reach the database ${dataDir} shared by zq serve (process ${share.pid}): ${(err as Error).message}`,
    );
  }
  return {
    knex: instance,
    kind: 'postgres',
    location: `${dataDir} (shared by zq serve, process ${share.pid})`,
    sharedFolder: dataDir,
    close: () => instance.destroy(),
  };
}

/**
 * `zq serve` on an embedded folder: takes the folder's lock, opens its PGlite and shares it (src/db/share.ts);
 * the returned database is the server's own connection through the share, and closing it stops the share, closes
 * PGlite and lets go of the folder.
 */
export async function serveEmbedded(dataDir: string): Promise<Db> {
  const local = await openDatabase({ dataDir }, { requireMigrated: true });
  const pglite = (local as Db & { pglite?: PGlite }).pglite;
  if (!pglite) {
    await local.close();
    throw new DatabaseUnavailable(`the database folder ${dataDir} is already served by ${local.location}`);
  }
  let share: Awaited<ReturnType<typeof shareDatabase>> | undefined;
  let shared: Db | undefined;
  try {
    share = await shareDatabase(pglite, dataDir);
    shared = await openShared(share.info, dataDir);
  } catch (err) {
    await share?.stop();
    await local.close();
    throw err;
  }
  const via = shared;
  const stopping = share;
  return {
    ...via,
    location: dataDir,
    close: async () => {
      await via.close();
      await stopping.stop();
      await local.close();
    },
  };
}

/** A knex over an already-open PGlite instance (tests load a migrated snapshot this way). */
export function wrapPglite(pglite: PGlite, location: string, lock?: FolderLock): Db & { pglite: PGlite } {
  const instance = knex({
    client: ClientPgLite as unknown as typeof knexPkg.Client,
    dialect: 'postgres',
    connection: () => ({ pglite }) as unknown as Knex.StaticConnectionConfig,
    log: KNEX_LOG,
  });
  return {
    knex: instance,
    kind: 'pglite',
    location,
    pglite,
    close: async () => {
      await instance.destroy();
      if (!pglite.closed) await pglite.close();
      await lock?.release();
    },
  };
}

/** Run fn in one SQL transaction: everything a command writes lands together or not at all. */
export function transaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.knex.transaction(fn);
}
