// Receipt files: each row a receipt of a dealer's own records — confirmed (the default) and allocated in
// value-date order per RULES.md, or registered for confirmation (`--status registered`). A row imports once:
// its key is the reference (流水号/收据号) when it has one, else contract + value date + amount + the row's
// ordinal among identical rows of the file; keys are kept in import_keys.
import { randomUUID } from 'node:crypto';
import type { Actor } from '../access/actor.js';
import { writeAudit } from '../audit/index.js';
import { BadInput, NotFound } from '../core/errors.js';
import { formatMoney } from '../core/money.js';
import type { Tx } from '../db/index.js';
import { findContract } from '../receivables/contracts.js';
import { recordConfirmedReceipt } from '../receivables/receipts.js';
import type { ImportProblem, ReceiptValues, RowResult } from './rows.js';

export interface ReceiptCounts {
  receiptsCreated: number;
  receiptsRegistered: number;
  receiptsDuplicate: number;
}

export interface StagedReceipt {
  row: RowResult & { kind: 'receipts'; ok: true };
  dealerId: number | null;
  position: number;
}

export function receiptKey(v: ReceiptValues, ordinal: number): string {
  return v.reference ? `ref:${v.reference}` : `row:${v.contract_no}|${v.value_date}|${formatMoney(v.amount)}|${ordinal}`;
}

export async function importReceiptRows(
  tx: Tx,
  actor: Actor,
  importId: number,
  rows: readonly StagedReceipt[],
  options: {
    status: 'confirmed' | 'registered';
    /** Whose scope the contract numbers are looked up in: another dealer's contract is "not known". */
    actor: Actor;
    dealerCodes: Map<number, string>;
    addProblem: (p: Omit<ImportProblem, 'file'>) => void;
  },
): Promise<ReceiptCounts> {
  const counts: ReceiptCounts = { receiptsCreated: 0, receiptsRegistered: 0, receiptsDuplicate: 0 };
  // Ordinals among identical unreferenced rows, in file order; allocation then runs in value-date order.
  const seen = new Map<string, number>();
  const keyed = rows.map((r) => {
    const v = r.row.values as ReceiptValues;
    const base = `${r.dealerId ?? ''}|${v.contract_no}|${v.value_date}|${formatMoney(v.amount)}`;
    const ordinal = (seen.get(base) ?? 0) + 1;
    seen.set(base, ordinal);
    return { ...r, values: v, key: receiptKey(v, ordinal) };
  });
  keyed.sort((a, b) =>
    a.values.value_date < b.values.value_date ? -1 : a.values.value_date > b.values.value_date ? 1 : a.position - b.position,
  );
  const fileKeys = new Set<string>();
  for (const r of keyed) {
    const v = r.values;
    let contract: Awaited<ReturnType<typeof findContract>>;
    try {
      contract = await findContract(
        tx,
        v.contract_no,
        r.dealerId === null ? undefined : options.dealerCodes.get(r.dealerId),
        options.actor,
      );
    } catch (error) {
      if (!(error instanceof NotFound || error instanceof BadInput)) throw error;
      const reason = error instanceof NotFound ? 'a contract number known for this dealer' : error.expected;
      options.addProblem({ sheet: r.row.sheet, rowNumber: r.row.rowNumber, column: '合同编号', value: v.contract_no, reason });
      continue;
    }
    const inFile = `${contract.dealerId}|${r.key}`;
    if (fileKeys.has(inFile) && v.reference) {
      options.addProblem({
        sheet: r.row.sheet,
        rowNumber: r.row.rowNumber,
        column: '流水号',
        value: v.reference,
        reason: 'the same reference is on an earlier row of the file',
      });
      continue;
    }
    fileKeys.add(inFile);
    if (await tx('import_keys').where({ dealer_id: contract.dealerId, key_kind: 'receipt', key: r.key }).first('import_id')) {
      counts.receiptsDuplicate++;
      continue;
    }
    if (contract.status !== 'active') {
      options.addProblem({
        sheet: r.row.sheet,
        rowNumber: r.row.rowNumber,
        column: '合同编号',
        value: v.contract_no,
        reason: `an active contract (it is ${contract.status})`,
      });
      continue;
    }
    let documentId: number;
    if (options.status === 'confirmed') {
      const receipt = await recordConfirmedReceipt(tx, actor, {
        contract,
        valueDate: v.value_date,
        amount: v.amount,
        reference: v.reference ?? undefined,
        method: v.method ?? undefined,
        payer: v.payer ?? undefined,
        account: v.account ?? undefined,
      });
      documentId = receipt.id;
      counts.receiptsCreated++;
    } else {
      const [doc] = await tx('documents')
        .insert({
          type: 'receipt',
          number: `RC-${v.value_date.replace(/-/g, '')}-${randomUUID().slice(0, 8)}`,
          status: 'registered',
          dealer_id: contract.dealerId,
          contract_id: contract.id,
          author_id: actor.id,
          value_date: v.value_date,
          amount: formatMoney(v.amount),
          data: JSON.stringify({ reference: v.reference, method: v.method, payer: v.payer, account: v.account, note: v.note, importId }),
        })
        .returning('id');
      documentId = doc.id;
      await writeAudit(tx, actor, {
        action: 'register',
        entity: 'receipt',
        entityId: doc.id,
        dealerId: contract.dealerId,
        documentId: doc.id,
        details: { importId, contract: v.contract_no, valueDate: v.value_date, amount: formatMoney(v.amount) },
      });
      counts.receiptsRegistered++;
    }
    await tx('import_keys').insert({
      dealer_id: contract.dealerId,
      key_kind: 'receipt',
      key: r.key,
      import_id: importId,
      document_id: documentId,
    });
  }
  return counts;
}
