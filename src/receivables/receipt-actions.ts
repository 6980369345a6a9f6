// The receipt actions (收款): register → confirm (allocate) → reverse or adjust, and the reads. Each names the
// contract or the receipt it acts on; the entry point (src/app/run.ts) finds it within the actor's scope.
import { defineAction } from '../access/action.js';
import { EVERYONE, FINANCE, REGISTRARS } from '../access/role-sets.js';
import { type BusinessDate, parseDate, refuseFutureDate } from '../core/dates.js';
import { parseId, requireText } from '../core/input.js';
import { type Money, parseMoney } from '../core/money.js';
import { type DocumentRow, loadDocument } from '../documents/index.js';
import type { ContractRef } from './contracts.js';
import { listReceipts, type ReceiptFilter, showReceipt } from './receipt-view.js';
import {
  adjustReceipt,
  allocateReceiptManually,
  confirmReceipt,
  parseManualSplit,
  type ReceiptChanges,
  registerReceipt,
  reverseReceipt,
  withdrawReceipt,
} from './receipts.js';

const receiptId = (raw: { id: string | number }) => parseId(raw.id, 'id', 'a receipt id');
const optionalMoney = (text: string | undefined, field: string): Money | undefined =>
  text === undefined ? undefined : parseMoney(text, field, { positive: true });
const optionalDate = (text: string | undefined, field: string): BusinessDate | undefined =>
  text === undefined ? undefined : parseDate(text, field);

interface ReceiptDetails {
  method?: string | undefined;
  account?: string | undefined;
  payer?: string | undefined;
  reference?: string | undefined;
}

export const receiptRegister = defineAction({
  name: 'receipt.register',
  summary: 'register a receipt (收款登记) with its value date',
  roles: REGISTRARS,
  mutates: true,
  parse: (raw: { contractNo: string; dealer?: string | undefined; amount: string; valueDate: string } & ReceiptDetails) => ({
    ...raw,
    amount: parseMoney(raw.amount, 'amount', { positive: true }),
    valueDate: refuseFutureDate('valueDate', parseDate(raw.valueDate, 'valueDate')),
  }),
  contract: (input) => input,
  run: (tx, actor, input, { subject }: { subject: { contract: ContractRef } }) =>
    registerReceipt(tx, actor, { ...input, contract: subject.contract }),
});

export const receiptConfirm = defineAction({
  name: 'receipt.confirm',
  summary: 'confirm a registered receipt (收款确认) and allocate it',
  roles: FINANCE,
  mutates: true,
  parse: (raw: { id: string | number }) => ({ id: receiptId(raw) }),
  document: (input) => input.id,
  run: async (tx, actor, input): Promise<DocumentRow> => {
    await confirmReceipt(tx, actor, input.id);
    return loadDocument(tx, input.id);
  },
});

export const receiptAllocate = defineAction({
  name: 'receipt.allocate',
  summary: 'allocate a receipt by a manual split instead of the strategy',
  roles: FINANCE,
  mutates: true,
  parse: (raw: { id: string | number; split: string }) => ({ id: receiptId(raw), parts: parseManualSplit(raw.split) }),
  document: (input) => input.id,
  run: (tx, actor, input) => allocateReceiptManually(tx, actor, input.id, input.parts),
});

export const receiptReverse = defineAction({
  name: 'receipt.reverse',
  summary: 'reverse a confirmed receipt by a linked reversal document',
  roles: FINANCE,
  mutates: true,
  parse: (raw: { id: string | number; reason: string }) => ({
    id: receiptId(raw),
    reason: requireText(raw.reason, 'reason', 'why the receipt is reversed'),
  }),
  document: (input) => input.id,
  run: (tx, actor, input) => reverseReceipt(tx, actor, input.id, input.reason),
});

export const receiptAdjust = defineAction({
  name: 'receipt.adjust',
  summary: 'reverse a confirmed receipt and record the corrected one (收款调整)',
  roles: FINANCE,
  mutates: true,
  parse: (raw: { id: string | number; reason: string; amount?: string | undefined; valueDate?: string | undefined } & ReceiptDetails) => {
    const changes: ReceiptChanges = {
      amount: optionalMoney(raw.amount, 'amount'),
      valueDate: raw.valueDate === undefined ? undefined : refuseFutureDate('valueDate', parseDate(raw.valueDate, 'valueDate')),
      method: raw.method,
      account: raw.account,
      payer: raw.payer,
      reference: raw.reference,
    };
    return { id: receiptId(raw), reason: requireText(raw.reason, 'reason', 'why the receipt is adjusted'), changes };
  },
  document: (input) => input.id,
  run: (tx, actor, input) => adjustReceipt(tx, actor, input.id, input.changes, input.reason),
});

export const receiptWithdraw = defineAction({
  name: 'receipt.withdraw',
  summary: 'withdraw a registered receipt (before confirmation)',
  roles: REGISTRARS,
  mutates: true,
  parse: (raw: { id: string | number }) => ({ id: receiptId(raw) }),
  document: (input) => input.id,
  run: (tx, actor, input) => withdrawReceipt(tx, actor, input.id),
});

export const receiptList = defineAction({
  name: 'receipt.list',
  summary: 'receipts in the data scope',
  roles: EVERYONE,
  mutates: false,
  // plain SELECTs: no transaction (src/access/action.ts)
  transaction: 'none',
  parse: (raw: ReceiptFilter) => ({
    ...raw,
    from: optionalDate(raw.from, 'from'),
    to: optionalDate(raw.to, 'to'),
  }),
  run: (tx, actor, input) => listReceipts(tx, actor, input),
});

export const receiptShow = defineAction({
  name: 'receipt.show',
  summary: 'a receipt with its allocation and links',
  roles: EVERYONE,
  mutates: false,
  parse: (raw: { id: string | number }) => ({ id: receiptId(raw) }),
  document: (input) => input.id,
  run: (tx, actor, input) => showReceipt(tx, actor, input.id),
});

export const receiptActions = [
  receiptRegister,
  receiptConfirm,
  receiptAllocate,
  receiptReverse,
  receiptAdjust,
  receiptWithdraw,
  receiptList,
  receiptShow,
] as const;
