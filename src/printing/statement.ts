// The statement of account (对账单) of one customer for a period: the opening balance, every due amount,
// receipt (with what it was applied to), penalty accrued, waiver, write-off and adjustment in date order with a
// running balance, the closing balance, the overdue lines, the aging and how to pay.
// Two halves: `readStatementFacts` reads positions (src/receivables/position.ts, the figures of `contract show`)
// and the period's postings; `buildStatement` is pure over them. No balance is computed here twice: opening and
// closing are the positions' own figures, and the rows are the postings that move from one to the other.
//
// The balance a statement runs on is what the customer owes as of a date: the amounts due by then, less every
// payment and write-off (a payment ahead of its due date lowers it too), plus the penalty still owed, less the
// advance-receipt credit (预收). So a due amount raises it on its due date, a receipt lowers it by the money
// that counts (recovery on a written-off line does not), applying credit moves nothing, a refund raises it.
import type { Knex } from 'knex';
import { addDays, type BusinessDate, monthEnd } from '../core/dates.js';
import { receivableTypeName } from '../core/labels.js';
import { dec, type Money, sumMoney, ZERO } from '../core/money.js';
import type { PostingKind } from '../ledger/kinds.js';
import { findDealer } from '../organisation/index.js';
import { pureAccrual } from '../penalty/accrual.js';
import type { ContractRef } from '../receivables/contracts.js';
import { contractPosition, type Position, positionTotals } from '../receivables/position.js';
import { agingBuckets, bucketOf, DEFAULT_AGING } from '../reports/aging.js';

/** A posting value-dated inside the period, with the document and line it belongs to. */
export interface StatementPosting {
  id: number;
  kind: PostingKind;
  valueDate: BusinessDate;
  signedAmount: Money;
  documentId: number | null;
  documentType: string | null;
  documentNumber: string | null;
  /** the receipt's method (cash, bank_transfer, …) where the document is a receipt */
  method: string | null;
  lineId: number | null;
  seq: number | null;
  lineType: string | null;
}

export interface Person {
  name: string;
  phone: string | null;
}

export interface ContractFacts {
  dealer: string;
  contractNo: string;
  collector: Person | null;
  machines: string[];
  /** the contract's position the day before the period */
  opening: Position;
  /** its position on the last day of the period: `contract show --as-of TO` */
  closing: Position;
  postings: StatementPosting[];
  /**
   * The penalty the system computed per line id (imported opening penalty apart: it is a posting), the day before
   * the period, at each month end inside it and on its last day: a penalty row per line and month.
   */
  penalties: { date: BusinessDate; accrued: Map<number, Money> }[];
}

export interface DealerFacts {
  code: string;
  name: string;
  address: string | null;
  phone: string | null;
  bankName: string | null;
  bankAccount: string | null;
}

export interface StatementFacts {
  dealer: DealerFacts;
  customer: { id: number; name: string; phone: string | null; idNumber: string | null; address: string | null };
  from: BusinessDate;
  to: BusinessDate;
  contracts: ContractFacts[];
}

export type RowKind =
  | 'due'
  | 'receipt'
  | 'allocation'
  | 'penalty'
  | 'waiver'
  | 'write_off'
  | 'refund'
  | 'opening'
  | 'credit_application'
  | 'adjustment';

export interface StatementRow {
  date: BusinessDate;
  kind: RowKind;
  contractNo: string;
  /** what happened, in Chinese */
  text: string;
  /** raises what the customer owes */
  increase: Money | null;
  /** lowers it */
  decrease: Money | null;
  /** an amount shown for information that moves no balance (what a receipt was applied to) */
  detail: Money | null;
  balance: Money;
}

export interface Summary {
  amountDue: Money;
  amountPaid: Money;
  writtenOff: Money;
  outstanding: Money;
  notDue: Money;
  overdue: Money;
  penaltyAccrued: Money;
  penaltyPaid: Money;
  penaltyWaived: Money;
  penaltyOutstanding: Money;
  credit: Money;
  /** what the customer owes on the date: due and unpaid + penalty owed − credit */
  balance: Money;
}

