// Receipts (收款): registered (collector or clerk), then confirmed by finance, which allocates them; after
// confirmation a receipt can only be reversed (by a linked reversal document) or adjusted (reversal plus a
// corrected receipt). The allocation is a replay of the contract from scratch (./allocation.ts): a receipt dated
// after everything else adds only its own postings, a back-dated one re-allocates what it changes. A manual
// allocation (receipt.allocate) is kept in the receipt's data and honoured by every replay; a later change that
// makes it impossible is refused, never silently undone. On a written-off contract a confirmed receipt is a
// recovery. The core that the receipt actions and the importer call; no CLI here.
import type { Actor } from '../access/actor.js';
import { writeAudit } from '../audit/index.js';
import { type BusinessDate, minDate } from '../core/dates.js';
import { assert, BadInput, Refused } from '../core/errors.js';
import { dec, formatMoney, type Money, parseMoney, sumMoney } from '../core/money.js';
import type { Tx } from '../db/index.js';
import { assertNotReviewLocked, type DocumentRow, loadDocument, nextDocumentNumber, setDocumentStatus } from '../documents/index.js';
import { assertContractActive } from '../ledger/contract-ref.js';
import { assertPeriodOpen } from '../periods/index.js';
import { reallocateContract } from './allocation.js';
import { postRecovery, reverseRecovery } from './bad-debt.js';
import { type ContractRef, contractById, findContract } from './contracts.js';

/** Parts of one manual allocation: a named limit. */
export const MANUAL_SPLIT_MAX = 200;

export interface ReceiptInput {
  contract: ContractRef | { contractNo: string; dealer?: string | undefined };
  valueDate: BusinessDate;
  amount: Money;
  reference?: string | undefined;
  method?: string | undefined;
  payer?: string | undefined;
  account?: string | undefined;
  documentNumber?: string | undefined;
}
/** The importer's name for the same input. */
export type ConfirmedReceiptInput = ReceiptInput;

export interface ConfirmedReceipt {
  id: number;
  number: string;
  contractId: number;
  valueDate: BusinessDate;
  amount: string;
  posted: number;
  reversed: number;
}

async function contractOf(tx: Tx, contract: ReceiptInput['contract']): Promise<ContractRef> {
  return 'id' in contract ? contract : findContract(tx, contract.contractNo, contract.dealer);
}

async function insertReceipt(
  tx: Tx,
  actor: Actor,
  ref: ContractRef,
  input: ReceiptInput,
  status: 'registered' | 'confirmed',
  extra: Record<string, unknown> = {},
): Promise<{ id: number; number: string }> {
  if (!input.amount.greaterThan(0)) throw new BadInput('amount', input.amount.toString(), 'an amount greater than zero');
  if (input.amount.decimalPlaces() > 2) throw new BadInput('amount', input.amount.toString(), 'at most two decimals');
  await assertPeriodOpen(tx, input.valueDate);
  const number = input.documentNumber ?? (await nextDocumentNumber(tx, 'receipt'));
  if (await tx('documents').where({ type: 'receipt', number }).first('id')) throw new Refused(`receipt ${number} exists already`);
  const [doc] = await tx('documents')
    .insert({
      type: 'receipt',
      number,
      status,
      dealer_id: ref.dealerId,
      contract_id: ref.id,
      author_id: actor.id,
      value_date: input.valueDate,
      amount: formatMoney(input.amount),
      data: JSON.stringify({
        reference: input.reference ?? null,
        method: input.method ?? null,
        payer: input.payer ?? null,
        account: input.account ?? null,
        ...extra,
      }),
    })
    .returning('id');
  return { id: doc.id, number };
}

/** Registers a receipt (收款登记): recorded with its value date, not yet allocated. */
export async function registerReceipt(
  tx: Tx,
  actor: Actor,
  input: ReceiptInput,
  extra: Record<string, unknown> = {},
): Promise<DocumentRow> {
  const ref = await contractOf(tx, input.contract);
  if (ref.status === 'settled') assertContractActive(ref, 'receipts');
  const doc = await insertReceipt(tx, actor, ref, input, 'registered', extra);
  await writeAudit(tx, actor, {
    action: 'register',
    entity: 'receipt',
    entityId: doc.id,
    dealerId: ref.dealerId,
    documentId: doc.id,
    details: { number: doc.number, contract: ref.contractNo, valueDate: input.valueDate, amount: formatMoney(input.amount), ...extra },
  });
  return loadDocument(tx, doc.id);
}

