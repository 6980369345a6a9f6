// Machine lock and unlock (锁机 / 解锁), issue 21: a collector applies (reason, machine, its contract); the
// approval engine runs the admin's rules (fields amount = the contract's overdue amount as of the date,
// overdue_days, dealer); once approved the instruction goes out through the dealer's provider
// (src/machines/providers.ts) and the document waits for its result: a clerk's confirmation (manual), or the
// GPS platform's acknowledgement file (file-outbox). Every status change goes through setMachineStatus with
// the document's id, so each machine has a dated history.
//   lock:   normal → lock_pending (approved, sent) → locked (done) | normal (failed)
//   unlock: locked → (approved, sent) → normal (done) | stays locked (failed)
// A settled contract's locked machine is unlocked by the nightly step machine_unlock when the dealer's
// setting says so (unlock_on_settlement): an unlock document the system creates approved, audited.
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import { dealerInScope } from '../access/scope.js';
import type { DocumentTypeDefinition } from '../approvals/registry.js';
import { writeAudit } from '../audit/index.js';
import { type BusinessDate, formatTimestamp, today } from '../core/dates.js';
import { BadInput, ExpectedError, Refused } from '../core/errors.js';
import { dec, formatMoney } from '../core/money.js';
import type { Db, Tx } from '../db/index.js';
import { createDocument, type DocumentRow, loadDocument, setDocumentStatus } from '../documents/index.js';
import { assertContractActive } from '../ledger/contract-ref.js';
import { assertPeriodOpen } from '../periods/index.js';
import { contractById, positionAsOf, requireReason, type Submitted, submitDocument } from '../receivables/operations.js';
import { positionTotals } from '../receivables/position.js';
import {
  type Acknowledgement,
  checkAcknowledgement,
  type LockAction,
  type LockInstruction,
  lockProvider,
  settingFor,
} from './providers.js';
import { MACHINE_STATUS_LABELS, type MachineRef, type MachineStatus, machineForUpdate, setMachineStatus } from './status.js';

export const MACHINE_LOCK = 'machine_lock';
export const MACHINE_UNLOCK = 'machine_unlock';
const TYPE_OF: Record<LockAction, string> = { lock: MACHINE_LOCK, unlock: MACHINE_UNLOCK };
/** At most this many acknowledgement files are read in one run; the rest wait for the next. */
export const ACK_FILES_MAX = 1000;

/** The contract's overdue amount and its oldest overdue line's days as of the date: what the admin's rules test. */
export async function overdueOf(knex: Knex, contractId: number, date: BusinessDate): Promise<{ overdue: string; overdueDays: number }> {
  const position = await positionAsOf(knex, await contractById(knex, contractId), date);
  const totals = positionTotals(position);
  return {
    overdue: formatMoney(totals.overdue),
    overdueDays: position.lines.reduce((max, l) => Math.max(max, l.overdueDays), 0),
  };
}

/** A lock or unlock document of the machine still under way: waiting for approval, or approved and not yet confirmed. */
async function openDocument(
  knex: Knex,
  machineId: number,
): Promise<{ id: number; number: string; type: string; status: string } | undefined> {
  return knex('documents')
    .whereIn('type', [MACHINE_LOCK, MACHINE_UNLOCK])
    .whereIn('status', ['submitted', 'approved'])
    .whereRaw(`(data->>'machineId')::bigint = ?`, [machineId])
    .first('id', 'number', 'type', 'status');
}

async function assertNoOpenDocument(knex: Knex, machine: MachineRef): Promise<void> {
  const open = await openDocument(knex, machine.id);
  if (open)
    throw new Refused(
      `machine ${machine.serialNo} has ${open.type} ${open.number} (document ${open.id}) ${open.status === 'submitted' ? 'waiting for approval' : 'approved and waiting for its confirmation'}`,
    );
}

function refuseStatus(machine: MachineRef, action: LockAction, allowed: MachineStatus): never {
  throw new Refused(
    `machine ${machine.serialNo} is ${machine.status} (${MACHINE_STATUS_LABELS[machine.status]}): only a ${allowed} (${MACHINE_STATUS_LABELS[allowed]}) machine can be ${action === 'lock' ? 'locked' : 'unlocked'}`,
  );
}

function contractOf(machine: MachineRef): number {
  if (machine.contractId === null) throw new Refused(`machine ${machine.serialNo} is under no contract: there is nothing to collect`);
  return machine.contractId;
}

