// Issue 15, the importer against the data scope and the permission matrix (db level, both databases): a
// dealer's staff import for their own dealer only, --create-dealers needs the role that adds dealers, imports
// are listed and shown in scope, receipts confirm only when the actor may confirm, counts say what was written.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { type Actor, loadActor } from '../../src/access/actor.js';
import { NotAllowed, NotFound } from '../../src/core/errors.js';
import { listImports, showImport } from '../../src/imports/history.js';
import { importFile } from '../../src/imports/index.js';
import { buildOrganisation } from '../access/organisation.js';
import { type DbFixture, describeEachDb } from '../support/db.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zq-import-scope-'));
const AS_OF = '2026-03-31';
const LEDGER = '经销商,合同编号,客户名称,期次,应还日期,应还金额,已还金额,催收员';
const RECEIPTS = '合同编号,收款日期,收款金额,流水号';

function csv(name: string, header: string, rows: string[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `\uFEFF${[header, ...rows].join('\r\n')}\r\n`);
  return file;
}

const TABLES = [
  'imports',
  'import_errors',
  'import_dealers',
  'contracts',
  'customers',
  'schedule_lines',
  'documents',
  'postings',
  'dealers',
  'audit_log',
];

/** Row counts of every table an import writes: equal before and after means nothing was written. */
async function snapshot(f: DbFixture): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) {
    const [row] = await f.db.knex(t).count<{ n: number }[]>({ n: '*' });
    out[t] = Number(row?.n ?? 0);
  }
  return out;
}

