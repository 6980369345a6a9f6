// Property test (issue 18): for random small worlds — contracts of three dealers (two in a region, one without),
// lines of several types falling due over four months, receipts (part payments, overpayments that become
// credit, some after the as-of date), the batch run through a date — the restated breakdown by contract
// equals `contract show` for every contract on the batch date and on an earlier date, and every level's
// figures are the sum of the level below (the group total the sum of the dealers'). A fresh database per run.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { loadActor } from '../../src/access/actor.js';
import { runAction } from '../../src/app/run.js';
import { addDays } from '../../src/core/dates.js';
import { Dec, dec } from '../../src/core/money.js';
import type { DbKind } from '../../src/db/index.js';
import { recordConfirmedReceipt } from '../../src/receivables/receipts.js';
import { showContract } from '../../src/receivables/show.js';
import type { BreakdownRow } from '../../src/reports/breakdown.js';
import { batch } from '../batch/fixtures.js';
import { databaseKinds, openTestDb } from '../support/db.js';
import { contractOf, dealerIn, expectConsolidates, region } from './fixtures.js';

const ORIGIN = '2026-01-01';
const RUNS = 4;
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
    { minLength: 1, maxLength: 6 },
  ),
  receipts: fc.array(fc.record({ contract: fc.nat(), at: fc.integer({ min: 0, max: 150 }), amount: cents(1, 600_000) }), { maxLength: 8 }),
  batchAt: fc.integer({ min: 90, max: 150 }),
  earlier: fc.integer({ min: 1, max: 89 }),
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
    for (const r of w.receipts) {
      const index = r.contract % w.contracts.length;
      const dealer = DEALERS[w.contracts[index]?.dealer ?? 0] as string;
      await db.knex.transaction((tx) =>
        recordConfirmedReceipt(tx, admin, {
          contract: { contractNo: nos[index] as string, dealer },
          valueDate: day(r.at),
          amount: dec(r.amount),
        }),
      );
    }
    await batch(db, admin, day(w.batchAt));
    for (const asOf of [day(w.batchAt), day(w.earlier)]) {
      const b = await runAction(db, admin, 'report.breakdown', { restated: true, asOf }, { via: 'test' });
      const rows = b.rows.filter((r) => r.level === 'detail');
      for (const [i, no] of nos.entries()) {
        const dealer = DEALERS[w.contracts[i]?.dealer ?? 0] as string;
        const shown = await showContract(db.knex, admin, no, dealer, asOf);
        const row = rows.find((r) => r.contractNo === no) as BreakdownRow;
        const { recovered: _, ...totals } = shown.totals;
        expect({ no, asOf, ...totals, overdueDays: Math.max(0, ...shown.lines.map((l) => l.overdueDays)), status: shown.status }).toEqual({
          no,
          asOf,
          amountDue: row.amountDue,
          amountPaid: row.amountPaid,
          outstanding: row.outstanding,
          overdue: row.overdue,
          penaltyAccrued: row.penaltyAccrued,
          penaltyPaid: row.penaltyPaid,
          penaltyWaived: row.penaltyWaived,
          penaltyOutstanding: row.penaltyOutstanding,
          credit: row.credit,
          writtenOff: row.writtenOff,
          overdueDays: row.overdueDays,
          status: row.status,
        });
      }
      expect(rows).toHaveLength(nos.length);
      expectConsolidates(b, expect);
      // the group total is the sum of the dealers' subtotals (and of the regions')
      const dealers = b.rows.filter((r) => r.level === 'dealer');
      for (const field of ['amountDue', 'outstanding', 'overdue', 'penaltyAccrued', 'penaltyOutstanding', 'credit'] as const)
        expect(b.totals[field]).toBe(dealers.reduce((s, r) => s.plus(r[field] ?? '0'), dec(0)).toFixed(2));
    }
  } finally {
    await db.close();
  }
}

for (const kind of databaseKinds()) {
  it(`[${kind}] the breakdown per contract equals contract show; every level sums the one below`, async () => {
    await fc.assert(
      fc.asyncProperty(world, (w) => check(kind, w)),
      { numRuns: RUNS, endOnFailure: true },
    );
  }, 300_000);
}
