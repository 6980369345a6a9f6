// Documents: every business act with a lifecycle (RULES.md "Documents, locks and periods"): numbering, status
// changes, reversal links, and the review lock of finance review (财务审核). A review-locked document cannot be
// changed, withdrawn or reversed: refused here with a clear message, and by the database
// (migrations/009_document_locks.ts). In code it is the "review lock", never a bare "lock": a machine lock
// (锁机) is another thing. The columns keep their landed names: documents.locked / locked_by / locked_at are
// the review lock, and so are the output fields `locked`, `lockedBy`, `lockedAt` (the CLI's --json).
//
// Review can take three forms, all expressible: an approval flow (src/approvals, rules per document type),
// finance review (lock/unlock here), and a business's own review step (a status of its own lifecycle, e.g. a
// receipt registered → confirmed).
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import { requireKnownDealer } from '../access/filters.js';
import { scopeDocuments } from '../access/scope.js';
import { writeAudit } from '../audit/index.js';
import type { BusinessDate } from '../core/dates.js';
import { sqlTimestamp } from '../core/dates.js';
import { BadInput, NotFound, Refused } from '../core/errors.js';
import { formatMoney, type Money } from '../core/money.js';
import type { Tx } from '../db/index.js';

export const DOCUMENT_STATUSES = [
  'draft',
  'registered',
  'submitted',
  'approved',
  'rejected',
  'withdrawn',
  'confirmed',
  'reversed',
  'completed',
] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

/** Statuses still waiting for somebody: a month with such documents dated in it cannot be closed. */
export const UNCONFIRMED_STATUSES: readonly DocumentStatus[] = ['draft', 'registered', 'submitted'];
/** Statuses finance review may review-lock: the document has done what it does. */
export const REVIEW_LOCKABLE_STATUSES: readonly DocumentStatus[] = ['approved', 'confirmed', 'completed', 'reversed'];
/** A document may be withdrawn only before it is confirmed (RULES.md). */
export const WITHDRAWABLE_STATUSES: readonly DocumentStatus[] = ['draft', 'registered', 'submitted'];

/** Upper bound of one review lock/unlock by filter; a larger review is done month by month. */
export const REVIEW_LOCK_BATCH_MAX = 10_000;
export const DOCUMENT_LIST_MAX = 10_000;

export interface DocumentRow {
  id: number;
  type: string;
  number: string;
  status: DocumentStatus;
  dealerId: number;
  dealer: string;
  contractId: number | null;
  contractNo: string | null;
  authorId: number;
  author: string;
  valueDate: BusinessDate | null;
  amount: string | null;
  data: Record<string, unknown>;
  reversesId: number | null;
  /** Review-locked by finance review (column documents.locked), by whom and when. */
  locked: boolean;
  lockedBy: string | null;
  lockedAt: string | null;
}

function documentQuery(knex: Knex) {
  return knex('documents as doc')
    .join('dealers as dd', 'dd.id', 'doc.dealer_id')
    .join('users as au', 'au.id', 'doc.author_id')
    .leftJoin('contracts as dc', 'dc.id', 'doc.contract_id')
    .leftJoin('users as lu', 'lu.id', 'doc.locked_by')
    .select(
      'doc.id',
      'doc.type',
      'doc.number',
      'doc.status',
      'doc.dealer_id as dealerId',
      'dd.code as dealer',
      'doc.contract_id as contractId',
      'dc.contract_no as contractNo',
      'doc.author_id as authorId',
      'au.username as author',
      'doc.value_date as valueDate',
      'doc.amount',
      'doc.data',
      'doc.reverses_id as reversesId',
      'doc.locked',
      'lu.username as lockedBy',
      knex.raw(`${sqlTimestamp('doc.locked_at')} as "lockedAt"`),
    );
}

/** Any document by id, without scope: for the engine and the core, never for output to a user. */
export async function loadDocument(knex: Knex, id: number): Promise<DocumentRow> {
  const row = await documentQuery(knex).where('doc.id', id).first();
  if (!row) throw new NotFound('document', id);
  return row as DocumentRow;
}

/** A document the actor may see (data scope); NotFound otherwise, so that its existence does not leak. */
export async function findDocument(knex: Knex, actor: Actor, id: number): Promise<DocumentRow> {
  const row = await scopeDocuments(documentQuery(knex), actor, 'doc').where('doc.id', id).first();
  if (!row) throw new NotFound('document', id);
  return row as DocumentRow;
}

export interface DocumentFilter {
  type?: string | undefined;
  dealer?: string | undefined;
  status?: string | undefined;
  from?: BusinessDate | undefined;
  to?: BusinessDate | undefined;
  /** Only review-locked (true) or only not review-locked (false) documents. */
  reviewLocked?: boolean | undefined;
  /** The documents of one contract, by its number. */
  contractNo?: string | undefined;
  limit?: number | undefined;
}