/**
 * Records a confirmed receipt at once (the importer, a corrected receipt) and allocates it by the dealer's
 * strategy, as confirmReceipt does for a registered one.
 */
export async function recordConfirmedReceipt(
  tx: Tx,
  actor: Actor,
  input: ReceiptInput,
  extra: Record<string, unknown> = {},
): Promise<ConfirmedReceipt> {
  const ref = await contractOf(tx, input.contract);
  assertContractActive(ref, 'receipts');
  const doc = await insertReceipt(tx, actor, ref, input, 'confirmed', extra);
  const outcome = await reallocateContract(tx, actor, ref.id, input.valueDate);
  await writeAudit(tx, actor, {
    action: 'confirm',
    entity: 'receipt',
    entityId: doc.id,
    dealerId: ref.dealerId,
    documentId: doc.id,
    details: { number: doc.number, contract: ref.contractNo, valueDate: input.valueDate, amount: formatMoney(input.amount), ...outcome },
  });
  return { id: doc.id, number: doc.number, contractId: ref.id, valueDate: input.valueDate, amount: formatMoney(input.amount), ...outcome };
}

async function receiptDocument(tx: Tx, id: number): Promise<DocumentRow & { contractId: number; valueDate: BusinessDate; amount: string }> {
  const doc = await loadDocument(tx, id);
  if (doc.type !== 'receipt') throw new BadInput('ID', id, `a receipt's id (document ${id} is a ${doc.type})`);
  assert(doc.contractId !== null && doc.valueDate !== null && doc.amount !== null, `receipt ${id} has a contract, value date and amount`);
  return doc as DocumentRow & { contractId: number; valueDate: BusinessDate; amount: string };
}

/**
 * Confirms a registered receipt (收款确认) and allocates it (RULES.md): by its manual split when one was given,
 * else by the dealer's strategy. On a written-off contract it is a recovery against the written-off lines.
 */
export async function confirmReceipt(tx: Tx, actor: Actor, id: number): Promise<ConfirmedReceipt & { recovery: boolean }> {
  const doc = await receiptDocument(tx, id);
  assertNotReviewLocked(doc, 'changed');
  const ref = await contractById(tx, doc.contractId);
  if (ref.status === 'settled') assertContractActive(ref, 'receipts');
  await assertPeriodOpen(tx, doc.valueDate);
  await setDocumentStatus(tx, actor, id, 'confirmed', { from: ['registered'] });
  let outcome = { posted: 0, reversed: 0 };
  const recovery = ref.status === 'written_off';
  if (recovery) {
    outcome.posted = await postRecovery(tx, actor, ref, doc);
  } else {
    outcome = await reallocateContract(tx, actor, ref.id, doc.valueDate);
  }
  await writeAudit(tx, actor, {
    action: 'confirm',
    entity: 'receipt',
    entityId: id,
    dealerId: ref.dealerId,
    documentId: id,
    details: { number: doc.number, contract: ref.contractNo, valueDate: doc.valueDate, amount: doc.amount, recovery, ...outcome },
  });
  return { id, number: doc.number, contractId: ref.id, valueDate: doc.valueDate, amount: doc.amount, recovery, ...outcome };
}

/** Withdraws a registered receipt (only before confirmation; RULES.md). */
export async function withdrawReceipt(tx: Tx, actor: Actor, id: number): Promise<DocumentRow> {
  const doc = await receiptDocument(tx, id);
  if (doc.status === 'confirmed')
    throw new Refused(`receipt ${doc.number} is confirmed: it can only be reversed`).suggest({ action: 'receipt.reverse', input: { id } });
  const { withdrawDocument } = await import('../documents/index.js');
  return withdrawDocument(tx, actor, id);
}

export interface ReversalResult {
  receipt: DocumentRow;
  reversal: DocumentRow;
  posted: number;
  reversed: number;
}

