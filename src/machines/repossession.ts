// Repossession (拖机, issue 21 point 6): application → approval by the admin's rules → registration by the back
// office → disposition. Each step moves the machine's status through setMachineStatus (./status.ts) with its
// document, and tells the people involved through in-app notifications (src/notifications).
//  - request: a `repossession` document (amount = the contract's overdue amount as of its date; rule fields
//    overdue_days and dealer besides). On final approval the machine becomes repossession_pending.
//  - register: the approved document is completed with who towed it, when, where it is kept and what it cost;
//    the machine becomes repossessed and its location is updated; each cost is a 代垫 advance charge through
//    the charge path of src/receivables/schedule-changes.ts (a charge waits for approval where a rule says so).
//  - dispose: a `machine_disposal` document; resold → the proceeds are a receipt (method repossession_sale),
//    registered and confirmed as any receipt, and what is still owed is proposed as bad debt; returned →
//    released, only once nothing is owed as of the date.
import type { Actor } from '../access/actor.js';
import { matchingRule } from '../approvals/engine.js';
import type { DocumentTypeDefinition } from '../approvals/registry.js';
import { writeAudit } from '../audit/index.js';
import type { BusinessDate } from '../core/dates.js';
import { BadInput, Refused } from '../core/errors.js';
import { formatMoney, type Money, sumMoney, ZERO } from '../core/money.js';
import type { Tx } from '../db/index.js';
import { assertNotReviewLocked, createDocument, type DocumentRow, loadDocument, setDocumentStatus } from '../documents/index.js';
import { assertContractActive, type ContractRef } from '../ledger/contract-ref.js';
import { notify } from '../notifications/index.js';
import { assertPeriodOpen } from '../periods/index.js';
import { BAD_DEBT, registerBadDebt } from '../receivables/bad-debt.js';
import { contractById, positionAsOf, requireReason, type Submitted, submitDocument } from '../receivables/operations.js';
import { positionTotals } from '../receivables/position.js';
import { type ReceiptAllocation, showReceipt } from '../receivables/receipt-view.js';
import { confirmReceipt, registerReceipt } from '../receivables/receipts.js';
import { submitCharge } from '../receivables/schedule-changes.js';
import { MACHINE_STATUS_LABELS, type MachineRef, type MachineStatus, machineForUpdate, setMachineStatus } from './status.js';

export const REPOSSESSION = 'repossession';
export const MACHINE_DISPOSAL = 'machine_disposal';
/** The receipt method of resale proceeds. */
export const REPOSSESSION_SALE = 'repossession_sale';
/** The receivable type of towing and storage costs (GLOSSARY 代垫). */
export const REPOSSESSION_COST_TYPE = 'advance';
/** A machine in one of these has been (or is being) repossessed already: "repossessing twice" is refused. */
const REPOSSESSED_ALREADY: readonly MachineStatus[] = ['repossession_pending', 'repossessed', 'resold', 'released'];
export const LOCATION_MAX = 200;

function machineOfDocument(document: DocumentRow): number {
  const id = Number(document.data.machineId);
  if (!Number.isInteger(id) || id <= 0) throw new Error(`invariant broken: repossession document ${document.id} names no machine`);
  return id;
}

async function requireContract(tx: Tx, machine: MachineRef): Promise<ContractRef> {
  if (machine.contractId === null)
    throw new Refused(`machine ${machine.serialNo} belongs to no contract: there is nothing to repossess it for`);
  return contractById(tx, machine.contractId);
}

/** The users of a role at a dealer (active). */
async function staffOf(tx: Tx, role: string, dealerId: number): Promise<number[]> {
  return (
    await tx('user_roles as r')
      .join('users as u', 'u.id', 'r.user_id')
      .where({ 'r.role': role, 'u.dealer_id': dealerId, 'u.active': true })
      .orderBy('u.id')
      .pluck('u.id')
  ).map(Number);
}

