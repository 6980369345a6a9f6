// Collections (issue 21 points 1–4) on the governance organisation (test/access/organisation.ts): every contract
// 1,200.00 in three installments of 400.00 due 2026-01-10, 02-10 and 03-10; HF-1 hf.c1, HF-2 hf.c2, …, WH-1 wh.c1,
// WH-2 wh.mgr, WH-3 wh.c2. Hand figures in the comments.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadActor } from '../../src/access/actor.js';
import { runAction } from '../../src/app/run.js';
import { runBatch } from '../../src/batch/run.js';
import { parseRulesText } from '../../src/collections/assign-rules.js';
import { contractFiguresSql } from '../../src/collections/figures.js';
import { byPriority, type WorklistItem } from '../../src/collections/worklist.js';
import { BadInput, NotFound } from '../../src/core/errors.js';
import { buildOrganisation } from '../access/organisation.js';
import { describeEachDb } from '../support/db.js';

const via = { via: 'test' } as const;

describe('rules file (pure checks)', () => {
  it('reads YAML and JSON, with or without the `rules:` key', () => {
    expect(parseRulesText('rules:\n  - dealer: HF01\n    minOverdueDays: 1\n    to: hf.c1\n')).toMatchObject([
      { no: 1, dealer: 'HF01', minOverdueDays: 1, to: 'hf.c1' },
    ]);
    expect(parseRulesText('[{"to": "hf.c1", "maxOutstanding": "5000"}]')[0]?.maxOutstanding?.toFixed(2)).toBe('5000.00');
  });
  it.each([
    ['rules: []', /^rules: .*at least one rule/],
    ['rules:\n  - dealer: HF01\n', /^rule 1: to: missing/],
    [
      'rules:\n  - to: a\n  - to: b\n    minOverdueDays: 30\n    maxOverdueDays: 10\n',
      /^rule 2: maxOverdueDays: 10 — expected a number of days ≥ minOverdueDays 30/,
    ],
    ['rules:\n  - to: a\n    minOutstanding: abc\n', /^rule 1: minOutstanding/],
    ['rules:\n  - to: a\n    colour: red\n', /^rule 1: colour: "red" — expected one of the keys/],
    ['rules:\n  - to: a\n    minOverdueDays: -3\n', /^rule 1: minOverdueDays/],
    ['rules: [', /^rules: .*YAML or JSON/],
  ])('refuses %j in one line naming the rule and field', (text, message) => {
    expect(() => parseRulesText(text)).toThrow(BadInput);
    expect(() => parseRulesText(text)).toThrow(message);
  });
  it('orders the worklist: broken promise, flagged, overdue amount, overdue days', () => {
    const item = (no: string, overdue: string, days: number, broken = false, flagged = false): WorklistItem => ({
      dealer: 'HF01',
      contractNo: no,
      customer: '',
      phone: null,
      collector: null,
      machines: [],
      overdue,
      overdueDays: days,
      penaltyOutstanding: '0.00',
      lastContact: null,
      openPromise: null,
      brokenPromise: broken ? { amount: '1.00', date: '2026-01-01', brokenOn: '2026-01-02' } : null,
      flags: flagged ? [{ action: 'lock', flaggedOn: '2026-01-01', rule: 1 }] : [],
    });
    const list = [
      item('A', '900.00', 5),
      item('B', '100.00', 9, false, true),
      item('C', '50.00', 1, true),
      item('D', '900.00', 7),
      item('E', '1000.00', 1),
    ];
    expect(list.sort(byPriority).map((i) => i.contractNo)).toEqual(['C', 'B', 'E', 'D', 'A']);
  });
});

