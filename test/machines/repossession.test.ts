// Repossession (拖机) end to end on the database, through the one entry point as each user: applied → approved
// by the admin's rule → registered with towing and storage costs (two 代垫 advance lines) → resold → the proceeds
// applied as a receipt (method repossession_sale) → the shortfall proposed as bad debt; the refusals; who is
// notified; scope. Figures by hand, RULES.md (rate 0.0005/day, grace 0, by_installment).
import { expect, it } from 'vitest';
import type { ActionName } from '../../src/app/catalogue.js';
import { type RawInput, runAction } from '../../src/app/run.js';
import { addRule } from '../../src/approvals/rules.js';
import { NotAllowed, NotFound } from '../../src/core/errors.js';
import { dec } from '../../src/core/money.js';
import { machineStatusHistory } from '../../src/machines/status.js';
import { addUser } from '../../src/organisation/index.js';
import { createContract } from '../../src/receivables/contracts.js';
import { actor, buildOrganisation } from '../access/organisation.js';
import { type DbFixture, describeEachDb } from '../support/db.js';

const as = <N extends ActionName>(f: DbFixture, who: string, name: N, raw: RawInput<N>) => runAction(f.db, who, name, raw, { via: 'test' });

/** Rows that any act writes: a refused act leaves them as they were. */
async function written(f: DbFixture) {
  const count = async (table: string) => Number((await f.db.knex(table).count({ n: '*' }).first())?.n);
  return {
    documents: await count('documents'),
    audit: await count('audit_log'),
    notifications: await count('notifications'),
    history: await count('machine_status_history'),
    postings: await count('postings'),
  };
}

async function contractWithMachine(f: DbFixture, contractNo: string, serialNo: string, principal: string) {
  await f.db.knex.transaction((tx) =>
    createContract(tx, f.admin, {
      dealer: 'HF01',
      contractNo,
      collector: 'hf.c1',
      customer: { name: `客户${contractNo}` },
      machines: [{ serialNo, model: 'SY215C' }],
      method: 'interest_free',
      principal: dec(principal),
      annualRate: dec(0),
      termMonths: 3,
      firstDueDate: '2026-01-10',
    }),
  );
}

const notificationsOf = async (f: DbFixture, username: string) =>
  as(f, username, 'notification.list', {}).then((rows) => rows.map((n) => n.title));