/** Who decided a step of the document's approval (approved it). */
async function approversOf(tx: Tx, documentId: number): Promise<number[]> {
  return (
    await tx('approval_steps as s')
      .join('approval_requests as r', 'r.id', 's.request_id')
      .where({ 'r.document_id': documentId, 's.status': 'approved' })
      .whereNotNull('s.decided_by')
      .orderBy('s.seq')
      .pluck('s.decided_by')
  ).map(Number);
}

async function collectorOf(tx: Tx, contractId: number): Promise<number | null> {
  const row = await tx('contracts').where({ id: contractId }).first('collector_id as collectorId');
  return row?.collectorId ?? null;
}

/** Everybody in the list but the actor (one is not told of one's own act). */
const others = (actor: Actor, ids: readonly (number | null)[]): (number | null)[] => ids.filter((id) => id !== actor.id);

async function pendingFor(tx: Tx, machineId: number): Promise<{ id: number; number: string } | undefined> {
  return tx('documents')
    .where({ type: REPOSSESSION, status: 'submitted' })
    .whereRaw(`data->>'machineId' = ?`, [String(machineId)])
    .first('id', 'number');
}

export interface RepossessionRequest {
  machine: MachineRef;
  date: BusinessDate;
  reason: string;
}

/**
 * 拖机申请: refused for a settled or written-off contract, a machine repossessed (or being) already, a request
 * already waiting for the machine, a closed period, or a contract with nothing overdue on the date.
 */
export async function requestRepossession(tx: Tx, actor: Actor, input: RepossessionRequest): Promise<Submitted> {
  const reason = requireReason(input.reason, 'why the machine is repossessed');
  const machine = await machineForUpdate(tx, input.machine.id);
  const ref = await requireContract(tx, machine);
  assertContractActive(ref, 'repossession');
  if (REPOSSESSED_ALREADY.includes(machine.status))
    throw new Refused(
      `machine ${machine.serialNo} is ${machine.status} (${MACHINE_STATUS_LABELS[machine.status]}): it cannot be repossessed again`,
    );
  await assertPeriodOpen(tx, input.date);
  const pending = await pendingFor(tx, machine.id);
  if (pending)
    throw new Refused(
      `repossession ${pending.number} (document ${pending.id}) of machine ${machine.serialNo} is already waiting for approval`,
    );
  const position = await positionAsOf(tx, ref, input.date);
  const overdue = positionTotals(position).overdue;
  const overdueDays = position.lines.reduce((max, l) => Math.max(max, l.overdueDays), 0);
  if (!overdue.greaterThan(0))
    throw new Refused(`contract ${ref.contractNo} has nothing overdue on ${input.date}: a machine is repossessed only for overdue money`);
  return submitDocument(tx, actor, {
    type: REPOSSESSION,
    ref,
    valueDate: input.date,
    amount: overdue,
    data: { machineId: machine.id, serialNo: machine.serialNo, model: machine.model, reason, overdueDays, machineStatus: machine.status },
  });
}

async function onApproved(tx: Tx, actor: Actor, document: DocumentRow): Promise<void> {
  const ref = await contractById(tx, document.contractId as number);
  assertContractActive(ref, 'repossession');
  const machineId = machineOfDocument(document);
  const machine = await setMachineStatus(tx, actor, machineId, 'repossession_pending', {
    date: document.valueDate as BusinessDate,
    documentId: document.id,
    note: String(document.data.reason ?? ''),
  });
  const recipients = [document.authorId, await collectorOf(tx, ref.id), ...(await staffOf(tx, 'clerk', ref.dealerId))];
  await notify(tx, others(actor, recipients), {
    kind: 'repossession_approved',
    title: `拖机申请已批准：${machine.serialNo}`,
    body: `合同 ${ref.contractNo} 的设备 ${machine.serialNo}（${machine.model}）拖机申请 ${document.number} 已批准，逾期金额 ${document.amount}，待内勤登记拖机。`,
    dealerId: ref.dealerId,
    contractId: ref.id,
    documentId: document.id,
    machineId,
  });
}

