// The catalogue: every module's actions, registered in one place at the top, so that the entry point
// (run.ts) finds any action by name and the permission matrix is the list of actions with their roles.
import type { Action } from '../access/action.js';
import { approvalActions } from '../approvals/approval-actions.js';
import { archiveActions } from '../archive/archive-actions.js';
import { auditActions } from '../audit/actions.js';
import { backupActions } from '../backup/backup-actions.js';
import { batchActions } from '../batch/batch-actions.js';
import { collectionActions } from '../collections/actions.js';
import { documentActions } from '../documents/document-actions.js';
import { importActions } from '../imports/import-actions.js';
import { machineActions } from '../machines/machine-actions.js';
import { repossessionActions } from '../machines/repossession-actions.js';
import { notificationActions } from '../notifications/notification-actions.js';
import { organisationActions } from '../organisation/actions.js';
import { penaltyActions } from '../penalty/actions.js';
import { periodActions } from '../periods/actions.js';
import { printingActions } from '../printing/print-actions.js';
import { statementActions } from '../printing/statement-actions.js';
import { contractActions } from '../receivables/contract-actions.js';
import { operationActions } from '../receivables/operation-actions.js';
import { receiptActions } from '../receivables/receipt-actions.js';
import { reportBreakdownActions } from '../reports/breakdown-actions.js';
import { reportDiffActions } from '../reports/diff-actions.js';
import { reportMoreActions } from '../reports/more-actions.js';

export const ACTIONS = [
  ...organisationActions,
  ...auditActions,
  ...periodActions,
  ...penaltyActions,
  ...approvalActions,
  ...documentActions,
  ...contractActions,
  ...receiptActions,
  ...operationActions,
  ...importActions,
  ...batchActions,
  ...reportBreakdownActions,
  ...reportDiffActions,
  ...reportMoreActions,
  ...printingActions,
  ...statementActions,
  ...backupActions,
  ...archiveActions,
  ...repossessionActions,
  ...notificationActions,
  ...collectionActions,
  ...machineActions,
] as const;

export type CatalogueAction = (typeof ACTIONS)[number];
export type ActionName = CatalogueAction['name'];
export type ActionNamed<N extends ActionName> = Extract<CatalogueAction, { name: N }>;

const byName = new Map<string, Action>();
for (const action of ACTIONS as readonly Action[]) {
  if (byName.has(action.name)) throw new Error(`invariant broken: action ${action.name} registered twice`);
  byName.set(action.name, action);
}

export function actionNamed<N extends ActionName>(name: N): ActionNamed<N> {
  const action = byName.get(name);
  if (!action) throw new Error(`invariant broken: no action named ${name}`);
  return action as ActionNamed<N>;
}

/** Every action, for the permission matrix and its test. */
export function allActions(): readonly Action[] {
  return [...byName.values()];
}
