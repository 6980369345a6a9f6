// Data scope (数据权限): the one place that decides which contracts a user may see. Every list, show, report
// and export goes through scopeContracts, so no command can forget it (DESIGN.md "Access").
// - a role with group scope (admin, group finance, auditor) sees every dealer;
// - a role with dealer scope (dealer finance, clerk) sees the user's dealer;
// - otherwise (collector, manager) the user sees the contracts assigned to them or to anybody below them
//   through reports_to, at any depth — and, for dealer staff, only within their dealer.
import type { Knex } from 'knex';
import { ROLES } from '../db/seed.js';
import type { Actor } from './actor.js';

export type Scope = { kind: 'group' } | { kind: 'dealer'; dealerId: number | null } | { kind: 'own'; userId: number; dealerId: number | null };

const ROLE_SCOPE = new Map<string, string>(ROLES.map((r) => [r.code, r.scope]));

export function scopeOf(actor: Actor): Scope {
  const scopes = actor.roles.map((r) => ROLE_SCOPE.get(r) ?? 'own');
  if (scopes.includes('group')) return { kind: 'group' };
  if (scopes.includes('dealer')) return { kind: 'dealer', dealerId: actor.dealerId };
  return { kind: 'own', userId: actor.id, dealerId: actor.dealerId };
}

/** SQL for the user and everybody below them through reports_to, at any depth (UNION stops a cycle). */
export const SUBORDINATES_SQL = `WITH RECURSIVE team(id) AS (
    SELECT ?::bigint
    UNION
    SELECT u.id FROM users u JOIN team t ON u.reports_to = t.id
  ) SELECT id FROM team`;

/** Restrict a query over contracts (aliased `alias`) to what the actor may see. */
export function scopeContracts<Q extends Knex.QueryBuilder>(query: Q, actor: Actor, alias = 'c'): Q {
  const scope = scopeOf(actor);
  if (scope.kind === 'group') return query;
  if (scope.kind === 'dealer') {
    query.where(`${alias}.dealer_id`, scope.dealerId ?? -1);
    return query;
  }
  if (scope.dealerId !== null) query.where(`${alias}.dealer_id`, scope.dealerId);
  query.whereRaw(`${alias}.collector_id IN (${SUBORDINATES_SQL})`, [scope.userId]);
  return query;
}
