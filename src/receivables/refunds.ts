// Refunds (退款) of the customer's advance-receipt credit (预收): requested, approved (src/approvals), then
// confirmed when the money leaves (a refund posting). A refund never exceeds the credit: at the request, at the
// confirmation, and in every later replay of the contract (src/penalty/allocate.ts refuses a change that would
// leave a confirmed refund above the credit of its date).
import type { Actor } from '../access/actor.js';
import type { DocumentTypeDefinition } from '../approvals/registry.js';
import { writeAudit } from '../audit/index.js';
import type { BusinessDate } from '../core/dates.js';
import { Refused } from '../core/errors.js';
import { dec, formatMoney, type Money } from '../core/money.js';
import type { Tx } from '../db/index.js';
import { assertNotReviewLocked, type DocumentRow, loadDocument, setDocumentStatus } from '../documents/index.js';
import { assertContractActive } from '../ledger/contract-ref.js';
import { writePostings } from '../ledger/post.js';
import { assertPeriodOpen } from '../periods/index.js';
import { reallocateContract } from './allocation.js';
import type { ContractRef } from './contracts.js';
import {
  type ContractArg,
  contractById,
  contractInScope,
  documentOfType,
  positionAsOf,
  requirePositive,
  type Submitted,
  submitDocument,
} from './operations.js';

export const REFUND = 'refund';

/** Credit as of the date less refunds requested or approved but not yet paid (other than `except`). */
async function availableCredit(tx: Tx, ref: ContractRef, date: BusinessDate, except?: number): Promise<{ credit: Money; reserved: Money }> {
  const position = await positionAsOf(tx, ref, date);
  const q = tx('documents').where({ type: REFUND, contract_id: ref.id }).whereIn('status', ['submitted', 'approved']);
  if (except !== undefined) q.whereNot('id', except);
  const reserved = dec((await q.sum({ total: 'amount' }).first())?.total ?? 0);
  return { credit: position.credit, reserved };
}

function assertWithinCredit(amount: Money, credit: Money, reserved: Money, ref: ContractRef, date: BusinessDate): void {
  if (amount.plus(reserved).greaterThan(credit)) {
    throw new Refused(
      `a refund of ${formatMoney(amount)} exceeds the credit of contract ${ref.contractNo} on ${date}: ${formatMoney(credit)}${reserved.isZero() ? '' : `, of which ${formatMoney(reserved)} is already requested`}`,
    );
  }
}

export async function requestRefund(
  tx: Tx,
  actor: Actor,
  input: ContractArg & { amount: Money; date: BusinessDate; reason?: string | undefined },
): Promise<Submitted> {
  requirePositive(input.amount);
  const ref = await contractInScope(tx, actor, input);
  assertContractActive(ref, 'refunds');
  await assertPeriodOpen(tx, input.date);
  const { credit, reserved } = await availableCredit(tx, ref, input.date);
  assertWithinCredit(input.amount, credit, reserved, ref, input.date);
  return submitDocument(tx, actor, {
    type: REFUND,
    ref,
    valueDate: input.date,
    amount: input.amount,
    data: { reason: input.reason?.trim() || null, credit: formatMoney(credit) },
  });
}

/** Pays an approved refund: a refund posting at its value date, then a replay that must still balance. */
export async function confirmRefund(tx: Tx, actor: Actor, id: number): Promise<{ refund: DocumentRow; posted: number; reversed: number }> {
  const doc = await documentOfType(tx, id, REFUND);
  assertNotReviewLocked(doc, 'changed');
  if (doc.status !== 'approved') throw new Refused(`refund ${doc.number} is ${doc.status}: only an approved refund is confirmed`);
  const ref = await contractById(tx, doc.contractId as number);
  assertContractActive(ref, 'refunds');
  const date = doc.valueDate as BusinessDate;
  await assertPeriodOpen(tx, date);
  const amount = dec(doc.amount as string);
  const { credit } = await availableCredit(tx, ref, date, id);
  assertWithinCredit(amount, credit, dec(0), ref, date);
  await writePostings(tx, [
    {
      contractId: ref.id,
      dealerId: ref.dealerId,
      lineId: null,
      documentId: id,
      kind: 'refund',
      receivableType: null,
      amount,
      valueDate: date,
      createdBy: actor.id,
    },
  ]);
  await setDocumentStatus(tx, actor, id, 'confirmed', { from: ['approved'] });
  const outcome = await reallocateContract(tx, actor, ref.id, date);
  await writeAudit(tx, actor, {
    action: 'confirm',
    entity: 'refund',
    entityId: id,
    dealerId: ref.dealerId,
    documentId: id,
    details: { number: doc.number, amount: formatMoney(amount), date, ...outcome },
  });
  return { refund: await loadDocument(tx, id), ...outcome };
}

export const refundDocument: DocumentTypeDefinition = {
  type: REFUND,
  label: '退款 refund',
  fields: { reason: 'text' },
  // Approval only allows the payment: the money leaves with `zq refund confirm`.
  onApproved: async () => {},
  onRejected: async () => {},
};
