// Penalty settings (RULES.md "Penalty interest"): effective-dated daily rates and grace periods, looked up most
// specific first. The resolvers are pure and serve the pure computation; the batch's SQL applies the same order
// (specificity, then the latest start, then the latest row).
import type { Decimal } from 'decimal.js';
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import { writeAudit } from '../audit/index.js';
import { type BusinessDate, formatTimestamp } from '../core/dates.js';
import { BadInput, NotFound, Refused } from '../core/errors.js';
import { dec, formatRate } from '../core/money.js';
import type { Tx } from '../db/index.js';
import { findDealer } from '../organisation/index.js';
import { closedPeriodFrom } from '../periods/index.js';
import { findContract } from '../receivables/contracts.js';
import type { GraceMode, GraceSetting, RatePeriod } from './compute.js';

export const GRACE_MODES = ['retroactive', 'forward'] as const;
export const MAX_GRACE_DAYS = 366;
export const DEFAULT_GRACE: GraceSetting = { days: 0, mode: 'retroactive' };

export interface RateRow {
  id: number;
  contractId: number | null;
  dealerId: number | null;
  receivableType: string | null;
  effectiveFrom: BusinessDate;
  dailyRate: Decimal;
  specificity: number;
}

export interface GraceRow {
  id: number;
  dealerId: number | null;
  receivableType: string | null;
  days: number;
  mode: GraceMode;
  specificity: number;
}

/** What a setting is looked up for: one schedule line of a contract. */
export interface SettingKey {
  contractId: number;
  dealerId: number;
  type: string;
}

export interface PenaltySettings {
  rates: RateRow[];
  grace: GraceRow[];
}

function rateApplies(row: RateRow, key: SettingKey): boolean {
  return (
    (row.contractId === null || row.contractId === key.contractId) &&
    (row.dealerId === null || row.dealerId === key.dealerId) &&
    (row.receivableType === null || row.receivableType === key.type)
  );
}

/** The rate in force, as periods: at each start date of an applicable row, the most specific row started by then. */
export function resolveRates(rows: readonly RateRow[], key: SettingKey): RatePeriod[] {
  const applicable = rows.filter((r) => rateApplies(r, key));
  const starts = [...new Set(applicable.map((r) => r.effectiveFrom))].sort();
  return starts.map((from) => {
    const inForce = applicable
      .filter((r) => r.effectiveFrom <= from)
      .sort(
        (a, b) =>
          b.specificity - a.specificity ||
          (a.effectiveFrom === b.effectiveFrom ? 0 : a.effectiveFrom < b.effectiveFrom ? 1 : -1) ||
          b.id - a.id,
      )[0];
    if (inForce === undefined) throw new Error(`invariant broken: no rate row started by ${from}`);
    return { from, dailyRate: inForce.dailyRate };
  });
}

/** The grace period of a line: the most specific setting (dealer + type → dealer → type → all), latest row. */
export function resolveGrace(rows: readonly GraceRow[], key: Pick<SettingKey, 'dealerId' | 'type'>): GraceSetting {
  const chosen = rows
    .filter((g) => (g.dealerId === null || g.dealerId === key.dealerId) && (g.receivableType === null || g.receivableType === key.type))
    .sort((a, b) => b.specificity - a.specificity || b.id - a.id)[0];
  return chosen ? { days: chosen.days, mode: chosen.mode } : DEFAULT_GRACE;
}

export async function loadPenaltySettings(knex: Knex): Promise<PenaltySettings> {
  const rates = await knex('penalty_rates')
    .orderBy('id')
    .select(
      'id',
      'contract_id as contractId',
      'dealer_id as dealerId',
      'receivable_type as receivableType',
      'effective_from as effectiveFrom',
      'daily_rate as dailyRate',
      'specificity',
    );
  const grace = await knex('penalty_grace')
    .orderBy('id')
    .select('id', 'dealer_id as dealerId', 'receivable_type as receivableType', 'days', 'mode', 'specificity');
  return { rates: rates.map((r) => ({ ...r, dailyRate: dec(r.dailyRate) })), grace };
}

export interface RateScope {
  type?: string | undefined;
  dealer?: string | undefined;
  contract?: string | undefined;
}

interface ResolvedScope {
  contractId: number | null;
  dealerId: number | null;
  receivableType: string | null;
  describe: string;
}

async function resolveScope(tx: Tx, scope: RateScope, actor: Actor): Promise<ResolvedScope> {
  if (scope.type !== undefined) {
    const type = await tx('receivable_types').where({ code: scope.type }).first('code', 'penalty_bearing');
    if (!type) throw new BadInput('type', scope.type, 'a receivable type code (principal, interest, fee, …)');
  }
  const receivableType = scope.type ?? null;
  if (scope.contract !== undefined) {
    const ref = await findContract(tx, scope.contract, scope.dealer, actor);
    return { contractId: ref.id, dealerId: null, receivableType, describe: `contract ${ref.dealer}/${ref.contractNo}` };
  }
  if (scope.dealer !== undefined) {
    const dealer = await findDealer(tx, scope.dealer);
    if (dealer.kind !== 'dealer') throw new BadInput('dealer', scope.dealer, 'a dealer code (not the group or a region)');
    return { contractId: null, dealerId: dealer.id, receivableType, describe: `dealer ${dealer.code}` };
  }
  return { contractId: null, dealerId: null, receivableType, describe: 'every dealer' };
}

