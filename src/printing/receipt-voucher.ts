// The receipt voucher (收据) of a confirmed receipt: voucher number, date, payer, the amount in figures and in
// capitals, method, account, what it was applied to (the allocation `receipt show` lists), cashier and confirmer.
// Every print is recorded (document_prints): the first is the original, a later one says 补打 and its count; a
// reversed receipt prints 作废 across it. The figures are the receipt's own and the ledger's, never recomputed.
import path from 'node:path';
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import { type BusinessDate, formatTimestamp } from '../core/dates.js';
import { Refused } from '../core/errors.js';
import { postingKindName, receivableTypeName } from '../core/labels.js';
import type { Tx } from '../db/index.js';
import type { DocumentRow } from '../documents/index.js';
import { findDealer, userContact } from '../organisation/index.js';
import { contractDetails, findContract } from '../receivables/contracts.js';
import { showReceipt } from '../receivables/receipt-view.js';
import { fileNamePart } from './output.js';
import { loadTemplate } from './templates.js';

export const PRINTABLE_RECEIPT = ['confirmed', 'reversed'] as const;

export interface VoucherContext {
  title: string;
  dealer: { code: string; name: string; address: string | null; phone: string | null; bankName: string | null; bankAccount: string | null };
  number: string;
  valueDate: BusinessDate;
  payer: string;
  customer: string;
  contractNo: string;
  amount: string;
  method: string | null;
  account: string | null;
  reference: string | null;
  allocations: { seq: number | null; type: string; kind: string; amount: string }[];
  copy: number;
  reprint: boolean;
  voided: boolean;
  reversal: { number: string; reason: string | null } | null;
  signatures: { label: string; name: string }[];
  printedBy: string;
  printedAt: string;
}

/**
 * Who confirmed the document: the user of its last 'confirmed' audit row; a receipt recorded as confirmed (an
 * import of confirmed receipts, a buyback transfer) has none, and its author confirmed it.
 */
async function confirmerOf(knex: Knex, documentId: number): Promise<string | null> {
  const row = await knex('audit_log')
    .where({ document_id: documentId, entity: 'document', action: 'confirmed' })
    .orderBy('id', 'desc')
    .first('actor');
  return row?.actor ?? null;
}

const nameOf = async (knex: Knex, username: string | null): Promise<string> => (await userContact(knex, username))?.name ?? username ?? '';

/** The voucher's figures and names for the receipt (found in the actor's scope by the entry point). */
export async function voucherContext(knex: Knex, actor: Actor, doc: DocumentRow, copy: number): Promise<VoucherContext> {
  const receipt = await showReceipt(knex, actor, doc.id);
  const dealer = await findDealer(knex, receipt.dealer);
  const contract = await contractDetails(knex, await findContract(knex, receipt.contractNo as string, receipt.dealer, actor));
  const data = receipt.data as Record<string, string | null | undefined>;
  return {
    title: '收　据',
    dealer: {
      code: dealer.code,
      name: dealer.name,
      address: dealer.address,
      phone: dealer.phone,
      bankName: dealer.bankName,
      bankAccount: dealer.bankAccount,
    },
    number: receipt.number,
    valueDate: receipt.valueDate as BusinessDate,
    payer: data.payer || contract.customer.name,
    customer: contract.customer.name,
    contractNo: contract.contractNo,
    amount: receipt.amount as string,
    method: data.method ?? null,
    account: data.account ?? null,
    reference: data.reference ?? null,
    allocations: receipt.allocations.map((a) => ({
      seq: a.seq,
      type: a.type ? receivableTypeName(a.type) : '',
      kind: postingKindName(a.kind),
      amount: a.amount,
    })),
    copy,
    reprint: copy > 1,
    voided: receipt.status === 'reversed',
    reversal: receipt.reversal ? { number: receipt.reversal.number, reason: receipt.reversal.reason } : null,
    signatures: [
      { label: '收款人（出纳）', name: await nameOf(knex, receipt.author) },
      { label: '确认人', name: await nameOf(knex, (await confirmerOf(knex, doc.id)) ?? receipt.author) },
      { label: '交款人', name: '' },
    ],
    printedBy: actor.name ?? actor.username,
    printedAt: formatTimestamp(new Date()).slice(0, 16).replace('T', ' '),
  };
}

export interface VoucherPrint {
  id: number;
  number: string;
  status: string;
  copy: number;
  reprint: boolean;
  voided: boolean;
  file: string;
}

/** The default file name: the receipt's number, and the copy for a reprint (receipt-RC-000012-copy2.pdf). */
export function defaultVoucherFile(number: string, copy: number): string {
  return `receipt-${fileNamePart(number)}${copy > 1 ? `-copy${copy}` : ''}.pdf`;
}

/**
 * Records the next print of the receipt and returns its copy number and the voucher's HTML. Refused for a
 * receipt that is not confirmed (nor reversed after its confirmation). The document row is locked so that two
 * prints at once get two copy numbers.
 */
export async function prepareVoucher(
  tx: Tx,
  actor: Actor,
  doc: DocumentRow,
  file: (copy: number) => string,
): Promise<{ html: string; print: VoucherPrint }> {
  if (doc.type !== 'receipt') throw new Refused(`document ${doc.id} is a ${doc.type}, not a receipt: only a receipt prints a voucher`);
  if (!(PRINTABLE_RECEIPT as readonly string[]).includes(doc.status))
    throw new Refused(`receipt ${doc.number} is ${doc.status}: a voucher is printed for a confirmed receipt`).suggest({
      action: 'receipt.confirm',
      input: { id: doc.id },
    });
  await tx('documents').where({ id: doc.id }).forUpdate().first('id');
  const last = await tx('document_prints').where({ document_id: doc.id }).max('copy as copy').first();
  const copy = Number(last?.copy ?? 0) + 1;
  const target = file(copy);
  await tx('document_prints').insert({
    document_id: doc.id,
    dealer_id: doc.dealerId,
    copy,
    status: doc.status,
    printed_by: actor.id,
    file: path.resolve(target),
  });
  const context = await voucherContext(tx, actor, doc, copy);
  const html = loadTemplate('receipt', { dealerCode: context.dealer.code })(context);
  return {
    html,
    print: { id: doc.id, number: doc.number, status: doc.status, copy, reprint: copy > 1, voided: context.voided, file: target },
  };
}
