// The nightly batch on both databases: catch-up, no-op re-runs, credit applied on due dates, --recompute-from,
// reconciliation, and back-dating: after a back-dated receipt and rate change every figure equals a fresh
// computation of the same history in a new database.
import { expect, it } from 'vitest';
import type { Actor } from '../../src/access/actor.js';
import { loadActor } from '../../src/access/actor.js';
import { dec } from '../../src/core/money.js';
import type { Db } from '../../src/db/index.js';
import { setReviewLock } from '../../src/documents/index.js';
import { setGrace, setPenaltyBearing, setPenaltyRate } from '../../src/penalty/settings.js';
import { recomputeSegments, storedAccrued, storedSegments } from '../../src/penalty/store.js';
import { describeEachDb, openTestDb } from '../support/db.js';
import { batch, contract, dealer, type LineSpec, receipt, show, storedVersusPure } from './fixtures.js';

async function ledger(db: Db) {
  const segments = await db.knex.raw(
    `SELECT c.contract_no || '/' || l.seq || '/' || l.receivable_type AS line, s.from_date, s.to_date, s.base, s.daily_rate
     FROM penalty_segments s JOIN schedule_lines l ON l.id = s.line_id JOIN contracts c ON c.id = s.contract_id
     ORDER BY 1, 2`,
  );
  const postings = await db.knex.raw(
    `SELECT c.contract_no || '/' || coalesce(l.seq::text, '-') || '/' || coalesce(l.receivable_type, '-') AS line, p.kind,
       p.value_date, sum(p.signed_amount)::text AS total
     FROM postings p JOIN contracts c ON c.id = p.contract_id LEFT JOIN schedule_lines l ON l.id = p.schedule_line_id
     GROUP BY 1, 2, 3 HAVING sum(p.signed_amount) <> 0 ORDER BY 1, 2, 3`,
  );
  return { segments: segments.rows, postings: postings.rows };
}

