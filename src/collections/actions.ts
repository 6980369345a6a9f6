// The collections actions (issue 21 points 1–4): assignment by rules or one contract at a time, the performance
// of each holder, the worklist, the contact log and its history, and the admin's suggested-action rules.
// Who may: assigning is for finance (admin, group finance; dealer finance within their dealer) and for managers
// within their team — the contracts a run touches are those of the actor's scope, and a contract goes only to a
// collector or team lead the actor can see, of the contract's dealer. Logging a contact is for staff who work
// contracts (STAFF) within their scope; reading is for everyone within their scope; the suggested-action rules
// are the admin's.

import { defineAction } from '../access/action.js';
import { ADMIN, EVERYONE, STAFF } from '../access/role-sets.js';
import { attachFile, readInputFile } from '../archive/index.js';
import { lastCompletedBatchDate } from '../batch/runs.js';
import { type BusinessDate, parseDate, refuseFutureDate } from '../core/dates.js';
import { BadInput } from '../core/errors.js';
import { parseId, requireText } from '../core/input.js';
import { parseMoney } from '../core/money.js';
import type { ContractRef } from '../ledger/contract-ref.js';
import { resolveContract } from '../receivables/contracts.js';
import { checkReportDate } from '../reports/report-common.js';
import { type AssignByRulesResult, assignByRules, parseRulesText } from './assign-rules.js';
import { assignCollector, assignmentHistory, checkSameDealer, collectionPerformance, findAssignee } from './assignments.js';
import { CONTACT_KINDS, CONTACT_RESULTS, type ContactKind, type ContactResult, contactHistory, logContact } from './contacts.js';
import { addSuggestionRule, listSuggestionRules, removeSuggestionRule, SUGGESTED_ACTIONS, type SuggestedAction } from './suggestions.js';
import { worklist } from './worklist.js';

const ASSIGNERS = ['admin', 'group_finance', 'dealer_finance', 'manager'] as const;

type OnContract = { subject: { contract: ContractRef } };

/** A date on which something happened: a real day, not later than today (plus ZQ_FUTURE_DAYS). */
const pastDate = (text: string, field: string): BusinessDate => refuseFutureDate(field, parseDate(text, field));

function oneOf<T extends string>(list: readonly T[], value: string | undefined, field: string): T {
  if (value === undefined || !(list as readonly string[]).includes(value))
    throw new BadInput(field, value ?? null, `one of ${list.join(', ')}`);
  return value as T;
}

function whole(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d{0,4}$/.test(String(value).trim())) throw new BadInput(field, value, 'a whole number from 1');
  return Number(String(value).trim());
}

export type AssignRaw =
  | { rulesText: string; rulesFile?: string | undefined; dryRun?: boolean | undefined; asOf: string }
  | { contractNo: string; dealer?: string | undefined; to: string; reason: string; date: string };

export type AssignOutput = AssignByRulesResult;

export const collectionAssign = defineAction({
  name: 'collection.assign',
  summary: 'give overdue contracts to collectors by a rules file (dry run first), or one contract to a user with a reason',
  roles: ASSIGNERS,
  mutates: true,
  run: async (tx, actor, raw: AssignRaw): Promise<AssignOutput> => {
    if ('rulesText' in raw) {
      const rules = parseRulesText(raw.rulesText, raw.rulesFile);
      return assignByRules(tx, actor, { rules, asOf: pastDate(raw.asOf, 'asOf'), dryRun: raw.dryRun === true });
    }
    const date = pastDate(raw.date, 'date');
    const reason = requireText(raw.reason, 'reason', 'why the contract changes hands');
    const contract = await resolveContract(tx, actor, { contractNo: raw.contractNo, dealer: raw.dealer });
    if (contract.status !== 'active')
      throw new BadInput(
        'contractNo',
        contract.contractNo,
        `an active contract (this one is ${contract.status} since ${contract.statusDate})`,
      );
    const to = await findAssignee(tx, actor, requireText(raw.to, 'to', 'the username who gets the contract'), 'to');
    checkSameDealer(to, contract, 'to');
    const move = await assignCollector(tx, actor, { contract, to, date, reason, source: 'manual' });
    return { asOf: date, dryRun: false, considered: 1, unchanged: move ? 0 : 1, moves: move ? [move] : [] };
  },
});

export const collectionPerformanceAction = defineAction({
  name: 'collection.performance',
  summary: 'money received in a period credited to the collector who held each contract on the value date',
  roles: EVERYONE,
  mutates: false,
  parse: (raw: { from: string; to: string; collector?: string | undefined }) => ({
    from: parseDate(raw.from, 'from'),
    to: parseDate(raw.to, 'to'),
    collector: raw.collector,
  }),
  run: (tx, actor, input) => collectionPerformance(tx, actor, input),
});

export const collectionList = defineAction({
  name: 'collection.list',
  summary: 'the worklist: overdue contracts of the scope by priority, with contacts, promises and flags',
  roles: EVERYONE,
  mutates: false,
  parse: (raw: { asOf?: string | undefined; collector?: string | undefined }) => ({
    asOf: raw.asOf === undefined ? undefined : parseDate(raw.asOf, 'asOf'),
    collector: raw.collector,
  }),
  // as of the last night by default, never later: the penalty owed is known through the nights the batch ran
  run: async (tx, actor, input) =>
    worklist(tx, actor, { asOf: checkReportDate('worklist', input.asOf, await lastCompletedBatchDate(tx)), collector: input.collector }),
});

