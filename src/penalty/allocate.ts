// Allocation of receipts (收款核销) and the replay of a whole contract, RULES.md "Allocation of receipts".
// Pure: no database, no clock. The database code calls allocateReceipt for one confirmed receipt, and
// replayContract to recompute from scratch after a back-dated receipt or correction.
//
// Interpretation of the by_installment order (RULES.md, 民法典 Art. 561 "costs, interest, principal"):
// lines are grouped by (due date, installment number), groups oldest due date first, then installment
// number; within a group the claims are
//   1. the fee amount,
//   2. the penalty (as of the receipt's value date P) of every line of the group that owes penalty — penalty is
//      owed per line, so each line's own penalty is paid, in the group's line order (fee, interest, principal,
//      others by priority),
//   3. the interest amount, 4. the principal amount, 5. the other types' amounts by configured priority.
// principal_first: principal amounts of all lines due ≤ P oldest first, then interest amounts oldest first,
// then every line's penalty oldest first, then the other types' amounts by priority (then oldest first).
// In both, what is left becomes credit (预收), applied to each line on its due date (value date = due date),
// in the same strategy order, so credit never bears penalty.
import type { Decimal } from 'decimal.js';
import type { BusinessDate } from '../core/dates.js';
import { assert, Refused } from '../core/errors.js';
import { formatMoney, type Money, minMoney, sumMoney, ZERO } from '../core/money.js';
import { type DatedAmount, type GraceSetting, type LinePenalty, linePenalty, type RatePeriod } from './compute.js';

