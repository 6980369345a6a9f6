// Who may run what: the roles of each action (src/access/action.ts). The permission matrix is the catalogue of
// actions (src/app/catalogue.ts), each with its roles and whether it changes data; the one entry point
// (src/app/run.ts) checks them by the action's name before anything else, for the CLI and the web alike, and
// test/access/permissions.test.ts checks that the README's table is that catalogue, line for line.
// What a permitted user then SEES is the data scope (scope.ts); who may approve a step is the approval engine.

import { NotAllowed } from '../core/errors.js';
import type { Actor } from './actor.js';

export function hasRole(actor: Actor, roles: readonly string[]): boolean {
  return actor.roles.some((r) => roles.includes(r));
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
