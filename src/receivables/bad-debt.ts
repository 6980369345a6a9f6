// Bad debt (坏账), RULES.md "Settlement, waiver, bad debt": registered, then confirmed through approval; the
// confirmation writes the contract's outstanding lines off from its date (write_off postings), stops penalty
// (the contract's status date) and makes later receipts recoveries, posted against the written-off lines and
// shown apart from payments.
import type { Actor } from '../access/actor.js';
import type { DocumentTypeDefinition } from '../approvals/registry.js';
import { writeAudit } from '../audit/index.js';
import { lastCompletedBatchDate } from '../batch/runs.js';
import type { BusinessDate } from '../core/dates.js';
import { Refused } from '../core/errors.js';
import { dec, formatMoney, minMoney, sumMoney } from '../core/money.js';
import type { Tx } from '../db/index.js';
import { type DocumentRow, setDocumentStatus } from '../documents/index.js';
import { assertContractActive } from '../ledger/contract-ref.js';
import { type NewPosting, reverseLivePostings, writePostings } from '../ledger/post.js';
import { recomputeSegments } from '../penalty/store.js';
import { assertPeriodOpen } from '../periods/index.js';
import type { ContractRef } from './contracts.js';
import {
  assertNoPending,
  assertNothingAfter,
  type ContractArg,
  contractById,
  contractInScope,
  positionAsOf,
  requireReason,
  type Submitted,
  submitDocument,
} from './operations.js';

export const BAD_DEBT = 'bad_debt';
const RECOVERY_REASON = 'receipt reversed';

/** 坏账登记: the outstanding as of the date goes to approval; nothing is written off until it is approved. */
export async function registerBadDebt(
  tx: Tx,
  actor: Actor,
  input: ContractArg & { date: BusinessDate; reason: string },
): Promise<Submitted> {
  const reason = requireReason(input.reason, 'why the debt is bad');
  const ref = await contractInScope(tx, actor, input);
  assertContractActive(ref, 'bad-debt registration');
  await assertPeriodOpen(tx, input.date);
  await assertNoPending(tx, BAD_DEBT, ref);
  const position = await positionAsOf(tx, ref, input.date);
  const outstanding = sumMoney(position.lines.map((l) => l.outstanding));
  if (!outstanding.greaterThan(0))
    throw new Refused(`contract ${ref.contractNo} has nothing outstanding on ${input.date}: nothing to write off`);
  return submitDocument(tx, actor, { type: BAD_DEBT, ref, valueDate: input.date, amount: outstanding, data: { reason } });
}

async function writeOff(tx: Tx, actor: Actor, document: DocumentRow): Promise<void> {
  const ref = await contractById(tx, document.contractId as number);
  const date = document.valueDate as BusinessDate;
  assertContractActive(ref, 'write-off');
  await assertPeriodOpen(tx, date);
  await assertNothingAfter(tx, ref, date, 'the write-off');
  const position = await positionAsOf(tx, ref, date);
  const rows = position.lines
    .filter((l) => l.outstanding.greaterThan(0))
    .map(
      (l): NewPosting => ({
        contractId: ref.id,
        dealerId: ref.dealerId,
        lineId: l.id,
        documentId: document.id,
        kind: 'write_off',
        receivableType: l.type,
        amount: l.outstanding,
        valueDate: date,
        createdBy: actor.id,
      }),
    );
  await writePostings(tx, rows);
  await tx('contracts').where({ id: ref.id }).update({ status: 'written_off', status_date: date, updated_at: tx.fn.now() });
  await setDocumentStatus(tx, actor, document.id, 'confirmed', { from: ['approved'] });
  const lastBatch = await lastCompletedBatchDate(tx);
  if (lastBatch !== null) await recomputeSegments(tx, lastBatch, { kind: 'contracts', contractIds: [ref.id] });
  await writeAudit(tx, actor, {
    action: 'write_off',
    entity: 'contract',
    entityId: ref.contractNo,
    dealerId: ref.dealerId,
    documentId: document.id,
    details: { date, lines: rows.length, writtenOff: formatMoney(sumMoney(rows.map((r) => dec(r.amount)))) },
  });
}

/** A confirmed receipt on a written-off contract: recovery postings against the written-off lines, oldest first. */
export async function postRecovery(tx: Tx, actor: Actor, ref: ContractRef, receipt: DocumentRow): Promise<number> {
  const valueDate = receipt.valueDate as BusinessDate;
  if (ref.statusDate && valueDate < ref.statusDate) {
    throw new Refused(
      `receipt ${receipt.number} is dated ${valueDate}, before contract ${ref.contractNo} was written off on ${ref.statusDate}`,
    );
  }
  const open = await tx('postings as p')
    .join('schedule_lines as l', 'l.id', 'p.schedule_line_id')
    .where('p.contract_id', ref.id)
    .whereIn('p.kind', ['write_off', 'recovery'])
    .groupBy('l.id', 'l.due_date', 'l.seq', 'l.receivable_type')
    .orderBy([{ column: 'l.due_date' }, { column: 'l.seq' }, { column: 'l.id' }])
    .select(
      'l.id',
      'l.receivable_type as type',
      tx.raw(`sum(CASE WHEN p.kind = 'write_off' THEN p.signed_amount ELSE -p.signed_amount END)::text as open`),
    );
  let left = dec(receipt.amount as string);
  const rows: NewPosting[] = [];
  for (const line of open) {
    if (!left.greaterThan(0)) break;
    const amount = minMoney(left, dec(line.open));
    if (!amount.greaterThan(0)) continue;
    rows.push({
      contractId: ref.id,
      dealerId: ref.dealerId,
      lineId: line.id,
      documentId: receipt.id,
      kind: 'recovery',
      receivableType: line.type,
      amount,
      valueDate,
      createdBy: actor.id,
    });
    left = left.minus(amount);
  }
  if (left.greaterThan(0)) {
    const unrecovered = sumMoney(open.map((l) => dec(l.open)));
    throw new Refused(
      `receipt ${receipt.number} of ${receipt.amount} exceeds what is written off and not yet recovered on contract ${ref.contractNo} (${formatMoney(unrecovered)})`,
    );
  }
  await writePostings(tx, rows);
  await tx('documents')
    .where({ id: receipt.id })
    .update({ data: JSON.stringify({ ...receipt.data, recovery: true }) });
  return rows.length;
}

/** Reverses the live recovery postings of a reversed receipt. */
export async function reverseRecovery(tx: Tx, actor: Actor, receiptId: number, reason: string): Promise<number> {
  return reverseLivePostings(tx, "p.document_id = ? AND p.kind = 'recovery'", [receiptId], `${RECOVERY_REASON}: ${reason}`, actor.id);
}

export const badDebtDocument: DocumentTypeDefinition = {
  type: BAD_DEBT,
  label: '坏账 bad debt',
  onApproved: writeOff,
  // A rejected registration writes nothing off.
  onRejected: async () => {},
};
