// Repossession where the admin's rules differ from the road's: no repossession rule (approved at once), a charge
// rule (the towing cost waits for its own approval before its 代垫 line exists), no bad-debt rule (the shortfall
// is not proposed: nothing is written off by itself), and a machine returned once everything owed is paid.
import { expect, it } from 'vitest';
import type { ActionName } from '../../src/app/catalogue.js';
import { type RawInput, runAction } from '../../src/app/run.js';
import { addRule } from '../../src/approvals/rules.js';
import { dec, formatMoney } from '../../src/core/money.js';
import { addUser } from '../../src/organisation/index.js';
import { createContract } from '../../src/receivables/contracts.js';
import { buildOrganisation } from '../access/organisation.js';
import { type DbFixture, describeEachDb } from '../support/db.js';

const as = <N extends ActionName>(f: DbFixture, who: string, name: N, raw: RawInput<N>) => runAction(f.db, who, name, raw, { via: 'test' });

async function contractWithMachine(f: DbFixture, contractNo: string, serialNo: string) {
  await f.db.knex.transaction((tx) =>
    createContract(tx, f.admin, {
      dealer: 'HF01',
      contractNo,
      collector: 'hf.c1',
      customer: { name: `客户${contractNo}` },
      machines: [{ serialNo, model: 'SY215C' }],
      method: 'interest_free',
      principal: dec('30000.00'),
      annualRate: dec(0),
      termMonths: 3,
      firstDueDate: '2026-01-10',
    }),
  );
}

const status = async (f: DbFixture, serial: string) => (await f.db.knex('machines').where({ serial_no: serial }).first('status')).status;