/**
 * A setting that changes penalty from a date (a rate; a grace period or a type's setting: every line from its due
 * date, `from` null) must not change what is settled:
 *  - a closed month keeps its figures;
 *  - a receipt dated from then on pays the penalty accrued through its value date first, so the night's batch
 *    replays its allocation, which a receipt locked by finance review cannot take.
 * Refused here, naming the month or the receipt, rather than failing every night. `what` starts the message;
 * `scope` is the contracts the setting reaches (a contract, a dealer's, or every one).
 */
async function refuseHistoryChange(
  tx: Tx,
  what: string,
  scope: { contractId: number | null; dealerId: number | null },
  from: BusinessDate | null,
): Promise<void> {
  const since = from ?? '1900-01-01';
  const closed = await closedPeriodFrom(tx, since);
  if (closed) {
    // only a rate has a start date to move
    const remedy = from === null ? 'reopen it first' : `start the rate after ${closed.lastDay}, or reopen the period first`;
    throw new Refused(
      `${what}: period ${closed.month} is closed, and the change ${from === null ? 'applies to every line from its due date, so it ' : ''}would change its penalty; ${remedy}`,
    ).suggest({ action: 'period.reopen', input: { month: closed.month } });
  }
  const q = tx('documents as r')
    .join('contracts as c', 'c.id', 'r.contract_id')
    .join('dealers as d', 'd.id', 'c.dealer_id')
    .where({ 'r.type': 'receipt', 'r.status': 'confirmed', 'r.locked': true }) // review-locked (column documents.locked)
    .where('r.value_date', '>=', since)
    .orderBy('r.value_date')
    .first('r.id', 'r.number', 'r.value_date as valueDate', 'd.code as dealer', 'c.contract_no as contractNo');
  if (scope.contractId !== null) q.where('r.contract_id', scope.contractId);
  else if (scope.dealerId !== null) q.where('c.dealer_id', scope.dealerId);
  const reviewLocked = await q;
  if (reviewLocked) {
    throw new Refused(
      `${what}: receipt ${reviewLocked.number} of ${reviewLocked.dealer}/${reviewLocked.contractNo}, dated ${reviewLocked.valueDate}, is locked by finance review, and the change would reallocate it; start it after ${reviewLocked.valueDate}, or have finance unlock it first`,
    ).suggest({ action: 'doc.unlock', input: { id: reviewLocked.id } });
  }
}

export interface NewRate extends RateScope {
  dailyRate: Decimal;
  from: BusinessDate;
}

export interface RateView {
  id: number;
  scope: string;
  contract: string | null;
  dealer: string | null;
  type: string | null;
  from: BusinessDate;
  dailyRate: string;
  createdBy: string | null;
  createdAt: string;
}

/** A new daily rate from a date (effective-dated; earlier rows stay as history). Audited. */
export async function setPenaltyRate(tx: Tx, actor: Actor, input: NewRate): Promise<RateView> {
  if (input.dailyRate.isNegative()) throw new BadInput('dailyRate', input.dailyRate.toString(), 'a rate of zero or more');
  if (input.dailyRate.greaterThanOrEqualTo(1))
    throw new BadInput('dailyRate', input.dailyRate.toString(), 'a daily rate below 1, e.g. 0.0005');
  const scope = await resolveScope(tx, input, actor);
  await refuseHistoryChange(tx, `--from ${input.from}`, scope, input.from);
  const [row] = await tx('penalty_rates')
    .insert({
      contract_id: scope.contractId,
      dealer_id: scope.dealerId,
      receivable_type: scope.receivableType,
      effective_from: input.from,
      daily_rate: formatRate(input.dailyRate),
      created_by: actor.id,
    })
    .returning('id');
  await writeAudit(tx, actor, {
    action: 'set',
    entity: 'penalty_rate',
    entityId: row.id,
    dealerId: scope.dealerId,
    details: { scope: scope.describe, type: scope.receivableType, from: input.from, dailyRate: formatRate(input.dailyRate) },
  });
  const [view] = await listPenaltyRates(tx, row.id);
  if (!view) throw new Error('invariant broken: the rate just set is not listed');
  return view;
}

