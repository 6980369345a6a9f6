// npm run bench:web — the web viewer under load, on PostgreSQL (a database of its own) and on PGlite (a temporary folder):
// the ledger of bench/ledger.ts (BENCH_CONTRACTS contracts, default 50,000, of 20 lines, 20 dealers under two
// regions) after the nightly batch of one date; SESSIONS logged-in sessions (default 50) of a group finance user,
// one per autocannon connection, and a fixed number of requests per route. Prints p50/p95/max, throughput and
// errors per route beside the floor: /health's answer (one small action) under the same load, and the ratio.
// Targets (issue 20): contract list (filtered, first page) and contract detail p95 ≤ 100 ms, dashboard ≤ 300 ms.
// The server is `bin/zq serve` in a process of its own (the compiled code, `npm run build` first), as in use:
// autocannon here parses the answers on this process's event loop, not the server's.
// BENCH_TARGETS=postgres|pglite picks one; BENCH_REQUESTS scales the requests; BENCH_ROUTES=2,5,6 picks routes. Figures only; never in npm test.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { loadActor } from '../src/access/actor.js';
import { runAction } from '../src/app/run.js';
import { runBatch } from '../src/batch/run.js';
import { type Db, openDatabase, SERVE_POOL_MAX } from '../src/db/index.js';
import { migrateLatest } from '../src/db/migrate.js';
import { seed } from '../src/db/seed.js';
import { loadBenchLedger } from './ledger.js';
import '../src/app/document-types.js';

const CONTRACTS = Number(process.env.BENCH_CONTRACTS ?? 50_000);
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 50);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1000);
const DAY = '2026-03-19';
const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PASSWORD = 'bench password 1';
// BENCH_KEEP=NAME (PostgreSQL): the bench database NAME is kept after the run and, when it exists, reused as
// built (migrated to the latest, not loaded again) — the same BENCH_CONTRACTS, dropped by hand (DROP DATABASE NAME)
const KEEP = process.env.BENCH_KEEP && /^[a-z_][a-z0-9_]{0,40}$/.test(process.env.BENCH_KEEP) ? process.env.BENCH_KEEP : undefined;

interface Figures {
  p50: number;
  p95: number;
  max: number;
  rps: number;
  errors: number;
  requests: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;

/** One session's cookie: the login form's token, then the password. */
async function login(base: string, username: string): Promise<string> {
  const form = await fetch(`${base}/login`);
  const loginCookie = (form.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
  const token = /name="_login" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    headers: { cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _login: token, username, password: PASSWORD, next: '/' }),
    redirect: 'manual',
  });
  const session = res.headers.getSetCookie().find((c) => c.startsWith('zq_session='));
  if (res.status !== 303 || !session) throw new Error(`login ${username}: ${res.status}`);
  return session.split(';')[0] as string;
}

/** `amount` requests over SESSIONS connections, each with its own session; the path made per request. */
async function load(base: string, cookies: string[], amount: number, path: () => string): Promise<Figures> {
  const times: number[] = [];
  let next = 0;
  const result = await autocannon({
    url: base,
    connections: cookies.length,
    amount,
    // a slow answer is measured, not dropped as a timeout
    timeout: 600,
    setupClient: (client) => {
      client.setHeaders({ cookie: cookies[next++ % cookies.length] as string });
      client.on('response', (_status: number, _bytes: number, ms: number) => times.push(ms));
    },
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: path() }) }],
  });
  times.sort((a, b) => a - b);
  const errors = result.errors + result.timeouts + result.non2xx;
  return {
    p50: percentile(times, 0.5),
    p95: percentile(times, 0.95),
    max: times.at(-1) ?? Number.NaN,
    rps: result.requests.average,
    errors,
    requests: result.requests.total,
  };
}

/** The database to load, and the flags `bin/zq serve` opens it with; cleanup drops it (unless kept). */
async function world(kind: 'pglite' | 'postgres'): Promise<{ db: Db; where: string[]; built: boolean; cleanup: () => Promise<void> }> {
  if (kind === 'pglite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zq-bench-web-'));
    const dataDir = path.join(dir, 'zq');
    const db = await openDatabase({ dataDir }, { requireMigrated: false, create: true });
    return { db, where: ['--data-dir', dataDir], built: false, cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const name = KEEP ?? `zq_bench_web_${process.pid}`;
  const server = await openDatabase({ databaseUrl: SERVER }, { requireMigrated: false });
  const exists = (await server.knex.raw('SELECT 1 FROM pg_database WHERE datname = ?', [name])).rows.length > 0;
  if (!exists) await server.knex.raw(`CREATE DATABASE ${name}`);
  await server.close();
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: url.toString() }, { requireMigrated: false, poolMax: SERVE_POOL_MAX });
  return {
    db,
    where: ['--database-url', url.toString()],
    built: exists,
    cleanup: async () => {
      if (KEEP) return;
      const again = await openDatabase({ databaseUrl: SERVER }, { requireMigrated: false });
      await again.knex.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await again.close();
    },
  };
}

