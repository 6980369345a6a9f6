// Financed machines (债权机管理), issue 21: every machine under receivable in the actor's scope — seen through
// its latest contract — with its status, GPS device, last known location, contract, customer and collector;
// one machine with its dated status history and its documents; the non-status fields set by hand (audited).
// Statuses change only through the documents (lock.ts, and the repossession module).
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import { requireKnownDealer } from '../access/filters.js';
import { scopeContracts } from '../access/scope.js';
import { writeAudit } from '../audit/index.js';
import { sqlTimestamp } from '../core/dates.js';
import { BadInput } from '../core/errors.js';
import type { Tx } from '../db/index.js';
import { updateLocation } from './lock.js';
import {
  MACHINE_STATUS_LABELS,
  type MachineRef,
  type MachineStatus,
  machineForUpdate,
  machineStatusHistory,
  type StatusHistoryRow,
} from './status.js';

/** Upper bound of one listing; a larger fleet is read with filters. */
export const MACHINE_LIST_MAX = 10_000;
/** A GPS device id or a location is at most this long. */
export const MACHINE_TEXT_MAX = 200;

export interface MachineListRow {
  dealer: string;
  serialNo: string;
  model: string;
  status: MachineStatus;
  statusLabel: string;
  statusDate: string | null;
  gpsDeviceId: string | null;
  location: string | null;
  locationAt: string | null;
  contractNo: string;
  contractStatus: string;
  customer: string;
  collector: string | null;
}

export interface MachineFilter {
  status?: MachineStatus | undefined;
  dealer?: string | undefined;
  serialNo?: string | undefined;
  limit?: number | undefined;
}

function machineQuery(knex: Knex, actor: Actor) {
  const q = knex('machines as m')
    .join('dealers as d', 'd.id', 'm.dealer_id')
    .join('contracts as c', 'c.id', knex.raw('(SELECT max(cm.contract_id) FROM contract_machines cm WHERE cm.machine_id = m.id)'))
    .join('customers as cu', 'cu.id', 'c.customer_id')
    .leftJoin('users as u', 'u.id', 'c.collector_id')
    .select(
      'm.id',
      'd.code as dealer',
      'm.serial_no as serialNo',
      'm.model',
      'm.status',
      knex.raw('m.status_date::text as "statusDate"'),
      'm.gps_device_id as gpsDeviceId',
      'm.location',
      knex.raw(`${sqlTimestamp('m.location_at')} as "locationAt"`),
      'c.contract_no as contractNo',
      'c.status as contractStatus',
      'cu.name as customer',
      'u.username as collector',
    );
  return scopeContracts(q, actor, 'c');
}

function withLabel<T extends { status: MachineStatus; id?: number }>(row: T): Omit<T, 'id'> & { statusLabel: string } {
  const { id: _id, ...rest } = row;
  return { ...rest, statusLabel: MACHINE_STATUS_LABELS[row.status] };
}

export async function listMachines(knex: Knex, actor: Actor, filter: MachineFilter): Promise<MachineListRow[]> {
  await requireKnownDealer(knex, actor, filter.dealer);
  const q = machineQuery(knex, actor)
    .orderBy(['d.code', 'm.serial_no'])
    .limit(Math.min(filter.limit ?? MACHINE_LIST_MAX, MACHINE_LIST_MAX));
  if (filter.status) q.where('m.status', filter.status);
  if (filter.dealer) q.where('d.code', filter.dealer);
  if (filter.serialNo) q.where('m.serial_no', filter.serialNo);
  return ((await q) as (MachineListRow & { id: number })[]).map(withLabel) as MachineListRow[];
}

export interface MachineDocument {
  id: number;
  type: string;
  number: string;
  status: string;
  valueDate: string | null;
  amount: string | null;
  reason: string | null;
  author: string;
  /** The instruction's provider and result, for a lock or unlock document approved. */
  provider: string | null;
  instructionStatus: string | null;
  resultAt: string | null;
}

export interface MachineDetails extends MachineListRow {
  history: StatusHistoryRow[];
  documents: MachineDocument[];
}

/** One machine (found in scope by the caller) with its status history and its documents, oldest first. */
export async function showMachine(knex: Knex, actor: Actor, machine: MachineRef): Promise<MachineDetails> {
  const row = (await machineQuery(knex, actor).where('m.id', machine.id).first()) as MachineListRow & { id: number };
  const documents = (await knex('documents as doc')
    .join('users as au', 'au.id', 'doc.author_id')
    .leftJoin('machine_lock_instructions as i', 'i.document_id', 'doc.id')
    .whereRaw(`doc.data->>'machineId' = ?`, [String(machine.id)])
    .orderBy('doc.id')
    .select(
      'doc.id',
      'doc.type',
      'doc.number',
      'doc.status',
      knex.raw('doc.value_date::text as "valueDate"'),
      'doc.amount',
      knex.raw(`doc.data->>'reason' as reason`),
      'au.username as author',
      'i.provider',
      'i.status as instructionStatus',
      knex.raw(`${sqlTimestamp('i.result_at')} as "resultAt"`),
    )) as MachineDocument[];
  return { ...(withLabel(row) as MachineListRow), history: await machineStatusHistory(knex, machine.id), documents };
}

function optionalText(value: string | undefined, field: string, what: string): string | null | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text.length > MACHINE_TEXT_MAX) throw new BadInput(field, value, `${what} of at most ${MACHINE_TEXT_MAX} characters`);
  return text || null;
}

export interface MachineFields {
  gpsDeviceId?: string | undefined;
  location?: string | undefined;
}

/** Sets the GPS device id and/or the last known location (now); an empty value clears it. Audited. */
export async function setMachineFields(tx: Tx, actor: Actor, machine: MachineRef, fields: MachineFields): Promise<void> {
  const gps = optionalText(fields.gpsDeviceId, 'gpsDevice', 'a GPS device id');
  const location = optionalText(fields.location, 'location', 'a location');
  if (gps === undefined && location === undefined) throw new BadInput('gpsDevice', null, 'at least one of --gps-device, --location');
  const locked = await machineForUpdate(tx, machine.id);
  if (gps !== undefined) {
    const before = await tx('machines').where({ id: machine.id }).first('gps_device_id as gps');
    await tx('machines').where({ id: machine.id }).update({ gps_device_id: gps });
    await writeAudit(tx, actor, {
      action: 'machine.gps',
      entity: 'machine',
      entityId: machine.id,
      dealerId: locked.dealerId,
      details: { serialNo: locked.serialNo, before: before.gps ?? null, after: gps },
    });
  }
  if (location !== undefined) {
    if (location === null) {
      await tx('machines').where({ id: machine.id }).update({ location: null, location_at: null });
      await writeAudit(tx, actor, {
        action: 'machine.location',
        entity: 'machine',
        entityId: machine.id,
        dealerId: locked.dealerId,
        details: { serialNo: locked.serialNo, after: null },
      });
    } else await updateLocation(tx, actor, locked, location, new Date());
  }
}