export async function listPenaltyRates(knex: Knex, id?: number): Promise<RateView[]> {
  const q = knex('penalty_rates as r')
    .leftJoin('contracts as c', 'c.id', 'r.contract_id')
    .leftJoin('dealers as cd', 'cd.id', 'c.dealer_id')
    .leftJoin('dealers as d', 'd.id', 'r.dealer_id')
    .leftJoin('users as u', 'u.id', 'r.created_by')
    .orderBy([{ column: 'r.specificity' }, { column: 'r.effective_from' }, { column: 'r.id' }])
    .select(
      'r.id',
      knex.raw(`CASE WHEN r.contract_id IS NOT NULL THEN cd.code || '/' || c.contract_no END as contract`),
      knex.raw('coalesce(d.code, cd.code) as dealer'),
      'r.receivable_type as type',
      'r.effective_from as from',
      'r.daily_rate as dailyRate',
      'r.specificity',
      'u.username as createdBy',
      'r.created_at as createdAt',
    );
  if (id !== undefined) q.where('r.id', id);
  const rows = await q;
  return rows.map((r) => ({
    id: r.id,
    scope: r.contract ? 'contract' : r.specificity >= 2 ? 'dealer' : r.type ? 'type' : 'default',
    contract: r.contract ?? null,
    dealer: r.contract ? null : (r.dealer ?? null),
    type: r.type ?? null,
    from: r.from,
    dailyRate: formatRate(r.dailyRate),
    createdBy: r.createdBy ?? null,
    createdAt: formatTimestamp(r.createdAt),
  }));
}

export interface NewGrace {
  days: number;
  mode: GraceMode;
  type?: string | undefined;
  dealer?: string | undefined;
}

export interface GraceView {
  id: number;
  dealer: string | null;
  type: string | null;
  days: number;
  mode: GraceMode;
  createdBy: string | null;
  createdAt: string;
}

/** A grace period for a type and/or dealer (or everything). It applies to every line in scope. Audited. */
export async function setGrace(tx: Tx, actor: Actor, input: NewGrace): Promise<GraceView> {
  if (!Number.isInteger(input.days) || input.days < 0 || input.days > MAX_GRACE_DAYS) {
    throw new BadInput('days', input.days, `a whole number of days from 0 to ${MAX_GRACE_DAYS}`);
  }
  if (!(GRACE_MODES as readonly string[]).includes(input.mode)) throw new BadInput('mode', input.mode, GRACE_MODES.join(' or '));
  const scope = await resolveScope(tx, { type: input.type, dealer: input.dealer }, actor);
  await refuseHistoryChange(tx, 'penalty grace', scope, null);
  const [row] = await tx('penalty_grace')
    .insert({ dealer_id: scope.dealerId, receivable_type: scope.receivableType, days: input.days, mode: input.mode, created_by: actor.id })
    .returning('id');
  await writeAudit(tx, actor, {
    action: 'set',
    entity: 'penalty_grace',
    entityId: row.id,
    dealerId: scope.dealerId,
    details: { scope: scope.describe, type: scope.receivableType, days: input.days, mode: input.mode },
  });
  const [view] = await listGrace(tx, row.id);
  if (!view) throw new Error('invariant broken: the grace setting just made is not listed');
  return view;
}

export async function listGrace(knex: Knex, id?: number): Promise<GraceView[]> {
  const q = knex('penalty_grace as g')
    .leftJoin('dealers as d', 'd.id', 'g.dealer_id')
    .leftJoin('users as u', 'u.id', 'g.created_by')
    .orderBy('g.id')
    .select(
      'g.id',
      'd.code as dealer',
      'g.receivable_type as type',
      'g.days',
      'g.mode',
      'u.username as createdBy',
      'g.created_at as createdAt',
    );
  if (id !== undefined) q.where('g.id', id);
  const rows = await q;
  return rows.map((r) => ({ ...r, createdAt: formatTimestamp(r.createdAt) }));
}

export interface ReceivableTypeView {
  code: string;
  nameZh: string;
  nameEn: string;
  penaltyBearing: boolean;
}

/** The receivable types in allocation order, with whether they bear penalty (RULES.md). */
export async function listReceivableTypes(knex: Knex, code?: string): Promise<ReceivableTypeView[]> {
  const q = knex('receivable_types')
    .orderBy('allocation_priority')
    .select('code', 'name_zh as nameZh', 'name_en as nameEn', 'penalty_bearing as penaltyBearing');
  if (code !== undefined) q.where({ code });
  return (await q) as ReceivableTypeView[];
}

/**
 * Whether a receivable type bears penalty: the type's setting (RULES.md; penalty itself never does: it never
 * compounds). It applies to every line of the type from its due date, like a grace period (refuseHistoryChange),
 * and it queues every line of the type for the next batch run (the queue's 'grace' reason: all
 * lines of a scope, recomputed and their contracts' receipts replayed). Audited.
 */
export async function setPenaltyBearing(tx: Tx, actor: Actor, code: string, bearing: boolean): Promise<ReceivableTypeView> {
  const [type] = await listReceivableTypes(tx, code);
  if (!type) throw new NotFound('receivable type', code);
  if (bearing && code === 'penalty') throw new BadInput('bearing', 'yes', 'no for penalty: penalty never bears penalty (RULES.md)');
  if (type.penaltyBearing === bearing) return type;
  await refuseHistoryChange(tx, `penalty type ${code}`, { contractId: null, dealerId: null }, null);
  await tx('receivable_types').where({ code }).update({ penalty_bearing: bearing });
  await tx('penalty_dirty').insert({ reason: 'grace', receivable_type: code });
  await writeAudit(tx, actor, { action: 'set', entity: 'receivable_type', entityId: code, details: { penaltyBearing: bearing } });
  return { ...type, penaltyBearing: bearing };
}
