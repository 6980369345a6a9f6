// Schedule changes (还款计划变更), charges (代付/代垫) and buyback (回购) on the database, with hand-worked figures
// (RULES.md; rate 0.0005/day, grace 0). Each writes a new schedule version once approved; earlier versions and
// positions before the change stay as they were.
import { expect, it } from 'vitest';
import { loadActor } from '../../src/access/actor.js';
import { approve, reject, withdraw } from '../../src/approvals/engine.js';
import { addRule } from '../../src/approvals/rules.js';
import { BadInput, NotAllowed, Refused } from '../../src/core/errors.js';
import { dec } from '../../src/core/money.js';
import { addUser } from '../../src/organisation/index.js';
import { requestBuyback } from '../../src/receivables/buyback.js';
import { contractSchedule, createContract, findContract, listContracts, scheduleDiff } from '../../src/receivables/contracts.js';
import { requestCharge, requestReschedule } from '../../src/receivables/schedule-changes.js';
import { contract, dealer, receipt, recompute, show, storedVersusPure } from '../batch/fixtures.js';
import { type DbFixture, describeEachDb } from '../support/db.js';

const D = 'SC01';
const arg = (contractNo: string) => ({ contractNo, dealer: D });
const ref = (f: DbFixture, no: string) => findContract(f.db.knex, no, D);
const lineOf = <L extends { seq: number; type: string }>(lines: L[], seq: number, type = 'principal') =>
  lines.find((l) => l.seq === seq && l.type === type);

function reschedule(f: DbFixture, actor: DbFixture['admin'], no: string, from: string, extra: Record<string, unknown> = {}) {
  return f.db.knex.transaction((tx) =>
    requestReschedule(tx, actor, {
      ...arg(no),
      from,
      terms: { kind: 'terms', method: 'interest_free', termMonths: 3, annualRate: dec(0), firstDueDate: '2026-04-15' },
      reason: '客户申请展期',
      ...extra,
    }),
  );
}

