// Contracts: creating one with its customer, machines and schedule (version 1), finding and listing them.
import type { Decimal } from 'decimal.js';
import type { Knex } from 'knex';
import type { ContractKey } from '../access/action.js';
import type { Actor } from '../access/actor.js';
import { dealerInScope, scopeContracts } from '../access/scope.js';
import { writeAudit } from '../audit/index.js';
import { type BusinessDate, isValidDate } from '../core/dates.js';
import { BadInput, NotAllowed, NotFound, Refused } from '../core/errors.js';
import { formatMoney, formatRate, type Money, sumMoney } from '../core/money.js';
import { refuseControlCharacters } from '../core/text.js';
import type { Tx } from '../db/index.js';
import { lineBalances } from '../ledger/balances.js';
import { CONTRACT_STATUSES, type ContractRef } from '../ledger/contract-ref.js';
import { findDealer } from '../organisation/index.js';

export { CONTRACT_STATUSES, type ContractRef };

import { requireKnownDealer, requireKnownUser } from '../access/filters.js';
import { customSchedule, generateSchedule, type ScheduleLine, type ScheduleMethod } from './schedule.js';

export interface CustomerInput {
  name: string;
  idNumber?: string | undefined;
  phone?: string | undefined;
  address?: string | undefined;
}

export interface MachineInput {
  serialNo: string;
  model: string;
  brand?: string | undefined;
}

export interface NewContract {
  dealer: string;
  contractNo: string;
  customer: CustomerInput;
  machines: MachineInput[];
  collector?: string | undefined;
  signDate?: BusinessDate | undefined;
  contractAmount?: Money | undefined;
  downPayment?: Money | undefined;
  financier?: string | undefined;
  note?: string | undefined;
  /** Terms to generate the schedule from, or custom lines (method 'custom'). */
  method: ScheduleMethod;
  principal?: Money | undefined;
  annualRate?: Decimal | undefined;
  termMonths?: number | undefined;
  firstDueDate?: BusinessDate | undefined;
  lines?: ScheduleLine[] | undefined;
}

/** Customers are matched by ID number within the dealer, else by name + phone (IMPORT-FORMAT.md). */
export async function findOrCreateCustomer(tx: Tx, dealerId: number, input: CustomerInput): Promise<number> {
  const name = input.name.trim();
  if (!name) throw new BadInput('customer', input.name, 'the customer’s name, e.g. 张伟');
  refuseControlCharacters('customer', name);
  refuseControlCharacters('address', input.address);
  refuseControlCharacters('phone', input.phone);
  const existing = input.idNumber
    ? await tx('customers').where({ dealer_id: dealerId, id_number: input.idNumber }).first('id', 'name')
    : await tx('customers')
        .where({ dealer_id: dealerId, name, phone: input.phone ?? null })
        .first('id');
  // the ID number names the person: a different name is a typo in one of them, not a second customer
  if (existing?.name !== undefined && existing.name !== name) {
    throw new Refused(
      `customer: ID number ${input.idNumber} belongs to existing customer ${existing.name}, not ${name} — check the name or the ID number`,
    );
  }
  if (existing) return existing.id;
  const [row] = await tx('customers')
    .insert({
      dealer_id: dealerId,
      name,
      id_number: input.idNumber || null,
      phone: input.phone || null,
      address: input.address || null,
    })
    .returning('id');
  return row.id;
}

export async function findOrCreateMachine(tx: Tx, dealerId: number, input: MachineInput): Promise<number> {
  const serialNo = input.serialNo.trim();
  if (!serialNo) throw new BadInput('serialNo', input.serialNo, 'the machine’s serial number');
  const existing = await tx('machines').where({ dealer_id: dealerId, serial_no: serialNo }).first('id');
  if (existing) return existing.id;
  const [row] = await tx('machines')
    .insert({ dealer_id: dealerId, serial_no: serialNo, model: input.model.trim(), brand: input.brand ?? null })
    .returning('id');
  return row.id;
}