describeEachDb('repossession under other rules', (get) => {
  it('sets up: a clerk at HF01, a charge rule (dealer finance), no repossession or bad-debt rule', async () => {
    const f = get();
    await buildOrganisation(f.db.knex, f.admin);
    await f.db.knex.transaction(async (tx) => {
      await addUser(tx, f.admin, { username: 'hf.clerk', name: '合肥内勤', roles: ['clerk'], dealer: 'HF01' });
      await addRule(tx, f.admin, { documentType: 'charge', steps: ['role:dealer_finance'] });
    });
    await contractWithMachine(f, 'HF-S1', 'SY-S1');
    await contractWithMachine(f, 'HF-S2', 'SY-S2');
  });

  it('no rule: approved at once; the clerks are told, not the applicant who did it', async () => {
    const f = get();
    const doc = await as(f, 'hf.c1', 'machine.repossess.request', { serial: 'SY-S1', reason: '失联', date: '2026-03-01' });
    expect(doc.approval).toBe('approved');
    expect(await status(f, 'SY-S1')).toBe('repossession_pending');
    expect((await as(f, 'hf.clerk', 'notification.list', {})).map((n) => n.title)).toEqual(['拖机申请已批准：SY-S1']);
    expect(await as(f, 'hf.c1', 'notification.list', {})).toEqual([]);
  });

  it('a charge rule: the towing cost waits for dealer finance; its 代垫 line exists once approved', async () => {
    const f = get();
    const id = (await f.db.knex('documents').where({ type: 'repossession' }).first('id')).id;
    const out = await as(f, 'hf.clerk', 'machine.repossess.register', {
      id,
      date: '2026-03-05',
      location: '合肥停车场',
      towingCost: '3000.00',
    });
    expect(out.charges.map((c) => [c.cost, c.amount, c.approval])).toEqual([['towing', '3000.00', 'pending']]);
    expect(await status(f, 'SY-S1')).toBe('repossessed');
    const before = await as(f, 'hf.fin', 'contract.show', { contractNo: 'HF-S1', asOf: '2026-03-05' });
    expect(before.totals.amountDue).toBe('30000.00');
    await as(f, 'hf.fin', 'approval.approve', { id: out.charges[0]?.documentId as number });
    const after = await as(f, 'hf.fin', 'contract.show', { contractNo: 'HF-S1', asOf: '2026-03-05' });
    // 30,000.00 + the towing advance 3,000.00
    expect(after.totals.amountDue).toBe('33000.00');
  });

  it('returned only after payment: refused while owed, released once everything due and the penalty are paid', async () => {
    const f = get();
    await expect(as(f, 'hf.clerk', 'machine.dispose', { serial: 'SY-S1', returned: true, date: '2026-03-12' })).rejects.toThrow(
      /still owes/,
    );
    // everything due by 03-12 (the three installments and the advance) and its penalty as of 03-12
    const shown = await as(f, 'hf.fin', 'contract.show', { contractNo: 'HF-S1', asOf: '2026-03-12' });
    const owed = dec(shown.totals.outstanding).plus(shown.totals.penaltyOutstanding);
    const receipt = await as(f, 'hf.fin', 'receipt.register', { contractNo: 'HF-S1', amount: formatMoney(owed), valueDate: '2026-03-12' });
    await as(f, 'hf.fin', 'receipt.confirm', { id: receipt.id });
    const out = await as(f, 'hf.clerk', 'machine.dispose', { serial: 'SY-S1', returned: true, date: '2026-03-12' });
    expect(out).toMatchObject({ machine: { status: 'released' }, receipt: null, badDebt: null });
    expect(await status(f, 'SY-S1')).toBe('released');
  });

  it('no bad-debt rule: the shortfall is shown, nothing is proposed or written off', async () => {
    const f = get();
    await as(f, 'hf.c1', 'machine.repossess.request', { serial: 'SY-S2', reason: '失联', date: '2026-03-01' });
    const id = (await f.db.knex('documents').where({ type: 'repossession' }).orderBy('id', 'desc').first('id')).id;
    await as(f, 'hf.clerk', 'machine.repossess.register', { id, date: '2026-03-05', location: '合肥停车场' });
    const out = await as(f, 'hf.clerk', 'machine.dispose', { serial: 'SY-S2', resold: true, amount: '5000.00', date: '2026-03-20' });
    expect(out.badDebt).toBeNull();
    expect(out.badDebtNote).toMatch(/no approval rule for bad_debt matches/);
    expect(dec(out.owedAfter?.shortfall ?? '0').greaterThan(0)).toBe(true);
    expect(await f.db.knex('documents').where({ type: 'bad_debt' }).first('id')).toBeUndefined();
    expect((await f.db.knex('contracts').where({ contract_no: 'HF-S2' }).first('status')).status).toBe('active');
  });

  it('rejected: the applicant is told why, the machine stays as it was, and a new application may follow', async () => {
    const f = get();
    await f.db.knex.transaction(async (tx) => {
      await addRule(tx, f.admin, { documentType: 'repossession', condition: 'dealer = WH01', steps: ['manager:1'] });
      await createContract(tx, f.admin, {
        dealer: 'WH01',
        contractNo: 'WH-S3',
        collector: 'wh.c1',
        customer: { name: '客户WH-S3' },
        machines: [{ serialNo: 'SY-S3', model: 'SY215C' }],
        method: 'interest_free',
        principal: dec('30000.00'),
        annualRate: dec(0),
        termMonths: 3,
        firstDueDate: '2026-01-10',
      });
    });
    const doc = await as(f, 'wh.c1', 'machine.repossess.request', { serial: 'SY-S3', reason: '失联', date: '2026-03-01' });
    expect(doc.approval).toBe('pending');
    await as(f, 'wh.mgr', 'approval.reject', { id: doc.id, comment: '先锁机' });
    expect(await status(f, 'SY-S3')).toBe('normal');
    const told = await as(f, 'wh.c1', 'notification.list', {});
    expect(told.map((n) => [n.title, n.body])).toEqual([['拖机申请被驳回：SY-S3', `拖机申请 ${doc.number}（合同 WH-S3）被驳回：先锁机`]]);
    const again = await as(f, 'wh.c1', 'machine.repossess.request', { serial: 'SY-S3', reason: '仍失联', date: '2026-03-10' });
    expect(again.approval).toBe('pending');
  });
});
