// Finance review (财务审核): locking and unlocking by id and by filter, in scope, audited; a locked document
// cannot be changed, withdrawn or reversed — refused by the core and, for any code path, by the database.
import { expect, it } from 'vitest';
import { buildProgram } from '../../src/cli.js';
import { databaseRefusal, NotFound, Refused } from '../../src/core/errors.js';
import { dec } from '../../src/core/money.js';
import { createDocument, loadDocument, setDocumentStatus, setReviewLock, withdrawDocument } from '../../src/documents/index.js';
import { actor, buildOrganisation } from '../access/organisation.js';
import { describeEachDb } from '../support/db.js';

async function refusedByDatabase(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (err) {
    const message = databaseRefusal(err);
    if (message) return message;
    throw err;
  }
  throw new Error('the database accepted it');
}

describeEachDb('document locks', (get) => {
  const ids: Record<string, number> = {};

  it('sets up documents and a posting', async () => {
    const { db, admin } = get();
    await buildOrganisation(db.knex, admin);
    expect(buildProgram()).toBeDefined();
    await db.knex.transaction(async (tx) => {
      const hf = (await tx('dealers').where({ code: 'HF01' }).first('id')).id;
      const wh = (await tx('dealers').where({ code: 'WH01' }).first('id')).id;
      const hf1 = (await tx('contracts').where({ contract_no: 'HF-1' }).first('id')).id;
      const doc = (status: 'confirmed' | 'registered', dealerId: number, valueDate: string, amount: string) =>
        createDocument(tx, admin, {
          type: 'test_receipt',
          status,
          dealerId,
          contractId: dealerId === hf ? hf1 : null,
          valueDate,
          amount: dec(amount),
        });
      ids.hfConfirmed = (await doc('confirmed', hf, '2026-03-05', '1000.00')).id;
      ids.hfRegistered = (await doc('registered', hf, '2026-03-06', '200.00')).id;
      ids.whConfirmed = (await doc('confirmed', wh, '2026-03-07', '300.00')).id;
      ids.hfApril = (await doc('confirmed', hf, '2026-04-01', '400.00')).id;
      const [posting] = await tx('postings')
        .insert({
          contract_id: hf1,
          dealer_id: hf,
          document_id: ids.hfConfirmed,
          kind: 'allocation',
          amount: '1000.00',
          value_date: '2026-03-05',
        })
        .returning('id');
      ids.posting = posting.id;
    });
    expect((await loadDocument(db.knex, ids.hfConfirmed as number)).number).toBe('TEST-RECEIPT-000001');
  });

  it('dealer finance locks its own dealer’s final documents by id; refuses the rest, all or nothing', async () => {
    const { db } = get();
    const fin = await actor(db.knex, 'hf.fin');
    const lock = (list: number[]) => db.knex.transaction((tx) => setReviewLock(tx, fin, { ids: list }, true));
    await expect(lock([ids.hfConfirmed as number, ids.hfRegistered as number])).rejects.toThrow(
      /is registered; finance review locks approved, confirmed/,
    );
    await expect(lock([ids.whConfirmed as number])).rejects.toThrow(NotFound);
    expect((await loadDocument(db.knex, ids.hfConfirmed as number)).locked).toBe(false);
    const result = await lock([ids.hfConfirmed as number]);
    expect(result.documents.map((d) => d.id)).toEqual([ids.hfConfirmed]);
    const locked = await loadDocument(db.knex, ids.hfConfirmed as number);
    expect(locked).toMatchObject({ locked: true, lockedBy: 'hf.fin' });
    await expect(lock([ids.hfConfirmed as number])).rejects.toThrow(/is already locked/);
  });

  it('the core refuses changing, withdrawing or reversing a locked document, with a clear message', async () => {
    const { db, admin } = get();
    const id = ids.hfConfirmed as number;
    await expect(db.knex.transaction((tx) => setDocumentStatus(tx, admin, id, 'reversed'))).rejects.toThrow(
      /document \d+ \(test_receipt TEST-RECEIPT-000001\) is locked by finance review \(hf.fin, .*\): it cannot be changed until finance unlocks it/,
    );
    await expect(db.knex.transaction((tx) => withdrawDocument(tx, admin, id))).rejects.toThrow(/cannot be withdrawn/);
    await expect(
      db.knex.transaction(async (tx) => {
        const hf = (await tx('dealers').where({ code: 'HF01' }).first('id')).id;
        return createDocument(tx, admin, { type: 'test_receipt', status: 'confirmed', dealerId: hf, reversesId: id });
      }),
    ).rejects.toThrow(/cannot be reversed/);
    await expect(db.knex.transaction((tx) => withdrawDocument(tx, admin, ids.hfApril as number))).rejects.toThrow(Refused);
  });

  it('the database refuses the same whatever the code path (trigger)', async () => {
    const { db } = get();
    const id = ids.hfConfirmed as number;
    expect(await refusedByDatabase(db.knex('documents').where({ id }).update({ amount: '1.00' }))).toMatch(
      /is locked by finance review: it cannot be changed/,
    );
    expect(await refusedByDatabase(db.knex('documents').where({ id }).update({ status: 'withdrawn' }))).toMatch(/cannot be changed/);
    expect(
      await refusedByDatabase(
        db.knex('documents').where({ id }).update({ locked: false, locked_by: null, locked_at: null, status: 'reversed' }),
      ),
    ).toMatch(/cannot be changed/);
    expect(await refusedByDatabase(db.knex('documents').where({ id }).del())).toMatch(/cannot be deleted/);
    const doc = await loadDocument(db.knex, id);
    expect(
      await refusedByDatabase(
        db.knex('documents').insert({
          type: 'test_receipt',
          number: 'X-1',
          status: 'confirmed',
          dealer_id: doc.dealerId,
          author_id: doc.authorId,
          reverses_id: id,
        }),
      ),
    ).toMatch(/cannot be reversed until finance unlocks it/);
    expect(
      await refusedByDatabase(
        db.knex('postings').insert({
          contract_id: doc.contractId,
          dealer_id: doc.dealerId,
          kind: 'allocation',
          amount: '1000.00',
          value_date: '2026-03-20',
          reverses_id: ids.posting,
        }),
      ),
    ).toMatch(/posting \d+ belongs to document \d+ \(test_receipt TEST-RECEIPT-000001\), locked by finance review: it cannot be reversed/);
    expect(await loadDocument(db.knex, id)).toMatchObject({ status: 'confirmed', amount: '1000.00', locked: true });
  });

  it('locks and unlocks by filter within the actor’s scope', async () => {
    const { db } = get();
    const gf = await actor(db.knex, 'gf');
    const fin = await actor(db.knex, 'hf.fin');
    const march = { type: 'test_receipt', from: '2026-03-01', to: '2026-03-31' };
    // another dealer's code is not found, and nothing is locked
    await expect(db.knex.transaction((tx) => setReviewLock(tx, fin, { filter: { ...march, dealer: 'WH01' } }, true))).rejects.toThrow(
      'dealer not found: "WH01"',
    );
    expect((await loadDocument(db.knex, ids.whConfirmed as number)).locked).toBe(false);
    const byGroup = await db.knex.transaction((tx) => setReviewLock(tx, gf, { filter: march }, true));
    expect(byGroup.documents.map((d) => d.id)).toEqual([ids.whConfirmed]);
    await expect(db.knex.transaction((tx) => setReviewLock(tx, gf, { filter: {} }, true))).rejects.toThrow(
      /at least one of --type, --dealer, --from, --to/,
    );
    const unlocked = await db.knex.transaction((tx) => setReviewLock(tx, fin, { filter: march }, false));
    expect(unlocked.documents.map((d) => d.id)).toEqual([ids.hfConfirmed]);
    expect((await loadDocument(db.knex, ids.whConfirmed as number)).locked).toBe(true);
  });

  it('once unlocked, the document can be reversed again; every lock and unlock is audited', async () => {
    const { db, admin } = get();
    const id = ids.hfConfirmed as number;
    await db.knex.transaction(async (tx) => {
      const doc = await loadDocument(tx, id);
      await createDocument(tx, admin, { type: 'test_receipt', status: 'confirmed', dealerId: doc.dealerId, reversesId: id });
      await setDocumentStatus(tx, admin, id, 'reversed', { from: ['confirmed'] });
    });
    expect((await loadDocument(db.knex, id)).status).toBe('reversed');
    const audit = await db
      .knex('audit_log')
      .where({ document_id: id })
      .whereIn('action', ['lock', 'unlock', 'reversed'])
      .orderBy('id')
      .select('actor', 'action');
    expect(audit).toEqual([
      { actor: 'hf.fin', action: 'lock' },
      { actor: 'hf.fin', action: 'unlock' },
      { actor: 'admin', action: 'reversed' },
    ]);
  });
});