describeEachDb('repossession', (get) => {
  let repossessionId = 0;

  it('sets up: the organisation, a clerk at HF01, a contract of 30,000.00 with a machine, the admin’s rules', async () => {
    const f = get();
    await buildOrganisation(f.db.knex, f.admin);
    await f.db.knex.transaction(async (tx) => {
      await addUser(tx, f.admin, { username: 'hf.clerk', name: '合肥内勤', roles: ['clerk'], dealer: 'HF01' });
      // the rules of the road: a repossession over 10,000.00 overdue goes to the applicant's manager; bad debt to dealer finance
      await addRule(tx, f.admin, { documentType: 'repossession', condition: 'amount > 10000', steps: ['manager:1'] });
      await addRule(tx, f.admin, { documentType: 'bad_debt', steps: ['role:dealer_finance'] });
    });
    // 30,000.00 interest-free in 3: 10,000.00 due 2026-01-10, 02-10, 03-10
    await contractWithMachine(f, 'HF-R1', 'SY-R1', '30000.00');
  });

  it('out of scope: another dealer’s clerk and a collector who does not hold the contract get "not found"; nothing is written', async () => {
    const f = get();
    const before = await written(f);
    for (const who of ['wh.clerk', 'hf.c2', 'wh.c1'])
      await expect(as(f, who, 'machine.repossess.request', { serial: 'SY-R1', reason: '失联', date: '2026-03-01' })).rejects.toThrow(
        NotFound,
      );
    expect(await written(f)).toEqual(before);
  });

  it('applied by the collector: the overdue amount as of the date decides the rule; the request waits for the manager', async () => {
    const f = get();
    const doc = await as(f, 'hf.c1', 'machine.repossess.request', {
      serial: 'SY-R1',
      reason: '客户失联，设备转移风险',
      date: '2026-03-01',
    });
    repossessionId = doc.id;
    // overdue on 03-01: installments 1 and 2 = 20,000.00; the oldest 01-10 → 03-01 = 21 + 28 + 1 = 50 days
    expect(doc).toMatchObject({ type: 'repossession', status: 'submitted', amount: '20000.00', approval: 'pending' });
    expect(doc.data).toMatchObject({ overdueDays: 50, serialNo: 'SY-R1', machineStatus: 'normal' });
    const inbox = await as(f, 'hf.lead', 'approval.inbox', {});
    expect(inbox.map((r) => r.documentId)).toContain(doc.id);
    expect((await f.db.knex('machines').where({ serial_no: 'SY-R1' }).first('status')).status).toBe('normal');
    // a second request while one waits
    await expect(as(f, 'hf.c1', 'machine.repossess.request', { serial: 'SY-R1', reason: '再次', date: '2026-03-02' })).rejects.toThrow(
      /already waiting for approval/,
    );
  });

  it('approved by the manager: the machine is repossession_pending; the applicant and the dealer’s clerks are told', async () => {
    const f = get();
    await as(f, 'hf.lead', 'approval.approve', { id: repossessionId });
    expect((await f.db.knex('machines').where({ serial_no: 'SY-R1' }).first('status')).status).toBe('repossession_pending');
    expect(await notificationsOf(f, 'hf.c1')).toEqual(['拖机申请已批准：SY-R1']);
    expect(await notificationsOf(f, 'hf.clerk')).toEqual(['拖机申请已批准：SY-R1']);
    expect(await notificationsOf(f, 'hf.lead')).toEqual([]); // the approver did it himself
    // repossessing twice
    await expect(as(f, 'hf.c1', 'machine.repossess.request', { serial: 'SY-R1', reason: '再次', date: '2026-03-02' })).rejects.toThrow(
      /repossession_pending .*cannot be repossessed again/,
    );
  });

  it('a collector may not register it; another dealer’s clerk does not find it; nothing is written', async () => {
    const f = get();
    const before = await written(f);
    const input = { id: repossessionId, date: '2026-03-05', location: '合肥停车场', towingCost: '3000.00' };
    await expect(as(f, 'hf.c1', 'machine.repossess.register', input)).rejects.toThrow(NotAllowed);
    await expect(as(f, 'wh.clerk', 'machine.repossess.register', input)).rejects.toThrow(NotFound);
    await expect(as(f, 'hf.clerk', 'machine.repossess.register', { ...input, date: '2026-02-28' })).rejects.toThrow(
      /on or after 2026-03-01/,
    );
    expect(await written(f)).toEqual(before);
  });

  it('registered by the clerk with towing 3,000.00 and storage 800.00: repossessed, located, two advance lines, everybody told', async () => {
    const f = get();
    const out = await as(f, 'hf.clerk', 'machine.repossess.register', {
      id: repossessionId,
      date: '2026-03-05',
      location: '合肥市蜀山区停车场',
      towedBy: '顺达拖车',
      towingCost: '3000.00',
      storageCost: '800.00',
    });
    expect(out.document.status).toBe('completed');
    expect(out.charges.map((c) => [c.cost, c.amount, c.approval])).toEqual([
      ['towing', '3000.00', 'approved'],
      ['storage', '800.00', 'approved'],
    ]);
    const m = await f.db.knex('machines').where({ serial_no: 'SY-R1' }).first('id', 'status', 'location');
    expect(m).toMatchObject({ status: 'repossessed', location: '合肥市蜀山区停车场' });
    // the two 代垫 lines, due the registration date, numbered after the three installments
    const contract = await as(f, 'hf.fin', 'contract.show', { contractNo: 'HF-R1', asOf: '2026-03-05' });
    const advances = contract.lines.filter((l) => l.type === 'advance').map((l) => [l.seq, l.dueDate, l.amountDue]);
    expect(advances).toEqual([
      [4, '2026-03-05', '3000.00'],
      [5, '2026-03-05', '800.00'],
    ]);
    // 30,000.00 + 3,000.00 + 800.00
    expect(contract.totals.amountDue).toBe('33800.00');
    // told: the collector (also the applicant), the approver, the dealer's finance; not the clerk who registered it
    expect(out.notified).toEqual(['hf.c1', 'hf.fin', 'hf.lead']);
    expect(await notificationsOf(f, 'hf.lead')).toEqual(['设备已拖回：SY-R1']);
    expect(await notificationsOf(f, 'hf.fin')).toEqual(['设备已拖回：SY-R1']);
    expect((await notificationsOf(f, 'hf.clerk')).includes('设备已拖回：SY-R1')).toBe(false);
    const history = await machineStatusHistory(f.db.knex, m.id);
    expect(history.map((h) => [h.from, h.to, h.date, h.actor, h.documentId])).toEqual([
      ['normal', 'repossession_pending', '2026-03-01', 'hf.lead', repossessionId],
      ['repossession_pending', 'repossessed', '2026-03-05', 'hf.clerk', repossessionId],
    ]);
    await expect(
      as(f, 'hf.clerk', 'machine.repossess.register', { id: repossessionId, date: '2026-03-06', location: 'x' }),
    ).rejects.toThrow(/registered already/);
  });

  it('returned is refused while money is owed; another dealer’s clerk does not find the machine', async () => {
    const f = get();
    await expect(as(f, 'hf.clerk', 'machine.dispose', { serial: 'SY-R1', returned: true, date: '2026-03-20' })).rejects.toThrow(
      /still owes .* a machine is returned only after payment/,
    );
    await expect(
      as(f, 'wh.clerk', 'machine.dispose', { serial: 'SY-R1', resold: true, amount: '25000.00', date: '2026-03-20' }),
    ).rejects.toThrow(NotFound);
  });

  it('resold for 25,000.00: the proceeds applied by installment, the shortfall 9,413.50 proposed as bad debt', async () => {
    const f = get();
    const out = await as(f, 'hf.clerk', 'machine.dispose', {
      serial: 'SY-R1',
      resold: true,
      amount: '25000.00',
      buyer: '芜湖二手机行',
      date: '2026-03-20',
    });
    expect(out.machine.status).toBe('resold');
    // Applied on 03-20, oldest installment first, each installment's penalty before its amount (5.00 a day per 10,000.00):
    //   #1 due 01-10: penalty 01-11…03-20 = 21 + 28 + 20 = 69 days × 5.00 = 345.00, principal 10,000.00
    //   #2 due 02-10: penalty 02-11…03-20 = 18 + 20 = 38 days × 5.00 = 190.00, principal 10,000.00      → 20,535.00, left 4,465.00
    //   #4 due 03-05: penalty 03-06…03-20 = 15 days × 3,000.00 × 0.0005 = 22.50, advance 3,000.00       → left 1,442.50
    //   #5 due 03-05: penalty 15 days × 800.00 × 0.0005 = 6.00, advance 800.00                          → left 636.50
    //   #3 due 03-10: penalty 03-11…03-20 = 10 days × 5.00 = 50.00, principal 636.50 − 50.00 = 586.50    → left 0
    // (listed per installment, the amount before its penalty)
    const applied = out.receipt?.allocations.map((a) => [a.seq, a.type, a.kind, a.amount]);
    expect(applied).toEqual([
      [1, 'principal', 'allocation', '10000.00'],
      [1, 'principal', 'penalty_allocation', '345.00'],
      [2, 'principal', 'allocation', '10000.00'],
      [2, 'principal', 'penalty_allocation', '190.00'],
      [4, 'advance', 'allocation', '3000.00'],
      [4, 'advance', 'penalty_allocation', '22.50'],
      [5, 'advance', 'allocation', '800.00'],
      [5, 'advance', 'penalty_allocation', '6.00'],
      [3, 'principal', 'allocation', '586.50'],
      [3, 'principal', 'penalty_allocation', '50.00'],
    ]);
    // still owed: #3 10,000.00 − 586.50 = 9,413.50; its penalty through 03-20 is paid; no credit
    expect(out.owedAfter).toEqual({ outstanding: '9413.50', penaltyOutstanding: '0.00', credit: '0.00', shortfall: '9413.50' });
    expect(out.badDebt).toMatchObject({ amount: '9413.50', status: 'submitted' });
    const receipt = await f.db.knex('documents').where({ id: out.receipt?.id }).first('status', 'data', 'value_date');
    expect(receipt.status).toBe('confirmed');
    expect(receipt.data).toMatchObject({ method: 'repossession_sale', payer: '芜湖二手机行' });
    // proposed, not written off: the contract is active until dealer finance approves the bad debt
    expect((await f.db.knex('contracts').where({ contract_no: 'HF-R1' }).first('status')).status).toBe('active');
    expect((await as(f, 'hf.fin', 'approval.inbox', {})).map((r) => r.documentId)).toContain(out.badDebt?.id);
    expect(out.notified).toEqual(['hf.c1', 'hf.fin']);
    await expect(as(f, 'hf.clerk', 'machine.dispose', { serial: 'SY-R1', returned: true, date: '2026-03-21' })).rejects.toThrow(
      /resold .*only a repossessed machine/,
    );
  });

  it('a settled contract’s machine cannot be repossessed', async () => {
    const f = get();
    await contractWithMachine(f, 'HF-R2', 'SY-R2', '1200.00');
    const receipt = await as(f, 'hf.fin', 'receipt.register', { contractNo: 'HF-R2', amount: '1200.00', valueDate: '2026-01-05' });
    await as(f, 'hf.fin', 'receipt.confirm', { id: receipt.id });
    await as(f, 'hf.fin', 'settle.run', { contractNo: 'HF-R2', date: '2026-01-05' });
    await expect(as(f, 'hf.c1', 'machine.repossess.request', { serial: 'SY-R2', reason: 'x', date: '2026-03-01' })).rejects.toThrow(
      /settled .*accepts no repossession/,
    );
  });

  it('notifications: each user lists only their own and marks only their own read', async () => {
    const f = get();
    const mine = await as(f, 'hf.c1', 'notification.list', {});
    expect(mine.map((n) => n.title)).toEqual(['拖回设备已转售：SY-R1', '设备已拖回：SY-R1', '拖机申请已批准：SY-R1']);
    const ids = await f.db
      .knex('notifications')
      .where({ user_id: (await actor(f.db.knex, 'hf.c1')).id })
      .pluck('id');
    expect(mine.map((n) => n.id).sort()).toEqual(ids.map(Number).sort());
    const other = (await as(f, 'hf.fin', 'notification.list', {}))[0]?.id as number;
    await expect(as(f, 'hf.c1', 'notification.read', { id: other })).rejects.toThrow(NotFound);
    expect((await as(f, 'hf.fin', 'notification.count', {})).unread).toBe(2);
    const read = await as(f, 'hf.c1', 'notification.read', { id: mine[0]?.id });
    expect(read.notification?.readAt).not.toBeNull();
    expect(await as(f, 'hf.c1', 'notification.list', { unread: true })).toHaveLength(2);
    expect((await as(f, 'hf.c1', 'notification.read', { all: true })).marked).toBe(2);
    expect((await as(f, 'hf.c1', 'notification.count', {})).unread).toBe(0);
    expect((await as(f, 'hf.fin', 'notification.count', {})).unread).toBe(2);
  });
});
