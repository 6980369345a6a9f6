// Receivables operations on the database, with hand-worked figures (RULES.md, rate 0.0005/day, grace 0):
// receipts register → confirm → reverse/adjust/allocate, waivers, refunds, settlement, bad debt and recovery.
import { expect, it } from 'vitest';
import { loadActor } from '../../src/access/actor.js';
import { approve, reject } from '../../src/approvals/engine.js';
import { addRule } from '../../src/approvals/rules.js';
import { Refused } from '../../src/core/errors.js';
import { dec } from '../../src/core/money.js';
import { setReviewLock } from '../../src/documents/index.js';
import { addUser } from '../../src/organisation/index.js';
import { registerBadDebt } from '../../src/receivables/bad-debt.js';
import { showReceipt } from '../../src/receivables/receipt-view.js';
import {
  adjustReceipt,
  allocateReceiptManually,
  confirmReceipt,
  parseManualSplit,
  registerReceipt,
  reverseReceipt,
  withdrawReceipt,
} from '../../src/receivables/receipts.js';
import { confirmRefund, requestRefund } from '../../src/receivables/refunds.js';
import { reverseSettlement, settleContract, settlementQuote } from '../../src/receivables/settlement.js';
import { requestWaiver } from '../../src/receivables/waivers.js';
import { contract, dealer, show } from '../batch/fixtures.js';
import { type DbFixture, describeEachDb } from '../support/db.js';

const D = 'OP01';

async function register(f: DbFixture, contractNo: string, valueDate: string, amount: string) {
  return f.db.knex.transaction((tx) =>
    registerReceipt(tx, f.admin, { contract: { contractNo, dealer: D }, valueDate, amount: dec(amount) }),
  );
}
async function confirm(f: DbFixture, id: number) {
  return f.db.knex.transaction((tx) => confirmReceipt(tx, f.admin, id));
}
async function receive(f: DbFixture, contractNo: string, valueDate: string, amount: string) {
  const doc = await register(f, contractNo, valueDate, amount);
  await confirm(f, doc.id);
  return doc.id;
}
const arg = (contractNo: string) => ({ contractNo, dealer: D });