/** A machine is financed by one active contract at a time. */
async function refuseMachineInUse(tx: Tx, dealerId: number, serialNo: string): Promise<void> {
  const other = await tx('machines as m')
    .join('contract_machines as cm', 'cm.machine_id', 'm.id')
    .join('contracts as c', 'c.id', 'cm.contract_id')
    .where({ 'm.serial_no': serialNo, 'c.status': 'active' })
    .first('c.contract_no', 'c.dealer_id');
  if (!other) return;
  // another dealer's contract number is not the actor's to see
  const where = other.dealer_id === dealerId ? `active contract ${other.contract_no}` : 'an active contract of another dealer';
  throw new Refused(`machine ${serialNo} is already on ${where}: settle or close that contract first`);
}

function scheduleFor(input: NewContract, knownTypes: ReadonlySet<string>): ScheduleLine[] {
  if (input.method === 'custom') return customSchedule(input.lines ?? [], knownTypes);
  for (const [field, value] of [
    ['principal', input.principal],
    ['annualRate', input.annualRate],
    ['termMonths', input.termMonths],
    ['firstDueDate', input.firstDueDate],
  ] as const) {
    if (value === undefined) throw new BadInput(field, null, `a value (needed by method ${input.method})`);
  }
  return generateSchedule({
    method: input.method,
    principal: input.principal as Money,
    annualRate: input.annualRate as Decimal,
    termMonths: input.termMonths as number,
    firstDueDate: input.firstDueDate as BusinessDate,
  });
}

export async function createContract(tx: Tx, actor: Actor, input: NewContract): Promise<ContractRef> {
  const contractNo = input.contractNo.trim();
  if (!contractNo) throw new BadInput('contractNo', input.contractNo, 'a contract number, e.g. HT-2026-0001');
  const dealer = await findDealer(tx, input.dealer);
  if (dealer.kind !== 'dealer') throw new BadInput('dealer', input.dealer, 'a dealer code (not the group or a region)');
  if (!dealerInScope(actor, dealer.id)) throw new NotAllowed(`${actor.username} may not create contracts at dealer ${dealer.code}`);
  if (input.signDate !== undefined && !isValidDate(input.signDate)) {
    throw new BadInput('signDate', input.signDate, 'a date YYYY-MM-DD');
  }
  const knownTypes = new Set<string>(await tx('receivable_types').pluck('code'));
  const lines = scheduleFor(input, knownTypes);
  if (await tx('contracts').where({ dealer_id: dealer.id, contract_no: contractNo }).first('id')) {
    throw new Refused(`contract ${contractNo} already exists at dealer ${dealer.code}`);
  }
  const collector = input.collector ? await tx('users').where({ username: input.collector }).first('id', 'dealer_id') : null;
  if (input.collector && !collector)
    throw new BadInput('collector', input.collector, 'an existing username').suggest({ action: 'user.list' });
  // a collector of another dealer could not see the contract, nor could the dealer's own staff hand it on
  if (collector && collector.dealer_id !== null && collector.dealer_id !== dealer.id) {
    throw new Refused(`collector ${input.collector} works for another dealer, not ${dealer.code}: give one of ${dealer.code}'s collectors`);
  }
  const firstDue = lines.reduce<BusinessDate | undefined>((min, l) => (min === undefined || l.dueDate < min ? l.dueDate : min), undefined);
  if (input.signDate !== undefined && firstDue !== undefined && firstDue < input.signDate) {
    throw new Refused(
      `first due date ${firstDue} is before the sign date ${input.signDate}: nothing falls due before the contract is signed`,
    );
  }
  for (const machine of input.machines) await refuseMachineInUse(tx, dealer.id, machine.serialNo.trim());

  const customerId = await findOrCreateCustomer(tx, dealer.id, input.customer);
  const principal = input.principal ?? sumMoney(lines.filter((l) => l.type === 'principal').map((l) => l.amountDue));
  const [contract] = await tx('contracts')
    .insert({
      dealer_id: dealer.id,
      contract_no: contractNo,
      customer_id: customerId,
      collector_id: collector?.id ?? null,
      sign_date: input.signDate ?? null,
      contract_amount: input.contractAmount ? formatMoney(input.contractAmount) : null,
      down_payment: formatMoney(input.downPayment ?? 0),
      financed_amount: formatMoney(principal),
      annual_rate: input.annualRate ? formatRate(input.annualRate) : null,
      term_months: input.method === 'custom' ? null : (input.termMonths ?? null),
      method: input.method,
      first_due_date: input.firstDueDate ?? lines[0]?.dueDate ?? null,
      financier: input.financier ?? null,
      held_by: input.financier ? 'financier' : 'dealer',
      note: input.note ?? null,
    })
    .returning('id');
  for (const machine of input.machines) {
    const machineId = await findOrCreateMachine(tx, dealer.id, machine);
    await tx('contract_machines').insert({ contract_id: contract.id, machine_id: machineId }).onConflict().ignore();
  }
  await insertScheduleVersion(tx, contract.id, 1, lines, input.method === 'custom' ? 'custom' : 'generated', input.signDate);
  await writeAudit(tx, actor, {
    action: 'create',
    entity: 'contract',
    entityId: contract.id,
    dealerId: dealer.id,
    details: { contractNo, method: input.method, lines: lines.length, financedAmount: formatMoney(principal) },
  });
  return findContract(tx, contractNo, dealer.code);
}

