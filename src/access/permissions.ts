// Who may run what: the role × command matrix (README "Users, data scope, approvals, locks and periods").
// Every command that opens the database goes through withContext (src/commands/context.ts), which looks the
// command up here by its path ('approval rule add'), refuses a role that is not listed (exit 3) and, for a
// command that changes data, requires an acting user (--as / ZQ_USER). A command missing from this table is
// refused as a programmer error (exit 1), and test/access/permissions.test.ts checks that every registered
// command is listed, so a new command cannot forget its permission.
// What a permitted user then SEES is the data scope (scope.ts); who may approve a step is the approval engine.

import { NotAllowed } from '../core/errors.js';
import type { Actor } from './actor.js';
import { ADMIN, BACK_OFFICE, EVERYONE, FINANCE, GROUP_FINANCE, ROLE_CODES, type RoleCode, STAFF } from './role-sets.js';

export { ROLE_CODES, type RoleCode };

export interface CommandPermission {
  /** The roles that may run it (any one of them suffices). */
  roles: readonly RoleCode[];
  /** Changes data: needs an explicit acting user and writes an audit row. */
  mutates: boolean;
}

const read = (roles: readonly RoleCode[] = EVERYONE): CommandPermission => ({ roles, mutates: false });
const write = (roles: readonly RoleCode[]): CommandPermission => ({ roles, mutates: true });

/**
 * The matrix. Commands of the first set (CLI.md) that later issues build are listed already, so that their
 * authors only check the line. `init` and `demo` work on the database directly and need no acting user.
 */
export const COMMAND_PERMISSIONS: Readonly<Record<string, CommandPermission>> = {
  'dealer add': write(ADMIN),
  'dealer update': write(ADMIN),
  'dealer list': read(),
  'user add': write(ADMIN),
  'user list': read(),
  'user move': write(ADMIN),
  'user role add': write(ADMIN),
  'user role remove': write(ADMIN),
  'user passwd': write(EVERYONE), // one's own password; an admin's for anybody (checked in the action)
  'contract create': write(BACK_OFFICE),
  'contract list': read(),
  'contract show': read(),
  'contract schedule': read(),
  'contract reschedule': write(BACK_OFFICE),
  'contract charge': write(BACK_OFFICE),
  import: write(BACK_OFFICE),
  // `zq import FILE --compare` runs another action (import.compare), which reads only: the readers of imports too
  'import --compare': read([...BACK_OFFICE, 'auditor']),
  'import list': read([...BACK_OFFICE, 'auditor']),
  'import show': read([...BACK_OFFICE, 'auditor']),
  'penalty rate set': write(GROUP_FINANCE),
  'penalty grace set': write(GROUP_FINANCE),
  'penalty rate list': read(),
  'penalty grace list': read(),
  'penalty type set': write(GROUP_FINANCE),
  'penalty type list': read(),
  'penalty show': read(),
  'batch run': write(GROUP_FINANCE),
  'batch status': read(),
  'receipt register': write(['admin', 'group_finance', 'dealer_finance', 'clerk', 'collector']),
  'receipt confirm': write(FINANCE),
  'receipt reverse': write(FINANCE),
  'receipt allocate': write(FINANCE),
  'receipt adjust': write(FINANCE),
  'receipt withdraw': write(['admin', 'group_finance', 'dealer_finance', 'clerk', 'collector']),
  'receipt list': read(),
  'receipt show': read(),
  'waiver request': write(STAFF),
  'refund request': write(BACK_OFFICE),
  'refund confirm': write(FINANCE),
  settle: write(FINANCE),
  'bad-debt register': write(FINANCE),
  buyback: write(FINANCE),
  'approval rule add': write(ADMIN),
  'approval rule list': read(['admin', 'group_finance', 'dealer_finance', 'auditor']),
  'approval rule remove': write(ADMIN),
  'approval rules load': write(ADMIN),
  'approval inbox': read(STAFF),
  'approval approve': write(STAFF),
  'approval reject': write(STAFF),
  'approval withdraw': write(STAFF),
  'approval show': read(),
  'doc list': read(),
  'doc show': read(),
  'doc lock': write(FINANCE),
  'doc unlock': write(FINANCE),
  'period close': write(GROUP_FINANCE),
  'period reopen': write(ADMIN),
  'period list': read(),
  'audit log': read(['admin', 'group_finance', 'dealer_finance', 'auditor']),
};

/** Commands that open the database without an acting user. */
export const NO_ACTOR_COMMANDS: readonly string[] = ['init', 'demo'];

export function commandPermission(path: string): CommandPermission {
  const permission = COMMAND_PERMISSIONS[path];
  if (!permission) throw new Error(`invariant broken: command "${path}" is not in the permission matrix (src/access/permissions.ts)`);
  return permission;
}

export function hasRole(actor: Actor, roles: readonly string[]): boolean {
  return actor.roles.some((r) => roles.includes(r));
}

/** Refuses (exit 3) an actor none of whose roles may run the command. */
export function requirePermission(actor: Actor, path: string): CommandPermission {
  const permission = commandPermission(path);
  if (!hasRole(actor, permission.roles)) {
    throw new NotAllowed(
      `${actor.username} (${actor.roles.join(', ') || 'no role'}) may not run \`zq ${path}\`: it needs one of ${permission.roles.join(', ')}`,
    );
  }
  return permission;
}

export function isAdmin(actor: Actor): boolean {
  return actor.roles.includes('admin');
}

/** An actor none of whose roles may run an action; an adapter may restate it naming its own command or page. */
export class RoleRefused extends NotAllowed {
  constructor(
    /** The actor with their roles, e.g. `hf.c1 (collector)`. */
    readonly who: string,
    readonly action: string,
    readonly roles: readonly string[],
  ) {
    super(`${who} may not ${action}: it needs one of ${roles.join(', ')}`);
  }
}

/** Refuses (exit 3) an actor none of whose roles may run the action, naming the roles that may. */
export function requireRoles(actor: Actor, action: { name: string; roles: readonly string[] }): void {
  if (!hasRole(actor, action.roles)) {
    throw new RoleRefused(`${actor.username} (${actor.roles.join(', ') || 'no role'})`, action.name, action.roles);
  }
}
