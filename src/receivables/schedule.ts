// Repayment schedules (还款计划), RULES.md: one generator per method behind one interface, due dates apart
// from amounts, every amount rounded half-up once where it is born. Pure: no database, no clock.
import type { Decimal } from 'decimal.js';
import { addMonths, type BusinessDate, dayOfMonth } from '../core/dates.js';
import { assert, BadInput } from '../core/errors.js';
import { Dec, formatMoney, type Money, roundMoney, ZERO } from '../core/money.js';

export const SCHEDULE_METHODS = ['equal_installment', 'equal_principal', 'interest_free', 'custom'] as const;
export type ScheduleMethod = (typeof SCHEDULE_METHODS)[number];

export const METHOD_NAMES_ZH: Record<ScheduleMethod, string> = {
  equal_installment: '等额本息',
  equal_principal: '等额本金',
  interest_free: '免息分期',
  custom: '自定义',
};

/** Longest schedule we generate: 30 years of months. A named limit, not a guess at run time. */
export const MAX_TERM_MONTHS = 360;

export interface ScheduleTerms {
  method: Exclude<ScheduleMethod, 'custom'>;
  principal: Money; // the financed amount
  annualRate: Decimal; // e.g. 0.049 for 4.90 %/year; ignored by interest_free
  termMonths: number;
  firstDueDate: BusinessDate;
}

/** One schedule line: one installment × one receivable type. */
export interface ScheduleLine {
  seq: number;
  type: string; // receivable type code
  dueDate: BusinessDate;
  amountDue: Money;
}

export function dueDates(firstDueDate: BusinessDate, count: number): BusinessDate[] {
  const day = dayOfMonth(firstDueDate);
  return Array.from({ length: count }, (_, k) => addMonths(firstDueDate, k, day));
}

function validateTerms(terms: ScheduleTerms): void {
  if (!Number.isInteger(terms.termMonths) || terms.termMonths < 1 || terms.termMonths > MAX_TERM_MONTHS) {
    throw new BadInput('term-months', terms.termMonths, `a whole number of months from 1 to ${MAX_TERM_MONTHS}`);
  }
  if (!terms.principal.greaterThan(0)) {
    throw new BadInput('principal', formatMoney(terms.principal), 'an amount greater than zero');
  }
  if (terms.principal.decimalPlaces() > 2) {
    throw new BadInput('principal', terms.principal.toString(), 'at most two decimals');
  }
  if (terms.annualRate.isNegative() || terms.annualRate.greaterThanOrEqualTo(1)) {
    throw new BadInput('annual-rate', terms.annualRate.toString(), 'a yearly rate from 0 to 1 (e.g. 0.049 for 4.9%)');
  }
}

/** payment = round(P·i·(1+i)^n / ((1+i)^n − 1)); with i = 0 it is P/n. */
export function equalInstallmentPayment(principal: Money, monthlyRate: Decimal, months: number): Money {
  if (monthlyRate.isZero()) return roundMoney(principal.dividedBy(months));
  const growth = monthlyRate.plus(1).pow(months);
  return roundMoney(principal.times(monthlyRate).times(growth).dividedBy(growth.minus(1)));
}

interface Installment {
  principal: Money;
  interest: Money;
}

function equalInstallment(terms: ScheduleTerms): Installment[] {
  const i = new Dec(terms.annualRate).dividedBy(12);
  const n = terms.termMonths;
  const payment = equalInstallmentPayment(terms.principal, i, n);
  const result: Installment[] = [];
  let balance = terms.principal;
  for (let k = 1; k <= n; k++) {
    const interest = roundMoney(balance.times(i));
    // The last month takes the whole remaining balance; its payment absorbs the rounding.
    const principal = k === n ? balance : payment.minus(interest);
    result.push({ principal, interest });
    balance = balance.minus(principal);
  }
  return result;
}

function equalPrincipal(terms: ScheduleTerms, withInterest: boolean): Installment[] {
  const i = withInterest ? new Dec(terms.annualRate).dividedBy(12) : ZERO;
  const n = terms.termMonths;
  const share = roundMoney(terms.principal.dividedBy(n));
  const result: Installment[] = [];
  let balance = terms.principal;
  for (let k = 1; k <= n; k++) {
    const interest = roundMoney(balance.times(i));
    const principal = k === n ? balance : share;
    result.push({ principal, interest });
    balance = balance.minus(principal);
  }
  return result;
}

/**
 * The schedule lines for the given terms: per installment a `principal` line and, where interest is due,
 * an `interest` line. Installment numbers start at 1.
 */
export function generateSchedule(terms: ScheduleTerms): ScheduleLine[] {
  validateTerms(terms);
  const installments =
    terms.method === 'equal_installment'
      ? equalInstallment(terms)
      : terms.method === 'equal_principal'
        ? equalPrincipal(terms, true)
        : equalPrincipal(terms, false);
  const dates = dueDates(terms.firstDueDate, terms.termMonths);
  const lines: ScheduleLine[] = [];
  installments.forEach((inst, index) => {
    const dueDate = dates[index];
    assert(dueDate !== undefined, 'one due date per installment');
    if (inst.principal.isNegative()) {
      throw new BadInput('principal', formatMoney(terms.principal), `an amount large enough for ${terms.termMonths} installments`);
    }
    lines.push({ seq: index + 1, type: 'principal', dueDate, amountDue: inst.principal });
    if (inst.interest.greaterThan(0)) lines.push({ seq: index + 1, type: 'interest', dueDate, amountDue: inst.interest });
  });
  const totalPrincipal = lines.filter((l) => l.type === 'principal').reduce((s, l) => s.plus(l.amountDue), ZERO);
  assert(totalPrincipal.equals(terms.principal), 'the principal lines add up to the financed amount');
  return lines;
}

/**
 * Custom lines (as imported, or typed): checked, not computed. Sorted by installment and type; one line per
 * (seq, type); amounts non-negative with at most two decimals.
 */
export function customSchedule(lines: ScheduleLine[], knownTypes?: ReadonlySet<string>): ScheduleLine[] {
  if (lines.length === 0) throw new BadInput('lines', '[]', 'at least one schedule line');
  const seen = new Set<string>();
  for (const line of lines) {
    if (!Number.isInteger(line.seq) || line.seq < 0) throw new BadInput('seq', line.seq, 'an installment number of 0 or more');
    if (knownTypes && !knownTypes.has(line.type)) {
      throw new BadInput('type', line.type, `a receivable type: ${[...knownTypes].join(', ')}`);
    }
    if (line.amountDue.isNegative() || line.amountDue.decimalPlaces() > 2) {
      throw new BadInput('amount_due', line.amountDue.toString(), 'an amount of zero or more with at most two decimals');
    }
    const key = `${line.seq}:${line.type}`;
    if (seen.has(key)) throw new BadInput('seq', key, 'one line per installment and receivable type');
    seen.add(key);
  }
  return [...lines].sort((a, b) => a.seq - b.seq || a.type.localeCompare(b.type));
}

/** Totals per installment, for printing a schedule as a table. */
export function installmentTotals(lines: readonly ScheduleLine[]): { seq: number; dueDate: BusinessDate; total: Money }[] {
  const bySeq = new Map<number, { seq: number; dueDate: BusinessDate; total: Money }>();
  for (const line of lines) {
    const row = bySeq.get(line.seq) ?? { seq: line.seq, dueDate: line.dueDate, total: ZERO };
    row.total = row.total.plus(line.amountDue);
    bySeq.set(line.seq, row);
  }
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}