const LINE_INSERT_BATCH = 500;

export async function insertScheduleVersion(
  tx: Tx,
  contractId: number,
  version: number,
  lines: readonly ScheduleLine[],
  source: 'generated' | 'imported' | 'custom' | 'schedule_change' | 'charge' | 'buyback',
  effectiveFrom?: BusinessDate | null,
  origin: { reason?: string; documentId?: number } = {},
): Promise<void> {
  const from = effectiveFrom ?? lines[0]?.dueDate;
  if (!from) throw new BadInput('lines', '[]', 'at least one schedule line');
  await tx('schedule_versions').insert({
    contract_id: contractId,
    version,
    effective_from: from,
    source,
    reason: origin.reason ?? null,
    document_id: origin.documentId ?? null,
  });
  const rows = lines.map((l) => ({
    contract_id: contractId,
    version,
    seq: l.seq,
    receivable_type: l.type,
    due_date: l.dueDate,
    amount_due: formatMoney(l.amountDue),
  }));
  for (let i = 0; i < rows.length; i += LINE_INSERT_BATCH) await tx('schedule_lines').insert(rows.slice(i, i + LINE_INSERT_BATCH));
}

/**
 * A contract by number. The number is unique within a dealer; give the dealer when the number exists at
 * more than one (CLI.md).
 */
export async function findContract(knex: Knex, contractNo: string, dealer?: string, actor?: Actor): Promise<ContractRef> {
  const q = knex('contracts as c')
    .join('dealers as d', 'd.id', 'c.dealer_id')
    .where('c.contract_no', contractNo)
    .select(
      'c.id',
      'c.dealer_id as dealerId',
      'd.code as dealer',
      'c.contract_no as contractNo',
      'c.status',
      'c.status_date as statusDate',
      'c.cutover_date as cutoverDate',
    );
  if (dealer) q.where('d.code', dealer);
  if (actor) scopeContracts(q, actor, 'c');
  q.orderBy('d.code');
  const rows = (await q) as ContractRef[];
  if (rows.length === 0) throw new NotFound('contract', dealer ? `${dealer}/${contractNo}` : contractNo);
  if (rows.length > 1) {
    throw new BadInput(
      'dealer',
      null,
      `a dealer code: contract ${contractNo} exists at ${rows.map((r) => r.dealer).join(', ')} (add --dealer CODE)`,
    );
  }
  return rows[0] as ContractRef;
}

/** The contract an input names, within the actor's data scope: out of scope is "not found" (exit 3). */
export function resolveContract(knex: Knex, actor: Actor, key: ContractKey): Promise<ContractRef> {
  return findContract(knex, key.contractNo, key.dealer, actor);
}

/** A contract by id (for the core, after the scope was checked on the way in). */
export async function contractById(knex: Knex, contractId: number): Promise<ContractRef> {
  const row = await knex('contracts as c')
    .join('dealers as d', 'd.id', 'c.dealer_id')
    .where('c.id', contractId)
    .first('c.contract_no', 'd.code');
  return findContract(knex, row.contract_no, row.code);
}

