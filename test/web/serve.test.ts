// `zq serve` on an embedded folder with bin/zq (real processes): while the server holds the folder and answers
// web requests, an import and the nightly batch run from the command line through its socket, and their results
// equal the same runs on a folder without a server. SIGTERM stops it cleanly and lets go of the folder; a share
// file left by a dead server is not trusted. Run `npm run build` first.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadActor } from '../../src/access/actor.js';
import { runAction } from '../../src/app/run.js';
import { openDatabase } from '../../src/db/index.js';
import { lockPurpose } from '../../src/db/lock.js';
import { buildOrganisation } from '../access/organisation.js';
import { cleanEnv, finish, ROOT, startZq, tempDir, zq } from '../support/zq.js';

const AS_OF = '2026-03-31';
const LEDGER = '经销商,合同编号,客户名称,期次,应还日期,应还金额,已还金额';
const PASSWORD = 'serve test 1';
const PORT = 18_000 + (process.pid % 1000);

async function prepare(cwd: string): Promise<void> {
  expect((await zq(['init'], { cwd })).code).toBe(0);
  const db = await openDatabase({ dataDir: path.join(cwd, '.zq') });
  try {
    await buildOrganisation(db.knex, await loadActor(db.knex, 'admin'));
    await runAction(db, 'admin', 'user.passwd', { username: 'boss', password: PASSWORD }, { via: 'test' });
  } finally {
    await db.close();
  }
  const rows = Array.from(
    { length: 30 },
    (_, i) => `HF01,SV-${i + 1},客户${i + 1},1,2026-0${(i % 3) + 1}-15,${100 + i}.50,${i % 4 === 0 ? '50.00' : '0'}`,
  );
  fs.writeFileSync(path.join(cwd, 'ledger.csv'), `\uFEFF${[LEDGER, ...rows].join('\r\n')}\r\n`);
}

/** The import, the batch and what they leave: the breakdown and the batch's figures (without timings). */
async function workAndResults(cwd: string) {
  const run = (...args: string[]) => zq(args, { cwd });
  const imported = await run('--as', 'admin', 'import', 'ledger.csv', '--as-of', AS_OF);
  expect(imported.stderr).not.toMatch(/^zq:/m); // progress lines only, when it is slow
  expect(imported.code).toBe(0);
  const batch = await run('--as', 'admin', 'batch', 'run', '--date', AS_OF);
  expect(batch.stderr).not.toMatch(/^zq:/m);
  expect(batch.code).toBe(0);
  const breakdown = await run('report', 'breakdown', '--restated', '--format', 'json');
  expect(breakdown.code).toBe(0);
  const status = JSON.parse((await run('batch', 'status', '--json', '--limit', '100')).stdout) as {
    lastCompleted: string;
    runs: Record<string, unknown>[];
  };
  const runs = status.runs.map(({ step, businessDate, status: s, counts, totals, discrepancies }) => ({
    step,
    businessDate,
    s,
    counts,
    totals,
    discrepancies,
  }));
  return {
    breakdown: JSON.parse(breakdown.stdout),
    lastCompleted: status.lastCompleted,
    runs,
    imported: imported.stdout.replace(/ in [\d.]+ ?m?s/g, ''),
  };
}

function waitForHealth(url: string, server: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = async () => {
      if (server.exitCode !== null) return reject(new Error(`server exited with ${server.exitCode}`));
      try {
        if ((await fetch(url)).ok) return resolve();
      } catch {}
      if (Date.now() - started > 60_000) return reject(new Error('server did not start'));
      setTimeout(tick, 250);
    };
    void tick();
  });
}