/** Writes the reversal document and marks the receipt reversed; the caller replays. */
async function reverseDocumentOnly(tx: Tx, actor: Actor, id: number, reason: string, data: Record<string, unknown> = {}) {
  if (!reason?.trim()) throw new BadInput('reason', reason ?? null, 'why the receipt is reversed');
  const doc = await receiptDocument(tx, id);
  assertNotReviewLocked(doc, 'reversed');
  if (doc.status === 'registered')
    throw new Refused(`receipt ${doc.number} is not confirmed yet: withdraw it instead`).suggest({
      action: 'receipt.withdraw',
      input: { id },
    });
  if (doc.status !== 'confirmed') throw new Refused(`receipt ${doc.number} is ${doc.status}: only a confirmed receipt can be reversed`);
  const ref = await contractById(tx, doc.contractId);
  const recovery = doc.data.recovery === true;
  if (!recovery) assertContractActive(ref, 'reversal of receipts');
  await assertPeriodOpen(tx, doc.valueDate);
  const { createDocument } = await import('../documents/index.js');
  const reversal = await createDocument(tx, actor, {
    type: 'receipt_reversal',
    status: 'confirmed',
    dealerId: doc.dealerId,
    contractId: doc.contractId,
    valueDate: doc.valueDate,
    amount: dec(doc.amount),
    reversesId: id,
    data: { reason: reason.trim(), receipt: doc.number, ...data },
  });
  const receipt = await setDocumentStatus(tx, actor, id, 'reversed', {
    from: ['confirmed'],
    details: { reason: reason.trim(), reversalId: reversal.id },
  });
  let posted = 0;
  if (recovery) {
    posted = await reverseRecovery(tx, actor, id, reason.trim());
  }
  return { doc, ref, receipt, reversal, recovery, posted };
}

/** Reverses a confirmed receipt by a linked reversal document; the contract is re-allocated without it. */
export async function reverseReceipt(tx: Tx, actor: Actor, id: number, reason: string): Promise<ReversalResult> {
  const r = await reverseDocumentOnly(tx, actor, id, reason);
  const outcome = r.recovery ? { posted: 0, reversed: r.posted } : await reallocateContract(tx, actor, r.ref.id, r.doc.valueDate);
  await writeAudit(tx, actor, {
    action: 'reverse',
    entity: 'receipt',
    entityId: id,
    dealerId: r.ref.dealerId,
    documentId: id,
    details: { number: r.doc.number, reversalId: r.reversal.id, reason: reason.trim(), ...outcome },
  });
  return { receipt: r.receipt, reversal: r.reversal, ...outcome };
}

export interface ReceiptChanges {
  amount?: Money | undefined;
  valueDate?: BusinessDate | undefined;
  method?: string | undefined;
  account?: string | undefined;
  payer?: string | undefined;
  reference?: string | undefined;
}

/** 收款调整: reverses a confirmed receipt and records the corrected one, linked both ways, in one replay. */
export async function adjustReceipt(
  tx: Tx,
  actor: Actor,
  id: number,
  changes: ReceiptChanges,
  reason: string,
): Promise<{ reversal: DocumentRow; original: DocumentRow; corrected: DocumentRow; posted: number; reversed: number }> {
  if (Object.values(changes).every((v) => v === undefined)) {
    throw new BadInput('changes', null, 'at least one of --amount, --value-date, --method, --account, --payer, --reference');
  }
  const r = await reverseDocumentOnly(tx, actor, id, reason, { adjustment: true });
  if (r.recovery) throw new Refused(`receipt ${r.doc.number} is a recovery: reverse it and register the corrected one`);
  const old = r.doc.data as Record<string, string | null>;
  const valueDate = changes.valueDate ?? r.doc.valueDate;
  const corrected = await insertReceipt(
    tx,
    actor,
    r.ref,
    {
      contract: r.ref,
      valueDate,
      amount: changes.amount ?? dec(r.doc.amount),
      method: changes.method ?? old.method ?? undefined,
      account: changes.account ?? old.account ?? undefined,
      payer: changes.payer ?? old.payer ?? undefined,
      reference: changes.reference ?? old.reference ?? undefined,
    },
    'confirmed',
    { correctionOf: id, reversalId: r.reversal.id, reason: reason.trim() },
  );
  const outcome = await reallocateContract(tx, actor, r.ref.id, minDate(valueDate, r.doc.valueDate as BusinessDate));
  await writeAudit(tx, actor, {
    action: 'adjust',
    entity: 'receipt',
    entityId: id,
    dealerId: r.ref.dealerId,
    documentId: corrected.id,
    details: {
      original: r.doc.number,
      corrected: corrected.number,
      reversalId: r.reversal.id,
      reason: reason.trim(),
      changes: changesJson(changes),
      ...outcome,
    },
  });
  return { reversal: r.reversal, original: r.receipt, corrected: await loadDocument(tx, corrected.id), ...outcome };
}