export interface ContractDetails {
  dealer: string;
  dealerName: string;
  contractNo: string;
  customer: { name: string; idNumber: string | null; phone: string | null };
  collector: string | null;
  status: string;
  signDate: BusinessDate | null;
  contractAmount: string | null;
  downPayment: string;
  financedAmount: string | null;
  annualRate: string | null;
  termMonths: number | null;
  method: ScheduleMethod;
  firstDueDate: BusinessDate | null;
  financier: string | null;
  /** Who holds the receivable: the financier until a buyback (回购), else the dealer. */
  heldBy: 'dealer' | 'financier';
  machines: { serialNo: string; model: string; status: string }[];
}

export async function contractDetails(knex: Knex, ref: ContractRef): Promise<ContractDetails> {
  const row = await knex('contracts as c')
    .join('dealers as d', 'd.id', 'c.dealer_id')
    .join('customers as cu', 'cu.id', 'c.customer_id')
    .leftJoin('users as u', 'u.id', 'c.collector_id')
    .where('c.id', ref.id)
    .first(
      'd.code as dealer',
      'd.name as dealerName',
      'c.contract_no as contractNo',
      'cu.name as customerName',
      'cu.id_number as idNumber',
      'cu.phone',
      'u.username as collector',
      'c.status',
      'c.sign_date as signDate',
      'c.contract_amount as contractAmount',
      'c.down_payment as downPayment',
      'c.financed_amount as financedAmount',
      'c.annual_rate as annualRate',
      'c.term_months as termMonths',
      'c.method',
      'c.first_due_date as firstDueDate',
      'c.financier',
      'c.held_by as heldBy',
    );
  const machines = await knex('contract_machines as cm')
    .join('machines as m', 'm.id', 'cm.machine_id')
    .where('cm.contract_id', ref.id)
    .orderBy('m.serial_no')
    .select('m.serial_no as serialNo', 'm.model', 'm.status');
  const { customerName, idNumber, phone, ...rest } = row;
  return { ...rest, customer: { name: customerName, idNumber, phone }, machines };
}

export interface ContractFilter {
  dealer?: string | undefined;
  collector?: string | undefined;
  status?: string | undefined;
  overdue?: boolean | undefined;
  asOf: BusinessDate;
  limit?: number | undefined;
  /** Part of a customer's name, a contract number, a machine serial number or a phone number. */
  search?: string | undefined;
  /** The order of the rows (default: dealer, contract number). */
  sort?: ContractSort | undefined;
  descending?: boolean | undefined;
  /** Rows to skip (paging). */
  offset?: number | undefined;
}

export const CONTRACT_SORTS = ['contractNo', 'customer', 'signDate', 'outstanding', 'overdue'] as const;
export type ContractSort = (typeof CONTRACT_SORTS)[number];

/** A page this short is found first by its ids, then only its contracts' balances are computed. */
export const LIST_PAGE_MAX = 1000;

export interface ContractListRow {
  dealer: string;
  contractNo: string;
  customer: string;
  collector: string | null;
  status: string;
  signDate: BusinessDate | null;
  financedAmount: string;
  amountDue: string;
  amountPaid: string;
  outstanding: string;
  overdue: string;
}

/** Upper bound of one listing; a larger ledger is read with filters or an export. */
export const LIST_LIMIT_MAX = 100_000;

/**
 * Per contract of `contracts` (a subquery of ids, or the ids of a page), its totals as of the date from the line
 * balances of src/ledger/balances.ts: due, settled (paid or written off), outstanding, and overdue (the
 * outstanding of lines due before the date). Given ids, only those contracts' postings are read.
 */
function contractTotals(knex: Knex, asOf: BusinessDate, contracts: Knex.QueryBuilder | readonly number[]): Knex.QueryBuilder {
  const settled = 'b."amountPaid"::numeric + b."writtenOff"::numeric';
  return knex
    .from(lineBalances(knex, asOf, contracts).as('b'))
    .groupBy('b.contractId')
    .select(
      'b.contractId as contract_id',
      knex.raw('sum(b."amountDue"::numeric) as due'),
      knex.raw(`sum(${settled}) as settled`),
      knex.raw('sum(b.outstanding::numeric) as outstanding'),
      knex.raw('sum(CASE WHEN b."dueDate" < ? THEN b.outstanding::numeric ELSE 0 END) as overdue', [asOf]),
    );
}

