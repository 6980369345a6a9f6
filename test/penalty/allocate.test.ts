// Allocation of receipts and contract replay (RULES.md "Allocation of receipts"), hand-worked figures.
// Rate 0.0005/day throughout, so one day of penalty on an amount A is A × 0.0005.
import { describe, expect, it } from 'vitest';
import { Dec } from '../../src/core/money.js';
import {
  allocateReceipt,
  applyCredit,
  initialState,
  type ReplayInput,
  type ReplayLine,
  type ReplayReceipt,
  replayContract,
  type Strategy,
} from '../../src/penalty/allocate.js';
import type { GraceSetting } from '../../src/penalty/compute.js';

const RATES = [{ from: '2020-01-01', dailyRate: new Dec('0.0005') }];
const NO_GRACE: GraceSetting = { days: 0, mode: 'retroactive' };
const PRIORITY: Record<string, number> = {
  fee: 10,
  interest: 20,
  principal: 30,
  down_payment: 40,
  on_behalf_payment: 50,
  advance: 60,
  deposit: 70,
};

function line(id: string, seq: number, type: string, dueDate: string, amount: string, extra: Partial<ReplayLine> = {}) {
  const l: ReplayLine = {
    id,
    seq,
    type,
    dueDate,
    amountDue: new Dec(amount),
    penaltyBearing: type !== 'deposit',
    priority: PRIORITY[type] ?? 99,
    rates: RATES,
    ...extra,
  };
  return l;
}

function receipt(id: string, valueDate: string, amount: string, order = 0): ReplayReceipt {
  return { id, valueDate, amount: new Dec(amount), order };
}

function replay(strategy: Strategy, lines: ReplayLine[], receipts: ReplayReceipt[], asOf: string, extra: Partial<ReplayInput> = {}) {
  return replayContract({ lines, receipts, strategy, grace: NO_GRACE, ...extra }, asOf);
}

/** Allocations as short rows: receipt, line, target, amount, value date, kind. */
function rows(result: ReturnType<typeof replayContract>) {
  return result.allocations.map((a) => [a.receiptId, a.lineId, a.target, a.amount.toFixed(2), a.valueDate, a.kind]);
}

function lineFigures(result: ReturnType<typeof replayContract>, id: string) {
  const l = result.lines.find((x) => x.id === id);
  if (!l) throw new Error(`no line ${id}`);
  return {
    paid: l.paid.toFixed(2),
    outstanding: l.outstanding.toFixed(2),
    penalty: l.penalty.rounded.toFixed(2),
    penaltyPaid: l.penaltyPaid.toFixed(2),
    penaltyWaived: l.penaltyWaived.toFixed(2),
    penaltyOutstanding: l.penaltyOutstanding.toFixed(2),
    overdueDays: l.penalty.overdueDays,
  };
}

describe('RULES.md worked example: 10,000.00 due 03-10, 4,000.00 on 03-20, as of 04-09', () => {
  const lines = [line('L1', 1, 'principal', '2026-03-10', '10000.00')];
  const receipts = [receipt('R1', '2026-03-20', '4000.00')];

  it('principal_first: all 4,000.00 to the principal, penalty 110.00, 30 overdue days', () => {
    // 03-11…03-20 10 d × 10,000.00 × 0.0005 = 50.00; 03-21…04-09 20 d × 6,000.00 × 0.0005 = 60.00.
    const result = replay('principal_first', lines, receipts, '2026-04-09');
    expect(rows(result)).toEqual([['R1', 'L1', 'amount', '4000.00', '2026-03-20', 'allocation']]);
    expect(lineFigures(result, 'L1')).toEqual({
      paid: '4000.00',
      outstanding: '6000.00',
      penalty: '110.00',
      penaltyPaid: '0.00',
      penaltyWaived: '0.00',
      penaltyOutstanding: '110.00',
      overdueDays: 30,
    });
    expect(result.credit.toFixed(2)).toBe('0.00');
  });

  it('by_installment: 50.00 to penalty first, 3,950.00 to principal, penalty 110.50 of which 60.50 outstanding', () => {
    // Penalty as of 03-20: 10 d × 10,000.00 × 0.0005 = 50.00, paid first; principal gets 3,950.00;
    // 03-21…04-09 20 d × 6,050.00 × 0.0005 = 60.50; accrued 110.50, paid 50.00, outstanding 60.50.
    const result = replay('by_installment', lines, receipts, '2026-04-09');
    expect(rows(result)).toEqual([
      ['R1', 'L1', 'penalty', '50.00', '2026-03-20', 'penalty_allocation'],
      ['R1', 'L1', 'amount', '3950.00', '2026-03-20', 'allocation'],
    ]);
    expect(lineFigures(result, 'L1')).toEqual({
      paid: '3950.00',
      outstanding: '6050.00',
      penalty: '110.50',
      penaltyPaid: '50.00',
      penaltyWaived: '0.00',
      penaltyOutstanding: '60.50',
      overdueDays: 30,
    });
  });
});

