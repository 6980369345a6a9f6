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

describeEachDb('web lockout, CSRF, expiry, headers', (get) => {
  const clock = new Clock();
  const app = () => createApp(get().db, { now: clock.now });

  it('locks an account after 5 wrong passwords in a row for 15 minutes, and the audit log says so', async () => {
    await addWebUser(get().db, 'zhao.liu');
    const b = new Browser(app());
    for (let i = 1; i <= 4; i++) expect((await b.login('zhao.liu', 'wrong password')).status).toBe(401);
    const fifth = await b.login('zhao.liu', 'wrong password');
    expect(fifth.status).toBe(429);
    expect(await fifth.text()).toContain('账户已暂时锁定');
    // locked: even the right password is refused
    expect((await b.login('zhao.liu')).status).toBe(429);
    const audit = await get().db.knex('audit_log').where({ entity: 'user', entity_id: 'zhao.liu' }).orderBy('id').pluck('action');
    expect(audit).toEqual([
      'create',
      'passwd',
      'login_failed',
      'login_failed',
      'login_failed',
      'login_failed',
      'login_failed',
      'lockout',
      'login_refused',
    ]);
    // each attempt is the session.login action's audit row too, the password never in it
    const attempts = await get().db.knex('audit_log').where({ action: 'session.login', actor: 'zhao.liu' }).pluck('details');
    expect(attempts).toHaveLength(6);
    expect(JSON.stringify(attempts)).not.toContain('wrong password');
    clock.advance(15 * 60 * 1000 + 1000);
    expect((await b.login('zhao.liu')).status).toBe(303);
  });

  it('says the same for an unknown user as for a wrong password', async () => {
    const b = new Browser(app());
    const res = await b.login('nobody', 'whatever pass');
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('用户名或密码错误');
  });

  it('refuses a request that changes data without the session’s CSRF token (403), and a login without the form’s token', async () => {
    const b = new Browser(app());
    await b.login('zhao.liu');
    expect((await b.post('/logout', {})).status).toBe(403);
    expect((await b.post('/logout', { _csrf: 'forged' })).status).toBe(403);
    expect((await b.post('/password', { oldPassword: PASSWORD, newPassword: 'x'.repeat(10), newPassword2: 'x'.repeat(10) })).status).toBe(
      403,
    );
    expect((await b.get('/password')).status).toBe(200); // still logged in
    const fresh = new Browser(app());
    expect((await fresh.post('/login', { username: 'zhao.liu', password: PASSWORD })).status).toBe(403);
    expect(fresh.cookies.has('zq_session')).toBe(false);
    // the header works as well as the form field
    const csrf = await b.csrf();
    expect((await b.request('/logout', { method: 'POST', headers: { 'x-csrf-token': csrf } })).status).toBe(303);
  });

  it('ends a session after 2 hours idle, and after 12 hours however busy', async () => {
    const b = new Browser(app());
    await b.login('zhao.liu');
    clock.advance(2 * 60 * 60 * 1000 - 60_000);
    expect((await b.get('/password')).status).toBe(200);
    clock.advance(2 * 60 * 60 * 1000 - 60_000); // used 1 min before the idle limit: still alive
    expect((await b.get('/password')).status).toBe(200);
    clock.advance(2 * 60 * 60 * 1000 + 1000);
    expect((await b.get('/password')).status).toBe(303);

    await b.login('zhao.liu');
    for (let h = 0; h < 12; h++) {
      clock.advance(60 * 60 * 1000);
      expect((await b.get('/password')).status).toBe(h < 11 ? 200 : 303);
    }
  });

  it('changes one’s own password with the old one; the other sessions end', async () => {
    const phone = new Browser(app());
    await phone.login('zhao.liu');
    const b = new Browser(app());
    await b.login('zhao.liu');
    const csrf = await b.csrf();
    const wrong = await b.post('/password', {
      _csrf: csrf,
      oldPassword: 'not it at all',
      newPassword: 'new secret 9',
      newPassword2: 'new secret 9',
    });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('当前密码不正确');
    const ok = await b.post('/password', { _csrf: csrf, oldPassword: PASSWORD, newPassword: 'new secret 9', newPassword2: 'new secret 9' });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('密码已修改');
    expect((await b.get('/password')).status).toBe(200);
    expect((await phone.get('/password')).status).toBe(303);
    expect((await new Browser(app()).login('zhao.liu')).status).toBe(401);
    expect((await new Browser(app()).login('zhao.liu', 'new secret 9')).status).toBe(303);
  });

  it('puts the security headers on every response, pages, errors and static files alike', async () => {
    const b = new Browser(app());
    await b.login('zhao.liu', 'new secret 9');
    for (const path of ['/login', '/password', '/no-such-page', '/static/app.css', '/health']) {
      const res = await b.get(path);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('same-origin');
    }
    const missing = await b.get('/no-such-page');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('未找到');
    expect((await b.get('/static/echarts.min.js')).headers.get('content-type')).toMatch(/javascript/);
    expect((await b.get('/static/nope.js')).status).toBe(404);
  });

  it('refuses a body over the limit with a plain page, and shows no stack for an error', async () => {
    const b = new Browser(app());
    await b.login('zhao.liu', 'new secret 9');
    const csrf = await b.csrf();
    const big = await b.request('/logout', {
      method: 'POST',
      headers: { 'x-csrf-token': csrf, 'content-type': 'application/x-www-form-urlencoded' },
      body: `x=${'a'.repeat(1024 * 1024 + 10)}`,
    });
    expect(big.status).toBe(413);
    expect(await big.text()).toContain('请求内容过大');
    const broken = createApp(get().db, { now: clock.now });
    broken.get('/boom', () => {
      throw new Error('secret internals at /src/x.ts:1');
    });
    const jar = new Browser(broken);
    jar.cookies = b.cookies;
    const err = await jar.get('/boom');
    expect(err.status).toBe(500);
    const text = await err.text();
    expect(text).toContain('服务器出错了');
    expect(text).not.toContain('secret internals');
  });
});
