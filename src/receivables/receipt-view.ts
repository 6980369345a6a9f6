// Reading receipts: `zq receipt list` and `zq receipt show` (the document, its allocation postings net of
// reversals, and its reversal or correction links), within the actor's data scope.
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import { BadInput } from '../core/errors.js';
import { type DocumentRow, findDocument, listDocuments } from '../documents/index.js';

export interface ReceiptAllocation {
  seq: number | null;
  type: string | null;
  kind: string;
  valueDate: string;
  amount: string;
}

export interface ReceiptShow extends DocumentRow {
  allocations: ReceiptAllocation[];
  reversal: { id: number; number: string; reason: string | null } | null;
  correctedBy: { id: number; number: string } | null;
}

export interface ReceiptFilter {
  contract?: string | undefined;
  dealer?: string | undefined;
  status?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit?: number | undefined;
}

export async function listReceipts(knex: Knex, actor: Actor, filter: ReceiptFilter): Promise<DocumentRow[]> {
  return listDocuments(knex, actor, {
    type: 'receipt',
    dealer: filter.dealer,
    status: filter.status,
    from: filter.from,
    to: filter.to,
    contractNo: filter.contract,
    limit: filter.limit,
  });
}

export async function showReceipt(knex: Knex, actor: Actor, id: number): Promise<ReceiptShow> {
  const doc = await findDocument(knex, actor, id);
  if (doc.type !== 'receipt') throw new BadInput('ID', id, `a receipt's id (document ${id} is a ${doc.type})`);
  const allocations = (await knex('postings as p')
    .leftJoin('schedule_lines as l', 'l.id', 'p.schedule_line_id')
    .where('p.document_id', id)
    .groupBy('l.seq', 'p.receivable_type', 'p.kind', 'p.value_date', 'l.due_date')
    .havingRaw('sum(p.signed_amount) <> 0')
    .orderBy([{ column: 'l.due_date' }, { column: 'l.seq' }, { column: 'p.kind' }])
    .select(
      'l.seq',
      'p.receivable_type as type',
      'p.kind',
      'p.value_date as valueDate',
      knex.raw('sum(p.signed_amount)::numeric(18,2)::text as amount'),
    )) as ReceiptAllocation[];
  const reversal = await knex('documents')
    .where({ type: 'receipt_reversal', reverses_id: id })
    .first('id', 'number', knex.raw(`data->>'reason' as reason`));
  const corrected = await knex('documents')
    .where({ type: 'receipt' })
    .whereRaw(`data->>'correctionOf' = ?`, [String(id)])
    .first('id', 'number');
  return {
    ...doc,
    allocations,
    reversal: reversal ? { id: reversal.id, number: reversal.number, reason: reversal.reason } : null,
    correctedBy: corrected ? { id: corrected.id, number: corrected.number } : null,
  };
}
