// The web viewer's app (issue 20): security headers and a body limit on every response, the static files, the
// health route and the login page without a session, then the session middleware (login required, CSRF token on
// every request that can change data) in front of the account routes and every page (routes/index.ts).
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { NONCE, secureHeaders } from 'hono/secure-headers';
import { ADMIN_USERNAME } from '../access/role-sets.js';
import { runAction } from '../app/run.js';
import type { Db } from '../db/index.js';
import { registerAccount, registerLogin, requireSession } from './auth.js';
import type { WebEnv } from './env.js';
import { errorPage, notFoundPage } from './errors.js';
import { ARCHIVE_UPLOAD_BODY_LIMIT, ARCHIVE_UPLOAD_PATH } from './routes/archive.js';
import { registerPages } from './routes/index.js';
import { STATIC_FILES } from './static.js';

export interface AppOptions {
  /** Mark cookies Secure (the server is behind HTTPS). */
  secureCookies?: boolean;
  /** The clock for sessions' expiry and lockouts (tests inject one). */
  now?: () => Date;
}

/** The largest request body accepted (forms only: imports run from the CLI; the archive's upload has its own). */
export const BODY_LIMIT_BYTES = 1024 * 1024;

export function createApp(db: Db, options: AppOptions = {}): Hono<WebEnv> {
  const auth = { secureCookies: options.secureCookies === true, now: options.now ?? (() => new Date()) };
  const app = new Hono<WebEnv>();

  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", NONCE],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
      xFrameOptions: 'DENY',
      xContentTypeOptions: 'nosniff',
      referrerPolicy: 'same-origin',
      strictTransportSecurity: auth.secureCookies ? 'max-age=31536000' : false,
    }),
  );
  app.use(async (c, next) => {
    c.set('db', db);
    c.set('nonce', (c.get('secureHeadersNonce' as never) as string | undefined) ?? '');
    await next();
  });
  const formLimit = bodyLimit({
    maxSize: BODY_LIMIT_BYTES,
    onError: () => {
      throw new HTTPException(413);
    },
  });
  // the archive's upload takes a file of up to 20 MB; every other request a form
  app.use((c, next) => (ARCHIVE_UPLOAD_PATH.test(c.req.path) ? ARCHIVE_UPLOAD_BODY_LIMIT(c, next) : formLimit(c, next)));

  app.get('/static/:name', (c) => {
    const file = STATIC_FILES[c.req.param('name')];
    if (!file) return notFoundPage(c);
    return c.body(file.body() as string, 200, { 'content-type': file.type, 'cache-control': 'public, max-age=3600' });
  });

  app.get('/favicon.ico', (c) => c.body(null, 204));

  app.get('/health', async (c) => {
    try {
      const status = await runAction(db, ADMIN_USERNAME, 'batch.status', { limit: 1 }, { via: 'web' });
      return c.json({ database: 'ok', lastBatchDate: status.lastCompleted });
    } catch (err) {
      return c.json({ database: 'unavailable', error: (err as Error).message.split('\n')[0] }, 503);
    }
  });

  registerLogin(app, auth);
  app.use(requireSession(auth));
  registerAccount(app, auth);
  registerPages(app);

  app.notFound(notFoundPage);
  app.onError((err, c) => errorPage(c, err));
  return app;
}
