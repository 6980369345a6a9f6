// Whose file it is: the owner an attachment hangs on — a contract, a customer, a machine, a document or a contact
// log — found within the actor's data scope, or "not found" (out of scope looks the same):
// - contract: scopeContracts;
// - customer: group and dealer roles by the customer's dealer; anybody else through a contract of the customer
//   in their scope;
// - machine: group and dealer roles by the machine's dealer; anybody else through a contract of the machine in
//   their scope;
// - document: scopeDocuments;
// - contact log: its contract (table collection_contacts).
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import { dealerInScope, scopeContracts, scopeOf } from '../access/scope.js';
import { BadInput, NotFound } from '../core/errors.js';
import { findDocument } from '../documents/index.js';
import { resolveContract } from '../receivables/contracts.js';

export const OWNER_KINDS = ['contract', 'customer', 'machine', 'document', 'contact_log'] as const;
export type OwnerKind = (typeof OWNER_KINDS)[number];

/** An owner as an input names it. */
export type OwnerKey =
  | { kind: 'contract'; contractNo: string; dealer?: string | undefined }
  | { kind: 'customer'; id: number }
  /** the customer of a contract (the web's contract page names the customer so) */
  | { kind: 'customer'; ofContract: string; dealer?: string | undefined }
  | { kind: 'machine'; serialNo: string; dealer?: string | undefined }
  | { kind: 'document'; id: number }
  | { kind: 'contact_log'; id: number };

/** An owner found in the actor's scope. */
export interface Owner {
  kind: OwnerKind;
  id: number;
  dealerId: number;
  /** The contract the owner belongs to, where it has one (a customer has none of its own). */
  contractId: number | null;
  /** For people: the contract number, the customer's name, the machine's serial, the document's number. */
  label: string;
}

/** Whether the actor sees things of the dealer because of a group or dealer role (not only through contracts). */
function seesDealer(actor: Actor, dealerId: number): boolean {
  return scopeOf(actor).kind !== 'own' && dealerInScope(actor, dealerId);
}

async function contractVisible(knex: Knex, actor: Actor, where: (q: Knex.QueryBuilder) => void): Promise<boolean> {
  const q = knex('contracts as c').first('c.id');
  where(q);
  return Boolean(await scopeContracts(q, actor, 'c'));
}

async function customerOwner(knex: Knex, actor: Actor, id: number): Promise<Owner> {
  const row = await knex('customers').where({ id }).first('id', 'dealer_id', 'name');
  const visible = row && (seesDealer(actor, row.dealer_id) || (await contractVisible(knex, actor, (q) => q.where('c.customer_id', id))));
  if (!visible) throw new NotFound('customer', id);
  return { kind: 'customer', id: row.id, dealerId: row.dealer_id, contractId: null, label: row.name };
}

async function machineVisible(knex: Knex, actor: Actor, machine: { id: number; dealerId: number }): Promise<boolean> {
  if (seesDealer(actor, machine.dealerId)) return true;
  return contractVisible(knex, actor, (q) =>
    q.whereExists((e) =>
      e.select(knex.raw('1')).from('contract_machines as cm').whereRaw('cm.contract_id = c.id').where('cm.machine_id', machine.id),
    ),
  );
}

/** The machine's contract: its active one, else the latest. */
async function machineContract(knex: Knex, machineId: number): Promise<number | null> {
  const row = await knex('contract_machines as cm')
    .join('contracts as c', 'c.id', 'cm.contract_id')
    .where('cm.machine_id', machineId)
    .orderByRaw(`(c.status = 'active') DESC, c.id DESC`)
    .first('c.id');
  return row?.id ?? null;
}

