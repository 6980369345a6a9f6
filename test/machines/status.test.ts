// A machine's status moves only as the table in src/machines/status.ts allows, each move a dated history row
// with its actor, audited; a machine is found through its contract, in the actor's scope.
import { expect, it } from 'vitest';
import { NotFound, Refused } from '../../src/core/errors.js';
import { dec } from '../../src/core/money.js';
import { canMove, findMachine, machineStatusHistory, setMachineStatus } from '../../src/machines/status.js';
import { createContract } from '../../src/receivables/contracts.js';
import { actor, buildOrganisation } from '../access/organisation.js';
import { describeEachDb } from '../support/db.js';

describeEachDb('machine status', (get) => {
  it('sets up a contract with a machine', async () => {
    const { db, admin } = get();
    await buildOrganisation(db.knex, admin);
    await db.knex.transaction((tx) =>
      createContract(tx, admin, {
        dealer: 'HF01',
        contractNo: 'HF-M1',
        collector: 'hf.c1',
        customer: { name: '客户M1' },
        machines: [{ serialNo: 'SY215C-9001', model: 'SY215C' }],
        method: 'interest_free',
        principal: dec('1200.00'),
        annualRate: dec(0),
        termMonths: 3,
        firstDueDate: '2026-01-10',
      }),
    );
  });

  it('is found in scope and not found outside it', async () => {
    const { db } = get();
    const c1 = await actor(db.knex, 'hf.c1');
    expect((await findMachine(db.knex, c1, 'SY215C-9001')).contractNo).toBe('HF-M1');
    for (const other of ['hf.c2', 'wh.c1', 'wh.clerk'])
      await expect(findMachine(db.knex, await actor(db.knex, other), 'SY215C-9001')).rejects.toThrow(NotFound);
    expect((await findMachine(db.knex, await actor(db.knex, 'hf.lead'), 'SY215C-9001')).status).toBe('normal');
  });

  it('moves only as allowed and keeps a dated history', async () => {
    const { db } = get();
    const fin = await actor(db.knex, 'hf.fin');
    const m = await findMachine(db.knex, fin, 'SY215C-9001');
    await db.knex.transaction(async (tx) => {
      await setMachineStatus(tx, fin, m.id, 'lock_pending', { date: '2026-03-01', note: 'lock approved' });
      await setMachineStatus(tx, fin, m.id, 'locked', { date: '2026-03-02' });
    });
    await expect(db.knex.transaction((tx) => setMachineStatus(tx, fin, m.id, 'resold', { date: '2026-03-03' }))).rejects.toThrow(Refused);
    const history = await machineStatusHistory(db.knex, m.id);
    expect(history.map((h) => [h.from, h.to, h.date, h.actor])).toEqual([
      ['normal', 'lock_pending', '2026-03-01', 'hf.fin'],
      ['lock_pending', 'locked', '2026-03-02', 'hf.fin'],
    ]);
    expect((await db.knex('machines').where({ id: m.id }).first('status')).status).toBe('locked');
    const audits = await db
      .knex('audit_log')
      .where({ action: 'machine.status', entity_id: String(m.id) })
      .count({ n: '*' });
    expect(Number(audits[0]?.n)).toBe(2);
  });

  it('never leaves resold or released, and a repossessed machine cannot be locked', () => {
    expect(canMove('resold', 'normal')).toBe(false);
    expect(canMove('released', 'locked')).toBe(false);
    expect(canMove('repossessed', 'lock_pending')).toBe(false);
    expect(canMove('repossessed', 'resold')).toBe(true);
  });
});
