// The web viewer's logins and sessions (issue 20). A session is a random token in an HttpOnly cookie; the database
// keeps only its SHA-256, the user, a CSRF token for the session's forms, and when it began and was last used:
// it ends after SESSION_IDLE_MS without a request or SESSION_MAX_MS after the login, whichever comes first.
// MAX_FAILED_LOGINS wrong passwords in a row lock the account for LOCKOUT_MS (the audit log records it).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import { writeAudit } from '../audit/index.js';
import { BadInput } from '../core/errors.js';
import type { Tx } from '../db/index.js';
import { setPassword, verifyPassword } from './users.js';

export const SESSION_IDLE_MS = 2 * 60 * 60 * 1000;
export const SESSION_MAX_MS = 12 * 60 * 60 * 1000;
export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MS = 15 * 60 * 1000;
/** A session's last use is written at most this often (not on every request). */
const TOUCH_MS = 60 * 1000;

export type LoginResult =
  | { ok: true; sessionToken: string; sessionId: string; csrfToken: string }
  | { ok: false; reason: 'wrong-password' | 'locked'; lockedUntil: string | null };

const token = () => randomBytes(32).toString('base64url');
export const sessionIdOf = (sessionToken: string) => createHash('sha256').update(sessionToken).digest('hex');

/**
 * Checks the actor's password at `now`. A right one starts a new session (a new id every login) and clears the
 * failures; a wrong one counts, and the fifth in a row locks the account. While locked, no password is checked.
 */
export async function login(tx: Tx, actor: Actor, password: string, now: Date): Promise<LoginResult> {
  const user = await tx('users').where({ id: actor.id }).forUpdate().first('password_hash', 'failed_logins', 'locked_until', 'dealer_id');
  const lockedUntil: Date | null = user.locked_until ? new Date(user.locked_until) : null;
  if (lockedUntil && lockedUntil > now) {
    await writeAudit(tx, actor, {
      action: 'login_refused',
      entity: 'user',
      entityId: actor.username,
      dealerId: user.dealer_id,
      details: { reason: 'locked' },
    });
    return { ok: false, reason: 'locked', lockedUntil: lockedUntil.toISOString() };
  }
  if (!(await verifyPassword(password, user.password_hash))) {
    const failures = (lockedUntil ? 0 : user.failed_logins) + 1;
    const lock = failures >= MAX_FAILED_LOGINS ? new Date(now.getTime() + LOCKOUT_MS) : null;
    await tx('users')
      .where({ id: actor.id })
      .update({ failed_logins: lock ? 0 : failures, locked_until: lock });
    await writeAudit(tx, actor, {
      action: 'login_failed',
      entity: 'user',
      entityId: actor.username,
      dealerId: user.dealer_id,
      details: { failures },
    });
    if (lock) {
      await writeAudit(tx, actor, {
        action: 'lockout',
        entity: 'user',
        entityId: actor.username,
        dealerId: user.dealer_id,
        details: { failures, until: lock.toISOString() },
      });
    }
    return { ok: false, reason: lock ? 'locked' : 'wrong-password', lockedUntil: lock?.toISOString() ?? null };
  }
  await tx('users').where({ id: actor.id }).update({ failed_logins: 0, locked_until: null });
  const sessionToken = token();
  const session = { id: sessionIdOf(sessionToken), user_id: actor.id, csrf_token: token(), created_at: now, last_seen_at: now };
  await tx('web_sessions').insert(session);
  await writeAudit(tx, actor, { action: 'login', entity: 'user', entityId: actor.username, dealerId: user.dealer_id });
  return { ok: true, sessionToken, sessionId: session.id, csrfToken: session.csrf_token };
}

/** Ends one of the actor's sessions. */
export async function logout(tx: Tx, actor: Actor, sessionId: string): Promise<{ ended: boolean }> {
  const ended = await tx('web_sessions').where({ id: sessionId, user_id: actor.id }).del();
  await writeAudit(tx, actor, { action: 'logout', entity: 'user', entityId: actor.username, dealerId: actor.dealerId });
  return { ended: ended > 0 };
}

/** One's own password, knowing the old one; the user's other sessions end (the current one stays). */
export async function changeOwnPassword(
  tx: Tx,
  actor: Actor,
  oldPassword: string,
  newPassword: string,
  keepSession: string | null,
): Promise<void> {
  const user = await tx('users').where({ id: actor.id }).forUpdate().first('password_hash');
  if (!(await verifyPassword(oldPassword, user.password_hash))) throw new BadInput('old password', '(hidden)', 'the current password');
  await setPassword(tx, actor, actor.username, newPassword);
  await tx('web_sessions')
    .where({ user_id: actor.id })
    .modify((q) => {
      if (keepSession) q.whereNot({ id: keepSession });
    })
    .del();
}

export interface LiveSession {
  sessionId: string;
  csrfToken: string;
  /** the session's user as loadActor reads one, in the same statement (a page's first statement, not its first three) */
  actor: Actor;
}

/**
 * The live session a cookie's token names at `now`, or null (unknown, expired, or its user deactivated). An
 * expired one is deleted; a live one's last use moves forward (at most once a minute).
 */
export async function findSession(knex: Knex, sessionToken: string, now: Date): Promise<LiveSession | null> {
  const id = sessionIdOf(sessionToken);
  const row = await knex('web_sessions as s')
    .join('users as u', 'u.id', 's.user_id')
    .where('s.id', id)
    .first(
      's.csrf_token',
      's.created_at',
      's.last_seen_at',
      'u.id',
      'u.username',
      'u.name',
      'u.dealer_id',
      'u.active',
      knex.raw(`array(SELECT r.role FROM user_roles r WHERE r.user_id = u.id ORDER BY r.role) AS roles`),
    );
  if (!row) return null;
  const created = new Date(row.created_at).getTime();
  const seen = new Date(row.last_seen_at).getTime();
  const t = now.getTime();
  if (!row.active || t - seen >= SESSION_IDLE_MS || t - created >= SESSION_MAX_MS) {
    await knex('web_sessions').where({ id }).del();
    return null;
  }
  if (t - seen > TOUCH_MS) await knex('web_sessions').where({ id }).update({ last_seen_at: now });
  const actor: Actor = { id: row.id, username: row.username, name: row.name, dealerId: row.dealer_id, roles: row.roles };
  return { sessionId: id, csrfToken: row.csrf_token, actor };
}

/** The two CSRF tokens are the same (in constant time). */
export function sameToken(expected: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