describe('by_installment order within one installment (民法典 Art. 561)', () => {
  // Installment 1 due 03-10: fee 100.00, interest 200.00, principal 1,000.00, on-behalf 80.00 (priority 50),
  // advance 50.00 (priority 60). Penalty as of 03-20 (10 days × 0.0005 = 0.5 %): fee 0.50, interest 1.00,
  // principal 5.00, on-behalf 0.40, advance 0.25 = 7.15.
  // 1,310.00: fee 100.00 → penalties 7.15 → interest 200.00 → principal 1,000.00 → on-behalf 2.85 (the rest).
  const lines = [
    line('adv', 1, 'advance', '2026-03-10', '50.00'),
    line('prin', 1, 'principal', '2026-03-10', '1000.00'),
    line('obp', 1, 'on_behalf_payment', '2026-03-10', '80.00'),
    line('int', 1, 'interest', '2026-03-10', '200.00'),
    line('fee', 1, 'fee', '2026-03-10', '100.00'),
  ];

  it('fee, then every line’s penalty, then interest, principal, others by priority', () => {
    const result = replay('by_installment', lines, [receipt('R1', '2026-03-20', '1310.00')], '2026-03-20');
    expect(rows(result).map((r) => [r[1], r[2], r[3]])).toEqual([
      ['fee', 'amount', '100.00'],
      ['fee', 'penalty', '0.50'],
      ['int', 'penalty', '1.00'],
      ['prin', 'penalty', '5.00'],
      ['obp', 'penalty', '0.40'],
      ['adv', 'penalty', '0.25'],
      ['int', 'amount', '200.00'],
      ['prin', 'amount', '1000.00'],
      ['obp', 'amount', '2.85'],
    ]);
    expect(lineFigures(result, 'obp').outstanding).toBe('77.15');
    expect(lineFigures(result, 'adv').outstanding).toBe('50.00');
  });

  it('a deposit line owes no penalty and comes last by priority', () => {
    const withDeposit = [...lines, line('dep', 1, 'deposit', '2026-03-10', '500.00')];
    // Everything above (1,430.00 + 7.15 = 1,437.15) and 100.00 of the deposit: 1,537.15.
    const result = replay('by_installment', withDeposit, [receipt('R1', '2026-03-20', '1537.15')], '2026-03-20');
    expect(rows(result).filter((r) => r[1] === 'dep')).toEqual([['R1', 'dep', 'amount', '100.00', '2026-03-20', 'allocation']]);
    expect(lineFigures(result, 'dep').penalty).toBe('0.00');
  });
});

