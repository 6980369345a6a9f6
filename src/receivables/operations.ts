// What the receivables operations share: a contract's position as of a date with the penalty of the pure code,
// and making a document that goes through the approval engine (src/approvals): a document acts only when its
// last step approves, at once when no rule matches.
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import { submitForApproval } from '../approvals/engine.js';
import type { BusinessDate } from '../core/dates.js';
import { BadInput, Refused } from '../core/errors.js';
import { formatMoney, type Money } from '../core/money.js';
import type { Tx } from '../db/index.js';
import { createDocument, type DocumentRow, loadDocument } from '../documents/index.js';
import { pureAccrual } from '../penalty/accrual.js';
import { type ContractRef, findContract } from './contracts.js';

export { contractById } from './contracts.js';

import { contractPosition, type Position } from './position.js';

export interface ContractArg {
  contractNo: string;
  dealer?: string | undefined;
  /** The contract itself, where the entry point already found it in the actor's scope (an action's `contract:`). */
  contract?: ContractRef | undefined;
}

export function positionAsOf(knex: Knex, ref: ContractRef, asOf: BusinessDate): Promise<Position> {
  return contractPosition(knex, ref, asOf, pureAccrual);
}

/** A contract in the actor's data scope: the one the entry point found, or looked up by number. */
export function contractInScope(knex: Knex, actor: Actor, arg: ContractArg): Promise<ContractRef> {
  return arg.contract ? Promise.resolve(arg.contract) : findContract(knex, arg.contractNo, arg.dealer, actor);
}

export function requireReason(reason: string | undefined, what: string): string {
  if (!reason?.trim()) throw new BadInput('reason', reason ?? null, what);
  return reason.trim();
}

export function requirePositive(amount: Money, field = 'amount'): void {
  if (!amount.greaterThan(0)) throw new BadInput(field, formatMoney(amount), 'an amount greater than zero');
}

export interface Submitted {
  document: DocumentRow;
  /** 'approved': no rule matched and the document acted at once; 'pending': waiting for its steps. */
  approval: 'approved' | 'pending';
}

/** Creates a submitted document of a registered type and hands it to the approval engine. */
export async function submitDocument(
  tx: Tx,
  actor: Actor,
  input: { type: string; ref: ContractRef; valueDate: BusinessDate; amount?: Money | null; data: Record<string, unknown> },
): Promise<Submitted> {
  const document = await createDocument(tx, actor, {
    type: input.type,
    status: 'submitted',
    dealerId: input.ref.dealerId,
    contractId: input.ref.id,
    valueDate: input.valueDate,
    amount: input.amount ?? null,
    data: input.data,
  });
  const result = await submitForApproval(tx, actor, document.id);
  return { document: await loadDocument(tx, document.id), approval: result.status };
}

/** A document of one type by id (for the core; the entry point found it in the actor's scope). */
export async function documentOfType(knex: Knex, id: number, type: string): Promise<DocumentRow> {
  const doc = await loadDocument(knex, id);
  if (doc.type !== type) throw new BadInput('ID', id, `the id of a ${type} document (document ${id} is a ${doc.type})`);
  return doc;
}

/** Refuses a second request of the same type on a contract while one is waiting for approval. */
export async function assertNoPending(tx: Tx, type: string, ref: ContractRef): Promise<void> {
  const pending = await tx('documents').where({ type, contract_id: ref.id, status: 'submitted' }).first('id', 'number');
  if (pending)
    throw new Refused(`${type} ${pending.number} (document ${pending.id}) on contract ${ref.contractNo} is already waiting for approval`);
}

/** Refuses an act dated before postings the contract already has (a write-off or buyback closes the past). */
export async function assertNothingAfter(tx: Tx, ref: ContractRef, date: BusinessDate, what: string): Promise<void> {
  const later = await tx('postings').where({ contract_id: ref.id }).where('value_date', '>', date).min('value_date as date').first();
  if (later?.date)
    throw new Refused(`contract ${ref.contractNo} has postings dated ${later.date}, after ${date}: ${what} must be dated on or after it`);
}
