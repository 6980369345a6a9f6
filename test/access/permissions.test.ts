// The role × command matrix, the required acting user, roles management and passwords.
import fs from 'node:fs';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { type Actor, actorUsername } from '../../src/access/actor.js';
import { requireRoles } from '../../src/access/permissions.js';
import { ROLE_CODES } from '../../src/access/role-sets.js';
import { type ActionName, actionNamed, allActions } from '../../src/app/catalogue.js';
import { buildProgram } from '../../src/cli.js';
import { commandPath } from '../../src/commands/context.js';
import { BadInput, NotAllowed, Refused } from '../../src/core/errors.js';
import { ROLES } from '../../src/db/seed.js';
import { addRole, hashPassword, removeRole, setPassword, verifyPassword } from '../../src/organisation/users.js';
import { describeEachDb } from '../support/db.js';
import { actor, buildOrganisation } from './organisation.js';

function leaves(cmd: Command): Command[] {
  return cmd.commands.length === 0 ? [cmd] : cmd.commands.flatMap(leaves);
}

// An action's command is its name with spaces (approval.rule.add → zq approval rule add), except where one
// command runs several actions by a flag (`zq settle --reverse` runs settle.reverse).
const COMMAND_OF: Record<string, string> = {
  'import.run': 'import',
  'import.compare': 'import --compare',
  'settle.run': 'settle',
  'settle.reverse': 'settle --reverse',
  'settle.quote': 'settle --quote',
  'buyback.request': 'buyback',
  // the web viewer's own actions: `zq serve` runs them (/login, /logout, /password)
  'session.login': 'serve',
  'session.logout': 'serve',
  'session.change-password': 'serve',
  'backup.run': 'backup',
};
const commandOf = (action: string) => COMMAND_OF[action] ?? action.replaceAll('.', ' ');
/** Commands that work on the database itself, with no acting user and no action. */
const NO_ACTION_COMMANDS = ['init', 'demo', 'restore', 'backup verify'];

/** The README's line for an action: action, command, changes data, then one cell per role. */
function matrixLine(action: { name: string; roles: readonly string[]; mutates: boolean }): string {
  const cells = ROLE_CODES.map((r) => (action.roles.includes(r) ? '✓' : '')).join(' | ');
  return `| \`${action.name}\` | \`zq ${commandOf(action.name)}\` | ${action.mutates ? 'yes' : ''} | ${cells} |`;
}

const someone = (roles: string[]): Actor => ({ id: 99, username: 'x', name: 'x', dealerId: null, roles });
const refusal = (roles: string[], action: ActionName) => () => requireRoles(someone(roles), actionNamed(action));

