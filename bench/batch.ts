// npm run bench:batch — the nightly batch at scale, on PGlite and on PostgreSQL (a database of its own).
// Figures only; never part of npm test. BENCH_CONTRACTS (default 50,000 × 20 lines = 1,000,000 lines, about
// 200,000 overdue), BENCH_TARGETS=pglite,postgres, BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres);
// BENCH_KEEP=NAME (PostgreSQL) only loads the ledger into database NAME and keeps it, to study the statements on it;
// BENCH_SLOW_MS=N prints each statement of (a) and (b) that took longer than N ms.
//  (a) a full recomputation of every segment beside a bare INSERT … SELECT of as many rows (the floor), each run three
//      times (the median is kept);
//  (b) one business day with churn: 1/30 of the lines fell due the day before (two contracts in three fall due on the
//      19th of the month; three lines in five are paid on their due date, the others start accruing), 20,000 lines
//      paid that day, a dealer's rate change; the report snapshot step is printed beside its floor, a bare INSERT … SELECT
//      of as many line states as it wrote into an empty copy of their table, and beside the two writes of its design
//      made bare on a copy of their table as it was before (b): an UPDATE closing the states it replaced and an INSERT
//      of the new ones, each with the WAL it wrote (and the step with the WAL it wrote, on PostgreSQL);
//  (c) a 30-day catch-up.
// BENCH_HISTORY=1 (PostgreSQL): before (b), about a year of closed report states before its night (bench/ledger.ts
// addClosedHistory), to see that the snapshot step does not slow down as nights pile up.
import type { StepLog } from '../src/batch/run.js';
import type { Db } from '../src/db/index.js';
import { addClosedHistory, tableColumns } from './ledger.js';

// The compiled code (npm run build), as bin/zq and cron run it: run from the TypeScript sources, tsx's helpers
// wrapped every function the replay creates (a twentieth of the day's credit step).
const compiled = <T>(module: string): Promise<T> => import(`../dist/src/${module}.js`) as Promise<T>;
const { loadActor } = await compiled<typeof import('../src/access/actor.js')>('access/actor');
const { runBatch } = await compiled<typeof import('../src/batch/run.js')>('batch/run');
const { addDays } = await compiled<typeof import('../src/core/dates.js')>('core/dates');
const { openDatabase, openEmbedded } = await compiled<typeof import('../src/db/index.js')>('db/index');
const { migrateLatest } = await compiled<typeof import('../src/db/migrate.js')>('db/migrate');
const { seed } = await compiled<typeof import('../src/db/seed.js')>('db/seed');

const CONTRACTS = Number(process.env.BENCH_CONTRACTS ?? 50_000);
const LINES_PER_CONTRACT = 20;
const DEALERS = 20;
const RECEIPTS_PER_DAY = Math.min(20_000, CONTRACTS * 0.4);
// the ledger's busiest due day: two contracts in three fall due on the 19th (the others on days 1–28), so the lines
// falling due on DAY — 1/30 of all lines — are overdue on the benchmarked day (b), the day after
const DAY = '2026-03-19';
const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Runs of (a) and of its floor. */
const REPEATS = 3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const r = await fn();
  return [r, performance.now() - t];
}

/**
 * Before each timed run, the database writes out what earlier phases left dirty: loading the ledger writes half a
 * gigabyte of WAL, and the checkpoints it set off ran on for twenty seconds into the timed runs, which then ran up
 * to half as slow again from one run to the next. Each run still pays for the writes of its own.
 */
async function settle(db: Db): Promise<void> {
  await db.knex.raw('CHECKPOINT');
}

/** A write run under EXPLAIN (ANALYZE, WAL, TIMING OFF): its time, and the WAL it wrote (bytes, full-page images). */
async function withWal(db: Db, sql: string): Promise<{ ms: number; bytes: number; fpi: number }> {
  const [result, ms] = await timed(() => db.knex.raw(`EXPLAIN (ANALYZE, WAL, TIMING OFF, FORMAT JSON) ${sql}`));
  const plan = result.rows[0]['QUERY PLAN'][0].Plan;
  return { ms, bytes: Number(plan['WAL Bytes']), fpi: Number(plan['WAL FPI']) };
}