/**
 * Contracts in the actor's scope that exist on a date (signed, or cut over, by then) with their balances as of
 * that date, set-based. A page of up to LIST_PAGE_MAX rows not ordered by a balance is found first by its ids in
 * the indexed order, and only its contracts' balances are computed (with the overdue filter: the candidates of
 * `mayBeOverdue`, a round at a time, until the page is full); a longer listing, or one ordered by a balance,
 * computes every contract's in one query.
 */
export async function listContracts(knex: Knex, actor: Actor, filter: ContractFilter): Promise<ContractListRow[]> {
  if (filter.status && !(CONTRACT_STATUSES as readonly string[]).includes(filter.status)) {
    throw new BadInput('status', filter.status, CONTRACT_STATUSES.join(', '));
  }
  const rows = await listedPage(knex, actor, filter);
  // a row listed names a dealer and collector that exist: they are looked up only for an empty list (a web page's
  // list is a statement shorter; an unknown dealer or collector still gets its error, not an empty list)
  if (rows.length === 0) {
    await requireKnownDealer(knex, actor, filter.dealer);
    await requireKnownUser(knex, actor, filter.collector, 'collector');
  }
  return rows;
}

async function listedPage(knex: Knex, actor: Actor, filter: ContractFilter): Promise<ContractListRow[]> {
  const sort = filter.sort ?? 'contractNo';
  const limit = Math.min(filter.limit ?? LIST_LIMIT_MAX, LIST_LIMIT_MAX);
  const offset = filter.offset ?? 0;
  const byBalance = sort === 'outstanding' || sort === 'overdue';
  if (!byBalance && limit <= LIST_PAGE_MAX) {
    if (filter.overdue === true) return overduePage(knex, actor, filter, sort, limit, offset);
    const ids = await pageIds(knex, actor, filter, sort, limit, offset);
    return ids.length === 0 ? [] : listedRows(knex, actor, filter, sort, ids);
  }
  const q = listedRows(knex, actor, filter, sort, scopeContracts(knex('contracts as sc').select('sc.id'), actor, 'sc'));
  return (await q.limit(limit).offset(offset)) as ContractListRow[];
}

/** The listed rows of the contracts `contracts` names (their ids, or a subquery), in the order asked for. */
function listedRows(
  knex: Knex,
  actor: Actor,
  filter: ContractFilter,
  sort: ContractSort,
  contracts: Knex.QueryBuilder | readonly number[],
): Knex.QueryBuilder {
  const asOf = filter.asOf;
  const q = filtered(knex, actor, filter)
    .leftJoin(contractTotals(knex, asOf, contracts).as('t'), 't.contract_id', 'c.id')
    .select(
      'd.code as dealer',
      'c.contract_no as contractNo',
      'cu.name as customer',
      'u.username as collector',
      knex.raw(`CASE WHEN c.status_date <= ? THEN c.status ELSE 'active' END AS status`, [asOf]),
      'c.sign_date as signDate',
      knex.raw('coalesce(c.financed_amount, 0)::text as "financedAmount"'),
      knex.raw('coalesce(t.due, 0)::numeric(18,2)::text as "amountDue"'),
      knex.raw('coalesce(t.settled, 0)::numeric(18,2)::text as "amountPaid"'),
      knex.raw('coalesce(t.outstanding, 0)::numeric(18,2)::text as outstanding'),
      knex.raw('coalesce(t.overdue, 0)::numeric(18,2)::text as overdue'),
    );
  ordered(q, sort, filter.descending === true);
  if (Array.isArray(contracts)) q.whereIn('c.id', contracts as number[]);
  if (filter.overdue) q.whereRaw('coalesce(t.overdue, 0) > 0');
  return q;
}

/** Candidates the overdue filter reads in its first round; each further round reads twice as many, up to the last. */
export const OVERDUE_ROUND_FIRST = 200;
export const OVERDUE_ROUND_MAX = 6400;

/**
 * The overdue contracts `offset` to `offset + limit` in the order asked for: the candidates (mayBeOverdue) in that
 * order a round at a time, each round's balances computed for its contracts alone, until enough are overdue.
 */