async function onRejected(tx: Tx, actor: Actor, document: DocumentRow, comment: string): Promise<void> {
  await notify(tx, others(actor, [document.authorId]), {
    kind: 'repossession_rejected',
    title: `拖机申请被驳回：${String(document.data.serialNo ?? '')}`,
    body: `拖机申请 ${document.number}（合同 ${document.contractNo}）被驳回：${comment}`,
    dealerId: document.dealerId,
    contractId: document.contractId,
    documentId: document.id,
    machineId: machineOfDocument(document),
  });
}

export const repossessionDocument: DocumentTypeDefinition = {
  type: REPOSSESSION,
  label: '拖机 repossession',
  fields: { overdue_days: 'integer' },
  conditionValues: async (_tx, document) => ({ overdue_days: Number(document.data.overdueDays ?? 0) }),
  onApproved,
  onRejected,
};

export interface RegistrationInput {
  date: BusinessDate;
  location: string;
  towedBy?: string | undefined;
  towingCost?: Money | undefined;
  storageCost?: Money | undefined;
}

export interface ChargeMade {
  cost: 'towing' | 'storage';
  documentId: number;
  number: string;
  amount: string;
  /** 'approved': the advance line is on the contract; 'pending': the charge waits for its own approval. */
  approval: 'approved' | 'pending';
}

export interface Registration {
  document: DocumentRow;
  machine: { serialNo: string; status: MachineStatus; location: string };
  charges: ChargeMade[];
  notified: string[];
}

async function usernames(tx: Tx, ids: readonly number[]): Promise<string[]> {
  if (ids.length === 0) return [];
  return tx('users').whereIn('id', ids).orderBy('username').pluck('username');
}

/** 拖机登记: the approved request completed; the machine repossessed where it is kept; the costs charged. */
export async function registerRepossession(tx: Tx, actor: Actor, document: DocumentRow, input: RegistrationInput): Promise<Registration> {
  if (document.type !== REPOSSESSION)
    throw new BadInput('DOC_ID', document.id, `the id of a repossession document (document ${document.id} is a ${document.type})`);
  assertNotReviewLocked(document, 'changed');
  if (document.status === 'completed') {
    const registered = document.data.registration as { date?: string } | undefined;
    throw new Refused(`repossession ${document.number} is registered already (${registered?.date ?? ''})`);
  }
  if (document.status !== 'approved')
    throw new Refused(`repossession ${document.number} is ${document.status}: only an approved repossession is registered`);
  const location = input.location?.trim();
  if (!location || location.length > LOCATION_MAX)
    throw new BadInput('location', input.location ?? null, `where the machine is kept (1 to ${LOCATION_MAX} characters)`);
  const requestedOn = document.valueDate as BusinessDate;
  if (input.date < requestedOn) throw new BadInput('date', input.date, `a date on or after ${requestedOn}, the date of the request`);
  const ref = await contractById(tx, document.contractId as number);
  assertContractActive(ref, 'repossession registration');
  await assertPeriodOpen(tx, input.date);
  const machineId = machineOfDocument(document);
  const towedBy = input.towedBy?.trim() || null;
  const machine = await setMachineStatus(tx, actor, machineId, 'repossessed', {
    date: input.date,
    documentId: document.id,
    note: `${location}${towedBy ? `；拖车：${towedBy}` : ''}`,
  });
  await tx('machines').where({ id: machineId }).update({ location, location_at: tx.fn.now() });
  const charges: ChargeMade[] = [];
  const costs = [
    { cost: 'towing' as const, amount: input.towingCost, label: '拖车费' },
    { cost: 'storage' as const, amount: input.storageCost, label: '停放费' },
  ];
  for (const { cost, amount, label } of costs) {
    if (!amount || amount.isZero()) continue;
    const charge = await submitCharge(tx, actor, ref, {
      type: REPOSSESSION_COST_TYPE,
      amount,
      due: input.date,
      reason: `${label} ${cost} cost of repossession ${document.number} (${machine.serialNo})`,
    });
    charges.push({
      cost,
      documentId: charge.document.id,
      number: charge.document.number,
      amount: formatMoney(amount),
      approval: charge.approval,
    });
  }
  const registration = {
    date: input.date,
    location,
    towedBy,
    towingCost: input.towingCost ? formatMoney(input.towingCost) : null,
    storageCost: input.storageCost ? formatMoney(input.storageCost) : null,
    charges: charges.map((c) => ({ cost: c.cost, documentId: c.documentId, number: c.number, amount: c.amount })),
  };
  await tx('documents')
    .where({ id: document.id })
    .update({ data: JSON.stringify({ ...document.data, registration }), updated_at: tx.fn.now() });
  await setDocumentStatus(tx, actor, document.id, 'completed', { from: ['approved'], details: { registration } });
  await writeAudit(tx, actor, {
    action: 'repossession.register',
    entity: 'machine',
    entityId: machineId,
    dealerId: ref.dealerId,
    documentId: document.id,
    details: { serialNo: machine.serialNo, contract: ref.contractNo, ...registration },
  });
  const costText = charges.length
    ? `；代垫费用 ${charges.map((c) => `${c.cost === 'towing' ? '拖车费' : '停放费'} ${c.amount}${c.approval === 'pending' ? '（待审批）' : ''}`).join('，')}`
    : '';
  const recipients = [
    await collectorOf(tx, ref.id),
    document.authorId,
    ...(await approversOf(tx, document.id)),
    ...(await staffOf(tx, 'dealer_finance', ref.dealerId)),
  ];
  const notified = await notify(tx, others(actor, recipients), {
    kind: 'repossession_registered',
    title: `设备已拖回：${machine.serialNo}`,
    body: `合同 ${ref.contractNo} 的设备 ${machine.serialNo}（${machine.model}）已于 ${input.date} 拖回，停放于 ${location}${towedBy ? `，拖车：${towedBy}` : ''}${costText}。登记人：${actor.name}（${actor.username}）。`,
    dealerId: ref.dealerId,
    contractId: ref.id,
    documentId: document.id,
    machineId,
  });
  return {
    document: await loadDocument(tx, document.id),
    machine: { serialNo: machine.serialNo, status: 'repossessed', location },
    charges,
    notified: await usernames(tx, notified),
  };
}

