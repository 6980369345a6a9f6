// Property tests (DESIGN.md "Testing"): the breakpoint walk equals a naive day-by-day loop; penalty is monotone
// in time; allocations never exceed what is due; receipts = allocations + credit; replay ignores input order.
import type { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, type BusinessDate, eachDate } from '../../src/core/dates.js';
import { Dec, roundMoney, sumMoney, ZERO } from '../../src/core/money.js';
import { type ReplayLine, type ReplayReceipt, replayContract, type Strategy } from '../../src/penalty/allocate.js';
import { type GraceSetting, type LinePenaltyInput, linePenalty, type RatePeriod } from '../../src/penalty/compute.js';

const ORIGIN = '2026-01-01';
const RUNS = 300;

const day = (offset: number): BusinessDate => addDays(ORIGIN, offset);
const cents = (min: number, max: number) => fc.integer({ min, max }).map((n) => new Dec(n).dividedBy(100));
const dailyRate = fc.integer({ min: 0, max: 100 }).map((n) => new Dec(n).dividedBy(100_000)); // 0 … 0.001

const rates: fc.Arbitrary<RatePeriod[]> = fc
  .uniqueArray(fc.record({ offset: fc.integer({ min: -30, max: 200 }), dailyRate }), {
    selector: (r) => r.offset,
    maxLength: 4,
  })
  .map((list) => list.map((r) => ({ from: day(r.offset), dailyRate: r.dailyRate })));

const grace: fc.Arbitrary<GraceSetting> = fc.record({
  days: fc.integer({ min: 0, max: 10 }),
  mode: fc.constantFrom('retroactive' as const, 'forward' as const),
});

const lineInput: fc.Arbitrary<LinePenaltyInput> = fc
  .record({
    due: fc.integer({ min: 0, max: 60 }),
    amountDue: cents(0, 2_000_000),
    penaltyBearing: fc.boolean(),
    paid: fc.array(fc.record({ offset: fc.integer({ min: 0, max: 200 }), amount: cents(-50_000, 500_000) }), {
      maxLength: 6,
    }),
    cutover: fc.option(fc.integer({ min: 0, max: 120 }), { nil: undefined }),
    opening: fc.option(
      fc.integer({ min: 0, max: 10_000_000 }).map((n) => new Dec(n).dividedBy(10_000)),
      {
        nil: undefined,
      },
    ),
    stop: fc.option(fc.integer({ min: 0, max: 250 }), { nil: undefined }),
    rates,
    grace,
  })
  .map((r) => ({
    dueDate: day(r.due),
    amountDue: r.amountDue,
    penaltyBearing: r.penaltyBearing,
    paid: r.paid.map((p) => ({ valueDate: day(p.offset), amount: p.amount })),
    ...(r.cutover !== undefined && { cutoverDate: day(r.cutover) }),
    ...(r.opening !== undefined && { openingPenaltyAccrued: r.opening }),
    ...(r.stop !== undefined && { stopDate: day(r.stop) }),
    rates: r.rates,
    grace: r.grace,
  }));

/** RULES.md read literally, one calendar day at a time. */
function naivePenalty(input: LinePenaltyInput, asOf: BusinessDate): Decimal {
  const opening = input.openingPenaltyAccrued ?? ZERO;
  const base = (d: BusinessDate) => input.amountDue.minus(sumMoney(input.paid.filter((p) => p.valueDate < d).map((p) => p.amount)));
  const graceEnd = addDays(input.dueDate, input.grace.days);
  if (!input.penaltyBearing || asOf <= graceEnd || !base(addDays(graceEnd, 1)).greaterThan(0)) return opening;
  const start = input.grace.mode === 'retroactive' ? addDays(input.dueDate, 1) : addDays(graceEnd, 1);
  let total = opening;
  for (const d of eachDate(start, asOf)) {
    if (input.cutoverDate !== undefined && d <= input.cutoverDate) continue;
    if (input.stopDate !== undefined && d >= input.stopDate) continue;
    const inForce = input.rates.filter((r) => r.from <= d).sort((a, b) => (a.from < b.from ? 1 : -1))[0];
    if (inForce === undefined || !base(d).greaterThan(0)) continue;
    total = total.plus(base(d).times(inForce.dailyRate));
  }
  return total;
}

