// PGlite does not lock its folder (STACK.md); zq takes its own exclusive lock. Real processes only.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, finish, ROOT, startZq, tempDir, zq } from '../support/zq.js';

describe('the embedded database folder is locked against a second process', () => {
  const cwd = tempDir();
  const run = (...args: string[]) => zq(args, { cwd });

  /** Another process holding the folder (test/support/hold-db.mjs, which adds dealer `code`), once it is ready. */
  async function holdFolder(code: string) {
    const holder = spawn(process.execPath, [path.join(ROOT, 'test', 'support', 'hold-db.mjs'), path.join(cwd, '.zq'), code], {
      cwd,
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      holder.stdout.on('data', (d) => String(d).includes('ready') && resolve());
      holder.on('exit', () => reject(new Error('holder exited early')));
    });
    return holder;
  }

  beforeAll(async () => {
    expect((await run('init')).code).toBe(0);
  });

  it('a second process gets a clear message naming the holder, exit 1, and nothing is damaged; kill -9 frees the lock', async () => {
    const holder = await holdFolder('HOLD');
    const second = await run('--as', 'admin', 'dealer', 'add', 'HF01', '--name', '合肥代理店');
    expect(second.code).toBe(1);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(second.stderr).toContain(`in use by process ${holder.pid}`);
    expect(second.stderr).toMatch(/one process at a time/);

    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.on('close', resolve));
    // The kernel released the lock with the process; the holder's committed row is there, the refused one is not.
    const list = await run('dealer', 'list', '--json');
    expect(list.stderr).toBe('');
    const codes = JSON.parse(list.stdout).map((d: { code: string }) => d.code);
    expect(codes).toEqual(['GROUP', 'HOLD']);
  });

  it('batch run --wait waits for the folder instead of exiting, and runs once the holder ends', async () => {
    const holder = await holdFolder('WAIT');
    const waiting = startZq(['--as', 'admin', 'batch', 'run', '--date', '2026-04-01', '--wait'], { cwd });
    // still waiting two seconds later
    const early = await Promise.race([finish(waiting).then(() => 'finished'), new Promise((r) => setTimeout(() => r('waiting'), 2000))]);
    expect(early).toBe('waiting');
    holder.kill('SIGKILL');
    const result = await finish(waiting);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/batch done for 1 business date/);
  });

  it('two zq processes writing at the same moment: one writes, the other is refused, the database stays sound', async () => {
    const a = startZq(['--as', 'admin', 'dealer', 'add', 'WH01', '--name', '芜湖代理店'], { cwd });
    const b = startZq(['--as', 'admin', 'dealer', 'add', 'AQ01', '--name', '安庆代理店'], { cwd });
    const results = await Promise.all([finish(a), finish(b)]);
    const codes = results.map((r) => r.code).sort();
    // Usually one wins and one is refused; if the first finished before the second opened, both succeed.
    expect(codes[0]).toBe(0);
    for (const r of results) if (r.code !== 0) expect(r.stderr).toMatch(/in use by process \d+/);
    const after = await run('dealer', 'list', '--json');
    const dealers = JSON.parse(after.stdout).map((d: { code: string }) => d.code);
    expect(dealers.length).toBe(3 + results.filter((r) => r.code === 0).length);
    const check = await run('init', '--json');
    expect(check.code).toBe(0);
  });

  it('another command on a database with pending migrations says so and names the fix', async () => {
    const { PGlite } = await import('@electric-sql/pglite');
    const pglite = new PGlite({ dataDir: path.join(cwd, '.zq', 'pgdata') });
    await pglite.query(`DELETE FROM knex_migrations WHERE name = '006_batch_runs'`);
    await pglite.query('DROP TABLE batch_runs');
    await pglite.close();
    const stale = await run('contract', 'list');
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/1 pending migration\(s\) \(006_batch_runs\): it must be migrated first \(zq init\)/);
    expect((await run('init')).code).toBe(0);
    expect((await run('contract', 'list')).code).toBe(0);
  });
});