export interface OverdueLine {
  contractNo: string;
  seq: number;
  type: string;
  dueDate: BusinessDate;
  outstanding: Money;
  overdueDays: number;
  penaltyOutstanding: Money;
}

export interface Statement {
  dealer: DealerFacts;
  customer: StatementFacts['customer'];
  from: BusinessDate;
  to: BusinessDate;
  contracts: { contractNo: string; machines: string[]; collector: Person | null; closing: Summary }[];
  collectors: Person[];
  opening: Money;
  rows: StatementRow[];
  increase: Money;
  decrease: Money;
  closing: Summary;
  overdueLines: OverdueLine[];
  aging: { bucket: string; amount: Money }[];
}

const METHOD_NAMES: Record<string, string> = {
  cash: '现金',
  bank_transfer: '银行转账',
  transfer: '转账',
  wechat: '微信',
  alipay: '支付宝',
  cheque: '支票',
  buyback: '回购',
};

function typeName(code: string | null): string {
  return code === null ? '' : receivableTypeName(code);
}

function lineName(seq: number | null, type: string | null): string {
  return seq === null ? '' : `第${seq}期${typeName(type)}`;
}

/** The balance a statement runs on, as of the position's date (see the head of this file). */
export function owed(position: Position): Money {
  const lines = sumMoney(
    position.lines.map((l) =>
      (l.dueDate <= position.asOf ? l.amountDue : ZERO).minus(l.amountPaid).minus(l.writtenOff).plus(l.penaltyOutstanding),
    ),
  );
  return lines.minus(position.credit);
}

function summaryOf(positions: readonly Position[]): Summary {
  const totals = positions.map(positionTotals);
  const sum = (pick: (t: (typeof totals)[number]) => Money) => sumMoney(totals.map(pick));
  const notDue = sumMoney(positions.flatMap((p) => p.lines.filter((l) => l.dueDate > p.asOf).map((l) => l.outstanding)));
  return {
    amountDue: sum((t) => t.amountDue),
    amountPaid: sum((t) => t.amountPaid),
    writtenOff: sum((t) => t.writtenOff),
    outstanding: sum((t) => t.outstanding),
    notDue,
    overdue: sum((t) => t.overdue),
    penaltyAccrued: sum((t) => t.penaltyAccrued),
    penaltyPaid: sum((t) => t.penaltyPaid),
    penaltyWaived: sum((t) => t.penaltyWaived),
    penaltyOutstanding: sum((t) => t.penaltyOutstanding),
    credit: sum((t) => t.credit),
    balance: sumMoney(positions.map(owed)),
  };
}

/** A group of rows that sort together (a receipt and what it was applied to), with its effect on the balance. */
interface Block {
  date: BusinessDate;
  rank: number;
  order: number;
  rows: Omit<StatementRow, 'balance'>[];
}

// the order of rows of one day: due amounts, then money in, then forgiven, then the penalty to the day, then adjustments
const RANK: Record<RowKind, number> = {
  due: 0,
  opening: 1,
  receipt: 2,
  allocation: 2,
  credit_application: 3,
  refund: 4,
  waiver: 5,
  write_off: 6,
  penalty: 7,
  adjustment: 8,
};

function row(
  kind: RowKind,
  date: BusinessDate,
  contractNo: string,
  text: string,
  effect: { increase?: Money; decrease?: Money; detail?: Money },
): Omit<StatementRow, 'balance'> {
  return {
    date,
    kind,
    contractNo,
    text,
    increase: effect.increase ?? null,
    decrease: effect.decrease ?? null,
    detail: effect.detail ?? null,
  };
}

/** A signed change as an increase or a decrease (a reversal shows on the other side). */
function signed(amount: Money, raises: boolean): { increase?: Money; decrease?: Money } {
  const up = raises ? amount : amount.negated();
  return up.isNegative() ? { decrease: up.negated() } : { increase: up };
}