async function machineOwner(
  knex: Knex,
  actor: Actor,
  where: { id?: number; serialNo?: string; dealer?: string | undefined },
): Promise<Owner> {
  const q = knex('machines as m')
    .join('dealers as d', 'd.id', 'm.dealer_id')
    .select('m.id', 'm.dealer_id as dealerId', 'd.code as dealer', 'm.serial_no as serialNo')
    .orderBy('d.code');
  if (where.id !== undefined) q.where('m.id', where.id);
  if (where.serialNo !== undefined) q.where('m.serial_no', where.serialNo);
  if (where.dealer) q.where('d.code', where.dealer);
  const found: { id: number; dealerId: number; dealer: string; serialNo: string }[] = [];
  for (const m of await q) if (await machineVisible(knex, actor, m)) found.push(m);
  const key = where.serialNo ?? where.id;
  if (found.length === 0) throw new NotFound('machine', where.dealer ? `${where.dealer}/${key}` : key);
  if (found.length > 1) {
    throw new BadInput(
      'dealer',
      null,
      `a dealer code: machine ${key} exists at ${found.map((m) => m.dealer).join(', ')} (add --dealer CODE)`,
    );
  }
  const m = found[0] as (typeof found)[number];
  return { kind: 'machine', id: m.id, dealerId: m.dealerId, contractId: await machineContract(knex, m.id), label: m.serialNo };
}

async function contractOwnerById(knex: Knex, actor: Actor, id: number): Promise<Owner> {
  const q = knex('contracts as c').where('c.id', id).first('c.id', 'c.dealer_id', 'c.contract_no');
  const row = await scopeContracts(q, actor, 'c');
  if (!row) throw new NotFound('contract', id);
  return { kind: 'contract', id: row.id, dealerId: row.dealer_id, contractId: row.id, label: row.contract_no };
}

async function documentOwner(knex: Knex, actor: Actor, id: number): Promise<Owner> {
  const doc = await findDocument(knex, actor, id);
  return { kind: 'document', id: doc.id, dealerId: doc.dealerId, contractId: doc.contractId, label: doc.number };
}

/** A contact log (催收记录, table collection_contacts of src/collections) through its contract. */
async function contactLogOwner(knex: Knex, actor: Actor, id: number): Promise<Owner> {
  const q = knex('collection_contacts as cl')
    .join('contracts as c', 'c.id', 'cl.contract_id')
    .where('cl.id', id)
    .first('cl.id', 'c.id as contractId', 'c.dealer_id as dealerId', 'c.contract_no as contractNo');
  const row = await scopeContracts(q, actor, 'c');
  if (!row) throw new NotFound('contact log', id);
  return {
    kind: 'contact_log',
    id: row.id,
    dealerId: row.dealerId,
    contractId: row.contractId,
    label: `${row.contractNo} 催收记录 ${row.id}`,
  };
}

/** The owner an input names, in the actor's scope. */
export async function resolveOwner(knex: Knex, actor: Actor, key: OwnerKey): Promise<Owner> {
  switch (key.kind) {
    case 'contract': {
      const ref = await resolveContract(knex, actor, { contractNo: key.contractNo, dealer: key.dealer });
      return { kind: 'contract', id: ref.id, dealerId: ref.dealerId, contractId: ref.id, label: ref.contractNo };
    }
    case 'customer': {
      if ('id' in key) return customerOwner(knex, actor, key.id);
      const ref = await resolveContract(knex, actor, { contractNo: key.ofContract, dealer: key.dealer });
      const contract = await knex('contracts').where({ id: ref.id }).first('customer_id');
      return customerOwner(knex, actor, contract.customer_id);
    }
    case 'machine':
      return machineOwner(knex, actor, { serialNo: key.serialNo, dealer: key.dealer });
    case 'document':
      return documentOwner(knex, actor, key.id);
    case 'contact_log':
      return contactLogOwner(knex, actor, key.id);
  }
}

/** The owner of a stored attachment, in the actor's scope. */
export async function ownerById(knex: Knex, actor: Actor, kind: OwnerKind, id: number): Promise<Owner> {
  switch (kind) {
    case 'contract':
      return contractOwnerById(knex, actor, id);
    case 'customer':
      return customerOwner(knex, actor, id);
    case 'machine':
      return machineOwner(knex, actor, { id });
    case 'document':
      return documentOwner(knex, actor, id);
    case 'contact_log':
      return contactLogOwner(knex, actor, id);
  }
}