export interface LockRequestInput {
  machine: MachineRef;
  reason: string;
  date: BusinessDate;
}

/** 锁机申请: refused for a closed contract, a machine not normal, an open lock/unlock document, a closed period. */
export async function requestLock(tx: Tx, actor: Actor, input: LockRequestInput): Promise<Submitted> {
  const reason = requireReason(input.reason, 'why the machine is to be locked');
  const machine = await machineForUpdate(tx, input.machine.id);
  const contract = await contractById(tx, contractOf(machine));
  assertContractActive(contract, 'machine lock');
  if (machine.status !== 'normal') refuseStatus(machine, 'lock', 'normal');
  await assertNoOpenDocument(tx, machine);
  await assertPeriodOpen(tx, input.date);
  const { overdue, overdueDays } = await overdueOf(tx, contract.id, input.date);
  if (overdueDays === 0)
    throw new Refused(
      `nothing is overdue on contract ${contract.dealer}/${contract.contractNo} on ${input.date}: a lock is a collection step`,
    );
  return submitDocument(tx, actor, {
    type: MACHINE_LOCK,
    ref: contract,
    valueDate: input.date,
    amount: dec(overdue),
    data: { machineId: machine.id, serialNo: machine.serialNo, reason, overdue_days: overdueDays },
  });
}

/** 解锁申请: the machine is locked and no lock/unlock document is under way; the contract may be settled. */
export async function requestUnlock(tx: Tx, actor: Actor, input: LockRequestInput): Promise<Submitted> {
  const reason = requireReason(input.reason, 'why the machine is to be unlocked');
  const machine = await machineForUpdate(tx, input.machine.id);
  const contract = await contractById(tx, contractOf(machine));
  if (machine.status !== 'locked') refuseStatus(machine, 'unlock', 'locked');
  await assertNoOpenDocument(tx, machine);
  await assertPeriodOpen(tx, input.date);
  const { overdue, overdueDays } = await overdueOf(tx, contract.id, input.date);
  return submitDocument(tx, actor, {
    type: MACHINE_UNLOCK,
    ref: contract,
    valueDate: input.date,
    amount: dec(overdue),
    data: { machineId: machine.id, serialNo: machine.serialNo, reason, overdue_days: overdueDays },
  });
}

async function gpsDeviceOf(knex: Knex, machineId: number): Promise<string | null> {
  return (await knex('machines').where({ id: machineId }).first('gps_device_id as gps')).gps ?? null;
}

/** Sends the approved document's instruction through the dealer's provider and records it (one per document). */
async function sendInstruction(
  tx: Tx,
  actor: Actor,
  document: DocumentRow,
  action: LockAction,
  previous: MachineStatus,
): Promise<LockInstruction> {
  const machineId = Number(document.data.machineId);
  const machine = await machineForUpdate(tx, machineId);
  const setting = await settingFor(tx, machine.dealerId);
  const instruction: LockInstruction = {
    id: document.number,
    action,
    serialNo: machine.serialNo,
    gpsDeviceId: await gpsDeviceOf(tx, machineId),
    dealer: machine.dealer,
    contractNo: document.contractNo,
    documentNo: document.number,
    requestedAt: formatTimestamp(new Date()),
  };
  await tx('machine_lock_instructions').insert({
    id: instruction.id,
    document_id: document.id,
    machine_id: machineId,
    dealer_id: machine.dealerId,
    action,
    provider: setting.provider,
    outbox_dir: setting.outboxDir,
    previous_status: previous,
  });
  await lockProvider(setting.provider).send(instruction, setting);
  await writeAudit(tx, actor, {
    action: `machine.${action}.send`,
    entity: 'machine',
    entityId: machineId,
    dealerId: machine.dealerId,
    documentId: document.id,
    details: { instruction, provider: setting.provider, outboxDir: setting.outboxDir },
  });
  return instruction;
}

/** The approved lock: the machine becomes lock_pending and the instruction goes out. */
async function applyLock(tx: Tx, actor: Actor, document: DocumentRow): Promise<void> {
  const machine = await machineForUpdate(tx, Number(document.data.machineId));
  const contract = await contractById(tx, contractOf(machine));
  assertContractActive(contract, 'machine lock');
  if (machine.status !== 'normal') refuseStatus(machine, 'lock', 'normal');
  await setMachineStatus(tx, actor, machine.id, 'lock_pending', {
    date: document.valueDate ?? today(), // dated as the request: the history reads in business dates
    documentId: document.id,
    note: `锁机已批准 ${document.number}`,
  });
  await sendInstruction(tx, actor, document, 'lock', machine.status);
}