export type Disposition = { kind: 'resold'; amount: Money; buyer?: string | undefined } | { kind: 'returned' };

export interface OwedAfter {
  /** Every line's outstanding as of the date, future lines included. */
  outstanding: string;
  penaltyOutstanding: string;
  credit: string;
  /** outstanding + penalty outstanding − credit, never below zero. */
  shortfall: string;
}

export interface DisposalResult {
  disposal: DocumentRow;
  machine: { serialNo: string; status: MachineStatus };
  receipt: { id: number; number: string; amount: string; recovery: boolean; allocations: ReceiptAllocation[] } | null;
  owedAfter: OwedAfter | null;
  /** The shortfall proposed as bad debt: the bad-debt document waiting for approval. */
  badDebt: { id: number; number: string; amount: string; status: string } | null;
  /** Why no bad debt was proposed when something is still owed. */
  badDebtNote: string | null;
  notified: string[];
}

/** The repossession that brought the machine back (the latest registered one). */
async function registeredRepossession(tx: Tx, machineId: number): Promise<DocumentRow> {
  const row = await tx('documents')
    .where({ type: REPOSSESSION, status: 'completed' })
    .whereRaw(`data->>'machineId' = ?`, [String(machineId)])
    .orderBy('id', 'desc')
    .first('id');
  if (!row) throw new Refused(`machine ${machineId} has no registered repossession`);
  return loadDocument(tx, row.id);
}

async function owedAsOf(tx: Tx, ref: ContractRef, date: BusinessDate) {
  const position = await positionAsOf(tx, ref, date);
  const totals = positionTotals(position);
  const dueByDate = sumMoney(position.lines.filter((l) => l.dueDate <= date).map((l) => l.outstanding));
  const shortfall = totals.outstanding.plus(totals.penaltyOutstanding).minus(totals.credit);
  return { totals, dueByDate, shortfall: shortfall.greaterThan(0) ? shortfall : ZERO };
}

