// Penalty interest (罚息) for one schedule line, RULES.md "Penalty interest". Pure: no database, no clock.
// The work walks the dates where the overdue base or the rate can change (breakpoints), never day by day,
// so a line ten years overdue costs as much as its number of payments and rate changes.
import { Decimal } from 'decimal.js';
import { addDays, type BusinessDate, daysBetween, isValidDate, maxDate, minDate } from '../core/dates.js';
import { assert } from '../core/errors.js';
import { Dec, type Money, roundMoney, sumMoney, ZERO } from '../core/money.js';

/** Rates are stored as NUMERIC(20,10). */
export const RATE_DECIMAL_PLACES = 10;

/** A daily rate in force from `from` until the next period's `from`. */
export interface RatePeriod {
  from: BusinessDate;
  dailyRate: Decimal;
}

export type GraceMode = 'retroactive' | 'forward';

export interface GraceSetting {
  days: number;
  mode: GraceMode;
}

/** One dated amount allocated to (or reversed from) a line's amount, or waived from its penalty. */
export interface DatedAmount {
  valueDate: BusinessDate;
  amount: Decimal;
}

export interface LinePenaltyInput {
  dueDate: BusinessDate;
  amountDue: Money;
  penaltyBearing: boolean;
  /**
   * Money allocated to the line's amount (not its penalty), reversals netted by the caller; an entry may be
   * negative. For an imported line the opening amount paid is one entry dated on the cut-over date.
   */
  paid: DatedAmount[];
  /** Imported line: penalty days start the day after the cut-over. */
  cutoverDate?: BusinessDate;
  /** Imported penalty accrued up to the cut-over; exact, added to the exact sum. */
  openingPenaltyAccrued?: Decimal;
  /** Settlement or bad-debt confirmation: no penalty day on or after it. */
  stopDate?: BusinessDate;
  /** Already resolved for this line (most specific rule chosen by the caller); any order. */
  rates: RatePeriod[];
  grace: GraceSetting;
}

/** A run of consecutive penalty days with one base and one rate. */
export interface PenaltySegment {
  from: BusinessDate;
  to: BusinessDate;
  days: number;
  base: Money;
  rate: Decimal;
  amount: Decimal; // exact: base × rate × days
}

export interface LinePenalty {
  /** CLI.md: as-of − due date while something is outstanding as of the as-of date and it is past due, else 0. */
  overdueDays: number;
  /**
   * RULES.md: a line paid in full on P has P − D0 overdue days. null while the line is not fully paid as of
   * the as-of date; 0 when it was paid in full on or before its due date.
   */
  overdueDaysAtPayoff: number | null;
  exact: Decimal;
  rounded: Money;
  segments: PenaltySegment[];
  /** amount due − paid with value date ≤ as-of. */
  outstandingAsOf: Money;
}

/**
 * Daily rate from a yearly one, exactly: the quotient when it has at most 10 decimals (NUMERIC(20,10)), else null —
 * 0.18 / 365 = 0.000493150684… has no exact daily rate, and which rounding applies is the contract's to say
 * (the caller asks for --daily-rate). `nearest` is the quotient half-up to 10 decimals, to suggest.
 */
export function dailyRateFromAnnual(annual: Decimal, dayBasis: 360 | 365): { exact: Decimal | null; nearest: Decimal } {
  assert(dayBasis === 360 || dayBasis === 365, 'day basis is 360 or 365');
  const quotient = new Dec(annual).dividedBy(dayBasis);
  const nearest = quotient.toDecimalPlaces(RATE_DECIMAL_PLACES, Decimal.ROUND_HALF_UP);
  return { exact: nearest.equals(quotient) ? nearest : null, nearest };
}

