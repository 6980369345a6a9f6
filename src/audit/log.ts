// Reading the audit trail (`zq audit log`), through the data scope: group roles see every row, dealer roles
// their dealer's rows (see src/access/scope.ts).
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import { requireKnownUser } from '../access/filters.js';
import { scopeAudit } from '../access/scope.js';
import { BUSINESS_TIME_ZONE, type BusinessDate, sqlTimestamp } from '../core/dates.js';
import { BadInput } from '../core/errors.js';

export interface AuditFilter {
  documentId?: number | undefined;
  user?: string | undefined;
  from?: BusinessDate | undefined;
  to?: BusinessDate | undefined;
  /** The rows about one contract (by its number) and its documents. */
  contractNo?: string | undefined;
  limit?: number | undefined;
}

export interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  entity: string;
  entityId: string | null;
  dealer: string | null;
  documentId: number | null;
  details: Record<string, unknown>;
}

export const AUDIT_LIMIT_DEFAULT = 1000;
export const AUDIT_LIMIT_MAX = 100_000;

/** Audit rows, oldest first; `from`/`to` are business dates in the business time zone, both inclusive. */
export async function listAudit(knex: Knex, actor: Actor, filter: AuditFilter): Promise<AuditRow[]> {
  const limit = filter.limit ?? AUDIT_LIMIT_DEFAULT;
  if (!Number.isInteger(limit) || limit < 1 || limit > AUDIT_LIMIT_MAX)
    throw new BadInput('limit', filter.limit, `a whole number from 1 to ${AUDIT_LIMIT_MAX}`);
  const q = knex('audit_log as a')
    .leftJoin('dealers as d', 'd.id', 'a.dealer_id')
    .select(
      'a.id',
      knex.raw(`${sqlTimestamp('a.at')} as at`),
      'a.actor',
      'a.action',
      'a.entity',
      'a.entity_id as entityId',
      'd.code as dealer',
      'a.document_id as documentId',
      'a.details',
    )
    .orderBy('a.id', 'desc')
    .limit(limit);
  scopeAudit(q, actor, 'a');
  if (filter.documentId !== undefined) q.where('a.document_id', filter.documentId);
  if (filter.user) q.where('a.actor', filter.user);
  const contractNo = filter.contractNo;
  if (contractNo)
    q.where((w) =>
      w
        .whereIn('a.entity', ['action', 'contract'])
        .where('a.entity_id', contractNo)
        .orWhereRaw(
          'a.document_id IN (SELECT ad.id FROM documents ad JOIN contracts ac ON ac.id = ad.contract_id WHERE ac.contract_no = ?)',
          [contractNo],
        ),
    );
  if (filter.from) q.whereRaw('(a.at AT TIME ZONE ?)::date >= ?::date', [BUSINESS_TIME_ZONE, filter.from]);
  if (filter.to) q.whereRaw('(a.at AT TIME ZONE ?)::date <= ?::date', [BUSINESS_TIME_ZONE, filter.to]);
  const rows = (await q) as AuditRow[];
  // a user whose acts are listed is known to the reader (group staff acting on a dealer's rows included); with none
  // listed, a username outside the reader's scope is not found, as one that names nobody
  if (rows.length === 0) await requireKnownUser(knex, actor, filter.user);
  return rows.reverse();
}
