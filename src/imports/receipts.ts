// Receipt files: each row a receipt of a dealer's own records — confirmed (the default) and allocated in
// value-date order per RULES.md, or registered for confirmation (`--status registered`). A row imports once:
// its key is the reference (流水号/收据号) when it has one, else contract + value date + amount + the row's
// ordinal among identical rows of the file; keys are kept in import_keys.
import type { Actor } from '../access/actor.js';
import { BadInput, NotFound } from '../core/errors.js';
import { formatMoney } from '../core/money.js';
import type { Tx } from '../db/index.js';
import { findContract } from '../receivables/contracts.js';
import { recordConfirmedReceipt, registerReceipt } from '../receivables/receipts.js';
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

interface ImportReceiptOptions {
  status: 'confirmed' | 'registered';
  /** Whose scope the contract numbers are looked up in: another dealer's contract is "not known". */
  actor: Actor;
  dealerCodes: Map<number, string>;
  addProblem: (p: Omit<ImportProblem, 'file'>) => void;
}

type KeyedReceipt = StagedReceipt & { values: ReceiptValues; key: string };
type ReceiptContract = Awaited<ReturnType<typeof findContract>>;

export async function importReceiptRows(
  tx: Tx,
  actor: Actor,
  importId: number,
  rows: readonly StagedReceipt[],
  options: ImportReceiptOptions,
): Promise<ReceiptCounts> {
  const counts: ReceiptCounts = { receiptsCreated: 0, receiptsRegistered: 0, receiptsDuplicate: 0 };
  const fileKeys = new Set<string>();
  for (const r of keyedInValueDateOrder(rows)) {
    const contract = await contractOfRow(tx, r, options);
    if (!contract || !uniqueInFile(r, contract, fileKeys, options)) continue;
    if (await tx('import_keys').where({ dealer_id: contract.dealerId, key_kind: 'receipt', key: r.key }).first('import_id')) {
      counts.receiptsDuplicate++;
      continue;
    }
    if (contract.status !== 'active') {
      problem(r, options, '合同编号', r.values.contract_no, `an active contract (it is ${contract.status})`);
      continue;
    }
    const documentId = await recordReceipt(tx, actor, importId, r, contract, options.status);
    if (options.status === 'confirmed') counts.receiptsCreated++;
    else counts.receiptsRegistered++;
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

/** Each row with its key (ordinals among identical unreferenced rows, in file order), in value-date order. */
function keyedInValueDateOrder(rows: readonly StagedReceipt[]): KeyedReceipt[] {
  const seen = new Map<string, number>();
  const keyed = rows.map((r) => {
    const v = r.row.values as ReceiptValues;
    const base = `${r.dealerId ?? ''}|${v.contract_no}|${v.value_date}|${formatMoney(v.amount)}`;
    const ordinal = (seen.get(base) ?? 0) + 1;
    seen.set(base, ordinal);
    return { ...r, values: v, key: receiptKey(v, ordinal) };
  });
  return keyed.sort((a, b) =>
    a.values.value_date < b.values.value_date ? -1 : a.values.value_date > b.values.value_date ? 1 : a.position - b.position,
  );
}

function problem(r: KeyedReceipt, options: ImportReceiptOptions, column: string, value: string, reason: string): void {
  options.addProblem({ sheet: r.row.sheet, rowNumber: r.row.rowNumber, column, value, reason });
}

/** The row's contract in the actor's scope, or a row problem (another dealer's contract is not known). */
async function contractOfRow(tx: Tx, r: KeyedReceipt, options: ImportReceiptOptions): Promise<ReceiptContract | null> {
  const dealer = r.dealerId === null ? undefined : options.dealerCodes.get(r.dealerId);
  try {
    return await findContract(tx, r.values.contract_no, dealer, options.actor);
  } catch (error) {
    if (!(error instanceof NotFound || error instanceof BadInput)) throw error;
    const reason = error instanceof NotFound ? 'a contract number known for this dealer' : error.expected;
    problem(r, options, '合同编号', r.values.contract_no, reason);
    return null;
  }
}

/** A reference may appear once in a file. */
function uniqueInFile(r: KeyedReceipt, contract: ReceiptContract, fileKeys: Set<string>, options: ImportReceiptOptions): boolean {
  const inFile = `${contract.dealerId}|${r.key}`;
  if (fileKeys.has(inFile) && r.values.reference) {
    problem(r, options, '流水号', r.values.reference, 'the same reference is on an earlier row of the file');
    return false;
  }
  fileKeys.add(inFile);
  return true;
}

/** Confirmed (and allocated) or registered for finance to confirm, through the receipts module. */
async function recordReceipt(
  tx: Tx,
  actor: Actor,
  importId: number,
  r: KeyedReceipt,
  contract: ReceiptContract,
  status: 'confirmed' | 'registered',
): Promise<number> {
  const v = r.values;
  const input = {
    contract,
    valueDate: v.value_date,
    amount: v.amount,
    reference: v.reference ?? undefined,
    method: v.method ?? undefined,
    payer: v.payer ?? undefined,
    account: v.account ?? undefined,
  };
  if (status === 'confirmed') return (await recordConfirmedReceipt(tx, actor, input)).id;
  return (await registerReceipt(tx, actor, input, { note: v.note, importId })).id;
}
