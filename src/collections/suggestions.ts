// Suggested actions: the admin's rules (collection_rules) say when a contract is a candidate for a machine lock or
// a repossession — overdue ≥ N days, or N consecutive installments unpaid — optionally for one dealer. The nightly
// batch (flagContracts) raises a flag (collection_flags) on each active contract that meets an active rule and
// clears it when the condition no longer holds, the rule is removed, or the contract is settled or written off.
// A flag never acts: the worklist shows it and a person applies.
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import { writeAudit } from '../audit/index.js';
import { type BusinessDate, sqlTimestamp } from '../core/dates.js';
import { BadInput, NotFound } from '../core/errors.js';
import type { Tx } from '../db/index.js';
import { contractFiguresSql } from './figures.js';

export const SUGGESTED_ACTIONS = ['lock', 'repossession'] as const;
export type SuggestedAction = (typeof SUGGESTED_ACTIONS)[number];

export interface NewSuggestionRule {
  action: SuggestedAction;
  overdueDays?: number | undefined;
  consecutiveUnpaid?: number | undefined;
  dealer?: string | undefined;
}

export interface SuggestionRule {
  id: number;
  action: SuggestedAction;
  overdueDays: number | null;
  consecutiveUnpaid: number | null;
  dealer: string | null;
  createdBy: string;
  createdAt: string;
  openFlags: number;
}

function rules(knex: Knex) {
  return knex('collection_rules as r')
    .leftJoin('dealers as d', 'd.id', 'r.dealer_id')
    .join('users as u', 'u.id', 'r.created_by')
    .whereNull('r.removed_at')
    .select(
      'r.id',
      'r.action',
      'r.overdue_days as overdueDays',
      'r.consecutive_unpaid as consecutiveUnpaid',
      'd.code as dealer',
      'u.username as createdBy',
      knex.raw(`${sqlTimestamp('r.created_at')} AS "createdAt"`),
      knex.raw(`(SELECT count(*) FROM collection_flags f WHERE f.rule_id = r.id AND f.cleared_on IS NULL)::integer AS "openFlags"`),
    );
}

export async function addSuggestionRule(tx: Tx, actor: Actor, input: NewSuggestionRule): Promise<SuggestionRule> {
  if ((input.overdueDays === undefined) === (input.consecutiveUnpaid === undefined))
    throw new BadInput('overdueDays', input.overdueDays ?? null, 'exactly one condition: --overdue-days N or --consecutive-unpaid N');
  let dealerId: number | null = null;
  if (input.dealer !== undefined) {
    const dealer = await tx('dealers').where('kind', 'dealer').whereRaw('upper(code) = upper(?)', [input.dealer]).first('id');
    if (!dealer) throw new NotFound('dealer', input.dealer);
    dealerId = dealer.id;
  }
  const [row] = await tx('collection_rules')
    .insert({
      action: input.action,
      overdue_days: input.overdueDays ?? null,
      consecutive_unpaid: input.consecutiveUnpaid ?? null,
      dealer_id: dealerId,
      created_by: actor.id,
    })
    .returning('id');
  const id = Number((row as { id: number }).id);
  await writeAudit(tx, actor, { action: 'add', entity: 'collection_rule', entityId: id, dealerId, details: { ...input } });
  return rules(tx).where('r.id', id).first();
}

export async function listSuggestionRules(knex: Knex): Promise<SuggestionRule[]> {
  return rules(knex).orderBy('r.id');
}

/** Removes a rule (kept, marked removed) and clears its open flags from the date. */
export async function removeSuggestionRule(tx: Tx, actor: Actor, id: number, date: BusinessDate): Promise<SuggestionRule> {
  const rule = await rules(tx).where('r.id', id).first();
  if (!rule) throw new NotFound('collection rule', id);
  await tx('collection_rules').where('id', id).update({ removed_by: actor.id, removed_at: tx.fn.now() });
  const cleared = await tx('collection_flags')
    .where('rule_id', id)
    .whereNull('cleared_on')
    .update({ cleared_on: tx.raw('greatest(flagged_on, ?::date)', [date]) });
  await writeAudit(tx, actor, { action: 'remove', entity: 'collection_rule', entityId: id, details: { ...rule, flagsCleared: cleared } });
  return { ...rule, openFlags: 0 };
}

