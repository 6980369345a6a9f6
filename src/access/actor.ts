// The acting user (`--as` / ZQ_USER): who the audit row names and whose permissions and scope apply.
import type { Knex } from 'knex';
import { BadInput, NotAllowed } from '../core/errors.js';
import { ADMIN_USERNAME } from '../db/seed.js';

export interface Actor {
  id: number;
  username: string;
  name: string;
  dealerId: number | null;
  roles: string[];
}

/**
 * The acting user's name: --as, then ZQ_USER. A command that changes data requires one (exit 2 without it),
 * so that its audit row names a person; a read without one runs as admin (whoever can open the database can
 * read it; the web viewer logs people in with their password).
 */
export function actorUsername(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, mutates = true): string {
  const name = flag ?? (env.ZQ_USER || undefined);
  if (name !== undefined) return name;
  if (mutates) throw new BadInput('--as', null, 'the acting user for a command that changes data (--as USER or ZQ_USER, e.g. --as admin)');
  return ADMIN_USERNAME;
}

export async function loadActor(knex: Knex, username: string): Promise<Actor> {
  const user = await knex('users').where({ username }).first('id', 'username', 'name', 'dealer_id', 'active');
  if (!user) throw new NotAllowed(`--as: user ${JSON.stringify(username)} does not exist`).suggest({ action: 'user.list' });
  if (!user.active) throw new NotAllowed(`--as: user ${JSON.stringify(username)} is deactivated`);
  const roles = await knex('user_roles').where({ user_id: user.id }).orderBy('role').pluck('role');
  return { id: user.id, username: user.username, name: user.name, dealerId: user.dealer_id, roles };
}
