// The archive end to end with bin/zq on the embedded database: add (the exit code and the one line of a refused
// renamed executable, nothing written), list as a table and as JSON, get (an existing --out refused without
// --force), remove with a reason then list --all, and another dealer's collector: not found, exit 3. Few runs: each
// bin/zq process opens the embedded database (slow on two shared cores); the rest is in test/archive, in-process.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadActor } from '../../src/access/actor.js';
import { openDatabase } from '../../src/db/index.js';
import { buildOrganisation } from '../access/organisation.js';
import { EXE, PDF, PNG } from '../archive/files.js';
import { tempDir, zq } from '../support/zq.js';

describe('zq archive with bin/zq', () => {
  const cwd = tempDir('zq-e2e-archive-');
  const run = (...args: string[]) => zq(args, { cwd });

  beforeAll(async () => {
    expect((await run('init')).code).toBe(0);
    const db = await openDatabase({ dataDir: path.join(cwd, '.zq') });
    try {
      await buildOrganisation(db.knex, await loadActor(db.knex, 'admin'));
    } finally {
      await db.close();
    }
    fs.writeFileSync(path.join(cwd, '合同扫描.pdf'), PDF);
    fs.writeFileSync(path.join(cwd, 'photo.png'), PNG);
    fs.writeFileSync(path.join(cwd, 'setup.pdf'), EXE);
  }, 120_000);

  it('adds, lists, gets and removes; refuses a renamed executable and another dealer’s collector', async () => {
    const added = await run('--as', 'hf.c1', 'archive', 'add', '--contract', 'HF-1', '合同扫描.pdf', '--kind', 'contract_scan');
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(
      /^attachment 1: 合同扫描\.pdf \(application\/pdf, \d+ bytes, sha256 [0-9a-f]{12}…\) attached to contract HF-1\n$/,
    );
    const again = await run('--as', 'hf.fin', 'archive', 'add', '--contract', 'HF-1', 'photo.png', '--kind', 'photo', '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ id: 2, kind: 'photo', mime: 'image/png', blob: 'new', addedBy: 'hf.fin' });

    const refused = await run('--as', 'hf.c1', 'archive', 'add', '--contract', 'HF-1', 'setup.pdf');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe('zq: FILE: "setup.pdf" — expected a PDF, JPEG, PNG or XLSX file (found a Windows executable (MZ))\n');

    const table = await run('--as', 'hf.c1', 'archive', 'list', '--contract', 'HF-1');
    expect(table.stdout).toContain('合同扫描.pdf');
    expect(table.stdout).toContain('合同扫描件');
    expect(table.stdout).toContain('2 file(s)');

    const out = path.join(cwd, 'back.pdf');
    const got = await run('archive', 'get', '1', '--out', out);
    expect(got.code).toBe(0);
    expect(fs.readFileSync(out).equals(PDF)).toBe(true);
    const twice = await run('archive', 'get', '1', '--out', out);
    expect(twice).toMatchObject({
      code: 2,
      stderr: `zq: --out: ${JSON.stringify(out)} — expected a file that does not exist yet (--force replaces it)\n`,
    });

    // (every owner kind and add, list and get out of scope: test/archive/archive.test.ts, in-process)
    for (const args of [['archive', 'get', '1', '--out', path.join(cwd, 'wh.pdf')]]) {
      const other = await run('--as', 'wh.c1', ...args);
      expect(other.code, args.join(' ')).toBe(3);
      expect(other.stderr).toMatch(/not found/);
    }
    expect(fs.existsSync(path.join(cwd, 'wh.pdf'))).toBe(false);

    const removed = await run('--as', 'hf.fin', 'archive', 'remove', '2', '--reason', '拍错了');
    expect(removed.stdout).toMatch(/^attachment 2 photo\.png removed by hf\.fin at \S+: 拍错了\n$/);
    const all = JSON.parse((await run('archive', 'list', '--contract', 'HF-1', '--all', '--json')).stdout);
    expect(all[1]).toMatchObject({ id: 2, removed: true, removedBy: 'hf.fin', removalReason: '拍错了' });
  }, 400_000);
});
