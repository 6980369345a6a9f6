// `zq penalty show`, `zq contract show` and `zq batch run` the way cron and a clerk use them: real bin/zq
// processes in a temp folder (run `npm run build` first). Hand-worked figures from RULES.md's worked example;
// exit codes and one log line per step; a finished date is a no-op that says so; kill -9 in the middle of a long
// catch-up leaves no half-done business date and the next run resumes; on PostgreSQL a second concurrent run
// exits with a clear message (advisory lock) and nothing is accrued twice.
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/index.js';
import { cleanEnv, finish, startZq, tempDir, type ZqResult, zq } from '../support/zq.js';

interface LogLine {
  date: string;
  step: string;
  status: string;
  counts: Record<string, number>;
  totals: Record<string, string>;
  discrepancies: number;
  message?: string;
}

const STEPS = ['apply_credit', 'accrue_penalty', 'report_snapshot', 'collection', 'reconcile'];

/** The step lines of a --log-format json run; every line it wrote must be JSON (cron's log stays JSON). */
function logLines(result: ZqResult): LogLine[] {
  return events(result).filter((l) => l.event === 'step') as unknown as LogLine[];
}

function events(result: ZqResult): ({ event: string } & Record<string, unknown>)[] {
  const lines = `${result.stdout}${result.stderr}`
    .trim()
    .split('\n')
    .filter((l) => l !== '');
  return lines.map((l) => JSON.parse(l));
}