const RECEIPT_KINDS: readonly PostingKind[] = ['allocation', 'penalty_allocation', 'credit', 'recovery'];

/** A receipt's postings of one value date netted per kind and line (a replay reverses and posts again). */
function netted(postings: readonly StatementPosting[]): StatementPosting[] {
  const net = new Map<string, StatementPosting>();
  for (const p of postings) {
    const key = `${p.kind}:${p.lineId}`;
    const seen = net.get(key);
    net.set(key, seen ? { ...seen, signedAmount: seen.signedAmount.plus(p.signedAmount) } : p);
  }
  return [...net.values()].filter((p) => !p.signedAmount.isZero());
}

function receiptBlock(contractNo: string, all: readonly StatementPosting[], order: number): Block | null {
  const postings = netted(all);
  const first = postings[0];
  if (!first) return null;
  // recovery on a written-off line is money received, not a payment of what is owed
  const counts = sumMoney(postings.filter((p) => p.kind !== 'recovery').map((p) => p.signedAmount));
  const total = sumMoney(postings.map((p) => p.signedAmount));
  const reversed = total.isNegative() ? '（冲正）' : '';
  const method = first.method ? ` ${METHOD_NAMES[first.method] ?? first.method}` : '';
  const head = row('receipt', first.valueDate, contractNo, `收款 ${first.documentNumber ?? ''}${method}${reversed}`, {
    ...signed(counts, false),
    ...(counts.equals(total) ? {} : { detail: total }),
  });
  const details = postings.map((p) => {
    const what =
      p.kind === 'allocation'
        ? `核销 ${lineName(p.seq, p.lineType)}`
        : p.kind === 'penalty_allocation'
          ? `核销 ${lineName(p.seq, p.lineType)}罚息`
          : p.kind === 'credit'
            ? '转预收款'
            : `坏账收回 ${lineName(p.seq, p.lineType)}`;
    return row('allocation', p.valueDate, contractNo, `　其中：${what}`, { detail: p.signedAmount });
  });
  return { date: first.valueDate, rank: RANK.receipt, order, rows: [head, ...details] };
}

function postingBlock(contractNo: string, p: StatementPosting, order: number): Block | null {
  const line = lineName(p.seq, p.lineType);
  const doc = p.documentNumber ? ` ${p.documentNumber}` : '';
  const one = (kind: RowKind, text: string, effect: Parameters<typeof row>[4]): Block => ({
    date: p.valueDate,
    rank: RANK[kind],
    order,
    rows: [row(kind, p.valueDate, contractNo, text, effect)],
  });
  switch (p.kind) {
    case 'opening_paid':
      return one('opening', `期初已还 ${line}`, signed(p.signedAmount, false));
    case 'opening_penalty_paid':
      return one('opening', `期初已还 ${line}罚息`, signed(p.signedAmount, false));
    case 'waiver':
      return one('waiver', `罚息减免${doc} ${line}`, signed(p.signedAmount, false));
    case 'write_off':
      return one('write_off', `坏账核销${doc} ${line}`, signed(p.signedAmount, false));
    case 'refund':
      return one('refund', `退款${doc}`, signed(p.signedAmount, true));
    case 'credit_application':
      return one('credit_application', `预收款冲抵 ${line}`, { detail: p.signedAmount });
    case 'opening_penalty':
      return one('penalty', `期初罚息 ${line}`, signed(p.signedAmount, true));
    default:
      return null;
  }
}

function penaltyBlocks(contract: ContractFacts, order: number): Block[] {
  const lines = new Map(contract.closing.lines.map((l) => [l.id, l]));
  const blocks: Block[] = [];
  for (let i = 1; i < contract.penalties.length; i++) {
    const before = contract.penalties[i - 1] as ContractFacts['penalties'][number];
    const now = contract.penalties[i] as ContractFacts['penalties'][number];
    for (const [lineId, accrued] of now.accrued) {
      const change = accrued.minus(before.accrued.get(lineId) ?? ZERO);
      const line = lines.get(lineId);
      if (change.isZero() || !line) continue;
      const text = `罚息计提 ${lineName(line.seq, line.type)}（${addDays(before.date, 1)}至${now.date}）`;
      blocks.push({
        date: now.date,
        rank: RANK.penalty,
        order,
        rows: [row('penalty', now.date, contract.contractNo, text, signed(change, true))],
      });
    }
  }
  return blocks;
}

