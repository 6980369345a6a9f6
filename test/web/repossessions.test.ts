// /repossessions (拖机): a collector applies through the form, the clerk registers and resells; another dealer's
// clerk gets 404 and a collector cannot register; a refusal shows the page again with the reason (400).
import { beforeAll, expect, it } from 'vitest';
import { runAction } from '../../src/app/run.js';
import { dec } from '../../src/core/money.js';
import { addUser } from '../../src/organisation/index.js';
import { createContract } from '../../src/receivables/contracts.js';
import { createApp } from '../../src/web/app.js';
import { buildOrganisation } from '../access/organisation.js';
import { describeEachDb } from '../support/db.js';
import { Browser, PASSWORD } from './support.js';

describeEachDb('web repossessions', (get) => {
  const app = () => createApp(get().db);
  const as = async (username: string) => {
    const b = new Browser(app());
    expect((await b.login(username)).status).toBe(303);
    return b;
  };
  const machine = async () => (await get().db.knex('machines').where({ serial_no: 'SY-W1' }).first('status')).status;
  let id = 0;

  beforeAll(async () => {
    const { db, admin } = get();
    await buildOrganisation(db.knex, admin);
    await db.knex.transaction(async (tx) => {
      await addUser(tx, admin, { username: 'hf.clerk', name: '合肥内勤', roles: ['clerk'], dealer: 'HF01' });
      await createContract(tx, admin, {
        dealer: 'HF01',
        contractNo: 'HF-W1',
        collector: 'hf.c1',
        customer: { name: '客户W1' },
        machines: [{ serialNo: 'SY-W1', model: 'SY215C' }],
        method: 'interest_free',
        principal: dec('30000.00'),
        annualRate: dec(0),
        termMonths: 3,
        firstDueDate: '2026-01-10',
      });
    });
    for (const username of ['hf.c1', 'hf.clerk', 'wh.clerk'])
      await runAction(db, 'admin', 'user.passwd', { username, password: PASSWORD }, { via: 'test' });
  }, 120_000);

  it('a collector applies through the form (no rule: approved at once)', async () => {
    const c1 = await as('hf.c1');
    const csrf = await c1.csrf();
    const bad = await c1.post('/repossessions/request', { _csrf: csrf, serial: 'SY-W1', reason: '', date: '2026-03-01' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('操作未完成');
    const res = await c1.post('/repossessions/request', { _csrf: csrf, serial: 'SY-W1', reason: '客户失联', date: '2026-03-01' });
    expect(res.status).toBe(303);
    expect(await machine()).toBe('repossession_pending');
    id = Number((await get().db.knex('documents').where({ type: 'repossession' }).first('id')).id);
    const html = await (await c1.get('/repossessions')).text();
    expect(html).toContain('SY-W1');
    expect(html).not.toContain('登记拖机'); // a collector has no registration form
  });

  it('another dealer’s clerk: 404 and nothing written; a collector may not register', async () => {
    const before = Number((await get().db.knex('audit_log').max({ id: 'id' }).first())?.id);
    const wh = await as('wh.clerk');
    const form = { _csrf: await wh.csrf(), date: '2026-03-05', location: '停车场' };
    expect((await wh.post(`/repossessions/${id}/register`, form)).status).toBe(404);
    expect(await (await wh.get('/repossessions')).text()).not.toContain('SY-W1');
    const c1 = await as('hf.c1');
    expect((await c1.post(`/repossessions/${id}/register`, { ...form, _csrf: await c1.csrf() })).status).toBeGreaterThanOrEqual(400);
    expect(await machine()).toBe('repossession_pending');
    // logins write their own audit rows; the refused registrations none
    expect(
      await get().db.knex('audit_log').where('id', '>', before).whereNotIn('action', ['login', 'session.login']).pluck('action'),
    ).toEqual([]);
  });

  it('the clerk registers it with costs and resells the machine', async () => {
    const clerk = await as('hf.clerk');
    expect(await (await clerk.get('/repossessions')).text()).toContain('登记拖机');
    const csrf = await clerk.csrf();
    const registered = await clerk.post(`/repossessions/${id}/register`, {
      _csrf: csrf,
      date: '2026-03-05',
      location: '合肥停车场',
      towingCost: '3000.00',
      storageCost: '800.00',
    });
    expect(registered.status).toBe(303);
    expect(await machine()).toBe('repossessed');
    const sold = await clerk.post(`/repossessions/${id}/dispose`, {
      _csrf: csrf,
      disposition: 'resold',
      date: '2026-03-20',
      amount: '25000.00',
    });
    expect(sold.status).toBe(303);
    expect(await machine()).toBe('resold');
    const html = await (await clerk.get('/repossessions')).text();
    expect(html).toContain('转售 25,000.00');
  });
});