describe('by_installment across installments; principal_first across installments', () => {
  // Principal 1,000.00 due 03-10 and 1,000.00 due 04-10; 1,500.00 received 04-20.
  const lines = [line('P1', 1, 'principal', '2026-03-10', '1000.00'), line('P2', 2, 'principal', '2026-04-10', '1000.00')];
  const receipts = [receipt('R1', '2026-04-20', '1500.00')];

  it('by_installment pays installment 1 whole (penalty, principal) before installment 2', () => {
    // P1 penalty as of 04-20: 03-11…04-20 41 d × 1,000.00 × 0.0005 = 20.50; P1 1,000.00;
    // P2 penalty 04-11…04-20 10 d × 1,000.00 × 0.0005 = 5.00; P2 gets 1,500.00 − 1,025.50 = 474.50.
    const result = replay('by_installment', lines, receipts, '2026-04-20');
    expect(rows(result).map((r) => [r[1], r[2], r[3]])).toEqual([
      ['P1', 'penalty', '20.50'],
      ['P1', 'amount', '1000.00'],
      ['P2', 'penalty', '5.00'],
      ['P2', 'amount', '474.50'],
    ]);
  });

  it('principal_first pays both principals before any penalty', () => {
    const result = replay('principal_first', lines, receipts, '2026-04-20');
    expect(rows(result).map((r) => [r[1], r[2], r[3]])).toEqual([
      ['P1', 'amount', '1000.00'],
      ['P2', 'amount', '500.00'],
    ]);
    // Penalty stays owed: P1 20.50; P2 10 d × 1,000.00 × 0.0005 = 5.00.
    expect(lineFigures(result, 'P1').penaltyOutstanding).toBe('20.50');
    expect(lineFigures(result, 'P2').penaltyOutstanding).toBe('5.00');
  });

  it('principal_first: principal, then interest, then penalty, the rest is credit', () => {
    // Interest 100.00 + principal 1,000.00 due 03-10; the same due 04-10.
    const four = [
      line('I1', 1, 'interest', '2026-03-10', '100.00'),
      line('P1', 1, 'principal', '2026-03-10', '1000.00'),
      line('I2', 2, 'interest', '2026-04-10', '100.00'),
      line('P2', 2, 'principal', '2026-04-10', '1000.00'),
    ];
    // 04-20, 2,150.00: P1 1,000.00, P2 1,000.00, I1 100.00, I2 50.00.
    // 04-30, 500.00: I2 50.00; penalties as of 04-30:
    //   I1 03-11…04-20 41 d × 100.00 × 0.0005 = 2.05; P1 41 d × 1,000.00 × 0.0005 = 20.50;
    //   I2 04-11…04-20 10 d × 100.00 × 0.0005 = 0.50 + 04-21…04-30 10 d × 50.00 × 0.0005 = 0.25 → 0.75;
    //   P2 04-11…04-20 10 d × 1,000.00 × 0.0005 = 5.00; total 28.30; credit 500.00 − 50.00 − 28.30 = 421.70.
    const result = replay(
      'principal_first',
      four,
      [receipt('R1', '2026-04-20', '2150.00'), receipt('R2', '2026-04-30', '500.00')],
      '2026-04-30',
    );
    expect(rows(result).map((r) => [r[0], r[1], r[2], r[3]])).toEqual([
      ['R1', 'P1', 'amount', '1000.00'],
      ['R1', 'P2', 'amount', '1000.00'],
      ['R1', 'I1', 'amount', '100.00'],
      ['R1', 'I2', 'amount', '50.00'],
      ['R2', 'I2', 'amount', '50.00'],
      ['R2', 'I1', 'penalty', '2.05'],
      ['R2', 'P1', 'penalty', '20.50'],
      ['R2', 'I2', 'penalty', '0.75'],
      ['R2', 'P2', 'penalty', '5.00'],
    ]);
    expect(result.credit.toFixed(2)).toBe('421.70');
    expect(result.creditMoves.map((m) => [m.valueDate, m.amount.toFixed(2), m.receiptId])).toEqual([['2026-04-30', '421.70', 'R2']]);
  });
});

describe('credit (预收) is applied on each due date and never bears penalty', () => {
  // Three principal lines of 1,000.00 due 03-10, 04-10, 05-10; 2,500.00 received 03-10.
  const lines = [
    line('P1', 1, 'principal', '2026-03-10', '1000.00'),
    line('P2', 2, 'principal', '2026-04-10', '1000.00'),
    line('P3', 3, 'principal', '2026-05-10', '1000.00'),
  ];
  const receipts = [receipt('R1', '2026-03-10', '2500.00')];

  it('pays what is due, keeps the rest as credit until the next due date', () => {
    const result = replay('by_installment', lines, receipts, '2026-04-09');
    expect(rows(result)).toEqual([['R1', 'P1', 'amount', '1000.00', '2026-03-10', 'allocation']]);
    expect(result.credit.toFixed(2)).toBe('1500.00');
  });

  it('applies credit on the due dates; the shortfall of 500.00 on P3 accrues from 05-11', () => {
    // P3: 05-11…05-20 10 d × 500.00 × 0.0005 = 2.50. P2 was paid on its due date: no penalty.
    const result = replay('by_installment', lines, receipts, '2026-05-20');
    expect(rows(result)).toEqual([
      ['R1', 'P1', 'amount', '1000.00', '2026-03-10', 'allocation'],
      [null, 'P2', 'amount', '1000.00', '2026-04-10', 'credit_application'],
      [null, 'P3', 'amount', '500.00', '2026-05-10', 'credit_application'],
    ]);
    expect(result.creditMoves.map((m) => [m.valueDate, m.amount.toFixed(2), m.receiptId])).toEqual([
      ['2026-03-10', '1500.00', 'R1'],
      ['2026-04-10', '-1000.00', null],
      ['2026-05-10', '-500.00', null],
    ]);
    expect(result.credit.toFixed(2)).toBe('0.00');
    expect(lineFigures(result, 'P2').penalty).toBe('0.00');
    expect(lineFigures(result, 'P3')).toMatchObject({ outstanding: '500.00', penalty: '2.50', overdueDays: 10 });
  });

  it('a receipt after the as-of date does not count yet', () => {
    const result = replay('by_installment', lines, [...receipts, receipt('R2', '2026-06-01', '9.99')], '2026-05-20');
    expect(result.allocations.some((a) => a.receiptId === 'R2')).toBe(false);
  });
});

