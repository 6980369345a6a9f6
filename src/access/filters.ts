// The codes a list is filtered by (--dealer, --collector, --user): a code that names nobody is an error (exit 3),
// not an empty list, so that a typo in a cron job is not a silent zero. A code outside the actor's data scope is
// refused the same way, as if it did not exist: an empty list would tell a user of another dealer that it does.
// Every list that filters by them asks here.
import type { Knex } from 'knex';
import { NotFound } from '../core/errors.js';
import type { Actor } from './actor.js';
import { scopeDealers, scopeUsers } from './scope.js';

/** Refuses a dealer code that no dealer in the actor's scope has. */
export async function requireKnownDealer(knex: Knex, actor: Actor, code: string | undefined): Promise<void> {
  if (!code) return;
  if (!(await scopeDealers(knex('dealers as d').where('d.code', code), actor, 'd').first('d.id'))) throw new NotFound('dealer', code);
}

/** Refuses a username that no user in the actor's scope has (--collector, --user). */
export async function requireKnownUser(knex: Knex, actor: Actor, username: string | undefined, what = 'user'): Promise<void> {
  if (!username) return;
  if (!(await scopeUsers(knex('users as u').where('u.username', username), actor, 'u').first('u.id'))) throw new NotFound(what, username);
}