describe('zq penalty show, contract show and batch run (embedded database)', () => {
  const cwd = tempDir('zq-e2e-batch-');
  const run = (...args: string[]) => zq(['--as', 'admin', ...args], { cwd });

  beforeAll(async () => {
    expect((await run('init')).code).toBe(0);
    expect((await run('dealer', 'add', 'HF01', '--name', '合肥代理店')).code).toBe(0);
    fs.writeFileSync(
      path.join(cwd, 'lines.csv'),
      'seq,type,due_date,amount_due\n1,principal,2026-03-10,10000.00\n2,principal,2026-04-10,10000.00\n',
    );
    const created = await run(
      'contract',
      'create',
      '--dealer',
      'HF01',
      '--contract-no',
      'HT-1',
      '--customer',
      '张三',
      '--method',
      'custom',
      '--lines-file',
      'lines.csv',
    );
    expect(created.code, created.stderr).toBe(0);
    const registered = await run(
      'receipt',
      'register',
      '--contract',
      'HT-1',
      '--amount',
      '4000.00',
      '--value-date',
      '2026-03-20',
      '--json',
    );
    expect(registered.code, registered.stderr).toBe(0);
    const confirmed = await run('receipt', 'confirm', String(JSON.parse(registered.stdout).id));
    expect(confirmed.code, confirmed.stderr).toBe(0);
  });

  it('penalty show --json: the worked example (by_installment) segment by segment', async () => {
    const shown = await run('penalty', 'show', 'HT-1', '--as-of', '2026-04-09', '--json');
    expect(shown.code).toBe(0);
    expect(shown.stderr).toBe('');
    const p = JSON.parse(shown.stdout);
    expect(p).toMatchObject({ dealer: 'HF01', contractNo: 'HT-1', asOf: '2026-04-09', totals: { penaltyAccrued: '110.50' } });
    // 4,000.00 on 03-20 pays the 50.00 penalty accrued through 03-20 first; 3,950.00 reaches the principal
    expect(p.lines[0]).toEqual({
      seq: 1,
      type: 'principal',
      dueDate: '2026-03-10',
      amountDue: '10000.00',
      outstanding: '6050.00',
      overdueDays: 30,
      penaltyBearing: true,
      graceDays: 0,
      graceMode: 'retroactive',
      openingPenalty: '0.00',
      penaltyExact: '110.5',
      penaltyAccrued: '110.50',
      segments: [
        { from: '2026-03-11', to: '2026-03-20', days: 10, base: '10000.00', rate: '0.0005', amount: '50' },
        { from: '2026-03-21', to: '2026-04-09', days: 20, base: '6050.00', rate: '0.0005', amount: '60.5' },
      ],
    });
    expect(p.lines[1]).toMatchObject({ seq: 2, overdueDays: 0, penaltyAccrued: '0.00', segments: [] });
    // one more day on 6,050.00: 110.50 + 3.025 = 113.525, rounded half-up to 113.53
    const next = JSON.parse((await run('penalty', 'show', 'HT-1', '--as-of', '2026-04-10', '--json')).stdout);
    expect([next.lines[0].penaltyExact, next.lines[0].penaltyAccrued]).toEqual(['113.525', '113.53']);
  });

  it('contract show --json: the CLI.md fields with the worked example figures', async () => {
    const shown = await run('contract', 'show', 'HT-1', '--as-of', '2026-04-09', '--json');
    expect(shown.code).toBe(0);
    const c = JSON.parse(shown.stdout);
    expect(c).toMatchObject({ dealer: 'HF01', contractNo: 'HT-1', customer: { name: '张三' }, status: 'active', asOf: '2026-04-09' });
    expect(c.lines[0]).toMatchObject({
      seq: 1,
      type: 'principal',
      dueDate: '2026-03-10',
      amountDue: '10000.00',
      amountPaid: '3950.00',
      outstanding: '6050.00',
      overdueDays: 30,
      penaltyAccrued: '110.50',
      penaltyPaid: '50.00',
      penaltyWaived: '0.00',
      penaltyOutstanding: '60.50',
    });
    expect(c.totals).toMatchObject({
      amountDue: '20000.00',
      amountPaid: '3950.00',
      outstanding: '16050.00',
      overdue: '6050.00',
      penaltyAccrued: '110.50',
      penaltyPaid: '50.00',
      penaltyWaived: '0.00',
      penaltyOutstanding: '60.50',
      credit: '0.00',
    });
  });

  it('batch run: one log line per step, exit 0; a finished date says so; --log-format json; bad input exits 2', async () => {
    const first = await run('batch', 'run', '--date', '2026-04-09');
    expect(first.code, first.stderr).toBe(0);
    const lines = first.stdout.trim().split('\n');
    expect(lines).toHaveLength(2 * STEPS.length + 1); // each step as it starts, each step done, and the summary
    expect(lines.slice(0, STEPS.length)).toEqual(STEPS.map((s) => `2026-04-09 ${s} started`));
    expect(lines.slice(STEPS.length, 2 * STEPS.length).map((l) => l.split(' ').slice(0, 3).join(' '))).toEqual(
      STEPS.map((s) => `2026-04-09 ${s} done`),
    );
    expect(lines[STEPS.length + 1]).toContain('penaltyAccrued=110.50');
    expect(lines[2 * STEPS.length]).toMatch(/batch done for 1 business date/);

    const again = await run('batch', 'run', '--date', '2026-04-09');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already done \(last completed business date 2026-04-09\)/);
    expect(again.stdout).toMatch(/nothing to do: business dates through 2026-04-09 are done/);

    const json = await run('batch', 'run', '--date', '2026-04-11', '--log-format', 'json');
    expect(json.code, json.stderr).toBe(0);
    const logged = logLines(json);
    expect(logged.map((l) => `${l.date} ${l.step} ${l.status}`)).toEqual(
      ['2026-04-10', '2026-04-11'].flatMap((d) => STEPS.map((s) => `${d} ${s} done`)),
    );
    // 04-10: 110.50 + 6,050.00 × 0.0005 = 113.525 → 113.53; 04-11: line 1 116.55, line 2 one day on 10,000.00 = 5.00
    expect(logged.filter((l) => l.step === 'accrue_penalty').map((l) => l.totals.penaltyAccrued)).toEqual(['113.53', '121.55']);

    expect(events(json).at(-1)).toMatchObject({ event: 'summary', datesRun: ['2026-04-10', '2026-04-11'], discrepancies: 0 });
    // an error, too, is one JSON line
    const refused = await run('batch', 'run', '--date', '2026-04-25', '--recompute-from', '2026-04-20', '--log-format', 'json');
    expect(refused.code).toBe(2);
    expect(events(refused)).toEqual([
      {
        event: 'error',
        at: expect.any(String),
        error: expect.stringMatching(/^--recompute-from: .*2026-04-20.*on or before 2026-04-12/),
        exitCode: 2,
      },
    ]);
    const future = await run('batch', 'run', '--date', '2099-01-01');
    expect(future.code).toBe(2);
    expect(future.stderr).toMatch(/--date.*2099-01-01.*on or before today/);

    const status = await run('batch', 'status', '--json');
    const body = JSON.parse(status.stdout);
    expect(body.lastCompleted).toBe('2026-04-11');
    expect(body.runs).toHaveLength(3 * STEPS.length); // three dates, every step of each

    const bad = await run('batch', 'run', '--date', '2026-13-01');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('--date');
    const badFormat = await run('batch', 'run', '--log-format', 'xml');
    expect(badFormat.code).toBe(2);
    // a mistyped option under --log-format json: commander's error, too, is one JSON line
    const unknown = await run('batch', 'run', '--log-format', 'json', '--dat', '2026-04-12');
    expect(unknown.code).toBe(2);
    expect(events(unknown)).toEqual([
      { event: 'error', at: expect.any(String), error: "unknown option '--dat' (Did you mean --date?)", exitCode: 2 },
    ]);
    expect((await run('batch', 'run', '--dat', '2026-04-12')).stderr).toMatch(/^error: unknown option '--dat'/);
  });

  it('15.13: --log-format json against an unreachable database: only JSON lines on both streams', async () => {
    const result = await zq(['--as', 'admin', '--database-url', 'postgres://zq@127.0.0.1:1/none', 'batch', 'run', '--log-format', 'json'], {
      cwd,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      event: 'error',
      error: expect.stringMatching(/cannot connect to PostgreSQL/),
      exitCode: 1,
    });
  });

  it('reconciliation discrepancies exit 4 and are printed with contract and line', async () => {
    const pglite = new PGlite({ dataDir: path.join(cwd, '.zq', 'pgdata') });
    await pglite.query(`UPDATE penalty_segments SET base = 9999.00 WHERE from_date = '2026-03-21'`);
    await pglite.close();
    const result = await run('batch', 'run', '--date', '2026-04-12', '--full');
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/discrepancy 2026-04-12 segments_match_pure: HF01\/HT-1 line 1 principal/);
  });

  it('15.22: batch JSON events carry their wall-clock time; each step says when it starts, before its date commits', async () => {
    // after the reconciliation test's tampering a date may report discrepancies (exit 4): those lines are not checked here
    const json = await run('batch', 'run', '--date', '2026-04-13', '--log-format', 'json');
    expect([0, 4], json.stderr).toContain(json.code);
    const all = events(json).filter((e) => e.event !== 'discrepancy');
    // Asia/Shanghai wall-clock time with its zone
    for (const e of all) expect(e.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
    expect(all.map((e) => `${e.event} ${e.step ?? ''}`.trim())).toEqual([
      ...STEPS.map((s) => `started ${s}`),
      ...STEPS.map((s) => `step ${s}`),
      'summary',
    ]);
    expect(all[0]).toMatchObject({ event: 'started', date: '2026-04-13', step: STEPS[0] });
    const seconds = all.map((e) => Date.parse(String(e.at)));
    expect(Math.abs((seconds.at(-1) as number) - Date.now())).toBeLessThan(60_000);
  });
});

