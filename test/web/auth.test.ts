import { expect, it } from 'vitest';
import { createApp } from '../../src/web/app.js';
import { describeEachDb } from '../support/db.js';
import { addWebUser, Browser, Clock, PASSWORD } from './support.js';

describeEachDb('web login and sessions', (get) => {
  const clock = new Clock();
  const app = () => createApp(get().db, { now: clock.now });

  it('sends a visitor without a session to the login page, and lets /health, /login and /static through', async () => {
    await addWebUser(get().db, 'wang.wu');
    const b = new Browser(app());
    for (const path of ['/', '/contracts', '/password', '/anything']) {
      const res = await b.get(path);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(`/login?next=${encodeURIComponent(path)}`);
    }
    expect((await b.get('/login')).status).toBe(200);
    expect((await b.get('/static/app.css')).status).toBe(200);
    const health = await b.get('/health');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ database: 'ok', lastBatchDate: null });
    expect((await b.post('/logout', {})).status).toBe(403);
  });

  it('logs in with the right password, with a new session id each time, and out again', async () => {
    const b = new Browser(app());
    const res = await b.login('wang.wu', PASSWORD, '/password');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/password');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('zq_session='));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
    const first = b.cookies.get('zq_session');
    expect((await b.get('/password')).status).toBe(200);
    await b.login('wang.wu');
    expect(b.cookies.get('zq_session')).not.toBe(first);

    const second = b.cookies.get('zq_session');
    const csrf = await b.csrf();
    const out = await b.post('/logout', { _csrf: csrf });
    expect(out.status).toBe(303);
    expect(b.cookies.has('zq_session')).toBe(false);
    // the ended session does not come back with the old cookie
    const old = new Browser(app());
    old.cookies.set('zq_session', second ?? '');
    expect((await old.get('/password')).status).toBe(303);
  });
});