describeEachDb('zq batch run', (get) => {
  it('first run computes everything as of its date; later runs catch up date by date; a finished date is a no-op', async () => {
    const { db, admin } = get();
    await dealer(db, admin, 'BA01');
    const c = await contract(db, admin, 'BA01', 'BA-1', [
      [1, 'principal', '2026-03-10', '10000.00'],
      [2, 'principal', '2026-04-10', '10000.00'],
    ]);
    const first = await batch(db, admin, '2026-04-09');
    expect(first.summary.datesRun).toEqual(['2026-04-09']);
    expect(first.logs.map((l) => l.step)).toEqual([
      'apply_credit',
      'accrue_penalty',
      'report_snapshot',
      'collection',
      'machine_unlock',
      'reconcile',
    ]);
    expect(first.logs[1]?.totals).toEqual({ penaltyAccrued: '150.00' }); // 30 days × 5.00
    const again = await batch(db, admin, '2026-04-09');
    expect(again.summary.alreadyDone).toBe(true);
    expect(again.logs[0]?.message).toMatch(/already done/);
    const catchUp = await batch(db, admin, '2026-04-15');
    expect(catchUp.summary.datesRun).toEqual(['2026-04-10', '2026-04-11', '2026-04-12', '2026-04-13', '2026-04-14', '2026-04-15']);
    // line 2 became late on 04-11: 5 days × 5.00; line 1: 36 days × 5.00
    expect(catchUp.logs.filter((l) => l.step === 'accrue_penalty').at(-1)?.totals).toEqual({ penaltyAccrued: '205.00' });
    expect(await storedVersusPure(db, [c.id], '2026-04-15')).toEqual([
      expect.objectContaining({ stored: '180.00', pure: '180.00' }),
      expect.objectContaining({ stored: '25.00', pure: '25.00' }),
    ]);
    // A quiet day writes nothing new: the open segments just run on.
    const quiet = await batch(db, admin, '2026-04-16');
    expect(quiet.logs[1]?.counts).toMatchObject({ linesRecomputed: 0, segmentsWritten: 0 });
    const runs = await db.knex('batch_runs').where({ business_date: '2026-04-16' }).orderBy('step').pluck('status');
    expect(runs).toEqual(['done', 'done', 'done', 'done', 'done', 'done']);
    const redo = await batch(db, admin, '2026-04-16', { recomputeFrom: '2026-04-14' });
    expect(redo.summary.datesRun).toEqual(['2026-04-14', '2026-04-15', '2026-04-16']);
    expect(redo.logs.filter((l) => l.step === 'accrue_penalty').at(-1)?.totals).toEqual({ penaltyAccrued: '215.00' });
  });

  it('a recomputation makes every later date stale at once: one that stops early leaves the last completed date at its last', async () => {
    const { db, admin } = get();
    await dealer(db, admin, 'RC01');
    const c = await contract(db, admin, 'RC01', 'RC-1', [
      [1, 'principal', '2026-04-10', '1000.00'],
      [2, 'principal', '2026-04-20', '1000.00'],
    ]);
    await batch(db, admin, '2026-04-25');
    // as if killed after its first date: a recomputation from 04-12 that went no further
    const redo = await batch(db, admin, '2026-04-12', { recomputeFrom: '2026-04-12' });
    expect(redo.summary.datesRun).toEqual(['2026-04-12']);
    const last = await db.knex('batch_runs').where({ step: 'reconcile', status: 'done' }).max('business_date as d').first();
    expect(last?.d).toBe('2026-04-12');
    // the next run resumes after it: line 2, late from 04-21, has its segments again
    const resumed = await batch(db, admin, '2026-04-25');
    expect(resumed.summary.datesRun[0]).toBe('2026-04-13');
    expect(resumed.summary.datesRun.at(-1)).toBe('2026-04-25');
    // line 1: 15 days × 0.50 = 7.50; line 2: 5 days × 0.50 = 2.50
    expect(await storedVersusPure(db, [c.id], '2026-04-25')).toEqual([
      expect.objectContaining({ stored: '7.50', pure: '7.50' }),
      expect.objectContaining({ stored: '2.50', pure: '2.50' }),
    ]);
    // and no date can be skipped
    await expect(batch(db, admin, '2026-05-05', { recomputeFrom: '2026-04-30' })).rejects.toThrow(
      /recomputeFrom: "2026-04-30" — expected a date on or before 2026-04-26/,
    );
  });

  it('reconciliation reports a confirmed receipt that is not fully allocated or held as credit', async () => {
    const { db, admin } = get();
    await dealer(db, admin, 'RA01');
    const c = await contract(db, admin, 'RA01', 'RA-1', [[1, 'principal', '2026-05-01', '1000.00']]);
    await receipt(db, admin, 'RA01', 'RA-1', '2026-05-01', '400.00');
    await batch(db, admin, '2026-05-02');
    // a stray posting under the receipt: 400.00 + 1.00 allocated of a 400.00 receipt
    const doc = await db.knex('documents').where({ contract_id: c.id, type: 'receipt' }).first('id', 'number');
    const line = await db.knex('schedule_lines').where({ contract_id: c.id }).first('id');
    const stray = {
      contract_id: c.id,
      dealer_id: (await db.knex('contracts').where({ id: c.id }).first('dealer_id')).dealer_id,
      schedule_line_id: line.id,
      document_id: doc.id,
      kind: 'allocation',
      receivable_type: 'principal',
      amount: '1.00',
      value_date: '2026-05-03',
    };
    const [{ id: strayId }] = await db.knex('postings').insert(stray).returning('id');
    const run = await batch(db, admin, '2026-05-03');
    expect(run.summary.discrepancies).toEqual([
      expect.objectContaining({
        check: 'receipt_allocated',
        dealer: 'RA01',
        contractNo: 'RA-1',
        detail: `receipt ${doc.number} (confirmed, 400.00): 401.00 allocated or held as credit`,
      }),
    ]);
    // reversed, the ledger is whole again for the tests that follow
    await db.knex('postings').insert({ ...stray, reverses_id: strayId });
    expect((await batch(db, admin, '2026-05-04')).summary.discrepancies).toEqual([]);
  });

  it('applies advance-receipt credit on the due date (value date = due date), so the line bears no penalty', async () => {
    const { db, admin } = get();
    await dealer(db, admin, 'CR01');
    await contract(db, admin, 'CR01', 'CR-1', [
      [1, 'principal', '2026-04-20', '1000.00'],
      [2, 'principal', '2026-05-20', '1000.00'],
    ]);
    await receipt(db, admin, 'CR01', 'CR-1', '2026-04-18', '1500.00'); // nothing due yet: all credit
    expect((await show(db, admin, 'CR01', 'CR-1', '2026-04-19')).totals.credit).toBe('1500.00');
    await batch(db, admin, '2026-04-25');
    const shown = await show(db, admin, 'CR01', 'CR-1', '2026-05-25');
    expect(shown.lines.map((l) => [l.amountPaid, l.penaltyAccrued, l.overdueDays])).toEqual([
      ['1000.00', '0.00', 0],
      ['0.00', '2.50', 5],
    ]);
    expect(shown.totals.credit).toBe('500.00');
    await batch(db, admin, '2026-05-25');
    const after = await show(db, admin, 'CR01', 'CR-1', '2026-05-25');
    // 500.00 applied on 05-20; 500.00 unpaid from 05-21: 5 days × 0.25
    expect(after.lines.map((l) => [l.amountPaid, l.penaltyAccrued])).toEqual([
      ['1000.00', '0.00'],
      ['500.00', '1.25'],
    ]);
    const applied = await db.knex('postings').where({ kind: 'credit_application' }).orderBy('value_date').select('value_date', 'amount');
    expect(applied).toEqual([
      { value_date: '2026-04-20', amount: '1000.00' },
      { value_date: '2026-05-20', amount: '500.00' },
    ]);
  });

  it('reconciliation reports a tampered segment with its contract and line', async () => {
    const { db, admin } = get();
    await dealer(db, admin, 'RE01');
    const c = await contract(db, admin, 'RE01', 'RE-1', [[1, 'principal', '2026-05-01', '1000.00']]);
    await batch(db, admin, '2026-05-26');
    await db.knex('penalty_segments').where({ contract_id: c.id }).update({ base: '999.00' });
    const run = await batch(db, admin, '2026-05-27', { full: true });
    expect(run.summary.discrepancies).toEqual([
      expect.objectContaining({
        check: 'segments_match_pure',
        dealer: 'RE01',
        contractNo: 'RE-1',
        seq: 1,
        type: 'principal',
        date: '2026-05-27',
      }),
    ]);
    expect(await db.knex('batch_runs').where({ step: 'reconcile', business_date: '2026-05-27' }).first('discrepancies')).toEqual({
      discrepancies: 1,
    });
  });

  it('reads the stored segments of any number of lines: --full on a large ledger named more lines than a query may bind', async () => {
    const { db, admin } = get();
    await dealer(db, admin, 'RE02');
    const c = await contract(db, admin, 'RE02', 'RE-2', [[1, 'principal', '2026-05-01', '1000.00']]);
    await batch(db, admin, '2026-05-28');
    const line = (await db.knex('schedule_lines').where({ contract_id: c.id }).first('id')).id;
    // 70,000 lines: above the 65,535 bind parameters of one PostgreSQL statement
    const absent = Array.from({ length: 70_000 }, (_, i) => 1_000_000_000 + i);
    const stored = await storedSegments(db.knex, [...absent, line]);
    expect(stored.map((s) => [s.lineId, s.from, s.to, s.base])).toEqual([[line, '2026-05-02', null, '1000.00']]);
  });

  it('reconciliation reports a line paid above its amount and a line settled above it, from one pass', async () => {
    const { db, admin } = get();
    await dealer(db, admin, 'OP01');
    const c = await contract(db, admin, 'OP01', 'OP-1', [
      [1, 'principal', '2026-06-01', '1000.00'],
      [2, 'principal', '2026-07-01', '1000.00'],
    ]);
    await batch(db, admin, '2026-06-10');
    const lines = await db.knex('schedule_lines').where({ contract_id: c.id }).orderBy('seq').select('id', 'seq');
    const posting = (line: number, kind: string, amount: string) => ({
      contract_id: c.id,
      dealer_id: c.dealerId,
      schedule_line_id: line,
      kind,
      receivable_type: 'principal',
      amount,
      value_date: '2026-06-05',
    });
    // line 1 paid 1200.00 of 1000.00: overpaid by 200.00, outstanding −200.00;
    // line 2 paid 600.00 and written off 500.00: paid within its amount, outstanding 1000.00 − 1100.00 = −100.00
    await db
      .knex('postings')
      .insert([
        posting(lines[0].id, 'allocation', '1200.00'),
        posting(lines[1].id, 'allocation', '600.00'),
        posting(lines[1].id, 'write_off', '500.00'),
      ]);
    const run = await batch(db, admin, '2026-06-11', { full: true });
    // (the earlier tests' contracts share the database: only this contract's lines count here)
    const found = run.summary.discrepancies.filter((d) => d.contractNo === 'OP-1');
    expect(found).toEqual([
      expect.objectContaining({ check: 'line_overpaid', seq: 1, detail: 'paid 1200.00 above the amount due 1000.00' }),
      expect.objectContaining({ check: 'negative_outstanding', seq: 1, detail: 'outstanding -200.00 is negative' }),
      expect.objectContaining({ check: 'negative_outstanding', seq: 2, detail: 'outstanding -100.00 is negative' }),
    ]);
  });

  it('counts runs per line for the nightly totals, and reconciliation checks the count', async () => {
    const { db, admin } = get();
    await dealer(db, admin, 'RU01');
    const c = await contract(db, admin, 'RU01', 'RU-1', [
      [1, 'principal', '2026-07-01', '1000.00'],
      [2, 'principal', '2026-07-10', '1000.00'],
    ]);
    // line 1 is paid in part on 07-06: two runs (07-02…07-06 on 1000.00, then the rest); line 2 has one run
    await receipt(db, admin, 'RU01', 'RU-1', '2026-07-06', '400.00');
    const night = await batch(db, admin, '2026-07-20');
    const runs = await db
      .knex('penalty_segments as s')
      .join('schedule_lines as l', 'l.id', 's.line_id')
      .where('s.contract_id', c.id)
      .orderBy(['l.seq', 's.from_date'])
      .select('l.seq', 's.runs');
    expect(runs).toEqual([
      { seq: 1, runs: 2 },
      { seq: 1, runs: 2 },
      { seq: 2, runs: 1 },
    ]);
    // line 1: 5 days (07-02…07-06) × 1000.00 × 0.0005 = 2.50 accrued when the receipt arrives; the receipt pays that
    // penalty first (RULES.md), so 397.50 reaches the principal and the base is 602.50 from 07-07: 14 days × 602.50
    // × 0.0005 = 4.2175 → the line's exact 6.7175 rounds to 6.72; line 2: 10 days (07-11…07-20) × 1000.00 × 0.0005
    // = 5.00
    expect(await storedVersusPure(db, [c.id], '2026-07-20')).toEqual([
      expect.objectContaining({ stored: '6.72', pure: '6.72' }),
      expect.objectContaining({ stored: '5.00', pure: '5.00' }),
    ]);
    // the night's total (one statement, single-run lines row by row, the others grouped) is the sum of every line's
    // rounded figure, this database's other contracts included
    const perLine = [...(await storedAccrued(db.knex, '2026-07-20')).values()].reduce((sum, l) => sum.plus(l.rounded), dec(0));
    expect(night.logs.filter((l) => l.step === 'accrue_penalty').at(-1)?.totals).toEqual({ penaltyAccrued: perLine.toFixed(2) });
    // both runs of line 1 say 1: the line's last run is reported; then line 2's only run says 3 and line 1's
    // runs disagree (2 then 5): each wrong row is reported
    await db.knex('penalty_segments').where({ contract_id: c.id }).update({ runs: 1 });
    const checked = await batch(db, admin, '2026-07-21', { full: true });
    const integrity = (run: typeof checked) =>
      run.summary.discrepancies.filter((d) => d.contractNo === 'RU-1').map((d) => `${d.check} ${d.seq} ${d.detail}`);
    expect(integrity(checked)).toEqual(['segment_integrity 1 segment from 2026-07-07: runs 1 but the line has 2']);
    await db.knex('penalty_segments').where({ contract_id: c.id }).update({ runs: 2 });
    await db.knex('penalty_segments').where({ contract_id: c.id, from_date: '2026-07-11' }).update({ runs: 3 });
    await db.knex('penalty_segments').where({ contract_id: c.id, from_date: '2026-07-07' }).update({ runs: 5 });
    expect(integrity(await batch(db, admin, '2026-07-22', { full: true }))).toEqual([
      'segment_integrity 1 segment from 2026-07-07: runs 5 but the previous segment says 2',
      'segment_integrity 2 segment from 2026-07-11: runs 3 but the line has 1',
    ]);
  });

  it("keeps each line's paid amount and latest payment date on the line; reconciliation checks them against the postings", async () => {
    const { db, admin } = get();
    await dealer(db, admin, 'PC01');
    const c = await contract(db, admin, 'PC01', 'PC-1', [
      [1, 'principal', '2026-07-25', '1000.00'],
      [2, 'principal', '2026-08-25', '1000.00'],
      [3, 'principal', '2026-09-25', '1000.00'],
    ]);
    const [one, two, three] = (await db.knex('schedule_lines').where({ contract_id: c.id }).orderBy('seq').select('id')).map((l) => l.id);
    const cache = async () =>
      (await db.knex('schedule_lines').where({ contract_id: c.id }).orderBy('seq').select('paid', 'paid_last')).map(
        (l) => `${l.paid} ${l.paid_last}`,
      );
    const queuedLines = async () =>
      Number((await db.knex('penalty_dirty').where({ reason: 'line', contract_id: c.id }).count({ n: '*' }))[0]?.n);
    const before = await queuedLines();
    const post = (line: number, kind: string, amount: string, valueDate: string, reverses?: number) => ({
      contract_id: c.id,
      dealer_id: c.dealerId,
      schedule_line_id: line,
      kind,
      receivable_type: 'principal',
      amount,
      value_date: valueDate,
      reverses_id: reverses ?? null,
    });
    expect(await cache()).toEqual(['0.00 null', '0.00 null', '0.00 null']);
    // one statement paying both lines, then one that pays line 1 earlier: 300.00 + 200.00 = 500.00, the latest 07-24
    const [first] = await db
      .knex('postings')
      .insert([post(one, 'allocation', '300.00', '2026-07-24'), post(two, 'credit_application', '50.00', '2026-08-25')])
      .returning('id');
    await db.knex('postings').insert(post(one, 'opening_paid', '200.00', '2026-07-20'));
    expect(await cache()).toEqual(['500.00 2026-07-24', '50.00 2026-08-25', '0.00 null']);
    // the 300.00 reversed (−300.00): 200.00; penalty paid and a write-off pay no part of the amount
    await db.knex('postings').insert(post(one, 'allocation', '300.00', '2026-07-24', first.id));
    await db
      .knex('postings')
      .insert([post(one, 'penalty_allocation', '5.00', '2026-07-26'), post(two, 'write_off', '100.00', '2026-07-26')]);
    expect(await cache()).toEqual(['200.00 2026-07-24', '50.00 2026-08-25', '0.00 null']);
    // the cache moving is no schedule change (the postings queued their lines); a line's own change still queues it
    expect(await queuedLines()).toBe(before);
    let queuedByChange = 0;
    await db.knex
      .transaction(async (tx) => {
        await tx('schedule_lines').where({ id: two }).update({ due_date: '2026-08-26' });
        queuedByChange = Number((await tx('penalty_dirty').where({ reason: 'line', line_id: two }).count({ n: '*' }))[0]?.n);
        throw new Error('roll back');
      })
      .catch(() => {});
    // (one row when the line was written, one for the change)
    expect(queuedByChange).toBe(2);

    const found = (run: Awaited<ReturnType<typeof batch>>) =>
      run.summary.discrepancies.filter((d) => d.contractNo === 'PC-1').map((d) => `${d.check} ${d.seq} ${d.detail}`);
    expect(found(await batch(db, admin, '2026-07-23'))).toEqual([]);
    await db.knex('schedule_lines').where({ id: one }).update({ paid: '200.01' });
    await db.knex('schedule_lines').where({ id: two }).update({ paid_last: '2026-01-01' });
    await db.knex('schedule_lines').where({ id: three }).update({ paid: '1.00' });
    // an ordinary night looks at the lines with postings value-dated that day (line 1's on 07-24); --full at all,
    // those no posting has paid included
    expect(found(await batch(db, admin, '2026-07-24'))).toEqual([
      'line_paid_cached 1 cached paid 200.01 (last 2026-07-24) but the postings add up to 200.00 (last 2026-07-24)',
    ]);
    expect(found(await batch(db, admin, '2026-07-25', { full: true }))).toEqual([
      'line_paid_cached 1 cached paid 200.01 (last 2026-07-24) but the postings add up to 200.00 (last 2026-07-24)',
      'line_paid_cached 2 cached paid 50.00 (last 2026-01-01) but the postings add up to 50.00 (last 2026-08-25)',
      'line_paid_cached 3 cached paid 1.00 (last none) but the postings add up to 0.00 (last none)',
    ]);
    await db.knex('schedule_lines').where({ id: one }).update({ paid: '200.00' });
    await db.knex('schedule_lines').where({ id: three }).update({ paid: '0.00' });
    await db.knex('schedule_lines').where({ id: two }).update({ paid_last: '2026-08-25' });
  });

  it('on PGlite, which has no autovacuum, a run vacuums the tables a night rewrites: their space is used again', async () => {
    const { db, admin } = get();
    // (a server's autovacuum does this on its own, and the batch leaves it to it)
    if (db.kind !== 'pglite') return;
    await dealer(db, admin, 'VC01');
    const c = await contract(
      db,
      admin,
      'VC01',
      'VC-1',
      Array.from({ length: 40 }, (_, i): LineSpec => [i + 1, 'principal', '2026-06-01', '1000.00']),
    );
    // each recomputation of the contract deletes its 40 segments and writes them again: 40 dead rows
    const churn = () =>
      db.knex.transaction(async (tx) => {
        for (let i = 0; i < 25; i++) await recomputeSegments(tx, '2026-07-26', { kind: 'contracts', contractIds: [c.id] });
      });
    const size = async () => Number((await db.knex.raw(`SELECT pg_relation_size('penalty_segments') AS n`)).rows[0].n);
    await batch(db, admin, '2026-07-26');
    await churn();
    await batch(db, admin, '2026-07-27');
    const vacuumed = await size();
    await churn();
    await batch(db, admin, '2026-07-28');
    // the second 1,000 dead rows went where the first were: without the vacuum the table grew by about 12 pages
    expect(await size()).toBeLessThanOrEqual(vacuumed);
  });
});

