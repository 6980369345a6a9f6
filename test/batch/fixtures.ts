// Helpers for the penalty and batch tests: dealers, contracts with hand-written lines, receipts, batch runs.
import type { Actor } from '../../src/access/actor.js';
import { runBatch, type StepLog } from '../../src/batch/run.js';
import { dec } from '../../src/core/money.js';
import type { Db } from '../../src/db/index.js';
import { addDealer } from '../../src/organisation/index.js';
import { contractPenalties } from '../../src/penalty/accrual.js';
import { loadContractInputs } from '../../src/penalty/inputs.js';
import { storedAccrued } from '../../src/penalty/store.js';
import { createContract } from '../../src/receivables/contracts.js';
import { recordConfirmedReceipt } from '../../src/receivables/receipts.js';
import { showContract } from '../../src/receivables/show.js';

export async function dealer(db: Db, admin: Actor, code: string, strategy: 'by_installment' | 'principal_first' = 'by_installment') {
  await db.knex.transaction((tx) => addDealer(tx, admin, { code, name: `${code} 代理店`, allocationStrategy: strategy }));
}

export type LineSpec = [seq: number, type: string, dueDate: string, amount: string];

export async function contract(db: Db, admin: Actor, dealerCode: string, contractNo: string, lines: LineSpec[]) {
  return db.knex.transaction((tx) =>
    createContract(tx, admin, {
      dealer: dealerCode,
      contractNo,
      customer: { name: `客户${contractNo}` },
      machines: [],
      method: 'custom',
      lines: lines.map(([seq, type, dueDate, amount]) => ({ seq, type, dueDate, amountDue: dec(amount) })),
    }),
  );
}

export async function receipt(db: Db, admin: Actor, dealerCode: string, contractNo: string, valueDate: string, amount: string) {
  return db.knex.transaction((tx) =>
    recordConfirmedReceipt(tx, admin, { contract: { contractNo, dealer: dealerCode }, valueDate, amount: dec(amount) }),
  );
}

export async function batch(db: Db, admin: Actor, date: string, extra: { recomputeFrom?: string; full?: boolean } = {}) {
  const logs: StepLog[] = [];
  const summary = await runBatch(db, admin, { date, ...extra }, (l) => logs.push(l));
  return { summary, logs };
}

export async function show(db: Db, admin: Actor, dealerCode: string, contractNo: string, asOf: string) {
  return showContract(db.knex, admin, contractNo, dealerCode, asOf);
}

/** Per line id: [rounded penalty from the stored segments (SQL), rounded from the pure computation]. */
export async function storedVersusPure(db: Db, contractIds: number[], asOf: string) {
  const stored = await storedAccrued(db.knex, asOf, contractIds);
  const inputs = await loadContractInputs(db.knex, contractIds);
  const out: { lineId: number; stored: string; pure: string }[] = [];
  for (const c of inputs.values()) {
    for (const { line, penalty } of contractPenalties(c, asOf)) {
      out.push({ lineId: line.lineId, stored: (stored.get(line.lineId)?.rounded ?? dec(0)).toFixed(2), pure: penalty.rounded.toFixed(2) });
    }
  }
  return out;
}

/** Recomputes the stored segments of some contracts as of a date (what the batch does for changed lines). */
export async function recompute(db: Db, contractIds: number[], asOf: string) {
  const { recomputeSegments } = await import('../../src/penalty/store.js');
  return db.knex.transaction((tx) => recomputeSegments(tx, asOf, { kind: 'contracts', contractIds }));
}