describe('grace, waivers, imports and the stop date in a replay', () => {
  const L1 = line('L1', 1, 'principal', '2026-03-10', '10000.00');

  it('grace 5 retroactive: paid in full on 03-15 → no penalty at all', () => {
    const result = replay('by_installment', [L1], [receipt('R1', '2026-03-15', '10000.00')], '2026-04-09', {
      grace: { days: 5, mode: 'retroactive' },
    });
    expect(lineFigures(result, 'L1')).toMatchObject({ outstanding: '0.00', penalty: '0.00' });
  });

  it('grace 5 retroactive: 10,000.00 on 03-16 pays 30.00 penalty first; 30.00 principal keeps accruing', () => {
    // As of 03-16: 03-11…03-16 6 d × 10,000.00 × 0.0005 = 30.00, paid; principal 9,970.00.
    // 03-17…03-26 10 d × 30.00 × 0.0005 = 0.15; accrued 30.15, outstanding penalty 0.15.
    const result = replay('by_installment', [L1], [receipt('R1', '2026-03-16', '10000.00')], '2026-03-26', {
      grace: { days: 5, mode: 'retroactive' },
    });
    expect(lineFigures(result, 'L1')).toMatchObject({
      paid: '9970.00',
      outstanding: '30.00',
      penalty: '30.15',
      penaltyPaid: '30.00',
      penaltyOutstanding: '0.15',
    });
  });

  it('an approved waiver lowers the outstanding penalty and what the next receipt pays', () => {
    // Worked example by_installment, plus 20.00 waived on 04-01: outstanding 110.50 − 50.00 − 20.00 = 40.50.
    // A second receipt of 6,100.00 on 04-09: penalty 40.50, principal 6,050.00, credit 9.50.
    const waived = [{ valueDate: '2026-04-01', amount: new Dec('20.00') }];
    const receipts = [receipt('R1', '2026-03-20', '4000.00')];
    const before = replay('by_installment', [{ ...L1, waived }], receipts, '2026-04-09');
    expect(lineFigures(before, 'L1')).toMatchObject({ penaltyWaived: '20.00', penaltyOutstanding: '40.50' });
    const after = replay('by_installment', [{ ...L1, waived }], [...receipts, receipt('R2', '2026-04-09', '6100.00')], '2026-04-09');
    expect(
      rows(after)
        .slice(2)
        .map((r) => [r[2], r[3]]),
    ).toEqual([
      ['penalty', '40.50'],
      ['amount', '6050.00'],
    ]);
    expect(after.credit.toFixed(2)).toBe('9.50');
    expect(lineFigures(after, 'L1').penaltyOutstanding).toBe('0.00');
  });

  it('an imported line: opening paid on the cut-over, opening penalty accrued and paid', () => {
    // Due 01-10, cut-over 03-31: 4,000.00 paid, 123.4567 penalty accrued, 100.00 penalty paid.
    // Receipt 1,000.00 on 04-09: penalty 123.4567 + 04-01…04-09 9 d × 6,000.00 × 0.0005 = 27 → 150.4567 → 150.46;
    // owed 150.46 − 100.00 = 50.46; principal 949.54; outstanding 6,000.00 − 949.54 = 5,050.46.
    const imported = line('L1', 1, 'principal', '2026-01-10', '10000.00', {
      cutoverDate: '2026-03-31',
      openingPaid: new Dec('4000.00'),
      openingPenaltyAccrued: new Dec('123.4567'),
      openingPenaltyPaid: new Dec('100.00'),
    });
    const result = replay('by_installment', [imported], [receipt('R1', '2026-04-09', '1000.00')], '2026-04-09');
    expect(rows(result).map((r) => [r[2], r[3]])).toEqual([
      ['penalty', '50.46'],
      ['amount', '949.54'],
    ]);
    expect(lineFigures(result, 'L1')).toMatchObject({
      paid: '4949.54',
      outstanding: '5050.46',
      penalty: '150.46',
      penaltyPaid: '150.46',
      penaltyOutstanding: '0.00',
      overdueDays: 89,
    });
  });

  it('a contract stop date (bad-debt confirmation 03-25) stops accrual', () => {
    // 03-11…03-24 14 d × 10,000.00 × 0.0005 = 70.00.
    const result = replay('by_installment', [L1], [], '2026-04-09', { stopDate: '2026-03-25' });
    expect(lineFigures(result, 'L1').penalty).toBe('70.00');
  });

  it('receipts on the same value date follow their order, not the order given', () => {
    const receipts = [receipt('B', '2026-03-20', '4000.00', 2), receipt('A', '2026-03-20', '100.00', 1)];
    const result = replay('by_installment', [L1], receipts, '2026-04-09');
    // A pays 50.00 penalty and 50.00 principal, then B 4,000.00 principal; same figures as one 4,100.00 receipt.
    expect(rows(result).map((r) => [r[0], r[2], r[3]])).toEqual([
      ['A', 'penalty', '50.00'],
      ['A', 'amount', '50.00'],
      ['B', 'amount', '4000.00'],
    ]);
  });
});

