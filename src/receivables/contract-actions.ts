// The contract actions (合同): create one with its schedule, list and show them with their balances as of a date,
// read a schedule's versions, and request a schedule change (还款计划变更) or a charge (代付/代垫). The reads and
// requests name a contract; the entry point (src/app/run.ts) finds it within the actor's scope.
import { defineAction } from '../access/action.js';
import { BACK_OFFICE, EVERYONE } from '../access/role-sets.js';
import { parseDate } from '../core/dates.js';
import { BadInput } from '../core/errors.js';
import { idNumberKind } from '../core/id-number.js';
import { parseMoney, parseRate } from '../core/money.js';
import type { Tx } from '../db/index.js';
import {
  CONTRACT_SORTS,
  type ContractRef,
  type ContractSort,
  contractSchedule,
  createContract,
  listContracts,
  type NewContract,
  scheduleDiff,
} from './contracts.js';
import { requireReason } from './operations.js';
import { SCHEDULE_METHODS, type ScheduleLine, type ScheduleMethod } from './schedule.js';
import { checkCharge, type NewTerms, submitCharge, submitReschedule } from './schedule-changes.js';
import { contractShow } from './show.js';

/** A file of schedule lines as read: its name and its records (CSV seq,type,due_date,amount_due or JSON). */
export interface LinesFile {
  file: string;
  records: Record<string, string>[];
}

/** The file's lines, checked; an error names the column and the file's line. */
export function parseLinesFile({ file, records }: LinesFile): ScheduleLine[] {
  return records.map((r, i) => {
    const where = `${file} line ${i + 2}`;
    const seq = Number(r.seq);
    if (!Number.isInteger(seq)) throw new BadInput(`seq (${where})`, r.seq, 'an installment number');
    return {
      seq,
      type: (r.type ?? 'principal').trim() || 'principal',
      dueDate: parseDate(String(r.due_date ?? r.dueDate ?? ''), `due_date (${where})`),
      amountDue: parseMoney(String(r.amount_due ?? r.amountDue ?? ''), `amount_due (${where})`),
    };
  });
}

const optional = <T>(text: string | undefined, parse: (text: string) => T): T | undefined => (text === undefined ? undefined : parse(text));

function wholeMonths(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n)) throw new BadInput('termMonths', text, 'a whole number of months');
  return n;
}

// ---- contract.create ----------------------------------------------------------------------------------

export interface ContractCreateRaw {
  dealer?: string | undefined;
  contractNo?: string | undefined;
  customer?: string | undefined;
  idNumber?: string | undefined;
  phone?: string | undefined;
  address?: string | undefined;
  /** SERIAL:MODEL, one a machine. */
  machine?: string[] | undefined;
  collector?: string | undefined;
  signDate?: string | undefined;
  contractAmount?: string | undefined;
  downPayment?: string | undefined;
  /** Default: equal_installment. */
  method?: string | undefined;
  principal?: string | undefined;
  annualRate?: string | undefined;
  termMonths?: string | undefined;
  firstDueDate?: string | undefined;
  /** Custom lines (method custom). */
  linesFile?: LinesFile | undefined;
  financier?: string | undefined;
  note?: string | undefined;
}

type CreateField = Exclude<keyof ContractCreateRaw, 'machine' | 'linesFile'> | 'linesFile';

/** The values a new contract needs, by method; an adapter may ask for a missing one by its question. */
export const CREATE_REQUIRED: readonly { field: CreateField; question: string; when?: (method: string) => boolean }[] = [
  { field: 'dealer', question: '经销商代码 dealer code' },
  { field: 'contractNo', question: '合同编号 contract number' },
  { field: 'customer', question: '客户名称 customer name' },
  { field: 'principal', question: '融资本金 financed principal', when: (m) => m !== 'custom' },
  { field: 'annualRate', question: '年利率 annual rate (e.g. 0.049)', when: (m) => m !== 'custom' && m !== 'interest_free' },
  { field: 'termMonths', question: '期数 months', when: (m) => m !== 'custom' },
  { field: 'firstDueDate', question: '首期还款日 first due date (YYYY-MM-DD)', when: (m) => m !== 'custom' },
  { field: 'linesFile', question: '自定义还款计划文件 custom lines file', when: (m) => m === 'custom' },
];

export const DEFAULT_METHOD: ScheduleMethod = 'equal_installment';

/** The required values the raw input lacks, in the order they are asked for. */
export function missingForCreate(raw: ContractCreateRaw): typeof CREATE_REQUIRED {
  const method = raw.method ?? DEFAULT_METHOD;
  return CREATE_REQUIRED.filter((item) => raw[item.field] === undefined && (!item.when || item.when(method)));
}

function parseMachines(machines: readonly string[]): NewContract['machines'] {
  return machines.map((m) => {
    const [serialNo = '', model = ''] = m.split(':');
    if (!serialNo.trim() || !model.trim()) throw new BadInput('machine', m, 'SERIAL:MODEL, e.g. SY215C-0001:SY215C');
    return { serialNo, model };
  });
}

