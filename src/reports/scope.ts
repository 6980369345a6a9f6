// What a report covers, within the actor's data scope: the dealer, region and collector flags resolved, and
// one that the actor cannot see (access/filters.ts) refused as if it did not exist (exit 3). Every report checks its
// flags here.
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import { scopeOf, seenDealers, seenUsers } from '../access/scope.js';
import { NotFound } from '../core/errors.js';

/** What a report covers: the dealer or region filter, else the group (within the actor's scope). */
export interface ReportScope {
  kind: 'group' | 'dealer' | 'region';
  code: string | null;
  name: string | null;
  /** the actor's username when their data scope is narrower than the group */
  limitedTo: string | null;
}

/** Resolves the dealer, region and collector flags within the actor's scope; an unseen one is not found. */
export async function checkScope(
  knex: Knex,
  actor: Actor,
  input: { dealer?: string | undefined; region?: string | undefined; collector?: string | undefined },
): Promise<ReportScope> {
  if (input.collector !== undefined) {
    const user = await seenUsers(knex, knex('users as u').where('u.username', input.collector), actor).first('u.id');
    if (!user) throw new NotFound('collector', input.collector);
  }
  const limitedTo = scopeOf(actor).kind === 'group' ? null : actor.username;
  if (input.dealer !== undefined) {
    const dealer = await seenDealers(
      knex,
      knex('dealers as d').where('d.kind', 'dealer').whereRaw('upper(d.code) = upper(?)', [input.dealer]),
      actor,
    ).first('d.code', 'd.name');
    if (!dealer) throw new NotFound('dealer', input.dealer);
    return { kind: 'dealer', code: dealer.code, name: dealer.name, limitedTo };
  }
  if (input.region !== undefined) {
    const region = await knex('dealers as r')
      .where('r.kind', 'region')
      .whereRaw('upper(r.code) = upper(?)', [input.region])
      .whereExists(seenDealers(knex, knex('dealers as d').select(knex.raw('1')).whereRaw('d.parent_id = r.id'), actor))
      .first('r.code', 'r.name');
    if (!region) throw new NotFound('region', input.region);
    return { kind: 'region', code: region.code, name: region.name, limitedTo };
  }
  return { kind: 'group', code: null, name: null, limitedTo };
}