describe('the permission matrix is the catalogue of actions', () => {
  it('is the table in the README, line for line', () => {
    const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const lines = allActions().map(matrixLine);
    const missing = lines.filter((line) => !readme.includes(line));
    expect(missing, `README lines to write:\n${lines.join('\n')}`).toEqual([]);
    expect(readme.match(/^\| `[a-z-]+(\.[a-z-]+)+` \| `zq /gm)).toHaveLength(lines.length);
  });
  it('every command the program registers runs an action of the matrix (a new command cannot forget its permission)', () => {
    const paths = leaves(buildProgram()).map(commandPath);
    const commands = new Set(allActions().map((a) => commandOf(a.name).split(' --')[0]));
    expect(paths.filter((p) => !commands.has(p) && !NO_ACTION_COMMANDS.includes(p))).toEqual([]);
    const all = (cmd: Command): Command[] => [cmd, ...cmd.commands.flatMap(all)];
    const every = all(buildProgram()).map(commandPath);
    expect([...commands].filter((c) => !every.includes(c as string))).toEqual([]);
  });

  it('names only seeded roles', () => {
    expect([...ROLE_CODES].sort()).toEqual(ROLES.map((r) => r.code).sort());
  });

  it.each([
    ['collector', 'dealer.add', false],
    ['admin', 'dealer.add', true],
    ['collector', 'contract.list', true],
    ['collector', 'doc.lock', false],
    ['dealer_finance', 'doc.lock', true],
    ['clerk', 'doc.unlock', false],
    ['dealer_finance', 'period.close', false],
    ['group_finance', 'period.close', true],
    ['group_finance', 'period.reopen', false],
    ['admin', 'period.reopen', true],
    ['manager', 'audit.log', false],
    ['auditor', 'audit.log', true],
    ['auditor', 'approval.approve', false],
    ['manager', 'approval.approve', true],
    ['collector', 'approval.rule.add', false],
  ] as const)('%s → %s: %s', (role, action, allowed) => {
    if (allowed) expect(refusal([role], action)).not.toThrow();
    else expect(refusal([role], action)).toThrow(NotAllowed);
  });

  it('several roles: any one suffices; no role: nothing', () => {
    expect(refusal(['collector', 'dealer_finance'], 'doc.lock')).not.toThrow();
    expect(refusal([], 'contract.list')).toThrow(/no role/);
  });

  it('a command that changes data requires an acting user; a read defaults to admin', () => {
    expect(() => actorUsername(undefined, {}, true)).toThrow(BadInput);
    expect(() => actorUsername(undefined, { ZQ_USER: '' }, true)).toThrow(/--as/);
    expect(actorUsername(undefined, { ZQ_USER: 'li.si' }, true)).toBe('li.si');
    expect(actorUsername('wang', { ZQ_USER: 'li.si' }, true)).toBe('wang');
    expect(actorUsername(undefined, {}, false)).toBe('admin');
  });

  it('hashes passwords with scrypt and a random salt', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('correct horse');
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('wrong horse!', a)).toBe(false);
    expect(await verifyPassword('correct horse', null)).toBe(false);
  });
});

describeEachDb('roles and passwords', (get) => {
  it('gives and takes roles, audited; refuses duplicates, unknown roles and removing the last admin', async () => {
    const { db, admin } = get();
    await buildOrganisation(db.knex, admin);
    const added = await db.knex.transaction((tx) => addRole(tx, admin, 'hf.c1', 'clerk'));
    expect(added.roles).toEqual(['clerk', 'collector']);
    expect((await actor(db.knex, 'hf.c1')).roles).toEqual(['clerk', 'collector']);
    await expect(db.knex.transaction((tx) => addRole(tx, admin, 'hf.c1', 'clerk'))).rejects.toThrow(Refused);
    await expect(db.knex.transaction((tx) => addRole(tx, admin, 'hf.c1', 'boss'))).rejects.toThrow(BadInput);
    const removed = await db.knex.transaction((tx) => removeRole(tx, admin, 'hf.c1', 'clerk'));
    expect(removed.roles).toEqual(['collector']);
    await expect(db.knex.transaction((tx) => removeRole(tx, admin, 'admin', 'admin'))).rejects.toThrow(/last active admin/);
    const rows = await db
      .knex('audit_log')
      .where({ entity: 'user', entity_id: 'hf.c1' })
      .whereIn('action', ['role_add', 'role_remove'])
      .orderBy('id');
    expect(rows.map((r) => [r.action, r.actor, r.details.role])).toEqual([
      ['role_add', 'admin', 'clerk'],
      ['role_remove', 'admin', 'clerk'],
    ]);
  });

  it('sets a password as a hash: one’s own, or anybody’s as admin; audited', async () => {
    const { db, admin } = get();
    const c1 = await actor(db.knex, 'hf.c1');
    await db.knex.transaction((tx) => setPassword(tx, c1, 'hf.c1', 'hunter2hunter2'));
    await expect(db.knex.transaction((tx) => setPassword(tx, c1, 'hf.c2', 'hunter2hunter2'))).rejects.toThrow(NotAllowed);
    await expect(db.knex.transaction((tx) => setPassword(tx, c1, 'hf.c1', 'short'))).rejects.toThrow(BadInput);
    await db.knex.transaction((tx) => setPassword(tx, admin, 'hf.c2', 'another-secret'));
    const stored = await db.knex('users').whereIn('username', ['hf.c1', 'hf.c2']).orderBy('username').pluck('password_hash');
    expect(await verifyPassword('hunter2hunter2', stored[0])).toBe(true);
    expect(await verifyPassword('another-secret', stored[1])).toBe(true);
    expect(stored.join('')).not.toContain('hunter2');
    expect(await db.knex('audit_log').where({ action: 'passwd' }).orderBy('id').pluck('actor')).toEqual(['hf.c1', 'admin']);
  });
});
