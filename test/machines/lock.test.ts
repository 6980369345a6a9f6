// Machine lock (锁机), issue 21 points 5 and 7, through the one entry point (runAction) as each user:
// overdue → lock requested → approved → confirmed (manual) → payment → unlock requested → approved → confirmed;
// the file-outbox provider (instruction file, good / failed / malformed acknowledgements); refusals; scope;
// automatic unlock on settlement when the dealer's setting says so.
//
// Each contract: interest free, 1,200.00 over 3 months from 2026-01-10 → 400.00 due 01-10, 02-10, 03-10.
// On 2026-02-15 line 1 is overdue: 400.00, 02-15 − 01-10 = 21 + 15 = 36 days; line 2 (due 02-10) is
// overdue too: 400.00, 5 days. Overdue 800.00, the oldest 36 days.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import type { Actor } from '../../src/access/actor.js';
import { type ActionName, actionNamed } from '../../src/app/catalogue.js';
import { type RawInput, runAction } from '../../src/app/run.js';
import { approve, inbox } from '../../src/approvals/engine.js';
import { addRule } from '../../src/approvals/rules.js';
import { NotFound, Refused } from '../../src/core/errors.js';
import { dec } from '../../src/core/money.js';
import { unlockSettled } from '../../src/machines/lock.js';
import { checkAcknowledgement } from '../../src/machines/providers.js';
import { findMachine, setMachineStatus } from '../../src/machines/status.js';
import { createContract } from '../../src/receivables/contracts.js';
import { confirmReceipt, registerReceipt } from '../../src/receivables/receipts.js';
import { settleContract, settlementQuote } from '../../src/receivables/settlement.js';
import { actor, buildOrganisation } from '../access/organisation.js';
import { type DbFixture, describeEachDb } from '../support/db.js';

const run = <N extends ActionName>(f: DbFixture, who: string, name: N, raw: RawInput<N>) =>
  runAction(f.db, who, name, raw, { via: 'test' });

async function machineContract(f: DbFixture, dealer: string, contractNo: string, collector: string, serial: string) {
  await f.db.knex.transaction((tx) =>
    createContract(tx, f.admin, {
      dealer,
      contractNo,
      collector,
      customer: { name: `客户${contractNo}` },
      machines: [{ serialNo: serial, model: 'SY215C' }],
      method: 'interest_free',
      principal: dec('1200.00'),
      annualRate: dec(0),
      termMonths: 3,
      firstDueDate: '2026-01-10',
    }),
  );
}

async function pay(f: DbFixture, dealer: string, contractNo: string, valueDate: string, amount: string) {
  await f.db.knex.transaction(async (tx) => {
    const doc = await registerReceipt(tx, f.admin, { contract: { contractNo, dealer }, valueDate, amount: dec(amount) });
    await confirmReceipt(tx, f.admin, doc.id);
  });
}

/** Pays everything owed on the date (penalty included) and settles the contract. */
async function payOffAndSettle(f: DbFixture, dealer: string, contractNo: string, date: string) {
  const quote = await settlementQuote(f.db.knex, f.admin, { contractNo, dealer, date });
  if (dec(quote.toPay).greaterThan(0)) await pay(f, dealer, contractNo, date, quote.toPay);
  await f.db.knex.transaction((tx) => settleContract(tx, f.admin, { contractNo, dealer, date }));
}

const count = async (f: DbFixture, table: string) => Number((await f.db.knex(table).count({ n: '*' }))[0]?.n);
const statusOf = async (f: DbFixture, serial: string) => (await f.db.knex('machines').where({ serial_no: serial }).first('status')).status;