/** A ledger big enough that a catch-up takes a while: CONTRACTS × 12 monthly lines, two in five overdue. */
const LOAD_CONTRACTS = 1500;
const LOAD = [
  `INSERT INTO dealers (code, name, kind, parent_id) SELECT 'L' || g, 'load ' || g, 'dealer', (SELECT id FROM dealers WHERE kind = 'group')
   FROM generate_series(1, 4) g`,
  `INSERT INTO customers (dealer_id, name) SELECT id, 'customer ' || code FROM dealers WHERE kind = 'dealer'`,
  `INSERT INTO contracts (dealer_id, contract_no, customer_id, method)
   SELECT cu.dealer_id, 'LC-' || g, cu.id, 'custom' FROM generate_series(1, ${LOAD_CONTRACTS}) g
   JOIN customers cu ON cu.dealer_id = (SELECT min(id) FROM dealers WHERE kind = 'dealer') + g % 4`,
  `INSERT INTO schedule_versions (contract_id, version, effective_from, source) SELECT id, 1, '2025-06-01', 'custom' FROM contracts`,
  `INSERT INTO schedule_lines (contract_id, version, seq, receivable_type, due_date, amount_due)
   SELECT c.id, 1, s, 'principal', (date '2025-06-01' + (c.id % 28)::int + make_interval(months => s - 1))::date, 5000.00
   FROM contracts c CROSS JOIN generate_series(1, 12) s`,
  `INSERT INTO postings (contract_id, dealer_id, schedule_line_id, kind, receivable_type, amount, value_date)
   SELECT l.contract_id, c.dealer_id, l.id, 'allocation', 'principal', l.amount_due, l.due_date
   FROM schedule_lines l JOIN contracts c ON c.id = l.contract_id WHERE l.due_date <= '2026-03-31' AND l.id % 5 < 3`,
];
const START = '2026-03-01';
const TARGET = '2026-04-30';