describeEachDb('receivables operations', (get) => {
  it('sets up a dealer', async () => {
    const f = get();
    await dealer(f.db, f.admin, D);
  });

  it('life of a contract: receipt, penalty, waiver, early payoff quote, receipt, settlement, reversal of it', async () => {
    const f = get();
    await contract(f.db, f.admin, D, 'LIFE-1', [
      [1, 'principal', '2026-03-10', '10000.00'],
      [2, 'principal', '2026-04-10', '5000.00'],
    ]);
    // Registered: nothing allocated yet.
    const first = await register(f, 'LIFE-1', '2026-03-20', '4000.00');
    expect(first.status).toBe('registered');
    expect((await show(f.db, f.admin, D, 'LIFE-1', '2026-04-09')).totals.amountPaid).toBe('0.00');
    await confirm(f, first.id);
    // RULES.md worked example: 50.00 of penalty through 03-20 first, 3,950.00 to the principal;
    // days 03-21 … 04-09 on 6,050.00 = 60.50; penalty 110.50, paid 50.00, outstanding 60.50.
    let shown = await show(f.db, f.admin, D, 'LIFE-1', '2026-04-09');
    expect(shown.lines[0]).toMatchObject({
      amountPaid: '3950.00',
      outstanding: '6050.00',
      penaltyAccrued: '110.50',
      penaltyPaid: '50.00',
      penaltyOutstanding: '60.50',
    });

    // A waiver above the outstanding penalty is refused; 60.50 (no approval rule) is posted at once.
    await expect(
      f.db.knex.transaction((tx) =>
        requestWaiver(tx, f.admin, { ...arg('LIFE-1'), amount: dec('60.51'), date: '2026-04-09', reason: '客户申请' }),
      ),
    ).rejects.toThrow(/exceeds the outstanding penalty .* \(60\.50\)/);
    const waiver = await f.db.knex.transaction((tx) =>
      requestWaiver(tx, f.admin, { ...arg('LIFE-1'), amount: dec('60.50'), date: '2026-04-09', reason: '客户申请' }),
    );
    expect(waiver.approval).toBe('approved');
    shown = await show(f.db, f.admin, D, 'LIFE-1', '2026-04-09');
    expect(shown.lines[0]).toMatchObject({ penaltyWaived: '60.50', penaltyOutstanding: '0.00' });

    // Early payoff quote on 04-09: 6,050.00 + the future 5,000.00, no penalty, no credit.
    const quote = await settlementQuote(f.db.knex, f.admin, { ...arg('LIFE-1'), date: '2026-04-09' });
    expect(quote).toMatchObject({ outstanding: '11050.00', penaltyOutstanding: '0.00', credit: '0.00', toPay: '11050.00' });
    // Settling with money owed lists it per line and type.
    const refused = await f.db.knex
      .transaction((tx) => settleContract(tx, f.admin, { ...arg('LIFE-1'), date: '2026-04-09' }))
      .catch((e) => e);
    expect(refused).toBeInstanceOf(Refused);
    expect(refused.details).toEqual([
      'installment 1 principal due 2026-03-10: 6050.00 outstanding',
      'installment 2 principal due 2026-04-10: 5000.00 outstanding',
    ]);

    // The payoff: 6,050.00 to line 1, 5,000.00 held as credit, applied to line 2 by the settlement.
    await receive(f, 'LIFE-1', '2026-04-09', '11050.00');
    shown = await show(f.db, f.admin, D, 'LIFE-1', '2026-04-09');
    expect(shown.totals).toMatchObject({ outstanding: '5000.00', credit: '5000.00', penaltyOutstanding: '0.00' });
    const settlement = await f.db.knex.transaction((tx) => settleContract(tx, f.admin, { ...arg('LIFE-1'), date: '2026-04-09' }));
    shown = await show(f.db, f.admin, D, 'LIFE-1', '2026-04-30');
    expect(shown.status).toBe('settled');
    // As of a date before the settlement the contract was active.
    expect(await show(f.db, f.admin, D, 'LIFE-1', '2026-04-08')).toMatchObject({ status: 'active', statusDate: null });
    expect(shown.totals).toMatchObject({ amountPaid: '15000.00', outstanding: '0.00', credit: '0.00', penaltyOutstanding: '0.00' });

    // A settled contract accepts no receipt, in the core and in the database.
    await expect(register(f, 'LIFE-1', '2026-04-20', '1.00')).rejects.toThrow(/settled/);
    await expect(
      f.db.knex('postings').insert({
        contract_id: settlement.contractId,
        dealer_id: settlement.dealerId,
        kind: 'credit',
        amount: '1.00',
        value_date: '2026-04-20',
      }),
    ).rejects.toMatchObject({ code: 'ZQ003' });

    // Reversing the settlement: active again, line 2 back to owed, the credit back.
    await f.db.knex.transaction((tx) => reverseSettlement(tx, f.admin, { ...arg('LIFE-1'), reason: '误操作' }));
    shown = await show(f.db, f.admin, D, 'LIFE-1', '2026-04-09');
    expect(shown.status).toBe('active');
    expect(shown.totals).toMatchObject({ outstanding: '5000.00', credit: '5000.00' });
  });

  it('withdraws only before confirmation; reverses and adjusts confirmed receipts with links; refuses locked ones', async () => {
    const f = get();
    await contract(f.db, f.admin, D, 'REV-1', [[1, 'principal', '2026-05-10', '1000.00']]);
    const draft = await register(f, 'REV-1', '2026-05-10', '100.00');
    await f.db.knex.transaction((tx) => withdrawReceipt(tx, f.admin, draft.id));
    await expect(confirm(f, draft.id)).rejects.toThrow(/withdrawn/);

    const id = await receive(f, 'REV-1', '2026-05-10', '400.00');
    await expect(f.db.knex.transaction((tx) => withdrawReceipt(tx, f.admin, id))).rejects.toThrow(/only be reversed/);
    const adjusted = await f.db.knex.transaction((tx) => adjustReceipt(tx, f.admin, id, { amount: dec('450.00') }, '金额录错'));
    expect(adjusted.original.status).toBe('reversed');
    expect(adjusted.corrected).toMatchObject({ status: 'confirmed', amount: '450.00' });
    expect(adjusted.corrected.data.correctionOf).toBe(id);
    expect((await show(f.db, f.admin, D, 'REV-1', '2026-05-31')).totals.amountPaid).toBe('450.00');
    const original = await showReceipt(f.db.knex, f.admin, id);
    expect(original.allocations).toEqual([]);
    expect(original.reversal?.id).toBe(adjusted.reversal.id);
    expect(original.correctedBy?.id).toBe(adjusted.corrected.id);

    // Finance review locks the corrected receipt: it cannot be reversed until unlocked.
    await f.db.knex.transaction((tx) => setReviewLock(tx, f.admin, { ids: [adjusted.corrected.id] }, true));
    await expect(f.db.knex.transaction((tx) => reverseReceipt(tx, f.admin, adjusted.corrected.id, 'x'))).rejects.toThrow(
      /locked by finance review/,
    );
    await f.db.knex.transaction((tx) => setReviewLock(tx, f.admin, { ids: [adjusted.corrected.id] }, false));
    await f.db.knex.transaction((tx) => reverseReceipt(tx, f.admin, adjusted.corrected.id, '退票'));
    expect((await show(f.db, f.admin, D, 'REV-1', '2026-05-31')).totals.amountPaid).toBe('0.00');
  });

  it('refuses a posting into a closed period', async () => {
    const f = get();
    await contract(f.db, f.admin, D, 'PER-1', [[1, 'principal', '2026-01-10', '1000.00']]);
    await f.db.knex('periods').insert({
      month: '2026-01',
      first_day: '2026-01-01',
      last_day: '2026-01-31',
      status: 'closed',
      closed_by: f.admin.id,
      closed_at: f.db.knex.fn.now(),
    });
    await expect(register(f, 'PER-1', '2026-01-20', '100.00')).rejects.toThrow(/period 2026-01 is closed/);
    const feb = await register(f, 'PER-1', '2026-02-01', '100.00');
    await confirm(f, feb.id);
    // Days 01-11 … 02-01 (22) × 1,000.00 × 0.0005 = 11.00 of penalty first, then 89.00 to the principal.
    expect((await show(f.db, f.admin, D, 'PER-1', '2026-02-01')).lines[0]).toMatchObject({ amountPaid: '89.00', penaltyPaid: '11.00' });
  });

  it('keeps a manual allocation through replays and refuses a back-dated change that would undo it', async () => {
    const f = get();
    await contract(f.db, f.admin, D, 'MAN-1', [
      [1, 'interest', '2026-06-10', '100.00'],
      [1, 'principal', '2026-06-10', '1000.00'],
    ]);
    const doc = await register(f, 'MAN-1', '2026-06-15', '600.00');
    await f.db.knex.transaction((tx) => allocateReceiptManually(tx, f.admin, doc.id, parseManualSplit('1:principal=500.00')));
    await confirm(f, doc.id);
    // 500.00 to the principal as asked (the strategy would have paid penalty and interest first), 100.00 credit.
    let shown = await show(f.db, f.admin, D, 'MAN-1', '2026-06-15');
    expect(shown.lines.map((l) => [l.type, l.amountPaid, l.penaltyPaid])).toEqual([
      ['interest', '0.00', '0.00'],
      ['principal', '500.00', '0.00'],
    ]);
    expect(shown.totals.credit).toBe('100.00');
    // A back-dated receipt on 06-12 by the strategy: penalty 0.10 + 1.00 (2 days), interest 100.00, principal
    // 898.90 — leaving 101.10 on the principal, less than the 500.00 the manual split needs: refused, not absorbed.
    await expect(receive(f, 'MAN-1', '2026-06-12', '1000.00')).rejects.toThrow(
      /manual allocation of 500\.00 to installment 1 principal exceeds the 101\.10 owed on 2026-06-15/,
    );
    shown = await show(f.db, f.admin, D, 'MAN-1', '2026-06-15');
    expect(shown.lines.map((l) => l.amountPaid)).toEqual(['0.00', '500.00']);
    // A smaller back-dated receipt leaves room: 0.10 + 1.00 penalty, 98.90 interest; the split stands.
    await receive(f, 'MAN-1', '2026-06-12', '100.00');
    shown = await show(f.db, f.admin, D, 'MAN-1', '2026-06-15');
    expect(shown.lines.map((l) => [l.amountPaid, l.penaltyPaid])).toEqual([
      ['98.90', '0.10'],
      ['500.00', '1.00'],
    ]);
  });

  it('refunds credit only up to the credit, after approval', async () => {
    const f = get();
    await contract(f.db, f.admin, D, 'REF-1', [[1, 'principal', '2026-05-10', '1000.00']]);
    await receive(f, 'REF-1', '2026-05-10', '1500.00');
    expect((await show(f.db, f.admin, D, 'REF-1', '2026-05-10')).totals.credit).toBe('500.00');
    await expect(
      f.db.knex.transaction((tx) => requestRefund(tx, f.admin, { ...arg('REF-1'), amount: dec('500.01'), date: '2026-05-11' })),
    ).rejects.toThrow(/exceeds the credit .* 500\.00/);
    const refund = await f.db.knex.transaction((tx) =>
      requestRefund(tx, f.admin, { ...arg('REF-1'), amount: dec('300.00'), date: '2026-05-11' }),
    );
    expect(refund.document.status).toBe('approved');
    // The 300.00 requested is reserved: another 300.00 is above what is left.
    await expect(
      f.db.knex.transaction((tx) => requestRefund(tx, f.admin, { ...arg('REF-1'), amount: dec('300.00'), date: '2026-05-11' })),
    ).rejects.toThrow(/already requested/);
    await f.db.knex.transaction((tx) => confirmRefund(tx, f.admin, refund.document.id));
    expect((await show(f.db, f.admin, D, 'REF-1', '2026-05-11')).totals.credit).toBe('200.00');
  });

  it('waivers go through approval: nobody approves their own request; a rejected one changes nothing', async () => {
    const f = get();
    await f.db.knex.transaction(async (tx) => {
      await addUser(tx, f.admin, { username: 'op.finance', name: '财务', roles: ['dealer_finance'], dealer: D });
      await addRule(tx, f.admin, { documentType: 'waiver', steps: ['role:dealer_finance'] });
    });
    const finance = await loadActor(f.db.knex, 'op.finance');
    await contract(f.db, f.admin, D, 'WAV-1', [[1, 'principal', '2026-03-10', '10000.00']]);
    // As of 03-20: 10 days × 10,000.00 × 0.0005 = 50.00 of penalty.
    const request = await f.db.knex.transaction((tx) =>
      requestWaiver(tx, finance, { ...arg('WAV-1'), amount: dec('50.00'), date: '2026-03-20', reason: '疫情' }),
    );
    expect(request.approval).toBe('pending');
    expect((await show(f.db, f.admin, D, 'WAV-1', '2026-03-20')).totals.penaltyWaived).toBe('0.00');
    await expect(f.db.knex.transaction((tx) => approve(tx, finance, request.document.id))).rejects.toThrow(/their own request/);
    const rejected = await f.db.knex.transaction((tx) =>
      requestWaiver(tx, f.admin, { ...arg('WAV-1'), amount: dec('0.00').plus('0.01'), date: '2026-03-20', reason: '试' }).catch((e) => e),
    );
    expect(rejected).toBeInstanceOf(Refused); // 50.00 waiting + 0.01 exceeds the 50.00 outstanding
    await f.db.knex.transaction((tx) => approve(tx, f.admin, request.document.id));
    let shown = await show(f.db, f.admin, D, 'WAV-1', '2026-03-20');
    expect(shown.totals).toMatchObject({ penaltyAccrued: '50.00', penaltyWaived: '50.00', penaltyOutstanding: '0.00' });
    // As of 03-30 another 50.00 accrued; a request for it rejected by finance changes nothing.
    const second = await f.db.knex.transaction((tx) =>
      requestWaiver(tx, f.admin, { ...arg('WAV-1'), amount: dec('50.00'), date: '2026-03-30', reason: '再次' }),
    );
    await f.db.knex.transaction((tx) => reject(tx, finance, second.document.id, '不符合条件'));
    shown = await show(f.db, f.admin, D, 'WAV-1', '2026-03-30');
    expect(shown.totals).toMatchObject({ penaltyAccrued: '100.00', penaltyWaived: '50.00', penaltyOutstanding: '50.00' });
  });

  it('bad debt: approved write-off from its date stops penalty; a later receipt is a recovery', async () => {
    const f = get();
    await contract(f.db, f.admin, D, 'BAD-1', [[1, 'principal', '2026-03-10', '1000.00']]);
    const registered = await f.db.knex.transaction((tx) =>
      registerBadDebt(tx, f.admin, { ...arg('BAD-1'), date: '2026-04-01', reason: '失联' }),
    );
    expect(registered.approval).toBe('approved');
    // Penalty stops from 04-01: days 03-11 … 03-31 (21) × 1,000.00 × 0.0005 = 10.50, the same on 05-01.
    let shown = await show(f.db, f.admin, D, 'BAD-1', '2026-05-01');
    expect(shown.status).toBe('written_off');
    expect(shown.totals).toMatchObject({ writtenOff: '1000.00', outstanding: '0.00', penaltyAccrued: '10.50', recovered: '0.00' });
    const id = await receive(f, 'BAD-1', '2026-04-15', '300.00');
    shown = await show(f.db, f.admin, D, 'BAD-1', '2026-05-01');
    expect(shown.totals).toMatchObject({ recovered: '300.00', amountPaid: '0.00', outstanding: '0.00' });
    await expect(receive(f, 'BAD-1', '2026-04-16', '700.01')).rejects.toThrow(/exceeds what is written off/);
    await f.db.knex.transaction((tx) => reverseReceipt(tx, f.admin, id, '退票'));
    expect((await show(f.db, f.admin, D, 'BAD-1', '2026-05-01')).totals.recovered).toBe('0.00');
  });
});