async function overduePage(
  knex: Knex,
  actor: Actor,
  filter: ContractFilter,
  sort: ContractSort,
  limit: number,
  offset: number,
): Promise<ContractListRow[]> {
  const wanted = offset + limit;
  const found: ContractListRow[] = [];
  let read = 0;
  let round = OVERDUE_ROUND_FIRST;
  for (;;) {
    const ids = await pageIds(knex, actor, filter, sort, round, read);
    if (ids.length > 0) found.push(...((await listedRows(knex, actor, filter, sort, ids)) as ContractListRow[]));
    if (found.length >= wanted || ids.length < round) break;
    read += ids.length;
    round = Math.min(round * 2, OVERDUE_ROUND_MAX);
  }
  return found.slice(offset, wanted);
}

/**
 * Whether a contract (aliased c) may have something overdue as of the date — true of every contract that has:
 * something overdue needs a line due before the date whose outstanding is above zero, and such a line either is
 * not paid in full by all its postings (schedule_lines.paid, the cache the reconciliation checks against the
 * postings; index schedule_lines_unpaid), or is but the latest of them is dated after the date (paid_last; index
 * schedule_lines_paid_last): all its paying postings dated by then, it would be paid in full.
 */
function mayBeOverdue(q: Knex.QueryBuilder, asOf: BusinessDate): void {
  q.where((w) =>
    w
      .whereRaw('EXISTS (SELECT 1 FROM schedule_lines ul WHERE ul.contract_id = c.id AND ul.paid < ul.amount_due AND ul.due_date < ?)', [
        asOf,
      ])
      .orWhereRaw(
        `c.id IN (SELECT pl.contract_id FROM schedule_lines pl
                   WHERE pl.paid >= pl.amount_due AND pl.paid_last > ? AND pl.due_date < ?)`,
        [asOf, asOf],
      ),
  );
}

async function pageIds(
  knex: Knex,
  actor: Actor,
  filter: ContractFilter,
  sort: ContractSort,
  limit: number,
  offset: number,
): Promise<number[]> {
  const page = filtered(knex, actor, filter).select('c.id');
  if (filter.overdue) mayBeOverdue(page, filter.asOf);
  ordered(page, sort, filter.descending === true);
  return (await page.limit(limit).offset(offset)).map((r: { id: number }) => r.id);
}

