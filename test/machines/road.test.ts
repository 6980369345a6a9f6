// Issue 21's first road, across collections and machine lock: overdue → flagged by the nightly batch (a
// suggested action, which never acts) → lock applied, approved, confirmed → payment → unlock applied,
// confirmed → the next night clears the flag and the contract leaves the worklist.
//
// HF-R: interest free, 1,200.00 over 3 months from 2026-01-10 → 400.00 due 01-10, 02-10, 03-10. On 2026-02-15
// line 1 is 02-15 − 01-10 = 21 + 15 = 36 days overdue, line 2 5 days: overdue 800.00, the oldest 36 days ≥ the
// rule's 30, so the night of 02-15 flags HF-R as a lock candidate.
import { expect, it } from 'vitest';
import type { ActionName } from '../../src/app/catalogue.js';
import { type RawInput, runAction } from '../../src/app/run.js';
import { runBatch } from '../../src/batch/run.js';
import { dec } from '../../src/core/money.js';
import { createContract } from '../../src/receivables/contracts.js';
import { confirmReceipt, registerReceipt } from '../../src/receivables/receipts.js';
import { buildOrganisation } from '../access/organisation.js';
import { type DbFixture, describeEachDb } from '../support/db.js';

const run = <N extends ActionName>(f: DbFixture, who: string, name: N, raw: RawInput<N>) =>
  runAction(f.db, who, name, raw, { via: 'test' });
const statusOf = async (f: DbFixture) => (await f.db.knex('machines').where({ serial_no: 'SN-R' }).first('status')).status;

describeEachDb('collections and machine lock, one road', (get) => {
  it('overdue → flagged → lock applied, approved, confirmed → payment → unlock → flag cleared', async () => {
    const f = get();
    await buildOrganisation(f.db.knex, f.admin);
    await f.db.knex.transaction((tx) =>
      createContract(tx, f.admin, {
        dealer: 'HF01',
        contractNo: 'HF-R',
        collector: 'hf.c1',
        customer: { name: '客户HF-R', phone: '13900000009' },
        machines: [{ serialNo: 'SN-R', model: 'SY215C' }],
        method: 'interest_free',
        principal: dec('1200.00'),
        annualRate: dec(0),
        termMonths: 3,
        firstDueDate: '2026-01-10',
      }),
    );
    await run(f, 'admin', 'collection.rule.add', { action: 'lock', overdueDays: '30' });
    await runBatch(f.db, f.admin, { date: '2026-02-15' }, () => {});

    const before = await run(f, 'hf.c1', 'collection.list', { asOf: '2026-02-15' });
    const item = before.contracts.find((c) => c.contractNo === 'HF-R');
    expect(item).toMatchObject({ overdue: '800.00', overdueDays: 36, machines: [{ serialNo: 'SN-R', status: 'normal' }] });
    expect(item?.flags.map((x) => [x.action, x.flaggedOn])).toEqual([['lock', '2026-02-15']]);
    expect(await statusOf(f)).toBe('normal'); // a flag never acts

    // a person applies: no machine_lock rule here, so it is approved at once and the manual instruction is sent
    const lock = await run(f, 'hf.c1', 'machine.lock.request', { serial: 'SN-R', reason: '建议锁机：逾期 36 天', date: '2026-02-15' });
    expect(lock).toMatchObject({ type: 'machine_lock', approval: 'approved', amount: '800.00' });
    expect(await statusOf(f)).toBe('lock_pending');
    await run(f, 'hf.fin', 'machine.lock.confirm', { id: lock.id, at: '2026-02-16 10:00' });
    expect(await statusOf(f)).toBe('locked');

    // the customer pays what is due on 02-20, penalty included (contract show's figures), and asks for the unlock
    const owed = await run(f, 'hf.c1', 'contract.show', { contractNo: 'HF-R', asOf: '2026-02-20' });
    const pay = dec(owed.totals.overdue).plus(owed.totals.penaltyOutstanding);
    expect(owed.totals.overdue).toBe('800.00');
    await f.db.knex.transaction(async (tx) => {
      const doc = await registerReceipt(tx, f.admin, { contract: { contractNo: 'HF-R' }, valueDate: '2026-02-20', amount: pay });
      await confirmReceipt(tx, f.admin, doc.id);
    });
    const paid = await run(f, 'hf.c1', 'contract.show', { contractNo: 'HF-R', asOf: '2026-02-20' });
    expect([paid.totals.overdue, paid.totals.penaltyOutstanding, paid.totals.outstanding]).toEqual(['0.00', '0.00', '400.00']);
    const unlock = await run(f, 'hf.c1', 'machine.unlock.request', { serial: 'SN-R', reason: '逾期款已付清', date: '2026-02-20' });
    expect(unlock).toMatchObject({ type: 'machine_unlock', approval: 'approved' });
    expect(await statusOf(f)).toBe('locked'); // until the platform's word
    await run(f, 'hf.fin', 'machine.unlock.confirm', { id: unlock.id, at: '2026-02-20 16:00' });
    expect(await statusOf(f)).toBe('normal');

    // the nights to 02-21: nothing overdue, so the flag is cleared and HF-R leaves the worklist
    await runBatch(f.db, f.admin, { date: '2026-02-21' }, () => {});
    const after = await run(f, 'hf.c1', 'collection.list', { asOf: '2026-02-21' });
    expect(after.contracts.map((c) => c.contractNo)).not.toContain('HF-R');
    // paid on 02-20: that night no line of HF-R is overdue, so its flag is cleared on 02-20
    const flag = await f.db
      .knex('collection_flags as g')
      .join('contracts as c', 'c.id', 'g.contract_id')
      .where('c.contract_no', 'HF-R')
      .first(f.db.knex.raw('g.cleared_on::text AS cleared'));
    expect(flag?.cleared).toBe('2026-02-20');
    const history = await run(f, 'hf.c1', 'machine.show', { serial: 'SN-R' });
    expect(history.history.map((h) => [h.from, h.to, h.date])).toEqual([
      ['normal', 'lock_pending', '2026-02-15'],
      ['lock_pending', 'locked', '2026-02-16'],
      ['locked', 'normal', '2026-02-20'],
    ]);
  });
});