function parseCreate(raw: ContractCreateRaw): NewContract {
  const [missing] = missingForCreate(raw);
  if (missing) throw new BadInput(missing.field, null, `a value (${missing.question})`);
  const method = raw.method ?? DEFAULT_METHOD;
  if (!(SCHEDULE_METHODS as readonly string[]).includes(method)) throw new BadInput('method', method, SCHEDULE_METHODS.join(', '));
  const machines = parseMachines(raw.machine ?? []);
  const termMonths = wholeMonths(raw.termMonths);
  const money = (field: 'contractAmount' | 'downPayment' | 'principal') => optional(raw[field], (t) => parseMoney(t, field));
  return {
    dealer: raw.dealer as string,
    contractNo: raw.contractNo as string,
    customer: { name: raw.customer as string, idNumber: raw.idNumber, phone: raw.phone, address: raw.address },
    machines,
    collector: raw.collector,
    signDate: optional(raw.signDate, (t) => parseDate(t, 'signDate')),
    contractAmount: money('contractAmount'),
    downPayment: money('downPayment'),
    financier: raw.financier,
    note: raw.note,
    method: method as ScheduleMethod,
    principal: money('principal'),
    annualRate: optional(raw.annualRate ?? (method === 'interest_free' ? '0' : undefined), (t) => parseRate(t, 'annualRate')),
    termMonths,
    firstDueDate: optional(raw.firstDueDate, (t) => parseDate(t, 'firstDueDate')),
    lines: raw.linesFile ? parseLinesFile(raw.linesFile) : undefined,
  };
}

/** What a new contract's input may have wrong without being refused: stored as given, the adapter warns. */
export function createWarnings(raw: ContractCreateRaw): { field: string; value: string; problem: string }[] {
  if (!raw.idNumber || idNumberKind(raw.idNumber) !== null) return [];
  const problem =
    'is neither an 18-character resident ID nor a unified social credit code (wrong length, characters or check character); stored as given';
  return [{ field: 'idNumber', value: raw.idNumber, problem }];
}

export const contractCreate = defineAction({
  name: 'contract.create',
  summary: 'create a contract with its customer, machines and schedule',
  roles: BACK_OFFICE,
  mutates: true,
  parse: parseCreate,
  run: (tx, actor, input) => createContract(tx, actor, input),
});

function count(field: string, text: string, least: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < least) throw new BadInput(field, text, `a whole number from ${least}`);
  return n;
}

function parseSort(text: string): ContractSort {
  if (!(CONTRACT_SORTS as readonly string[]).includes(text)) throw new BadInput('sort', text, CONTRACT_SORTS.join(', '));
  return text as ContractSort;
}

// ---- contract.list / contract.show --------------------------------------------------------------------

export const contractList = defineAction({
  name: 'contract.list',
  summary: 'contracts in the data scope with their balances as of a date',
  roles: EVERYONE,
  mutates: false,
  // plain SELECTs: no transaction (src/access/action.ts)
  transaction: 'none',
  parse: (raw: {
    dealer?: string | undefined;
    collector?: string | undefined;
    status?: string | undefined;
    overdue?: boolean | undefined;
    asOf: string;
    limit?: string | undefined;
    search?: string | undefined;
    sort?: string | undefined;
    descending?: boolean | undefined;
    offset?: string | undefined;
  }) => ({
    ...raw,
    overdue: raw.overdue === true,
    asOf: parseDate(raw.asOf, 'asOf'),
    limit: optional(raw.limit, (t) => count('limit', t, 1)),
    sort: optional(raw.sort, parseSort),
    offset: optional(raw.offset, (t) => count('offset', t, 0)),
  }),
  run: (tx, actor, input) => listContracts(tx, actor, input),
});

export const contractShowAction = defineAction({
  name: 'contract.show',
  summary: 'a contract’s lines, payments, overdue days and penalty as of a date',
  roles: EVERYONE,
  mutates: false,
  // plain SELECTs: no transaction (src/access/action.ts)
  transaction: 'none',
  parse: (raw: { contractNo: string; dealer?: string | undefined; asOf: string }) => ({ ...raw, asOf: parseDate(raw.asOf, 'asOf') }),
  contract: (input) => input,
  run: (tx, _actor, input, { subject }: { subject: { contract: ContractRef } }) => contractShow(tx, subject.contract, input.asOf),
});

// ---- contract.schedule --------------------------------------------------------------------------------

function versionOf(field: 'version' | 'diff', value: unknown): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new BadInput(field, String(value), 'a version number (1, 2, …)');
  return n;
}

/** The version to compare with: the one asked for, or the one before; another version of the schedule. */
function otherVersion(diff: true | number, schedule: { version: number; versions: number[] }): number {
  if (diff === true && schedule.version === 1)
    throw new BadInput('diff', null, `a version to compare with: version 1 is the first (versions ${schedule.versions.join(', ')})`);
  const other = diff === true ? schedule.version - 1 : diff;
  if (!schedule.versions.includes(other) || other === schedule.version)
    throw new BadInput('diff', String(diff), `another version of the schedule: ${schedule.versions.join(', ')}`);
  return other;
}