/** One history: contracts, receipts and a rate change; `backdated` arrives after the batch ran to 04-09. */
async function history(db: Db, admin: Actor, phase: 'all' | 'before' | 'after') {
  if (phase !== 'after') {
    await dealer(db, admin, 'BD01');
    await dealer(db, admin, 'BD02', 'principal_first');
    for (const [d, no] of [
      ['BD01', 'BD-1'],
      ['BD02', 'BD-2'],
    ] as const) {
      await contract(db, admin, d, no, [
        [1, 'interest', '2026-02-10', '300.00'],
        [1, 'principal', '2026-02-10', '5000.00'],
        [2, 'interest', '2026-03-10', '250.00'],
        [2, 'principal', '2026-03-10', '5000.00'],
        [3, 'principal', '2026-04-10', '5000.00'],
      ]);
      await receipt(db, admin, d, no, '2026-03-01', '3000.00');
      await receipt(db, admin, d, no, '2026-03-25', '6000.00');
    }
  }
  if (phase !== 'before') {
    // back-dated: a receipt before the others' value dates, and a rate change from 03-01
    await receipt(db, admin, 'BD01', 'BD-1', '2026-02-20', '2500.00');
    await receipt(db, admin, 'BD02', 'BD-2', '2026-02-20', '2500.00');
    await db.knex.transaction((tx) => setPenaltyRate(tx, admin, { dailyRate: dec('0.0007'), from: '2026-03-01', dealer: 'BD01' }));
  }
}

