// Data scope: exact row sets for every user of a four-level hierarchy across two dealers, before and after
// users are moved to another manager, through every scoped list.
import { expect, it } from 'vitest';
import { listAudit } from '../../src/audit/log.js';
import { NotFound } from '../../src/core/errors.js';
import { createDocument, listDocuments } from '../../src/documents/index.js';
import { addUser, listDealers, listUsers } from '../../src/organisation/index.js';
import { moveUser } from '../../src/organisation/users.js';
import { findContract, listContracts } from '../../src/receivables/contracts.js';
import { checkScope } from '../../src/reports/scope.js';
import { describeEachDb } from '../support/db.js';
import { actor, buildOrganisation } from './organisation.js';

/** The promise fails with NotFound and exactly this message. */
async function refused(p: Promise<unknown>, message: string): Promise<void> {
  const err = await p.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(NotFound);
  expect((err as Error).message).toBe(message);
}

const ALL = ['HF-1', 'HF-2', 'HF-3', 'HF-4', 'HF-5', 'WH-1', 'WH-2', 'WH-3'];

describeEachDb('data scope: a four-level hierarchy across two dealers', (get) => {
  const contractsOf = async (username: string) => {
    const { db } = get();
    const rows = await listContracts(db.knex, await actor(db.knex, username), { asOf: '2026-02-01' });
    return rows.map((r) => r.contractNo);
  };

  it('builds the organisation', async () => {
    const { db, admin } = get();
    await buildOrganisation(db.knex, admin);
  });

  it.each([
    ['admin', ALL],
    ['gf', ALL],
    ['aud', ALL],
    ['hf.fin', ['HF-1', 'HF-2', 'HF-3', 'HF-4', 'HF-5']],
    ['wh.clerk', ['WH-1', 'WH-2', 'WH-3']],
    ['boss', ['HF-1', 'HF-2', 'HF-3', 'HF-4', 'WH-1', 'WH-2', 'WH-3']],
    ['hf.mgr', ['HF-1', 'HF-2', 'HF-3', 'HF-4']],
    // wh.c2 reports to hf.lead but works for WH01: dealer staff see only their dealer.
    ['hf.lead', ['HF-1', 'HF-2', 'HF-3']],
    ['hf.c1', ['HF-1']],
    ['hf.c2', ['HF-2']],
    ['wh.mgr', ['WH-1', 'WH-2']],
    ['wh.c1', ['WH-1']],
    ['wh.c2', ['WH-3']],
  ])('%s sees exactly %j', async (username, expected) => {
    expect(await contractsOf(username)).toEqual(expected);
  });

  it('moving hf.c2 up to hf.mgr takes HF-2 out of hf.lead’s scope and keeps it in hf.mgr’s and boss’s', async () => {
    const { db, admin } = get();
    const moved = await db.knex.transaction((tx) => moveUser(tx, admin, 'hf.c2', 'hf.mgr'));
    expect(moved.reportsTo).toBe('hf.mgr');
    expect(await contractsOf('hf.lead')).toEqual(['HF-1', 'HF-3']);
    expect(await contractsOf('hf.mgr')).toEqual(['HF-1', 'HF-2', 'HF-3', 'HF-4']);
    expect(await contractsOf('boss')).toEqual(['HF-1', 'HF-2', 'HF-3', 'HF-4', 'WH-1', 'WH-2', 'WH-3']);
    expect(await contractsOf('hf.c2')).toEqual(['HF-2']);
  });

  it('moving hf.c2 under wh.mgr: hf.mgr loses HF-2, wh.mgr (WH01 staff) does not gain it, boss keeps it', async () => {
    const { db, admin } = get();
    await db.knex.transaction((tx) => moveUser(tx, admin, 'hf.c2', 'wh.mgr'));
    expect(await contractsOf('hf.mgr')).toEqual(['HF-1', 'HF-3', 'HF-4']);
    expect(await contractsOf('wh.mgr')).toEqual(['WH-1', 'WH-2']);
    expect(await contractsOf('boss')).toEqual(['HF-1', 'HF-2', 'HF-3', 'HF-4', 'WH-1', 'WH-2', 'WH-3']);
    const audit = await db.knex('audit_log').where({ entity: 'user', entity_id: 'hf.c2', action: 'move' }).orderBy('id').pluck('details');
    expect(audit).toEqual([
      { from: 'hf.lead', to: 'hf.mgr' },
      { from: 'hf.mgr', to: 'wh.mgr' },
    ]);
  });

  it('moving hf.mgr to the top takes its whole team (wh.c2 included) out of boss’s scope', async () => {
    const { db, admin } = get();
    await db.knex.transaction((tx) => moveUser(tx, admin, 'hf.mgr', null));
    expect(await contractsOf('boss')).toEqual(['HF-2', 'WH-1', 'WH-2']);
    await db.knex.transaction((tx) => moveUser(tx, admin, 'hf.mgr', 'boss'));
    await db.knex.transaction((tx) => moveUser(tx, admin, 'hf.c2', 'hf.lead'));
    expect(await contractsOf('boss')).toEqual(['HF-1', 'HF-2', 'HF-3', 'HF-4', 'WH-1', 'WH-2', 'WH-3']);
  });

  it('refuses a move that would make reports_to a cycle', async () => {
    const { db, admin } = get();
    await expect(db.knex.transaction((tx) => moveUser(tx, admin, 'hf.mgr', 'hf.c1'))).rejects.toThrow(/reports to them/);
    await expect(db.knex.transaction((tx) => moveUser(tx, admin, 'hf.mgr', 'hf.mgr'))).rejects.toThrow(/reports to them/);
  });

  it('a scope leak through filters and show: a collector asking for another dealer or collector gets "not found"', async () => {
    const { db } = get();
    const c1 = await actor(db.knex, 'hf.c1');
    // an empty list would tell them that WH01 and hf.c2 exist: refused as codes that name nobody
    await refused(listContracts(db.knex, c1, { asOf: '2026-02-01', dealer: 'WH01' }), 'dealer not found: "WH01"');
    await refused(listContracts(db.knex, c1, { asOf: '2026-02-01', collector: 'hf.c2' }), 'collector not found: "hf.c2"');
    await refused(listUsers(db.knex, c1, { dealer: 'WH01' }), 'dealer not found: "WH01"');
    await refused(listDocuments(db.knex, c1, { type: 'receipt', dealer: 'WH01' }), 'dealer not found: "WH01"');
    await refused(listAudit(db.knex, c1, { user: 'wh.c1' }), 'user not found: "wh.c1"');
    // their own dealer and themselves still filter
    expect((await listContracts(db.knex, c1, { asOf: '2026-02-01', dealer: 'HF01', collector: 'hf.c1' })).length).toBeGreaterThan(0);
    await expect(findContract(db.knex, 'WH-1', undefined, c1)).rejects.toBeInstanceOf(NotFound);
    await expect(findContract(db.knex, 'HF-2', 'HF01', c1)).rejects.toBeInstanceOf(NotFound);
    const fin = await actor(db.knex, 'hf.fin');
    await expect(findContract(db.knex, 'WH-1', 'WH01', fin)).rejects.toBeInstanceOf(NotFound);
    expect((await findContract(db.knex, 'HF-5', undefined, fin)).contractNo).toBe('HF-5');
  });

  it.each([
    ['admin', 'all'],
    ['hf.fin', ['hf.c1', 'hf.c2', 'hf.fin', 'hf.lead', 'hf.mgr']],
    ['wh.clerk', ['wh.c1', 'wh.c2', 'wh.clerk', 'wh.mgr']],
    ['boss', ['boss', 'hf.c1', 'hf.c2', 'hf.lead', 'hf.mgr', 'wh.c1', 'wh.c2', 'wh.mgr']],
    ['hf.lead', ['hf.c1', 'hf.c2', 'hf.lead']],
    ['hf.c1', ['hf.c1']],
  ])('user list as %s: %j', async (username, expected) => {
    const { db } = get();
    const rows = (await listUsers(db.knex, await actor(db.knex, username))).map((u) => u.username);
    if (expected === 'all') expect(rows).toHaveLength(13);
    else expect(rows).toEqual(expected);
  });

  it.each([
    ['gf', ['GROUP', 'HF01', 'WH01']],
    ['hf.fin', ['HF01']],
    ['wh.c1', ['WH01']],
    ['boss', ['HF01', 'WH01']],
  ])('dealer list as %s: %j', async (username, expected) => {
    const { db } = get();
    const rows = (await listDealers(db.knex, await actor(db.knex, username))).map((d) => d.code);
    expect(rows).toEqual(expected);
  });

  it.each([
    ['gf', ['d1', 'd2', 'd3', 'd4']],
    ['hf.fin', ['d1', 'd2', 'd4']],
    ['wh.clerk', ['d3']],
    ['boss', ['d1', 'd2', 'd3']],
    ['hf.lead', ['d1', 'd2']],
    ['hf.c1', ['d1']],
    ['hf.c2', ['d2']],
    ['wh.mgr', ['d3']],
    ['wh.c2', []],
  ])('doc list as %s: %j (written by the team, or about a contract in scope)', async (username, expected) => {
    const { db, admin } = get();
    if ((await db.knex('documents').count<{ n: number }[]>({ n: '*' }))[0]?.n === 0) {
      await db.knex.transaction(async (tx) => {
        const contract = (no: string) => tx('contracts').where({ contract_no: no }).first('id', 'dealer_id');
        const hf1 = await contract('HF-1');
        const hf2 = await contract('HF-2');
        const wh1 = await contract('WH-1');
        const doc = (author: typeof admin, c: { id: number; dealer_id: number } | null, dealerId: number, note: string) =>
          createDocument(tx, author, { type: 'test_note', status: 'draft', dealerId, contractId: c?.id ?? null, data: { note } });
        await doc(await actor(tx, 'hf.c1'), hf1, hf1.dealer_id, 'd1');
        await doc(admin, hf2, hf2.dealer_id, 'd2');
        await doc(await actor(tx, 'wh.c1'), wh1, wh1.dealer_id, 'd3');
        await doc(admin, null, hf1.dealer_id, 'd4');
      });
    }
    const rows = await listDocuments(db.knex, await actor(db.knex, username), {});
    expect(rows.map((d) => d.data.note)).toEqual(expected);
  });

  it('audit log: dealer roles see only their dealer’s rows', async () => {
    const { db } = get();
    const dealerOf = async (username: string) => {
      const rows = await listAudit(db.knex, await actor(db.knex, username), {});
      return [...new Set(rows.map((r) => r.dealer))].sort();
    };
    expect(await dealerOf('hf.fin')).toEqual(['HF01']);
    expect(await dealerOf('wh.clerk')).toEqual(['WH01']);
    expect(await dealerOf('aud')).toEqual(expect.arrayContaining([null, 'HF01', 'WH01']));
  });

  it('15.18: a filter naming an unknown dealer, collector or user is not found (exit 3), naming the code', async () => {
    const { db } = get();
    const admin = await actor(db.knex, 'admin');
    await refused(listContracts(db.knex, admin, { asOf: '2026-02-01', dealer: 'XX99' }), 'dealer not found: "XX99"');
    await refused(listContracts(db.knex, admin, { asOf: '2026-02-01', collector: 'nobody' }), 'collector not found: "nobody"');
    await refused(listUsers(db.knex, admin, { dealer: 'XX99' }), 'dealer not found: "XX99"');
    await refused(listDocuments(db.knex, admin, { type: 'receipt', dealer: 'XX99' }), 'dealer not found: "XX99"');
    await refused(listAudit(db.knex, admin, { user: 'nobody' }), 'user not found: "nobody"');
    // a dealer's finance asking for another dealer: not found either
    await refused(
      listContracts(db.knex, await actor(db.knex, 'hf.fin'), { asOf: '2026-02-01', dealer: 'WH01' }),
      'dealer not found: "WH01"',
    );
    expect((await listContracts(db.knex, admin, { asOf: '2026-02-01', dealer: 'WH01' })).length).toBeGreaterThan(0);
  });

  it('a collector of no dealer holding a dealer’s contract: the dealer is seen through the contract, and they by the dealer', async () => {
    const { db } = get();
    const admin = await actor(db.knex, 'admin');
    await db.knex.transaction((tx) => addUser(tx, admin, { username: 'roam', name: '流动催收', roles: ['collector'] }));
    const roamId = (await db.knex('users').where({ username: 'roam' }).first('id')).id;
    await db.knex('contracts').where({ contract_no: 'HF-5' }).update({ collector_id: roamId });
    try {
      // their scope holds no dealer (they have none, nor has anybody below them), yet HF01's contract is theirs
      const roam = await actor(db.knex, 'roam');
      const mine = await listContracts(db.knex, roam, { asOf: '2026-02-01', dealer: 'HF01' });
      expect(mine.map((r) => r.contractNo)).toEqual(['HF-5']);
      expect(await listDocuments(db.knex, roam, { dealer: 'HF01' })).toEqual([]);
      await refused(listContracts(db.knex, roam, { asOf: '2026-02-01', dealer: 'WH01' }), 'dealer not found: "WH01"');
      // the reports resolve their flags the same way
      expect(await checkScope(db.knex, roam, { dealer: 'hf01' })).toMatchObject({ kind: 'dealer', code: 'HF01', limitedTo: 'roam' });
      await refused(checkScope(db.knex, roam, { dealer: 'WH01' }), 'dealer not found: "WH01"');
      // HF01's finance sees the contract, so its collector too, though not one of HF01's staff
      const fin = await actor(db.knex, 'hf.fin');
      expect((await listContracts(db.knex, fin, { asOf: '2026-02-01', collector: 'roam' })).map((r) => r.contractNo)).toEqual(['HF-5']);
      expect(await checkScope(db.knex, fin, { collector: 'roam' })).toMatchObject({ kind: 'group', limitedTo: 'hf.fin' });
      await refused(
        listContracts(db.knex, await actor(db.knex, 'wh.clerk'), { asOf: '2026-02-01', collector: 'roam' }),
        'collector not found: "roam"',
      );
    } finally {
      await db.knex('contracts').where({ contract_no: 'HF-5' }).update({ collector_id: null });
    }
  });
});
