// 设备 pages: /machines lists the machines in the user's scope with a status filter; /machines/:serial shows one
// with its dated status history and its lock documents; another team's or another dealer's machine is 404 like
// a missing one.
import { beforeAll, expect, it } from 'vitest';
import { runAction } from '../../src/app/run.js';
import { createApp } from '../../src/web/app.js';
import { describeEachDb } from '../support/db.js';
import { Browser } from './support.js';
import { BATCH_DATE, buildWorld } from './world.js';

describeEachDb('web machine pages', (get) => {
  const as = async (username: string) => {
    const b = new Browser(createApp(get().db));
    expect((await b.login(username)).status).toBe(303);
    return b;
  };

  beforeAll(async () => {
    await buildWorld(get().db);
    // HF-X (3,000.00 over 3 months from 01-10) is overdue on the batch date: hf.c1 applies, no rule, sent at once
    await runAction(
      get().db,
      'hf.c1',
      'machine.lock.request',
      { serial: 'SY215C-7788', reason: '逾期未还', date: BATCH_DATE },
      { via: 'test' },
    );
  }, 120_000);

  it('lists the scope’s machines with their status, and filters by status', async () => {
    const c1 = await as('hf.c1');
    const res = await c1.get('/machines');
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const text of ['设备', 'SY215C-7788', '待锁机', 'HF-X', '/machines/SY215C-7788?dealer=HF01']) expect(html).toContain(text);
    expect(await (await c1.get('/machines?status=locked')).text()).not.toContain('SY215C-7788');
    expect(await (await c1.get('/machines?status=lock_pending')).text()).toContain('SY215C-7788');
    for (const other of ['hf.c2', 'wh.c1']) expect(await (await (await as(other)).get('/machines')).text()).not.toContain('SY215C-7788');
  });

  it('shows one machine with its history and documents; another team or dealer gets 404 like a missing one', async () => {
    const c1 = await as('hf.c1');
    const res = await c1.get('/machines/SY215C-7788');
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const text of ['状态历史', '正常', '待锁机', 'MACHINE-LOCK-', '逾期未还', '人工：已发出，待确认', BATCH_DATE])
      expect(html).toContain(text);
    expect((await c1.get('/machines/NOPE-1')).status).toBe(404);
    for (const other of ['hf.c2', 'wh.c1']) {
      const b = await as(other);
      const r = await b.get('/machines/SY215C-7788');
      expect(r.status, other).toBe(404);
      expect(await r.text()).toBe(await (await b.get('/machines/NOPE-1')).text());
    }
  });

  it('applies, confirms and asks to unlock through the page’s forms; another team or dealer gets 404 and nothing is written', async () => {
    const { db } = get();
    const documents = async () => Number((await db.knex('documents').count({ n: '*' }))[0]?.n);
    const status = async () => (await db.knex('machines').where({ serial_no: 'SY215C-7788' }).first('status')).status;
    const lock = await db.knex('documents').where({ type: 'machine_lock' }).first('id', 'number');
    const fin = await as('hf.fin');
    const page = await (await fin.get('/machines/SY215C-7788')).text();
    expect(page).toContain('确认锁机结果');
    expect(page).not.toContain('申请锁机'); // lock pending: nothing to apply for
    const before = await documents();
    for (const other of ['hf.c2', 'wh.c1']) {
      const b = await as(other);
      const csrf = await b.csrf();
      expect((await b.post(`/machines/SY215C-7788/confirm/${lock.id}`, { _csrf: csrf })).status, other).toBe(404);
      expect((await b.post('/machines/SY215C-7788/unlock', { _csrf: csrf, reason: 'x' })).status, other).toBe(404);
    }
    expect([await documents(), await status()]).toEqual([before, 'lock_pending']);
    const confirmed = await fin.post(`/machines/SY215C-7788/confirm/${lock.id}`, { _csrf: await fin.csrf(), at: `${BATCH_DATE}T09:00` });
    expect(confirmed.status).toBe(303);
    expect(await status()).toBe('locked');
    const c1 = await as('hf.c1');
    expect(await (await c1.get('/machines/SY215C-7788')).text()).toContain('申请解锁');
    const refused = await c1.post('/machines/SY215C-7788/unlock', { _csrf: await c1.csrf(), reason: '' });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('操作未完成');
    const applied = await c1.post('/machines/SY215C-7788/unlock', { _csrf: await c1.csrf(), reason: '客户已还清逾期款' });
    expect(applied.status).toBe(303);
    const unlock = await db.knex('documents').where({ type: 'machine_unlock' }).first('status');
    expect(unlock.status).toBe('approved'); // no rule: approved at once, the instruction sent; locked until confirmed
    expect(await status()).toBe('locked');
    const after = await (await c1.get(applied.headers.get('location') ?? '')).text();
    expect(after).toContain('解锁申请 MACHINE-UNLOCK-000001 已提交并已批准，指令已发出。');
  });
});
