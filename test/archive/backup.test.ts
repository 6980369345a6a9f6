// A backup of a database with attachments restores their bytes exactly (bytea through the backup's text form),
// on both databases.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runAction } from '../../src/app/run.js';
import { sha256Hex } from '../../src/archive/index.js';
import { takeBackup } from '../../src/backup/dump.js';
import { restoreBackup, verifyBackup } from '../../src/backup/restore.js';
import { openDatabase } from '../../src/db/index.js';
import { buildOrganisation } from '../access/organisation.js';
import { allRows } from '../backup/rows.js';
import { describeEachDb } from '../support/db.js';
import { tempDir } from '../support/zq.js';
import { PDF, PNG } from './files.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describeEachDb('archive: backup and restore', (get) => {
  it('restores attachments and their bytes exactly, and verify agrees', async () => {
    const { db, admin } = get();
    await buildOrganisation(db.knex, admin);
    // a PDF of 1 MB with every byte value in it, a small PNG, and the PNG again (one blob, two attachments)
    const big = Buffer.concat([PDF, randomBytes(1024 * 1024)]);
    for (const [contract, fileName, bytes] of [
      ['HF-1', '扫描.pdf', big],
      ['HF-2', '照片.png', PNG],
      ['WH-1', '照片.png', PNG],
    ] as const) {
      await runAction(db, 'admin', 'archive.add', { contract, upload: { fileName, bytes } }, { via: 'test' });
    }
    const dir = tempDir('zq-archive-backup-');
    dirs.push(dir);
    const file = path.join(dir, 'a.zqb');
    const { header } = await takeBackup(db, file, { force: false });
    expect(header.figures.rows.archive_blobs).toBe(2);
    expect(header.figures.rows.attachments).toBe(3);
    const target = path.join(dir, 'restored');
    await restoreBackup(file, { dataDir: target });
    const restored = await openDatabase({ dataDir: target });
    try {
      expect(await allRows(restored)).toEqual(await allRows(db));
      const blob = await restored
        .knex('archive_blobs')
        .where({ sha256: sha256Hex(big) })
        .first('bytes', 'size');
      expect(blob.size).toBe(big.length);
      expect(sha256Hex(blob.bytes)).toBe(sha256Hex(big));
      const got = await runAction(restored, 'admin', 'archive.get', { id: 1 }, { via: 'test' });
      expect(got.attachment.fileName).toBe('扫描.pdf');
      expect(Buffer.from(got.bytes as Uint8Array).equals(big)).toBe(true);
    } finally {
      await restored.close();
    }
    await expect(verifyBackup(file)).resolves.toMatchObject({ rows: header.tables.reduce((n, t) => n + t.rows, 0) });
  }, 120_000);
});
