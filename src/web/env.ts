// What every web route sees (set by the session middleware in src/web/app.ts): the open database, the
// logged-in user as an Actor (the same one the CLI's --as loads), and the session's CSRF token for forms.
// Routes read and write only through runAction(c.var.db, c.var.actor, name, raw, { via: 'web' }).
import type { Actor } from '../access/actor.js';
import type { Db } from '../db/index.js';

export interface WebVariables {
  db: Db;
  actor: Actor;
  sessionId: string;
  csrfToken: string;
  /** the per-response nonce for the Content-Security-Policy (script tags carry it) */
  nonce: string;
}

export type WebEnv = { Variables: WebVariables };
