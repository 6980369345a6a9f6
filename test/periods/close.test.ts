// Period close (结账): refused with every reason until the batch ran through the month end without
// discrepancies and the month's documents are confirmed; a closed month accepts no posting (core and
// trigger); reopening is admin-only, needs a reason, is audited and goes through approval when a rule says so.
import { expect, it } from 'vitest';
import { approve } from '../../src/approvals/engine.js';
import { addRule } from '../../src/approvals/rules.js';
import { BadInput, databaseRefusal, NotAllowed, Refused } from '../../src/core/errors.js';
import { dec } from '../../src/core/money.js';
import { createDocument, setDocumentStatus } from '../../src/documents/index.js';
import { setGrace, setPenaltyRate } from '../../src/penalty/settings.js';
import { assertPeriodOpen, closeBlockers, closePeriod, listPeriods, parseMonth, reopenPeriod } from '../../src/periods/index.js';
import { actor, buildOrganisation } from '../access/organisation.js';
import { describeEachDb } from '../support/db.js';

describeEachDb('period close', (get) => {
  let registered = 0;
  let contract = { id: 0, dealer_id: 0 };

  const posting = (valueDate: string) =>
    get()
      .db.knex('postings')
      .insert({
        ...{ contract_id: contract.id, dealer_id: contract.dealer_id },
        kind: 'allocation',
        amount: '10.00',
        value_date: valueDate,
      });
  const close = async (username: string, month = '2026-03') => {
    const { db } = get();
    const who = await actor(db.knex, username);
    return db.knex.transaction((tx) => closePeriod(tx, who, month));
  };
  const reopen = async (username: string, reason: string | undefined, month = '2026-03') => {
    const { db } = get();
    const who = await actor(db.knex, username);
    return db.knex.transaction((tx) => reopenPeriod(tx, who, month, reason));
  };

  it('parses months', () => {
    expect(parseMonth('2026-02')).toEqual({ month: '2026-02', firstDay: '2026-02-01', lastDay: '2026-02-28' });
    expect(parseMonth('2024-02').lastDay).toBe('2024-02-29');
    expect(() => parseMonth('2026-13')).toThrow(BadInput);
    expect(() => parseMonth('2026-3')).toThrow(/a month YYYY-MM/);
  });

  it('refuses with every reason: batch not through the month end, discrepancies, a failed step, unconfirmed documents', async () => {
    const { db, admin } = get();
    await buildOrganisation(db.knex, admin);
    contract = await db.knex('contracts').where({ contract_no: 'HF-1' }).first('id', 'dealer_id');
    registered = await db.knex.transaction(async (tx) => {
      const doc = await createDocument(tx, admin, {
        type: 'test_receipt',
        status: 'registered',
        dealerId: contract.dealer_id,
        valueDate: '2026-03-06',
        amount: dec('200.00'),
      });
      await createDocument(tx, admin, {
        type: 'test_receipt',
        status: 'registered',
        dealerId: contract.dealer_id,
        valueDate: '2026-04-01',
        amount: dec('1.00'),
      });
      return doc.id;
    });
    await expect(close('gf')).rejects.toThrow(/the nightly batch has run only on no date yet: it must run through 2026-03-31/);
    await db.knex('batch_runs').insert([
      { step: 'reconcile', business_date: '2026-03-15', status: 'done', discrepancies: 2 },
      { step: 'reconcile', business_date: '2026-03-30', status: 'done' },
      { step: 'accrue_penalty', business_date: '2026-03-31', status: 'failed', error: 'boom' },
    ]);
    const reasons = await closeBlockers(db.knex, parseMonth('2026-03'));
    expect(reasons).toEqual([
      'the nightly batch has run only through 2026-03-30: it must run through 2026-03-31 first',
      'reconciliation found 2 discrepancies on 2026-03-15',
      'batch step accrue_penalty failed on 2026-03-31',
      `1 document(s) dated in 2026-03 are not confirmed: ${registered} test_receipt TEST-RECEIPT-000001 (registered)`,
    ]);
    const refusal = await close('gf').catch((e) => e);
    expect(refusal).toBeInstanceOf(Refused);
    expect(refusal.message).toBe(`period 2026-03 cannot be closed:\n  - ${reasons.join('\n  - ')}`);
    expect(await listPeriods(db.knex)).toEqual([]);
  });

  it('closes once the batch ran through the month end cleanly and the documents are confirmed; audited', async () => {
    const { db, admin } = get();
    await db.knex('batch_runs').where({ business_date: '2026-03-15' }).update({ discrepancies: 0 });
    await db.knex('batch_runs').where({ step: 'accrue_penalty' }).update({ status: 'done', error: null });
    await db.knex('batch_runs').insert({ step: 'reconcile', business_date: '2026-04-02', status: 'done' });
    await db.knex.transaction((tx) => setDocumentStatus(tx, admin, registered, 'confirmed'));
    const closed = await close('gf');
    expect(closed).toMatchObject({ month: '2026-03', status: 'closed', closedBy: 'gf', reopenedBy: null });
    await expect(close('gf')).rejects.toThrow(/already closed/);
    expect(await db.knex('audit_log').where({ entity: 'period', action: 'close' }).pluck('actor')).toEqual(['gf']);
  });

  it('a closed month accepts no posting dated inside it: the core and the database refuse', async () => {
    const { db } = get();
    await expect(assertPeriodOpen(db.knex, '2026-03-31')).rejects.toThrow(/period 2026-03 is closed: nothing dated 2026-03-31 is accepted/);
    await assertPeriodOpen(db.knex, '2026-04-01');
    for (const date of ['2026-03-01', '2026-03-15', '2026-03-31']) {
      const err = await posting(date).catch((e) => e);
      expect(databaseRefusal(err)).toBe(`period 2026-03 is closed: no posting dated ${date} is accepted (an admin may reopen it)`);
    }
    await posting('2026-02-28');
    await posting('2026-04-01');
  });

  it('a closed month takes no penalty rate starting on or before its last day, and no grace change', async () => {
    const { db, admin } = get();
    const rate = (from: string) => db.knex.transaction((tx) => setPenaltyRate(tx, admin, { dailyRate: dec('0.001'), from }));
    // a rate from 03-01, or from 02-01, would change March's penalty
    for (const from of ['2026-03-01', '2026-02-01', '2026-03-31']) {
      await expect(rate(from)).rejects.toThrow(
        new RegExp(`^--from ${from}: period 2026-03 is closed, .*start the rate after 2026-03-31, or reopen the period first`),
      );
    }
    await expect(db.knex.transaction((tx) => setGrace(tx, admin, { days: 3, mode: 'retroactive' }))).rejects.toThrow(
      /^penalty grace: period 2026-03 is closed/,
    );
    expect(Number((await db.knex('penalty_rates').where({ daily_rate: '0.001' }).count('* as n').first())?.n)).toBe(0);
    expect(Number((await db.knex('penalty_grace').count('* as n').first())?.n)).toBe(0);
    await rate('2026-04-01');
  });

  it('reopening is admin-only and needs a reason; without an approval rule it reopens at once, audited', async () => {
    const { db } = get();
    await expect(reopen('gf', 'late receipt')).rejects.toThrow(NotAllowed);
    await expect(reopen('admin', '  ')).rejects.toThrow(/^reason: /);
    await expect(reopen('admin', 'x', '2026-05')).rejects.toThrow(/is not closed/);
    const result = await reopen('admin', '补录3月收款');
    expect(result).toMatchObject({ month: '2026-03', status: 'open' });
    expect((await listPeriods(db.knex))[0]).toMatchObject({
      month: '2026-03',
      status: 'open',
      reopenedBy: 'admin',
      reopenReason: '补录3月收款',
    });
    await posting('2026-03-15');
    const audit = await db.knex('audit_log').where({ entity: 'period', action: 'reopen' }).first('actor', 'details', 'document_id');
    expect(audit).toMatchObject({
      actor: 'admin',
      details: { reason: '补录3月收款', requestedBy: 'admin' },
      document_id: result.documentId,
    });
  });

  it('with an approval rule for period_reopen, the month stays closed until the last step approves', async () => {
    const { db, admin } = get();
    await close('gf');
    await db.knex.transaction((tx) =>
      addRule(tx, admin, { documentType: 'period_reopen', condition: 'month = 2026-03', steps: ['role:group_finance'] }),
    );
    const pending = await reopen('admin', '审计调整');
    expect(pending.status).toBe('pending');
    await expect(posting('2026-03-20')).rejects.toThrow(/period 2026-03 is closed/);
    await expect(reopen('admin', 'again')).rejects.toThrow(/already waiting for approval/);
    await expect(db.knex.transaction((tx) => approve(tx, admin, pending.documentId))).rejects.toThrow(/their own request/);
    const gf = await actor(db.knex, 'gf');
    await db.knex.transaction((tx) => approve(tx, gf, pending.documentId, '同意'));
    expect((await listPeriods(db.knex))[0]).toMatchObject({ status: 'open', reopenedBy: 'admin', reopenReason: '审计调整' });
    await posting('2026-03-20');
  });
});
