// A financed machine's status (债权机管理) and its dated history. The one way a status changes: the lock,
// unlock, repossession and disposition documents call setMachineStatus, which refuses a move the table below
// does not allow, writes the history row with the document and the actor, and audits it.
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import { scopeContracts } from '../access/scope.js';
import { writeAudit } from '../audit/index.js';
import type { BusinessDate } from '../core/dates.js';
import { sqlTimestamp } from '../core/dates.js';
import { BadInput, NotFound, Refused } from '../core/errors.js';
import { MACHINE_STATUS_NAMES } from '../core/labels.js';
import type { Tx } from '../db/index.js';

export const MACHINE_STATUSES = ['normal', 'lock_pending', 'locked', 'repossession_pending', 'repossessed', 'resold', 'released'] as const;
export type MachineStatus = (typeof MACHINE_STATUSES)[number];

export const MACHINE_STATUS_LABELS: Readonly<Record<MachineStatus, string>> = MACHINE_STATUS_NAMES;

/**
 * The moves a status may make. lock_pending: a lock approved and sent, not yet confirmed (back to normal when
 * the provider reports failure); repossession_pending: a repossession approved, not yet registered (back to
 * where it was when cancelled); released: the machine leaves the receivable (returned to the customer after
 * payment, or its contract settled).
 */
const MOVES: Readonly<Record<MachineStatus, readonly MachineStatus[]>> = {
  normal: ['lock_pending', 'repossession_pending', 'released'],
  lock_pending: ['locked', 'normal', 'repossession_pending'],
  locked: ['normal', 'repossession_pending', 'released'],
  repossession_pending: ['repossessed', 'normal', 'locked'],
  repossessed: ['resold', 'released'],
  resold: [],
  released: [],
};

export function isMachineStatus(value: string): value is MachineStatus {
  return (MACHINE_STATUSES as readonly string[]).includes(value);
}

export function parseMachineStatus(value: string, field = 'status'): MachineStatus {
  if (!isMachineStatus(value)) throw new BadInput(field, value, `one of ${MACHINE_STATUSES.join(', ')}`);
  return value;
}

export function canMove(from: MachineStatus, to: MachineStatus): boolean {
  return MOVES[from].includes(to);
}

export interface MachineRef {
  id: number;
  dealerId: number;
  dealer: string;
  serialNo: string;
  model: string;
  status: MachineStatus;
  /** The machine's contract (the latest it is linked to), for scope, documents and charges. */
  contractId: number | null;
  contractNo: string | null;
  contractStatus: string | null;
}

const MACHINE_COLUMNS = [
  'm.id',
  'm.dealer_id as dealerId',
  'd.code as dealer',
  'm.serial_no as serialNo',
  'm.model',
  'm.status',
  'c.id as contractId',
  'c.contract_no as contractNo',
  'c.status as contractStatus',
];

/** Machines joined to their latest contract (a machine resold and financed again belongs to its newest one). */
function machinesWithContract(knex: Knex): Knex.QueryBuilder {
  return knex('machines as m')
    .join('dealers as d', 'd.id', 'm.dealer_id')
    .leftJoin('contracts as c', function latest() {
      this.on('c.id', '=', knex.raw('(SELECT max(cm.contract_id) FROM contract_machines cm WHERE cm.machine_id = m.id)'));
    });
}

/**
 * The machine of that serial number within the actor's scope: seen through its contract (a collector sees the
 * machines of their team's contracts, a dealer's staff their dealer's). Not found otherwise, like a contract.
 */
export async function findMachine(knex: Knex, actor: Actor, serialNo: string, dealer?: string): Promise<MachineRef> {
  const serial = serialNo.trim();
  if (!serial) throw new BadInput('serial', serialNo, 'a machine serial number');
  const q = machinesWithContract(knex).where('m.serial_no', serial).select(MACHINE_COLUMNS).orderBy('d.code');
  if (dealer) q.where('d.code', dealer);
  // A machine is seen through its contract; one never financed is a dealer matter, seen by group and dealer roles.
  q.where((w) => {
    w.whereIn('c.id', scopeContracts(knex('contracts as c2').select('c2.id'), actor, 'c2'));
  });
  const rows = (await q) as MachineRef[];
  if (rows.length === 0) throw new NotFound('machine', dealer ? `${dealer}/${serial}` : serial);
  if (rows.length > 1)
    throw new BadInput(
      'dealer',
      null,
      `a dealer code: machine ${serial} exists at ${rows.map((r) => r.dealer).join(', ')} (add --dealer CODE)`,
    );
  return rows[0] as MachineRef;
}

/** The machine by id, locked for the change (FOR UPDATE), without a scope check: for code that already checked it. */
export async function machineForUpdate(tx: Tx, id: number): Promise<MachineRef> {
  const m = await tx('machines').where({ id }).forUpdate().first('id');
  if (!m) throw new NotFound('machine', id);
  return (await machinesWithContract(tx).where('m.id', id).first(MACHINE_COLUMNS)) as MachineRef;
}

export interface StatusChange {
  /** The business date the change takes effect. */
  date: BusinessDate;
  documentId?: number | null | undefined;
  note?: string | null | undefined;
}

/** Moves the machine to `to`, or refuses (exit 2) a move the status table does not allow, naming both statuses. */
export async function setMachineStatus(
  tx: Tx,
  actor: Actor,
  machineId: number,
  to: MachineStatus,
  change: StatusChange,
): Promise<MachineRef> {
  const machine = await machineForUpdate(tx, machineId);
  if (!canMove(machine.status, to))
    throw new Refused(
      `machine ${machine.serialNo} is ${machine.status} (${MACHINE_STATUS_LABELS[machine.status]}): it cannot become ${to} (${MACHINE_STATUS_LABELS[to]})`,
    );
  await tx('machines').where({ id: machineId }).update({ status: to, status_date: change.date });
  await tx('machine_status_history').insert({
    machine_id: machineId,
    from_status: machine.status,
    to_status: to,
    effective_date: change.date,
    document_id: change.documentId ?? null,
    actor_id: actor.id,
    note: change.note ?? null,
  });
  await writeAudit(tx, actor, {
    action: 'machine.status',
    entity: 'machine',
    entityId: machineId,
    dealerId: machine.dealerId,
    documentId: change.documentId ?? null,
    details: { serialNo: machine.serialNo, from: machine.status, to, date: change.date, note: change.note ?? null },
  });
  return { ...machine, status: to };
}

export interface StatusHistoryRow {
  from: MachineStatus | null;
  to: MachineStatus;
  date: BusinessDate;
  at: string;
  documentId: number | null;
  documentNo: string | null;
  actor: string | null;
  note: string | null;
}

/** The machine's status history, oldest first. */
export async function machineStatusHistory(knex: Knex, machineId: number): Promise<StatusHistoryRow[]> {
  return knex('machine_status_history as h')
    .leftJoin('users as u', 'u.id', 'h.actor_id')
    .leftJoin('documents as doc', 'doc.id', 'h.document_id')
    .where('h.machine_id', machineId)
    .orderBy('h.id')
    .select(
      'h.from_status as from',
      'h.to_status as to',
      knex.raw('h.effective_date::text as date'),
      knex.raw(`${sqlTimestamp('h.at')} as at`),
      'h.document_id as documentId',
      'doc.number as documentNo',
      'u.username as actor',
      'h.note',
    ) as Promise<StatusHistoryRow[]>;
}
