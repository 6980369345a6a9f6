// The product's document types that go through the approval engine, registered in one place at the top:
// the engine (src/approvals) receives them and never imports the modules that define them. A module that
// adds a type exports its definition and adds it here.
import { registerDocumentType } from '../approvals/registry.js';
import { machineLockDocument, machineUnlockDocument } from '../machines/lock.js';
import { repossessionDocument } from '../machines/repossession.js';
import { periodReopenDocument } from '../periods/index.js';
import { badDebtDocument } from '../receivables/bad-debt.js';
import { buybackDocument } from '../receivables/buyback.js';
import { refundDocument } from '../receivables/refunds.js';
import { chargeDocument, scheduleChangeDocument } from '../receivables/schedule-changes.js';
import { waiverDocument } from '../receivables/waivers.js';

export const DOCUMENT_TYPES = [
  periodReopenDocument,
  badDebtDocument,
  buybackDocument,
  refundDocument,
  scheduleChangeDocument,
  chargeDocument,
  waiverDocument,
  repossessionDocument,
  machineLockDocument,
  machineUnlockDocument,
] as const;

for (const definition of DOCUMENT_TYPES) registerDocumentType(definition);
