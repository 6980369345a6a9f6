// /notifications: the user's own notifications and the unread count in the nav; marking read; another user's
// notification answers 404 and stays unread.
import { beforeAll, expect, it } from 'vitest';
import { runAction } from '../../src/app/run.js';
import { notify } from '../../src/notifications/index.js';
import { createApp } from '../../src/web/app.js';
import { actor, buildOrganisation } from '../access/organisation.js';
import { describeEachDb } from '../support/db.js';
import { Browser, PASSWORD } from './support.js';

describeEachDb('web notifications', (get) => {
  const ids: Record<string, number[]> = {};
  const app = () => createApp(get().db);
  const as = async (username: string) => {
    const b = new Browser(app());
    expect((await b.login(username)).status).toBe(303);
    return b;
  };
  const unreadOf = async (username: string) => (await runAction(get().db, username, 'notification.count', {}, { via: 'test' })).unread;

  beforeAll(async () => {
    const { db, admin } = get();
    await buildOrganisation(db.knex, admin);
    for (const username of ['hf.c1', 'hf.fin'])
      await runAction(db, 'admin', 'user.passwd', { username, password: PASSWORD }, { via: 'test' });
    const c1 = await actor(db.knex, 'hf.c1');
    const fin = await actor(db.knex, 'hf.fin');
    await db.knex.transaction(async (tx) => {
      await notify(tx, [c1.id], { kind: 'repossession_approved', title: '拖机申请已批准：SY-1', body: '待内勤登记。' });
      await notify(tx, [c1.id, c1.id, null], { kind: 'repossession_registered', title: '设备已拖回：SY-1', body: '已拖回。' });
      await notify(tx, [fin.id], { kind: 'repossession_registered', title: '财务的通知：SY-9', body: '已拖回。' });
    });
    ids.c1 = (await db.knex('notifications').where({ user_id: c1.id }).orderBy('id').pluck('id')).map(Number);
    ids.fin = (await db.knex('notifications').where({ user_id: fin.id }).orderBy('id').pluck('id')).map(Number);
  }, 120_000);

  it('sends a visitor without a session to the login page', async () => {
    const res = await new Browser(app()).get('/notifications');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^\/login\?next=/);
  });

  it('shows the user’s own notifications only, and the unread count in the nav of every page', async () => {
    const c1 = await as('hf.c1');
    const html = await (await c1.get('/notifications')).text();
    expect(html).toContain('设备已拖回：SY-1');
    expect(html).toContain('拖机申请已批准：SY-1');
    expect(html).not.toContain('财务的通知');
    expect(html).toContain('<a href="/notifications">通知（2）</a>');
    expect(await (await c1.get('/contracts')).text()).toContain('通知（2）');
    const fin = await (await (await as('hf.fin')).get('/notifications')).text();
    expect(fin).toContain('财务的通知：SY-9');
    expect(fin).not.toContain('SY-1');
  });

  it('marks one read, then all; another user’s notification is 404 and stays unread', async () => {
    const c1 = await as('hf.c1');
    const csrf = await c1.csrf();
    expect((await c1.post(`/notifications/${ids.fin?.[0]}/read`, { _csrf: csrf })).status).toBe(404);
    expect(await unreadOf('hf.fin')).toBe(1);
    expect((await c1.post(`/notifications/${ids.c1?.[0]}/read`, { _csrf: csrf })).status).toBe(303);
    expect(await unreadOf('hf.c1')).toBe(1);
    const only = await (await c1.get('/notifications?unread=1')).text();
    expect(only).toContain('设备已拖回：SY-1');
    expect(only).not.toContain('拖机申请已批准：SY-1');
    expect((await c1.post('/notifications/read-all', { _csrf: csrf })).status).toBe(303);
    expect(await unreadOf('hf.c1')).toBe(0);
    expect(await (await c1.get('/notifications')).text()).toContain('<a href="/notifications">通知</a>');
    expect(await unreadOf('hf.fin')).toBe(1);
  });
});
