// The codes a list is filtered by (--dealer, --collector, --user): a code that names nobody is an error (exit 3),
// not an empty list, so that a typo in a cron job is not a silent zero. Every list that filters by them asks here.
import type { Knex } from 'knex';
import { NotFound } from '../core/errors.js';

/** Refuses a dealer code no dealer has; a code out of the actor's scope still filters (to an empty list). */
export async function requireKnownDealer(knex: Knex, code: string | undefined): Promise<void> {
  if (!code) return;
  if (!(await knex('dealers').where({ code }).first('id'))) throw new NotFound('dealer', code);
}

/** Refuses a username no user has (--collector, --user). */
export async function requireKnownUser(knex: Knex, username: string | undefined, what = 'user'): Promise<void> {
  if (!username) return;
  if (!(await knex('users').where({ username }).first('id'))) throw new NotFound(what, username);
}
