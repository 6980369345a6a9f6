// The actions of the operations on a contract that go beyond receipts: penalty waivers (罚息减免), refunds of
// credit (退款), settlement (结清) and its reversal, bad debt (坏账) and buyback (回购). Each names its contract
// by number (and dealer), which the entry point (src/app/run.ts) finds within the actor's scope; a refund's
// confirmation names its document. The date of an act comes in with the input: the adapter fills today.
import { defineAction } from '../access/action.js';
import { BACK_OFFICE, FINANCE, STAFF } from '../access/role-sets.js';
import { type BusinessDate, parseDate, refuseFutureDate } from '../core/dates.js';
import { parseId } from '../core/input.js';
import { parseMoney } from '../core/money.js';
import type { Tx } from '../db/index.js';
import { type DocumentRow, loadDocument } from '../documents/index.js';
import { registerBadDebt } from './bad-debt.js';
import { requestBuyback } from './buyback.js';
import type { ContractRef } from './contracts.js';
import type { Submitted } from './operations.js';
import { confirmRefund, requestRefund } from './refunds.js';
import { reverseSettlement, settleContract, settlementQuote } from './settlement.js';
import { requestWaiver } from './waivers.js';

/** A contract named by its number, and its dealer where the number exists at more than one. */
interface ContractNamed {
  contractNo: string;
  dealer?: string | undefined;
}

type OnContract = { subject: { contract: ContractRef } };

/** The date of money that moved: a real day, not later than today (plus ZQ_FUTURE_DAYS). */
const moneyDate = (text: string, field = 'date'): BusinessDate => refuseFutureDate(field, parseDate(text, field));

/** A document that went to approval, as the CLI prints it: the document and whether it is approved already. */
async function submitted(tx: Tx, result: Submitted): Promise<DocumentRow & { approval: Submitted['approval'] }> {
  return { ...(await loadDocument(tx, result.document.id)), approval: result.approval };
}

export const waiverRequest = defineAction({
  name: 'waiver.request',
  summary: 'request a waiver of penalty (at most the outstanding penalty as of its date)',
  roles: STAFF,
  mutates: true,
  parse: (raw: ContractNamed & { amount: string; date: string; reason: string }) => ({
    ...raw,
    amount: parseMoney(raw.amount, 'amount', { positive: true }),
    date: moneyDate(raw.date),
  }),
  contract: (input) => input,
  run: async (tx, actor, input, { subject }: OnContract) =>
    submitted(tx, await requestWaiver(tx, actor, { ...input, contract: subject.contract })),
});

export const refundRequest = defineAction({
  name: 'refund.request',
  summary: 'request a refund of the contract’s credit (never above it)',
  roles: BACK_OFFICE,
  mutates: true,
  parse: (raw: ContractNamed & { amount: string; date: string; reason?: string | undefined }) => ({
    ...raw,
    amount: parseMoney(raw.amount, 'amount', { positive: true }),
    date: moneyDate(raw.date),
  }),
  contract: (input) => input,
  run: async (tx, actor, input, { subject }: OnContract) =>
    submitted(tx, await requestRefund(tx, actor, { ...input, contract: subject.contract })),
});

export const refundConfirm = defineAction({
  name: 'refund.confirm',
  summary: 'confirm an approved refund: the money left, the credit goes down',
  roles: FINANCE,
  mutates: true,
  parse: (raw: { id: string | number }) => ({ id: parseId(raw.id, 'id', 'a refund document id') }),
  document: (input) => input.id,
  run: async (tx, actor, input): Promise<DocumentRow> => (await confirmRefund(tx, actor, input.id)).refund,
});

export const settleRun = defineAction({
  name: 'settle.run',
  summary: 'settle a contract when nothing is outstanding as of the date, future lines included',
  roles: FINANCE,
  mutates: true,
  parse: (raw: ContractNamed & { date: string }) => ({ ...raw, date: moneyDate(raw.date) }),
  contract: (input) => input,
  run: (tx, actor, input, { subject }: OnContract) => settleContract(tx, actor, { ...input, contract: subject.contract }),
});

export const settleReverse = defineAction({
  name: 'settle.reverse',
  summary: 'reverse a contract’s settlement: the contract is active again',
  roles: FINANCE,
  mutates: true,
  contract: (input: ContractNamed & { reason?: string | undefined }) => input,
  run: (tx, actor, input: ContractNamed & { reason?: string | undefined }, { subject }: OnContract) =>
    reverseSettlement(tx, actor, { ...input, reason: input.reason as string, contract: subject.contract }),
});

/**
 * What must be paid on a date to settle then (early payoff quote). It changes nothing, but it is part of
 * `zq settle` (its line of the permission matrix: finance, with an acting user).
 */
export const settleQuote = defineAction({
  name: 'settle.quote',
  summary: 'early payoff quote: outstanding + penalty − credit on a date (which may lie ahead)',
  roles: FINANCE,
  mutates: false, // a quote reads; it writes nothing
  // a quote may look ahead; a settlement is money that moved, so not later than today
  parse: (raw: ContractNamed & { date: string }) => ({ ...raw, date: parseDate(raw.date, 'date') }),
  contract: (input) => input,
  run: (tx, actor, input, { subject }: OnContract) => settlementQuote(tx, actor, { ...input, contract: subject.contract }),
});

export const badDebtRegister = defineAction({
  name: 'bad-debt.register',
  summary: 'register the contract’s outstanding as bad debt from a date; written off once approved',
  roles: FINANCE,
  mutates: true,
  parse: (raw: ContractNamed & { date: string; reason: string }) => ({ ...raw, date: moneyDate(raw.date) }),
  contract: (input) => input,
  run: async (tx, actor, input, { subject }: OnContract) =>
    submitted(tx, await registerBadDebt(tx, actor, { ...input, contract: subject.contract })),
});

export const buybackRequest = defineAction({
  name: 'buyback.request',
  summary: 'the dealer paid the financier for a defaulted contract: from the date the receivable is its own',
  roles: FINANCE,
  mutates: true,
  parse: (raw: ContractNamed & { amount: string; date: string; reason?: string | undefined }) => ({
    ...raw,
    // negative amounts reach the core's check, which says 'greater than zero' for 0 and -1 alike
    amount: parseMoney(raw.amount, 'amount', { allowNegative: true }),
    date: moneyDate(raw.date),
  }),
  contract: (input) => input,
  run: async (tx, actor, input, { subject }: OnContract) =>
    submitted(tx, await requestBuyback(tx, actor, { ...input, contract: subject.contract })),
});

export const operationActions = [
  waiverRequest,
  refundRequest,
  refundConfirm,
  settleRun,
  settleReverse,
  settleQuote,
  badDebtRegister,
  buybackRequest,
] as const;
