// Property test for the reports beside the breakdown: for random small worlds — contracts of three dealers, lines
// of several types falling due over four months, receipts (part payments, overpayments that become credit), the
// batch run through a date — on both databases:
//   - penalty: every dealer's period and every single day equal the breakdown's penaltyAccrued difference;
//   - overdue list: its total overdue and penalty outstanding equal those of the breakdown's overdue contracts;
//   - receipts journal: each receipt's parts add up to it, the total is the sum of the rows and of the accounts;
//   - trend: the last month's outstanding and overdue are the breakdown's on the batch date.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { loadActor } from '../../src/access/actor.js';
import { runAction } from '../../src/app/run.js';
import { addDays } from '../../src/core/dates.js';
import { Dec, dec, sumMoney } from '../../src/core/money.js';
import type { DbKind } from '../../src/db/index.js';
import { recordConfirmedReceipt } from '../../src/receivables/receipts.js';
import type { Breakdown } from '../../src/reports/breakdown.js';
import type { OverdueList } from '../../src/reports/overdue.js';
import type { PenaltyReport } from '../../src/reports/penalty.js';
import { RECEIPT_PARTS, type ReceiptsJournal } from '../../src/reports/receipts.js';
import type { Trend } from '../../src/reports/trend.js';
import { batch } from '../batch/fixtures.js';
import { databaseKinds, openTestDb } from '../support/db.js';
import { contractOf, dealerIn, region } from './fixtures.js';

const ORIGIN = '2026-01-01';
const RUNS = 3;
const DEALERS = ['P1', 'P2', 'P3'] as const;
const day = (offset: number) => addDays(ORIGIN, offset);
const cents = (min: number, max: number) => fc.integer({ min, max }).map((n) => new Dec(n).dividedBy(100).toFixed(2));