/** Proposes the shortfall as bad debt when a rule of the admin will have it approved; never writes it off by itself. */
async function proposeBadDebt(
  tx: Tx,
  actor: Actor,
  ref: ContractRef,
  date: BusinessDate,
  outstanding: Money,
  reason: string,
): Promise<{ document: DocumentRow | null; note: string | null }> {
  const waiting = await tx('documents').where({ type: BAD_DEBT, contract_id: ref.id, status: 'submitted' }).first('id', 'number');
  if (waiting) return { document: null, note: `bad debt ${waiting.number} (document ${waiting.id}) is already waiting for approval` };
  // The engine approves a document no rule matches at once: a proposal must wait for a person, so without a
  // matching bad_debt rule nothing is registered and finance registers it (zq bad-debt register).
  const probe = {
    id: 0,
    type: BAD_DEBT,
    amount: formatMoney(outstanding),
    dealer: ref.dealer,
    dealerId: ref.dealerId,
    data: { reason },
  } as unknown as DocumentRow;
  if (!(await matchingRule(tx, probe)))
    return {
      document: null,
      note: `no approval rule for bad_debt matches ${formatMoney(outstanding)} at ${ref.dealer}: nothing proposed; finance registers it with zq bad-debt register ${ref.contractNo}`,
    };
  const submitted = await registerBadDebt(tx, actor, { contractNo: ref.contractNo, contract: ref, date, reason });
  return { document: submitted.document, note: null };
}

/**
 * 处置: a repossessed machine resold (the proceeds a receipt, the shortfall proposed as bad debt) or returned to
 * the customer (released) once nothing is owed as of the date.
 */
