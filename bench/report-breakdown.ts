// npm run bench:report — `zq report breakdown`, group-wide, on the ledger of bench/batch.ts: 1,000,000 lines of
// 50,000 contracts (BENCH_CONTRACTS scales it) after the nightly batch of one date. Figures only; never part of npm
// test. Each beside the floor: a bare SELECT of as many rows from one table (schedule_lines), fetched the same way.
//   PostgreSQL (default; a database of its own, dropped after): by contract to JSON, restated and as reported, in
//   process (the action and its JSON, median of three) and bin/zq end to end (stdout to /dev/null); then
//   `--by line --format xlsx` through bin/zq: seconds and the bin/zq process's peak RSS (/usr/bin/time -v).
//   BENCH_DATABASE=NAME reads a kept database (the ledger and its batch for 2026-03-19 already there) and writes
//   nothing to it; BENCH_KEEP=NAME only loads the ledger and runs the batch into database NAME and keeps it.
//   BENCH_XLSX=0 leaves the XLSX run out.
//   BENCH_HISTORY=1 (PostgreSQL, own or BENCH_KEEP database): before the figures, about a year of closed states is
//   added before the night read, as a year of business days like bench:batch's (b) would have left them: 10 closed
//   states per line that moves with the night (7 million), 100 per contract's sums (5 million), 10 per contract
//   state (500,000). The read of the last night should take what it takes without them (migration 032).
//   BENCH_DB=pglite: the same ledger in an embedded database in a temporary folder (loading 1M lines takes a
//   while: BENCH_CONTRACTS=5000 is 100,000 lines); by contract to JSON, as reported and restated, in process and
//   bin/zq end to end.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from '../src/db/index.js';
import { addClosedHistory, loadBenchLedger } from './ledger.js';

const compiled = <T>(module: string): Promise<T> => import(`../dist/src/${module}.js`) as Promise<T>;
const { loadActor } = await compiled<typeof import('../src/access/actor.js')>('access/actor');
const { runAction } = await compiled<typeof import('../src/app/run.js')>('app/run');
const { runBatch } = await compiled<typeof import('../src/batch/run.js')>('batch/run');
const { openDatabase } = await compiled<typeof import('../src/db/index.js')>('db/index');
const { migrateLatest } = await compiled<typeof import('../src/db/migrate.js')>('db/migrate');
const { seed } = await compiled<typeof import('../src/db/seed.js')>('db/seed');
const { breakdownJson } = await compiled<typeof import('../src/reports/breakdown-view.js')>('reports/breakdown-view');
await compiled('app/document-types');

const CONTRACTS = Number(process.env.BENCH_CONTRACTS ?? 50_000);
const LINES_PER_CONTRACT = 20;
const DEALERS = 20;
const DAY = '2026-03-19';
const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PGLITE = process.env.BENCH_DB === 'pglite';
const KEPT = process.env.BENCH_DATABASE;
const XLSX = process.env.BENCH_XLSX !== '0';
const HISTORY = process.env.BENCH_HISTORY === '1';
const REPEATS = 3;
const ZQ = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'zq');
const TIME = '/usr/bin/time';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const f = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const r = await fn();
  return [r, performance.now() - t];
}

