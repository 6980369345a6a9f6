// The contract list at the size where its page is found by ids and its overdue filter reads candidates in rounds
// (src/receivables/contracts.ts listContracts, overduePage, mayBeOverdue): 500 contracts of the benchmarks' ledger
// (bench/ledger.ts), two collectors of different teams and a payment value-dated after the as-of date. The list's
// figures equal `contract show`'s for the same date; the overdue filter's pages are exactly the overdue contracts of
// the whole list in its order, across rounds; a collector sees their contracts alone and another's is not found;
// the page says which date its figures are as of.
import { beforeAll, expect, it } from 'vitest';
import { loadBenchLedger } from '../../bench/ledger.js';
import { runAction } from '../../src/app/run.js';
import { NotFound } from '../../src/core/errors.js';
import { dec } from '../../src/core/money.js';
import { OVERDUE_ROUND_FIRST } from '../../src/receivables/contracts.js';
import { createApp } from '../../src/web/app.js';
import { describeEachDb } from '../support/db.js';
import { Browser, PASSWORD } from './support.js';

const CONTRACTS = 500;
/** Line 1 of each contract falls due 2025-06-01 + 18 days (two in three) or + id % 28 days: mixed on this date. */
const EARLY = '2025-06-20';
const LATER = '2025-09-30';
/** The contract whose first overdue line a payment value-dated LATE_DATE pays in full. */
const LATE_PAID = 'BC-7';
const LATE_DATE = '2025-07-15';

/** Two collectors, each of one dealer and a team of their own. */
const TEAMS: [string, string][] = [
  ['b1.c', 'B1'],
  ['b2.c', 'B2'],
];

type Row = { contractNo: string; dealer: string; outstanding: string; overdue: string };

