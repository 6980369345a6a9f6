// Collection assignment (催收派工): who holds a contract, dated. contracts.collector_id is the current holder (the
// data scope follows it, src/access/scope.ts); collector_assignments keeps every holder with the dates they held
// it (from_date inclusive, to_date exclusive, NULL while current). Every change of collector the collections
// module makes goes through assignCollector, which closes the open row, opens the new one, updates the contract
// and writes the audit row, in the caller's transaction.
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import { scopeUsers } from '../access/scope.js';
import { writeAudit } from '../audit/index.js';
import type { BusinessDate } from '../core/dates.js';
import { BadInput, NotFound } from '../core/errors.js';
import { formatMoney, sumMoney } from '../core/money.js';
import type { Tx } from '../db/index.js';

/** The roles a contract may be given to: a collector or a team lead (manager). */
export const ASSIGNABLE_ROLES = ['collector', 'manager'] as const;

export interface Assignee {
  id: number;
  username: string;
  name: string;
  dealerId: number | null;
  dealer: string | null;
}

/**
 * A user the actor may give contracts to: exists, active, a collector or manager, and within the actor's scope of
 * users (a manager: their team; dealer roles: their dealer's staff). Anything else: BadInput on `field`.
 */
export async function findAssignee(knex: Knex, actor: Actor, username: string, field: string): Promise<Assignee> {
  const user = await scopeUsers(knex('users as u').leftJoin('dealers as d', 'd.id', 'u.dealer_id'), actor, 'u')
    .where('u.username', username)
    .first('u.id', 'u.username', 'u.name', 'u.dealer_id as dealerId', 'd.code as dealer', 'u.active');
  if (!user) throw new BadInput(field, username, 'a user you can assign to').suggest({ action: 'user.list' });
  if (!user.active) throw new BadInput(field, username, 'an active user (this one is deactivated)');
  const roles: string[] = await knex('user_roles').where('user_id', user.id).pluck('role');
  if (!roles.some((r) => (ASSIGNABLE_ROLES as readonly string[]).includes(r)))
    throw new BadInput(field, username, `a collector or a team lead (role ${ASSIGNABLE_ROLES.join(' or ')})`);
  return { id: user.id, username: user.username, name: user.name, dealerId: user.dealerId, dealer: user.dealer };
}

/** Refuses a holder who is staff of another dealer than the contract's (a user of no dealer may hold any). */
export function checkSameDealer(
  assignee: Assignee,
  contract: { dealerId: number; dealer: string; contractNo: string },
  field: string,
): void {
  if (assignee.dealerId !== null && assignee.dealerId !== contract.dealerId)
    throw new BadInput(
      field,
      assignee.username,
      `a user of dealer ${contract.dealer} for ${contract.contractNo === '*' ? 'the rule’s contracts' : `contract ${contract.dealer}/${contract.contractNo}`} (${assignee.username} is staff of ${assignee.dealer})`,
    );
}

export interface AssignmentChange {
  contract: { id: number; dealerId: number; dealer: string; contractNo: string };
  to: Assignee;
  /** the first day the new holder holds it */
  date: BusinessDate;
  reason: string;
  source: 'rules' | 'manual';
  ruleNo?: number | undefined;
}

export interface AssignmentMove {
  dealer: string;
  contractNo: string;
  from: string | null;
  to: string;
  date: BusinessDate;
  rule: number | null;
}

/** The contract's open history row and current holder's username. */
async function openAssignment(tx: Knex, contractId: number) {
  return tx('collector_assignments as a')
    .join('users as u', 'u.id', 'a.collector_id')
    .where({ 'a.contract_id': contractId })
    .whereNull('a.to_date')
    .first('a.id', 'a.from_date as fromDate', 'u.username');
}

/**
 * Gives the contract to `to` from `date`: closes the open history row on `date`, opens the new one and sets
 * contracts.collector_id, audited. Returns null when `to` holds it already. A date before the current holder's
 * first day would rewrite history: refused.
 */