/** Waits until the child has written its first log line (a date is committed), then a little longer. */
async function afterFirstLogLine(child: ReturnType<typeof startZq>, extraMs: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d) => String(d).includes('"event":"step"') && resolve());
    child.on('exit', () => reject(new Error('zq batch run finished before it could be interrupted')));
  });
  await new Promise((resolve) => setTimeout(resolve, extraMs));
}

/** No business date with some steps recorded and others not, and no step left 'running'. */
function assertNoHalfDoneDate(runs: { step: string; businessDate: string; status: string }[]): string | null {
  const byDate = new Map<string, string[]>();
  for (const r of runs) {
    expect(r.status).not.toBe('running');
    if (r.status === 'done') byDate.set(r.businessDate, [...(byDate.get(r.businessDate) ?? []), r.step]);
  }
  for (const [date, steps] of byDate) expect(steps.sort(), date).toEqual([...STEPS].sort());
  return [...byDate.keys()].sort().at(-1) ?? null;
}

/** The resumed run's figures equal a full recomputation of the last date, and full reconciliation is clean. */
async function expectSameAsFullRecompute(run: (...args: string[]) => Promise<ZqResult>, finalTotal: string | undefined) {
  const redo = await run('batch', 'run', '--date', TARGET, '--recompute-from', TARGET, '--full', '--log-format', 'json');
  expect(redo.code, redo.stderr).toBe(0);
  const accrue = logLines(redo).find((l) => l.step === 'accrue_penalty');
  expect(accrue?.totals.penaltyAccrued).toBe(finalTotal);
}

describe('zq batch run under kill -9 (embedded database)', () => {
  const cwd = tempDir('zq-e2e-batch-kill-');
  const run = (...args: string[]) => zq(['--as', 'admin', ...args], { cwd });

  beforeAll(async () => {
    expect((await run('init')).code).toBe(0);
    const pglite = new PGlite({ dataDir: path.join(cwd, '.zq', 'pgdata') });
    for (const sql of LOAD) await pglite.query(sql);
    await pglite.close();
    expect((await run('batch', 'run', '--date', START)).code).toBe(0);
  }, 120_000);

  it('a process killed mid catch-up leaves only whole business dates; the next run resumes and completes', async () => {
    const child = startZq(['--as', 'admin', 'batch', 'run', '--date', TARGET, '--log-format', 'json'], { cwd });
    const done = finish(child);
    await afterFirstLogLine(child, 700);
    child.kill('SIGKILL');
    const killed = await done;
    expect(killed.code).toBe(128);
    const status = JSON.parse((await run('batch', 'status', '--json', '--limit', '10000')).stdout);
    const last = assertNoHalfDoneDate(status.runs);
    expect(status.lastCompleted).toBe(last);
    expect(last !== null && last > START && last < TARGET, `interrupted at ${last}`).toBe(true);

    const resumed = await run('batch', 'run', '--date', TARGET, '--log-format', 'json');
    expect(resumed.code, resumed.stderr).toBe(0);
    const logged = logLines(resumed);
    const nextDate = new Date(`${last}T00:00:00Z`);
    nextDate.setUTCDate(nextDate.getUTCDate() + 1);
    expect(logged[0]?.date).toBe(nextDate.toISOString().slice(0, 10));
    expect(logged.at(-1)).toMatchObject({ date: TARGET, step: 'reconcile', discrepancies: 0 });
    const after = JSON.parse((await run('batch', 'status', '--json', '--limit', '10000')).stdout);
    expect(assertNoHalfDoneDate(after.runs)).toBe(TARGET);
    expect(after.runs.filter((r: { status: string }) => r.status === 'done')).toHaveLength(STEPS.length * 61);
    await expectSameAsFullRecompute(run, logged.filter((l) => l.step === 'accrue_penalty').at(-1)?.totals.penaltyAccrued);
  }, 240_000);
});

