// Confirmed receipts (收款) and their allocation (收款核销), RULES.md "Allocation of receipts". The core that the
// receipt commands and the importer call; no CLI here. Allocation always equals a replay of the contract from
// scratch (src/penalty/allocate.ts replayContract): the postings the replay wants are compared with the live
// ones, and the difference is written as reversals and new postings — never an update. A receipt dated after
// everything else therefore adds only its own postings; a back-dated one re-allocates what it changes.
import { randomUUID } from 'node:crypto';
import type { Actor } from '../access/actor.js';
import { writeAudit } from '../audit/index.js';
import { type BusinessDate, maxDate } from '../core/dates.js';
import { BadInput, Refused } from '../core/errors.js';
import { dec, formatMoney, type Money } from '../core/money.js';
import type { Tx } from '../db/index.js';
import { replayContract } from '../penalty/allocate.js';
import { type ContractInputs, loadContractInputs } from '../penalty/inputs.js';
import { DEFAULT_GRACE, loadPenaltySettings } from '../penalty/settings.js';
import { recomputeSegments } from '../penalty/store.js';
import { type ContractRef, findContract } from './contracts.js';

/** Posting kinds the allocation owns: a replay may reverse and re-post these. */
export const ALLOCATION_KINDS = ['allocation', 'penalty_allocation', 'credit', 'credit_application'] as const;
export const REPLAY_REASON = 'replay: allocation recomputed in value-date order';
const POSTING_INSERT_BATCH = 500;

export interface ConfirmedReceiptInput {
  contract: ContractRef | { contractNo: string; dealer?: string | undefined };
  valueDate: BusinessDate;
  amount: Money;
  reference?: string | undefined;
  method?: string | undefined;
  payer?: string | undefined;
  account?: string | undefined;
  documentNumber?: string | undefined;
}

export interface ConfirmedReceipt {
  id: number;
  number: string;
  contractId: number;
  valueDate: BusinessDate;
  amount: string;
  posted: number;
  reversed: number;
}

/** The last business date the nightly batch completed (every step), or null before the first run. */
export async function lastCompletedBatchDate(tx: Tx): Promise<BusinessDate | null> {
  const row = await tx('batch_runs').where({ step: 'reconcile', status: 'done' }).max('business_date as date').first();
  return row?.date ?? null;
}

/**
 * Records a confirmed receipt and allocates it by the dealer's strategy. When it lands before later
 * allocations, or on or before the last completed batch date, the contract is replayed and its stored penalty
 * segments recomputed at once, so every figure equals a fresh computation.
 */
export async function recordConfirmedReceipt(tx: Tx, actor: Actor, input: ConfirmedReceiptInput): Promise<ConfirmedReceipt> {
  const ref = 'id' in input.contract ? input.contract : await findContract(tx, input.contract.contractNo, input.contract.dealer);
  if (ref.status !== 'active') throw new Refused(`contract ${ref.dealer}/${ref.contractNo} is ${ref.status}: it accepts no receipts`);
  if (!input.amount.greaterThan(0)) throw new BadInput('amount', input.amount.toString(), 'an amount greater than zero');
  if (input.amount.decimalPlaces() > 2) throw new BadInput('amount', input.amount.toString(), 'at most two decimals');
  const number = input.documentNumber ?? `RC-${input.valueDate.replace(/-/g, '')}-${randomUUID().slice(0, 8)}`;
  if (await tx('documents').where({ type: 'receipt', number }).first('id')) throw new Refused(`receipt ${number} exists already`);
  const [doc] = await tx('documents')
    .insert({
      type: 'receipt',
      number,
      status: 'confirmed',
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
      }),
    })
    .returning('id');
  const lastBatch = await lastCompletedBatchDate(tx);
  const outcome = await replayAllocations(tx, actor, [ref.id], lastBatch);
  if (lastBatch !== null && (outcome.reversed > 0 || input.valueDate <= lastBatch)) {
    await recomputeSegments(tx, lastBatch, { kind: 'contracts', contractIds: [ref.id] });
  }
  await writeAudit(tx, actor, {
    action: 'confirm',
    entity: 'receipt',
    entityId: doc.id,
    dealerId: ref.dealerId,
    documentId: doc.id,
    details: { number, contract: ref.contractNo, valueDate: input.valueDate, amount: formatMoney(input.amount), ...outcome },
  });
  return { id: doc.id, number, contractId: ref.id, valueDate: input.valueDate, amount: formatMoney(input.amount), ...outcome };
}

interface WantedPosting {
  documentId: number | null;
  lineId: number | null;
  kind: (typeof ALLOCATION_KINDS)[number];
  valueDate: BusinessDate;
  amount: Money;
}

interface LivePosting extends WantedPosting {
  id: number;
  dealerId: number;
  receivableType: string | null;
}

function postingKey(p: WantedPosting): string {
  return `${p.documentId ?? '-'}|${p.lineId ?? '-'}|${p.kind}|${p.valueDate}|${p.amount.toFixed(2)}`;
}

