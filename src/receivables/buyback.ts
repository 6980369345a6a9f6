// Buyback (回购): the dealer pays the financier (bank or leasing company) for a defaulted contract it guaranteed.
// From the buyback date D the receivable is the dealer's own:
//  - what the customer owed under the financed schedule as of D (every unpaid amount and its penalty up to D)
//    is closed by a transfer receipt (method 'buyback') dated D, allocated by a manual split that every later
//    replay honours, so the lines before D keep their figures and stay readable;
//  - the installments not yet due and untouched are retired by a new schedule version (source 'buyback'),
//    which adds one 代付 line (on_behalf_payment) of the amount the dealer paid, due D: the dealer's receivable
//    from the customer, penalty-bearing per that type's setting;
//  - the contract is held by the dealer from then on.
// It is a document that goes through the approval engine; it acts once approved (at once if no rule matches).
import type { Actor } from '../access/actor.js';
import type { DocumentTypeDefinition } from '../approvals/registry.js';
import { writeAudit } from '../audit/index.js';
import type { BusinessDate } from '../core/dates.js';
import { BadInput, Refused } from '../core/errors.js';
import { dec, formatMoney, type Money, sumMoney } from '../core/money.js';
import type { Tx } from '../db/index.js';
import type { DocumentRow } from '../documents/index.js';
import { assertContractActive } from '../ledger/contract-ref.js';
import { assertPeriodOpen } from '../periods/index.js';
import type { ContractRef } from './contracts.js';
import {
  assertNoPending,
  assertNothingAfter,
  type ContractArg,
  contractById,
  contractInScope,
  positionAsOf,
  requirePositive,
  type Submitted,
  submitDocument,
} from './operations.js';
import { recordConfirmedReceipt } from './receipts.js';
import { assertNotBeforeLatestVersion, liveLines, writeScheduleVersion } from './schedule-changes.js';

export const BUYBACK = 'buyback';
/** The receivable type of the amount paid to the financier (GLOSSARY 代付: paid to a third party for the customer). */
export const BUYBACK_LINE_TYPE = 'on_behalf_payment';

async function assertBuyable(tx: Tx, ref: ContractRef, date: BusinessDate): Promise<string> {
  assertContractActive(ref, 'buyback');
  const row = await tx('contracts').where({ id: ref.id }).first('financier', 'held_by as heldBy');
  if (row.heldBy !== 'financier' || !row.financier)
    throw new Refused(
      `contract ${ref.contractNo} is held by the dealer${row.financier ? ` (bought back from ${row.financier})` : ''}: there is nothing to buy back`,
    );
  await assertPeriodOpen(tx, date);
  await assertNothingAfter(tx, ref, date, 'the buyback');
  await assertNotBeforeLatestVersion(tx, ref, date, 'the buyback');
  return row.financier as string;
}

/** 回购登记: what the dealer paid the financier for the contract, on the date it paid. */
export async function requestBuyback(
  tx: Tx,
  actor: Actor,
  input: ContractArg & { amount: Money; date: BusinessDate; reason?: string | undefined },
): Promise<Submitted> {
  requirePositive(input.amount);
  if (input.amount.decimalPlaces() > 2) throw new BadInput('amount', input.amount.toString(), 'at most two decimals');
  const ref = await contractInScope(tx, actor, input);
  const financier = await assertBuyable(tx, ref, input.date);
  await assertNoPending(tx, BUYBACK, ref);
  const position = await positionAsOf(tx, ref, input.date);
  const owed = sumMoney(position.lines.map((l) => l.outstanding.plus(l.penaltyOutstanding)));
  return submitDocument(tx, actor, {
    type: BUYBACK,
    ref,
    valueDate: input.date,
    amount: input.amount,
    data: { reason: input.reason?.trim() || null, financier, customerOwedAsOfDate: formatMoney(owed) },
  });
}

interface TransferPart {
  lineId: string;
  seq: number;
  type: string;
  target: 'amount' | 'penalty';
  amount: string;
}

async function applyBuyback(tx: Tx, actor: Actor, document: DocumentRow): Promise<void> {
  const ref = await contractById(tx, document.contractId as number);
  const date = document.valueDate as BusinessDate;
  const financier = await assertBuyable(tx, ref, date);
  const amount = dec(document.amount as string);
  const live = await liveLines(tx, ref.id);
  // Not yet due and never touched: replaced by the dealer's own line. Everything else is closed as of D.
  const retire = live.filter((l) => l.dueDate > date && l.moneyOn.isZero()).map((l) => l.id);
  const retired = new Set(retire);
  const position = await positionAsOf(tx, ref, date);
  const parts: TransferPart[] = [];
  for (const line of position.lines) {
    if (retired.has(line.id)) continue;
    const base = { lineId: String(line.id), seq: line.seq, type: line.type };
    if (line.penaltyOutstanding.greaterThan(0)) parts.push({ ...base, target: 'penalty', amount: formatMoney(line.penaltyOutstanding) });
    if (line.outstanding.greaterThan(0)) parts.push({ ...base, target: 'amount', amount: formatMoney(line.outstanding) });
  }
  const seq = live.reduce((max, l) => Math.max(max, l.seq), 0) + 1;
  const version = await writeScheduleVersion(tx, actor, ref, {
    source: 'buyback',
    from: date,
    retire,
    lines: [{ seq, type: BUYBACK_LINE_TYPE, dueDate: date, amountDue: amount }],
    reason: `回购 buyback from ${financier}`,
    documentId: document.id,
  });
  const closed = sumMoney(parts.map((p) => dec(p.amount)));
  let transfer: { id: number; number: string } | null = null;
  if (closed.greaterThan(0)) {
    const receipt = await recordConfirmedReceipt(
      tx,
      actor,
      { contract: ref, valueDate: date, amount: closed, method: 'buyback', payer: ref.dealer, reference: document.number },
      { manual: parts, buyback: document.id },
    );
    transfer = { id: receipt.id, number: receipt.number };
  }
  await tx('contracts').where({ id: ref.id }).update({ held_by: 'dealer', updated_at: tx.fn.now() });
  await tx('documents')
    .where({ id: document.id })
    .update({
      data: JSON.stringify({ ...document.data, version: version.version, closed: formatMoney(closed), transferReceipt: transfer }),
      updated_at: tx.fn.now(),
    });
  await writeAudit(tx, actor, {
    action: 'buyback',
    entity: 'contract',
    entityId: ref.contractNo,
    dealerId: ref.dealerId,
    documentId: document.id,
    details: { date, financier, amount: formatMoney(amount), closed: formatMoney(closed), retired: retire.length, parts, transfer },
  });
}

export const buybackDocument: DocumentTypeDefinition = {
  type: BUYBACK,
  label: '回购 buyback',
  fields: { financier: 'text' },
  onApproved: applyBuyback,
  onRejected: async () => {},
};
