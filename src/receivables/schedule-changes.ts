// Operations that change a contract's schedule (RULES.md: a change never rewrites history). Each is a document
// that goes through the approval engine and, once approved, writes a new schedule version: the lines it
// replaces get retired_version, the lines it adds belong to the new version, and every earlier version stays
// readable with `zq contract schedule NO --version N`.
//  - 还款计划变更 schedule change: the unpaid installments due on or after the change date are re-planned (new
//    terms or custom lines). Lines due before it, paid or not, and the penalty they accrued stay as they were.
//  - 代付 / 代垫 charge: one new receivable line on the contract, penalty-bearing per its type's setting.

import type { Decimal } from 'decimal.js';
import type { Actor } from '../access/actor.js';
import type { DocumentTypeDefinition } from '../approvals/registry.js';
import { writeAudit } from '../audit/index.js';
import { BUSINESS_TIME_ZONE, type BusinessDate, minDate } from '../core/dates.js';
import { BadInput, Refused } from '../core/errors.js';
import { dec, formatMoney, formatRate, type Money, sumMoney } from '../core/money.js';
import type { Tx } from '../db/index.js';
import type { DocumentRow } from '../documents/index.js';
import { assertContractActive } from '../ledger/contract-ref.js';
import { assertPeriodOpen } from '../periods/index.js';
import { reallocateContract } from './allocation.js';
import { type ContractRef, insertScheduleVersion } from './contracts.js';
import {
  assertNoPending,
  type ContractArg,
  contractById,
  contractInScope,
  requirePositive,
  requireReason,
  type Submitted,
  submitDocument,
} from './operations.js';
import { customSchedule, generateSchedule, type ScheduleLine, type ScheduleTerms } from './schedule.js';

export const SCHEDULE_CHANGE = 'schedule_change';
export const CHARGE = 'charge';
/** The receivable types a charge may add (GLOSSARY: 代付, 代垫). */
export const CHARGE_TYPES = ['on_behalf_payment', 'advance'] as const;
export type ChargeType = (typeof CHARGE_TYPES)[number];
/** The types a schedule change re-plans: the installments' financing parts. Fees, deposits and charges stay. */
const REPLANNED_TYPES = ['principal', 'interest'];

/** A live line of a contract with the net money on it (postings of every kind; reversals cancel). */
export interface LiveLine {
  id: number;
  seq: number;
  type: string;
  dueDate: BusinessDate;
  amountDue: Money;
  moneyOn: Money;
}

export async function liveLines(tx: Tx, contractId: number): Promise<LiveLine[]> {
  const rows = await tx('schedule_lines as l')
    .leftJoin('postings as p', 'p.schedule_line_id', 'l.id')
    .where('l.contract_id', contractId)
    .whereNull('l.retired_version')
    .groupBy('l.id')
    .orderBy([{ column: 'l.due_date' }, { column: 'l.seq' }])
    .select(
      'l.id',
      'l.seq',
      'l.receivable_type as type',
      'l.due_date as dueDate',
      'l.amount_due as amountDue',
      tx.raw('coalesce(sum(p.signed_amount), 0)::text as "moneyOn"'),
    );
  return rows.map((r: Record<string, string | number>) => ({
    id: Number(r.id),
    seq: Number(r.seq),
    type: String(r.type),
    dueDate: String(r.dueDate),
    amountDue: dec(r.amountDue as string),
    moneyOn: dec(r.moneyOn as string),
  }));
}

/**
 * A version that retires lines takes effect on or after every earlier version: the lines in effect on a date
 * (ledger/lines.ts linesInEffect) are then always one schedule, never an old line beside the new one replacing it.
 */
export async function assertNotBeforeLatestVersion(tx: Tx, ref: ContractRef, from: BusinessDate, what: string): Promise<void> {
  const latest = await tx('schedule_versions')
    .where({ contract_id: ref.id })
    .orderBy('effective_from', 'desc')
    .first('version', 'source', 'effective_from as effectiveFrom');
  if (latest && latest.effectiveFrom > from)
    throw new Refused(
      `contract ${ref.contractNo}'s schedule version ${latest.version} (${latest.source}) takes effect on ${latest.effectiveFrom}: ${what} must be dated on or after it`,
    );
}

/** Lines the contract's history starts from: a line due before its import cut-over or its sign date is refused. */
export async function assertDueInContract(tx: Tx, ref: ContractRef, due: BusinessDate, field: string): Promise<void> {
  const c = await tx('contracts').where({ id: ref.id }).first('cutover_date as cutoverDate', 'sign_date as signDate');
  if (c.cutoverDate && due <= c.cutoverDate)
    throw new BadInput(
      field,
      due,
      `a date after ${c.cutoverDate}, the cut-over of contract ${ref.contractNo}'s import (what was owed before it belongs in the ledger file)`,
    );
  if (c.signDate && due < c.signDate)
    throw new BadInput(field, due, `a date on or after ${c.signDate}, when contract ${ref.contractNo} was signed`);
}