export async function assignCollector(tx: Tx, actor: Actor, change: AssignmentChange): Promise<AssignmentMove | null> {
  const open = await openAssignment(tx, change.contract.id);
  if (open?.username === change.to.username) return null;
  if (open && change.date < open.fromDate)
    throw new BadInput(
      'date',
      change.date,
      `a date on or after ${open.fromDate}, when ${open.username} took ${change.contract.contractNo} over`,
    );
  if (open) await tx('collector_assignments').where('id', open.id).update({ to_date: change.date });
  await tx('collector_assignments').insert({
    contract_id: change.contract.id,
    collector_id: change.to.id,
    from_date: change.date,
    reason: change.reason,
    source: change.source,
    rule_no: change.ruleNo ?? null,
    actor_id: actor.id,
  });
  await tx('contracts').where('id', change.contract.id).update({ collector_id: change.to.id, updated_at: tx.fn.now() });
  const move: AssignmentMove = {
    dealer: change.contract.dealer,
    contractNo: change.contract.contractNo,
    from: open?.username ?? null,
    to: change.to.username,
    date: change.date,
    rule: change.ruleNo ?? null,
  };
  await writeAudit(tx, actor, {
    action: 'assign',
    entity: 'contract',
    entityId: change.contract.contractNo,
    dealerId: change.contract.dealerId,
    details: { ...move, reason: change.reason, source: change.source },
  });
  return move;
}

export interface HolderPeriod {
  collector: string;
  from: BusinessDate;
  to: BusinessDate | null;
  source: string;
  reason: string | null;
}

/** The contract's holders, oldest first (to: exclusive, null while current). */
export async function assignmentHistory(knex: Knex, contractId: number): Promise<HolderPeriod[]> {
  return knex('collector_assignments as a')
    .join('users as u', 'u.id', 'a.collector_id')
    .where('a.contract_id', contractId)
    .orderBy([{ column: 'a.from_date' }, { column: 'a.id' }])
    .select('u.username as collector', 'a.from_date as from', 'a.to_date as to', 'a.source', 'a.reason');
}

export interface PerformanceInput {
  from: BusinessDate;
  to: BusinessDate;
  collector?: string | undefined;
}

export interface PerformanceRow {
  collector: string;
  name: string;
  dealer: string | null;
  contracts: number;
  receipts: number;
  received: string;
}

export interface Performance {
  from: BusinessDate;
  to: BusinessDate;
  collectors: PerformanceRow[];
  total: string;
}

/**
 * Money received in the period (confirmed receipts by value date, from and to included) credited to the collector
 * who held the contract on the value date, per collector in the actor's scope of users.
 */
export async function collectionPerformance(knex: Knex, actor: Actor, input: PerformanceInput): Promise<Performance> {
  if (input.to < input.from) throw new BadInput('to', input.to, `a date on or after --from ${input.from}`);
  const users = scopeUsers(knex('users as u').select('u.id'), actor, 'u');
  if (input.collector !== undefined) {
    const seen = await scopeUsers(knex('users as u').where('u.username', input.collector), actor, 'u').first('u.id');
    if (!seen) throw new NotFound('collector', input.collector);
    users.where('u.username', input.collector);
  }
  const rows = (
    await knex.raw(
      `SELECT u.username AS collector, u.name, d.code AS dealer,
            count(DISTINCT r.contract_id)::integer AS contracts, count(*)::integer AS receipts,
            sum(r.amount)::numeric(18,2)::text AS received
       FROM documents r
       JOIN collector_assignments a ON a.contract_id = r.contract_id
            AND a.from_date <= r.value_date AND (a.to_date IS NULL OR r.value_date < a.to_date)
       JOIN users u ON u.id = a.collector_id
       LEFT JOIN dealers d ON d.id = u.dealer_id
      WHERE r.type = 'receipt' AND r.status = 'confirmed' AND r.value_date BETWEEN ?::date AND ?::date
        AND a.collector_id IN (${users.toSQL().sql})
      GROUP BY u.username, u.name, d.code
      ORDER BY sum(r.amount) DESC, u.username`,
      [input.from, input.to, ...users.toSQL().bindings],
    )
  ).rows as PerformanceRow[];
  return { from: input.from, to: input.to, collectors: rows, total: formatMoney(sumMoney(rows.map((r) => r.received))) };
}