function applyFilter(q: Knex.QueryBuilder, filter: DocumentFilter): void {
  if (filter.status && !(DOCUMENT_STATUSES as readonly string[]).includes(filter.status))
    throw new BadInput('status', filter.status, DOCUMENT_STATUSES.join(', '));
  if (filter.type) q.where('doc.type', filter.type);
  if (filter.dealer) q.where('dd.code', filter.dealer);
  if (filter.status) q.where('doc.status', filter.status);
  if (filter.from) q.where('doc.value_date', '>=', filter.from);
  if (filter.to) q.where('doc.value_date', '<=', filter.to);
  if (filter.reviewLocked !== undefined) q.where('doc.locked', filter.reviewLocked);
  if (filter.contractNo) q.where('dc.contract_no', filter.contractNo);
}

export async function listDocuments(knex: Knex, actor: Actor, filter: DocumentFilter): Promise<DocumentRow[]> {
  const q = scopeDocuments(documentQuery(knex), actor, 'doc')
    .orderBy('doc.id')
    .limit(Math.min(filter.limit ?? DOCUMENT_LIST_MAX, DOCUMENT_LIST_MAX));
  await requireKnownDealer(knex, actor, filter.dealer);
  applyFilter(q, filter);
  return (await q) as DocumentRow[];
}

/** The next number of a type: PREFIX-000001, from a per-type counter (concurrent documents never share one). */
export async function nextDocumentNumber(tx: Tx, type: string): Promise<string> {
  const rows = await tx('document_counters')
    .insert({ type, last_value: 1 })
    .onConflict('type')
    .merge({ last_value: tx.raw('document_counters.last_value + 1') })
    .returning('last_value');
  const value = Number(rows[0]?.last_value);
  return `${type.toUpperCase().replace(/_/g, '-')}-${String(value).padStart(6, '0')}`;
}

export interface NewDocument {
  type: string;
  status: DocumentStatus;
  dealerId: number;
  contractId?: number | null | undefined;
  valueDate?: BusinessDate | null | undefined;
  amount?: Money | null | undefined;
  data?: Record<string, unknown> | undefined;
  /** The document this one reverses (a correction is a new, linked document). */
  reversesId?: number | null | undefined;
}

export async function createDocument(tx: Tx, actor: Actor, input: NewDocument): Promise<DocumentRow> {
  if (input.reversesId) {
    const reversed = await loadDocument(tx, input.reversesId);
    assertNotReviewLocked(reversed, 'reversed');
  }
  const number = await nextDocumentNumber(tx, input.type);
  const [row] = await tx('documents')
    .insert({
      type: input.type,
      number,
      status: input.status,
      dealer_id: input.dealerId,
      contract_id: input.contractId ?? null,
      author_id: actor.id,
      value_date: input.valueDate ?? null,
      amount: input.amount ? formatMoney(input.amount) : null,
      data: JSON.stringify(input.data ?? {}),
      reverses_id: input.reversesId ?? null,
    })
    .returning('id');
  await writeAudit(tx, actor, {
    action: 'create',
    entity: 'document',
    entityId: number,
    dealerId: input.dealerId,
    documentId: row.id,
    details: {
      type: input.type,
      status: input.status,
      amount: input.amount ? formatMoney(input.amount) : null,
      reversesId: input.reversesId ?? null,
    },
  });
  return loadDocument(tx, row.id);
}

/** Whether finance review has review-locked the document. */
export function isReviewLocked(document: Pick<DocumentRow, 'locked'>): boolean {
  return document.locked;
}

/** Refuses any change to a review-locked document, naming it and what was attempted. */
export function assertNotReviewLocked(document: DocumentRow, attempted: 'changed' | 'withdrawn' | 'reversed'): void {
  if (isReviewLocked(document)) {
    throw new Refused(
      `document ${document.id} (${document.type} ${document.number}) is locked by finance review (${document.lockedBy ?? 'finance'}, ${document.lockedAt ?? ''}): it cannot be ${attempted} until finance unlocks it`,
    ).suggest({ action: 'doc.unlock', input: { id: document.id } });
  }
}

/** Moves a document to another status (the only way code changes a document's status); audited. */
export async function setDocumentStatus(
  tx: Tx,
  actor: Actor,
  id: number,
  to: DocumentStatus,
  options: { from?: readonly DocumentStatus[]; details?: Record<string, unknown> } = {},
): Promise<DocumentRow> {
  await tx('documents').where({ id }).forUpdate().first('id');
  const document = await loadDocument(tx, id);
  assertNotReviewLocked(document, to === 'withdrawn' ? 'withdrawn' : 'changed');
  if (options.from && !options.from.includes(document.status)) {
    throw new Refused(
      `document ${id} (${document.type} ${document.number}) is ${document.status}: it can become ${to} only from ${options.from.join(' or ')}`,
    );
  }
  await tx('documents').where({ id }).update({ status: to, updated_at: tx.fn.now() });
  await writeAudit(tx, actor, {
    action: to,
    entity: 'document',
    entityId: document.number,
    dealerId: document.dealerId,
    documentId: id,
    details: { type: document.type, from: document.status, to, ...(options.details ?? {}) },
  });
  return { ...document, status: to };
}

