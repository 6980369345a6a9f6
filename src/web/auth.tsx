// Logging in and out, and changing one's own password: the only pages besides /health and /static/* that a
// visitor without a session reaches is the login page. Each step runs through its action (session.login,
// session.logout, session.change-password), which writes the audit rows.
import { randomBytes } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Child } from 'hono/jsx';
import { loadActor } from '../access/actor.js';
import { runAction } from '../app/run.js';
import { BadInput, ExpectedError } from '../core/errors.js';
import { findSession, type LiveSession, sameToken } from '../organisation/sessions.js';
import type { WebEnv } from './env.js';
import { Layout } from './layout.js';

export const SESSION_COOKIE = 'zq_session';
/** The login form's own token (double submit): a page elsewhere cannot log a browser in as somebody else. */
const LOGIN_COOKIE = 'zq_login';

export interface AuthOptions {
  secureCookies: boolean;
  now: () => Date;
}

type Ctx = Context<WebEnv>;

export async function renderPage(c: Ctx, title: string, body: Child, status = 200): Promise<Response> {
  const loggedIn = c.get('actor');
  const page = (
    <Layout title={title} actor={loggedIn} csrfToken={c.get('csrfToken')} nonce={c.get('nonce')}>
      {body}
    </Layout>
  );
  return c.html(`<!DOCTYPE html>${await page.toString()}`, status as 200);
}

/** Only a path of this site: `/x`, never `//host` or a full URL. */
export function safeNext(next: string | undefined): string {
  return next && /^\/(?![/\\])/.test(next) ? next : '/';
}

const formText = (form: Record<string, unknown>, name: string): string => {
  const value = form[name];
  return typeof value === 'string' ? value : '';
};

function LoginForm({ token, next, username, message }: { token: string; next: string; username: string; message?: string }) {
  return (
    <div class="box">
      {message ? <p class="notice error">{message}</p> : null}
      <form method="post" action="/login">
        <input type="hidden" name="_login" value={token} />
        <input type="hidden" name="next" value={next} />
        <label for="username">用户名</label>
        <input type="text" id="username" name="username" value={username} autocomplete="username" required autofocus />
        <label for="password">密码</label>
        <input type="password" id="password" name="password" autocomplete="current-password" required />
        <p>
          <button type="submit">登录</button>
        </p>
      </form>
    </div>
  );
}

function loginPage(c: Ctx, options: AuthOptions, next: string, username: string, message?: string, status = 200) {
  // one token per browser while it keeps the cookie: a second tab (or the browser's own favicon request sent to the
  // login page) must not invalidate the form already shown
  const kept = getCookie(c, LOGIN_COOKIE);
  const token = kept && /^[A-Za-z0-9_-]{32}$/.test(kept) ? kept : randomBytes(24).toString('base64url');
  setCookie(c, LOGIN_COOKIE, token, { httpOnly: true, sameSite: 'Strict', secure: options.secureCookies, path: '/login' });
  return renderPage(c, '登录', <LoginForm token={token} next={next} username={username} message={message} />, status);
}

function when(iso: string | null): string {
  if (!iso) return '';
  return new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
}

/** /login and /logout, before the session middleware (they are reached without a session). */
export function registerLogin(app: Hono<WebEnv>, options: AuthOptions): void {
  app.get('/login', (c) => loginPage(c, options, safeNext(c.req.query('next')), ''));

  app.post('/login', async (c) => {
    const form = await c.req.parseBody();
    const next = safeNext(formText(form, 'next'));
    const username = formText(form, 'username').trim();
    const password = formText(form, 'password');
    const expected = getCookie(c, LOGIN_COOKIE);
    if (!expected || !sameToken(expected, formText(form, '_login'))) {
      return loginPage(c, options, next, username, '登录页面已过期，请重新输入。', 403);
    }
    const refused = '用户名或密码错误。';
    if (!username || !password) return loginPage(c, options, next, username, refused, 401);
    let actor: Awaited<ReturnType<typeof loadActor>>;
    try {
      actor = await loadActor(c.var.db.knex, username);
    } catch (err) {
      if (err instanceof ExpectedError) return loginPage(c, options, next, username, refused, 401);
      throw err;
    }
    const result = await runAction(c.var.db, actor, 'session.login', { password, now: options.now() }, { via: 'web' });
    if (!result.ok) {
      const message =
        result.reason === 'locked' ? `登录失败次数过多，账户已暂时锁定，请于 ${when(result.lockedUntil)} 之后再试。` : refused;
      return loginPage(c, options, next, username, message, result.reason === 'locked' ? 429 : 401);
    }
    deleteCookie(c, LOGIN_COOKIE, { path: '/login', secure: options.secureCookies });
    setCookie(c, SESSION_COOKIE, result.sessionToken, { httpOnly: true, sameSite: 'Lax', secure: options.secureCookies, path: '/' });
    return c.redirect(next, 303);
  });
}

