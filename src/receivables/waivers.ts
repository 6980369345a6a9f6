// Penalty waivers (罚息减免), RULES.md: a request forgives penalty up to the outstanding penalty as of its date;
// it counts only once approved (src/approvals), as waiver postings spread over the lines' outstanding penalty,
// oldest first. A rejected request changes nothing.
import type { Actor } from '../access/actor.js';
import type { DocumentTypeDefinition } from '../approvals/registry.js';
import { writeAudit } from '../audit/index.js';
import type { BusinessDate } from '../core/dates.js';
import { Refused } from '../core/errors.js';
import { dec, formatMoney, type Money, minMoney, sumMoney } from '../core/money.js';
import type { Tx } from '../db/index.js';
import type { DocumentRow } from '../documents/index.js';
import { assertContractActive } from '../ledger/contract-ref.js';
import { type NewPosting, writePostings } from '../ledger/post.js';
import { assertPeriodOpen } from '../periods/index.js';
import { reallocateContract } from './allocation.js';
import type { ContractRef } from './contracts.js';
import {
  type ContractArg,
  contractById,
  contractInScope,
  positionAsOf,
  requirePositive,
  requireReason,
  type Submitted,
  submitDocument,
} from './operations.js';

export const WAIVER = 'waiver';

async function outstandingPenalty(tx: Tx, ref: ContractRef, date: BusinessDate) {
  const position = await positionAsOf(tx, ref, date);
  const lines = position.lines.filter((l) => l.penaltyOutstanding.greaterThan(0));
  return { lines, total: sumMoney(lines.map((l) => l.penaltyOutstanding)) };
}

function assertWithin(amount: Money, total: Money, ref: ContractRef, date: BusinessDate): void {
  if (amount.greaterThan(total)) {
    throw new Refused(
      `a waiver of ${formatMoney(amount)} exceeds the outstanding penalty of contract ${ref.contractNo} on ${date} (${formatMoney(total)})`,
    );
  }
}

/** 罚息减免申请: at most the outstanding penalty as of its date, less what other waiting requests ask. */
export async function requestWaiver(
  tx: Tx,
  actor: Actor,
  input: ContractArg & { amount: Money; date: BusinessDate; reason: string },
): Promise<Submitted> {
  const reason = requireReason(input.reason, 'why the penalty is waived');
  requirePositive(input.amount);
  const ref = await contractInScope(tx, actor, input);
  assertContractActive(ref, 'waivers');
  await assertPeriodOpen(tx, input.date);
  const { total } = await outstandingPenalty(tx, ref, input.date);
  const waiting = await tx('documents').where({ type: WAIVER, contract_id: ref.id, status: 'submitted' }).sum({ total: 'amount' }).first();
  const asked = dec(waiting?.total ?? 0);
  assertWithin(input.amount.plus(asked), total, ref, input.date);
  return submitDocument(tx, actor, {
    type: WAIVER,
    ref,
    valueDate: input.date,
    amount: input.amount,
    data: { reason, penaltyOutstanding: formatMoney(total) },
  });
}

async function waive(tx: Tx, actor: Actor, document: DocumentRow): Promise<void> {
  const ref = await contractById(tx, document.contractId as number);
  const date = document.valueDate as BusinessDate;
  assertContractActive(ref, 'waivers');
  await assertPeriodOpen(tx, date);
  const amount = dec(document.amount as string);
  const { lines, total } = await outstandingPenalty(tx, ref, date);
  assertWithin(amount, total, ref, date);
  let left = amount;
  const rows: NewPosting[] = [];
  for (const line of lines) {
    if (!left.greaterThan(0)) break;
    const part = minMoney(left, line.penaltyOutstanding);
    rows.push({
      contractId: ref.id,
      dealerId: ref.dealerId,
      lineId: line.id,
      documentId: document.id,
      kind: 'waiver',
      receivableType: line.type,
      amount: part,
      valueDate: date,
      createdBy: actor.id,
    });
    left = left.minus(part);
  }
  await writePostings(tx, rows);
  // Forgiven penalty is no longer owed: receipts dated after the waiver may now reach the amounts instead.
  const outcome = await reallocateContract(tx, actor, ref.id, date);
  await writeAudit(tx, actor, {
    action: 'waive',
    entity: 'contract',
    entityId: ref.contractNo,
    dealerId: ref.dealerId,
    documentId: document.id,
    details: { date, amount: formatMoney(amount), lines: rows.length, ...outcome },
  });
}

export const waiverDocument: DocumentTypeDefinition = {
  type: WAIVER,
  label: '罚息减免 penalty waiver',
  onApproved: waive,
  // A rejected waiver forgives nothing.
  onRejected: async () => {},
};