describe('allocateReceipt and applyCredit on their own', () => {
  const lines = [line('P1', 1, 'principal', '2026-03-10', '1000.00'), line('P2', 2, 'principal', '2026-04-10', '1000.00')];

  it('returns a new state and leaves the given one untouched', () => {
    const state = initialState(lines, NO_GRACE);
    const outcome = allocateReceipt(state, receipt('R1', '2026-03-10', '1200.00'), 'by_installment');
    expect(outcome.allocations.map((a) => [a.lineId, a.amount.toFixed(2)])).toEqual([['P1', '1000.00']]);
    expect(outcome.creditMove?.amount.toFixed(2)).toBe('200.00');
    expect(outcome.state.credit.toFixed(2)).toBe('200.00');
    expect(state.credit.toFixed(2)).toBe('0.00');
    expect(state.lines[0]?.paid).toEqual([]);

    const applied = applyCredit(outcome.state, '2026-04-10', 'by_installment');
    expect(applied.allocations.map((a) => [a.receiptId, a.lineId, a.amount.toFixed(2), a.kind])).toEqual([
      [null, 'P2', '200.00', 'credit_application'],
    ]);
    expect(applied.creditMove?.amount.toFixed(2)).toBe('-200.00');
    expect(applied.state.credit.toFixed(2)).toBe('0.00');
  });

  it('with no credit, applyCredit does nothing', () => {
    const state = initialState(lines, NO_GRACE);
    expect(applyCredit(state, '2026-04-10', 'principal_first')).toEqual({ state, allocations: [], creditMove: null });
  });

  it('refuses a receipt of zero, duplicate ids, and opening paid without a cut-over', () => {
    const state = initialState(lines, NO_GRACE);
    expect(() => allocateReceipt(state, receipt('R0', '2026-03-10', '0.00'), 'by_installment')).toThrow(/invariant/);
    expect(() => initialState([...lines, lines[0] as ReplayLine], NO_GRACE)).toThrow(/invariant/);
    expect(() => initialState([{ ...(lines[0] as ReplayLine), openingPaid: new Dec('1.00') }], NO_GRACE)).toThrow(/cut-over/);
    const twice = [receipt('R1', '2026-03-10', '1.00'), receipt('R1', '2026-03-11', '1.00')];
    expect(() => replay('by_installment', lines, twice, '2026-04-01')).toThrow(/unique/);
  });
});