/** The postings a replay of the contract from scratch wants, as of the later of the floor and its last receipt. */
function wantedPostings(contract: ContractInputs, floor: BusinessDate | null): WantedPosting[] {
  const latest = contract.receipts.reduce<BusinessDate | null>((d, r) => (d === null ? r.valueDate : maxDate(d, r.valueDate)), floor);
  if (latest === null) return [];
  const result = replayContract(
    {
      lines: contract.lines,
      receipts: contract.receipts,
      strategy: contract.strategy,
      grace: DEFAULT_GRACE,
      ...(contract.stopDate !== undefined && { stopDate: contract.stopDate }),
    },
    latest,
  );
  const wanted: WantedPosting[] = result.allocations.map((a) => ({
    documentId: a.receiptId === null ? null : Number(a.receiptId),
    lineId: Number(a.lineId),
    kind: a.kind,
    valueDate: a.valueDate,
    amount: a.amount,
  }));
  for (const move of result.creditMoves) {
    if (move.receiptId === null) continue; // applications are the credit_application allocations above
    wanted.push({ documentId: Number(move.receiptId), lineId: null, kind: 'credit', valueDate: move.valueDate, amount: move.amount });
  }
  return wanted;
}

/**
 * Replays the allocation of these contracts from scratch and writes the difference: a reversal for each live
 * posting the replay no longer wants, a new posting for each it wants that is missing. `floor`: credit is
 * applied to lines due up to this date (the batch's business date) even after the last receipt.
 */
export async function replayAllocations(
  tx: Tx,
  actor: Actor,
  contractIds: readonly number[],
  floor: BusinessDate | null,
): Promise<{ posted: number; reversed: number }> {
  if (contractIds.length === 0) return { posted: 0, reversed: 0 };
  const settings = await loadPenaltySettings(tx);
  const inputs = await loadContractInputs(tx, contractIds, settings);
  const live = await livePostings(tx, contractIds);
  const inserts: Record<string, unknown>[] = [];
  let reversed = 0;
  for (const contract of inputs.values()) {
    const types = new Map(contract.lines.map((l) => [l.lineId, l.type]));
    const pool = new Map<string, LivePosting[]>();
    for (const p of live.get(contract.contractId) ?? []) {
      const list = pool.get(postingKey(p)) ?? [];
      list.push(p);
      pool.set(postingKey(p), list);
    }
    for (const want of wantedPostings(contract, floor)) {
      const match = pool.get(postingKey(want));
      if (match && match.length > 0) {
        match.pop();
        continue;
      }
      inserts.push({
        contract_id: contract.contractId,
        dealer_id: contract.dealerId,
        schedule_line_id: want.lineId,
        document_id: want.documentId,
        kind: want.kind,
        receivable_type: want.lineId === null ? null : (types.get(want.lineId) ?? null),
        amount: formatMoney(want.amount),
        value_date: want.valueDate,
        created_by: actor.id,
      });
    }
    for (const unwanted of [...pool.values()].flat()) {
      reversed++;
      inserts.push({
        contract_id: contract.contractId,
        dealer_id: unwanted.dealerId,
        schedule_line_id: unwanted.lineId,
        document_id: unwanted.documentId,
        kind: unwanted.kind,
        receivable_type: unwanted.receivableType,
        amount: formatMoney(unwanted.amount),
        value_date: unwanted.valueDate,
        reverses_id: unwanted.id,
        reason: REPLAY_REASON,
        created_by: actor.id,
      });
    }
  }
  for (let i = 0; i < inserts.length; i += POSTING_INSERT_BATCH) await tx('postings').insert(inserts.slice(i, i + POSTING_INSERT_BATCH));
  return { posted: inserts.length - reversed, reversed };
}

/** Allocation postings that are neither reversals nor reversed. */
async function livePostings(tx: Tx, contractIds: readonly number[]): Promise<Map<number, LivePosting[]>> {
  const out = new Map<number, LivePosting[]>();
  for (let i = 0; i < contractIds.length; i += 1000) {
    const rows = await tx('postings as p')
      .whereIn('p.contract_id', contractIds.slice(i, i + 1000))
      .whereIn('p.kind', ALLOCATION_KINDS)
      .whereNull('p.reverses_id')
      .whereNotExists((q) => q.select(tx.raw('1')).from('postings as r').whereRaw('r.reverses_id = p.id'))
      .select(
        'p.id',
        'p.contract_id as contractId',
        'p.dealer_id as dealerId',
        'p.schedule_line_id as lineId',
        'p.document_id as documentId',
        'p.kind',
        'p.receivable_type as receivableType',
        'p.value_date as valueDate',
        'p.amount',
      );
    for (const r of rows) {
      const list = out.get(r.contractId) ?? [];
      list.push({ ...r, amount: dec(r.amount) });
      out.set(r.contractId, list);
    }
  }
  return out;
}
