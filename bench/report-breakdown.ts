// npm run bench:report — `zq report breakdown --by contract --restated --format json`, group-wide, on PostgreSQL
// (a database of its own), on the ledger of bench/batch.ts: 1,000,000 lines of 50,000 contracts (BENCH_CONTRACTS
// scales it) after the nightly batch of one date. Prints the report's time (in process: the action and its JSON,
// median of three; and bin/zq end to end, its stdout to /dev/null) beside the floor: a bare SELECT of as many rows
// from one table (schedule_lines), fetched the same way. Figures only; never part of npm test. BENCH_KEEP=NAME only
// loads the ledger and runs the batch into PostgreSQL database NAME and keeps it, to study the statement on it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from '../src/db/index.js';
import { loadBenchLedger } from './ledger.js';

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
const REPEATS = 3;
const ZQ = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'zq');

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const f = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const r = await fn();
  return [r, performance.now() - t];
}

async function main(): Promise<void> {
  const name = process.env.BENCH_KEEP ?? `zq_bench_report_${process.pid}`;
  const server = await openDatabase({ databaseUrl: SERVER }, { requireMigrated: false });
  await server.knex.raw(`CREATE DATABASE ${name}`);
  await server.close();
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  let db: Db | undefined;
  try {
    db = await openDatabase({ databaseUrl: url.toString() }, { requireMigrated: false });
    await migrateLatest(db.knex);
    await seed(db.knex);
    const [, loadMs] = await timed(() =>
      loadBenchLedger(db as Db, { contracts: CONTRACTS, linesPerContract: LINES_PER_CONTRACT, dealers: DEALERS, day: DAY, regions: true }),
    );
    const admin = await loadActor(db.knex, 'admin');
    const [, batchMs] = await timed(() => runBatch(db as Db, admin, { date: DAY }, () => {}));
    await db.knex.raw('VACUUM ANALYZE');
    if (process.env.BENCH_KEEP) {
      console.log(`loaded and ran the batch in ${name}; kept, nothing timed`);
      return;
    }
    const lines = Number((await db.knex.raw('SELECT count(*) AS n FROM schedule_lines')).rows[0].n);
    const reportRuns: number[] = [];
    let rows = 0;
    let bytes = 0;
    for (let run = 0; run < REPEATS; run++) {
      await db.knex.raw('CHECKPOINT');
      const [, ms] = await timed(async () => {
        const out = await runAction(
          db as Db,
          admin,
          'report.breakdown',
          { restated: true, by: 'contract', format: 'json' },
          { via: 'cli' },
        );
        const text = JSON.stringify(breakdownJson(out), null, 2);
        rows = out.rows.length;
        bytes = Buffer.byteLength(text);
      });
      reportRuns.push(ms);
    }
    const floorRuns: number[] = [];
    for (let run = 0; run < REPEATS; run++) {
      const [, ms] = await timed(() => (db as Db).knex.raw('SELECT * FROM schedule_lines'));
      floorRuns.push(ms);
    }
    await db.close();
    db = undefined;
    const cli = (() => {
      const t = performance.now();
      const out = fs.openSync('/dev/null', 'w');
      const result = spawnSync(
        process.execPath,
        [ZQ, '--database-url', url.toString(), 'report', 'breakdown', '--by', 'contract', '--restated', '--format', 'json'],
        {
          stdio: ['ignore', out, 'inherit'],
        },
      );
      fs.closeSync(out);
      if (result.status !== 0) throw new Error(`bin/zq report breakdown exited ${result.status}`);
      return performance.now() - t;
    })();
    const report = median(reportRuns);
    const floor = median(floorRuns);
    console.log(
      [
        `[postgres] ${lines} lines, ${CONTRACTS} contracts, ${DEALERS} dealers in 2 regions (load ${f(loadMs)}, batch ${DAY} ${f(batchMs)})`,
        `  report breakdown --by contract --restated --format json, group-wide: ${f(report)} in process (median of ${reportRuns.map(f).join(', ')}; ${rows} rows, ${(bytes / 1e6).toFixed(1)} MB of JSON); bin/zq end to end ${f(cli)} (target ≤ 5 s)`,
        `  floor: SELECT * FROM schedule_lines, ${lines} rows: ${f(floor)} (median of ${floorRuns.map(f).join(', ')}); ratio ${(report / floor).toFixed(2)}`,
      ].join('\n'),
    );
  } finally {
    await db?.close();
    if (!process.env.BENCH_KEEP) {
      const again = await openDatabase({ databaseUrl: SERVER }, { requireMigrated: false });
      await again.knex.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await again.close();
    }
  }
}

await main();