/** bin/zq with these arguments (stdout to /dev/null unless kept): its time, stdout, and peak RSS where /usr/bin/time is. */
function zq(args: string[], keepStdout = false): { ms: number; rssMb: number | null; stdout: string } {
  const out = keepStdout ? 'pipe' : fs.openSync('/dev/null', 'w');
  const measured = fs.existsSync(TIME);
  const command = measured ? [TIME, '-v', process.execPath, ZQ, ...args] : [process.execPath, ZQ, ...args];
  const t = performance.now();
  const result = spawnSync(command[0] as string, command.slice(1), { stdio: ['ignore', out, 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - t;
  if (typeof out === 'number') fs.closeSync(out);
  if (result.status !== 0) throw new Error(`bin/zq ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr)?.[1];
  return { ms, rssMb: kb === undefined ? null : Number(kb) / 1024, stdout: result.stdout ?? '' };
}

/** The breakdown by contract to JSON in process, median of REPEATS, and its rows and bytes. */
async function inProcess(db: Db, restated: boolean): Promise<{ ms: number; runs: number[]; rows: number; bytes: number }> {
  const admin = await loadActor(db.knex, 'admin');
  const runs: number[] = [];
  let rows = 0;
  let bytes = 0;
  for (let run = 0; run < REPEATS; run++) {
    const [, ms] = await timed(async () => {
      const out = await runAction(db, admin, 'report.breakdown', { asOf: DAY, restated, by: 'contract', format: 'json' }, { via: 'cli' });
      const text = JSON.stringify(breakdownJson(out), null, 2);
      rows = out.rows.length;
      bytes = Buffer.byteLength(text);
    });
    runs.push(ms);
  }
  return { ms: median(runs), runs, rows, bytes };
}

async function floorOf(db: Db): Promise<{ ms: number; runs: number[] }> {
  const runs: number[] = [];
  for (let run = 0; run < REPEATS; run++) runs.push((await timed(() => db.knex.raw('SELECT * FROM schedule_lines')))[1]);
  return { ms: median(runs), runs };
}

async function load(db: Db): Promise<string> {
  await migrateLatest(db.knex);
  await seed(db.knex);
  const [, loadMs] = await timed(() =>
    loadBenchLedger(db, { contracts: CONTRACTS, linesPerContract: LINES_PER_CONTRACT, dealers: DEALERS, day: DAY, regions: true }),
  );
  const admin = await loadActor(db.knex, 'admin');
  const [, batchMs] = await timed(() => runBatch(db, admin, { date: DAY }, () => {}));
  await db.knex.raw('VACUUM ANALYZE');
  return `load ${f(loadMs)}, batch ${DAY} ${f(batchMs)}`;
}

/** The JSON figures beside the floor, for either database; `where` is bin/zq's database flags. */
async function jsonFigures(db: Db, where: string[]): Promise<string[]> {
  const lines: string[] = [];
  const floor = await floorOf(db);
  const results: [string, Awaited<ReturnType<typeof inProcess>>, boolean][] = [];
  for (const restated of [false, true]) results.push([restated ? 'restated' : 'as reported', await inProcess(db, restated), restated]);
  await db.close();
  for (const [label, r, restated] of results) {
    const cli = zq([
      ...where,
      'report',
      'breakdown',
      '--as-of',
      DAY,
      '--by',
      'contract',
      ...(restated ? ['--restated'] : []),
      '--format',
      'json',
    ]);
    lines.push(
      `  breakdown --by contract ${label} → JSON: ${f(r.ms)} in process (median of ${r.runs.map(f).join(', ')}; ${r.rows} rows, ${(r.bytes / 1e6).toFixed(1)} MB), ratio to the floor ${(r.ms / floor.ms).toFixed(2)}; bin/zq end to end ${f(cli.ms)}${cli.rssMb === null ? '' : `, peak RSS ${cli.rssMb.toFixed(0)} MB`}`,
    );
  }
  lines.push(`  floor: SELECT * FROM schedule_lines: ${f(floor.ms)} (median of ${floor.runs.map(f).join(', ')})`);
  return lines;
}

async function postgres(): Promise<void> {
  const name = KEPT ?? process.env.BENCH_KEEP ?? `zq_bench_report_${process.pid}`;
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  if (!KEPT) {
    const server = await openDatabase({ databaseUrl: SERVER }, { requireMigrated: false });
    await server.knex.raw(`CREATE DATABASE ${name}`);
    await server.close();
  }
  let db: Db | undefined;
  try {
    db = await openDatabase({ databaseUrl: url.toString() }, { requireMigrated: !!KEPT });
    let loaded = KEPT ? `kept database ${KEPT}` : await load(db);
    if (HISTORY && !KEPT) loaded += `; ${await addClosedHistory(db, DAY)}`;
    if (process.env.BENCH_KEEP) {
      console.log(`loaded and ran the batch in ${name}; kept, nothing timed`);
      return;
    }
    const lines = Number((await db.knex.raw('SELECT count(*) AS n FROM schedule_lines')).rows[0].n);
    const contracts = Number((await db.knex.raw('SELECT count(*) AS n FROM contracts')).rows[0].n);
    console.log(`[postgres] ${lines} lines, ${contracts} contracts, ${DEALERS} dealers in 2 regions (${loaded})`);
    const floor = await floorOf(db);
    const json = await jsonFigures(db, ['--database-url', url.toString()]);
    db = undefined;
    console.log(json.join('\n'));
    if (!XLSX) return;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zq-bench-report-'));
    try {
      const file = path.join(dir, 'breakdown.xlsx');
      const args = [
        '--database-url',
        url.toString(),
        'report',
        'breakdown',
        '--as-of',
        DAY,
        '--by',
        'line',
        '--format',
        'xlsx',
        '--out',
        file,
      ];
      const run = zq(['--json', ...args], true);
      const rows = /"rows":(\d+)/.exec(run.stdout)?.[1];
      console.log(
        `  breakdown --by line as reported → XLSX (bin/zq end to end): ${f(run.ms)} (target ≤ 60 s), peak RSS ${run.rssMb === null ? 'not measured (no /usr/bin/time)' : `${run.rssMb.toFixed(0)} MB`} (target < 1024 MB); ${(fs.statSync(file).size / 1e6).toFixed(1)} MB${rows ? `, ${rows} rows` : ''}; ratio to the floor ${(run.ms / floor.ms).toFixed(1)}`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    await db?.close();
    if (!KEPT && !process.env.BENCH_KEEP) {
      const again = await openDatabase({ databaseUrl: SERVER }, { requireMigrated: false });
      await again.knex.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await again.close();
    }
  }
}

async function pglite(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zq-bench-report-pglite-'));
  try {
    const dataDir = path.join(dir, 'zq');
    const db = await openDatabase({ dataDir }, { requireMigrated: false, create: true });
    const loaded = await load(db);
    const lines = Number((await db.knex.raw('SELECT count(*) AS n FROM schedule_lines')).rows[0].n);
    console.log(`[pglite] ${lines} lines, ${CONTRACTS} contracts, ${DEALERS} dealers in 2 regions (${loaded})`);
    console.log((await jsonFigures(db, ['--data-dir', dataDir])).join('\n'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await (PGLITE ? pglite() : postgres());