function changesJson(changes: ReceiptChanges): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(changes)) if (v !== undefined) out[k] = typeof v === 'string' ? v : formatMoney(v);
  return out;
}

export interface ManualPart {
  seq: number;
  type: string;
  target: 'amount' | 'penalty';
  amount: Money;
}

/** `SEQ:TYPE=AMOUNT,…` (to a line's amount) and `SEQ:TYPE:penalty=AMOUNT` (to that line's penalty). */
export function parseManualSplit(text: string): ManualPart[] {
  const parts = String(text)
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0 || parts.length > MANUAL_SPLIT_MAX) {
    throw new BadInput('split', text, `1 to ${MANUAL_SPLIT_MAX} parts SEQ:TYPE=AMOUNT, e.g. 1:interest=200.00,1:principal=800.00`);
  }
  return parts.map((part) => {
    const m = /^(\d+):([a-z_]+)(:penalty)?=(.+)$/.exec(part);
    if (!m) throw new BadInput('split', part, 'SEQ:TYPE=AMOUNT or SEQ:TYPE:penalty=AMOUNT, e.g. 2:principal=500.00');
    const amount = parseMoney(m[4] as string, 'split', { positive: true });
    return { seq: Number(m[1]), type: m[2] as string, target: m[3] ? 'penalty' : 'amount', amount };
  });
}

/**
 * Manual allocation (zq receipt allocate): the split is kept in the receipt's data and used instead of the
 * strategy by every replay. For a registered receipt it takes effect on confirmation; for a confirmed one the
 * contract is re-allocated at once (the strategy's postings reversed, the split's posted).
 */
export async function allocateReceiptManually(
  tx: Tx,
  actor: Actor,
  id: number,
  parts: ManualPart[],
): Promise<{ receipt: DocumentRow; posted: number; reversed: number }> {
  const doc = await receiptDocument(tx, id);
  assertNotReviewLocked(doc, 'changed');
  if (doc.status !== 'registered' && doc.status !== 'confirmed')
    throw new Refused(`receipt ${doc.number} is ${doc.status}: it cannot be allocated`);
  const ref = await contractById(tx, doc.contractId);
  assertContractActive(ref, 'allocations');
  await assertPeriodOpen(tx, doc.valueDate);
  const total = sumMoney(parts.map((p) => p.amount));
  if (total.greaterThan(dec(doc.amount))) throw new BadInput('split', formatMoney(total), `at most the receipt's amount ${doc.amount}`);
  const lines = await tx('schedule_lines')
    .where({ contract_id: ref.id })
    .whereNull('retired_version')
    .select('id', 'seq', 'receivable_type as type');
  const seen = new Set<string>();
  const manual = parts.map((p) => {
    const line = lines.find((l) => l.seq === p.seq && l.type === p.type);
    if (!line)
      throw new BadInput('split', `${p.seq}:${p.type}`, `a line of contract ${ref.contractNo}`).suggest({
        action: 'contract.show',
        input: { contractNo: ref.contractNo },
      });
    const key = `${line.id}|${p.target}`;
    if (seen.has(key)) throw new BadInput('split', `${p.seq}:${p.type}`, 'each line (and its penalty) at most once');
    seen.add(key);
    return { lineId: String(line.id), seq: p.seq, type: p.type, target: p.target, amount: formatMoney(p.amount) };
  });
  await tx('documents')
    .where({ id })
    .update({ data: JSON.stringify({ ...doc.data, manual }), updated_at: tx.fn.now() });
  const outcome = doc.status === 'confirmed' ? await reallocateContract(tx, actor, ref.id, doc.valueDate) : { posted: 0, reversed: 0 };
  await writeAudit(tx, actor, {
    action: 'allocate',
    entity: 'receipt',
    entityId: id,
    dealerId: ref.dealerId,
    documentId: id,
    details: { number: doc.number, previous: doc.data.manual ?? null, manual, ...outcome },
  });
  return { receipt: await loadDocument(tx, id), ...outcome };
}