/** The server's WAL insert position (another connection: the batch's transaction holds its own). */
async function walPosition(db: Db): Promise<string> {
  return (await db.knex.raw('SELECT pg_current_wal_insert_lsn()::text AS l')).rows[0].l;
}

/** BENCH_SLOW_MS: prints the statements slower than `ms` (0: none) until the returned function is called. */
function watchSlowStatements(db: Db, ms: number, label: string): () => void {
  if (!(ms > 0)) return () => {};
  const started = new Map<string, number>();
  const onQuery = (q: { __knexQueryUid: string }) => started.set(q.__knexQueryUid, performance.now());
  const onResponse = (_r: unknown, q: { __knexQueryUid: string; sql: string }) => {
    const took = performance.now() - (started.get(q.__knexQueryUid) ?? performance.now());
    started.delete(q.__knexQueryUid);
    if (took > ms) console.log(`${label} ${took.toFixed(0).padStart(6)} ms  ${q.sql.replace(/\s+/g, ' ').trim().slice(0, 120)}`);
  };
  db.knex.on('query', onQuery).on('query-response', onResponse);
  return () => {
    db.knex.removeListener('query', onQuery);
    db.knex.removeListener('query-response', onResponse);
  };
}

async function load(db: Db): Promise<void> {
  const k = db.knex;
  await k.raw(`INSERT INTO dealers (code, name, kind, parent_id)
    SELECT 'B' || g, 'bench ' || g, 'dealer', (SELECT id FROM dealers WHERE kind = 'group') FROM generate_series(1, ${DEALERS}) g`);
  await k.raw(`INSERT INTO customers (dealer_id, name) SELECT id, 'customer ' || code FROM dealers WHERE kind = 'dealer'`);
  await k.raw(`INSERT INTO contracts (dealer_id, contract_no, customer_id, method)
    SELECT cu.dealer_id, 'BC-' || g, cu.id, 'custom' FROM generate_series(1, ${CONTRACTS}) g
    JOIN customers cu ON cu.dealer_id = (SELECT min(id) FROM dealers WHERE kind = 'dealer') + g % ${DEALERS}`);
  await k.raw(
    `INSERT INTO schedule_versions (contract_id, version, effective_from, source) SELECT id, 1, '2025-06-01', 'custom' FROM contracts`,
  );
  await k.raw(`INSERT INTO schedule_lines (contract_id, version, seq, receivable_type, due_date, amount_due)
    SELECT c.id, 1, s, 'principal',
      (date '2025-06-01' + (CASE WHEN c.id % 3 < 2 THEN 18 ELSE c.id % 28 END)::int + make_interval(months => s - 1))::date, 5000.00
    FROM contracts c CROSS JOIN generate_series(1, ${LINES_PER_CONTRACT}) s`);
  // three in five lines already due were paid on their due date; the rest (about 200,000 at full scale) are overdue.
  // The payments predate the system (opening_paid, as an import writes them): a replay of a contract's receipts
  // keeps them, where allocations without a receipt would be reversed
  await k.raw(`INSERT INTO postings (contract_id, dealer_id, schedule_line_id, kind, receivable_type, amount, value_date)
    SELECT l.contract_id, c.dealer_id, l.id, 'opening_paid', 'principal', l.amount_due, l.due_date
    FROM schedule_lines l JOIN contracts c ON c.id = l.contract_id WHERE l.due_date <= '${DAY}' AND l.id % 5 < 3`);
  // a ledger in use has been vacuumed (by autovacuum on a server, by the batch on PGlite): the postings above
  // rewrote the 300,000 lines they paid (schedule_lines.paid), and this machine's server runs without autovacuum
  await k.raw('VACUUM ANALYZE');
}