/** The approved unlock: the instruction goes out; the machine stays locked until it is confirmed. */
async function applyUnlock(tx: Tx, actor: Actor, document: DocumentRow): Promise<void> {
  const machine = await machineForUpdate(tx, Number(document.data.machineId));
  if (machine.status !== 'locked') refuseStatus(machine, 'unlock', 'locked');
  await sendInstruction(tx, actor, document, 'unlock', machine.status);
}

export const machineLockDocument: DocumentTypeDefinition = {
  type: MACHINE_LOCK,
  label: '锁机 machine lock',
  fields: { overdue_days: 'integer' },
  onApproved: applyLock,
  onRejected: async () => {},
};

export const machineUnlockDocument: DocumentTypeDefinition = {
  type: MACHINE_UNLOCK,
  label: '解锁 machine unlock',
  fields: { overdue_days: 'integer' },
  onApproved: applyUnlock,
  onRejected: async () => {},
};

export interface InstructionRow {
  id: string;
  documentId: number;
  machineId: number;
  dealerId: number;
  action: LockAction;
  provider: string;
  outboxDir: string | null;
  status: 'sent' | 'done' | 'failed';
  previousStatus: MachineStatus;
}

async function instructionOf(knex: Knex, where: { document_id: number } | { id: string }): Promise<InstructionRow | undefined> {
  return knex('machine_lock_instructions')
    .where(where)
    .first(
      'id',
      'document_id as documentId',
      'machine_id as machineId',
      'dealer_id as dealerId',
      'action',
      'provider',
      'outbox_dir as outboxDir',
      'status',
      'previous_status as previousStatus',
    );
}

export interface Outcome {
  result: 'done' | 'failed';
  /** When it was carried out (or given up), as formatTimestamp prints it. */
  at: string;
  location?: string | null | undefined;
  message?: string | null | undefined;
}

export interface Confirmed {
  documentId: number;
  documentNo: string;
  instructionId: string;
  action: LockAction;
  serialNo: string;
  result: 'done' | 'failed';
  at: string;
  status: MachineStatus;
}

/** The business date of a moment, in the business time zone. */
function dateOf(at: string): BusinessDate {
  return formatTimestamp(at).slice(0, 10);
}

/** The result of an instruction: a clerk's confirmation or the platform's acknowledgement. Once only. */
export async function recordOutcome(tx: Tx, actor: Actor, document: DocumentRow, action: LockAction, outcome: Outcome): Promise<Confirmed> {
  if (document.type !== TYPE_OF[action])
    throw new BadInput('ID', document.id, `the id of a ${TYPE_OF[action]} document (document ${document.id} is a ${document.type})`);
  await tx('machine_lock_instructions').where({ document_id: document.id }).forUpdate().first('id');
  const instruction = await instructionOf(tx, { document_id: document.id });
  if (!instruction)
    throw new Refused(
      `${document.type} ${document.number} (document ${document.id}) is ${document.status}: it has no instruction to confirm until it is approved`,
    );
  if (instruction.status !== 'sent')
    throw new Refused(`${document.type} ${document.number} (document ${document.id}) was already confirmed: ${instruction.status}`);
  const at = formatTimestamp(outcome.at);
  const date = dateOf(outcome.at);
  if (document.valueDate && date < document.valueDate)
    throw new BadInput('at', outcome.at, `a time on or after the ${document.type} request's date ${document.valueDate}`);
  await assertPeriodOpen(tx, date);
  await setDocumentStatus(tx, actor, document.id, 'completed', { from: ['approved'], details: { result: outcome.result, at } });
  const machine = await machineForUpdate(tx, instruction.machineId);
  const word = action === 'lock' ? '锁机' : '解锁';
  let status: MachineStatus = machine.status;
  // The status moves only from where the instruction left it: a machine that went on meanwhile (e.g. to
  // repossession_pending) keeps its status; the result is recorded on the document and the instruction.
  const movable = machine.status === (action === 'lock' ? 'lock_pending' : 'locked');
  if (movable && outcome.result === 'done') {
    status = action === 'lock' ? 'locked' : 'normal';
    await setMachineStatus(tx, actor, machine.id, status, { date, documentId: document.id, note: `${word}完成 ${at}` });
  } else if (movable && action === 'lock') {
    status = instruction.previousStatus;
    await setMachineStatus(tx, actor, machine.id, status, {
      date,
      documentId: document.id,
      note: `锁机失败 ${at}${outcome.message ? `: ${outcome.message}` : ''}`,
    });
  }
  await tx('machine_lock_instructions')
    .where({ id: instruction.id })
    .update({ status: outcome.result, result_at: outcome.at, result_by: actor.id, result_message: outcome.message ?? null });
  await tx('documents')
    .where({ id: document.id })
    .update({
      data: JSON.stringify({ ...document.data, result: outcome.result, resultAt: at, resultMessage: outcome.message ?? null }),
      updated_at: tx.fn.now(),
    });
  if (outcome.location) await updateLocation(tx, actor, machine, outcome.location, outcome.at, document.id);
  await writeAudit(tx, actor, {
    action: `machine.${action}.${outcome.result === 'done' ? 'confirm' : 'fail'}`,
    entity: 'machine',
    entityId: machine.id,
    dealerId: machine.dealerId,
    documentId: document.id,
    details: { serialNo: machine.serialNo, instruction: instruction.id, provider: instruction.provider, ...outcome, at },
  });
  return {
    documentId: document.id,
    documentNo: document.number,
    instructionId: instruction.id,
    action,
    serialNo: machine.serialNo,
    result: outcome.result,
    at,
    status,
  };
}