/** `%text%` for LIKE, its own % _ and \\ taken literally. */
const likeAnywhere = (text: string) => `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;

/** The contracts of the filter (aliased c, with d, cu and u joined) in the actor's scope that exist on the date. */
function filtered(knex: Knex, actor: Actor, filter: ContractFilter): Knex.QueryBuilder {
  const asOf = filter.asOf;
  const q = knex('contracts as c')
    .join('dealers as d', 'd.id', 'c.dealer_id')
    .join('customers as cu', 'cu.id', 'c.customer_id')
    .leftJoin('users as u', 'u.id', 'c.collector_id');
  scopeContracts(q, actor, 'c');
  // a contract exists from its sign date, or from its import's cut-over when that is earlier (least() skips a null)
  q.whereRaw('(least(c.sign_date, c.cutover_date) IS NULL OR least(c.sign_date, c.cutover_date) <= ?)', [asOf]);
  if (filter.dealer) q.where('d.code', filter.dealer);
  if (filter.collector) q.where('u.username', filter.collector);
  if (filter.status) q.whereRaw(`CASE WHEN c.status_date <= ? THEN c.status ELSE 'active' END = ?`, [asOf, filter.status]);
  const search = filter.search?.trim();
  if (search) {
    // the contracts whose number, customer or machine matches, each looked up by its own index (migration 028)
    const like = likeAnywhere(search);
    q.whereRaw(
      `c.id IN (SELECT sc.id FROM contracts sc WHERE sc.contract_no ILIKE ?
          UNION SELECT sc.id FROM customers scu JOIN contracts sc ON sc.customer_id = scu.id WHERE scu.name ILIKE ? OR scu.phone LIKE ?
          UNION SELECT sm.contract_id FROM contract_machines sm JOIN machines m ON m.id = sm.machine_id WHERE m.serial_no ILIKE ?)`,
      [like, like, like, like],
    );
  }
  return q;
}

function ordered(q: Knex.QueryBuilder, sort: ContractSort, descending: boolean): void {
  const order = descending ? 'desc' : 'asc';
  if (sort === 'customer') q.orderBy('cu.name', order);
  if (sort === 'signDate') q.orderByRaw(`c.sign_date ${order} NULLS LAST`);
  if (sort === 'outstanding') q.orderByRaw(`coalesce(t.outstanding, 0) ${order}`);
  if (sort === 'overdue') q.orderByRaw(`coalesce(t.overdue, 0) ${order}`);
  q.orderBy([
    { column: 'd.code', order: sort === 'contractNo' ? order : 'asc' },
    { column: 'c.contract_no', order: sort === 'contractNo' ? order : 'asc' },
  ]);
}

export interface ScheduleLineView {
  id: number;
  seq: number;
  type: string;
  dueDate: BusinessDate;
  amountDue: string;
}

export interface ScheduleVersionInfo {
  version: number;
  source: string;
  effectiveFrom: BusinessDate;
  reason: string | null;
  documentId: number | null;
}

export interface ScheduleView extends ScheduleVersionInfo {
  lines: ScheduleLineView[];
  versions: number[];
  /** Every version with what made it (a schedule change, charge or buyback names its document). */
  history: ScheduleVersionInfo[];
}

/** Version N of a contract's schedule (default: the latest): the lines live in that version. */
export async function contractSchedule(knex: Knex, ref: ContractRef, version?: number): Promise<ScheduleView> {
  const history = (await knex('schedule_versions')
    .where({ contract_id: ref.id })
    .orderBy('version')
    .select('version', 'source', 'effective_from as effectiveFrom', 'reason', 'document_id as documentId')) as ScheduleVersionInfo[];
  const chosen = version === undefined ? history.at(-1) : history.find((v) => v.version === version);
  if (!chosen)
    throw new BadInput(
      'version',
      version ?? null,
      `a version of ${ref.contractNo}'s schedule: ${history.map((v) => v.version).join(', ')}`,
    );
  const lines = (await knex('schedule_lines as l')
    .join('receivable_types as t', 't.code', 'l.receivable_type')
    .where('l.contract_id', ref.id)
    .where('l.version', '<=', chosen.version)
    .where((w) => w.whereNull('l.retired_version').orWhere('l.retired_version', '>', chosen.version))
    .orderBy([{ column: 'l.seq' }, { column: 't.allocation_priority' }, { column: 'l.id' }])
    .select('l.id', 'l.seq', 'l.receivable_type as type', 'l.due_date as dueDate', 'l.amount_due as amountDue')) as ScheduleLineView[];
  return { ...chosen, lines, versions: history.map((v) => v.version), history };
}

export interface ScheduleDiff {
  from: ScheduleVersionInfo;
  to: ScheduleVersionInfo;
  /** Lines of `from` that `to` no longer has (retired by a later version). */
  removed: ScheduleLineView[];
  /** Lines of `to` that `from` did not have. */
  added: ScheduleLineView[];
  unchanged: number;
  totals: { from: string; to: string; removed: string; added: string };
}

/** What changed between two versions of a schedule (`zq contract schedule NO --version N --diff M`). */
export async function scheduleDiff(knex: Knex, ref: ContractRef, fromVersion: number, toVersion: number): Promise<ScheduleDiff> {
  const [a, b] = [await contractSchedule(knex, ref, fromVersion), await contractSchedule(knex, ref, toVersion)];
  const inA = new Set(a.lines.map((l) => l.id));
  const inB = new Set(b.lines.map((l) => l.id));
  const removed = a.lines.filter((l) => !inB.has(l.id));
  const added = b.lines.filter((l) => !inA.has(l.id));
  const total = (lines: ScheduleLineView[]) => formatMoney(sumMoney(lines.map((l) => l.amountDue)));
  const info = ({ lines: _l, versions: _v, history: _h, ...v }: ScheduleView): ScheduleVersionInfo => v;
  return {
    from: info(a),
    to: info(b),
    removed,
    added,
    unchanged: a.lines.length - removed.length,
    totals: { from: total(a.lines), to: total(b.lines), removed: total(removed), added: total(added) },
  };
}