describe('zq serve and the command line on one embedded folder', () => {
  const served = tempDir();
  const alone = tempDir();
  const base = `http://127.0.0.1:${PORT}`;
  let server: ChildProcess;
  let serverDone: ReturnType<typeof finish>;

  beforeAll(async () => {
    await Promise.all([prepare(served), prepare(alone)]);
    server = startZq(['serve', '--port', String(PORT)], { cwd: served });
    serverDone = finish(server);
    await waitForHealth(`${base}/health`, server);
  }, 240_000);

  afterAll(() => {
    if (server.exitCode === null) server.kill('SIGKILL');
  });

  it('runs an import and the batch from the CLI while the server answers, with the results of a run without it', async () => {
    // a logged-in browser asking all along
    const loginPage = await fetch(`${base}/login`);
    const loginCookie = (loginPage.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    const token = /name="_login" value="([^"]+)"/.exec(await loginPage.text())?.[1] ?? '';
    const login = await fetch(`${base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: loginCookie },
      body: new URLSearchParams({ _login: token, username: 'boss', password: PASSWORD, next: '/password' }),
    });
    expect(login.status).toBe(303);
    const session = (login.headers.getSetCookie().find((c) => c.startsWith('zq_session=')) ?? '').split(';')[0] ?? '';
    let answered = 0;
    let failed = 0;
    let working = true;
    const browse = (async () => {
      while (working) {
        const [page, health] = await Promise.all([
          fetch(`${base}/password`, { headers: { cookie: session }, redirect: 'manual' }),
          fetch(`${base}/health`),
        ]);
        if (page.status === 200 && health.status === 200) answered++;
        else failed++;
        await page.arrayBuffer();
        await health.arrayBuffer();
      }
    })();
    const withServer = await workAndResults(served);
    working = false;
    await browse;
    expect(failed).toBe(0);
    expect(answered).toBeGreaterThan(3);
    const withoutServer = await workAndResults(alone);
    expect(withServer).toEqual(withoutServer);
    expect(withServer.breakdown.rows.length).toBeGreaterThan(30);
    expect(withServer.lastCompleted).toBe(AS_OF);
    // the health route names the batch's last date
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ database: 'ok', lastBatchDate: AS_OF });
  }, 300_000);

  it('lets one batch run at a time through the server: another is refused, or waits with --wait', async () => {
    // this test process holds the folder's batch lock, as a batch running through the server would
    const held = await lockPurpose(path.join(served, '.zq'), 'batch', false);
    expect(held).not.toBeNull();
    const refused = await zq(['--as', 'admin', 'batch', 'run', '--date', '2026-04-30'], { cwd: served });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^zq: another batch run is in progress on \.zq; it was left alone/);
    const waiting = zq(['--as', 'admin', 'batch', 'run', '--date', '2026-04-30', '--wait'], { cwd: served });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await held?.release();
    expect((await waiting).code).toBe(0);
    const status = JSON.parse((await zq(['batch', 'status', '--json'], { cwd: served })).stdout);
    expect(status.lastCompleted).toBe('2026-04-30');
  }, 300_000);

  it('takes a backup through the server that holds the folder; it verifies and restores whole', async () => {
    const backup = await zq(['--as', 'admin', 'backup', '--out', 'served.zqb'], { cwd: served });
    expect(backup.stderr).not.toMatch(/^zq:/m);
    expect(backup.code).toBe(0);
    expect((await zq(['backup', 'verify', 'served.zqb'], { cwd: served })).code).toBe(0);
    const restored = await zq(['restore', 'served.zqb', '--data-dir', 'restored'], { cwd: served });
    expect(restored.code).toBe(0);
    // the restored folder answers as the served one does (the server still holds the original)
    const show = (dir: string[]) => zq([...dir, 'report', 'breakdown', '--restated', '--format', 'json'], { cwd: served });
    const original = await show([]);
    const copy = await show(['--data-dir', 'restored']);
    expect(copy.code).toBe(0);
    expect(JSON.parse(copy.stdout)).toEqual(JSON.parse(original.stdout));
    const status = (dir: string[]) => zq([...dir, 'batch', 'status', '--json'], { cwd: served });
    expect(JSON.parse((await status(['--data-dir', 'restored'])).stdout).lastCompleted).toBe(
      JSON.parse((await status([])).stdout).lastCompleted,
    );
  }, 300_000);

  it('stops on SIGTERM: the folder is let go, and a share file left behind is not trusted', async () => {
    server.kill('SIGTERM');
    const done = await serverDone;
    expect(done.code).toBe(0);
    expect(done.stderr).toMatch(
      /^zq serve: listening on http:\/\/127\.0\.0\.1:\d+ \(database \.zq, embedded, shared with other zq commands\), pid \d+\nzq serve: stopped on SIGTERM, database closed\n$/,
    );
    expect(fs.readdirSync(path.join(served, '.zq')).sort()).toEqual(['pgdata']);
    // a dead server's share file beside a folder another command holds: that command's folder is refused, not shared
    const holder = spawn(process.execPath, [path.join(ROOT, 'test', 'support', 'hold-db.mjs'), path.join(served, '.zq'), 'HOLDX'], {
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => holder.stdout?.once('data', () => resolve()));
    const lock = JSON.parse(fs.readFileSync(path.join(served, '.zq', 'zq.lock'), 'utf8'));
    fs.writeFileSync(
      path.join(served, '.zq', 'zq.socket'),
      JSON.stringify({ pid: lock.pid + 100000, dir: path.join(served, '.zq'), port: 5432 }),
    );
    const refused = await zq(['dealer', 'list'], { cwd: served });
    holder.kill('SIGKILL');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is in use by process \d+/);
  }, 120_000);
});