async function readSchedule(tx: Tx, ref: ContractRef, input: { version?: number | undefined; diff?: true | number | undefined }) {
  const head = { dealer: ref.dealer, contractNo: ref.contractNo };
  const schedule = await contractSchedule(tx, ref, input.version);
  if (input.diff === undefined) return { ...head, ...schedule };
  const other = otherVersion(input.diff, schedule);
  const [a, b] = other < schedule.version ? [other, schedule.version] : [schedule.version, other];
  return { ...head, ...(await scheduleDiff(tx, ref, a, b)) };
}

export const contractScheduleAction = defineAction({
  name: 'contract.schedule',
  summary: 'a contract’s repayment schedule: any version, or what changed between two',
  roles: EVERYONE,
  mutates: false,
  // plain SELECTs: no transaction (src/access/action.ts)
  transaction: 'none',
  parse: (raw: { contractNo: string; dealer?: string | undefined; version?: string | undefined; diff?: string | true | undefined }) => ({
    contractNo: raw.contractNo,
    dealer: raw.dealer,
    version: raw.version === undefined ? undefined : versionOf('version', raw.version),
    diff: raw.diff === undefined || raw.diff === true ? raw.diff : versionOf('diff', raw.diff),
  }),
  contract: (input) => input,
  run: (tx, _actor, input, { subject }: { subject: { contract: ContractRef } }) => readSchedule(tx, subject.contract, input),
});

// ---- contract.reschedule / contract.charge ------------------------------------------------------------

export interface RescheduleRaw {
  contractNo: string;
  dealer?: string | undefined;
  from: string;
  method?: string | undefined;
  termMonths?: string | undefined;
  annualRate?: string | undefined;
  firstDueDate?: string | undefined;
  /** Custom new lines instead of terms. */
  linesFile?: LinesFile | undefined;
  principal?: string | undefined;
  reason: string;
}

const TERM_METHODS = ['equal_installment', 'equal_principal', 'interest_free'] as const;

function parseTerms(raw: RescheduleRaw): NewTerms {
  if (raw.linesFile) {
    if (raw.method || raw.termMonths || raw.firstDueDate || raw.annualRate)
      throw new BadInput('linesFile', raw.linesFile.file, 'either custom lines or new terms (method, term months …), not both');
    return { kind: 'lines', lines: parseLinesFile(raw.linesFile) };
  }
  const method = raw.method ?? 'equal_installment';
  if (!(TERM_METHODS as readonly string[]).includes(method))
    throw new BadInput('method', method, 'equal_installment, equal_principal or interest_free (or custom lines)');
  for (const field of ['termMonths', 'firstDueDate'] as const)
    if (!raw[field]) throw new BadInput(field, null, 'a value for the new terms');
  if (!raw.annualRate && method !== 'interest_free') throw new BadInput('annualRate', null, 'the new annual rate');
  return {
    kind: 'terms',
    method: method as (typeof TERM_METHODS)[number],
    termMonths: wholeMonths(raw.termMonths) as number,
    annualRate: parseRate(raw.annualRate ?? '0', 'annualRate'),
    firstDueDate: parseDate(raw.firstDueDate as string, 'firstDueDate'),
  };
}

export const contractReschedule = defineAction({
  name: 'contract.reschedule',
  summary: 'request a schedule change (还款计划变更): re-plan the unpaid installments due from a date',
  roles: BACK_OFFICE,
  mutates: true,
  parse: (raw: RescheduleRaw) => {
    const reason = requireReason(raw.reason, 'why the schedule changes');
    const from = parseDate(raw.from, 'from');
    const terms = parseTerms(raw);
    // negative amounts reach the core's check, which says 'greater than zero' for 0 and -1 alike
    const principal = optional(raw.principal, (t) => parseMoney(t, 'principal', { allowNegative: true }));
    return { contractNo: raw.contractNo, dealer: raw.dealer, from, terms, principal, reason };
  },
  contract: (input) => input,
  run: async (tx, actor, input, { subject }: { subject: { contract: ContractRef } }) => {
    const result = await submitReschedule(tx, actor, subject.contract, input);
    return { ...result.document, approval: result.approval };
  },
});

export const contractCharge = defineAction({
  name: 'contract.charge',
  summary: 'request a charge (代付/代垫): a receivable line once approved',
  roles: BACK_OFFICE,
  mutates: true,
  parse: (raw: { contractNo: string; dealer?: string | undefined; type: string; amount: string; due: string; reason: string }) =>
    checkCharge({
      ...raw,
      amount: parseMoney(raw.amount, 'amount', { allowNegative: true }),
      due: parseDate(raw.due, 'due'),
    }),
  contract: (input) => input,
  run: async (tx, actor, input, { subject }: { subject: { contract: ContractRef } }) => {
    const result = await submitCharge(tx, actor, subject.contract, input);
    return { ...result.document, approval: result.approval };
  },
});

export const contractActions = [
  contractCreate,
  contractList,
  contractShowAction,
  contractScheduleAction,
  contractReschedule,
  contractCharge,
] as const;
