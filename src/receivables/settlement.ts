// Settlement (结清), RULES.md: allowed only when nothing is outstanding as of the settlement date, future lines
// included. An early payoff pays the remaining scheduled amounts: a receipt's money left after the lines due by
// its date is credit, and the settlement applies that credit to the future lines (credit_application, value
// date = settlement date). Penalty must be paid or waived, and no credit may be left over (a settled contract
// accepts no refund). After settlement the contract accepts no postings (core and database,
// migrations/010_contract_posting_guard.ts) except a reversal of the settlement itself.

import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import { writeAudit } from '../audit/index.js';
import { lastCompletedBatchDate } from '../batch/runs.js';
import type { BusinessDate } from '../core/dates.js';
import { Refused } from '../core/errors.js';
import { formatMoney, type Money, sumMoney, ZERO } from '../core/money.js';
import type { Tx } from '../db/index.js';
import { assertNotReviewLocked, createDocument, type DocumentRow, setDocumentStatus } from '../documents/index.js';
import { assertContractActive } from '../ledger/contract-ref.js';
import { writePostings } from '../ledger/post.js';
import { recomputeSegments } from '../penalty/store.js';
import { assertPeriodOpen } from '../periods/index.js';
import { reallocateContract } from './allocation.js';
import type { ContractRef } from './contracts.js';
import { type ContractArg, contractInScope, positionAsOf, requireReason } from './operations.js';

export const SETTLEMENT = 'settlement';

export interface OwedLine {
  seq: number;
  type: string;
  dueDate: BusinessDate;
  outstanding: string;
  penaltyOutstanding: string;
}

export interface SettlementQuote {
  dealer: string;
  contractNo: string;
  date: BusinessDate;
  lines: OwedLine[];
  outstanding: string;
  penaltyOutstanding: string;
  credit: string;
  /** What a receipt dated `date` must bring to settle on that date: outstanding + penalty − credit. */
  toPay: string;
}

interface QuoteFigures {
  quote: SettlementQuote;
  outstanding: Money;
  penalty: Money;
  credit: Money;
  open: { id: number; type: string; outstanding: Money }[];
}

async function figures(knex: Knex, ref: ContractRef, date: BusinessDate): Promise<QuoteFigures> {
  const position = await positionAsOf(knex, ref, date);
  const owed = position.lines.filter((l) => l.outstanding.greaterThan(0) || l.penaltyOutstanding.greaterThan(0));
  const outstanding = sumMoney(position.lines.map((l) => l.outstanding));
  const penalty = sumMoney(position.lines.map((l) => l.penaltyOutstanding));
  const toPay = outstanding.plus(penalty).minus(position.credit);
  return {
    outstanding,
    penalty,
    credit: position.credit,
    open: owed.filter((l) => l.outstanding.greaterThan(0)).map((l) => ({ id: l.id, type: l.type, outstanding: l.outstanding })),
    quote: {
      dealer: ref.dealer,
      contractNo: ref.contractNo,
      date,
      lines: owed.map((l) => ({
        seq: l.seq,
        type: l.type,
        dueDate: l.dueDate,
        outstanding: formatMoney(l.outstanding),
        penaltyOutstanding: formatMoney(l.penaltyOutstanding),
      })),
      outstanding: formatMoney(outstanding),
      penaltyOutstanding: formatMoney(penalty),
      credit: formatMoney(position.credit),
      toPay: formatMoney(toPay.greaterThan(0) ? toPay : ZERO),
    },
  };
}

/** 提前结清报价: what must be paid on the date to settle then (future lines included). */
export async function settlementQuote(knex: Knex, actor: Actor, input: ContractArg & { date: BusinessDate }): Promise<SettlementQuote> {
  const ref = await contractInScope(knex, actor, input);
  assertContractActive(ref, 'settlement');
  return (await figures(knex, ref, input.date)).quote;
}

function owedList(q: SettlementQuote): string[] {
  return q.lines.map(
    (l) =>
      `installment ${l.seq} ${l.type} due ${l.dueDate}: ${l.outstanding} outstanding${l.penaltyOutstanding === '0.00' ? '' : `, penalty ${l.penaltyOutstanding}`}`,
  );
}