const serverUrl = process.env.ZQ_TEST_DATABASE_URL;

describe.runIf(serverUrl)('zq batch run on PostgreSQL: a second run while one runs', () => {
  const cwd = tempDir('zq-e2e-batch-pg-');
  const name = `zq_e2e_batch_${process.pid}`;
  const target = new URL(serverUrl ?? 'postgres://localhost/none');
  target.pathname = `/${name}`;
  const env = cleanEnv({ ZQ_DATABASE_URL: target.toString() });
  const run = (...args: string[]) => zq(['--as', 'admin', ...args], { cwd, env });

  beforeAll(async () => {
    const server = await openDatabase({ databaseUrl: serverUrl as string }, { requireMigrated: false });
    await server.knex.raw(`DROP DATABASE IF EXISTS ${name}`);
    await server.knex.raw(`CREATE DATABASE ${name}`);
    await server.close();
    expect((await run('init')).code).toBe(0);
    const db = await openDatabase({ databaseUrl: target.toString() }, { requireMigrated: false });
    for (const sql of LOAD) await db.knex.raw(sql);
    await db.close();
    expect((await run('batch', 'run', '--date', START)).code).toBe(0);
    return async () => {
      const again = await openDatabase({ databaseUrl: serverUrl as string }, { requireMigrated: false });
      await again.knex.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await again.close();
    };
  }, 120_000);

  it('exits 2 naming the lock holder and never double-accrues; kill -9 releases the lock with the session', async () => {
    const first = startZq(['--as', 'admin', 'batch', 'run', '--date', TARGET, '--log-format', 'json'], { cwd, env });
    const firstDone = finish(first);
    await afterFirstLogLine(first, 0);
    const second = await run('batch', 'run', '--date', TARGET);
    expect(second.code).toBe(2);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(second.stderr).toMatch(
      /another batch run is in progress on this database \(zq batch run \(pid \d+ on .+\), server process \d+, since \d{4}-/,
    );
    // kill -9: the server ends the session and its advisory lock; the date in flight is rolled back
    first.kill('SIGKILL');
    expect((await firstDone).code).toBe(128);
    const status = JSON.parse((await run('batch', 'status', '--json', '--limit', '10000')).stdout);
    const last = assertNoHalfDoneDate(status.runs);
    expect(last !== null && last < TARGET).toBe(true);

    let resumed = await run('batch', 'run', '--date', TARGET, '--log-format', 'json');
    // the killed backend may take a moment to go away
    for (let i = 0; i < 20 && resumed.code === 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      resumed = await run('batch', 'run', '--date', TARGET, '--log-format', 'json');
    }
    expect(resumed.code, resumed.stderr).toBe(0);
    const logged = logLines(resumed);
    expect(logged.at(-1)).toMatchObject({ date: TARGET, step: 'reconcile', discrepancies: 0 });
    // a concurrent pair once more, started together: exactly one runs the dates, the other is refused or finds them done
    const [a, b] = await Promise.all([
      run('batch', 'run', '--date', '2026-05-10', '--log-format', 'json'),
      run('batch', 'run', '--date', '2026-05-10', '--log-format', 'json'),
    ]);
    const ran = [a, b].filter((r) => logLines(r).some((l) => l.status === 'done'));
    expect(ran).toHaveLength(1);
    for (const r of [a, b]) expect([0, 2]).toContain(r.code);
    const after = JSON.parse((await run('batch', 'status', '--json', '--limit', '10000')).stdout);
    expect(assertNoHalfDoneDate(after.runs)).toBe('2026-05-10');
    const doneRows = after.runs.filter((r: { status: string }) => r.status === 'done');
    expect(doneRows).toHaveLength(new Set(doneRows.map((r: { step: string; businessDate: string }) => `${r.step} ${r.businessDate}`)).size);
    const final = logLines(ran[0] as ZqResult)
      .filter((l) => l.step === 'accrue_penalty')
      .at(-1);
    const redo = await run('batch', 'run', '--date', '2026-05-10', '--recompute-from', '2026-05-10', '--full', '--log-format', 'json');
    expect(redo.code, redo.stderr).toBe(0);
    expect(logLines(redo).find((l) => l.step === 'accrue_penalty')?.totals.penaltyAccrued).toBe(final?.totals.penaltyAccrued);
  }, 240_000);
});