async function nextVersion(tx: Tx, contractId: number): Promise<number> {
  const row = await tx('schedule_versions').where({ contract_id: contractId }).max('version as v').first();
  return Number(row?.v ?? 0) + 1;
}

/** Writes version N+1: retires some lines, adds others, and re-allocates the contract from the change date. */
export async function writeScheduleVersion(
  tx: Tx,
  actor: Actor,
  ref: ContractRef,
  change: {
    source: 'schedule_change' | 'charge' | 'buyback';
    from: BusinessDate;
    retire: readonly number[];
    lines: readonly ScheduleLine[];
    reason: string;
    documentId: number;
  },
): Promise<{ version: number; posted: number; reversed: number }> {
  if (change.retire.length > 0) await assertNotBeforeLatestVersion(tx, ref, change.from, `a change that replaces lines`);
  const version = await nextVersion(tx, ref.id);
  await insertScheduleVersion(tx, ref.id, version, change.lines, change.source, change.from, {
    reason: change.reason,
    documentId: change.documentId,
  });
  if (change.retire.length > 0) {
    const retired = await tx('schedule_lines')
      .whereIn('id', change.retire)
      .where({ contract_id: ref.id })
      .whereNull('retired_version')
      .update({ retired_version: version });
    if (retired !== change.retire.length)
      throw new Refused(`the schedule of contract ${ref.contractNo} changed since the request: submit it again`);
  }
  const outcome = await reallocateContract(tx, actor, ref.id, change.from);
  return { version, ...outcome };
}

// ---- 还款计划变更 schedule change -------------------------------------------------------------------------

export type NewTerms =
  | { kind: 'terms'; method: ScheduleTerms['method']; termMonths: number; annualRate: Decimal; firstDueDate: BusinessDate }
  | { kind: 'lines'; lines: ScheduleLine[] };

export interface ReschedulePlan {
  from: BusinessDate;
  /** The lines retired: unpaid principal and interest due on or after the change date. */
  retire: LiveLine[];
  lines: ScheduleLine[];
  principalMoved: Money;
  principal: Money;
}

/** The change a request asks for, checked against the ledger as it stands (again at approval). */
export async function planReschedule(
  tx: Tx,
  ref: ContractRef,
  from: BusinessDate,
  terms: NewTerms,
  principalOverride?: Money,
): Promise<ReschedulePlan> {
  const live = await liveLines(tx, ref.id);
  const replanned = live.filter((l) => REPLANNED_TYPES.includes(l.type) && l.dueDate >= from);
  const paid = replanned.find((l) => !l.moneyOn.isZero());
  if (paid) {
    throw new Refused(
      `installment ${paid.seq} ${paid.type} due ${paid.dueDate} of contract ${ref.contractNo} has money posted to it (${formatMoney(paid.moneyOn)}, payments and penalty): a schedule change re-plans only unpaid installments, so change from a date after it`,
    );
  }
  if (replanned.length === 0)
    throw new Refused(`contract ${ref.contractNo} has no unpaid installment due on or after ${from}: nothing to re-plan`);
  await assertNotBeforeLatestVersion(tx, ref, from, 'a schedule change');
  await assertDueInContract(tx, ref, from, 'from');
  const principalMoved = sumMoney(replanned.filter((l) => l.type === 'principal').map((l) => l.amountDue));
  const principal = principalOverride ?? principalMoved;
  const firstSeq = Math.min(...replanned.map((l) => l.seq));
  let lines: ScheduleLine[];
  if (terms.kind === 'terms') {
    if (terms.firstDueDate < from) throw new BadInput('firstDueDate', terms.firstDueDate, `a date on or after the change date ${from}`);
    const generated = generateSchedule({ ...terms, principal, annualRate: dec(terms.annualRate) });
    lines = generated.map((l) => ({ ...l, seq: l.seq + firstSeq - 1 }));
  } else {
    lines = customSchedule(terms.lines, new Set(REPLANNED_TYPES));
    const early = lines.find((l) => l.dueDate < from);
    if (early) throw new BadInput('due_date', early.dueDate, `a due date on or after the change date ${from}`);
    const total = sumMoney(lines.filter((l) => l.type === 'principal').map((l) => l.amountDue));
    if (!total.equals(principal)) {
      throw new BadInput(
        'principal lines',
        formatMoney(total),
        `${formatMoney(principal)}, the principal ${principalOverride ? 'given with --principal' : 'of the installments re-planned'}`,
      );
    }
  }
  const retiredIds = new Set(replanned.map((l) => l.id));
  const kept = new Set(live.filter((l) => !retiredIds.has(l.id)).map((l) => `${l.seq}:${l.type}`));
  const clash = lines.find((l) => kept.has(`${l.seq}:${l.type}`));
  if (clash) throw new BadInput('seq', `${clash.seq}:${clash.type}`, 'installment numbers not used by the lines that stay on the schedule');
  return { from, retire: replanned, lines, principalMoved, principal };
}