async function bench(kind: 'pglite' | 'postgres'): Promise<void> {
  let db: Db;
  let cleanup = async () => {};
  let dbUrl = SERVER;
  if (kind === 'pglite') {
    db = await openEmbedded(':memory:');
  } else {
    const name = process.env.BENCH_KEEP ?? `zq_bench_${process.pid}`;
    const server = await openDatabase({ databaseUrl: SERVER }, { requireMigrated: false });
    await server.knex.raw(`CREATE DATABASE ${name}`);
    await server.close();
    const url = new URL(SERVER);
    url.pathname = `/${name}`;
    dbUrl = url.toString();
    db = await openDatabase({ databaseUrl: url.toString() }, { requireMigrated: false });
    cleanup = async () => {
      const again = await openDatabase({ databaseUrl: SERVER }, { requireMigrated: false });
      await again.knex.raw(`DROP DATABASE IF EXISTS ${name}`);
      await again.close();
    };
  }
  try {
    await migrateLatest(db.knex);
    await seed(db.knex);
    const [, loadMs] = await timed(() => load(db));
    if (process.env.BENCH_KEEP) {
      cleanup = async () => {};
      console.log(`loaded ${process.env.BENCH_KEEP} in ${loadMs.toFixed(0)} ms; kept, nothing run`);
      return;
    }
    const admin = await loadActor(db.knex, 'admin');
    const lines = (await db.knex.raw('SELECT count(*) AS n FROM schedule_lines')).rows[0].n;
    const step = (logs: StepLog[], name: string) => logs.find((l) => l.step === name)?.durationMs ?? 0;
    const f = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    const mb = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MB`;
    // (a) full recomputation, then the floor: each measured three times, the median kept (a single run of the
    // floor, a fraction of a second, moved by a fifth from one run to the next)
    const logsA: StepLog[] = [];
    const accrueRuns: number[] = [];
    const watchA = watchSlowStatements(db, Number(process.env.BENCH_SLOW_MS ?? 0), '(a)');
    for (let run = 0; run < REPEATS; run++) {
      logsA.length = 0;
      await settle(db);
      await runBatch(db, admin, { date: DAY, recomputeFrom: DAY }, (l) => logsA.push(l));
      accrueRuns.push(step(logsA, 'accrue_penalty'));
    }
    watchA();
    const accrueMs = median(accrueRuns);
    const segments = Number((await db.knex.raw('SELECT count(*) AS n FROM penalty_segments')).rows[0].n);
    const overdue = Number((await db.knex.raw('SELECT count(DISTINCT line_id) AS n FROM penalty_segments')).rows[0].n);
    const floorRuns: number[] = [];
    for (let run = 0; run < REPEATS; run++) {
      await db.knex.raw('DROP TABLE IF EXISTS bench_floor');
      await db.knex.raw('CREATE TABLE bench_floor (LIKE penalty_segments INCLUDING ALL)');
      await settle(db);
      const [, ms] = await timed(() =>
        db.knex.raw(`INSERT INTO bench_floor (line_id, contract_id, from_date, to_date, base, daily_rate, amount, grace_end)
          SELECT g, 1, date '2026-01-01', NULL, 100.00, 0.0005, NULL, date '2026-01-01' FROM generate_series(1, ${segments}) g`),
      );
      floorRuns.push(ms);
    }
    await db.knex.raw('DROP TABLE bench_floor');
    const floorMs = median(floorRuns);
    if (process.env.BENCH_HISTORY === '1' && kind === 'postgres') console.log(`  ${await addClosedHistory(db, DAY)}`);
    // (b) one business day with churn: RECEIPTS_PER_DAY receipts confirmed that day, each from a different contract
    // and paying 1,000.00 towards its oldest overdue line (written as the receipt confirmation writes them: a
    // confirmed receipt document and its allocation posting), and a rate change for one dealer from that day
    const next = addDays(DAY, 1);
    await db.knex.raw(`CREATE TABLE bench_paid AS
      SELECT DISTINCT ON (s.contract_id) s.contract_id, s.line_id, c.dealer_id FROM penalty_segments s
      JOIN contracts c ON c.id = s.contract_id ORDER BY s.contract_id, s.from_date, s.line_id LIMIT ${RECEIPTS_PER_DAY}`);
    await db.knex.raw(`INSERT INTO documents (type, number, status, dealer_id, contract_id, author_id, value_date, amount)
      SELECT 'receipt', 'BR-' || line_id, 'confirmed', dealer_id, contract_id, ${admin.id}, '${next}', 1000.00 FROM bench_paid`);
    await db.knex.raw(`INSERT INTO postings (contract_id, dealer_id, schedule_line_id, document_id, kind, receivable_type, amount, value_date)
      SELECT b.contract_id, b.dealer_id, b.line_id, d.id, 'allocation', 'principal', 1000.00, '${next}'
      FROM bench_paid b JOIN documents d ON d.type = 'receipt' AND d.number = 'BR-' || b.line_id`);
    await db.knex.raw(`INSERT INTO penalty_rates (dealer_id, effective_from, daily_rate)
      SELECT min(id), '${next}', 0.0006 FROM dealers WHERE kind = 'dealer'`);
    const fellDue = Number((await db.knex.raw(`SELECT count(*) AS n FROM schedule_lines WHERE due_date = '${DAY}'`)).rows[0].n);
    // a copy of report_line_states as it is before (b), in the same order on disk (its indexes, not its close-only
    // trigger), for the bare writes below: the states (b) closes lie where they lie in the table, not together
    const stateColumns = (await tableColumns(db, 'report_line_states')).join(', ');
    await db.knex.raw('CREATE TABLE bench_close_floor (LIKE report_line_states INCLUDING ALL)');
    await db.knex.raw(`INSERT INTO bench_close_floor (${stateColumns}) SELECT ${stateColumns} FROM report_line_states`);
    await db.knex.raw('VACUUM ANALYZE bench_close_floor');
    const logsB: StepLog[] = [];
    await settle(db);
    const stopWatching = watchSlowStatements(db, Number(process.env.BENCH_SLOW_MS ?? 0), '(b)');
    // the WAL the snapshot step wrote: the server's position as it starts and as the next step starts, read on
    // a connection of its own (the step's first statements are small reads, so the positions are its own within a
    // few kB)
    const watcher = kind === 'postgres' ? await openDatabase({ databaseUrl: dbUrl }, { requireMigrated: false }) : null;
    const positions = new Map<string, Promise<string>>();
    const onStart = (_date: string, name: string) => {
      if (watcher && (name === 'report_snapshot' || name === 'collection')) positions.set(name, walPosition(watcher));
    };
    const [dayRun, dayMs] = await timed(() => runBatch(db, admin, { date: next }, (l) => logsB.push(l), onStart));
    stopWatching();
    let snapshotWal = '';
    if (watcher) {
      const [from, to] = await Promise.all([positions.get('report_snapshot'), positions.get('collection')]);
      const bytes = (await watcher.knex.raw('SELECT pg_wal_lsn_diff(?::pg_lsn, ?::pg_lsn) AS b', [to ?? '0/0', from ?? '0/0'])).rows[0].b;
      snapshotWal = `, ${mb(Number(bytes))} of WAL`;
      await watcher.close();
    }
    // the snapshot step's floor: a bare INSERT … SELECT of as many line states as it wrote, into an empty copy of
    // report_line_states with its indexes (the step also compares, closes the states it replaces and sums contracts)
    const statesWritten = Number(logsB.find((l) => l.step === 'report_snapshot')?.counts.linesWritten ?? 0);
    await db.knex.raw('CREATE TABLE bench_states_floor (LIKE report_line_states INCLUDING ALL)');
    await settle(db);
    const [, snapshotFloorMs] = await timed(() =>
      db.knex.raw(`INSERT INTO bench_states_floor (line_id, contract_id, valid_from, seq, receivable_type, due_date, amount_due, paid,
          written_off, penalty_opening, penalty_paid, penalty_waived, penalty_closed, run_from, run_base, run_rate)
        SELECT g, 1, '${next}', 1, 'principal', '${DAY}', 5000.00, 0, 0, 0, 0, 0, 0, '${next}', 5000.00, 0.0005
          FROM generate_series(1, ${statesWritten}) g`),
    );
    await db.knex.raw('DROP TABLE bench_states_floor');
    // and the two writes of its design made bare, on the copy taken before (b): closing the states it replaced, then
    // inserting the new ones beside the states the table holds (into its populated indexes, where the floor above
    // fills empty ones); each under EXPLAIN (ANALYZE, WAL) for the WAL it writes
    await db.knex.raw(`CREATE TABLE bench_close_lines AS SELECT line_id FROM report_line_states WHERE valid_from = '${next}'`);
    await db.knex.raw('ANALYZE bench_close_lines');
    await settle(db);
    const close = await withWal(
      db,
      `UPDATE bench_close_floor o SET valid_to = '${DAY}' FROM bench_close_lines x WHERE o.line_id = x.line_id AND o.valid_to IS NULL`,
    );
    const insert = await withWal(
      db,
      `INSERT INTO bench_close_floor (${stateColumns}) SELECT ${stateColumns} FROM report_line_states WHERE valid_from = '${next}'`,
    );
    await db.knex.raw('DROP TABLE bench_close_floor, bench_close_lines');
    const snapshotMs = step(logsB, 'report_snapshot');
    // (c) 30-day catch-up
    const logsC: StepLog[] = [];
    await settle(db);
    const [catchUp, catchUpMs] = await timed(() => runBatch(db, admin, { date: addDays(next, 30) }, (l) => logsC.push(l)));
    const replayed = logsB.find((l) => l.step === 'apply_credit')?.counts.contracts ?? 0;
    const perStep = [...new Set(logsC.map((l) => l.step))].map(
      (name) => `${name} ${f(logsC.filter((l) => l.step === name).reduce((sum, l) => sum + l.durationMs, 0))}`,
    );
    console.log(
      [
        `[${kind}] ${lines} lines, ${CONTRACTS} contracts, ${overdue} overdue lines, ${segments} segments (load ${f(loadMs)})`,
        `  (a) full recomputation ${f(accrueMs)} (median of ${accrueRuns.map(f).join(', ')}; whole date with credit + reconcile ${f(logsA.reduce((s, l) => s + l.durationMs, 0))}); floor INSERT … SELECT of ${segments} rows ${f(floorMs)} (median of ${floorRuns.map(f).join(', ')}); ratio ${(accrueMs / floorMs).toFixed(2)}`,
        `  (b) one business day (${fellDue} lines fell due the day before, ${RECEIPTS_PER_DAY} receipts, a dealer's rate change, ${replayed} contracts' receipts replayed): ${f(dayMs)}, ${dayRun.discrepancies.length} discrepancies (${logsB.map((l) => `${l.step} ${f(l.durationMs)}`).join(', ')})`,
        `      report_snapshot ${f(snapshotMs)} for ${statesWritten} line states written${snapshotWal}; floor INSERT … SELECT of ${statesWritten} rows into an empty copy of report_line_states ${f(snapshotFloorMs)}; ratio ${(snapshotMs / snapshotFloorMs).toFixed(2)}`,
        `      beside the two writes of its design, made bare on a copy of the table as it was before (b): closing the states it replaced ${f(close.ms)} (${mb(close.bytes)} of WAL, ${close.fpi} full-page images), inserting the new ones among the rest ${f(insert.ms)} (${mb(insert.bytes)}, ${insert.fpi} full-page images): ${f(close.ms + insert.ms)}; ratio ${(snapshotMs / (close.ms + insert.ms)).toFixed(2)}`,
        `  (c) 30-day catch-up: ${f(catchUpMs)}, ${catchUp.discrepancies.length} discrepancies (${perStep.join(', ')})`,
      ].join('\n'),
    );
  } finally {
    await db.close();
    await cleanup();
  }
}

for (const kind of (process.env.BENCH_TARGETS ?? 'pglite,postgres').split(',')) await bench(kind as 'pglite' | 'postgres');
