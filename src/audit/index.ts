// The audit trail: every function that changes data writes its row here, in the caller's transaction.

import type { Actor } from '../access/actor.js';
import type { Tx } from '../db/index.js';

export interface AuditEntry {
  action: string; // e.g. 'create', 'update', 'confirm'
  entity: string; // table-ish name: 'contract', 'dealer', 'user', 'receipt'
  entityId?: string | number | null;
  dealerId?: number | null;
  documentId?: number | null;
  details?: Record<string, unknown>;
}

export async function writeAudit(tx: Tx, actor: Actor, entry: AuditEntry): Promise<void> {
  await tx('audit_log').insert({
    actor_id: actor.id,
    actor: actor.username,
    action: entry.action,
    entity: entry.entity,
    entity_id: entry.entityId === undefined || entry.entityId === null ? null : String(entry.entityId),
    dealer_id: entry.dealerId ?? null,
    document_id: entry.documentId ?? null,
    details: JSON.stringify(entry.details ?? {}),
  });
}
