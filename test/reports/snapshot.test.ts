// Report snapshots (issue 18 point 1): what was reported on a night stays as it was; for a night just taken it
// equals the restated figures row for row; storage grows with change; catch-up and recomputation write late
// snapshots and never rewrite one already taken. Both databases.
import { expect, it } from 'vitest';
import { describeEachDb } from '../support/db.js';
import { batch, contract, dealer, receipt } from '../batch/fixtures.js';
import { reported, restated, snapshotRows } from './support.js';

describeEachDb('report snapshots', (get) => {
  it('as reported equals restated for a night just taken, and stays byte-identical after a back-dated receipt', async () => {
    const { db, admin } = get();
    await dealer(db, admin, 'SN01');
    await contract(db, admin, 'SN01', 'SN-1', [
      [1, 'principal', '2026-03-10', '10000.00'],
      [2, 'principal', '2026-04-10', '10000.00'],
    ]);
    await receipt(db, admin, 'SN01', 'SN-1', '2026-03-05', '500.00');
    await batch(db, admin, '2026-04-01');
    const night = await restated(db, admin, '2026-04-01');
    const asReported = await reported(db, admin, '2026-04-01');
    expect(asReported).toEqual(night);
    // line 1: 10000.00 due 03-10 less 500.00 paid before = 9500.00 late from 03-11; 22 days × 9500.00 × 0.0005 = 104.50
    expect(asReported.lines.map((l) => [l.outstanding, l.overdue, l.notDue, l.overdueDays, l.penaltyAccrued])).toEqual([
      ['9500.00', '9500.00', '0', 22, '104.50'],
      ['10000.00', '0', '10000.00', 0, '0.00'],
    ]);
    await batch(db, admin, '2026-04-08');
    const frozen = JSON.stringify(await reported(db, admin, '2026-04-01'));
    // a week later: a receipt value-dated 03-20 (back-dated before the night of 04-01)
    await receipt(db, admin, 'SN01', 'SN-1', '2026-03-20', '2000.00');
    await batch(db, admin, '2026-04-09');
    expect(JSON.stringify(await reported(db, admin, '2026-04-01'))).toBe(frozen);
    const after = await restated(db, admin, '2026-04-01');
    // restated: 9500.00 × 0.0005 × 10 days (03-11..03-20) = 47.50 accrued by the receipt's date, which it pays
    // first; 1952.50 goes to the line: 7547.50 from 03-21, × 0.0005 × 12 days (to 04-01) = 45.285; 92.785 → 92.79
    expect(after.lines.map((l) => [l.outstanding, l.penaltyAccrued, l.penaltyPaid])).toEqual([
      ['7547.50', '92.79', '47.50'],
      ['10000.00', '0.00', '0.00'],
    ]);
    expect(await reported(db, admin, '2026-04-09')).toEqual(await restated(db, admin, '2026-04-09'));
  });
});
