// The embedded database shared by `zq serve` (src/db/share.ts): clients of the socket take turns by whole
// transactions. Forty read-then-write transactions from three pools at once lose no update, a rolled-back one
// leaves nothing, and a client that dies mid-transaction has it rolled back without blocking the others.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, openShared, serveEmbedded } from '../../src/db/index.js';
import { initDatabase } from '../../src/db/init.js';
import { SHARE_INFO_FILE, type ShareInfo } from '../../src/db/share.js';
import { tempDir } from '../support/zq.js';

describe('the shared embedded database', () => {
  const dir = path.join(tempDir(), '.zq');
  let server: Db;
  let clients: Db[] = [];

  beforeAll(async () => {
    await initDatabase({ dataDir: dir });
    server = await serveEmbedded(dir);
    const info = JSON.parse(fs.readFileSync(path.join(dir, SHARE_INFO_FILE), 'utf8')) as ShareInfo;
    clients = [await openShared(info, dir), await openShared(info, dir)];
    await server.knex.raw('CREATE TABLE share_counter (n integer NOT NULL)');
    await server.knex.raw('INSERT INTO share_counter VALUES (0)');
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) await c.close();
    await server?.close();
  }, 30_000);

  it('runs transactions from several connections one whole transaction at a time', async () => {
    const pools = [server, ...clients];
    const bump = (db: Db) =>
      db.knex.transaction(async (tx) => {
        const { rows } = await tx.raw('SELECT n FROM share_counter');
        await new Promise((resolve) => setTimeout(resolve, 2));
        await tx.raw('UPDATE share_counter SET n = ?', [rows[0].n + 1]);
      });
    await Promise.all(Array.from({ length: 40 }, (_, i) => bump(pools[i % 3] as Db)));
    const { rows } = await server.knex.raw('SELECT n FROM share_counter');
    expect(rows[0].n).toBe(40);
  });

  it('keeps nothing of a rolled-back transaction, and rolls back the one of a client gone mid-way', async () => {
    const [a, b] = clients as [Db, Db];
    await expect(
      a.knex.transaction(async (tx) => {
        await tx.raw('UPDATE share_counter SET n = 999');
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    const pool = a.knex.client as {
      acquireConnection(): Promise<{ query(sql: string): Promise<unknown> }>;
      releaseConnection(c: unknown): Promise<void>;
    };
    const conn = await pool.acquireConnection();
    await conn.query('BEGIN');
    await conn.query('UPDATE share_counter SET n = 555');
    // b waits for the open transaction; the client goes away; b then sees the value before it
    const seen = b.knex.raw('SELECT n FROM share_counter');
    await new Promise((resolve) => setTimeout(resolve, 100));
    (conn as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    const { rows } = await seen;
    expect(rows[0].n).toBe(40);
    await pool.releaseConnection(conn);
  });
});