export const STRATEGIES = ['by_installment', 'principal_first'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export interface ReplayLine {
  id: string;
  seq: number;
  type: string; // receivable type code (GLOSSARY.md)
  dueDate: BusinessDate;
  amountDue: Money;
  penaltyBearing: boolean;
  priority: number; // the receivable type's allocation_priority; lower first
  cutoverDate?: BusinessDate;
  openingPaid?: Money; // imported amount paid, counted with value date = cut-over
  openingPenaltyAccrued?: Decimal;
  openingPenaltyPaid?: Money;
  waived?: DatedAmount[]; // approved penalty waivers
  rates: RatePeriod[];
  grace?: GraceSetting; // the line's own grace period (per type/dealer setting); else the contract's
}

export interface ReplayReceipt {
  id: string;
  valueDate: BusinessDate;
  amount: Money;
  order: number; // tie-break for the same value date
  /** A manual allocation (zq receipt allocate) used instead of the strategy; the rest becomes credit. */
  manual?: ManualSplit[];
}

/** One part of a manual allocation: money to a line's amount or to its penalty. */
export interface ManualSplit {
  lineId: string;
  target: 'amount' | 'penalty';
  amount: Money;
}

/** Credit paid back to the customer (a confirmed refund) at its value date. */
export interface CreditOut {
  id: string;
  valueDate: BusinessDate;
  amount: Money;
}

export type AllocationKind = 'allocation' | 'penalty_allocation' | 'credit_application';

export interface Allocation {
  receiptId: string | null; // null = credit application
  lineId: string;
  target: 'amount' | 'penalty';
  amount: Money;
  valueDate: BusinessDate;
  kind: AllocationKind;
}

export interface CreditMove {
  valueDate: BusinessDate;
  amount: Money; // + added from a receipt, − applied to lines
  receiptId: string | null;
}

/** What has been allocated to one line so far. */
export interface LineState {
  line: ReplayLine;
  paid: DatedAmount[]; // allocations to the amount; the imported opening paid is one entry on the cut-over
  penaltyPaid: Money; // allocations to the penalty, imported opening penalty paid included
}

/**
 * A contract's allocation state. Precondition of allocateReceipt/applyCredit: every posting in it has a value
 * date on or before the new one (a back-dated receipt means a replay from scratch).
 */
export interface AllocationState {
  lines: LineState[];
  credit: Money;
  grace: GraceSetting;
  stopDate?: BusinessDate;
}

export interface AllocationOutcome {
  state: AllocationState;
  allocations: Allocation[];
  creditMove: CreditMove | null;
}

export interface ReplayInput {
  lines: ReplayLine[];
  receipts: ReplayReceipt[];
  refunds?: CreditOut[];
  strategy: Strategy;
  grace: GraceSetting;
  stopDate?: BusinessDate;
}

export interface LineResult {
  id: string;
  paid: Money;
  penalty: LinePenalty;
  penaltyPaid: Money;
  penaltyWaived: Money;
  penaltyOutstanding: Money;
  outstanding: Money;
}

export interface ReplayResult {
  allocations: Allocation[];
  credit: Money; // unapplied credit as of the as-of date
  creditMoves: CreditMove[];
  lines: LineResult[];
}

export function initialState(lines: ReplayLine[], grace: GraceSetting, stopDate?: BusinessDate): AllocationState {
  assert(new Set(lines.map((l) => l.id)).size === lines.length, 'line ids are unique');
  const state: AllocationState = { lines: lines.map(openingLineState), credit: ZERO, grace };
  if (stopDate !== undefined) state.stopDate = stopDate;
  return state;
}

function openingLineState(line: ReplayLine): LineState {
  const paid: DatedAmount[] = [];
  if (line.openingPaid !== undefined && !line.openingPaid.isZero()) {
    assert(line.cutoverDate !== undefined, `line ${line.id}: an opening amount paid needs a cut-over date`);
    paid.push({ valueDate: line.cutoverDate, amount: line.openingPaid });
  }
  return { line, paid, penaltyPaid: line.openingPenaltyPaid ?? ZERO };
}

/** Allocates one confirmed receipt at its value date; the rest becomes credit. */
export function allocateReceipt(
  state: AllocationState,
  receipt: Pick<ReplayReceipt, 'id' | 'valueDate' | 'amount'>,
  strategy: Strategy,
): AllocationOutcome {
  assert(receipt.amount.greaterThan(0), `receipt ${receipt.id}: amount is greater than zero`);
  const spent = spend(state, receipt.amount, receipt.valueDate, receipt.id, strategy);
  const left = receipt.amount.minus(sumMoney(spent.allocations.map((a) => a.amount)));
  if (left.isZero()) return { ...spent, creditMove: null };
  const creditMove = { valueDate: receipt.valueDate, amount: left, receiptId: receipt.id };
  return { ...spent, state: { ...spent.state, credit: spent.state.credit.plus(left) }, creditMove };
}

/**
 * Allocates a receipt by its manual split (zq receipt allocate); what the split leaves becomes credit. A split
 * above what its line owes at the value date is refused, so a back-dated change never silently undoes it.
 */
export function allocateManual(
  state: AllocationState,
  receipt: Pick<ReplayReceipt, 'id' | 'valueDate' | 'amount'>,
  split: ManualSplit[],
): AllocationOutcome {
  const lines = [...state.lines];
  const allocations: Allocation[] = [];
  for (const part of split) {
    const index = lines.findIndex((s) => s.line.id === part.lineId);
    if (index < 0)
      throw new Refused(`receipt ${receipt.id}: its manual allocation names line ${part.lineId}, which is no longer on the schedule`);
    const lineState = lines[index] as LineState;
    const owed = part.target === 'amount' ? amountOwed(lineState) : penaltyOwed(state, lineState, receipt.valueDate);
    if (part.amount.greaterThan(owed)) {
      throw new Refused(
        `receipt ${receipt.id}: its manual allocation of ${formatMoney(part.amount)} to ${part.target === 'amount' ? '' : 'the penalty of '}installment ${lineState.line.seq} ${lineState.line.type} exceeds the ${formatMoney(owed)} owed on ${receipt.valueDate}; allocate it again or reverse it first`,
      ).suggest({ action: 'receipt.allocate', input: { id: receipt.id } });
    }
    lines[index] = withAllocation(lineState, part.target, part.amount, receipt.valueDate);
    allocations.push({
      receiptId: receipt.id,
      lineId: part.lineId,
      target: part.target,
      amount: part.amount,
      valueDate: receipt.valueDate,
      kind: allocationKind(receipt.id, part.target),
    });
  }
  const left = receipt.amount.minus(sumMoney(allocations.map((a) => a.amount)));
  assert(!left.isNegative(), `receipt ${receipt.id}: the manual allocation does not exceed the receipt`);
  const spent = { ...state, lines };
  if (left.isZero()) return { state: spent, allocations, creditMove: null };
  return {
    state: { ...spent, credit: state.credit.plus(left) },
    allocations,
    creditMove: { valueDate: receipt.valueDate, amount: left, receiptId: receipt.id },
  };
}

/** The nightly step: applies the contract's credit to what is due on `dueDate` (value date = due date). */
export function applyCredit(state: AllocationState, dueDate: BusinessDate, strategy: Strategy): AllocationOutcome {
  if (!state.credit.greaterThan(0)) return { state, allocations: [], creditMove: null };
  const spent = spend(state, state.credit, dueDate, null, strategy);
  const used = sumMoney(spent.allocations.map((a) => a.amount));
  if (used.isZero()) return { state, allocations: [], creditMove: null };
  const creditMove = { valueDate: dueDate, amount: used.negated(), receiptId: null };
  return { ...spent, state: { ...spent.state, credit: state.credit.minus(used) }, creditMove };
}

/** One thing that may be owed at a value date, in the order the strategy pays it. */
interface Claim {
  index: number; // position in state.lines
  target: 'amount' | 'penalty';
  s: LineState;
}

function spend(
  state: AllocationState,
  money: Money,
  valueDate: BusinessDate,
  receiptId: string | null,
  strategy: Strategy,
): Omit<AllocationOutcome, 'creditMove'> {
  const lines = [...state.lines];
  const allocations: Allocation[] = [];
  let left = money;
  for (const claim of claims(state, valueDate, strategy)) {
    if (!left.greaterThan(0)) break;
    const amount = minMoney(left, claim.owed);
    const lineState = lines[claim.index] as LineState;
    lines[claim.index] = withAllocation(lineState, claim.target, amount, valueDate);
    allocations.push({
      receiptId,
      lineId: lineState.line.id,
      target: claim.target,
      amount,
      valueDate,
      kind: allocationKind(receiptId, claim.target),
    });
    left = left.minus(amount);
  }
  return { state: { ...state, lines }, allocations };
}

function allocationKind(receiptId: string | null, target: 'amount' | 'penalty'): AllocationKind {
  if (receiptId === null) return 'credit_application';
  return target === 'amount' ? 'allocation' : 'penalty_allocation';
}

function withAllocation(s: LineState, target: 'amount' | 'penalty', amount: Money, valueDate: BusinessDate) {
  if (target === 'penalty') return { ...s, penaltyPaid: s.penaltyPaid.plus(amount) };
  return { ...s, paid: [...s.paid, { valueDate, amount }] };
}

/** Rank of a type inside one installment (Art. 561: costs, interest, principal), others after. */
function typeRank(type: string): number {
  if (type === 'fee') return 0;
  if (type === 'interest') return 1;
  if (type === 'principal') return 2;
  return 3;
}

function compareInstallmentOrder(a: ReplayLine, b: ReplayLine): number {
  if (a.dueDate !== b.dueDate) return a.dueDate < b.dueDate ? -1 : 1;
  if (a.seq !== b.seq) return a.seq - b.seq;
  return typeRank(a.type) - typeRank(b.type) || a.priority - b.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function comparePriorityOrder(a: ReplayLine, b: ReplayLine): number {
  return a.priority - b.priority || compareInstallmentOrder(a, b);
}

/**
 * Every positive claim on lines due on or before the value date, in the strategy's order. What each owes is worked
 * out (from the state before the money is spent) only when the money reaches it: a receipt is usually spent on the
 * first claim or two, and the penalty of every due line of the contract was most of a replay's time.
 */
function* claims(
  state: AllocationState,
  valueDate: BusinessDate,
  strategy: Strategy,
): Generator<{ index: number; target: Claim['target']; owed: Money }> {
  const due = state.lines
    .map((s, index) => ({ s, index }))
    .filter(({ s }) => s.line.dueDate <= valueDate)
    .sort((a, b) => compareInstallmentOrder(a.s.line, b.s.line));
  const amount = (x: Indexed): Claim => ({ index: x.index, target: 'amount', s: x.s });
  const penalty = (x: Indexed): Claim => ({ index: x.index, target: 'penalty', s: x.s });
  const ordered = strategy === 'by_installment' ? byInstallment(due, amount, penalty) : principalFirst(due, amount, penalty);
  for (const claim of ordered) {
    const owed = claim.target === 'amount' ? amountOwed(claim.s) : penaltyOwed(state, claim.s, valueDate);
    if (owed.greaterThan(0)) yield { index: claim.index, target: claim.target, owed };
  }
}

type Indexed = { s: LineState; index: number };

function byInstallment(due: Indexed[], amount: (x: Indexed) => Claim, penalty: (x: Indexed) => Claim): Claim[] {
  const result: Claim[] = [];
  for (const group of groupByInstallment(due)) {
    const ofType = (rank: number) => group.filter((x) => typeRank(x.s.line.type) === rank);
    result.push(...ofType(0).map(amount), ...group.map(penalty), ...ofType(1).map(amount), ...ofType(2).map(amount));
    result.push(...ofType(3).map(amount)); // already by priority inside the group
  }
  return result;
}

/** Consecutive lines (already sorted) with the same due date and installment number. */
function groupByInstallment(due: Indexed[]): Indexed[][] {
  const groups: Indexed[][] = [];
  for (const x of due) {
    const current = groups[groups.length - 1];
    const head = current?.[0];
    if (current && head && head.s.line.dueDate === x.s.line.dueDate && head.s.line.seq === x.s.line.seq) {
      current.push(x);
    } else {
      groups.push([x]);
    }
  }
  return groups;
}

function principalFirst(due: Indexed[], amount: (x: Indexed) => Claim, penalty: (x: Indexed) => Claim): Claim[] {
  const ofType = (type: string) => due.filter((x) => x.s.line.type === type);
  const others = due
    .filter((x) => x.s.line.type !== 'principal' && x.s.line.type !== 'interest')
    .sort((a, b) => comparePriorityOrder(a.s.line, b.s.line));
  return [...ofType('principal').map(amount), ...ofType('interest').map(amount), ...due.map(penalty), ...others.map(amount)];
}

function amountOwed(s: LineState): Money {
  const owed = s.line.amountDue.minus(sumMoney(s.paid.map((p) => p.amount)));
  return owed.greaterThan(0) ? owed : ZERO;
}

function penaltyOf(state: AllocationState, s: LineState, asOf: BusinessDate): LinePenalty {
  const { line } = s;
  return linePenalty(
    {
      dueDate: line.dueDate,
      amountDue: line.amountDue,
      penaltyBearing: line.penaltyBearing,
      paid: s.paid,
      ...(line.cutoverDate !== undefined && { cutoverDate: line.cutoverDate }),
      ...(line.openingPenaltyAccrued !== undefined && { openingPenaltyAccrued: line.openingPenaltyAccrued }),
      ...(state.stopDate !== undefined && { stopDate: state.stopDate }),
      rates: line.rates,
      grace: line.grace ?? state.grace,
    },
    asOf,
  );
}

function waivedAsOf(line: ReplayLine, asOf: BusinessDate): Money {
  return sumMoney((line.waived ?? []).filter((w) => w.valueDate <= asOf).map((w) => w.amount));
}

/** Outstanding penalty = rounded accrued as of P − penalty paid − waived (RULES.md); never below zero. */
function penaltyOwed(state: AllocationState, s: LineState, valueDate: BusinessDate): Money {
  const accrued = penaltyOf(state, s, valueDate).rounded;
  const owed = accrued.minus(s.penaltyPaid).minus(waivedAsOf(s.line, valueDate));
  return owed.greaterThan(0) ? owed : ZERO;
}

type ReplayEvent = { date: BusinessDate; receipt: ReplayReceipt | null; refund?: CreditOut };

/** Rank within one day: due dates (credit application), then receipts, then refunds of credit. */
function eventRank(e: ReplayEvent): number {
  return e.refund ? 2 : e.receipt ? 1 : 0;
}

/** Due dates (credit application) come before receipts of the same day: older money is used first. */
function replayEvents(input: ReplayInput, asOf: BusinessDate): ReplayEvent[] {
  const dueDates = [...new Set(input.lines.map((l) => l.dueDate))].filter((d) => d <= asOf);
  const receipts = input.receipts.filter((r) => r.valueDate <= asOf).sort(compareReceipts);
  const refunds = (input.refunds ?? []).filter((r) => r.valueDate <= asOf);
  const events: ReplayEvent[] = [
    ...dueDates.map((date) => ({ date, receipt: null })),
    ...receipts.map((receipt) => ({ date: receipt.valueDate, receipt })),
    ...refunds.map((refund) => ({ date: refund.valueDate, receipt: null, refund })),
  ];
  // A stable sort keeps the receipts' own order within a day, after the due-date event.
  return events.sort((a, b) => (a.date !== b.date ? (a.date < b.date ? -1 : 1) : eventRank(a) - eventRank(b)));
}

function compareReceipts(a: ReplayReceipt, b: ReplayReceipt): number {
  if (a.valueDate !== b.valueDate) return a.valueDate < b.valueDate ? -1 : 1;
  return a.order - b.order || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Recomputes every allocation of a contract from scratch, as of a date (receipts after it do not count). */
export function replayContract(input: ReplayInput, asOf: BusinessDate): ReplayResult {
  assert(new Set(input.receipts.map((r) => r.id)).size === input.receipts.length, 'receipt ids are unique');
  let state = initialState(input.lines, input.grace, input.stopDate);
  const allocations: Allocation[] = [];
  const creditMoves: CreditMove[] = [];
  for (const event of replayEvents(input, asOf)) {
    if (event.refund) {
      if (event.refund.amount.greaterThan(state.credit)) {
        throw new Refused(
          `refund ${event.refund.id} of ${formatMoney(event.refund.amount)} on ${event.refund.valueDate} would exceed the credit of ${formatMoney(state.credit)} left then`,
        );
      }
      state = { ...state, credit: state.credit.minus(event.refund.amount) };
      continue;
    }
    const outcome = event.receipt
      ? event.receipt.manual
        ? allocateManual(state, event.receipt, event.receipt.manual)
        : allocateReceipt(state, event.receipt, input.strategy)
      : applyCredit(state, event.date, input.strategy);
    state = outcome.state;
    allocations.push(...outcome.allocations);
    if (outcome.creditMove) creditMoves.push(outcome.creditMove);
  }
  const final = state;
  return {
    allocations,
    credit: final.credit,
    creditMoves,
    // on demand: the batch's replay wants only the postings, and each line's figures are a penalty computation
    get lines() {
      return final.lines.map((s) => lineResult(final, s, asOf));
    },
  };
}

function lineResult(state: AllocationState, s: LineState, asOf: BusinessDate): LineResult {
  const penalty = penaltyOf(state, s, asOf);
  const paid = sumMoney(s.paid.filter((p) => p.valueDate <= asOf).map((p) => p.amount));
  const penaltyWaived = waivedAsOf(s.line, asOf);
  return {
    id: s.line.id,
    paid,
    penalty,
    penaltyPaid: s.penaltyPaid,
    penaltyWaived,
    penaltyOutstanding: penalty.rounded.minus(s.penaltyPaid).minus(penaltyWaived),
    outstanding: s.line.amountDue.minus(paid),
  };
}