export function linePenalty(input: LinePenaltyInput, asOf: BusinessDate): LinePenalty {
  validate(input, asOf);
  const paid = netPaidByDate(input.paid);
  const outstandingAsOf = input.amountDue.minus(paidBefore(paid, addDays(asOf, 1)));
  const window = input.penaltyBearing ? penaltyWindow(input, paid, asOf) : null;
  const rates = sortRates(input.rates);
  const segments = window ? accrueSegments(input.amountDue, paid, rates, window) : [];
  const exact = sumMoney(segments.map((s) => s.amount)).plus(input.openingPenaltyAccrued ?? ZERO);
  return {
    overdueDays: overdueDays(input.dueDate, outstandingAsOf, asOf),
    overdueDaysAtPayoff: overdueDaysAtPayoff(input, paid, asOf),
    exact,
    rounded: roundMoney(exact),
    segments,
    outstandingAsOf,
  };
}

function validate(input: LinePenaltyInput, asOf: BusinessDate): void {
  // the message is built only for a broken input: this runs for every line at every receipt of an allocation replay
  const broken = brokenInput(input, asOf);
  if (broken !== null) assert(false, broken);
}

function brokenInput(input: LinePenaltyInput, asOf: BusinessDate): string | null {
  if (!isValidDate(asOf)) return `as-of is a business date: ${asOf}`;
  if (!isValidDate(input.dueDate)) return `due date is a business date: ${input.dueDate}`;
  if (input.amountDue.isNegative()) return 'amount due is not negative';
  if (!Number.isInteger(input.grace.days) || input.grace.days < 0) return 'grace days are a whole number ≥ 0';
  if (input.grace.mode !== 'retroactive' && input.grace.mode !== 'forward') return 'grace mode is known';
  for (const p of input.paid) if (!isValidDate(p.valueDate)) return `paid value date is a date: ${p.valueDate}`;
  for (const r of input.rates) {
    if (!isValidDate(r.from)) return `rate start is a date: ${r.from}`;
    if (r.dailyRate.isNegative()) return 'daily rate is not negative';
  }
  if (input.cutoverDate !== undefined && !isValidDate(input.cutoverDate)) return 'cut-over is a business date';
  if (input.stopDate !== undefined && !isValidDate(input.stopDate)) return 'stop date is a business date';
  return null;
}

/** Sums entries per value date (a reversal nets against its original), sorted by date, zero dates dropped. */
function netPaidByDate(paid: DatedAmount[]): DatedAmount[] {
  const byDate = new Map<BusinessDate, Decimal>();
  for (const p of paid) byDate.set(p.valueDate, (byDate.get(p.valueDate) ?? ZERO).plus(p.amount));
  return [...byDate.entries()]
    .filter(([, amount]) => !amount.isZero())
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([valueDate, amount]) => ({ valueDate, amount }));
}

function paidBefore(paid: DatedAmount[], day: BusinessDate): Money {
  return sumMoney(paid.filter((p) => p.valueDate < day).map((p) => p.amount));
}

/** The rates in date order, one per start date. Usually given in order already (settings.ts): then no copy. */
function sortRates(rates: RatePeriod[]): RatePeriod[] {
  let ordered = true;
  for (let i = 1; i < rates.length && ordered; i++) ordered = (rates[i - 1] as RatePeriod).from < (rates[i] as RatePeriod).from;
  const sorted = ordered ? rates : [...rates].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    const from = (sorted[i] as RatePeriod).from;
    if ((sorted[i - 1] as RatePeriod).from === from) assert(false, `one rate per start date (${from})`);
  }
  return sorted;
}

function overdueDays(dueDate: BusinessDate, outstandingAsOf: Money, asOf: BusinessDate): number {
  return asOf > dueDate && outstandingAsOf.greaterThan(0) ? daysBetween(dueDate, asOf) : 0;
}