const ZQ = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'zq');

/** A free loopback port (taken and let go at once). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** `bin/zq serve` on the database, once it says it listens; stopped with SIGTERM. */
async function startServer(where: string[]): Promise<{ base: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [ZQ, ...where, 'serve', '--port', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let said = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      if (said.includes('listening on')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`zq serve exited ${code}: ${said}`)));
  });
  return { base: `http://127.0.0.1:${port}`, child };
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

const ms = (n: number) => `${n.toFixed(1)} ms`;

async function bench(kind: 'pglite' | 'postgres'): Promise<void> {
  const { db, where, built, cleanup } = await world(kind);
  let open = true;
  try {
    await migrateLatest(db.knex);
    let t = performance.now();
    if (built) {
      await db.knex.raw('ANALYZE');
      console.log(`[${kind}] the kept database ${KEEP} reused as built (migrated to the latest)`);
    } else {
      await seed(db.knex);
      await loadBenchLedger(db, { contracts: CONTRACTS, linesPerContract: 20, dealers: 20, day: DAY, regions: true });
      await runBatch(db, await loadActor(db.knex, 'admin'), { date: DAY }, () => {});
      await db.knex.raw('VACUUM ANALYZE');
      console.log(
        `[${kind}] ${CONTRACTS} contracts loaded and the batch of ${DAY} run in ${((performance.now() - t) / 1000).toFixed(1)} s`,
      );
      await runAction(db, 'admin', 'user.add', { username: 'bench.gf', name: '压测财务', roles: ['group_finance'] }, { via: 'test' });
      await runAction(db, 'admin', 'user.passwd', { username: 'bench.gf', password: PASSWORD }, { via: 'test' });
    }

    // the server opens the database itself (on PGlite it holds the folder)
    await db.close();
    open = false;
    const { base, child } = await startServer(where);
    try {
      const cookies: string[] = [];
      for (let i = 0; i < SESSIONS; i++) cookies.push(await login(base, 'bench.gf'));
      const dealer = () => `B${1 + Math.floor(Math.random() * 20)}`;
      const contract = () => `BC-${1 + Math.floor(Math.random() * CONTRACTS)}`;
      // warm-up, and each route alone: one request after another
      for (const p of ['/health', '/contracts?dealer=B1', '/contracts?dealer=B2&overdue=1', '/contracts?q=BC-7', '/contracts/BC-1', '/']) {
        const alone: number[] = [];
        for (let i = 0; i < 3; i++) {
          const start = performance.now();
          const res = await fetch(`${base}${p}`, { headers: { cookie: cookies[0] as string } });
          await res.arrayBuffer();
          if (res.status !== 200) throw new Error(`${p}: ${res.status}`);
          alone.push(performance.now() - start);
        }
        console.log(`[${kind}] alone ${p.padEnd(32)} ${alone.map(ms).join(', ')}`);
      }
      t = performance.now();
      const routes: [string, number, () => string, number | null][] = [
        ['floor: /health', REQUESTS, () => '/health', null],
        ['contract list, one dealer, first page', REQUESTS, () => `/contracts?dealer=${dealer()}`, 100],
        ['contract list, one dealer, overdue only', REQUESTS, () => `/contracts?dealer=${dealer()}&overdue=1`, 100],
        ['contract list, search a contract no', REQUESTS, () => `/contracts?q=${contract()}`, 100],
        ['contract detail', REQUESTS, () => `/contracts/${contract()}`, 100],
        ['dashboard', Math.max(SESSIONS, Math.floor(REQUESTS / 10)), () => '/', 300],
      ];
      // BENCH_ROUTES=2,5,6 picks routes by their number above (the floor always runs)
      const only = process.env.BENCH_ROUTES?.split(',');
      const picked = routes.filter((_r, i) => i === 0 || !only || only.includes(String(i + 1)));
      let floor = Number.NaN;
      console.log(`[${kind}] ${SESSIONS} sessions; p50 / p95 / max, requests per second, errors`);
      for (const [name, amount, path, target] of picked) {
        const f = await load(base, cookies, amount, path);
        if (target === null) floor = f.p95;
        const ratio = target === null ? '' : `, p95 ÷ floor ${(f.p95 / floor).toFixed(1)}×, target ${target} ms`;
        console.log(
          `[${kind}] ${name.padEnd(40)} ${f.requests} requests: ${ms(f.p50)} / ${ms(f.p95)} / ${ms(f.max)}, ${f.rps.toFixed(0)}/s, errors ${f.errors}${ratio}`,
        );
      }
      console.log(`[${kind}] measured in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    } finally {
      await stopServer(child);
    }
  } finally {
    if (open) await db.close();
    await cleanup();
  }
}

for (const kind of (process.env.BENCH_TARGETS ?? 'postgres,pglite').split(',')) await bench(kind as 'pglite' | 'postgres');