describe('linePenalty properties', () => {
  it('equals the naive day-by-day sum', () => {
    fc.assert(
      fc.property(lineInput, fc.integer({ min: -10, max: 300 }), (input, asOfOffset) => {
        const asOf = day(asOfOffset);
        const result = linePenalty(input, asOf);
        expect(result.exact.toString()).toBe(naivePenalty(input, asOf).toString());
        expect(result.rounded.equals(roundMoney(result.exact))).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('segments are maximal runs: neighbours differ in base or rate, or are not adjacent', () => {
    fc.assert(
      fc.property(lineInput, fc.integer({ min: 0, max: 300 }), (input, asOfOffset) => {
        const { segments } = linePenalty(input, day(asOfOffset));
        for (let i = 1; i < segments.length; i++) {
          const [a, b] = [segments[i - 1], segments[i]];
          if (!a || !b) continue;
          expect(a.to < b.from).toBe(true);
          const adjacent = addDays(a.to, 1) === b.from;
          if (adjacent) expect(a.base.equals(b.base) && a.rate.equals(b.rate)).toBe(false);
        }
        for (const s of segments) expect(s.base.greaterThan(0)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('is monotone non-decreasing in the as-of date', () => {
    fc.assert(
      fc.property(lineInput, fc.integer({ min: 0, max: 250 }), fc.integer({ min: 0, max: 60 }), (input, a, gap) => {
        const earlier = linePenalty(input, day(a));
        const later = linePenalty(input, day(a + gap));
        expect(later.exact.greaterThanOrEqualTo(earlier.exact)).toBe(true);
        expect(later.rounded.greaterThanOrEqualTo(earlier.rounded)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});

const TYPES = ['fee', 'interest', 'principal', 'advance', 'deposit'] as const;
const PRIORITY: Record<string, number> = { fee: 10, interest: 20, principal: 30, advance: 60, deposit: 70 };

const replayLines: fc.Arbitrary<ReplayLine[]> = fc
  .array(
    fc.record({
      seq: fc.integer({ min: 1, max: 4 }),
      type: fc.constantFrom(...TYPES),
      dueOffset: fc.integer({ min: 0, max: 120 }),
      amountDue: cents(0, 500_000),
      rates,
    }),
    { minLength: 1, maxLength: 6 },
  )
  .map((list) =>
    list.map((l, k) => ({
      id: `L${k}`,
      seq: l.seq,
      type: l.type,
      // one due date per installment keeps the schedule realistic; the offset varies the spacing
      dueDate: day(l.seq * 30 + (l.dueOffset % 5)),
      amountDue: l.amountDue,
      penaltyBearing: l.type !== 'deposit',
      priority: PRIORITY[l.type] ?? 99,
      rates: l.rates,
    })),
  );

const replayReceipts: fc.Arbitrary<ReplayReceipt[]> = fc
  .array(fc.record({ offset: fc.integer({ min: 0, max: 200 }), amount: cents(1, 800_000), order: fc.nat(5) }), {
    maxLength: 6,
  })
  .map((list) => list.map((r, k) => ({ id: `R${k}`, valueDate: day(r.offset), amount: r.amount, order: r.order })));

const contract = fc.record({
  lines: replayLines,
  receipts: replayReceipts,
  strategy: fc.constantFrom<Strategy>('by_installment', 'principal_first'),
  grace,
  asOf: fc.integer({ min: 0, max: 250 }).map(day),
});

const total = (values: Decimal[]) => sumMoney(values);

describe('replayContract properties', () => {
  it('never allocates more than is due per line, nor before the line is due', () => {
    fc.assert(
      fc.property(contract, ({ lines, receipts, strategy, grace, asOf }) => {
        const result = replayContract({ lines, receipts, strategy, grace }, asOf);
        for (const l of lines) {
          const mine = result.allocations.filter((a) => a.lineId === l.id);
          const toAmount = total(mine.filter((a) => a.target === 'amount').map((a) => a.amount));
          const toPenalty = total(mine.filter((a) => a.target === 'penalty').map((a) => a.amount));
          const figures = result.lines.find((x) => x.id === l.id);
          expect(toAmount.lessThanOrEqualTo(l.amountDue)).toBe(true);
          expect(toPenalty.lessThanOrEqualTo(figures?.penalty.rounded ?? ZERO)).toBe(true);
          expect(figures?.penaltyOutstanding.isNegative()).toBe(false);
          for (const a of mine) {
            expect(a.amount.greaterThan(0)).toBe(true);
            expect(a.valueDate >= l.dueDate).toBe(true);
            expect(a.amount.decimalPlaces()).toBeLessThanOrEqual(2);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('allocations + unapplied credit = receipts up to the as-of date', () => {
    fc.assert(
      fc.property(contract, ({ lines, receipts, strategy, grace, asOf }) => {
        const result = replayContract({ lines, receipts, strategy, grace }, asOf);
        const received = total(receipts.filter((r) => r.valueDate <= asOf).map((r) => r.amount));
        const allocated = total(result.allocations.map((a) => a.amount));
        expect(allocated.plus(result.credit).equals(received)).toBe(true);
        expect(total(result.creditMoves.map((m) => m.amount)).equals(result.credit)).toBe(true);
        expect(result.credit.isNegative()).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('credit is left only when everything due by the as-of date is paid', () => {
    fc.assert(
      fc.property(contract, ({ lines, receipts, strategy, grace, asOf }) => {
        const result = replayContract({ lines, receipts, strategy, grace }, asOf);
        if (!result.credit.greaterThan(0)) return;
        for (const l of lines.filter((x) => x.dueDate <= asOf)) {
          const figures = result.lines.find((x) => x.id === l.id);
          expect(figures?.outstanding.isZero()).toBe(true);
          expect(figures?.penaltyOutstanding.isZero()).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('does not depend on the order the receipts are given in', () => {
    const shuffled = contract.chain((c) =>
      fc.shuffledSubarray(c.receipts, { minLength: c.receipts.length, maxLength: c.receipts.length }).map((receipts) => ({ c, receipts })),
    );
    fc.assert(
      fc.property(shuffled, ({ c, receipts }) => {
        const a = replayContract({ lines: c.lines, receipts: c.receipts, strategy: c.strategy, grace: c.grace }, c.asOf);
        const b = replayContract({ lines: c.lines, receipts, strategy: c.strategy, grace: c.grace }, c.asOf);
        expect(JSON.stringify(b)).toBe(JSON.stringify(a));
      }),
      { numRuns: RUNS },
    );
  });

  it('agrees with linePenalty over its own allocations', () => {
    fc.assert(
      fc.property(contract, ({ lines, receipts, strategy, grace, asOf }) => {
        const result = replayContract({ lines, receipts, strategy, grace }, asOf);
        for (const l of lines) {
          const paid = result.allocations
            .filter((a) => a.lineId === l.id && a.target === 'amount')
            .map((a) => ({ valueDate: a.valueDate, amount: a.amount }));
          const direct = linePenalty({ ...l, paid, grace }, asOf);
          const figures = result.lines.find((x) => x.id === l.id);
          expect(figures?.penalty.exact.equals(direct.exact)).toBe(true);
          expect(figures?.outstanding.equals(l.amountDue.minus(total(paid.map((p) => p.amount))))).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