describeEachDb('issue 15: imports within scope and permissions', (get) => {
  const as = (username: string): Promise<Actor> => loadActor(get().db.knex, username);

  it('sets up two dealers, their staff and contracts', async () => {
    const { db, admin } = get();
    await buildOrganisation(db.knex, admin);
  });

  it('15.1: a dealer finance user cannot import a ledger for another dealer with --dealer (exit 3, nothing written)', async () => {
    const f = get();
    const before = await snapshot(f);
    const file = csv('wh-ledger.csv', LEDGER, [',WH-9,某客户,1,2026-01-10,1000.00,0,']);
    const error = await importFile(f.db, await as('hf.fin'), file, { dealer: 'WH01', asOf: AS_OF }).catch((e) => e);
    expect(error).toBeInstanceOf(NotAllowed);
    expect(error.exitCode).toBe(3);
    expect(error.message).toBe('hf.fin may not import for dealer WH01');
    expect(await snapshot(f)).toEqual(before);
  });

  it('15.1: to a dealer’s user an unknown --dealer and another dealer’s look the same (exit 3)', async () => {
    const f = get();
    const file = csv('xx-ledger.csv', LEDGER, [',XX-9,某客户,1,2026-01-10,1000.00,0,']);
    const error = await importFile(f.db, await as('hf.fin'), file, { dealer: 'XX99', asOf: AS_OF }).catch((e) => e);
    expect(error).toBeInstanceOf(NotAllowed);
    expect(error.message).toBe('hf.fin may not import for dealer XX99');
  });

  it('15.1: a dealer column naming another dealer on one row refuses the whole file, even with --skip-invalid', async () => {
    const f = get();
    const before = await snapshot(f);
    const file = csv('mixed-ledger.csv', LEDGER, [
      'HF01,HF-9,某客户,1,2026-01-10,1000.00,0,',
      'WH01,WH-1,客户WH-1,1,2026-01-10,400.00,400.00,',
    ]);
    const error = await importFile(f.db, await as('hf.fin'), file, { asOf: AS_OF, skipInvalid: true }).catch((e) => e);
    expect(error).toBeInstanceOf(NotAllowed);
    expect(error.message).toBe(`hf.fin may not import for dealer WH01 (${file} row 3, column 经销商)`);
    expect(await snapshot(f)).toEqual(before);
  });

  it('15.1: a receipts file for another dealer is refused with --dealer, and its contracts are unknown without it', async () => {
    const f = get();
    const before = await snapshot(f);
    const file = csv('wh-receipts.csv', RECEIPTS, ['WH-1,2026-02-01,400.00,R-WH-1']);
    const error = await importFile(f.db, await as('hf.fin'), file, { dealer: 'WH01' }).catch((e) => e);
    expect(error).toBeInstanceOf(NotAllowed);
    expect(await snapshot(f)).toEqual(before);
    const s = await importFile(f.db, await as('hf.fin'), file, {});
    expect(s.status).toBe('rejected');
    expect(s.errors.map((e) => [e.rowNumber, e.column, e.reason])).toEqual([[2, '合同编号', 'a contract number known for this dealer']]);
    expect(await f.db.knex('documents').where({ type: 'receipt' }).count<{ n: number }[]>({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('15.1: a collector of another dealer is a row error, a collector of the row’s dealer is assigned', async () => {
    const f = get();
    const file = csv('collectors.csv', LEDGER, [
      'HF01,HF-10,客户十,1,2026-01-10,1000.00,0,hf.c1',
      'HF01,HF-11,客户十一,1,2026-01-10,1000.00,0,wh.c2',
    ]);
    const s = await importFile(f.db, await as('hf.fin'), file, { asOf: AS_OF, skipInvalid: true });
    expect(s.errors.map((e) => [e.rowNumber, e.column, e.value])).toEqual([[3, '催收员', 'wh.c2']]);
    expect(s.errors[0]?.reason).toMatch(/^a collector of dealer HF01: this user is at another dealer$/);
    expect(s.rowsImported).toBe(1);
    const contracts = await f.db
      .knex('contracts as c')
      .leftJoin('users as u', 'u.id', 'c.collector_id')
      .whereIn('c.contract_no', ['HF-10', 'HF-11'])
      .select('c.contract_no', 'u.username');
    expect(contracts).toEqual([{ contract_no: 'HF-10', username: 'hf.c1' }]);
  });

  it('15.2: --create-dealers is refused to a role that may not run `dealer add`, allowed to one that may', async () => {
    const f = get();
    const before = await snapshot(f);
    const file = csv('new-dealer.csv', LEDGER, ['NJ01,NJ-1,客户南京,1,2026-01-10,1000.00,0,']);
    const error = await importFile(f.db, await as('hf.fin'), file, { asOf: AS_OF, createDealers: true }).catch((e) => e);
    expect(error).toBeInstanceOf(NotAllowed);
    expect(error.message).toBe('hf.fin may not let an import create dealers: creating dealers needs one of admin');
    expect(await snapshot(f)).toEqual(before);
    const gf = await importFile(f.db, await as('gf'), file, { asOf: AS_OF, createDealers: true }).catch((e) => e);
    expect(gf).toBeInstanceOf(NotAllowed);
    const s = await importFile(f.db, f.admin, file, { asOf: AS_OF, createDealers: true });
    expect(s.status).toBe('imported');
    expect(await f.db.knex('dealers').where({ code: 'NJ01' }).first('code')).toEqual({ code: 'NJ01' });
  });

  it('15.3: import list and show are scoped like documents: a dealer’s staff see imports of their dealer only', async () => {
    const f = get();
    const wh = await importFile(f.db, f.admin, csv('wh-only.csv', LEDGER, [',WH-20,客户二十,1,2026-01-10,1000.00,0,']), {
      dealer: 'WH01',
      asOf: AS_OF,
    });
    const both = await importFile(
      f.db,
      f.admin,
      csv('both.csv', LEDGER, ['HF01,HF-21,客户二一,1,2026-01-10,1000.00,0,', 'WH01,WH-21,客户二一W,1,2026-01-10,1000.00,0,']),
      { asOf: AS_OF },
    );
    const hfOnly = await importFile(f.db, f.admin, csv('hf-only.csv', LEDGER, ['HF01,HF-22,客户二二,1,2026-01-10,1000.00,0,']), {
      asOf: AS_OF,
    });
    const ids = async (username: string) => (await listImports(f.db.knex, await as(username), 1000)).map((r) => r.id);
    const hf = await ids('hf.fin');
    expect(hf).toContain(hfOnly.importId);
    expect(hf).not.toContain(wh.importId);
    expect(hf).not.toContain(both.importId);
    const whClerk = await ids('wh.clerk');
    expect(whClerk).toContain(wh.importId);
    expect(whClerk).not.toContain(hfOnly.importId);
    expect(whClerk).not.toContain(both.importId);
    for (const group of ['gf', 'aud', 'admin'])
      expect(await ids(group)).toEqual(expect.arrayContaining([wh.importId, both.importId, hfOnly.importId]));
    await expect(showImport(f.db.knex, await as('hf.fin'), wh.importId as number)).rejects.toBeInstanceOf(NotFound);
    await expect(showImport(f.db.knex, await as('hf.fin'), both.importId as number)).rejects.toBeInstanceOf(NotFound);
    expect((await showImport(f.db.knex, await as('hf.fin'), hfOnly.importId as number)).id).toBe(hfOnly.importId);
    expect((await showImport(f.db.knex, await as('gf'), wh.importId as number)).id).toBe(wh.importId);
  });

  it('15.4: a clerk’s receipts import refuses an explicit --status confirmed (exit 3, nothing written)', async () => {
    const f = get();
    const before = await snapshot(f);
    const file = csv('clerk-receipts.csv', RECEIPTS, ['WH-1,2026-02-01,400.00,R-CLERK-1']);
    const error = await importFile(f.db, await as('wh.clerk'), file, { receiptStatus: 'confirmed' }).catch((e) => e);
    expect(error).toBeInstanceOf(NotAllowed);
    expect(error.message).toBe(
      '--status confirmed: wh.clerk may not confirm receipts (it needs one of admin, group_finance, dealer_finance); import them with --status registered',
    );
    expect(await snapshot(f)).toEqual(before);
  });

  it('15.4: without --status a clerk’s receipts are registered, not confirmed or allocated', async () => {
    const f = get();
    const postings = await snapshot(f);
    const file = csv('clerk-receipts-2.csv', RECEIPTS, ['WH-1,2026-02-01,400.00,R-CLERK-2']);
    const s = await importFile(f.db, await as('wh.clerk'), file, {});
    expect(s.status).toBe('imported');
    expect(s.receiptStatus).toBe('registered');
    expect(s.counts).toMatchObject({ receiptsCreated: 0, receiptsRegistered: 1 });
    const docs = await f.db.knex('documents').where({ type: 'receipt' }).pluck('status');
    expect(docs).toEqual(['registered']);
    expect((await snapshot(f)).postings).toBe(postings.postings);
    // a finance user's import confirms by default
    const fin = await importFile(f.db, await as('gf'), csv('gf-receipts.csv', RECEIPTS, ['WH-1,2026-02-02,100.00,R-GF-1']), {});
    expect(fin.receiptStatus).toBe('confirmed');
    expect(fin.counts).toMatchObject({ receiptsCreated: 1 });
  });

  it('15.12: --skip-invalid with a duplicate-row contract and a good one counts the good contract’s rows as imported', async () => {
    const f = get();
    const file = csv('dup.csv', LEDGER, [
      'HF01,HF-30,客户三十,1,2026-01-10,500.00,0,',
      'HF01,HF-30,客户三十,2,2026-02-10,500.00,0,',
      'HF01,HF-30,客户三十,2,2026-02-10,500.00,0,',
      'HF01,HF-31,客户三一,1,2026-01-10,500.00,0,',
      'HF01,HF-31,客户三一,2,2026-02-10,500.00,0,',
    ]);
    const s = await importFile(f.db, f.admin, file, { asOf: AS_OF, skipInvalid: true });
    expect(s.status).toBe('imported');
    expect(s.counts).toMatchObject({ contractsCreated: 1, linesCreated: 2 });
    expect([s.rowsRead, s.rowsImported, s.rowsRejected]).toEqual([5, 2, 1]);
    expect(s.warnings).toContain('2 valid row(s) left out with their contract, which has a bad row');
    const stored = await f.db.knex('imports').where({ id: s.importId }).first('rows_imported', 'rows_rejected');
    expect(stored).toEqual({ rows_imported: 2, rows_rejected: 1 });
  });
});