function contractBlocks(contract: ContractFacts, from: BusinessDate, to: BusinessDate, order: number): Block[] {
  const blocks: Block[] = [];
  for (const l of contract.closing.lines) {
    if (l.dueDate >= from && l.dueDate <= to)
      blocks.push({
        date: l.dueDate,
        rank: RANK.due,
        order,
        rows: [row('due', l.dueDate, contract.contractNo, `应还 ${lineName(l.seq, l.type)}`, { increase: l.amountDue })],
      });
  }
  const receipts = new Map<string, StatementPosting[]>();
  for (const p of contract.postings) {
    if (p.documentType === 'receipt' && RECEIPT_KINDS.includes(p.kind)) {
      const key = `${p.documentId}:${p.valueDate}`;
      receipts.set(key, [...(receipts.get(key) ?? []), p]);
      continue;
    }
    const block = postingBlock(contract.contractNo, p, order);
    if (block) blocks.push(block);
  }
  for (const postings of receipts.values()) {
    const block = receiptBlock(contract.contractNo, postings, order);
    if (block) blocks.push(block);
  }
  blocks.push(...penaltyBlocks(contract, order));
  // what the rows do not explain (a schedule change in the period re-plans the amounts due) is an adjustment
  const moved = sumMoney(blocks.flatMap((b) => b.rows.map((r) => (r.increase ?? ZERO).minus(r.decrease ?? ZERO))));
  const gap = owed(contract.closing).minus(owed(contract.opening)).minus(moved);
  if (!gap.isZero())
    blocks.push({
      date: to,
      rank: RANK.adjustment,
      order,
      rows: [row('adjustment', to, contract.contractNo, '调整（还款计划变更等）', signed(gap, true))],
    });
  return blocks;
}

/** Pure: the statement of the facts read for one customer. */
export function buildStatement(facts: StatementFacts): Statement {
  const { from, to } = facts;
  const blocks = facts.contracts.flatMap((c, i) => contractBlocks(c, from, to, i));
  blocks.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.rank - b.rank || a.order - b.order));
  const opening = sumMoney(facts.contracts.map((c) => owed(c.opening)));
  let balance = opening;
  const rows: StatementRow[] = [];
  for (const block of blocks) {
    for (const r of block.rows) {
      balance = balance.plus(r.increase ?? ZERO).minus(r.decrease ?? ZERO);
      rows.push({ ...r, balance });
    }
  }
  const closing = summaryOf(facts.contracts.map((c) => c.closing));
  const buckets = agingBuckets(DEFAULT_AGING);
  const overdueLines: OverdueLine[] = facts.contracts.flatMap((c) =>
    c.closing.lines
      .filter((l) => l.overdueDays > 0)
      .map((l) => ({
        contractNo: c.contractNo,
        seq: l.seq,
        type: l.type,
        dueDate: l.dueDate,
        outstanding: l.outstanding,
        overdueDays: l.overdueDays,
        penaltyOutstanding: l.penaltyOutstanding,
      })),
  );
  const aging = buckets.map((b) => ({
    bucket: b.name,
    amount: sumMoney(overdueLines.filter((l) => bucketOf(buckets, l.overdueDays) === b).map((l) => l.outstanding)),
  }));
  const collectors = new Map<string, Person>();
  for (const c of facts.contracts) if (c.collector) collectors.set(`${c.collector.name}|${c.collector.phone}`, c.collector);
  return {
    dealer: facts.dealer,
    customer: facts.customer,
    from,
    to,
    contracts: facts.contracts.map((c) => ({
      contractNo: c.contractNo,
      machines: c.machines,
      collector: c.collector,
      closing: summaryOf([c.closing]),
    })),
    collectors: [...collectors.values()],
    opening,
    rows,
    increase: sumMoney(rows.map((r) => r.increase ?? ZERO)),
    decrease: sumMoney(rows.map((r) => r.decrease ?? ZERO)),
    closing,
    overdueLines,
    aging,
  };
}

