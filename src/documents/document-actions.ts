// The document actions (单据): list and show in the actor's data scope, and finance review (财务审核): the review
// lock and unlock, by ids or by a filter. `doc.show` names its document, which the entry point (src/app/run.ts)
// finds in scope; a review lock by ids finds each one in scope itself (setReviewLock), a filter lists in scope.
import { defineAction } from '../access/action.js';
import { EVERYONE, FINANCE } from '../access/role-sets.js';
import { type BusinessDate, parseDate } from '../core/dates.js';
import { BadInput } from '../core/errors.js';
import { parseId } from '../core/input.js';
import { type DocumentFilter, type DocumentRow, listDocuments, type ReviewLockTarget, setReviewLock } from './index.js';

/** A filter as a person types it: dates as text. */
export interface RawDocumentFilter {
  type?: string | undefined;
  dealer?: string | undefined;
  status?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** The documents of one contract, by its number. */
  contract?: string | undefined;
}

const optionalDate = (text: string | undefined, field: string): BusinessDate | undefined =>
  text === undefined ? undefined : parseDate(text, field);

function parseFilter(raw: RawDocumentFilter): DocumentFilter {
  return {
    type: raw.type,
    dealer: raw.dealer,
    status: raw.status,
    from: optionalDate(raw.from, 'from'),
    to: optionalDate(raw.to, 'to'),
    contractNo: raw.contract,
  };
}

const documentId = (value: string | number, field = 'id') => parseId(value, field, 'a document id');

export const docList = defineAction({
  name: 'doc.list',
  summary: 'documents in the data scope',
  roles: EVERYONE,
  mutates: false,
  // plain SELECTs: no transaction (src/access/action.ts)
  transaction: 'none',
  parse: (raw: RawDocumentFilter & { reviewLocked?: boolean | undefined }): DocumentFilter => ({
    ...parseFilter(raw),
    reviewLocked: raw.reviewLocked ? true : undefined,
  }),
  run: (tx, actor, input) => listDocuments(tx, actor, input),
});

export const docShow = defineAction({
  name: 'doc.show',
  summary: 'one document',
  roles: EVERYONE,
  mutates: false,
  parse: (raw: { id: string | number }) => ({ id: documentId(raw.id) }),
  document: (input) => input.id,
  run: async (_tx, _actor, _input, { subject }: { subject: { document: DocumentRow } }) => subject.document,
});

/** Review lock or unlock: document ids, or a filter (at least one of its fields), never both. */
function parseTarget(raw: RawDocumentFilter & { ids?: readonly (string | number)[] | undefined }): ReviewLockTarget {
  const filter = parseFilter({ ...raw, status: undefined });
  const ids = raw.ids ?? [];
  const byFilter = Boolean(filter.type || filter.dealer || filter.from || filter.to);
  if (ids.length > 0 && byFilter) throw new BadInput('ids', ids.join(' '), 'document ids or a filter, not both');
  return ids.length > 0 ? { ids: ids.map((id) => documentId(id, 'ids')) } : { filter };
}

export const docLock = defineAction({
  name: 'doc.lock',
  summary: 'finance review: review-lock final documents by ids or by a filter',
  roles: FINANCE,
  mutates: true,
  parse: parseTarget,
  run: (tx, actor, input) => setReviewLock(tx, actor, input, true),
});

export const docUnlock = defineAction({
  name: 'doc.unlock',
  summary: 'finance review: lift the review lock by ids or by a filter',
  roles: FINANCE,
  mutates: true,
  parse: parseTarget,
  run: (tx, actor, input) => setReviewLock(tx, actor, input, false),
});

export const documentActions = [docList, docShow, docLock, docUnlock] as const;