export async function settleContract(tx: Tx, actor: Actor, input: ContractArg & { date: BusinessDate }): Promise<DocumentRow> {
  const ref = await contractInScope(tx, actor, input);
  assertContractActive(ref, 'settlement');
  await assertPeriodOpen(tx, input.date);
  const later = await tx('postings').where({ contract_id: ref.id }).where('value_date', '>', input.date).min('value_date as date').first();
  if (later?.date) throw new Refused(`contract ${ref.contractNo} has postings dated ${later.date}: settle it on or after that date`);
  const f = await figures(tx, ref, input.date);
  if (f.penalty.greaterThan(0) || f.outstanding.greaterThan(f.credit)) {
    const details = owedList(f.quote);
    throw new Refused(
      `contract ${ref.contractNo} cannot be settled on ${input.date}: ${f.quote.toPay} is still owed (outstanding ${f.quote.outstanding}, penalty ${f.quote.penaltyOutstanding}, credit ${f.quote.credit}):\n  - ${details.join('\n  - ')}`,
      details,
    );
  }
  if (f.credit.greaterThan(f.outstanding)) {
    const left = formatMoney(f.credit.minus(f.outstanding));
    throw new Refused(
      `contract ${ref.contractNo} would keep ${left} of credit after settlement on ${input.date}: refund it first, a settled contract accepts no posting`,
    ).suggest({ action: 'refund.request', input: { contractNo: ref.contractNo, amount: left } });
  }
  const settlement = await createDocument(tx, actor, {
    type: SETTLEMENT,
    status: 'confirmed',
    dealerId: ref.dealerId,
    contractId: ref.id,
    valueDate: input.date,
    amount: f.outstanding,
    data: { creditApplied: formatMoney(f.outstanding) },
  });
  await writePostings(
    tx,
    f.open.map((l) => ({
      contractId: ref.id,
      dealerId: ref.dealerId,
      lineId: l.id,
      documentId: settlement.id,
      kind: 'credit_application',
      receivableType: l.type,
      amount: l.outstanding,
      valueDate: input.date,
      createdBy: actor.id,
    })),
  );
  await tx('contracts').where({ id: ref.id }).update({ status: 'settled', status_date: input.date, updated_at: tx.fn.now() });
  const lastBatch = await lastCompletedBatchDate(tx);
  if (lastBatch !== null) await recomputeSegments(tx, lastBatch, { kind: 'contracts', contractIds: [ref.id] });
  await writeAudit(tx, actor, {
    action: 'settle',
    entity: 'contract',
    entityId: ref.contractNo,
    dealerId: ref.dealerId,
    documentId: settlement.id,
    details: { date: input.date, creditApplied: formatMoney(f.outstanding) },
  });
  return settlement;
}

/** Reverses a contract's settlement: a linked reversal document, the contract active again and re-allocated. */
export async function reverseSettlement(tx: Tx, actor: Actor, input: ContractArg & { reason: string }): Promise<DocumentRow> {
  const reason = requireReason(input.reason, 'why the settlement is reversed');
  const ref = await contractInScope(tx, actor, input);
  if (ref.status !== 'settled') throw new Refused(`contract ${ref.contractNo} is ${ref.status}: there is no settlement to reverse`);
  const settlement = (await tx('documents')
    .where({ type: SETTLEMENT, contract_id: ref.id, status: 'confirmed' })
    .orderBy('id', 'desc')
    .first('id')) as { id: number } | undefined;
  if (!settlement) throw new Refused(`contract ${ref.contractNo} has no confirmed settlement document`);
  const { loadDocument } = await import('../documents/index.js');
  const doc = await loadDocument(tx, settlement.id);
  assertNotReviewLocked(doc, 'reversed');
  await assertPeriodOpen(tx, doc.valueDate as BusinessDate);
  const reversal = await createDocument(tx, actor, {
    type: 'settlement_reversal',
    status: 'confirmed',
    dealerId: ref.dealerId,
    contractId: ref.id,
    valueDate: doc.valueDate,
    reversesId: doc.id,
    data: { reason, settlement: doc.number },
  });
  await setDocumentStatus(tx, actor, doc.id, 'reversed', { from: ['confirmed'], details: { reason, reversalId: reversal.id } });
  await tx('contracts').where({ id: ref.id }).update({ status: 'active', status_date: null, updated_at: tx.fn.now() });
  const outcome = await reallocateContract(tx, actor, ref.id, doc.valueDate as BusinessDate);
  await writeAudit(tx, actor, {
    action: 'reverse',
    entity: 'settlement',
    entityId: ref.contractNo,
    dealerId: ref.dealerId,
    documentId: reversal.id,
    details: { settlement: doc.number, reason, ...outcome },
  });
  return reversal;
}