describeEachDb('back-dating', (get) => {
  it('a back-dated receipt and rate change make every figure equal a fresh computation of the same history', async () => {
    const { db, admin } = get();
    await history(db, admin, 'before');
    await batch(db, admin, '2026-04-09');
    await history(db, admin, 'after');
    const run = await batch(db, admin, '2026-04-20');
    expect(run.summary.discrepancies).toEqual([]);

    const fresh = await openTestDb(db.kind);
    try {
      const freshAdmin = await loadActor(fresh.knex, 'admin');
      await history(fresh, freshAdmin, 'all');
      await batch(fresh, freshAdmin, '2026-04-20');
      for (const no of ['BD-1', 'BD-2']) {
        const dealerCode = no === 'BD-1' ? 'BD01' : 'BD02';
        const a = await show(db, admin, dealerCode, no, '2026-04-20');
        const b = await show(fresh, freshAdmin, dealerCode, no, '2026-04-20');
        expect(a.lines).toEqual(b.lines);
        expect(a.totals).toEqual(b.totals);
      }
      const a = await ledger(db);
      const b = await ledger(fresh);
      expect(a.segments).toEqual(b.segments);
      expect(a.postings).toEqual(b.postings);
      expect(a.segments.length).toBeGreaterThan(0);
    } finally {
      await fresh.close();
    }
  });
});

