// The allocation of receipts (收款核销), RULES.md "Allocation of receipts": always a replay of the contract from
// scratch (src/penalty/allocate.ts replayContract). The postings the replay wants are compared with the live
// ones and the difference is written as reversals and new postings — never an update. Receipts, waivers,
// refunds, schedule changes, settlement and the nightly credit step all re-allocate through here.
import type { Actor } from '../access/actor.js';
import { lastCompletedBatchDate } from '../batch/runs.js';
import { type BusinessDate, maxDate } from '../core/dates.js';
import { dec, formatMoney, type Money } from '../core/money.js';
import type { Tx } from '../db/index.js';
import { ALLOCATION_KINDS } from '../ledger/kinds.js';
import { type NewPosting, writePostings } from '../ledger/post.js';
import { type CreditOut, type ManualSplit, replayContract } from '../penalty/allocate.js';
import { type ContractInputs, loadContractInputs } from '../penalty/inputs.js';
import { DEFAULT_GRACE, loadPenaltySettings } from '../penalty/settings.js';
import { recomputeSegments } from '../penalty/store.js';

export const REPLAY_REASON = 'replay: allocation recomputed in value-date order';

/**
 * Replays a contract's allocation after a change dated `changedFrom` and, when the change reaches back to or
 * before the last completed batch date (or re-allocated anything), recomputes its stored penalty segments at
 * once, so every figure equals a fresh computation.
 */
export async function reallocateContract(
  tx: Tx,
  actor: Actor,
  contractId: number,
  changedFrom: BusinessDate,
): Promise<{ posted: number; reversed: number }> {
  const lastBatch = await lastCompletedBatchDate(tx);
  const outcome = await replayAllocations(tx, actor, [contractId], lastBatch);
  if (lastBatch !== null && (outcome.reversed > 0 || changedFrom <= lastBatch)) {
    await recomputeSegments(tx, lastBatch, { kind: 'contracts', contractIds: [contractId] });
  }
  return outcome;
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
  return `${p.documentId ?? '-'}|${p.lineId ?? '-'}|${p.kind}|${p.valueDate}|${formatMoney(p.amount)}`;
}

/** The postings a replay of the contract from scratch wants, as of the later of the floor and its last receipt. */
function wantedPostings(contract: ContractInputs, floor: BusinessDate | null, refunds: CreditOut[]): WantedPosting[] {
  const latest = contract.receipts.reduce<BusinessDate | null>((d, r) => (d === null ? r.valueDate : maxDate(d, r.valueDate)), floor);
  if (latest === null) return [];
  const result = replayContract(
    {
      lines: contract.lines,
      receipts: contract.receipts,
      refunds,
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
  const extras = await replayExtras(tx, contractIds);
  const inserts: NewPosting[] = [];
  let reversed = 0;
  for (const contract of inputs.values()) {
    const types = new Map(contract.lines.map((l) => [l.lineId, l.type]));
    const pool = new Map<string, LivePosting[]>();
    for (const p of live.get(contract.contractId) ?? []) {
      const list = pool.get(postingKey(p)) ?? [];
      list.push(p);
      pool.set(postingKey(p), list);
    }
    const manual = extras.manual;
    contract.receipts = contract.receipts.map((r) => {
      const split = manual.get(Number(r.id));
      return split ? { ...r, manual: split } : r;
    });
    for (const want of wantedPostings(contract, floor, extras.refunds.get(contract.contractId) ?? [])) {
      const match = pool.get(postingKey(want));
      if (match && match.length > 0) {
        match.pop();
        continue;
      }
      inserts.push({
        contractId: contract.contractId,
        dealerId: contract.dealerId,
        lineId: want.lineId,
        documentId: want.documentId,
        kind: want.kind,
        receivableType: want.lineId === null ? null : (types.get(want.lineId) ?? null),
        amount: want.amount,
        valueDate: want.valueDate,
        createdBy: actor.id,
      });
    }
    for (const unwanted of [...pool.values()].flat()) {
      reversed++;
      inserts.push({
        contractId: contract.contractId,
        dealerId: unwanted.dealerId,
        lineId: unwanted.lineId,
        documentId: unwanted.documentId,
        kind: unwanted.kind,
        receivableType: unwanted.receivableType,
        amount: unwanted.amount,
        valueDate: unwanted.valueDate,
        reversesId: unwanted.id,
        reason: REPLAY_REASON,
        createdBy: actor.id,
      });
    }
  }
  await writePostings(tx, inserts);
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

/** What the replay honours beyond the receipts' amounts: manual splits and confirmed refunds of credit. */
async function replayExtras(
  tx: Tx,
  contractIds: readonly number[],
): Promise<{ manual: Map<number, ManualSplit[]>; refunds: Map<number, CreditOut[]> }> {
  const manual = new Map<number, ManualSplit[]>();
  const refunds = new Map<number, CreditOut[]>();
  for (let i = 0; i < contractIds.length; i += 1000) {
    const chunk = contractIds.slice(i, i + 1000);
    const split = await tx('documents')
      .whereIn('contract_id', chunk)
      .where({ type: 'receipt', status: 'confirmed' })
      .whereRaw(`data->'manual' IS NOT NULL`)
      .select('id', 'data');
    for (const r of split) {
      const parts = (r.data.manual as { lineId: string; target: 'amount' | 'penalty'; amount: string }[]).map((p) => ({
        lineId: p.lineId,
        target: p.target,
        amount: dec(p.amount),
      }));
      manual.set(r.id, parts);
    }
    const out = await tx('documents')
      .whereIn('contract_id', chunk)
      .where({ type: 'refund', status: 'confirmed' })
      .orderBy('id')
      .select('id', 'contract_id as contractId', 'value_date as valueDate', 'amount');
    for (const r of out) {
      const list = refunds.get(r.contractId) ?? [];
      list.push({ id: String(r.id), valueDate: r.valueDate, amount: dec(r.amount) });
      refunds.set(r.contractId, list);
    }
  }
  return { manual, refunds };
}
