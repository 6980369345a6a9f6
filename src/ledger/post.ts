// The only code that writes postings. Postings are append-only (a trigger refuses UPDATE and DELETE): a
// correction is a reversal — a posting of the same kind and amount that names the one it reverses, so its
// signed amount is negative — with a reason. Receipts, waivers, refunds, settlement, bad debt, the import's
// opening figures and the allocation replay all write through here.
import type { Knex } from 'knex';
import type { BusinessDate } from '../core/dates.js';
import { formatMoney, type Money } from '../core/money.js';
import type { Tx } from '../db/index.js';
import { type ColumnType, type ColumnValue, insertRows, rowCount } from '../db/rows.js';
import type { PostingKind } from './kinds.js';

export interface NewPosting {
  contractId: number;
  dealerId: number;
  lineId: number | null;
  documentId: number | null;
  kind: PostingKind;
  receivableType: string | null;
  amount: Money | string;
  valueDate: BusinessDate;
  /** The posting this one reverses (its signed amount is then negative). */
  reversesId?: number | null | undefined;
  reason?: string | null | undefined;
  createdBy: number;
}

/** A posting as stored, for the code that reverses what is live. */
export interface StoredPosting {
  id: number;
  contractId: number;
  dealerId: number;
  lineId: number | null;
  documentId: number | null;
  kind: PostingKind;
  receivableType: string | null;
  amount: string;
  valueDate: BusinessDate;
}

/** Postings per INSERT: the replay of a busy night in one statement, a first night after an import in a few. */
const ROWS_PER_STATEMENT = 10_000;

const COLUMNS: readonly (ColumnType & { of: (p: NewPosting) => ColumnValue })[] = [
  { name: 'contract_id', sqlType: 'bigint', of: (p) => p.contractId },
  { name: 'dealer_id', sqlType: 'bigint', of: (p) => p.dealerId },
  { name: 'schedule_line_id', sqlType: 'bigint', of: (p) => p.lineId },
  { name: 'document_id', sqlType: 'bigint', of: (p) => p.documentId },
  { name: 'kind', sqlType: 'text', of: (p) => p.kind },
  { name: 'receivable_type', sqlType: 'text', of: (p) => p.receivableType },
  { name: 'amount', sqlType: 'numeric(18,2)', of: (p) => (typeof p.amount === 'string' ? p.amount : formatMoney(p.amount)) },
  { name: 'value_date', sqlType: 'date', of: (p) => p.valueDate },
  { name: 'reverses_id', sqlType: 'bigint', of: (p) => p.reversesId ?? null },
  { name: 'reason', sqlType: 'text', of: (p) => p.reason ?? null },
  { name: 'created_by', sqlType: 'bigint', of: (p) => p.createdBy },
];

/** The postings' columns a set-based statement may fill (writePostingsFrom). */
export type PostingColumn = (typeof COLUMNS)[number]['name'];
const COLUMN_NAMES = new Set<string>(COLUMNS.map((c) => c.name));

/**
 * Writes the postings in statements of many rows: each statement pays the postings' statement triggers (the
 * lines' paid cache, the closed-period and locked-document guards) once, whatever its number of rows.
 */
export async function writePostings(tx: Tx, postings: readonly NewPosting[]): Promise<void> {
  for (let i = 0; i < postings.length; i += ROWS_PER_STATEMENT) {
    const rows = postings.slice(i, i + ROWS_PER_STATEMENT).map((p) => COLUMNS.map((c) => c.of(p)));
    await insertRows(tx, 'postings', COLUMNS, rows);
  }
}

/** The reversal of a stored posting: same kind, line, document and amount, naming it, with a reason. */
export function reversalOf(posting: StoredPosting, reason: string, createdBy: number): NewPosting {
  return { ...posting, reversesId: posting.id, reason, createdBy };
}

/**
 * Postings written set-based from a SELECT (an import's opening figures): `select` yields the named columns
 * in that order. Returns the number written.
 */
export async function writePostingsFrom(
  tx: Tx,
  columns: readonly PostingColumn[],
  select: string,
  bindings: readonly Knex.RawBinding[] = [],
): Promise<number> {
  for (const column of columns) if (!COLUMN_NAMES.has(column)) throw new Error(`invariant broken: postings has no column ${column}`);
  return rowCount(await tx.raw(`INSERT INTO postings (${columns.join(', ')}) ${select}`, [...bindings]));
}

/**
 * Reverses every live posting (neither a reversal nor reversed) that `condition` selects, as `p`: one
 * statement, each reversal naming its posting and the reason. Returns the number reversed.
 */
export async function reverseLivePostings(
  tx: Tx,
  condition: string,
  bindings: readonly Knex.RawBinding[],
  reason: string,
  createdBy: number,
): Promise<number> {
  return writePostingsFrom(
    tx,
    [
      'contract_id',
      'dealer_id',
      'schedule_line_id',
      'document_id',
      'kind',
      'receivable_type',
      'amount',
      'value_date',
      'reverses_id',
      'reason',
      'created_by',
    ],
    `SELECT p.contract_id, p.dealer_id, p.schedule_line_id, p.document_id, p.kind, p.receivable_type, p.amount, p.value_date, p.id, ?, ?
       FROM postings p
      WHERE p.reverses_id IS NULL AND NOT EXISTS (SELECT 1 FROM postings r WHERE r.reverses_id = p.id) AND (${condition})`,
    [reason, createdBy, ...bindings],
  );
}
