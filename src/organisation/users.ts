// Administering users' access: roles (several per user), moving a user to another manager (which moves their
// data scope with them), and passwords for the web viewer (scrypt with a random salt; never stored plain).
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import { isAdmin } from '../access/permissions.js';
import { writeAudit } from '../audit/index.js';
import { BadInput, NotAllowed, NotFound, Refused } from '../core/errors.js';
import type { Tx } from '../db/index.js';
import { findUser, type User } from './index.js';

async function userRow(knex: Knex, username: string): Promise<{ id: number; dealer_id: number | null; reports_to: number | null }> {
  const row = await knex('users').where({ username }).first('id', 'dealer_id', 'reports_to');
  if (!row) throw new NotFound('user', username);
  return row;
}

export async function addRole(tx: Tx, actor: Actor, username: string, role: string): Promise<User> {
  const user = await userRow(tx, username);
  const known: string[] = await tx('roles').orderBy('code').pluck('code');
  if (!known.includes(role)) throw new BadInput('role', role, `one of ${known.join(', ')}`);
  const inserted = await tx('user_roles').insert({ user_id: user.id, role }).onConflict(['user_id', 'role']).ignore().returning('role');
  if (inserted.length === 0) throw new Refused(`user ${username} already has role ${role}`);
  await writeAudit(tx, actor, { action: 'role_add', entity: 'user', entityId: username, dealerId: user.dealer_id, details: { role } });
  return findUser(tx, username);
}

export async function removeRole(tx: Tx, actor: Actor, username: string, role: string): Promise<User> {
  const user = await userRow(tx, username);
  if (role === 'admin') {
    const admins = await tx('user_roles as r')
      .join('users as u', 'u.id', 'r.user_id')
      .where({ 'r.role': 'admin', 'u.active': true })
      .pluck('u.id');
    if (admins.length === 1 && admins[0] === user.id)
      throw new Refused(`user ${username} is the last active admin: give another user the admin role first`);
  }
  const removed = await tx('user_roles').where({ user_id: user.id, role }).del();
  if (removed === 0) throw new Refused(`user ${username} does not have role ${role}`);
  await writeAudit(tx, actor, { action: 'role_remove', entity: 'user', entityId: username, dealerId: user.dealer_id, details: { role } });
  return findUser(tx, username);
}

/**
 * Moves a user (and everybody below them) under another manager, or to the top with `null`. Refuses a move
 * under the user's own subordinate, which would make reports_to a cycle.
 */
export async function moveUser(tx: Tx, actor: Actor, username: string, manager: string | null): Promise<User> {
  const user = await userRow(tx, username);
  const target = manager === null ? null : await userRow(tx, manager);
  if (target) {
    const below = await tx.raw(
      `WITH RECURSIVE team(id) AS (SELECT ?::bigint UNION SELECT u.id FROM users u JOIN team t ON u.reports_to = t.id)
       SELECT 1 FROM team WHERE id = ?`,
      [user.id, target.id],
    );
    if (below.rows.length > 0) throw new Refused(`cannot move ${username} under ${manager}: ${manager} is ${username} or reports to them`);
  }
  const from = user.reports_to === null ? null : ((await tx('users').where({ id: user.reports_to }).first('username'))?.username ?? null);
  await tx('users')
    .where({ id: user.id })
    .update({ reports_to: target?.id ?? null });
  await writeAudit(tx, actor, {
    action: 'move',
    entity: 'user',
    entityId: username,
    dealerId: user.dealer_id,
    details: { from, to: manager },
  });
  return findUser(tx, username);
}

const SCRYPT = { N: 16384, r: 8, p: 1, keyLength: 64, saltBytes: 16 } as const;
export const PASSWORD_MIN_LENGTH = 8;
const PASSWORD_MAX_LENGTH = 256;

function derive(password: string, salt: Buffer, N: number, r: number, p: number, keyLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, { N, r, p, maxmem: 256 * N * r }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** `scrypt$N$r$p$salt$hash` (salt and hash base64): the parameters travel with the hash so they can grow. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SCRYPT.saltBytes);
  const key = await derive(password, salt, SCRYPT.N, SCRYPT.r, SCRYPT.p, SCRYPT.keyLength);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parts = stored?.split('$') ?? [];
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64');
  const key = await derive(password, Buffer.from(salt, 'base64'), Number(n), Number(r), Number(p), expected.length);
  return timingSafeEqual(key, expected);
}

/** Sets a user's password: one's own, or anybody's for an admin. */
export async function setPassword(tx: Tx, actor: Actor, username: string, password: string): Promise<void> {
  const user = await userRow(tx, username);
  if (user.id !== actor.id && !isAdmin(actor)) throw new NotAllowed(`${actor.username} may set only their own password (not ${username})`);
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
    throw new BadInput('password', '(hidden)', `${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`);
  }
  await tx('users')
    .where({ id: user.id })
    .update({ password_hash: await hashPassword(password) });
  await writeAudit(tx, actor, { action: 'passwd', entity: 'user', entityId: username, dealerId: user.dealer_id });
}
