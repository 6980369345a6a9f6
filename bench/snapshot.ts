// npm run bench:snapshot — the report snapshot step and the as-reported read at scale, on PostgreSQL (a database of
// its own). Figures only; never part of npm test. The ledger of bench/batch.ts (BENCH_CONTRACTS, default 50,000 ×
// 20 lines = 1,000,000 lines); BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres).
// Prints, per night: the snapshot step's time and the rows and bytes it added (pg_total_relation_size of the
// snapshot tables before/after) for a first night, an ordinary night without receipts, and a night with 1,000
// receipts; then reportedLines summed by contract group-wide, to JSON, beside the floor: a bare SELECT of as many
// rows from one table. BENCH_KEEP=1: keep the loaded world between runs (a database of its own, copied per run);
// BENCH_KEEP=run: keep this run's database too, after its nights, to look at plans (drop it by hand).
import { loadavg } from 'node:os';
import type { StepLog } from '../src/batch/run.js';
import type { Db } from '../src/db/index.js';

const compiled = <T>(module: string): Promise<T> => import(`../dist/src/${module}.js`) as Promise<T>;
const { loadActor } = await compiled<typeof import('../src/access/actor.js')>('access/actor');
const { runBatch } = await compiled<typeof import('../src/batch/run.js')>('batch/run');
const { addDays } = await compiled<typeof import('../src/core/dates.js')>('core/dates');
const { openDatabase } = await compiled<typeof import('../src/db/index.js')>('db/index');
const { migrateLatest } = await compiled<typeof import('../src/db/migrate.js')>('db/migrate');
const { seed } = await compiled<typeof import('../src/db/seed.js')>('db/seed');
const { reportedContractFigures, reportedLines } = await compiled<typeof import('../src/reports/snapshot.js')>('reports/snapshot');
const { agingBuckets, DEFAULT_AGING } = await compiled<typeof import('../src/reports/aging.js')>('reports/aging');

const CONTRACTS = Number(process.env.BENCH_CONTRACTS ?? 50_000);
const LINES_PER_CONTRACT = 20;
const DEALERS = 20;
const DAY = '2026-03-19';
const RECEIPTS = 1_000;
const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const WORLD = `zq_bench_snapshot_world_${CONTRACTS}`;
const TABLES = ['report_snapshots', 'report_line_states', 'report_contract_states'];

const f = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const r = await fn();
  return [r, performance.now() - t];
}

/** The ledger of bench/batch.ts: 20 dealers, CONTRACTS contracts of 20 monthly lines, three in five due lines paid. */
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
  await k.raw(`INSERT INTO postings (contract_id, dealer_id, schedule_line_id, kind, receivable_type, amount, value_date)
    SELECT l.contract_id, c.dealer_id, l.id, 'opening_paid', 'principal', l.amount_due, l.due_date
    FROM schedule_lines l JOIN contracts c ON c.id = l.contract_id WHERE l.due_date <= '${DAY}' AND l.id % 5 < 3`);
  await k.raw('VACUUM ANALYZE');
}

async function size(db: Db): Promise<{ rows: number; bytes: number }> {
  const r = await db.knex.raw(
    `SELECT (SELECT count(*) FROM report_line_states) + (SELECT count(*) FROM report_contract_states) + (SELECT count(*) FROM report_snapshots) AS rows,
       ${TABLES.map((t) => `pg_total_relation_size('${t}')`).join(' + ')} AS bytes`,
  );
  return { rows: Number(r.rows[0].rows), bytes: Number(r.rows[0].bytes) };
}