/** The machine's last known location (text) and when; audited. */
export async function updateLocation(
  tx: Tx,
  actor: Actor,
  machine: MachineRef,
  location: string,
  at: string | Date,
  documentId: number | null = null,
) {
  const before = await tx('machines').where({ id: machine.id }).first('location', 'location_at as locationAt');
  await tx('machines').where({ id: machine.id }).update({ location, location_at: at });
  await writeAudit(tx, actor, {
    action: 'machine.location',
    entity: 'machine',
    entityId: machine.id,
    dealerId: machine.dealerId,
    documentId,
    details: { serialNo: machine.serialNo, before: before.location ?? null, after: location, at: formatTimestamp(at) },
  });
}

export interface OutboxReport {
  dirs: string[];
  processed: {
    file: string;
    instructionId: string;
    action: LockAction;
    serialNo: string;
    result: 'done' | 'failed';
    status: MachineStatus;
  }[];
  /** Acknowledgements of instructions already confirmed: moved to done/, nothing changed. */
  already: { file: string; instructionId: string }[];
  /** Malformed, or naming no instruction: moved to rejected/, nothing changed. */
  rejected: { file: string; field: string; expected: string }[];
  /** Left in place: another dealer's, or refused for now (e.g. a closed period); a later run tries again. */
  skipped: { file: string; reason: string }[];
}

function moveInto(dir: string, sub: 'done' | 'rejected', file: string): void {
  const target = path.join(dir, sub);
  fs.mkdirSync(target, { recursive: true });
  fs.renameSync(path.join(dir, file), path.join(target, file));
}

/** The outbox folders to read: the one given, else every file-outbox folder of the settings and of instructions still waiting. */
async function outboxDirs(knex: Knex, dir: string | undefined): Promise<string[]> {
  if (dir) return [path.resolve(dir)];
  const rows = await knex
    .select('outbox_dir as dir')
    .from('machine_lock_settings')
    .whereNotNull('outbox_dir')
    .union((q) => q.select('outbox_dir').from('machine_lock_instructions').whereNotNull('outbox_dir').where({ status: 'sent' }));
  return [...new Set(rows.map((r: { dir: string }) => r.dir))].sort();
}

/**
 * Reads the platform's acknowledgements (`<id>.ack.json`) in the outbox folder(s): each good one is recorded in
 * its own transaction and moved to done/; a malformed one, or one naming no instruction, is moved to rejected/
 * and changes nothing; one already recorded is moved to done/. A re-run finds nothing left to do.
 */
