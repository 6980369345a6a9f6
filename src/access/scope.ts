// Data scope (数据权限): the one place that decides which rows a user may see. Every list, show, report and
// export goes through a scope function here (scopeContracts, scopeDocuments, scopeUsers, scopeDealers, scopeAudit,
// scopeImports; seenDealers and seenUsers for filter codes), so no command can forget it (DESIGN.md "Access").
// - a role with group scope (admin, group finance, auditor) sees every dealer;
// - a role with dealer scope (dealer finance, clerk) sees the user's dealer;
// - otherwise (collector, manager) the user sees the contracts assigned to them or to anybody below them
//   through reports_to, at any depth — and, for dealer staff, only within their dealer.
import type { Knex } from 'knex';
import { ROLES } from '../db/seed.js';
import type { Actor } from './actor.js';

export type Scope =
  | { kind: 'group' }
  | { kind: 'dealer'; dealerId: number | null }
  | { kind: 'own'; userId: number; dealerId: number | null };

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

function team(scope: { userId: number }): [string, number[]] {
  return [SUBORDINATES_SQL, [scope.userId]];
}

/**
 * Restrict a query over documents (aliased `alias`): group roles all, dealer roles their dealer's, otherwise
 * the documents the user or anybody below them wrote, or that concern a contract in their scope.
 */
export function scopeDocuments<Q extends Knex.QueryBuilder>(query: Q, actor: Actor, alias = 'doc'): Q {
  const scope = scopeOf(actor);
  if (scope.kind === 'group') return query;
  if (scope.kind === 'dealer') {
    query.where(`${alias}.dealer_id`, scope.dealerId ?? -1);
    return query;
  }
  if (scope.dealerId !== null) query.where(`${alias}.dealer_id`, scope.dealerId);
  const [sql, bindings] = team(scope);
  query.where((w) =>
    w
      .whereRaw(`${alias}.author_id IN (${sql})`, bindings)
      .orWhereRaw(`${alias}.contract_id IN (SELECT sc.id FROM contracts sc WHERE sc.collector_id IN (${sql}))`, bindings),
  );
  return query;
}

/** Restrict a query over users (aliased `alias`): group roles everybody, dealer roles their dealer's staff, otherwise the user's team. */
export function scopeUsers<Q extends Knex.QueryBuilder>(query: Q, actor: Actor, alias = 'u'): Q {
  const scope = scopeOf(actor);
  if (scope.kind === 'group') return query;
  if (scope.kind === 'dealer') {
    query.where(`${alias}.dealer_id`, scope.dealerId ?? -1);
    return query;
  }
  if (scope.dealerId !== null) query.where(`${alias}.dealer_id`, scope.dealerId);
  const [sql, bindings] = team(scope);
  query.whereRaw(`${alias}.id IN (${sql})`, bindings);
  return query;
}

/** Restrict a query over dealers (aliased `alias`): group roles all; others their dealer, or, with none, their team's dealers. */
export function scopeDealers<Q extends Knex.QueryBuilder>(query: Q, actor: Actor, alias = 'd'): Q {
  const scope = scopeOf(actor);
  if (scope.kind === 'group') return query;
  if (scope.dealerId !== null || scope.kind === 'dealer') {
    query.where(`${alias}.id`, scope.dealerId ?? -1);
    return query;
  }
  const [sql, bindings] = team(scope);
  query.whereRaw(`${alias}.id IN (SELECT tu.dealer_id FROM users tu WHERE tu.id IN (${sql}))`, bindings);
  return query;
}

/**
 * Restrict a query over dealers (aliased `alias`) to those the actor can see by a filter code (access/filters.ts):
 * their scope's, and the dealers of the contracts in their scope (a user of no dealer may hold any dealer's).
 */
export function seenDealers<Q extends Knex.QueryBuilder>(knex: Knex, query: Q, actor: Actor, alias = 'd'): Q {
  return query.where((w) =>
    w
      .whereIn(`${alias}.id`, scopeDealers(knex('dealers as sd').select('sd.id'), actor, 'sd'))
      .orWhereExists(scopeContracts(knex('contracts as sc').select(knex.raw('1')).whereRaw(`sc.dealer_id = ${alias}.id`), actor, 'sc')),
  ) as Q;
}

/** Restrict a query over users (aliased `alias`) to their scope's, and the collectors of the contracts in it. */
export function seenUsers<Q extends Knex.QueryBuilder>(knex: Knex, query: Q, actor: Actor, alias = 'u'): Q {
  return query.where((w) =>
    w
      .whereIn(`${alias}.id`, scopeUsers(knex('users as su').select('su.id'), actor, 'su'))
      .orWhereExists(scopeContracts(knex('contracts as sc').select(knex.raw('1')).whereRaw(`sc.collector_id = ${alias}.id`), actor, 'sc')),
  ) as Q;
}

/** Restrict a query over audit_log (aliased `alias`): group roles all, dealer roles their dealer's rows, otherwise the team's own acts. */
export function scopeAudit<Q extends Knex.QueryBuilder>(query: Q, actor: Actor, alias = 'a'): Q {
  const scope = scopeOf(actor);
  if (scope.kind === 'group') return query;
  if (scope.kind === 'dealer') {
    query.where(`${alias}.dealer_id`, scope.dealerId ?? -1);
    return query;
  }
  const [sql, bindings] = team(scope);
  query.whereRaw(`${alias}.actor_id IN (${sql})`, bindings);
  return query;
}

/**
 * Restrict a query over imports (aliased `alias`): group roles all; anybody else the imports of their dealer
 * alone (import_dealers) — a file that touched another dealer too is a group matter, its changes are not theirs.
 */
export function scopeImports<Q extends Knex.QueryBuilder>(query: Q, actor: Actor, alias = 'i'): Q {
  const scope = scopeOf(actor);
  if (scope.kind === 'group') return query;
  const dealerId = scope.dealerId ?? -1;
  query
    .whereRaw(`EXISTS (SELECT 1 FROM import_dealers sd WHERE sd.import_id = ${alias}.id AND sd.dealer_id = ?)`, [dealerId])
    .whereRaw(`NOT EXISTS (SELECT 1 FROM import_dealers sd WHERE sd.import_id = ${alias}.id AND sd.dealer_id <> ?)`, [dealerId]);
  return query;
}

/** Whether the actor may act on (or see) things of this dealer: group roles everywhere, others at their own dealer. */
export function dealerInScope(actor: Actor, dealerId: number): boolean {
  const scope = scopeOf(actor);
  return scope.kind === 'group' || scope.dealerId === dealerId;
}
