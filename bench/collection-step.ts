// The nightly 'collection' step at scale (figures only; never part of npm test). First load a ledger and keep it:
//   BENCH_KEEP=zq_collect_bench BENCH_TARGETS=postgres npm run bench:batch   (50,000 contracts, 1,000,000 lines)
// then: npm run build && BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/zq_collect_bench node --import tsx bench/collection-step.ts
// It adds two suggested-action rules when there are none (lock at 60 overdue days, repossession at 3 consecutive
// unpaid installments) and times the step on BENCH_DATE (default 2026-03-20), again on the same date (a re-run),
// and on the next date, each in one transaction with jit off as the batch runs it.
const compiled = <T>(module: string): Promise<T> => import(`../dist/src/${module}.js`) as Promise<T>;
const { openDatabase } = await compiled<typeof import('../src/db/index.js')>('db/index');
const { addDays } = await compiled<typeof import('../src/core/dates.js')>('core/dates');
const { decidePromises } = await compiled<typeof import('../src/collections/contacts.js')>('collections/contacts');
const { flagContracts } = await compiled<typeof import('../src/collections/suggestions.js')>('collections/suggestions');

const url = process.env.BENCH_DATABASE_URL;
if (!url) throw new Error('BENCH_DATABASE_URL: a database loaded by BENCH_KEEP=NAME npm run bench:batch');
const date = process.env.BENCH_DATE ?? '2026-03-20';
const db = await openDatabase({ databaseUrl: url }, { requireMigrated: false });
const k = db.knex;
if (!(await k('collection_rules').whereNull('removed_at').first('id'))) {
  const admin = await k('users').where('username', 'admin').first('id');
  await k('collection_rules').insert([
    { action: 'lock', overdue_days: 60, created_by: admin.id },
    { action: 'repossession', consecutive_unpaid: 3, created_by: admin.id },
  ]);
}
const counts = await k.raw('SELECT (SELECT count(*) FROM contracts) AS contracts, (SELECT count(*) FROM schedule_lines) AS lines');
console.log(`contracts ${counts.rows[0].contracts}, lines ${counts.rows[0].lines}`);
for (const [label, day] of [
  ['night', date],
  ['re-run', date],
  ['next night', addDays(date, 1)],
] as const) {
  const t = performance.now();
  const result = await k.transaction(async (tx) => {
    await tx.raw('SET LOCAL jit = off');
    return { promises: await decidePromises(tx, day), flags: await flagContracts(tx, day) };
  });
  console.log(`${label} ${day}: ${((performance.now() - t) / 1000).toFixed(2)} s ${JSON.stringify(result)}`);
}
await db.close();