describeEachDb('machine lock', (get) => {
  let outbox = '';
  let admin: Actor;

  it('sets up machines under contract and an approval rule for locks', async () => {
    const f = get();
    admin = f.admin;
    await buildOrganisation(f.db.knex, f.admin);
    await machineContract(f, 'HF01', 'HF-L1', 'hf.c1', 'SN-L1');
    await machineContract(f, 'HF01', 'HF-L2', 'hf.c1', 'SN-L2');
    await machineContract(f, 'HF01', 'HF-L3', 'hf.c1', 'SN-L3');
    await machineContract(f, 'HF01', 'HF-L4', 'hf.c1', 'SN-L4');
    await machineContract(f, 'HF01', 'HF-L5', 'hf.c1', 'SN-L5');
    await machineContract(f, 'WH01', 'WH-L1', 'wh.c1', 'SN-W1');
    await f.db.knex.transaction((tx) =>
      addRule(tx, f.admin, { documentType: 'machine_lock', condition: 'overdue_days >= 30', steps: ['role:dealer_finance'] }),
    );
    outbox = fs.mkdtempSync(path.join(os.tmpdir(), 'zq-outbox-'));
  });

  it('lists and shows machines in scope; sets the GPS device and location (audited)', async () => {
    const f = get();
    const rows = await run(f, 'hf.c1', 'machine.list', {});
    expect(rows.map((r) => r.serialNo)).toEqual(['SN-L1', 'SN-L2', 'SN-L3', 'SN-L4', 'SN-L5']);
    expect(rows[0]).toMatchObject({
      dealer: 'HF01',
      status: 'normal',
      statusLabel: '正常',
      contractNo: 'HF-L1',
      customer: '客户HF-L1',
      collector: 'hf.c1',
    });
    expect(await run(f, 'hf.c2', 'machine.list', {})).toEqual([]);
    expect((await run(f, 'gf', 'machine.list', { dealer: 'WH01' })).map((r) => r.serialNo)).toEqual(['SN-W1']);
    await run(f, 'hf.fin', 'machine.set', { serial: 'SN-L1', gpsDevice: 'GPS-0001', location: '合肥市蜀山区工地' });
    const shown = await run(f, 'hf.c1', 'machine.show', { serial: 'SN-L1' });
    expect(shown).toMatchObject({ gpsDeviceId: 'GPS-0001', location: '合肥市蜀山区工地', history: [], documents: [] });
    expect(await f.db.knex('audit_log').where({ action: 'machine.gps' }).count({ n: '*' })).toEqual([{ n: expect.anything() }]);
    await expect(run(f, 'wh.clerk', 'machine.set', { serial: 'SN-L1', location: 'x' })).rejects.toThrow(NotFound);
    await expect(run(f, 'hf.c1', 'machine.list', { status: 'broken' })).rejects.toThrow(/status/);
  });

  it('the road: overdue → lock requested → approved → confirmed → payment → unlock requested → approved → confirmed', async () => {
    const f = get();
    const request = await run(f, 'hf.c1', 'machine.lock.request', { serial: 'SN-L1', reason: '逾期两期，电话不接', date: '2026-02-15' });
    // 400.00 (36 days) + 400.00 (5 days) overdue on 02-15
    expect(request).toMatchObject({
      type: 'machine_lock',
      status: 'submitted',
      approval: 'pending',
      amount: '800.00',
      contractNo: 'HF-L1',
    });
    expect(request.data).toMatchObject({ serialNo: 'SN-L1', overdue_days: 36 });
    // a second request while one waits is refused
    await expect(run(f, 'hf.c1', 'machine.lock.request', { serial: 'SN-L1', reason: '再申请', date: '2026-02-15' })).rejects.toThrow(
      /waiting for approval/,
    );
    const fin = await actor(f.db.knex, 'hf.fin');
    expect((await inbox(f.db.knex, fin)).map((r) => r.documentId)).toContain(request.id);
    // confirming before approval is refused
    await expect(run(f, 'hf.fin', 'machine.lock.confirm', { id: request.id })).rejects.toThrow(/no instruction to confirm/);
    await f.db.knex.transaction((tx) => approve(tx, fin, request.id));
    expect(await statusOf(f, 'SN-L1')).toBe('lock_pending');
    // out of scope: another dealer's clerk, the collector's other-team colleague
    await expect(run(f, 'wh.clerk', 'machine.lock.confirm', { id: request.id })).rejects.toThrow(NotFound);
    // a collector may apply but not confirm
    await expect(run(f, 'hf.c1', 'machine.lock.confirm', { id: request.id })).rejects.toThrow(/needs one of/);
    await expect(run(f, 'hf.fin', 'machine.lock.confirm', { id: request.id, at: '2026-02-14 10:30' })).rejects.toThrow(
      /on or after the machine_lock request's date 2026-02-15/,
    );
    const confirmed = await run(f, 'hf.fin', 'machine.lock.confirm', { id: request.id, at: '2026-02-16 10:30' });
    expect(confirmed).toMatchObject({ result: 'done', at: '2026-02-16T10:30:00+08:00', status: 'locked' });
    await expect(run(f, 'hf.fin', 'machine.lock.confirm', { id: request.id })).rejects.toThrow(/already confirmed/);
    // locking a locked machine is refused
    await expect(run(f, 'hf.c1', 'machine.lock.request', { serial: 'SN-L1', reason: 'x', date: '2026-02-16' })).rejects.toThrow(
      /locked \(已锁机\): only a normal/,
    );

    // the customer pays both overdue installments and their penalty (daily rate 0.0005, no grace) to 02-20:
    // line 1: 400.00 × 0.0005 × 41 days (01-11 … 02-20) = 8.20; line 2: 400.00 × 0.0005 × 10 days (02-11 … 02-20)
    // = 2.00; 800.00 + 10.20 = 810.20. No rule for unlocks: approved at once, the instruction goes out.
    await pay(f, 'HF01', 'HF-L1', '2026-02-20', '810.20');
    const unlock = await run(f, 'hf.c1', 'machine.unlock.request', { serial: 'SN-L1', reason: '客户已还清逾期', date: '2026-02-20' });
    expect(unlock).toMatchObject({ type: 'machine_unlock', status: 'approved', approval: 'approved', amount: '0.00' });
    expect(await statusOf(f, 'SN-L1')).toBe('locked');
    await expect(run(f, 'hf.fin', 'machine.lock.confirm', { id: unlock.id })).rejects.toThrow(/the id of a machine_lock document/);
    const unlocked = await run(f, 'hf.fin', 'machine.unlock.confirm', { id: unlock.id, at: '2026-02-21T09:00:00+08:00' });
    expect(unlocked).toMatchObject({ action: 'unlock', result: 'done', status: 'normal' });

    const shown = await run(f, 'hf.lead', 'machine.show', { serial: 'SN-L1' });
    expect(shown.history.map((h) => [h.from, h.to, h.documentNo])).toEqual([
      ['normal', 'lock_pending', request.number],
      ['lock_pending', 'locked', request.number],
      ['locked', 'normal', unlock.number],
    ]);
    expect(shown.history.map((h) => h.date)).toEqual(['2026-02-15', '2026-02-16', '2026-02-21']);
    expect(shown.documents.map((d) => [d.number, d.status, d.provider, d.instructionStatus])).toEqual([
      [request.number, 'completed', 'manual', 'done'],
      [unlock.number, 'completed', 'manual', 'done'],
    ]);
    // nothing overdue any more on 02-20: a lock is refused
    await expect(run(f, 'hf.c1', 'machine.lock.request', { serial: 'SN-L1', reason: 'x', date: '2026-02-20' })).rejects.toThrow(
      /nothing is overdue/,
    );
  });

  it('refuses: a settled contract, a repossessed machine; out of scope is not found and writes nothing', async () => {
    const f = get();
    await payOffAndSettle(f, 'HF01', 'HF-L2', '2026-02-15');
    await expect(run(f, 'hf.c1', 'machine.lock.request', { serial: 'SN-L2', reason: '逾期', date: '2026-02-15' })).rejects.toThrow(
      /HF-L2 is settled .* accepts no machine lock/,
    );
    const m = await findMachine(f.db.knex, admin, 'SN-L5');
    await f.db.knex.transaction(async (tx) => {
      await setMachineStatus(tx, admin, m.id, 'repossession_pending', { date: '2026-02-10' });
      await setMachineStatus(tx, admin, m.id, 'repossessed', { date: '2026-02-12' });
    });
    await expect(run(f, 'hf.c1', 'machine.lock.request', { serial: 'SN-L5', reason: '逾期', date: '2026-02-15' })).rejects.toThrow(
      /repossessed \(已拖回\)/,
    );
    const documents = await count(f, 'documents');
    const audits = await count(f, 'audit_log');
    for (const who of ['hf.c2', 'wh.c1', 'wh.clerk']) {
      await expect(run(f, who, 'machine.lock.request', { serial: 'SN-L3', reason: '逾期', date: '2026-02-15' })).rejects.toThrow(NotFound);
      await expect(run(f, who, 'machine.show', { serial: 'SN-L3' })).rejects.toThrow(NotFound);
    }
    await expect(run(f, 'hf.c1', 'machine.lock.request', { serial: 'SN-W1', reason: '逾期', date: '2026-02-15' })).rejects.toThrow(
      NotFound,
    );
    expect(await count(f, 'documents')).toBe(documents);
    expect(await count(f, 'audit_log')).toBe(audits);
  });

  it('file-outbox: the instruction file, a good acknowledgement, a failed one, a malformed one', async () => {
    const f = get();
    const setting = await run(f, 'admin', 'machine.provider.set', { provider: 'file-outbox', dir: outbox, dealer: 'HF01' });
    expect(setting).toMatchObject({ dealer: 'HF01', provider: 'file-outbox', outboxDir: outbox, unlockOnSettlement: false });
    await expect(run(f, 'admin', 'machine.provider.set', { provider: 'file-outbox' })).rejects.toThrow(/dir/);
    await expect(run(f, 'hf.fin', 'machine.provider.set', { provider: 'manual' })).rejects.toThrow(/needs one of admin/);
    await run(f, 'hf.fin', 'machine.set', { serial: 'SN-L3', gpsDevice: 'GPS-0003' });
    const fin = await actor(f.db.knex, 'hf.fin');
    const lock = async (serial: string) => {
      const doc = await run(f, 'hf.c1', 'machine.lock.request', { serial, reason: '逾期', date: '2026-02-15' });
      await f.db.knex.transaction((tx) => approve(tx, fin, doc.id));
      return doc;
    };
    const l3 = await lock('SN-L3');
    const file = path.join(outbox, `${l3.number}.json`);
    const instruction = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(instruction).toEqual({
      id: l3.number,
      action: 'lock',
      serialNo: 'SN-L3',
      gpsDeviceId: 'GPS-0003',
      dealer: 'HF01',
      contractNo: 'HF-L3',
      documentNo: l3.number,
      requestedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/),
    });
    expect(fs.readdirSync(outbox).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    const l4 = await lock('SN-L4');
    expect(await statusOf(f, 'SN-L4')).toBe('lock_pending');

    const ack = (id: string, body: object) => fs.writeFileSync(path.join(outbox, `${id}.ack.json`), JSON.stringify({ id, ...body }));
    ack(l3.number, { result: 'done', at: '2026-02-16T08:15:00+08:00', location: '合肥市肥西县' });
    ack(l4.number, { result: 'failed', at: '2026-02-16T08:20:00+08:00', message: '设备离线' });
    // malformed: a result the format does not know; a stray file naming no instruction
    fs.writeFileSync(
      path.join(outbox, 'MACHINE-LOCK-999999.ack.json'),
      JSON.stringify({ id: 'MACHINE-LOCK-999999', result: 'done', at: '2026-02-16T08:00:00+08:00' }),
    );
    const before = await count(f, 'machine_status_history');
    const report = await run(f, 'hf.fin', 'machine.outbox.read', { dir: outbox });
    expect(report.processed.map((p) => [p.instructionId, p.result, p.status])).toEqual([
      [l3.number, 'done', 'locked'],
      [l4.number, 'failed', 'normal'],
    ]);
    expect(report.rejected).toEqual([
      {
        file: path.join(outbox, 'MACHINE-LOCK-999999.ack.json'),
        field: 'id',
        expected: expect.stringContaining('MACHINE-LOCK-999999 is none'),
      },
    ]);
    expect(await count(f, 'machine_status_history')).toBe(before + 2);
    expect(fs.readdirSync(path.join(outbox, 'done')).sort()).toEqual([`${l3.number}.ack.json`, `${l4.number}.ack.json`]);
    expect(fs.readdirSync(path.join(outbox, 'rejected'))).toEqual(['MACHINE-LOCK-999999.ack.json']);
    const l3shown = await run(f, 'hf.c1', 'machine.show', { serial: 'SN-L3' });
    expect(l3shown).toMatchObject({ status: 'locked', location: '合肥市肥西县', locationAt: '2026-02-16T08:15:00+08:00' });
    const l4shown = await run(f, 'hf.c1', 'machine.show', { serial: 'SN-L4' });
    expect(l4shown.history.map((h) => [h.to, h.note])).toEqual([
      ['lock_pending', `锁机已批准 ${l4.number}`],
      ['normal', '锁机失败 2026-02-16T08:20:00+08:00: 设备离线'],
    ]);
    // idempotent: a re-run finds nothing; the same acknowledgement again is moved to done/ and changes nothing
    expect(await run(f, 'hf.fin', 'machine.outbox.read', { dir: outbox })).toMatchObject({ processed: [], rejected: [], already: [] });
    ack(l3.number, { result: 'failed', at: '2026-02-17T08:00:00+08:00' });
    expect((await run(f, 'hf.fin', 'machine.outbox.read', { dir: outbox })).already).toHaveLength(1);
    expect(await statusOf(f, 'SN-L3')).toBe('locked');

    // malformed acknowledgement of a real instruction: moved aside, nothing changed
    const l4again = await lock('SN-L4');
    ack(l4again.number, { result: 'maybe', at: '2026-02-16T09:00:00+08:00' });
    const history = await count(f, 'machine_status_history');
    const malformed = await run(f, 'hf.fin', 'machine.outbox.read', {});
    expect(malformed.rejected).toEqual([
      { file: path.join(outbox, `${l4again.number}.ack.json`), field: 'result', expected: 'done or failed' },
    ]);
    expect(await count(f, 'machine_status_history')).toBe(history);
    expect(await statusOf(f, 'SN-L4')).toBe('lock_pending');
    expect(fs.existsSync(path.join(outbox, 'rejected', `${l4again.number}.ack.json`))).toBe(true);
  });

  it('a machine that moved on while its lock was pending keeps its status; the result is still recorded', async () => {
    const f = get();
    // SN-L4 is lock_pending (the malformed acknowledgement above); a repossession is approved meanwhile
    const m = await findMachine(f.db.knex, admin, 'SN-L4');
    await f.db.knex.transaction((tx) => setMachineStatus(tx, admin, m.id, 'repossession_pending', { date: '2026-02-16' }));
    const open = await f.db.knex('machine_lock_instructions').where({ machine_id: m.id, status: 'sent' }).first('document_id as id');
    const confirmed = await run(f, 'hf.fin', 'machine.lock.confirm', { id: open.id, at: '2026-02-17 08:00' });
    expect(confirmed).toMatchObject({ result: 'done', status: 'repossession_pending' });
    expect(await statusOf(f, 'SN-L4')).toBe('repossession_pending');
  });

  it('checks acknowledgement files field by field', () => {
    const good = { id: 'MACHINE-LOCK-000001', result: 'done', at: '2026-02-16T08:15:00+08:00' };
    expect(checkAcknowledgement(JSON.stringify(good))).toMatchObject({ ok: true, ack: { ...good, location: null, message: null } });
    expect(checkAcknowledgement('{not json')).toMatchObject({ ok: false, field: '(file)' });
    expect(checkAcknowledgement('[]')).toMatchObject({ ok: false, field: '(file)' });
    expect(checkAcknowledgement(JSON.stringify({ ...good, id: 7 }))).toMatchObject({ ok: false, field: 'id' });
    expect(checkAcknowledgement(JSON.stringify({ ...good, at: '2026-02-16 08:15' }))).toMatchObject({ ok: false, field: 'at' });
    expect(checkAcknowledgement(JSON.stringify({ ...good, location: 5 }))).toMatchObject({ ok: false, field: 'location' });
    expect(checkAcknowledgement(JSON.stringify({ ...good, message: 'x'.repeat(501) }))).toMatchObject({ ok: false, field: 'message' });
  });

  it('unlocks a settled contract’s locked machine by itself when the dealer’s setting says so, not otherwise', async () => {
    const f = get();
    // SN-L3 (HF01) is locked; SN-W1 (WH01) gets locked through the manual provider
    const w = await run(f, 'wh.c1', 'machine.lock.request', { serial: 'SN-W1', reason: '逾期', date: '2026-02-15' });
    await f.db.knex.transaction((tx) => approve(tx, admin, w.id));
    await run(f, 'wh.clerk', 'machine.lock.confirm', { id: w.id, at: '2026-02-16 11:00' });
    await payOffAndSettle(f, 'HF01', 'HF-L3', '2026-02-20');
    await payOffAndSettle(f, 'WH01', 'WH-L1', '2026-02-20');
    // the flag is off everywhere: nothing
    expect(await f.db.knex.transaction((tx) => unlockSettled(tx, admin, '2026-02-20'))).toEqual([]);
    await run(f, 'admin', 'machine.provider.set', { provider: 'file-outbox', dir: outbox, dealer: 'HF01', unlockOnSettlement: 'on' });
    // a date before the settlement: nothing yet
    expect(await f.db.knex.transaction((tx) => unlockSettled(tx, admin, '2026-02-19'))).toEqual([]);
    const done = await f.db.knex.transaction((tx) => unlockSettled(tx, admin, '2026-02-20'));
    expect(done.map((d) => [d.serialNo, d.contractNo])).toEqual([['SN-L3', 'HF-L3']]);
    const doc = await f.db.knex('documents').where({ id: done[0]?.documentId }).first('status', 'type', 'data');
    expect(doc).toMatchObject({ status: 'approved', type: 'machine_unlock' });
    expect(JSON.parse(fs.readFileSync(path.join(outbox, `${done[0]?.documentNo}.json`), 'utf8'))).toMatchObject({
      action: 'unlock',
      serialNo: 'SN-L3',
    });
    expect(await f.db.knex('audit_log').where({ action: 'machine.unlock.auto' }).count({ n: '*' })).toEqual([{ n: expect.anything() }]);
    // run again: the unlock is under way, nothing new; WH01 (flag off) stays locked
    expect(await f.db.knex.transaction((tx) => unlockSettled(tx, admin, '2026-02-21'))).toEqual([]);
    expect(await statusOf(f, 'SN-W1')).toBe('locked');
    fs.writeFileSync(
      path.join(outbox, `${done[0]?.documentNo}.ack.json`),
      JSON.stringify({ id: done[0]?.documentNo, result: 'done', at: '2026-02-21T07:00:00+08:00' }),
    );
    await run(f, 'hf.fin', 'machine.outbox.read', {});
    expect(await statusOf(f, 'SN-L3')).toBe('normal');
    expect(actionNamed('machine.outbox.read').mutates).toBe(true);
    expect(Refused).toBeDefined();
  });
});