describeEachDb('schedule changes, charges and buyback', (get) => {
  it('sets up a dealer, a finance user and an approval rule for schedule changes', async () => {
    const f = get();
    await dealer(f.db, f.admin, D);
    await f.db.knex.transaction(async (tx) => {
      await addUser(tx, f.admin, { username: 'sc.finance', name: '财务', roles: ['dealer_finance'], dealer: D });
      await addRule(tx, f.admin, { documentType: 'schedule_change', steps: ['role:dealer_finance'] });
    });
  });

  it('re-plans the unpaid installments from the change date once approved; the past stays as it was', async () => {
    const f = get();
    const finance = await loadActor(f.db.knex, 'sc.finance');
    await contract(f.db, f.admin, D, 'RS-1', [
      [1, 'principal', '2026-01-10', '3000.00'],
      [1, 'interest', '2026-01-10', '100.00'],
      [2, 'principal', '2026-02-10', '3000.00'],
      [2, 'interest', '2026-02-10', '80.00'],
      [3, 'principal', '2026-03-10', '3000.00'],
      [3, 'interest', '2026-03-10', '60.00'],
      [4, 'principal', '2026-04-10', '3000.00'],
      [4, 'interest', '2026-04-10', '40.00'],
    ]);
    await receipt(f.db, f.admin, D, 'RS-1', '2026-01-10', '3100.00'); // installment 1, on its due date

    // Refused: installment 1 is paid; new terms before the change date; custom lines that lose principal.
    await expect(reschedule(f, f.admin, 'RS-1', '2026-01-01')).rejects.toThrow(
      /installment 1 interest .* has money posted to it \(100\.00, payments and penalty\)/,
    );
    await expect(
      reschedule(f, f.admin, 'RS-1', '2026-03-01', {
        terms: { kind: 'terms', method: 'interest_free', termMonths: 3, annualRate: dec(0), firstDueDate: '2026-02-15' },
      }),
    ).rejects.toThrow(BadInput);
    await expect(
      reschedule(f, f.admin, 'RS-1', '2026-03-01', {
        terms: { kind: 'lines', lines: [{ seq: 3, type: 'principal', dueDate: '2026-05-01', amountDue: dec('5999.99') }] },
      }),
    ).rejects.toThrow(/principal lines: "5999\.99" — expected 6000\.00/);

    // From 03-01: installments 3 and 4 (principal 6,000.00, interest 100.00) are re-planned as 3 × 2,000.00
    // interest-free, due 04-15, 05-15, 06-15, numbered on from 3. Pending until finance approves.
    const request = await reschedule(f, f.admin, 'RS-1', '2026-03-01');
    expect(request.approval).toBe('pending');
    expect(request.document.amount).toBe('6000.00');
    expect(request.document.data).toMatchObject({ principalMoved: '6000.00', retiredTotal: '6100.00', newTotal: '6000.00' });
    expect((await contractSchedule(f.db.knex, await ref(f, 'RS-1'))).version).toBe(1);
    await expect(reschedule(f, f.admin, 'RS-1', '2026-03-01')).rejects.toThrow(/already waiting for approval/);
    await f.db.knex.transaction((tx) => approve(tx, finance, request.document.id));

    const schedule = await contractSchedule(f.db.knex, await ref(f, 'RS-1'));
    expect(schedule).toMatchObject({ version: 2, source: 'schedule_change', effectiveFrom: '2026-03-01', reason: '客户申请展期' });
    expect(schedule.lines.map((l) => `${l.seq}:${l.type}:${l.dueDate}:${l.amountDue}`)).toEqual([
      '1:interest:2026-01-10:100.00',
      '1:principal:2026-01-10:3000.00',
      '2:interest:2026-02-10:80.00',
      '2:principal:2026-02-10:3000.00',
      '3:principal:2026-04-15:2000.00',
      '4:principal:2026-05-15:2000.00',
      '5:principal:2026-06-15:2000.00',
    ]);
    const diff = await scheduleDiff(f.db.knex, await ref(f, 'RS-1'), 1, 2);
    expect(diff.totals).toEqual({ from: '12280.00', to: '12180.00', removed: '6100.00', added: '6000.00' });
    expect(diff.unchanged).toBe(4);

    // As of 03-31, installment 2 is overdue 49 days (02-11 … 03-31): 3,000.00 × 0.0005 × 49 = 73.50 and
    // 80.00 × 0.0005 × 49 = 1.96; the new lines are not yet due. Due 3,100 + 3,080 + 6,000 = 12,180.00.
    let shown = await show(f.db, f.admin, D, 'RS-1', '2026-03-31');
    expect(shown.totals).toMatchObject({ amountDue: '12180.00', outstanding: '9080.00', overdue: '3080.00', penaltyAccrued: '75.46' });
    // As of 02-28, before the change, the old schedule stands: 12,280.00 due, penalty 18 days × (3,000.00 + 80.00)
    // × 0.0005 = 27.00 + 0.72.
    shown = await show(f.db, f.admin, D, 'RS-1', '2026-02-28');
    expect(shown.totals).toMatchObject({ amountDue: '12280.00', outstanding: '9180.00', overdue: '3080.00', penaltyAccrued: '27.72' });
    // Stored segments agree with the pure computation after the change.
    const c = await ref(f, 'RS-1');
    await recompute(f.db, [c.id], '2026-05-31');
    for (const row of await storedVersusPure(f.db, [c.id], '2026-05-31')) expect(row.stored).toBe(row.pure);

    // A rejected request changes nothing.
    const again = await reschedule(f, f.admin, 'RS-1', '2026-05-01', {
      terms: { kind: 'terms', method: 'equal_installment', termMonths: 2, annualRate: dec('0.06'), firstDueDate: '2026-05-20' },
    });
    await f.db.knex.transaction((tx) => reject(tx, finance, again.document.id, '不同意'));
    expect((await contractSchedule(f.db.knex, await ref(f, 'RS-1'))).version).toBe(2);
  });

  it('a charge adds a penalty-bearing line once approved; only 代付 and 代垫', async () => {
    const f = get();
    await contract(f.db, f.admin, D, 'CH-1', [[1, 'principal', '2026-03-10', '10000.00']]);
    const charge = (type: string, amount: string) =>
      f.db.knex.transaction((tx) =>
        requestCharge(tx, f.admin, { ...arg('CH-1'), type, amount: dec(amount), due: '2026-03-20', reason: 'GPS 年费' }),
      );
    await expect(charge('fee', '1200.00')).rejects.toThrow(/type: "fee" — expected on_behalf_payment or advance/);
    await expect(charge('advance', '0')).rejects.toThrow(BadInput);
    const done = await charge('advance', '1200.00');
    expect(done.approval).toBe('approved');
    const schedule = await contractSchedule(f.db.knex, await ref(f, 'CH-1'));
    expect(schedule).toMatchObject({ version: 2, source: 'charge', reason: 'GPS 年费', documentId: done.document.id });
    expect(lineOf(schedule.lines, 2, 'advance')).toMatchObject({ dueDate: '2026-03-20', amountDue: '1200.00' });
    // As of 03-31: the advance 11 days (03-21 … 03-31) × 1,200.00 × 0.0005 = 6.60; the principal 21 days
    // × 10,000.00 × 0.0005 = 105.00.
    const shown = await show(f.db, f.admin, D, 'CH-1', '2026-03-31');
    expect(lineOf(shown.lines, 2, 'advance')).toMatchObject({ outstanding: '1200.00', overdueDays: 11, penaltyAccrued: '6.60' });
    expect(shown.totals).toMatchObject({ amountDue: '11200.00', penaltyAccrued: '111.60' });
  });

  it('a request withdrawn by its applicant while it waits changes nothing', async () => {
    const f = get();
    const finance = await loadActor(f.db.knex, 'sc.finance');
    await f.db.knex.transaction((tx) => addRule(tx, f.admin, { documentType: 'charge', steps: ['role:dealer_finance'] }));
    await contract(f.db, f.admin, D, 'WD-1', [[1, 'principal', '2026-03-10', '1000.00']]);
    const request = await f.db.knex.transaction((tx) =>
      requestCharge(tx, finance, { ...arg('WD-1'), type: 'on_behalf_payment', amount: dec('500.00'), due: '2026-03-10', reason: '保险' }),
    );
    expect(request.approval).toBe('pending');
    // Only the applicant (or an admin) withdraws: another user of the dealer may not.
    await f.db.knex.transaction((tx) => addUser(tx, f.admin, { username: 'sc.clerk', name: '内勤', roles: ['clerk'], dealer: D }));
    const clerk = await loadActor(f.db.knex, 'sc.clerk');
    await expect(f.db.knex.transaction((tx) => withdraw(tx, clerk, request.document.id))).rejects.toThrow(NotAllowed);
    const view = await f.db.knex.transaction((tx) => withdraw(tx, finance, request.document.id, '重复申请'));
    expect(view).toMatchObject({ status: 'withdrawn', documentStatus: 'withdrawn' });
    expect(view.steps.map((s) => [s.status, s.comment])).toEqual([['skipped', 'withdrawn by sc.finance: 重复申请']]);
    await expect(f.db.knex.transaction((tx) => approve(tx, f.admin, request.document.id))).rejects.toThrow(/already withdrawn/);
    expect((await contractSchedule(f.db.knex, await ref(f, 'WD-1'))).version).toBe(1);
  });

  it('buyback closes what the customer owed the financier and makes the amount paid the dealer’s own line', async () => {
    const f = get();
    await f.db.knex.transaction((tx) =>
      createContract(tx, f.admin, {
        dealer: D,
        contractNo: 'BB-1',
        customer: { name: '客户BB-1' },
        machines: [],
        method: 'custom',
        financier: '徽商银行合肥分行',
        lines: [1, 2, 3, 4].map((seq) => ({
          seq,
          type: 'principal',
          dueDate: `2026-0${seq}-10`,
          amountDue: dec('5000.00'),
        })),
      }),
    );
    await receipt(f.db, f.admin, D, 'BB-1', '2026-01-10', '5000.00');
    // 02-20: 10 days (02-11 … 02-20) × 5,000.00 × 0.0005 = 25.00 of penalty first, 1,975.00 to the principal.
    await receipt(f.db, f.admin, D, 'BB-1', '2026-02-20', '2000.00');
    const buyback = (date: string, no = 'BB-1') =>
      f.db.knex.transaction((tx) => requestBuyback(tx, f.admin, { ...arg(no), amount: dec('13200.00'), date, reason: '银行代偿通知' }));
    await expect(buyback('2026-02-01')).rejects.toThrow(/postings dated 2026-02-20, after 2026-02-01/);
    await contract(f.db, f.admin, D, 'BB-OWN', [[1, 'principal', '2026-03-10', '1000.00']]);
    await expect(buyback('2026-03-15', 'BB-OWN')).rejects.toThrow(/held by the dealer: there is nothing to buy back/);

    // On 03-15 the customer owed: installment 2 3,025.00 and its penalty 25.00 + 3,025.00 × 0.0005 × 23 (02-21 …
    // 03-15) = 34.7875, so 59.79 accrued − 25.00 paid = 34.79; installment 3 5,000.00 and 5 days' penalty 12.50.
    // The transfer receipt closes 3,025.00 + 34.79 + 5,000.00 + 12.50 = 8,072.29; installment 4 (not due,
    // untouched) is retired; the dealer's 代付 line of 13,200.00 is due 03-15. The request showed the approver
    // all the customer owed the financier then, installment 4 included: 13,072.29.
    const done = await buyback('2026-03-15');
    expect(done.approval).toBe('approved');
    const doc = await f.db.knex('documents').where({ id: done.document.id }).first('data');
    expect(doc.data).toMatchObject({ financier: '徽商银行合肥分行', customerOwedAsOfDate: '13072.29', closed: '8072.29', version: 2 });
    let shown = await show(f.db, f.admin, D, 'BB-1', '2026-03-15');
    expect(shown.contract.heldBy).toBe('dealer');
    expect(shown.lines.map((l) => `${l.seq}:${l.type}:${l.outstanding}:${l.penaltyOutstanding}`)).toEqual([
      '1:principal:0.00:0.00',
      '2:principal:0.00:0.00',
      '3:principal:0.00:0.00',
      '5:on_behalf_payment:13200.00:0.00',
    ]);
    expect(shown.totals.outstanding).toBe('13200.00');
    // From 03-16 the penalty runs on the dealer's line only: 16 days (03-16 … 03-31) × 13,200.00 × 0.0005 = 105.60;
    // the old lines keep what they accrued up to 03-15 (59.79 and 12.50).
    shown = await show(f.db, f.admin, D, 'BB-1', '2026-03-31');
    expect(lineOf(shown.lines, 2)?.penaltyAccrued).toBe('59.79');
    expect(lineOf(shown.lines, 3)?.penaltyAccrued).toBe('12.50');
    expect(lineOf(shown.lines, 5, 'on_behalf_payment')).toMatchObject({ overdueDays: 16, penaltyAccrued: '105.60' });
    // Before the buyback the financed schedule stands as it was.
    shown = await show(f.db, f.admin, D, 'BB-1', '2026-03-14');
    expect(shown.lines.map((l) => l.seq)).toEqual([1, 2, 3, 4]);
    expect(shown.contract.heldBy).toBe('financier');
    expect(shown.totals.outstanding).toBe('13025.00');
    const listed = async (asOf: string) =>
      (await listContracts(f.db.knex, f.admin, { dealer: D, asOf })).find((r) => r.contractNo === 'BB-1')?.outstanding;
    expect([await listed('2026-03-14'), await listed('2026-03-15')]).toEqual(['13025.00', '13200.00']);
    // A customer payment afterwards goes to the dealer's line: its penalty 105.60 first, then 894.40.
    await receipt(f.db, f.admin, D, 'BB-1', '2026-03-31', '1000.00');
    shown = await show(f.db, f.admin, D, 'BB-1', '2026-03-31');
    expect(lineOf(shown.lines, 5, 'on_behalf_payment')).toMatchObject({ amountPaid: '894.40', penaltyPaid: '105.60' });
    const c = await ref(f, 'BB-1');
    await recompute(f.db, [c.id], '2026-04-30');
    for (const row of await storedVersusPure(f.db, [c.id], '2026-04-30')) expect(row.stored).toBe(row.pure);
    await expect(buyback('2026-04-01')).rejects.toThrow(Refused);
  });

  it('refuses a change dated before a later version, lines of other types, and charges before the contract began', async () => {
    const f = get();
    await f.db.knex.transaction((tx) =>
      createContract(tx, f.admin, {
        dealer: D,
        contractNo: 'ORD-1',
        customer: { name: '客户ORD-1' },
        machines: [],
        method: 'custom',
        financier: '某银行',
        signDate: '2026-01-05',
        lines: [1, 2, 3, 4, 5, 6].map((seq) => ({ seq, type: 'principal', dueDate: `2026-0${seq}-10`, amountDue: dec('1000.00') })),
      }),
    );
    const finance = await loadActor(f.db.knex, 'sc.finance');
    // Lines 5 and 6 (2,000.00) re-planned from 05-01 as 2 × 1,000.00 due 07-10 and 08-10: version 2 from 05-01.
    const change = await reschedule(f, f.admin, 'ORD-1', '2026-05-01', {
      terms: { kind: 'terms', method: 'interest_free', termMonths: 2, annualRate: dec(0), firstDueDate: '2026-07-10' },
    });
    await f.db.knex.transaction((tx) => approve(tx, finance, change.document.id));
    // Dated before version 2 takes effect: refused, for a second change and for a buyback.
    await expect(
      reschedule(f, f.admin, 'ORD-1', '2026-04-01', {
        terms: { kind: 'terms', method: 'interest_free', termMonths: 2, annualRate: dec(0), firstDueDate: '2026-09-10' },
      }),
    ).rejects.toThrow(/version 2 \(schedule_change\) takes effect on 2026-05-01: a schedule change must be dated on or after it/);
    await expect(
      f.db.knex.transaction((tx) => requestBuyback(tx, f.admin, { ...arg('ORD-1'), amount: dec('6000.00'), date: '2026-04-20' })),
    ).rejects.toThrow(/takes effect on 2026-05-01: the buyback must be dated on or after it/);
    // Custom lines re-plan principal and interest only: penalty is computed, never scheduled.
    await expect(
      reschedule(f, f.admin, 'ORD-1', '2026-07-01', {
        terms: { kind: 'lines', lines: [{ seq: 7, type: 'penalty', dueDate: '2026-09-10', amountDue: dec('100.00') }] },
      }),
    ).rejects.toThrow(/type: "penalty" — expected a receivable type: principal, interest/);
    // A charge due before the contract was signed is refused.
    await expect(
      f.db.knex.transaction((tx) =>
        requestCharge(tx, f.admin, { ...arg('ORD-1'), type: 'advance', amount: dec('10.00'), due: '2025-12-31', reason: 'x' }),
      ),
    ).rejects.toThrow(/due: "2025-12-31" — expected a date on or after 2026-01-05/);
  });
});
