// Only one batch at a time. On PostgreSQL a session advisory lock held on a connection of its own for the whole
// run: a second `zq batch run` is refused with a clear message (or waits with --wait), and the lock goes with
// the session if the process dies. The embedded database needs none: its folder takes one process at a time
// (src/db/lock.ts; with --wait a second run waits for the folder) and advisory locks never contend inside one
// PGlite session (STACK.md). Reached through `zq serve`'s socket (several processes, one PGlite session), the
// folder's own batch lock stands in for the advisory lock.
import os from 'node:os';
import type { Knex } from 'knex';
import { formatTimestamp } from '../core/dates.js';
import { Refused } from '../core/errors.js';
import type { Db } from '../db/index.js';
import { lockPurpose } from '../db/lock.js';

/** "zq batch" as a 64-bit advisory lock key. */
export const BATCH_LOCK_KEY = 7_220_513_301;

export interface BatchLock {
  release(): Promise<void>;
}

type Connection = unknown;
interface PoolClient {
  acquireConnection(): Promise<Connection>;
  releaseConnection(connection: Connection): Promise<void>;
}

export async function acquireBatchLock(db: Db, wait: boolean): Promise<BatchLock> {
  if (db.sharedFolder !== undefined) {
    // one PGlite session behind `zq serve`'s socket: an advisory lock would not exclude; the folder's batch lock does
    const lock = await lockPurpose(db.sharedFolder, 'batch', wait);
    if (!lock) {
      throw new Refused(
        `another batch run is in progress on ${db.sharedFolder}; it was left alone — try again later, or wait for it`,
      ).suggest({
        action: 'batch.run',
        input: { wait: true },
      });
    }
    return lock;
  }
  if (db.kind !== 'postgres') return { release: async () => {} };
  const client = (db.knex as unknown as { client: PoolClient }).client;
  const connection = await client.acquireConnection();
  const raw = (sql: string) => (db.knex.raw(sql, [BATCH_LOCK_KEY]) as Knex.Raw).connection(connection);
  try {
    // the session holding the lock names its zq process, so that a second run can say who holds it
    await (
      db.knex.raw(`SELECT set_config('application_name', ?, false)`, [`zq batch run (pid ${process.pid} on ${os.hostname()})`]) as Knex.Raw
    ).connection(connection);
    if (wait) {
      await raw('SELECT pg_advisory_lock(?)');
    } else {
      const result = await raw('SELECT pg_try_advisory_lock(?) AS ok');
      if (!result.rows[0].ok) {
        const holder = await raw(
          `SELECT a.pid, a.application_name, a.backend_start FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
           WHERE l.locktype = 'advisory' AND l.granted AND (l.classid::bigint << 32) + l.objid::bigint = ?`,
        );
        const h = holder.rows[0];
        const who = h ? ` (${h.application_name || 'a session'}, server process ${h.pid}, since ${formatTimestamp(h.backend_start)})` : '';
        throw new Refused(
          `another batch run is in progress on this database${who}; it was left alone — try again later, or wait for it`,
        ).suggest({
          action: 'batch.run',
          input: { wait: true },
        });
      }
    }
  } catch (err) {
    await client.releaseConnection(connection);
    throw err;
  }
  return {
    release: async () => {
      try {
        await raw('SELECT pg_advisory_unlock(?)');
        await (db.knex.raw('RESET application_name') as Knex.Raw).connection(connection);
      } finally {
        await client.releaseConnection(connection);
      }
    },
  };
}
