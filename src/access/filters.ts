// The codes a list or report is filtered by (--dealer, --region, --collector, --user): a code that names nobody is
// an error (exit 3), not an empty list, so that a typo in a cron job is not a silent zero. A code the actor cannot
// see is refused the same way, as if it did not exist: an empty list would tell a user of another dealer that it
// does. A dealer or user the actor sees is one in their scope, or one of a contract in their scope (a user of no
// dealer may hold any dealer's contracts: the dealer is then seen through them, and they through the dealer's
// contracts: scope.ts seenDealers, seenUsers). Every list and report that filters by them asks here.
import type { Knex } from 'knex';
import { NotFound } from '../core/errors.js';
import type { Actor } from './actor.js';
import { seenDealers, seenUsers } from './scope.js';

/** Refuses a dealer code that no dealer the actor can see has. */
export async function requireKnownDealer(knex: Knex, actor: Actor, code: string | undefined): Promise<void> {
  if (!code) return;
  if (!(await seenDealers(knex, knex('dealers as d').where('d.code', code), actor).first('d.id'))) throw new NotFound('dealer', code);
}

/** Refuses a username that no user the actor can see has (--collector, --user). */
export async function requireKnownUser(knex: Knex, actor: Actor, username: string | undefined, what = 'user'): Promise<void> {
  if (!username) return;
  if (!(await seenUsers(knex, knex('users as u').where('u.username', username), actor).first('u.id'))) throw new NotFound(what, username);
}