/** A database on the server of SERVER. */
function databaseUrl(name: string): string {
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * The world before its first night. With BENCH_KEEP set it is built once into a database kept between runs
 * (WORLD) and each run copies it (CREATE DATABASE … TEMPLATE): the snapshot nights cannot be run twice on one database.
 */
async function world(server: Db, name: string): Promise<number> {
  const keep = process.env.BENCH_KEEP !== undefined;
  if (keep) {
    const kept = await server.knex.raw('SELECT 1 FROM pg_database WHERE datname = ?', [WORLD]);
    if (kept.rows.length > 0) {
      await server.knex.raw(`CREATE DATABASE ${name} TEMPLATE ${WORLD}`);
      return 0;
    }
  }
  const target = keep ? WORLD : name;
  await server.knex.raw(`CREATE DATABASE ${target}`);
  const db = await openDatabase({ databaseUrl: databaseUrl(target) }, { requireMigrated: false });
  let ms: number;
  try {
    await migrateLatest(db.knex);
    await seed(db.knex);
    [, ms] = await timed(() => load(db));
  } finally {
    await db.close();
  }
  if (keep) await server.knex.raw(`CREATE DATABASE ${name} TEMPLATE ${WORLD}`);
  return ms;
}

async function main(): Promise<void> {
  const name = `zq_bench_snapshot_${process.pid}`;
  const server = await openDatabase({ databaseUrl: SERVER }, { requireMigrated: false });
  let loadMs: number;
  try {
    loadMs = await world(server, name);
  } finally {
    await server.close();
  }
  const db = await openDatabase({ databaseUrl: databaseUrl(name) }, { requireMigrated: false });
  try {
    // (a kept world may predate migrations added since)
    await migrateLatest(db.knex);
    const admin = await loadActor(db.knex, 'admin');
    const lines = Number((await db.knex.raw('SELECT count(*) AS n FROM schedule_lines')).rows[0].n);
    console.log(
      `[postgres] ${lines} lines, ${CONTRACTS} contracts (load ${loadMs ? f(loadMs) : 'kept world copied'}); load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    const night = async (date: string, label: string) => {
      const before = await size(db);
      const logs: StepLog[] = [];
      await db.knex.raw('CHECKPOINT');
      await runBatch(db, admin, { date }, (l) => logs.push(l));
      const after = await size(db);
      const snap = logs.find((l) => l.step === 'report_snapshot');
      const whole = logs.reduce((s, l) => s + l.durationMs, 0);
      console.log(
        `  ${label} ${date}: report_snapshot ${f(snap?.durationMs ?? 0)} of the night's ${f(whole)}; ${JSON.stringify(snap?.counts)}; ` +
          `+${after.rows - before.rows} rows, +${((after.bytes - before.bytes) / 1024).toFixed(0)} kB (snapshot tables ${(after.bytes / 1024 / 1024).toFixed(1)} MB)`,
      );
    };
    await night(DAY, 'first night');
    await night(addDays(DAY, 1), 'ordinary night, no receipt');
    // 1,000 receipts value-dated the next night, each paying 1,000.00 towards a contract's oldest overdue line
    const next = addDays(DAY, 2);
    await db.knex.raw(`CREATE TABLE bench_paid AS
      SELECT DISTINCT ON (s.contract_id) s.contract_id, s.line_id, c.dealer_id FROM penalty_segments s
      JOIN contracts c ON c.id = s.contract_id ORDER BY s.contract_id, s.from_date, s.line_id LIMIT ${RECEIPTS}`);
    await db.knex.raw(`INSERT INTO documents (type, number, status, dealer_id, contract_id, author_id, value_date, amount)
      SELECT 'receipt', 'BR-' || line_id, 'confirmed', dealer_id, contract_id, ${admin.id}, '${next}', 1000.00 FROM bench_paid`);
    await db.knex.raw(`INSERT INTO postings (contract_id, dealer_id, schedule_line_id, document_id, kind, receivable_type, amount, value_date)
      SELECT b.contract_id, b.dealer_id, b.line_id, d.id, 'allocation', 'principal', 1000.00, '${next}'
      FROM bench_paid b JOIN documents d ON d.type = 'receipt' AND d.number = 'BR-' || b.line_id`);
    await night(next, `night with ${RECEIPTS} receipts`);
    // as reported, by contract, group-wide, to JSON; and the floor
    await db.knex.raw('VACUUM ANALYZE report_line_states, report_contract_states');
    for (const asOf of [DAY, next]) {
      const [json, ms] = await timed(async () => {
        const q = db.knex
          .from(reportedLines(db.knex, admin, { asOf }).as('x'))
          .groupBy('x.contractId', 'x.dealer', 'x.contractNo')
          .select(
            'x.dealer',
            'x.contractNo',
            ...['amountDue', 'amountPaid', 'outstanding', 'overdue', 'penaltyAccrued', 'penaltyOutstanding'].map((c) =>
              db.knex.raw(`sum(x."${c}")::text AS "${c}"`),
            ),
            db.knex.raw('max(x."overdueDays") AS "maxOverdueDays"'),
          );
        const rows = await q;
        return JSON.stringify(rows);
      });
      const count = (JSON.parse(json) as unknown[]).length;
      const [, floorMs] = await timed(async () =>
        JSON.stringify((await db.knex.raw(`SELECT * FROM report_line_states LIMIT ${count}`)).rows),
      );
      console.log(
        `  reportedLines by contract, group-wide, as of ${asOf}: ${count} contracts to JSON ${f(ms)} (${(json.length / 1024 / 1024).toFixed(1)} MB); floor SELECT of ${count} rows from report_line_states ${f(floorMs)}`,
      );
      // the per-contract read: the contracts' sums and their moving lines, before the contract and dealer are joined
      const [json2, ms2] = await timed(async () => {
        const rows = await db.knex
          .from(db.knex.raw('(?) AS x', [reportedContractFigures(db.knex, admin, { asOf }, agingBuckets(DEFAULT_AGING))]))
          .join('contracts as c', 'c.id', 'x.contractId')
          .join('dealers as d', 'd.id', 'c.dealer_id')
          .select(
            'd.code as dealer',
            'c.contract_no as contractNo',
            ...['amountDue', 'amountPaid', 'outstanding', 'overdue', 'penaltyAccrued', 'penaltyOutstanding'].map((c) =>
              db.knex.raw(`x."${c}"::text AS "${c}"`),
            ),
            'x.overdueDays as maxOverdueDays',
          );
        return JSON.stringify(rows);
      });
      console.log(
        `  reportedContractFigures, group-wide, as of ${asOf}: ${(JSON.parse(json2) as unknown[]).length} contracts to JSON ${f(ms2)} (${(json2.length / 1024 / 1024).toFixed(1)} MB)`,
      );
    }
  } finally {
    await db.close();
    if (process.env.BENCH_KEEP === 'run') {
      console.log(`  kept ${databaseUrl(name)}`);
    } else {
      const again = await openDatabase({ databaseUrl: SERVER }, { requireMigrated: false });
      await again.knex.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await again.close();
    }
  }
}

await main();