/**
 * The batch's flags for the date, set-based: the flags raised on this date or later are removed and those
 * cleared on it or later reopened (a re-run or a recomputation decides them again), then every active contract
 * meeting an active rule gets an open flag (flagged_on = date) unless it has one, and every open flag whose
 * contract no longer meets its rule (or is no longer active, or whose rule was removed) is cleared on the date.
 */
export async function flagContracts(tx: Tx, date: BusinessDate): Promise<{ raised: number; cleared: number; open: number }> {
  await tx('collection_flags').where('flagged_on', '>=', date).delete();
  await tx('collection_flags').where('cleared_on', '>=', date).update({ cleared_on: null });
  const active = await tx('collection_rules').whereNull('removed_at').first(tx.raw('count(*)::integer AS n'));
  let due: { sql: string; bindings: readonly Knex.RawBinding[] } = {
    sql: 'SELECT NULL::bigint AS contract_id, NULL::bigint AS rule_id, NULL::text AS action WHERE false',
    bindings: [],
  };
  if (Number(active?.n ?? 0) > 0) {
    // only contracts some rule could concern: active, with a line due before the date
    const contracts = tx('contracts as c')
      .select('c.id')
      .where('c.status', 'active')
      .whereExists(
        tx('schedule_lines as l')
          .select(tx.raw('1'))
          .whereRaw('l.contract_id = c.id AND l.retired_version IS NULL AND l.due_date < ?', [date]),
      );
    const figures = contractFiguresSql(tx, date, contracts, { cached: true });
    due = {
      sql: `SELECT f.contract_id, r.id AS rule_id, r.action
              FROM (${figures.sql}) f
              JOIN contracts c ON c.id = f.contract_id
              JOIN collection_rules r ON r.removed_at IS NULL AND (r.dealer_id IS NULL OR r.dealer_id = c.dealer_id)
             WHERE (r.overdue_days IS NOT NULL AND f.overdue_days >= r.overdue_days)
                OR (r.consecutive_unpaid IS NOT NULL AND f.unpaid_run >= r.consecutive_unpaid)`,
      bindings: figures.bindings,
    };
  }
  await tx.raw(
    'CREATE TEMPORARY TABLE IF NOT EXISTS collection_flags_due (contract_id bigint, rule_id bigint, action text) ON COMMIT DROP',
  );
  await tx.raw('DELETE FROM collection_flags_due');
  await tx.raw(`INSERT INTO collection_flags_due ${due.sql}`, due.bindings);
  await tx.raw('ANALYZE collection_flags_due');
  const raised = (
    await tx.raw(
      `WITH ins AS (
       INSERT INTO collection_flags (contract_id, rule_id, action, flagged_on)
       SELECT n.contract_id, n.rule_id, n.action, ?::date FROM collection_flags_due n
        WHERE NOT EXISTS (SELECT 1 FROM collection_flags f WHERE f.contract_id = n.contract_id AND f.rule_id = n.rule_id AND f.cleared_on IS NULL)
       RETURNING 1)
     SELECT count(*)::integer AS n FROM ins`,
      [date],
    )
  ).rows[0].n;
  const cleared = (
    await tx.raw(
      `WITH upd AS (
       UPDATE collection_flags f SET cleared_on = ?::date
        WHERE f.cleared_on IS NULL
          AND NOT EXISTS (SELECT 1 FROM collection_flags_due n WHERE n.contract_id = f.contract_id AND n.rule_id = f.rule_id)
       RETURNING 1)
     SELECT count(*)::integer AS n FROM upd`,
      [date],
    )
  ).rows[0].n;
  const open = await tx('collection_flags').whereNull('cleared_on').first(tx.raw('count(*)::integer AS n'));
  return { raised: Number(raised ?? 0), cleared: Number(cleared ?? 0), open: Number(open?.n ?? 0) };
}
