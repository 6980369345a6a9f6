import { expect, it } from 'vitest';
import { dec } from '../../src/core/money.js';
import { pendingMigrations } from '../../src/db/migrate.js';
import { seed } from '../../src/db/seed.js';
import { addDealer } from '../../src/organisation/index.js';
import { createContract } from '../../src/receivables/contracts.js';
import { describeEachDb } from '../support/db.js';

describeEachDb('schema: what the database itself enforces', (get) => {
  let contractId = 0;
  let dealerId = 0;

  it('is fully migrated and seeding again changes nothing', async () => {
    const { db } = get();
    expect(await pendingMigrations(db.knex)).toEqual([]);
    const again = await seed(db.knex);
    expect(again).toEqual({ receivableTypes: 0, roles: 0, group: false, admin: false });
    const types = await db.knex('receivable_types').orderBy('allocation_priority').pluck('code');
    expect(types).toEqual(['fee', 'interest', 'principal', 'down_payment', 'on_behalf_payment', 'advance', 'deposit', 'penalty']);
    const bearing = await db.knex('receivable_types').where({ penalty_bearing: false }).orderBy('code').pluck('code');
    expect(bearing).toEqual(['deposit', 'penalty']);
  });

  it('sets up a dealer and a contract', async () => {
    const { db, admin } = get();
    await db.knex.transaction(async (tx) => {
      const d = await addDealer(tx, admin, { code: 'HF01', name: '合肥代理店' });
      dealerId = d.id;
      const c = await createContract(tx, admin, {
        dealer: 'HF01',
        contractNo: 'HT-1',
        customer: { name: '张三' },
        machines: [{ serialNo: 'SY215C-1', model: 'SY215C' }],
        method: 'interest_free',
        principal: dec('1200'),
        annualRate: dec(0),
        termMonths: 12,
        firstDueDate: '2026-01-10',
      });
      contractId = c.id;
    });
  });

  it('refuses a second contract with the same number at the same dealer (UNIQUE)', async () => {
    const { db } = get();
    const customer = await db.knex('customers').first('id');
    await expect(db.knex('contracts').insert({ dealer_id: dealerId, contract_no: 'HT-1', customer_id: customer.id })).rejects.toThrow(
      /duplicate key|unique/i,
    );
  });

  it('refuses negative amounts (CHECK)', async () => {
    const { db } = get();
    const customer = await db.knex('customers').first('id');
    await expect(
      db.knex('contracts').insert({ dealer_id: dealerId, contract_no: 'HT-NEG', customer_id: customer.id, down_payment: '-1.00' }),
    ).rejects.toThrow(/check constraint/i);
    await expect(
      db
        .knex('schedule_lines')
        .insert({ contract_id: contractId, version: 1, seq: 99, receivable_type: 'fee', due_date: '2026-01-01', amount_due: '-0.01' }),
    ).rejects.toThrow(/check constraint/i);
    await expect(
      db
        .knex('postings')
        .insert({ contract_id: contractId, dealer_id: dealerId, kind: 'credit', amount: '-5.00', value_date: '2026-01-01' }),
    ).rejects.toThrow(/check constraint/i);
  });

  it('refuses rows that point nowhere (FOREIGN KEY)', async () => {
    const { db } = get();
    await expect(
      db
        .knex('schedule_lines')
        .insert({ contract_id: contractId, version: 1, seq: 99, receivable_type: 'nonsense', due_date: '2026-01-01', amount_due: '1' }),
    ).rejects.toThrow(/foreign key/i);
    await expect(
      db.knex('postings').insert({ contract_id: 999999, dealer_id: dealerId, kind: 'credit', amount: '5.00', value_date: '2026-01-01' }),
    ).rejects.toThrow(/foreign key/i);
  });

  it('postings are append-only: UPDATE, DELETE and TRUNCATE are refused by a trigger; a reversal is a new row', async () => {
    const { db } = get();
    const [posting] = await db
      .knex('postings')
      .insert({ contract_id: contractId, dealer_id: dealerId, kind: 'credit', amount: '5.00', value_date: '2026-01-01' })
      .returning(['id', 'signed_amount']);
    expect(posting.signed_amount).toBe('5.00');
    await expect(db.knex('postings').where({ id: posting.id }).update({ amount: '6.00' })).rejects.toThrow(/append-only/);
    await expect(db.knex('postings').where({ id: posting.id }).delete()).rejects.toThrow(/append-only/);
    await expect(db.knex.raw('TRUNCATE postings CASCADE')).rejects.toThrow(/append-only/);
    const [reversal] = await db
      .knex('postings')
      .insert({
        contract_id: contractId,
        dealer_id: dealerId,
        kind: 'credit',
        amount: '5.00',
        value_date: '2026-01-02',
        reverses_id: posting.id,
        reason: 'test',
      })
      .returning(['signed_amount']);
    expect(reversal.signed_amount).toBe('-5.00');
    // a posting is reversed at most once
    await expect(
      db.knex('postings').insert({
        contract_id: contractId,
        dealer_id: dealerId,
        kind: 'credit',
        amount: '5.00',
        value_date: '2026-01-02',
        reverses_id: posting.id,
      }),
    ).rejects.toThrow(/duplicate key|unique/i);
  });

  it('the audit log is append-only and has the rows of what was done', async () => {
    const { db } = get();
    const rows = await db.knex('audit_log').orderBy('id').select('actor', 'action', 'entity');
    expect(rows).toEqual(
      expect.arrayContaining([
        { actor: 'admin', action: 'create', entity: 'dealer' },
        { actor: 'admin', action: 'create', entity: 'contract' },
      ]),
    );
    await expect(db.knex('audit_log').update({ actor: 'someone' })).rejects.toThrow(/append-only/);
    await expect(db.knex('audit_log').delete()).rejects.toThrow(/append-only/);
  });

  it('only one group, and a dealer cannot be its own parent', async () => {
    const { db } = get();
    await expect(db.knex('dealers').insert({ code: 'G2', name: 'x', kind: 'group' })).rejects.toThrow(/duplicate key|unique/i);
    await expect(db.knex('dealers').where({ id: dealerId }).update({ parent_id: dealerId })).rejects.toThrow(/check constraint/i);
  });
});