/** The day P from which the line stays fully paid through the as-of date; P − D0, or 0 if P ≤ D0. */
function overdueDaysAtPayoff(input: LinePenaltyInput, paid: DatedAmount[], asOf: BusinessDate): number | null {
  let cumulative = ZERO;
  let payoff: BusinessDate | null = input.amountDue.lessThanOrEqualTo(0) ? input.dueDate : null;
  for (const p of paid) {
    if (p.valueDate > asOf) break;
    const wasPaid = cumulative.greaterThanOrEqualTo(input.amountDue);
    cumulative = cumulative.plus(p.amount);
    const isPaid = cumulative.greaterThanOrEqualTo(input.amountDue);
    if (isPaid && !wasPaid) payoff = p.valueDate;
    if (!isPaid) payoff = null;
  }
  return payoff === null ? null : Math.max(0, daysBetween(input.dueDate, payoff));
}

interface Window {
  first: BusinessDate;
  last: BusinessDate;
}

/**
 * The days penalty may count on, before looking at the base: none if the line was fully paid by the end of
 * D0 + G or the grace period has not ended by the as-of date; otherwise from D0 + 1 (retroactive) or
 * D0 + G + 1 (forward), after the cut-over, before the stop date, through the as-of date.
 */
function penaltyWindow(input: LinePenaltyInput, paid: DatedAmount[], asOf: BusinessDate): Window | null {
  const graceEnd = addDays(input.dueDate, input.grace.days);
  if (asOf <= graceEnd) return null;
  const unpaidAfterGrace = input.amountDue.minus(paidBefore(paid, addDays(graceEnd, 1))).greaterThan(0);
  if (!unpaidAfterGrace) return null;
  let first = input.grace.mode === 'retroactive' ? addDays(input.dueDate, 1) : addDays(graceEnd, 1);
  if (input.cutoverDate !== undefined) first = maxDate(first, addDays(input.cutoverDate, 1));
  let last = asOf;
  if (input.stopDate !== undefined) last = minDate(last, addDays(input.stopDate, -1));
  return first <= last ? { first, last } : null;
}

/** Dates inside the window where the base (day after a payment) or the rate may change, with the first day. */
function breakpoints(paid: DatedAmount[], rates: RatePeriod[], window: Window): BusinessDate[] {
  const cuts = new Set<BusinessDate>([window.first]);
  for (const p of paid) cuts.add(addDays(p.valueDate, 1));
  for (const r of rates) cuts.add(r.from);
  return [...cuts].filter((d) => d >= window.first && d <= window.last).sort();
}

/** Walks the breakpoints once, carrying the base and the rate forward; merges equal neighbours. */
function accrueSegments(amountDue: Money, paid: DatedAmount[], rates: RatePeriod[], window: Window): PenaltySegment[] {
  const cuts = breakpoints(paid, rates, window);
  const segments: PenaltySegment[] = [];
  let base = amountDue;
  let paidIndex = 0;
  let rateIndex = -1;
  for (let i = 0; i < cuts.length; i++) {
    const from = cuts[i] as BusinessDate;
    const next = cuts[i + 1];
    const to = next === undefined ? window.last : addDays(next, -1);
    for (; paidIndex < paid.length && (paid[paidIndex] as DatedAmount).valueDate < from; paidIndex++) {
      base = base.minus((paid[paidIndex] as DatedAmount).amount);
    }
    while (rateIndex + 1 < rates.length && (rates[rateIndex + 1] as RatePeriod).from <= from) rateIndex++;
    const rate = rates[rateIndex]?.dailyRate;
    if (rate === undefined || !base.greaterThan(0)) continue;
    pushSegment(segments, from, to, base, rate);
  }
  return segments;
}

function pushSegment(segments: PenaltySegment[], from: BusinessDate, to: BusinessDate, base: Money, rate: Decimal) {
  const previous = segments[segments.length - 1];
  const adjoins = previous !== undefined && addDays(previous.to, 1) === from;
  if (adjoins && previous.base.equals(base) && previous.rate.equals(rate)) {
    previous.to = to;
    previous.days = daysBetween(previous.from, to) + 1;
    previous.amount = base.times(rate).times(previous.days);
    return;
  }
  const days = daysBetween(from, to) + 1;
  segments.push({ from, to, days, base, rate, amount: base.times(rate).times(days) });
}
