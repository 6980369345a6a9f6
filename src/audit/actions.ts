// The audit trail's one action: reading it through the data scope (log.ts). Audit is a low layer: this file
// imports only access, db and core.
import { defineAction } from '../access/action.js';
import { READERS_OF_SETTINGS } from '../access/role-sets.js';
import { type BusinessDate, parseDate } from '../core/dates.js';
import { BadInput } from '../core/errors.js';
import { parseId } from '../core/input.js';
import { AUDIT_LIMIT_MAX, type AuditFilter, listAudit } from './log.js';

const optionalDate = (text: string | undefined, field: string): BusinessDate | undefined =>
  text === undefined ? undefined : parseDate(text, field);

function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,9}$/.test(String(text).trim())) throw new BadInput('limit', text, `a whole number from 1 to ${AUDIT_LIMIT_MAX}`);
  return Number(text);
}

export const auditLog = defineAction({
  name: 'audit.log',
  summary: 'audit rows in the data scope, oldest first (the latest `limit` rows)',
  roles: READERS_OF_SETTINGS,
  mutates: false,
  // plain SELECTs: no transaction (src/access/action.ts)
  transaction: 'none',
  parse: (raw: {
    documentId?: string | number | undefined;
    user?: string | undefined;
    from?: string | undefined;
    to?: string | undefined;
    /** The rows about one contract and its documents (the web's contract page). */
    contract?: string | undefined;
    limit?: string | undefined;
  }): AuditFilter => ({
    documentId: raw.documentId === undefined ? undefined : parseId(raw.documentId, 'documentId', 'a document id'),
    user: raw.user,
    from: optionalDate(raw.from, 'from'),
    to: optionalDate(raw.to, 'to'),
    contractNo: raw.contract,
    limit: parseLimit(raw.limit),
  }),
  run: (tx, actor, input) => listAudit(tx, actor, input),
});

export const auditActions = [auditLog] as const;