// A rate change finds the lines it covers through its contract, its dealer's contracts, or (a rate for every
// dealer) every segment: each reaches exactly its own lines.
describeEachDb('rate changes', (get) => {
  it('a rate change for a contract, a dealer or everyone reaches the lines it covers the next night', async () => {
    const { db, admin } = get();
    await dealer(db, admin, 'RT01');
    await dealer(db, admin, 'RT02');
    const ids: number[] = [];
    for (const [d, no] of [
      ['RT01', 'RT-1'],
      ['RT01', 'RT-2'],
      ['RT02', 'RT-3'],
    ] as const) {
      ids.push((await contract(db, admin, d, no, [[1, 'principal', '2026-03-10', '1000.00']])).id);
    }
    await batch(db, admin, '2026-04-01');
    const rate = (dailyRate: string, from: string, scope: { dealer?: string; contract?: string }) =>
      db.knex.transaction((tx) => setPenaltyRate(tx, admin, { dailyRate: dec(dailyRate), from, ...scope }));
    // [stored, pure] per line, in the order the contracts were made
    const accrued = async (asOf: string) =>
      (await storedVersusPure(db, ids, asOf)).sort((a, b) => a.lineId - b.lineId).map((l) => [l.stored, l.pure]);
    // 0.50 a day from 03-11 on each line
    await rate('0.0007', '2026-03-21', { dealer: 'RT01', contract: 'RT-1' });
    await batch(db, admin, '2026-04-02');
    // RT-1: 10 days × 0.50 + 13 days × 0.70
    expect(await accrued('2026-04-02')).toEqual([
      ['14.10', '14.10'],
      ['11.50', '11.50'],
      ['11.50', '11.50'],
    ]);
    await rate('0.0006', '2026-03-31', { dealer: 'RT01' });
    await batch(db, admin, '2026-04-03');
    // the contract's own rate stays more specific than its dealer's; RT-2 follows the dealer's
    expect(await accrued('2026-04-03')).toEqual([
      ['14.80', '14.80'],
      ['12.40', '12.40'], // 20 days × 0.50 + 4 days × 0.60
      ['12.00', '12.00'],
    ]);
    await rate('0.001', '2026-04-01', {});
    await batch(db, admin, '2026-04-04');
    // a rate for every dealer is the least specific: only RT-3 follows it
    expect(await accrued('2026-04-04')).toEqual([
      ['15.50', '15.50'],
      ['13.00', '13.00'],
      ['14.50', '14.50'], // 21 days × 0.50 + 4 days × 1.00
    ]);
    // a full recomputation gives the same and leaves the segment table its indexes
    await batch(db, admin, '2026-04-04', { recomputeFrom: '2026-04-04' });
    expect(await accrued('2026-04-04')).toEqual([
      ['15.50', '15.50'],
      ['13.00', '13.00'],
      ['14.50', '14.50'], // 21 days × 0.50 + 4 days × 1.00
    ]);
    const indexes = await db.knex.raw(`SELECT indexname FROM pg_indexes WHERE tablename = 'penalty_segments' ORDER BY 1`);
    expect(indexes.rows.map((r: { indexname: string }) => r.indexname)).toEqual(['penalty_segments_contract', 'penalty_segments_pkey']);
  });

  it("whether a type bears penalty is the type's setting: the next run recomputes every line of the type", async () => {
    const { db, admin } = get();
    await dealer(db, admin, 'TB01');
    const c = await contract(db, admin, 'TB01', 'TB-1', [
      [1, 'fee', '2026-08-01', '200.00'],
      [1, 'principal', '2026-08-01', '1000.00'],
    ]);
    await batch(db, admin, '2026-08-11');
    // the rate for everyone is 0.001 since 04-01 (the test before): fee 10 days × 200.00 × 0.001 = 2.00;
    // principal 10 days × 1.00 = 10.00
    expect((await storedVersusPure(db, [c.id], '2026-08-11')).map((r) => [r.stored, r.pure])).toEqual([
      ['2.00', '2.00'],
      ['10.00', '10.00'],
    ]);
    await db.knex.transaction((tx) => setPenaltyBearing(tx, admin, 'fee', false));
    const off = await batch(db, admin, '2026-08-12');
    expect(off.summary.discrepancies).toEqual([]);
    // the fee line bears nothing, back to its due date; the principal goes on: 11 × 1.00 = 11.00
    expect((await storedVersusPure(db, [c.id], '2026-08-12')).map((r) => [r.stored, r.pure])).toEqual([
      ['0.00', '0.00'],
      ['11.00', '11.00'],
    ]);
    await db.knex.transaction((tx) => setPenaltyBearing(tx, admin, 'fee', true));
    await batch(db, admin, '2026-08-13');
    expect((await storedVersusPure(db, [c.id], '2026-08-13')).map((r) => [r.stored, r.pure])).toEqual([
      ['2.40', '2.40'],
      ['12.00', '12.00'],
    ]);
    await expect(db.knex.transaction((tx) => setPenaltyBearing(tx, admin, 'penalty', true))).rejects.toThrow(
      /bearing: "yes" — expected no for penalty/,
    );
    await expect(db.knex.transaction((tx) => setPenaltyBearing(tx, admin, 'nope', true))).rejects.toThrow(
      /receivable type not found: "nope"/,
    );
    expect(await db.knex('audit_log').where({ entity: 'receivable_type' }).pluck('details')).toEqual([
      { penaltyBearing: false },
      { penaltyBearing: true },
    ]);
  });

  it('a setting that would reallocate a receipt locked by finance review is refused, naming it', async () => {
    const { db, admin } = get();
    await dealer(db, admin, 'LK01');
    const c = await contract(db, admin, 'LK01', 'LK-1', [[1, 'principal', '2026-09-01', '1000.00']]);
    const paid = await receipt(db, admin, 'LK01', 'LK-1', '2026-09-20', '300.00');
    await db.knex.transaction((tx) => setReviewLock(tx, admin, { ids: [paid.id] }, true));
    const rate = (from: string) =>
      db.knex.transaction((tx) => setPenaltyRate(tx, admin, { dailyRate: dec('0.0009'), from, dealer: 'LK01' }));
    // the receipt pays the penalty accrued through 09-20 first: a rate from 09-10 would change its split
    await expect(rate('2026-09-10')).rejects.toThrow(
      new RegExp(`^--from 2026-09-10: receipt ${paid.number} of LK01/LK-1, dated 2026-09-20, is locked by finance review`),
    );
    await expect(db.knex.transaction((tx) => setGrace(tx, admin, { days: 2, mode: 'forward', dealer: 'LK01' }))).rejects.toThrow(
      /^penalty grace: receipt .* is locked by finance review/,
    );
    await expect(db.knex.transaction((tx) => setPenaltyBearing(tx, admin, 'principal', false))).rejects.toThrow(
      /^penalty type principal: receipt .* is locked by finance review/,
    );
    // after the receipt it changes nothing of it; another dealer's rate does not reach it either
    await rate('2026-09-21');
    await dealer(db, admin, 'LK02');
    await db.knex.transaction((tx) => setPenaltyRate(tx, admin, { dailyRate: dec('0.0009'), from: '2026-09-10', dealer: 'LK02' }));
    const run = await batch(db, admin, '2026-09-25');
    expect(run.summary.discrepancies).toEqual([]);
    expect((await storedVersusPure(db, [c.id], '2026-09-25')).map((r) => r.stored === r.pure)).toEqual([true]);
  });

  it('segments a back-dated change wrote during the day are written and reconciled again by the next night', async () => {
    const { db, admin } = get();
    await dealer(db, admin, 'DQ01');
    const c = await contract(db, admin, 'DQ01', 'DQ-1', [
      [1, 'principal', '2026-09-10', '10000.00'],
      [2, 'principal', '2026-09-20', '5000.00'],
    ]);
    await batch(db, admin, '2026-10-09');
    // back-dated 30.00 on 09-25: line 1 owes 15 days × 10,000.00 × 0.001 = 150.00 of penalty, which comes first in
    // its installment, so the receipt is a penalty allocation only: no line's paid amount moves, yet both lines'
    // segments were written again at once
    await receipt(db, admin, 'DQ01', 'DQ-1', '2026-09-25', '30.00');
    expect(await db.knex('penalty_dirty').where({ reason: 'contract', contract_id: c.id }).count({ n: '*' })).toEqual([{ n: 1 }]);
    const [, second] = await db.knex('schedule_lines').where({ contract_id: c.id }).orderBy('seq').pluck('id');
    // what a faulty writer could leave: the night writes it again, and its reconciliation looks at it
    await db.knex('penalty_segments').where({ line_id: second }).update({ runs: 3 });
    const night = await batch(db, admin, '2026-10-10');
    expect(night.logs[1]?.counts.linesRecomputed).toBeGreaterThanOrEqual(2);
    expect(night.summary.discrepancies).toEqual([]);
    expect(await db.knex('penalty_segments').where({ line_id: second }).pluck('runs')).toEqual([1]);
    expect((await storedVersusPure(db, [c.id], '2026-10-10')).map((r) => r.stored === r.pure)).toEqual([true, true]);
  });
});
