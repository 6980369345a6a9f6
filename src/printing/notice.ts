// The collection notice (催收单) per overdue contract: its overdue lines, the penalty to the stated date, the total
// to pay by that date, and the collector's name and phone. Every figure is `contract show`'s for that date
// (receivables/show.ts contractShow: the ledger's line balances and the penalty computed to the date); nothing
// here computes a balance of its own. The only sum is the overdue amount plus the penalty, the total to pay.
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import { type BusinessDate, formatTimestamp } from '../core/dates.js';
import { BadInput } from '../core/errors.js';
import { receivableTypeName } from '../core/labels.js';
import { dec, formatMoney } from '../core/money.js';
import { findDealer, userContact } from '../organisation/index.js';
import { findContract, listContracts } from '../receivables/contracts.js';
import { type ContractShow, contractShow } from '../receivables/show.js';
import { fileNamePart } from './output.js';
import { loadTemplate } from './templates.js';

export interface NoticeSelection {
  collector?: string | undefined;
  dealer?: string | undefined;
  contract?: string | undefined;
  asOf: BusinessDate;
  minOverdueDays: number;
}

export interface NoticeLine {
  seq: number;
  type: string;
  dueDate: BusinessDate;
  amountDue: string;
  outstanding: string;
  overdueDays: number;
  penaltyOutstanding: string;
}

export interface Notice {
  dealer: { code: string; name: string; address: string | null; phone: string | null; bankName: string | null; bankAccount: string | null };
  contractNo: string;
  customer: { name: string; phone: string | null };
  machines: { model: string; serialNo: string }[];
  collector: { username: string; name: string; phone: string | null } | null;
  asOf: BusinessDate;
  overdueDays: number;
  lines: NoticeLine[];
  /** contract show's totals as of the date: overdue, penalty still owed, credit (预收) */
  overdue: string;
  penaltyOutstanding: string;
  credit: string;
  /** overdue + penaltyOutstanding: what to pay by the date */
  total: string;
}

/** The contracts the selection names, in the actor's scope, that are overdue on the date. */
async function selectedContracts(knex: Knex, actor: Actor, s: NoticeSelection): Promise<{ dealer: string; contractNo: string }[]> {
  if (s.contract !== undefined) {
    const ref = await findContract(knex, s.contract, s.dealer, actor);
    return [{ dealer: ref.dealer, contractNo: ref.contractNo }];
  }
  const rows = await listContracts(knex, actor, { dealer: s.dealer, collector: s.collector, overdue: true, asOf: s.asOf });
  return rows.map((r) => ({ dealer: r.dealer, contractNo: r.contractNo }));
}

export function noticeOf(show: ContractShow, dealer: Notice['dealer'], collector: Notice['collector']): Notice {
  const lines = show.lines
    .filter((l) => l.overdueDays > 0)
    .map((l) => ({
      seq: l.seq,
      type: receivableTypeName(l.type),
      dueDate: l.dueDate,
      amountDue: l.amountDue,
      outstanding: l.outstanding,
      overdueDays: l.overdueDays,
      penaltyOutstanding: l.penaltyOutstanding,
    }));
  return {
    dealer,
    contractNo: show.contractNo,
    customer: { name: show.customer.name, phone: show.customer.phone },
    machines: show.contract.machines.map((m) => ({ model: m.model, serialNo: m.serialNo })),
    collector,
    asOf: show.asOf,
    overdueDays: Math.max(0, ...lines.map((l) => l.overdueDays)),
    lines,
    overdue: show.totals.overdue,
    penaltyOutstanding: show.totals.penaltyOutstanding,
    credit: show.totals.credit,
    total: formatMoney(dec(show.totals.overdue).plus(show.totals.penaltyOutstanding)),
  };
}

/** The notices of the selection, oldest overdue first within each dealer; contracts below the days are left out. */
export async function collectionNotices(knex: Knex, actor: Actor, s: NoticeSelection): Promise<Notice[]> {
  const dealers = new Map<string, Notice['dealer']>();
  const notices: Notice[] = [];
  for (const c of await selectedContracts(knex, actor, s)) {
    const ref = await findContract(knex, c.contractNo, c.dealer, actor);
    const show = await contractShow(knex, ref, s.asOf);
    let dealer = dealers.get(ref.dealer);
    if (!dealer) {
      const d = await findDealer(knex, ref.dealer);
      dealer = { code: d.code, name: d.name, address: d.address, phone: d.phone, bankName: d.bankName, bankAccount: d.bankAccount };
      dealers.set(ref.dealer, dealer);
    }
    const notice = noticeOf(show, dealer, await userContact(knex, show.collector));
    if (notice.lines.length > 0 && notice.overdueDays >= s.minOverdueDays) notices.push(notice);
  }
  return notices;
}

/** One notice as HTML (the dealer's own template when it has one). */
export function noticeHtml(notice: Notice, printedBy: string): string {
  return loadTemplate('notice', { dealerCode: notice.dealer.code })({
    ...notice,
    title: '催 收 通 知 单',
    printedBy,
    printedAt: formatTimestamp(new Date()).slice(0, 16).replace('T', ' '),
    signatures: [
      { label: '催收员', name: notice.collector?.name ?? '' },
      { label: '客户签收', name: '' },
      { label: '签收日期', name: '' },
    ],
  });
}

/** The file of one notice in an --out folder: notice_{dealer}_{contract}_{date}.pdf. */
export function noticeFileName(notice: Pick<Notice, 'dealer' | 'contractNo' | 'asOf'>): string {
  return `notice_${fileNamePart(notice.dealer.code)}_${fileNamePart(notice.contractNo)}_${notice.asOf}.pdf`;
}

/** The file all notices go to without --out: the contract's own name for one contract, else the selection's. */
export function defaultNoticeFile(s: NoticeSelection, notices: Notice[]): string {
  const [only] = notices;
  if (s.contract !== undefined && only) return noticeFileName(only);
  const who = s.collector ?? s.dealer;
  if (!who) throw new BadInput('collector', null, 'one of --collector USER, --dealer CODE or --contract NO');
  return `notices_${fileNamePart(who)}_${s.asOf}.pdf`;
}