const lineJson = (l: ScheduleLine) => ({ seq: l.seq, type: l.type, dueDate: l.dueDate, amountDue: formatMoney(l.amountDue) });

export interface RescheduleRequest {
  from: BusinessDate;
  terms: NewTerms;
  principal?: Money | undefined;
  reason: string;
}

/** 还款计划变更申请 on a contract named by its number, in the actor's scope. */
export async function requestReschedule(
  tx: Tx,
  actor: Actor,
  input: ContractArg & RescheduleRequest,
): Promise<Submitted & { plan: ReschedulePlan }> {
  requireReason(input.reason, 'why the schedule changes');
  return submitReschedule(tx, actor, await contractInScope(tx, actor, input), input);
}

/** 还款计划变更申请 on a contract found in the actor's scope: nothing changes until it is approved. */
export async function submitReschedule(
  tx: Tx,
  actor: Actor,
  ref: ContractRef,
  input: RescheduleRequest,
): Promise<Submitted & { plan: ReschedulePlan }> {
  const reason = requireReason(input.reason, 'why the schedule changes');
  assertContractActive(ref, 'schedule changes');
  await assertPeriodOpen(tx, input.from);
  await assertNoPending(tx, SCHEDULE_CHANGE, ref);
  if (input.principal !== undefined) requirePositive(input.principal, 'principal');
  const plan = await planReschedule(tx, ref, input.from, input.terms, input.principal);
  const submitted = await submitDocument(tx, actor, {
    type: SCHEDULE_CHANGE,
    ref,
    valueDate: input.from,
    amount: plan.principal,
    data: {
      reason,
      terms:
        input.terms.kind === 'terms'
          ? { ...input.terms, annualRate: formatRate(input.terms.annualRate) }
          : { kind: 'lines', lines: input.terms.lines.map(lineJson) },
      principalOverride: input.principal === undefined ? null : formatMoney(input.principal),
      principalMoved: formatMoney(plan.principalMoved),
      retire: plan.retire.map((l) => l.id),
      retired: plan.retire.map((l) => lineJson(l)),
      retiredTotal: formatMoney(sumMoney(plan.retire.map((l) => l.amountDue))),
      lines: plan.lines.map(lineJson),
      newTotal: formatMoney(sumMoney(plan.lines.map((l) => l.amountDue))),
    },
  });
  return { ...submitted, plan };
}

function termsOf(data: Record<string, unknown>): NewTerms {
  const t = data.terms as Record<string, unknown>;
  if (t.kind === 'lines') {
    return {
      kind: 'lines',
      lines: (t.lines as { seq: number; type: string; dueDate: string; amountDue: string }[]).map((l) => ({
        ...l,
        amountDue: dec(l.amountDue),
      })),
    };
  }
  return {
    kind: 'terms',
    method: t.method as ScheduleTerms['method'],
    termMonths: Number(t.termMonths),
    annualRate: dec(t.annualRate as string),
    firstDueDate: String(t.firstDueDate),
  };
}

async function applyReschedule(tx: Tx, actor: Actor, document: DocumentRow): Promise<void> {
  const ref = await contractById(tx, document.contractId as number);
  const from = document.valueDate as BusinessDate;
  assertContractActive(ref, 'schedule changes');
  await assertPeriodOpen(tx, from);
  const data = document.data as Record<string, unknown>;
  const override = data.principalOverride ? dec(data.principalOverride as string) : undefined;
  // Planned again: a receipt confirmed since the request may have paid a line it would retire.
  const plan = await planReschedule(tx, ref, from, termsOf(data), override);
  const asked = (data.retire as number[]).join(',');
  if (plan.retire.map((l) => l.id).join(',') !== asked)
    throw new Refused(`the unpaid installments of contract ${ref.contractNo} changed since the request: submit it again`);
  const outcome = await writeScheduleVersion(tx, actor, ref, {
    source: 'schedule_change',
    from,
    retire: plan.retire.map((l) => l.id),
    lines: plan.lines,
    reason: String(data.reason),
    documentId: document.id,
  });
  await writeAudit(tx, actor, {
    action: 'reschedule',
    entity: 'contract',
    entityId: ref.contractNo,
    dealerId: ref.dealerId,
    documentId: document.id,
    details: {
      from,
      ...outcome,
      retired: plan.retire.length,
      added: plan.lines.length,
      principal: formatMoney(plan.principal),
    },
  });
}