describeEachDb('contract list: pages by ids, the overdue filter in rounds, figures as contract show', (get) => {
  const list = (who: string, input: Record<string, unknown>) =>
    runAction(get().db, who, 'contract.list', input as never, { via: 'test' }) as Promise<Row[]>;

  beforeAll(async () => {
    const { db } = get();
    await loadBenchLedger(db, { contracts: CONTRACTS, linesPerContract: 20, dealers: 4, day: LATER });
    for (const [username, dealer] of TEAMS) {
      await runAction(db, 'admin', 'user.add', { username, name: `催收 ${dealer}`, roles: ['collector'], dealer }, { via: 'test' });
      await runAction(db, 'admin', 'user.passwd', { username, password: PASSWORD }, { via: 'test' });
    }
    // b1.c collects B1's first 30 contracts, b2.c B2's
    for (const [username, dealer] of TEAMS) {
      await db.knex.raw(
        `UPDATE contracts SET collector_id = (SELECT id FROM users WHERE username = ?)
          WHERE id IN (SELECT c.id FROM contracts c JOIN dealers d ON d.id = c.dealer_id WHERE d.code = ? ORDER BY c.contract_no LIMIT 30)`,
        [username, dealer],
      );
    }
    // BC-7's first line not paid by the ledger: paid in full by a posting dated LATE_DATE (after EARLY, before LATER)
    const line = await db
      .knex('schedule_lines as l')
      .join('contracts as c', 'c.id', 'l.contract_id')
      .where('c.contract_no', LATE_PAID)
      .orderBy('l.seq')
      .first('l.id', 'l.contract_id', 'l.amount_due', 'l.due_date', 'c.dealer_id', 'l.paid');
    expect(line.due_date < EARLY).toBe(true);
    expect(dec(line.paid).isZero()).toBe(true);
    await db.knex('postings').insert({
      contract_id: line.contract_id,
      dealer_id: line.dealer_id,
      schedule_line_id: line.id,
      kind: 'opening_paid',
      receivable_type: 'principal',
      amount: line.amount_due,
      value_date: LATE_DATE,
    });
  }, 300_000);

  it('lists each contract with the outstanding and overdue contract show gives for the same date', async () => {
    for (const asOf of [EARLY, LATER]) {
      const rows = await list('admin', { asOf, dealer: 'B2', limit: '40' });
      expect(rows.length).toBe(40);
      for (const row of rows.slice(0, 12)) {
        const show = await runAction(
          get().db,
          'admin',
          'contract.show',
          { contractNo: row.contractNo, dealer: row.dealer, asOf },
          { via: 'test' },
        );
        expect([row.outstanding, row.overdue], `${row.contractNo} ${asOf}`).toEqual([show.totals.outstanding, show.totals.overdue]);
      }
    }
    // BC-7 on EARLY: its first line (5,000.00) is overdue — the payment's value date is later; on LATER it is paid
    const early = await runAction(get().db, 'admin', 'contract.show', { contractNo: LATE_PAID, asOf: EARLY }, { via: 'test' });
    expect(early.totals.overdue).toBe('5000.00');
    const found = await list('admin', { asOf: EARLY, search: LATE_PAID, overdue: true, limit: '50' });
    expect(found.find((r) => r.contractNo === LATE_PAID)).toMatchObject({ overdue: '5000.00' });
  });

  it('filters overdue page by page exactly as the whole list filtered, across the rounds of candidates', async () => {
    for (const asOf of [EARLY, LATER]) {
      const all = await list('admin', { asOf, limit: String(CONTRACTS) });
      expect(all.length).toBe(CONTRACTS);
      const overdue = all.filter((r) => dec(r.overdue).greaterThan(0)).map((r) => r.contractNo);
      // EARLY: about a third of the contracts are overdue, so the last pages lie beyond the first round of candidates
      if (asOf === EARLY) expect(all.findIndex((r) => r.contractNo === overdue.at(-1))).toBeGreaterThan(OVERDUE_ROUND_FIRST);
      if (asOf === EARLY) {
        expect(overdue.length).toBeGreaterThan(50);
        expect(overdue.length).toBeLessThan(CONTRACTS / 2);
        expect(overdue).toContain(LATE_PAID);
      }
      for (const [offset, size] of [
        [0, 50],
        [40, 30],
        [overdue.length - 5, 10],
        [overdue.length, 5],
      ] as const) {
        const page = await list('admin', { asOf, overdue: true, limit: String(size), offset: String(offset) });
        expect(
          page.map((r) => r.contractNo),
          `${asOf} ${offset}+${size}`,
        ).toEqual(overdue.slice(offset, offset + size));
      }
      // in reverse order, and within one dealer with a search
      const reverse = await list('admin', { asOf, overdue: true, descending: true, limit: '25' });
      expect(reverse.map((r) => r.contractNo)).toEqual(
        [...all]
          .reverse()
          .filter((r) => dec(r.overdue).greaterThan(0))
          .slice(0, 25)
          .map((r) => r.contractNo),
      );
      const searched = await list('admin', { asOf, overdue: true, dealer: 'B3', search: 'BC-1', limit: '200' });
      expect(searched.map((r) => r.contractNo)).toEqual(
        all.filter((r) => r.dealer === 'B3' && r.contractNo.includes('BC-1') && dec(r.overdue).greaterThan(0)).map((r) => r.contractNo),
      );
    }
  });

  it('a collector lists their contracts alone, overdue ones too; another team’s is not found, on the web 404', async () => {
    const mine = await list('b1.c', { asOf: LATER, limit: '100' });
    expect(mine.length).toBe(30);
    expect(new Set(mine.map((r) => r.dealer))).toEqual(new Set(['B1']));
    const overdue = await list('b1.c', { asOf: LATER, overdue: true, limit: '100' });
    expect(overdue.map((r) => r.contractNo)).toEqual(mine.filter((r) => dec(r.overdue).greaterThan(0)).map((r) => r.contractNo));
    // another dealer's code is not found (an empty list would say that it exists), on the web a 404
    await expect(list('b1.c', { asOf: LATER, dealer: 'B2', overdue: true, limit: '10' })).rejects.toThrow('dealer not found: "B2"');
    const theirs = (await list('b2.c', { asOf: LATER, limit: '1' }))[0] as Row;
    await expect(
      runAction(get().db, 'b1.c', 'contract.show', { contractNo: theirs.contractNo, asOf: LATER }, { via: 'test' }),
    ).rejects.toThrow(NotFound);

    const b = new Browser(createApp(get().db));
    expect((await b.login('b1.c')).status).toBe(303);
    const page = await (await b.get(`/contracts?overdue=1&asOf=${LATER}&q=BC-`)).text();
    expect(page).toContain(`金额截至 ${LATER}`);
    const listed = [...page.matchAll(/href="\/contracts\/([^"?/]+)\?dealer=/g)].map((m) => m[1]);
    expect(listed).toEqual(overdue.slice(0, 50).map((r) => r.contractNo));
    expect((await b.get(`/contracts/${theirs.contractNo}?dealer=${theirs.dealer}`)).status).toBe(404);
    expect((await b.get(`/contracts?dealer=${theirs.dealer}&asOf=${LATER}`)).status).toBe(404);
    const searched = await (await b.get(`/contracts?q=${theirs.contractNo}&asOf=${LATER}`)).text();
    expect(searched).not.toContain(`/contracts/${theirs.contractNo}?`);
  });
});