const world = fc.record({
  contracts: fc.array(
    fc.record({
      dealer: fc.integer({ min: 0, max: DEALERS.length - 1 }),
      lines: fc.array(
        fc.record({
          type: fc.constantFrom('principal', 'fee', 'deposit'),
          due: fc.integer({ min: 0, max: 120 }),
          amount: cents(1, 500_000),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    }),
    { minLength: 1, maxLength: 5 },
  ),
  receipts: fc.array(fc.record({ contract: fc.nat(), at: fc.integer({ min: 0, max: 130 }), amount: cents(1, 600_000) }), { maxLength: 6 }),
  batchAt: fc.integer({ min: 90, max: 130 }),
  from: fc.integer({ min: 1, max: 89 }),
  days: fc.array(fc.integer({ min: 1, max: 130 }), { minLength: 2, maxLength: 2 }),
});

type World = typeof world extends fc.Arbitrary<infer W> ? W : never;

async function check(kind: DbKind, w: World): Promise<void> {
  const db = await openTestDb(kind);
  try {
    const admin = await loadActor(db.knex, 'admin');
    await region(db, admin, 'PR', '测试区');
    await dealerIn(db, admin, 'P1', '一号店', 'PR');
    await dealerIn(db, admin, 'P2', '二号店', 'PR');
    await dealerIn(db, admin, 'P3', '三号店');
    const nos = w.contracts.map((_, i) => `PC-${String(i).padStart(2, '0')}`);
    for (const [i, c] of w.contracts.entries()) {
      await contractOf(db, admin, {
        dealer: DEALERS[c.dealer] as string,
        contractNo: nos[i] as string,
        customer: `客户${i}`,
        lines: c.lines.map((l, seq) => [seq + 1, l.type, day(l.due), l.amount]),
      });
    }
    for (const [n, r] of w.receipts.entries()) {
      const index = r.contract % w.contracts.length;
      await db.knex.transaction((tx) =>
        recordConfirmedReceipt(tx, admin, {
          contract: { contractNo: nos[index] as string, dealer: DEALERS[w.contracts[index]?.dealer ?? 0] as string },
          valueDate: day(r.at),
          amount: dec(r.amount),
          method: n % 2 === 0 ? 'cash' : 'bank_transfer',
          account: n % 3 === 0 ? 'CASH' : 'ICBC-01',
        }),
      );
    }
    const last = day(w.batchAt);
    await batch(db, admin, last);
    const act = <T>(name: string, raw: object) =>
      runAction(db, admin, name as 'report.breakdown', raw as never, { via: 'test' }) as Promise<T>;
    const breakdown = (asOf: string) => act<Breakdown>('report.breakdown', { restated: true, asOf, by: 'dealer' });
    const accrued = (b: Breakdown, dealer: string) =>
      dec(b.rows.find((r) => r.level === 'dealer' && r.dealer === dealer)?.penaltyAccrued ?? '0');

    // penalty: the period per dealer, and single days, against the breakdown
    const from = day(w.from);
    const penalty = await act<PenaltyReport>('report.penalty', { from, to: last });
    const [end, start] = [await breakdown(last), await breakdown(addDays(from, -1))];
    for (const dealer of DEALERS) {
      const total = dec(penalty.dealers.find((d) => d.dealer === dealer)?.total ?? '0');
      expect(total.equals(accrued(end, dealer).minus(accrued(start, dealer))), `${dealer} ${from} … ${last}`).toBe(true);
    }
    for (const d of w.days.map((o) => day(Math.min(o, w.batchAt)))) {
      const one = await act<PenaltyReport>('report.penalty', { from: d, to: d });
      const change = dec(await breakdown(d).then((b) => b.totals.penaltyAccrued)).minus(
        await breakdown(addDays(d, -1)).then((b) => b.totals.penaltyAccrued),
      );
      expect(dec(one.total).equals(change), d).toBe(true);
      expect(one.days).toEqual([{ date: d, accrued: one.total }]);
    }

    // overdue list against the breakdown's contracts with something overdue
    const list = await act<OverdueList>('report.overdue', { restated: true });
    const contracts = (await act<Breakdown>('report.breakdown', { restated: true })).rows.filter(
      (r) => r.level === 'detail' && dec(r.overdue).greaterThan(0),
    );
    expect(list.contracts.map((c) => c.contractNo).sort()).toEqual(contracts.map((c) => c.contractNo).sort());
    expect(list.totals.overdue).toBe(sumMoney(contracts.map((c) => c.overdue)).toFixed(2));
    expect(list.totals.penaltyOutstanding).toBe(sumMoney(contracts.map((c) => c.penaltyOutstanding)).toFixed(2));

    // receipts journal: parts add up; the total is the rows' and the accounts'
    const journal = await act<ReceiptsJournal>('report.receipts', { from: ORIGIN, to: day(130) });
    for (const r of journal.receipts) expect(sumMoney(RECEIPT_PARTS.map((p) => r[p])).toFixed(2), r.number).toBe(r.amount);
    expect(journal.receipts).toHaveLength(w.receipts.length);
    expect(journal.totals.amount).toBe(sumMoney(w.receipts.map((r) => r.amount)).toFixed(2));
    const accounts = journal.subtotals.filter((s) => s.level === 'account');
    expect(sumMoney(accounts.map((s) => s.amount)).toFixed(2)).toBe(journal.totals.amount);

    // trend: the last month is as of the batch date
    const trend = await act<Trend>('report.trend', { restated: true });
    expect(trend.asOf.at(-1)).toBe(last);
    expect([trend.series.outstanding.at(-1), trend.series.overdue.at(-1)]).toEqual([end.totals.outstanding, end.totals.overdue]);
  } finally {
    await db.close();
  }
}

for (const kind of databaseKinds()) {
  it(`[${kind}] penalty, overdue list, receipts and trend agree with the breakdown on random worlds`, async () => {
    await fc.assert(
      fc.asyncProperty(world, (w) => check(kind, w)),
      { numRuns: RUNS, endOnFailure: true },
    );
  }, 600_000);
}