export const scheduleChangeDocument: DocumentTypeDefinition = {
  type: SCHEDULE_CHANGE,
  label: '还款计划变更 schedule change',
  fields: { reason: 'text' },
  onApproved: applyReschedule,
  onRejected: async () => {},
};

// ---- 代付 / 代垫 charge -----------------------------------------------------------------------------------

/** The installment number of a charge: the installment due the same day where that type is free, else a new one. */
function chargeSeq(live: readonly LiveLine[], type: string, due: BusinessDate): number {
  const sameDay = live.find((l) => l.dueDate === due);
  if (sameDay && !live.some((l) => l.seq === sameDay.seq && l.type === type)) return sameDay.seq;
  return live.reduce((max, l) => Math.max(max, l.seq), 0) + 1;
}

export interface ChargeRequest {
  type: string;
  amount: Money;
  due: BusinessDate;
  reason: string;
}

/** A charge's own checks, before its contract is looked at; the reason trimmed. */
export function checkCharge<T extends ChargeRequest>(input: T): T {
  const reason = requireReason(input.reason, 'what was paid or advanced for the customer');
  if (!(CHARGE_TYPES as readonly string[]).includes(input.type)) throw new BadInput('type', input.type, CHARGE_TYPES.join(' or '));
  requirePositive(input.amount);
  if (input.amount.decimalPlaces() > 2) throw new BadInput('amount', input.amount.toString(), 'at most two decimals');
  return { ...input, reason };
}

/** 代付/代垫 on a contract named by its number, in the actor's scope. */
export async function requestCharge(tx: Tx, actor: Actor, input: ContractArg & ChargeRequest): Promise<Submitted> {
  const checked = checkCharge(input);
  return submitCharge(tx, actor, await contractInScope(tx, actor, checked), checked);
}

/** 代付/代垫 (checked by checkCharge) on a contract found in the actor's scope: a new receivable line once approved. */
export async function submitCharge(tx: Tx, actor: Actor, ref: ContractRef, input: ChargeRequest): Promise<Submitted> {
  const reason = input.reason;
  assertContractActive(ref, 'charges');
  await assertPeriodOpen(tx, input.due);
  await assertDueInContract(tx, ref, input.due, 'due');
  return submitDocument(tx, actor, {
    type: CHARGE,
    ref,
    valueDate: input.due,
    amount: input.amount,
    data: { reason, receivableType: input.type },
  });
}

/** The business date the document was requested on (created, in the business time zone): a date that came in, not the clock. */
async function requestedOn(tx: Tx, document: DocumentRow): Promise<BusinessDate> {
  const row = await tx('documents')
    .where({ id: document.id })
    .first(tx.raw(`to_char(created_at AT TIME ZONE ?, 'YYYY-MM-DD') AS "requestedOn"`, [BUSINESS_TIME_ZONE]));
  return row.requestedOn;
}

async function applyCharge(tx: Tx, actor: Actor, document: DocumentRow): Promise<void> {
  const ref = await contractById(tx, document.contractId as number);
  const due = document.valueDate as BusinessDate;
  assertContractActive(ref, 'charges');
  await assertPeriodOpen(tx, due);
  const type = String(document.data.receivableType);
  const live = await liveLines(tx, ref.id);
  const line: ScheduleLine = { seq: chargeSeq(live, type, due), type, dueDate: due, amountDue: dec(document.amount as string) };
  const outcome = await writeScheduleVersion(tx, actor, ref, {
    source: 'charge',
    // owed from the day it was requested (or its due date, if that is earlier): a position before shows it not
    from: minDate(await requestedOn(tx, document), due),
    retire: [],
    lines: [line],
    reason: String(document.data.reason),
    documentId: document.id,
  });
  await writeAudit(tx, actor, {
    action: 'charge',
    entity: 'contract',
    entityId: ref.contractNo,
    dealerId: ref.dealerId,
    documentId: document.id,
    details: { ...lineJson(line), ...outcome },
  });
}

export const chargeDocument: DocumentTypeDefinition = {
  type: CHARGE,
  label: '代付/代垫 charge',
  fields: { reason: 'text', receivableType: 'text' },
  onApproved: applyCharge,
  onRejected: async () => {},
};