// ---- reading the facts --------------------------------------------------------------------------------

/** The dealer's letterhead and bank fields (src/organisation: the dealer's record). */
export async function readDealer(knex: Knex, dealerId: number): Promise<DealerFacts> {
  const code = (await knex('dealers').where('id', dealerId).first('code')).code as string;
  const { name, address, phone, bankName, bankAccount } = await findDealer(knex, code);
  return { code, name, address, phone, bankName, bankAccount };
}

async function periodPostings(knex: Knex, contractId: number, from: BusinessDate, to: BusinessDate): Promise<StatementPosting[]> {
  const rows = await knex('postings as p')
    .leftJoin('documents as doc', 'doc.id', 'p.document_id')
    .leftJoin('schedule_lines as l', 'l.id', 'p.schedule_line_id')
    .where('p.contract_id', contractId)
    .whereBetween('p.value_date', [from, to])
    .orderBy([{ column: 'p.value_date' }, { column: 'p.id' }])
    .select(
      'p.id',
      'p.kind',
      'p.value_date as valueDate',
      knex.raw('p.signed_amount::text as "signedAmount"'),
      'p.document_id as documentId',
      'doc.type as documentType',
      'doc.number as documentNumber',
      knex.raw(`doc.data->>'method' as method`),
      'p.schedule_line_id as lineId',
      'l.seq',
      'l.receivable_type as lineType',
    );
  return rows.map((r: Record<string, unknown>) => ({ ...(r as unknown as StatementPosting), signedAmount: dec(r.signedAmount as string) }));
}

/** The day before the period, each month end inside it, its last day. */
export function penaltyDates(from: BusinessDate, to: BusinessDate): BusinessDate[] {
  const dates = [addDays(from, -1)];
  for (let end = monthEnd(from); end < to; end = monthEnd(addDays(end, 1))) dates.push(end);
  dates.push(to);
  return dates;
}

/** The facts of one customer's statement: its contracts (already resolved in the actor's scope) over the period. */
export async function readStatementFacts(
  knex: Knex,
  customerId: number,
  contracts: readonly ContractRef[],
  from: BusinessDate,
  to: BusinessDate,
): Promise<StatementFacts> {
  const customer = await knex('customers')
    .where('id', customerId)
    .first('id', 'name', 'phone', 'id_number as idNumber', 'address', 'dealer_id as dealerId');
  const out: ContractFacts[] = [];
  for (const ref of contracts) {
    const head = await knex('contracts as c')
      .leftJoin('users as u', 'u.id', 'c.collector_id')
      .where('c.id', ref.id)
      .first('u.name as collectorName', 'u.phone as collectorPhone');
    const machines = await knex('contract_machines as cm')
      .join('machines as m', 'm.id', 'cm.machine_id')
      .where('cm.contract_id', ref.id)
      .orderBy('m.serial_no')
      .select('m.model', 'm.serial_no as serialNo');
    out.push({
      dealer: ref.dealer,
      contractNo: ref.contractNo,
      collector: head?.collectorName ? { name: head.collectorName, phone: head.collectorPhone ?? null } : null,
      machines: machines.map((m: { model: string; serialNo: string }) => `${m.model} ${m.serialNo}`),
      opening: await contractPosition(knex, ref, addDays(from, -1), pureAccrual),
      closing: await contractPosition(knex, ref, to, pureAccrual),
      postings: await periodPostings(knex, ref.id, from, to),
      penalties: await Promise.all(penaltyDates(from, to).map(async (date) => ({ date, accrued: await pureAccrual(knex, ref, date) }))),
    });
  }
  const { dealerId, ...who } = customer;
  return { dealer: await readDealer(knex, dealerId), customer: who, from, to, contracts: out };
}
