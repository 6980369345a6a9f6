// The organisation's actions: dealers (a tree under the group) and users (roles, manager, password). Dealers
// and users are not contracts or documents: the lists go through the data scope, the changes are admin-only
// (the permission matrix), and a password is one's own or, for an admin, anybody's (users.ts).
import { defineAction } from '../access/action.js';
import { ADMIN, EVERYONE } from '../access/role-sets.js';
import { BadInput } from '../core/errors.js';
import {
  addDealer,
  addUser,
  type DealerChanges,
  listDealers,
  listUsers,
  type NewDealer,
  type NewUser,
  showDealer,
  updateDealer,
} from './index.js';
import { changeOwnPassword, login, logout } from './sessions.js';
import { addRole, moveUser, removeRole, setPassword } from './users.js';

export const dealerAdd = defineAction({
  name: 'dealer.add',
  summary: 'add a dealer (or a region) under the group or a region',
  roles: ADMIN,
  mutates: true,
  parse: (raw: NewDealer) => raw,
  run: (tx, actor, input) => addDealer(tx, actor, input),
});

export const dealerUpdate = defineAction({
  name: 'dealer.update',
  summary: 'rename a dealer, move it or change its details',
  roles: ADMIN,
  mutates: true,
  parse: (raw: { code: string } & DealerChanges) => raw,
  run: (tx, actor, { code, ...changes }) => updateDealer(tx, actor, code, changes),
});

export const dealerList = defineAction({
  name: 'dealer.list',
  summary: 'the group, regions and dealers in the data scope',
  roles: EVERYONE,
  mutates: false,
  // plain SELECTs: no transaction (src/access/action.ts)
  transaction: 'none',
  parse: (raw: Record<string, never>) => raw,
  run: (tx, actor) => listDealers(tx, actor),
});

export const dealerShow = defineAction({
  name: 'dealer.show',
  summary: 'a dealer with its address, phone and bank account (the letterhead of printed documents)',
  roles: EVERYONE,
  mutates: false,
  parse: (raw: { code: string }) => raw,
  run: (tx, actor, input) => showDealer(tx, actor, input.code),
});

/** Roles as given: repeated, or several in one value separated by commas. */
function parseRoles(roles: string | readonly string[]): string[] {
  return [roles]
    .flat()
    .flatMap((r) => r.split(','))
    .map((r) => r.trim())
    .filter(Boolean);
}

export const userAdd = defineAction({
  name: 'user.add',
  summary: 'add a user with roles, a dealer and a manager',
  roles: ADMIN,
  mutates: true,
  parse: (raw: Omit<NewUser, 'roles'> & { roles: string | readonly string[] }): NewUser => ({ ...raw, roles: parseRoles(raw.roles) }),
  run: (tx, actor, input) => addUser(tx, actor, input),
});

export const userList = defineAction({
  name: 'user.list',
  summary: 'the users in the data scope',
  roles: EVERYONE,
  mutates: false,
  parse: (raw: { dealer?: string | undefined }) => raw,
  run: (tx, actor, input) => listUsers(tx, actor, input),
});

export const userMove = defineAction({
  name: 'user.move',
  summary: 'put a user (and everybody below them) under another manager, or at the top',
  roles: ADMIN,
  mutates: true,
  parse: (raw: { username: string; reportsTo?: string | undefined; top?: boolean | undefined }) => {
    if (Boolean(raw.reportsTo) === Boolean(raw.top))
      throw new BadInput('reportsTo', raw.reportsTo ?? null, 'a manager’s username, or --top (not both)');
    return { username: raw.username, manager: raw.top ? null : (raw.reportsTo as string) };
  },
  run: (tx, actor, input) => moveUser(tx, actor, input.username, input.manager),
});

export const userRoleAdd = defineAction({
  name: 'user.role.add',
  summary: 'give a user a role',
  roles: ADMIN,
  mutates: true,
  parse: (raw: { username: string; role: string }) => raw,
  run: (tx, actor, input) => addRole(tx, actor, input.username, input.role),
});

export const userRoleRemove = defineAction({
  name: 'user.role.remove',
  summary: 'take a role from a user',
  roles: ADMIN,
  mutates: true,
  parse: (raw: { username: string; role: string }) => raw,
  run: (tx, actor, input) => removeRole(tx, actor, input.username, input.role),
});

export const userPasswd = defineAction({
  name: 'user.passwd',
  summary: 'set the password of the web viewer: one’s own, or anybody’s for an admin',
  roles: EVERYONE,
  mutates: true,
  parse: (raw: { username?: string | undefined; password: string }) => raw,
  run: async (tx, actor, input) => {
    const username = input.username ?? actor.username;
    await setPassword(tx, actor, username, input.password);
    return { username, passwordSet: true as const };
  },
});

/** A date the adapter passes (the web's clock, injectable in tests); a string from the audit's copy is read back. */
const moment = (value: Date | string | undefined): Date => (value === undefined ? new Date() : new Date(value));

export const sessionLogin = defineAction({
  name: 'session.login',
  summary: 'log in to the web viewer with one’s password: a new session, or a counted failure (5 in a row lock the account)',
  roles: EVERYONE,
  mutates: true,
  parse: (raw: { password: string; now?: Date | undefined }) => ({ password: raw.password, now: moment(raw.now) }),
  run: (tx, actor, input) => login(tx, actor, input.password, input.now),
});

export const sessionLogout = defineAction({
  name: 'session.logout',
  summary: 'log out of the web viewer: the session ends',
  roles: EVERYONE,
  mutates: true,
  parse: (raw: { sessionId: string }) => raw,
  run: (tx, actor, input) => logout(tx, actor, input.sessionId),
});

export const sessionChangePassword = defineAction({
  name: 'session.change-password',
  summary: 'change one’s own password, giving the old one; one’s other sessions end',
  roles: EVERYONE,
  mutates: true,
  parse: (raw: { oldPassword: string; newPassword: string; sessionId?: string | undefined }) => raw,
  run: async (tx, actor, input) => {
    await changeOwnPassword(tx, actor, input.oldPassword, input.newPassword, input.sessionId ?? null);
    return { username: actor.username, passwordSet: true as const };
  },
});

export const organisationActions = [
  dealerAdd,
  dealerUpdate,
  dealerList,
  dealerShow,
  userAdd,
  userList,
  userMove,
  userRoleAdd,
  userRoleRemove,
  userPasswd,
  sessionLogin,
  sessionLogout,
  sessionChangePassword,
] as const;