/** Withdraws a document before it is confirmed (RULES.md); refused for a review-locked one or one under approval. */
export async function withdrawDocument(tx: Tx, actor: Actor, id: number): Promise<DocumentRow> {
  const pending = await tx('approval_requests').where({ document_id: id, status: 'pending' }).first('id');
  if (pending) throw new Refused(`document ${id} is waiting for approval: it is rejected by an approver, not withdrawn`);
  return setDocumentStatus(tx, actor, id, 'withdrawn', { from: WITHDRAWABLE_STATUSES });
}

export interface ReviewLockResult {
  /** true after a review lock, false after an unlock (output field, as the CLI's --json prints it). */
  locked: boolean;
  documents: { id: number; type: string; number: string; dealer: string }[];
}

/** The target of a review lock or unlock: document ids (each must exist in scope) or a filter. */
export type ReviewLockTarget = { ids: number[] } | { filter: DocumentFilter };

/** The documents a review lock or unlock addresses: by ids (each must exist in scope) or by a filter. */
async function reviewLockTargets(tx: Tx, actor: Actor, target: ReviewLockTarget, locking: boolean): Promise<DocumentRow[]> {
  if ('ids' in target) {
    if (target.ids.length === 0) throw new BadInput('ids', '', 'at least one document id, or a filter (--type, --dealer, --from, --to)');
    if (target.ids.length > REVIEW_LOCK_BATCH_MAX)
      throw new BadInput('ids', target.ids.length, `at most ${REVIEW_LOCK_BATCH_MAX} documents at once`);
    const rows: DocumentRow[] = [];
    for (const id of [...new Set(target.ids)]) rows.push(await findDocument(tx, actor, id));
    const wrong = rows.filter((d) => isReviewLocked(d) === locking || (locking && !REVIEW_LOCKABLE_STATUSES.includes(d.status)));
    if (wrong.length > 0) {
      throw new Refused(
        `nothing ${locking ? 'locked' : 'unlocked'}: ${wrong
          .map(
            (d) =>
              `document ${d.id} (${d.type} ${d.number}) ${isReviewLocked(d) === locking ? `is already ${locking ? 'locked' : 'unlocked'}` : `is ${d.status}; finance review locks ${REVIEW_LOCKABLE_STATUSES.join(', ')} documents`}`,
          )
          .join('; ')}`,
      );
    }
    return rows;
  }
  const { filter } = target;
  if (!filter.type && !filter.dealer && !filter.from && !filter.to)
    throw new BadInput('filter', null, 'document ids, or at least one of --type, --dealer, --from, --to');
  const q = scopeDocuments(documentQuery(tx), actor, 'doc')
    .orderBy('doc.id')
    .limit(REVIEW_LOCK_BATCH_MAX + 1);
  await requireKnownDealer(tx, actor, filter.dealer);
  applyFilter(q, { ...filter, reviewLocked: !locking });
  if (locking) q.whereIn('doc.status', REVIEW_LOCKABLE_STATUSES);
  const rows = (await q) as DocumentRow[];
  if (rows.length > REVIEW_LOCK_BATCH_MAX)
    throw new Refused(`more than ${REVIEW_LOCK_BATCH_MAX} documents match: narrow the filter (e.g. one month with --from and --to)`);
  return rows;
}

/**
 * Finance review: review-locks (locking = true) or unlocks documents in the actor's scope, one audit row per
 * document (actions 'lock' / 'unlock', as the audit log has always named them).
 */
export async function setReviewLock(tx: Tx, actor: Actor, target: ReviewLockTarget, locking: boolean): Promise<ReviewLockResult> {
  const rows = await reviewLockTargets(tx, actor, target, locking);
  for (const document of rows) {
    await tx('documents')
      .where({ id: document.id })
      .update(
        locking ? { locked: true, locked_by: actor.id, locked_at: tx.fn.now() } : { locked: false, locked_by: null, locked_at: null },
      );
    await writeAudit(tx, actor, {
      action: locking ? 'lock' : 'unlock',
      entity: 'document',
      entityId: document.number,
      dealerId: document.dealerId,
      documentId: document.id,
      details: { type: document.type, status: document.status, ...('filter' in target ? { filter: target.filter } : {}) },
    });
  }
  return { locked: locking, documents: rows.map((d) => ({ id: d.id, type: d.type, number: d.number, dealer: d.dealer })) };
}