export async function disposeMachine(
  tx: Tx,
  actor: Actor,
  input: { machine: MachineRef; date: BusinessDate; disposition: Disposition },
): Promise<DisposalResult> {
  const machine = await machineForUpdate(tx, input.machine.id);
  if (machine.status !== 'repossessed')
    throw new Refused(
      `machine ${machine.serialNo} is ${machine.status} (${MACHINE_STATUS_LABELS[machine.status]}): only a repossessed machine is resold or returned`,
    );
  const repossession = await registeredRepossession(tx, machine.id);
  const registeredOn = String((repossession.data.registration as { date: string }).date);
  if (input.date < registeredOn)
    throw new BadInput('date', input.date, `a date on or after ${registeredOn}, when the machine was repossessed`);
  const ref = await requireContract(tx, machine);
  await assertPeriodOpen(tx, input.date);
  const { disposition } = input;
  if (disposition.kind === 'returned') {
    if (ref.status === 'written_off') throw new Refused(`contract ${ref.contractNo} is written off: its machine is resold, not returned`);
    if (ref.status === 'active') {
      const { totals, dueByDate } = await owedAsOf(tx, ref, input.date);
      const owed = dueByDate.plus(totals.penaltyOutstanding);
      if (owed.greaterThan(0))
        throw new Refused(
          `contract ${ref.contractNo} still owes ${formatMoney(owed)} on ${input.date} (due ${formatMoney(dueByDate)}, penalty ${formatMoney(totals.penaltyOutstanding)}): a machine is returned only after payment`,
        );
    }
  }
  const buyer = disposition.kind === 'resold' ? disposition.buyer?.trim() || null : null;
  const disposal = await createDocument(tx, actor, {
    type: MACHINE_DISPOSAL,
    status: 'completed',
    dealerId: ref.dealerId,
    contractId: ref.id,
    valueDate: input.date,
    amount: disposition.kind === 'resold' ? disposition.amount : null,
    data: {
      machineId: machine.id,
      serialNo: machine.serialNo,
      disposition: disposition.kind,
      buyer,
      repossession: { id: repossession.id, number: repossession.number },
    },
  });
  const to: MachineStatus = disposition.kind === 'resold' ? 'resold' : 'released';
  await setMachineStatus(tx, actor, machine.id, to, {
    date: input.date,
    documentId: disposal.id,
    note: disposition.kind === 'resold' ? `转售${buyer ? ` ${buyer}` : ''} ${formatMoney(disposition.amount)}` : '归还客户',
  });
  let receipt: DisposalResult['receipt'] = null;
  let owedAfter: OwedAfter | null = null;
  let badDebt: DisposalResult['badDebt'] = null;
  let badDebtNote: string | null = null;
  if (disposition.kind === 'resold') {
    const registered = await registerReceipt(
      tx,
      actor,
      {
        contract: ref,
        valueDate: input.date,
        amount: disposition.amount,
        method: REPOSSESSION_SALE,
        payer: buyer ?? undefined,
        reference: disposal.number,
      },
      { disposal: disposal.id },
    );
    const confirmed = await confirmReceipt(tx, actor, registered.id);
    const shown = await showReceipt(tx, actor, registered.id);
    receipt = {
      id: registered.id,
      number: registered.number,
      amount: confirmed.amount,
      recovery: confirmed.recovery,
      allocations: shown.allocations,
    };
    const now = await contractById(tx, ref.id);
    if (now.status === 'active') {
      const { totals, shortfall } = await owedAsOf(tx, now, input.date);
      owedAfter = {
        outstanding: formatMoney(totals.outstanding),
        penaltyOutstanding: formatMoney(totals.penaltyOutstanding),
        credit: formatMoney(totals.credit),
        shortfall: formatMoney(shortfall),
      };
      if (shortfall.greaterThan(0) && totals.outstanding.greaterThan(0)) {
        const proposal = await proposeBadDebt(
          tx,
          actor,
          now,
          input.date,
          totals.outstanding,
          `拖机转售后差额 shortfall after the resale of machine ${machine.serialNo} (${disposal.number})`,
        );
        if (proposal.document)
          badDebt = {
            id: proposal.document.id,
            number: proposal.document.number,
            amount: proposal.document.amount as string,
            status: proposal.document.status,
          };
        badDebtNote = proposal.note;
      } else if (shortfall.greaterThan(0)) {
        badDebtNote = `only penalty of ${formatMoney(totals.penaltyOutstanding)} is left: receive it or waive it (zq waiver request)`;
      }
    }
  }
  await tx('documents')
    .where({ id: disposal.id })
    .update({
      data: JSON.stringify({
        ...disposal.data,
        receipt: receipt ? { id: receipt.id, number: receipt.number } : null,
        owedAfter,
        badDebt: badDebt ? { id: badDebt.id, number: badDebt.number, amount: badDebt.amount } : null,
      }),
      updated_at: tx.fn.now(),
    });
  await writeAudit(tx, actor, {
    action: 'machine.dispose',
    entity: 'machine',
    entityId: machine.id,
    dealerId: ref.dealerId,
    documentId: disposal.id,
    details: { serialNo: machine.serialNo, disposition: disposition.kind, date: input.date, receipt, owedAfter, badDebt },
  });
  const body =
    disposition.kind === 'resold'
      ? `合同 ${ref.contractNo} 的设备 ${machine.serialNo} 已于 ${input.date} 转售${buyer ? `给 ${buyer}` : ''}，价款 ${formatMoney(disposition.amount)} 已作为收款 ${receipt?.number} 入账${
          badDebt ? `；差额 ${badDebt.amount} 已提交坏账申请 ${badDebt.number}` : ''
        }。`
      : `合同 ${ref.contractNo} 的设备 ${machine.serialNo} 已于 ${input.date} 归还客户。`;
  const notified = await notify(
    tx,
    others(actor, [await collectorOf(tx, ref.id), repossession.authorId, ...(await staffOf(tx, 'dealer_finance', ref.dealerId))]),
    {
      kind: 'machine_disposed',
      title: disposition.kind === 'resold' ? `拖回设备已转售：${machine.serialNo}` : `拖回设备已归还客户：${machine.serialNo}`,
      body,
      dealerId: ref.dealerId,
      contractId: ref.id,
      documentId: disposal.id,
      machineId: machine.id,
    },
  );
  return {
    disposal: await loadDocument(tx, disposal.id),
    machine: { serialNo: machine.serialNo, status: to },
    receipt,
    owedAfter,
    badDebt,
    badDebtNote,
    notified: await usernames(tx, notified),
  };
}