/**
 * Every other route: a live session or the login page (a form post without one: 403), and on a request that can
 * change data (anything but GET and HEAD) the session's CSRF token, as the form field `_csrf` or the header
 * `X-CSRF-Token`, or 403.
 */
export function requireSession(options: AuthOptions) {
  return async (c: Ctx, next: () => Promise<void>): Promise<Response | undefined> => {
    const token = getCookie(c, SESSION_COOKIE);
    const session: LiveSession | null = token ? await findSession(c.var.db.knex, token, options.now()) : null;
    const reading = c.req.method === 'GET' || c.req.method === 'HEAD';
    if (!session) {
      if (token) deleteCookie(c, SESSION_COOKIE, { path: '/', secure: options.secureCookies });
      if (!reading) return renderPage(c, '请先登录', <p class="notice error">会话已结束，请重新登录。</p>, 403);
      const url = new URL(c.req.url);
      return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
    }
    if (!reading) {
      const type = c.req.header('content-type') ?? '';
      const form = /^(application\/x-www-form-urlencoded|multipart\/form-data)/.test(type) ? await c.req.parseBody() : {};
      const given = c.req.header('x-csrf-token') ?? formText(form, '_csrf');
      if (!sameToken(session.csrfToken, given)) {
        return renderPage(c, '请求被拒绝', <p class="notice error">表单已过期或来源不明（CSRF 校验失败），请返回页面重新提交。</p>, 403);
      }
    }
    c.set('actor', session.actor);
    c.set('sessionId', session.sessionId);
    c.set('csrfToken', session.csrfToken);
    await next();
    return undefined;
  };
}

function PasswordForm({ csrf, message, error }: { csrf: string; message?: string; error?: string }) {
  return (
    <div class="box">
      {message ? <p class="notice">{message}</p> : null}
      {error ? <p class="notice error">{error}</p> : null}
      <form method="post" action="/password">
        <input type="hidden" name="_csrf" value={csrf} />
        <label for="old">当前密码</label>
        <input type="password" id="old" name="oldPassword" autocomplete="current-password" required />
        <label for="new">新密码（至少 8 位）</label>
        <input type="password" id="new" name="newPassword" autocomplete="new-password" required minlength={8} />
        <label for="again">再次输入新密码</label>
        <input type="password" id="again" name="newPassword2" autocomplete="new-password" required minlength={8} />
        <p>
          <button type="submit">修改密码</button>
        </p>
      </form>
    </div>
  );
}

/** /logout and /password, after the session middleware. */
export function registerAccount(app: Hono<WebEnv>, options: AuthOptions): void {
  app.post('/logout', async (c) => {
    await runAction(c.var.db, c.var.actor, 'session.logout', { sessionId: c.var.sessionId }, { via: 'web' });
    deleteCookie(c, SESSION_COOKIE, { path: '/', secure: options.secureCookies });
    return c.redirect('/login', 303);
  });

  app.get('/password', (c) => renderPage(c, '修改密码', <PasswordForm csrf={c.var.csrfToken} />));

  app.post('/password', async (c) => {
    const form = await c.req.parseBody();
    const oldPassword = formText(form, 'oldPassword');
    const newPassword = formText(form, 'newPassword');
    const show = (error: string, status: number) =>
      renderPage(c, '修改密码', <PasswordForm csrf={c.var.csrfToken} error={error} />, status);
    if (newPassword !== formText(form, 'newPassword2')) return show('两次输入的新密码不一致。', 400);
    try {
      await runAction(
        c.var.db,
        c.var.actor,
        'session.change-password',
        { oldPassword, newPassword, sessionId: c.var.sessionId },
        { via: 'web' },
      );
    } catch (err) {
      if (err instanceof BadInput && err.field === 'old password') return show('当前密码不正确。', 400);
      if (err instanceof BadInput && err.field === 'password') return show('新密码须为 8 到 256 个字符。', 400);
      throw err;
    }
    return renderPage(c, '修改密码', <PasswordForm csrf={c.var.csrfToken} message="密码已修改；您在其他设备上的登录已结束。" />);
  });
}
