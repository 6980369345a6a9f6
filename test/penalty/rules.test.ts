// RULES.md "Penalty interest" with hand-worked figures, through the database: receipts allocated by the dealer's
// strategy, the nightly batch's stored segments (SQL) and `zq contract show` / `zq penalty show` (pure), which
// must all give the same figures. Rate 0.0005 per day unless a test sets another.
import { expect, it } from 'vitest';
import { dec } from '../../src/core/money.js';
import { showPenalty } from '../../src/penalty/accrual.js';
import { setGrace, setPenaltyRate } from '../../src/penalty/settings.js';
import { storedSegments } from '../../src/penalty/store.js';
import { findContract } from '../../src/receivables/contracts.js';
import { batch, contract, dealer, receipt, recompute, show, storedVersusPure } from '../batch/fixtures.js';
import type { DbFixture } from '../support/db.js';
import { describeEachDb } from '../support/db.js';

describeEachDb('penalty rules, hand-worked', (get) => {
  it('the worked example, principal_first: 50.00 + 60.00 = 110.00, 30 overdue days', async () => {
    const { db, admin } = get();
    await dealer(db, admin, 'PF01', 'principal_first');
    const c = await contract(db, admin, 'PF01', 'WE-PF', [[1, 'principal', '2026-03-10', '10000.00']]);
    await receipt(db, admin, 'PF01', 'WE-PF', '2026-03-20', '4000.00');
    const shown = await show(db, admin, 'PF01', 'WE-PF', '2026-04-09');
    expect(shown.lines[0]).toMatchObject({
      amountDue: '10000.00',
      amountPaid: '4000.00',
      outstanding: '6000.00',
      overdueDays: 30,
      penaltyAccrued: '110.00',
      penaltyPaid: '0.00',
      penaltyWaived: '0.00',
      penaltyOutstanding: '110.00',
    });
    const penalty = await showPenalty(db.knex, await findContract(db.knex, 'WE-PF', 'PF01'), '2026-04-09');
    expect(penalty.lines[0]?.segments).toEqual([
      { from: '2026-03-11', to: '2026-03-20', days: 10, base: '10000.00', rate: '0.0005', amount: '50' },
      { from: '2026-03-21', to: '2026-04-09', days: 20, base: '6000.00', rate: '0.0005', amount: '60' },
    ]);
    await batch(db, admin, '2026-04-09');
    expect(await storedVersusPure(db, [c.id], '2026-04-09')).toEqual([expect.objectContaining({ stored: '110.00', pure: '110.00' })]);
  });

  it('the worked example, by_installment: 50.00 of penalty paid first, 110.50 accrued, 60.50 outstanding', async () => {
    const { db, admin } = get();
    await dealer(db, admin, 'BI01');
    const c = await contract(db, admin, 'BI01', 'WE-BI', [[1, 'principal', '2026-03-10', '10000.00']]);
    await receipt(db, admin, 'BI01', 'WE-BI', '2026-03-20', '4000.00');
    const shown = await show(db, admin, 'BI01', 'WE-BI', '2026-04-09');
    expect(shown.lines[0]).toMatchObject({
      amountPaid: '3950.00',
      outstanding: '6050.00',
      overdueDays: 30,
      penaltyAccrued: '110.50',
      penaltyPaid: '50.00',
      penaltyOutstanding: '60.50',
    });
    expect(shown.totals).toMatchObject({
      outstanding: '6050.00',
      overdue: '6050.00',
      penaltyAccrued: '110.50',
      penaltyOutstanding: '60.50',
      credit: '0.00',
    });
    await batch(db, admin, '2026-04-09');
    expect(await storedVersusPure(db, [c.id], '2026-04-09')).toEqual([expect.objectContaining({ stored: '110.50', pure: '110.50' })]);
    const stored = await storedSegments(db.knex, [(await db.knex('schedule_lines').where({ contract_id: c.id }).first('id')).id]);
    expect(stored.map((s) => [s.from, s.to, s.base, s.dailyRate])).toEqual([
      ['2026-03-11', '2026-03-20', '10000.00', '0.0005000000'],
      ['2026-03-21', null, '6050.00', '0.0005000000'],
    ]);
  });

  /** Pure (contract show) and stored (SQL) penalty of every line of the contract as of a date, both rounded. */
  async function both(f: DbFixture, dealerCode: string, no: string, asOf: string) {
    const shown = await show(f.db, f.admin, dealerCode, no, asOf);
    const ref = await f.db.knex('contracts').where({ contract_no: no }).first('id');
    await recompute(f.db, [ref.id], asOf);
    const pairs = await storedVersusPure(f.db, [ref.id], asOf);
    for (const p of pairs) expect(p.stored).toBe(p.pure);
    return shown.lines.map((l) => [l.seq, l.type, l.penaltyAccrued, l.overdueDays]);
  }

  it('grace, retroactive (G = 5): paid in full on D0 + G bears nothing; paid on D0 + G + 1 bears every day from D0 + 1', async () => {
    const f = get();
    await dealer(f.db, f.admin, 'GR01', 'principal_first');
    await f.db.knex.transaction((tx) => setGrace(tx, f.admin, { days: 5, mode: 'retroactive', dealer: 'GR01' }));
    await contract(f.db, f.admin, 'GR01', 'GR-1', [
      [1, 'principal', '2026-03-10', '1000.00'],
      [2, 'principal', '2026-03-10', '1000.00'],
    ]);
    await contract(f.db, f.admin, 'GR01', 'GR-2', [[1, 'principal', '2026-03-10', '1000.00']]);
    await contract(f.db, f.admin, 'GR01', 'GR-3', [[1, 'principal', '2026-03-10', '1000.00']]);
    await receipt(f.db, f.admin, 'GR01', 'GR-2', '2026-03-15', '1000.00'); // on D0 + G: no penalty
    await receipt(f.db, f.admin, 'GR01', 'GR-3', '2026-03-16', '1000.00'); // a day late: 03-11 … 03-16, 6 days × 0.50
    // Inside the grace period only 400.00 arrive: penalty from 03-11 on 1,000.00 (3 days = 1.50), then on 600.00
    // (03-14 … 03-20, 7 days = 2.10): 3.60.
    await receipt(f.db, f.admin, 'GR01', 'GR-1', '2026-03-13', '400.00');
    expect(await both(f, 'GR01', 'GR-2', '2026-04-09')).toEqual([[1, 'principal', '0.00', 0]]);
    expect(await both(f, 'GR01', 'GR-3', '2026-04-09')).toEqual([[1, 'principal', '3.00', 0]]);
    expect(await both(f, 'GR01', 'GR-1', '2026-03-20')).toEqual([
      [1, 'principal', '3.60', 10],
      [2, 'principal', '5.00', 10],
    ]);
    // As of the last grace day nothing is due yet, whatever is unpaid.
    expect(await both(f, 'GR01', 'GR-1', '2026-03-15')).toEqual([
      [1, 'principal', '0.00', 5],
      [2, 'principal', '0.00', 5],
    ]);
  });

  it('grace, forward (G = 5): penalty counts from D0 + G + 1', async () => {
    const f = get();
    await dealer(f.db, f.admin, 'GF01', 'principal_first');
    await f.db.knex.transaction((tx) => setGrace(tx, f.admin, { days: 5, mode: 'forward', dealer: 'GF01' }));
    await contract(f.db, f.admin, 'GF01', 'GF-1', [[1, 'principal', '2026-03-10', '1000.00']]);
    await contract(f.db, f.admin, 'GF01', 'GF-2', [[1, 'principal', '2026-03-10', '1000.00']]);
    await receipt(f.db, f.admin, 'GF01', 'GF-1', '2026-03-16', '1000.00'); // one day: 03-16 × 0.50
    expect(await both(f, 'GF01', 'GF-1', '2026-04-09')).toEqual([[1, 'principal', '0.50', 0]]);
    expect(await both(f, 'GF01', 'GF-2', '2026-03-20')).toEqual([[1, 'principal', '2.50', 10]]); // 03-16 … 03-20
  });

  it('a rate change mid-period, and a contract override that is more specific still', async () => {
    const f = get();
    await dealer(f.db, f.admin, 'RC01', 'principal_first');
    await contract(f.db, f.admin, 'RC01', 'RC-1', [[1, 'principal', '2026-03-10', '10000.00']]);
    await contract(f.db, f.admin, 'RC01', 'RC-2', [[1, 'principal', '2026-03-10', '10000.00']]);
    await f.db.knex.transaction(async (tx) => {
      await setPenaltyRate(tx, f.admin, { dailyRate: dec('0.001'), from: '2026-03-21', dealer: 'RC01', type: 'principal' });
      await setPenaltyRate(tx, f.admin, { dailyRate: dec('0.0002'), from: '2026-03-26', contract: 'RC-2', dealer: 'RC01' });
    });
    // 03-11 … 03-20 at 0.0005 = 50.00; 03-21 … 03-30 at 0.001 = 100.00
    expect(await both(f, 'RC01', 'RC-1', '2026-03-30')).toEqual([[1, 'principal', '150.00', 20]]);
    // 50.00; 03-21 … 03-25 at 0.001 = 50.00; 03-26 … 03-30 at 0.0002 = 10.00
    expect(await both(f, 'RC01', 'RC-2', '2026-03-30')).toEqual([[1, 'principal', '110.00', 20]]);
    const shown = await showPenalty(f.db.knex, await findContract(f.db.knex, 'RC-2', 'RC01'), '2026-03-30');
    expect(shown.lines[0]?.segments.map((s) => [s.from, s.to, s.days, s.base, s.rate, s.amount])).toEqual([
      ['2026-03-11', '2026-03-20', 10, '10000.00', '0.0005', '50'],
      ['2026-03-21', '2026-03-25', 5, '10000.00', '0.001', '50'],
      ['2026-03-26', '2026-03-30', 5, '10000.00', '0.0002', '10'],
    ]);
  });

  it('a payment on the due date: in full bears nothing; in part leaves the rest bearing from D0 + 1', async () => {
    const f = get();
    await dealer(f.db, f.admin, 'PD01', 'principal_first');
    await contract(f.db, f.admin, 'PD01', 'PD-1', [[1, 'principal', '2026-03-10', '1000.00']]);
    await contract(f.db, f.admin, 'PD01', 'PD-2', [[1, 'principal', '2026-03-10', '1000.00']]);
    await receipt(f.db, f.admin, 'PD01', 'PD-1', '2026-03-10', '1000.00');
    await receipt(f.db, f.admin, 'PD01', 'PD-2', '2026-03-10', '400.00');
    expect(await both(f, 'PD01', 'PD-1', '2026-04-09')).toEqual([[1, 'principal', '0.00', 0]]);
    expect(await both(f, 'PD01', 'PD-2', '2026-03-20')).toEqual([[1, 'principal', '3.00', 10]]); // 10 × 600 × 0.0005
  });

  it('non-bearing types (deposit) accrue nothing but are overdue', async () => {
    const f = get();
    await dealer(f.db, f.admin, 'NB01');
    await contract(f.db, f.admin, 'NB01', 'NB-1', [
      [1, 'deposit', '2026-03-10', '5000.00'],
      [1, 'principal', '2026-03-10', '1000.00'],
    ]);
    expect(await both(f, 'NB01', 'NB-1', '2026-03-20')).toEqual([
      [1, 'principal', '5.00', 10],
      [1, 'deposit', '0.00', 10],
    ]);
  });

  it('an imported line: penalty starts after the cut-over, the opening penalty and paid amount count', async () => {
    const f = get();
    await dealer(f.db, f.admin, 'IM01');
    const c = await contract(f.db, f.admin, 'IM01', 'IM-1', [[1, 'principal', '2026-03-10', '10000.00']]);
    const line = await f.db.knex('schedule_lines').where({ contract_id: c.id }).first('id');
    await f.db.knex.transaction(async (tx) => {
      await tx('contracts').where({ id: c.id }).update({ cutover_date: '2026-03-31' });
      const base = {
        contract_id: c.id,
        dealer_id: c.dealerId,
        schedule_line_id: line.id,
        receivable_type: 'principal',
        value_date: '2026-03-31',
      };
      await tx('postings').insert([
        { ...base, kind: 'opening_paid', amount: '4000.00' },
        { ...base, kind: 'opening_penalty', amount: '25.00' },
        { ...base, kind: 'opening_penalty_paid', amount: '5.00' },
      ]);
    });
    // 04-01 … 04-09: 9 days × 6,000.00 × 0.0005 = 27.00; with the imported 25.00: 52.00, 5.00 paid, 47.00 outstanding
    expect(await both(f, 'IM01', 'IM-1', '2026-04-09')).toEqual([[1, 'principal', '52.00', 30]]);
    const shown = await show(f.db, f.admin, 'IM01', 'IM-1', '2026-04-09');
    expect(shown.lines[0]).toMatchObject({
      amountPaid: '4000.00',
      outstanding: '6000.00',
      penaltyPaid: '5.00',
      penaltyOutstanding: '47.00',
    });
    const penalty = await showPenalty(f.db.knex, await findContract(f.db.knex, 'IM-1', 'IM01'), '2026-04-09');
    expect(penalty.lines[0]).toMatchObject({ openingPenalty: '25.00', penaltyExact: '52', penaltyAccrued: '52.00' });
  });

  it('rounds half-up once, on the exact sum: 0.0025 + 0.0025 = 0.005 → 0.01 (not 0.00 + 0.00, not half-even 0.00)', async () => {
    const f = get();
    await dealer(f.db, f.admin, 'RH01');
    await contract(f.db, f.admin, 'RH01', 'RH-1', [[1, 'principal', '2026-03-10', '1.00']]);
    await contract(f.db, f.admin, 'RH01', 'RH-2', [[1, 'principal', '2026-03-10', '1.00']]);
    await f.db.knex.transaction((tx) =>
      setPenaltyRate(tx, f.admin, { dailyRate: dec('0.00025'), from: '2026-03-16', contract: 'RH-1', dealer: 'RH01' }),
    );
    // 5 days × 1.00 × 0.0005 = 0.0025, then 10 days × 1.00 × 0.00025 = 0.0025
    expect(await both(f, 'RH01', 'RH-1', '2026-03-25')).toEqual([[1, 'principal', '0.01', 15]]);
    const penalty = await showPenalty(f.db.knex, await findContract(f.db.knex, 'RH-1', 'RH01'), '2026-03-25');
    expect(penalty.lines[0]?.penaltyExact).toBe('0.005');
    // 10 days × 1.00 × 0.0005 = 0.005 → 0.01; 9 days = 0.0045 → 0.00
    expect(await both(f, 'RH01', 'RH-2', '2026-03-20')).toEqual([[1, 'principal', '0.01', 10]]);
    expect(await both(f, 'RH01', 'RH-2', '2026-03-19')).toEqual([[1, 'principal', '0.00', 9]]);
  });
});
