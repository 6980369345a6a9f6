// Route tests: a user with a password, a clock the test moves, and a browser-like cookie jar over app.request().
import type { Hono } from 'hono';
import { runAction } from '../../src/app/run.js';
import type { Db } from '../../src/db/index.js';
import type { WebEnv } from '../../src/web/env.js';

export const PASSWORD = 'correct horse 1';

export async function addWebUser(db: Db, username: string, roles = ['manager']): Promise<void> {
  await runAction(db, 'admin', 'user.add', { username, name: `测试${username}`, roles }, { via: 'test' });
  await runAction(db, 'admin', 'user.passwd', { username, password: PASSWORD }, { via: 'test' });
}

export class Clock {
  constructor(public t = Date.parse('2026-06-01T02:00:00Z')) {}
  now = () => new Date(this.t);
  advance(ms: number) {
    this.t += ms;
  }
}

/** A browser: keeps the cookies the app sets and sends them back. */
export class Browser {
  cookies = new Map<string, string>();
  constructor(readonly app: Hono<WebEnv>) {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await this.app.request(path, { ...init, headers });
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /max-age=0/i.test(a)) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  get(path: string) {
    return this.request(path);
  }

  post(path: string, fields: Record<string, string>) {
    return this.request(path, { method: 'POST', body: new URLSearchParams(fields) });
  }

  /** The hidden field's value in a page. */
  static field(html: string, name: string): string {
    const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
    if (!m?.[1]) throw new Error(`no field ${name} in the page`);
    return m[1];
  }

  async login(username: string, password = PASSWORD, next = '/'): Promise<Response> {
    const page = await (await this.get('/login')).text();
    return this.post('/login', { _login: Browser.field(page, '_login'), username, password, next });
  }

  /** The CSRF token of the session, from the logout form of a page. */
  async csrf(): Promise<string> {
    return Browser.field(await (await this.get('/password')).text(), '_csrf');
  }
}