export interface LogRaw {
  contractNo: string;
  dealer?: string | undefined;
  kind: string;
  result: string;
  promiseAmount?: string | undefined;
  promiseDate?: string | undefined;
  note?: string | undefined;
  /** an ISO date-time (with its zone, or read in Asia/Shanghai); the adapter fills now */
  contactedAt: string;
  /** files to keep with the contact (call recordings' notes, photos of a visit): the archive's types and limit */
  attach?: readonly string[] | undefined;
}

function parseContactedAt(text: string): Date {
  const trimmed = String(text ?? '').trim();
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?))?(Z|[+-]\d{2}:\d{2})?$/.exec(trimmed);
  if (!m)
    throw new BadInput('contactedAt', text, 'a date-time YYYY-MM-DDTHH:MM (Asia/Shanghai unless it names its zone), e.g. 2026-03-10T09:30');
  parseDate(m[1] as string, 'contactedAt');
  const moment = new Date(`${m[1]}T${m[2] ?? '00:00'}${m[2]?.length === 5 ? ':00' : ''}${m[3] ?? '+08:00'}`);
  if (Number.isNaN(moment.getTime())) throw new BadInput('contactedAt', text, 'a real date-time, e.g. 2026-03-10T09:30');
  return moment;
}

export const collectionLog = defineAction({
  name: 'collection.log',
  summary: 'log a contact (call, visit, SMS, letter) with its result and any promise to pay',
  roles: STAFF,
  mutates: true,
  parse: (raw: LogRaw) => {
    const contactedAt = parseContactedAt(raw.contactedAt);
    // a contact that has not happened yet is a typo
    refuseFutureDate('contactedAt', new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(contactedAt));
    return {
      contractNo: raw.contractNo,
      dealer: raw.dealer,
      kind: oneOf<ContactKind>(CONTACT_KINDS, raw.kind, 'kind'),
      result: oneOf<ContactResult>(CONTACT_RESULTS, raw.result, 'result'),
      promiseAmount: raw.promiseAmount === undefined ? undefined : parseMoney(raw.promiseAmount, 'promiseAmount', { positive: true }),
      promiseDate: raw.promiseDate === undefined ? undefined : parseDate(raw.promiseDate, 'promiseDate'),
      note: raw.note,
      contactedAt,
      // read (and the size checked) before the transaction; the type is checked from the bytes by attachFile
      attach: (raw.attach ?? []).map((file) => readInputFile(file, 'attach')),
    };
  },
  contract: (input) => input,
  run: async (tx, actor, input, { subject }: OnContract) => {
    const contact = await logContact(tx, actor, subject.contract, input);
    const attachments = [];
    for (const file of input.attach)
      attachments.push(await attachFile(tx, actor, { kind: 'contact_log', id: contact.id }, file, 'contact_record'));
    return { ...contact, attachments: attachments.map((a) => ({ id: a.id, fileName: a.fileName, sha256: a.sha256, size: a.size })) };
  },
});

export const collectionHistory = defineAction({
  name: 'collection.history',
  summary: 'a contract’s contact log, newest first, and who held it when',
  roles: EVERYONE,
  mutates: false,
  contract: (input: { contractNo: string; dealer?: string | undefined }) => input,
  run: async (tx, _actor, _input, { subject }: OnContract) => ({
    dealer: subject.contract.dealer,
    contractNo: subject.contract.contractNo,
    contacts: await contactHistory(tx, subject.contract),
    holders: await assignmentHistory(tx, subject.contract.id),
  }),
});

export const collectionRuleAdd = defineAction({
  name: 'collection.rule.add',
  summary: 'a suggested-action rule: flag contracts overdue ≥ N days or with N consecutive unpaid installments',
  roles: ADMIN,
  mutates: true,
  parse: (raw: {
    action: string;
    overdueDays?: string | undefined;
    consecutiveUnpaid?: string | undefined;
    dealer?: string | undefined;
  }) => ({
    action: oneOf<SuggestedAction>(SUGGESTED_ACTIONS, raw.action, 'action'),
    overdueDays: whole(raw.overdueDays, 'overdueDays'),
    consecutiveUnpaid: whole(raw.consecutiveUnpaid, 'consecutiveUnpaid'),
    dealer: raw.dealer,
  }),
  run: (tx, actor, input) => addSuggestionRule(tx, actor, input),
});

export const collectionRuleList = defineAction({
  name: 'collection.rule.list',
  summary: 'the suggested-action rules in force, with their open flags',
  roles: EVERYONE,
  mutates: false,
  run: (tx) => listSuggestionRules(tx),
});

export const collectionRuleRemove = defineAction({
  name: 'collection.rule.remove',
  summary: 'remove a suggested-action rule (kept as removed); its open flags are cleared',
  roles: ADMIN,
  mutates: true,
  parse: (raw: { id: string | number; date: string }) => ({ id: parseId(raw.id, 'id', 'a rule id'), date: parseDate(raw.date, 'date') }),
  run: (tx, actor, input) => removeSuggestionRule(tx, actor, input.id, input.date),
});

export const collectionActions = [
  collectionAssign,
  collectionPerformanceAction,
  collectionList,
  collectionLog,
  collectionHistory,
  collectionRuleAdd,
  collectionRuleList,
  collectionRuleRemove,
] as const;