describeEachDb('collections', (get) => {
  const run = <N extends Parameters<typeof runAction>[2]>(who: string, name: N, raw: Parameters<typeof runAction<N>>[3]) =>
    runAction(get().db, who, name, raw, via);
  const receipt = async (contractNo: string, amount: string, valueDate: string) => {
    const doc = await run('hf.fin', 'receipt.register', { contractNo, dealer: 'HF01', amount, valueDate });
    await run('hf.fin', 'receipt.confirm', { id: doc.id });
  };
  const count = async (table: string) => Number((await get().db.knex(table).count({ n: '*' }))[0]?.n);
  const holders = (contractNo: string) =>
    get()
      .db.knex('collector_assignments as a')
      .join('contracts as c', 'c.id', 'a.contract_id')
      .join('users as u', 'u.id', 'a.collector_id')
      .where('c.contract_no', contractNo)
      .orderBy('a.id')
      .select('u.username', 'a.from_date as from', 'a.to_date as to', 'a.source');

  beforeAll(async () => {
    const { db, admin } = get();
    await buildOrganisation(db.knex, admin);
  });

  it('opens one history row per contract with a collector when it is created (the trigger)', async () => {
    expect(await holders('HF-1')).toEqual([{ username: 'hf.c1', from: '1900-01-01', to: null, source: 'contract' }]);
    expect(await holders('HF-5')).toEqual([]);
  });

  it('moves one contract: closes the open row, opens the new one, updates the contract, audited', async () => {
    const out = await run('hf.lead', 'collection.assign', {
      contractNo: 'HF-2',
      dealer: 'HF01',
      to: 'hf.c1',
      reason: '调整',
      date: '2026-02-15',
    });
    expect(out.moves).toEqual([{ dealer: 'HF01', contractNo: 'HF-2', from: 'hf.c2', to: 'hf.c1', date: '2026-02-15', rule: null }]);
    expect(await holders('HF-2')).toEqual([
      { username: 'hf.c2', from: '1900-01-01', to: '2026-02-15', source: 'contract' },
      { username: 'hf.c1', from: '2026-02-15', to: null, source: 'manual' },
    ]);
    const audit = await get().db.knex('audit_log').where({ action: 'assign', entity_id: 'HF-2' }).first('actor', 'details');
    expect(audit.actor).toBe('hf.lead');
    // the same user again: nothing changes
    const again = await run('hf.lead', 'collection.assign', {
      contractNo: 'HF-2',
      dealer: 'HF01',
      to: 'hf.c1',
      reason: '调整',
      date: '2026-02-16',
    });
    expect(again.moves).toEqual([]);
  });

  it('refuses a move out of scope (not found), to another dealer’s staff, before the holder’s first day, by a collector', async () => {
    const before = await count('collector_assignments');
    await expect(
      run('wh.mgr', 'collection.assign', { contractNo: 'HF-1', dealer: 'HF01', to: 'wh.c1', reason: 'x', date: '2026-03-01' }),
    ).rejects.toThrow(NotFound);
    await expect(
      run('admin', 'collection.assign', { contractNo: 'HF-1', dealer: 'HF01', to: 'wh.c1', reason: 'x', date: '2026-03-01' }),
    ).rejects.toThrow(/^to: "wh.c1" — expected a user of dealer HF01/);
    await expect(
      run('admin', 'collection.assign', { contractNo: 'HF-2', dealer: 'HF01', to: 'hf.c2', reason: 'x', date: '2026-02-01' }),
    ).rejects.toThrow(/^date: "2026-02-01" — expected a date on or after 2026-02-15/);
    // a manager gives only to their team: hf.lead cannot see wh.c1 nor hf.mgr
    await expect(
      run('hf.lead', 'collection.assign', { contractNo: 'HF-1', dealer: 'HF01', to: 'hf.mgr', reason: 'x', date: '2026-03-01' }),
    ).rejects.toThrow(/^to: "hf.mgr" — expected a user you can assign to/);
    await expect(
      run('hf.c1', 'collection.assign', { contractNo: 'HF-1', dealer: 'HF01', to: 'hf.c2', reason: 'x', date: '2026-03-01' }),
    ).rejects.toThrow(/may not collection.assign/);
    expect(await count('collector_assignments')).toBe(before);
  });

  it('logs contacts with promises; refuses a promise without amount or date, or on another result; out of scope is not found', async () => {
    // HF-2 (held by hf.c1 since 02-15): promised 300.00 by 02-20 on 02-14 — hf.lead logs it (hf.c1's manager)
    const kept = await run('hf.lead', 'collection.log', {
      contractNo: 'HF-2',
      kind: 'call',
      result: 'promised',
      promiseAmount: '300',
      promiseDate: '2026-02-20',
      contactedAt: '2026-02-14T10:00',
    });
    expect(kept).toMatchObject({
      contractNo: 'HF-2',
      promiseAmount: '300.00',
      promiseStatus: 'open',
      contactDate: '2026-02-14',
      author: 'hf.lead',
    });
    // HF-1 (hf.c1): promised 300.00 by 02-25 on 02-18
    await run('hf.c1', 'collection.log', {
      contractNo: 'HF-1',
      kind: 'visit',
      result: 'promised',
      promiseAmount: '300.00',
      promiseDate: '2026-02-25',
      note: '客户说月底前付',
      contactedAt: '2026-02-18T15:30+08:00',
    });
    await run('hf.c1', 'collection.log', { contractNo: 'HF-1', kind: 'sms', result: 'unreachable', contactedAt: '2026-03-20T09:00' });
    const before = await count('collection_contacts');
    const log = (who: string, extra: Record<string, string>) =>
      run(who, 'collection.log', {
        contractNo: 'HF-1',
        kind: 'call',
        result: 'promised',
        contactedAt: '2026-03-01T09:00',
        ...extra,
      } as never);
    await expect(log('hf.c1', { promiseDate: '2026-03-05' })).rejects.toThrow(/^promiseAmount: missing/);
    await expect(log('hf.c1', { promiseAmount: '0', promiseDate: '2026-03-05' })).rejects.toThrow(/^promiseAmount: "0"/);
    await expect(log('hf.c1', { promiseAmount: '10' })).rejects.toThrow(/^promiseDate: missing/);
    await expect(log('hf.c1', { promiseAmount: '10', promiseDate: '2026-02-28' })).rejects.toThrow(
      /^promiseDate: "2026-02-28" — expected a date on or after the contact's date 2026-03-01/,
    );
    await expect(log('hf.c1', { result: 'refused', promiseAmount: '10' })).rejects.toThrow(/^promiseAmount: "10.00" — expected no promise/);
    await expect(log('hf.c1', { kind: 'fax', promiseAmount: '10', promiseDate: '2026-03-05' })).rejects.toThrow(
      /^kind: "fax" — expected one of call, visit, sms, letter/,
    );
    // a collector of another team, another dealer's staff: not found
    await expect(log('hf.c2', { result: 'refused' })).rejects.toThrow(NotFound);
    await expect(log('wh.c1', { result: 'refused' })).rejects.toThrow(NotFound);
    await expect(run('wh.c1', 'collection.history', { contractNo: 'HF-1' })).rejects.toThrow(NotFound);
    expect(await count('collection_contacts')).toBe(before);
    const history = await run('hf.c1', 'collection.history', { contractNo: 'HF-1' });
    expect(history.contacts.map((k) => [k.kind, k.result, k.contactedAt])).toEqual([
      ['sms', 'unreachable', '2026-03-20T09:00:00+08:00'],
      ['visit', 'promised', '2026-02-18T15:30:00+08:00'],
    ]);
  });

  it('keeps files with a contact in the archive (--attach); a file of the wrong type refuses the whole contact', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zq-contact-'));
    // a PNG is its 8-byte signature and chunks; the archive checks the signature
    const png = path.join(dir, '现场照片.png');
    fs.writeFileSync(png, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]));
    const exe = path.join(dir, 'receipt.pdf');
    fs.writeFileSync(exe, Buffer.concat([Buffer.from('MZ'), Buffer.alloc(64)]));
    const logged = await run('hf.c1', 'collection.log', {
      contractNo: 'HF-1',
      kind: 'visit',
      result: 'refused',
      contactedAt: '2026-03-19T10:00',
      attach: [png],
    });
    expect(logged.attachments).toEqual([expect.objectContaining({ fileName: '现场照片.png', size: 72 })]);
    const listed = await run('hf.c1', 'archive.list', { contract: 'HF-1', related: true });
    expect(listed.filter((a) => a.ownerKind === 'contact_log').map((a) => [a.ownerId, a.kind])).toEqual([[logged.id, 'contact_record']]);
    const contacts = await count('collection_contacts');
    const attachments = await count('attachments');
    await expect(
      run('hf.c1', 'collection.log', {
        contractNo: 'HF-1',
        kind: 'call',
        result: 'refused',
        contactedAt: '2026-03-21T11:00',
        attach: [exe],
      }),
    ).rejects.toThrow(/receipt\.pdf.*Windows executable/);
    // a collector of another team sees neither the contract's contacts nor their files
    await expect(run('hf.c2', 'archive.list', { contract: 'HF-1', related: true })).rejects.toThrow(NotFound);
    expect([await count('collection_contacts'), await count('attachments')]).toEqual([contacts, attachments]);
  });

  it('performance: money received credited to who held the contract on the value date', async () => {
    // HF-2: 400.00 on 02-10 (hf.c2 held it), 300.00 on 02-15 (hf.c1 from that day), 100.00 on 03-01 (after February)
    // HF-1: 250.00 on 02-20 (hf.c1)
    await receipt('HF-2', '400.00', '2026-02-10');
    await receipt('HF-2', '300.00', '2026-02-15');
    await receipt('HF-2', '100.00', '2026-03-01');
    await receipt('HF-1', '250.00', '2026-02-20');
    // February: hf.c1 300.00 + 250.00 = 550.00 (2 receipts, 2 contracts); hf.c2 400.00; total 950.00
    const all = await run('admin', 'collection.performance', { from: '2026-02-01', to: '2026-02-28' });
    expect(all.collectors.map((r) => [r.collector, r.contracts, r.receipts, r.received])).toEqual([
      ['hf.c1', 2, 2, '550.00'],
      ['hf.c2', 1, 1, '400.00'],
    ]);
    expect(all.total).toBe('950.00');
    // a collector sees their own line; another team's collector by name is not found
    const c2 = await run('hf.c2', 'collection.performance', { from: '2026-02-01', to: '2026-03-31' });
    expect(c2.collectors.map((r) => [r.collector, r.received])).toEqual([['hf.c2', '400.00']]);
    await expect(run('wh.c1', 'collection.performance', { from: '2026-02-01', to: '2026-02-28', collector: 'hf.c1' })).rejects.toThrow(
      NotFound,
    );
    // March adds HF-2's 100.00 to hf.c1: 650.00
    const c1 = await run('hf.lead', 'collection.performance', { from: '2026-02-01', to: '2026-03-31', collector: 'hf.c1' });
    expect(c1.collectors.map((r) => r.received)).toEqual(['650.00']);
  });

  it('the nightly figures from the lines’ cached paid amount equal the ledger’s line balances on every date', async () => {
    const { knex } = get().db;
    interface Row {
      contract_id: number;
      overdue: string;
      overdue_days: number;
      unpaid_run: number;
    }
    const figures = async (date: string, cached: boolean): Promise<Row[]> => {
      const f = contractFiguresSql(knex, date, knex('contracts as c').select('c.id'), { cached });
      return (
        await knex.raw(
          `SELECT contract_id, overdue::numeric(18,2)::text AS overdue, overdue_days, unpaid_run FROM (${f.sql}) x ORDER BY contract_id`,
          f.bindings,
        )
      ).rows;
    };
    // 02-10 and 02-15: HF-2's lines were paid later too (paid_last 03-01), so the cached path sums their postings
    for (const date of ['2026-01-10', '2026-02-10', '2026-02-11', '2026-02-15', '2026-02-20', '2026-03-01', '2026-03-31']) {
      const cached = new Map((await figures(date, true)).map((r) => [r.contract_id, r]));
      // the cached path reads only lines due before the date: a contract with none is absent there
      for (const row of await figures(date, false))
        expect(cached.get(row.contract_id) ?? { ...row, overdue: '0.00', overdue_days: 0, unpaid_run: 0 }, date).toEqual(row);
    }
  });

  it('assigns by rules: dry run prints the moves and writes nothing; the real run writes them', async () => {
    // WH contracts (no receipts) as of 03-31: outstanding 1,200.00, overdue 80 days (03-31 − 01-10)
    // rule 1 (WH01, outstanding ≤ 1,000.00) matches none; rule 2 (WH01, ≥ 60 days) gives all three to wh.c1
    const text = fs.readFileSync(new URL('../../fixtures/collection-rules.yaml', import.meta.url), 'utf8');
    const beforeRows = await count('collector_assignments');
    const dry = await run('admin', 'collection.assign', { rulesText: text, dryRun: true, asOf: '2026-03-31' });
    expect(dry.moves).toEqual([
      { dealer: 'WH01', contractNo: 'WH-2', from: 'wh.mgr', to: 'wh.c1', date: '2026-03-31', rule: 2 },
      { dealer: 'WH01', contractNo: 'WH-3', from: 'wh.c2', to: 'wh.c1', date: '2026-03-31', rule: 2 },
    ]);
    expect(dry.unchanged).toBe(1); // WH-1 is wh.c1's already
    expect(await count('collector_assignments')).toBe(beforeRows);
    expect(await get().db.knex('contracts').where('contract_no', 'WH-2').first('collector_id')).toEqual({
      collector_id: (await get().db.knex('users').where('username', 'wh.mgr').first('id')).id,
    });
    const real = await run('admin', 'collection.assign', { rulesText: text, asOf: '2026-03-31' });
    expect(real.moves).toEqual(dry.moves);
    expect(await holders('WH-3')).toEqual([
      { username: 'wh.c2', from: '1900-01-01', to: '2026-03-31', source: 'contract' },
      { username: 'wh.c1', from: '2026-03-31', to: null, source: 'rules' },
    ]);
    // wh.c1 now holds the three (its worklist, as of a night the batch ran, is checked with the nightly step below)
    const held = await get()
      .db.knex('contracts as c')
      .join('users as u', 'u.id', 'c.collector_id')
      .where('u.username', 'wh.c1')
      .orderBy('c.contract_no')
      .pluck('c.contract_no');
    expect(held).toEqual(['WH-1', 'WH-2', 'WH-3']);
  });

  it('refuses a bad rules file whole, naming the rule and field; nothing written', async () => {
    const before = await count('collector_assignments');
    const assign = (who: string, rulesText: string) => run(who, 'collection.assign', { rulesText, asOf: '2026-03-31' });
    await expect(assign('admin', 'rules:\n  - dealer: WH01\n    to: nobody\n')).rejects.toThrow(/^rule 1: to: "nobody"/);
    await expect(assign('admin', 'rules:\n  - to: wh.c1\n  - dealer: WH01\n    to: hf.c1\n')).rejects.toThrow(
      /^rule 2: to: "hf.c1" — expected a user of dealer WH01/,
    );
    await expect(assign('admin', 'rules:\n  - dealer: XX99\n    to: hf.c1\n')).rejects.toThrow(/^rule 1: dealer: "XX99"/);
    // no dealer in the rule: the first HF contract it matches refuses the run (hf.c2 is HF01's, WH-1 is WH01's)
    await expect(assign('admin', 'rules:\n  - minOverdueDays: 1\n    to: hf.c2\n')).rejects.toThrow(
      /^rule 1: to: "hf.c2" — expected a user of dealer WH01 for contract WH01\/WH-1/,
    );
    // dealer finance of HF01 cannot give to WH01's staff (not in their scope)
    await expect(assign('hf.fin', 'rules:\n  - to: wh.c1\n')).rejects.toThrow(/^rule 1: to: "wh.c1" — expected a user you can assign to/);
    expect(await count('collector_assignments')).toBe(before);
  });

  it('nightly: promises kept or broken, flags raised; a re-run of the date changes nothing', async () => {
    const { db, admin } = get();
    // a repossession rule for WH01 at 3 consecutive unpaid, a lock rule at 60 overdue days everywhere
    await run('admin', 'collection.rule.add', { action: 'lock', overdueDays: '60' });
    await run('admin', 'collection.rule.add', { action: 'repossession', consecutiveUnpaid: '3', dealer: 'WH01' });
    await expect(run('admin', 'collection.rule.add', { action: 'lock' })).rejects.toThrow(/exactly one condition/);
    await expect(run('hf.fin', 'collection.rule.add', { action: 'lock', overdueDays: '5' })).rejects.toThrow(/may not/);
    await runBatch(db, admin, { date: '2026-03-31' }, () => {});
    const promises = () =>
      db
        .knex('collection_contacts as k')
        .join('contracts as c', 'c.id', 'k.contract_id')
        .whereNotNull('k.promise_status')
        .orderBy('k.id')
        .select('c.contract_no', 'k.promise_status', 'k.decided_on', 'k.received');
    // HF-2 promised 300.00 by 02-20 from 02-14: receipts 02-14 … 02-20 = 300.00 (02-15) → kept
    // HF-1 promised 300.00 by 02-25 from 02-18: receipts 02-18 … 02-25 = 250.00 (02-20) → broken
    const decided = [
      { contract_no: 'HF-2', promise_status: 'kept', decided_on: '2026-03-31', received: '300.00' },
      { contract_no: 'HF-1', promise_status: 'broken', decided_on: '2026-03-31', received: '250.00' },
    ];
    expect(await promises()).toEqual(decided);
    const flags = () =>
      db
        .knex('collection_flags as f')
        .join('contracts as c', 'c.id', 'f.contract_id')
        .orderBy(['c.contract_no', 'f.action'])
        .select('c.contract_no', 'f.action', 'f.flagged_on', 'f.cleared_on');
    // installment 1 (due 01-10) outstanding on 03-31: 80 days ≥ 60 → lock, on every contract but HF-2: its 400.00 on
    // 02-10 paid inst. 1's penalty 31 days × 400.00 × 0.0005 = 6.20 and 393.80 of it, its 300.00 on 02-15 the rest
    // (6.20 and 0.02 of penalty) and then inst. 2; inst. 2 (due 02-10) is 49 days overdue < 60.
    // WH-1..3 have all three installments unpaid → repossession (3)
    const raised = await flags();
    expect(raised.filter((f) => f.action === 'lock').map((f) => f.contract_no)).toEqual([
      'HF-1',
      'HF-3',
      'HF-4',
      'HF-5',
      'WH-1',
      'WH-2',
      'WH-3',
    ]);
    expect(raised.filter((f) => f.action === 'repossession').map((f) => f.contract_no)).toEqual(['WH-1', 'WH-2', 'WH-3']);
    // the same date again (a recomputation from 03-31): the same decisions and flags
    await runBatch(db, admin, { date: '2026-03-31', recomputeFrom: '2026-03-31' }, () => {});
    expect(await promises()).toEqual(decided);
    expect(await flags()).toEqual(raised);
    // hf.c1's worklist: HF-1 (broken promise) before HF-2; each flagged for a lock; the last contact and promise shown
    const list = await run('hf.c1', 'collection.list', { asOf: '2026-03-31' });
    expect(list.contracts.map((c) => c.contractNo)).toEqual(['HF-1', 'HF-2']);
    const hf1 = list.contracts[0] as WorklistItem;
    expect(hf1.brokenPromise).toEqual({ amount: '300.00', date: '2026-02-25', brokenOn: '2026-03-31' });
    expect(hf1.lastContact).toEqual({ at: '2026-03-20T09:00:00+08:00', kind: 'sms', result: 'unreachable' });
    expect(hf1.flags.map((f) => f.action)).toEqual(['lock']);
    expect(hf1.overdueDays).toBe(80);
    // a collector of another team sees none of them, and cannot ask for hf.c1's
    const c2 = await run('hf.c2', 'collection.list', { asOf: '2026-03-31' });
    expect(c2.contracts).toEqual([]);
    await expect(run('wh.c1', 'collection.list', { asOf: '2026-03-31', collector: 'hf.c1' })).rejects.toThrow(NotFound);
    // a manager: the team's
    const lead = await run('hf.lead', 'collection.list', { asOf: '2026-03-31' });
    expect(lead.contracts.map((c) => c.contractNo).sort()).toEqual(['HF-1', 'HF-2', 'HF-3']);
  });

  it('clears flags when the condition no longer holds, and drops a settled contract', async () => {
    const { db, admin } = get();
    // WH-1 pays everything on 04-01: 1,200.00 and the penalty of its three installments to that day,
    // 81 days (01-11 … 04-01) × 0.20 = 16.20, 50 days × 0.20 = 10.00, 22 days × 0.20 = 4.40: 1,230.60
    const doc = await run('admin', 'receipt.register', { contractNo: 'WH-1', amount: '1230.60', valueDate: '2026-04-01' });
    await run('admin', 'receipt.confirm', { id: doc.id });
    await runBatch(db, admin, { date: '2026-04-01' }, () => {});
    const wh1 = await db
      .knex('collection_flags as f')
      .join('contracts as c', 'c.id', 'f.contract_id')
      .where('c.contract_no', 'WH-1')
      .orderBy('f.action')
      .select('f.action', 'f.cleared_on');
    expect(wh1).toEqual([
      { action: 'lock', cleared_on: '2026-04-01' },
      { action: 'repossession', cleared_on: '2026-04-01' },
    ]);
    await run('admin', 'settle.run', { contractNo: 'WH-1', date: '2026-04-01' });
    const list = await run('wh.c1', 'collection.list', { asOf: '2026-04-01' });
    // by default as of the last night the batch completed, and never later: penalty is known through it
    expect((await run('wh.c1', 'collection.list', {})).asOf).toBe('2026-04-01');
    await expect(run('wh.c1', 'collection.list', { asOf: '2026-04-02' })).rejects.toThrow(
      /^asOf: "2026-04-02" — expected a date up to 2026-04-01, the last date the nightly batch completed/,
    );
    expect(list.contracts.map((c) => c.contractNo).sort()).toEqual(['WH-2', 'WH-3']);
    // removing a rule clears its open flags
    const rules = await run('admin', 'collection.rule.list', {});
    const repossession = rules.find((r) => r.action === 'repossession');
    expect(repossession?.openFlags).toBe(2);
    await run('admin', 'collection.rule.remove', { id: String(repossession?.id), date: '2026-04-01' });
    expect((await run('admin', 'collection.rule.list', {})).map((r) => r.action)).toEqual(['lock']);
    expect(await db.knex('collection_flags').where('action', 'repossession').whereNull('cleared_on').count({ n: '*' })).toEqual([{ n: 0 }]);
    expect(await loadActor(db.knex, 'admin')).toBeTruthy();
  });
});