export async function readOutbox(db: Db, actor: Actor, dir: string | undefined): Promise<OutboxReport> {
  const report: OutboxReport = { dirs: await outboxDirs(db.knex, dir), processed: [], already: [], rejected: [], skipped: [] };
  let seen = 0;
  for (const folder of report.dirs) {
    if (!fs.existsSync(folder)) {
      if (dir) throw new BadInput('dir', dir, 'an existing outbox folder');
      continue;
    }
    const files = fs
      .readdirSync(folder)
      .filter((f) => f.endsWith('.ack.json') && fs.statSync(path.join(folder, f)).isFile())
      .sort();
    for (const file of files) {
      if (seen++ >= ACK_FILES_MAX) return report;
      const shown = path.join(folder, file);
      const check = checkAcknowledgement(fs.readFileSync(shown, 'utf8'));
      if (!check.ok) {
        moveInto(folder, 'rejected', file);
        report.rejected.push({ file: shown, field: check.field, expected: check.expected });
        continue;
      }
      const ack: Acknowledgement = check.ack;
      const instruction = await instructionOf(db.knex, { id: ack.id });
      if (instruction?.provider !== 'file-outbox') {
        moveInto(folder, 'rejected', file);
        report.rejected.push({ file: shown, field: 'id', expected: `the id of an instruction sent to a file outbox (${ack.id} is none)` });
        continue;
      }
      if (`${instruction.id}.ack.json` !== file) {
        moveInto(folder, 'rejected', file);
        report.rejected.push({
          file: shown,
          field: 'id',
          expected: `${file.replace(/\.ack\.json$/, '')}, as the file is named (it says ${ack.id})`,
        });
        continue;
      }
      if (!dealerInScope(actor, instruction.dealerId)) {
        report.skipped.push({ file: shown, reason: `instruction ${ack.id} is another dealer's` });
        continue;
      }
      if (instruction.status !== 'sent') {
        moveInto(folder, 'done', file);
        report.already.push({ file: shown, instructionId: ack.id });
        continue;
      }
      try {
        const confirmed = await db.knex.transaction(async (tx) =>
          recordOutcome(tx, actor, await loadDocument(tx, instruction.documentId), instruction.action, ack),
        );
        moveInto(folder, 'done', file);
        report.processed.push({
          file: shown,
          instructionId: ack.id,
          action: instruction.action,
          serialNo: confirmed.serialNo,
          result: ack.result,
          status: confirmed.status,
        });
      } catch (err) {
        if (!(err instanceof ExpectedError)) throw err;
        report.skipped.push({ file: shown, reason: err.message });
      }
    }
  }
  return report;
}

export interface AutoUnlocked {
  documentId: number;
  documentNo: string;
  serialNo: string;
  contractNo: string;
}

/**
 * The nightly step: every locked machine whose contract was settled on or before the date, at a dealer whose
 * setting says unlock_on_settlement, and with no lock/unlock document under way, gets an unlock document the
 * system creates approved (no approval: the debt is paid), and its instruction goes out.
 */
export async function unlockSettled(tx: Tx, actor: Actor, date: BusinessDate): Promise<AutoUnlocked[]> {
  const candidates = (await tx('machines as m')
    .join('contracts as c', 'c.id', tx.raw('(SELECT max(cm.contract_id) FROM contract_machines cm WHERE cm.machine_id = m.id)'))
    .where('m.status', 'locked')
    .where('c.status', 'settled')
    .where('c.status_date', '<=', date)
    .orderBy('m.id')
    .select('m.id', 'm.dealer_id as dealerId', 'm.serial_no as serialNo', 'c.id as contractId', 'c.contract_no as contractNo')) as {
    id: number;
    dealerId: number;
    serialNo: string;
    contractId: number;
    contractNo: string;
  }[];
  const done: AutoUnlocked[] = [];
  for (const m of candidates) {
    if (!(await settingFor(tx, m.dealerId)).unlockOnSettlement) continue;
    if (await openDocument(tx, m.id)) continue;
    const document = await createDocument(tx, actor, {
      type: MACHINE_UNLOCK,
      status: 'approved',
      dealerId: m.dealerId,
      contractId: m.contractId,
      valueDate: date,
      amount: null,
      data: {
        machineId: m.id,
        serialNo: m.serialNo,
        reason: '合同已结清，自动解锁 (unlock on settlement)',
        automatic: true,
        overdue_days: 0,
      },
    });
    await applyUnlock(tx, actor, document);
    await writeAudit(tx, actor, {
      action: 'machine.unlock.auto',
      entity: 'machine',
      entityId: m.id,
      dealerId: m.dealerId,
      documentId: document.id,
      details: { serialNo: m.serialNo, contractNo: m.contractNo, date, rule: 'unlock_on_settlement' },
    });
    done.push({ documentId: document.id, documentNo: document.number, serialNo: m.serialNo, contractNo: m.contractNo });
  }
  return done;
}
