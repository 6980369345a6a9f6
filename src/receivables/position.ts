// A contract's position as of a business date: per line what is due, paid, outstanding and overdue, and the
// penalty figures; the JSON shape of `zq contract show` (CLI.md). Figures count only postings with a value
// date on or before the as-of date.
import type { Knex } from 'knex';
import { type BusinessDate, daysBetween } from '../core/dates.js';
import { dec, type Money, sumMoney, ZERO } from '../core/money.js';
import { creditSql, type LineBalanceRow, lineBalances } from '../ledger/balances.js';
import type { ContractRef } from '../ledger/contract-ref.js';

export interface PositionLine {
  id: number;
  seq: number;
  type: string;
  dueDate: BusinessDate;
  amountDue: Money;
  amountPaid: Money;
  writtenOff: Money;
  recovered: Money; // money received on the line after it was written off (bad debt): not a payment
  outstanding: Money;
  overdueDays: number;
  penaltyAccrued: Money;
  penaltyPaid: Money;
  penaltyWaived: Money;
  penaltyOutstanding: Money;
}

export interface Position {
  contract: ContractRef;
  asOf: BusinessDate;
  lines: PositionLine[];
  credit: Money;
}

/** Penalty accrued (rounded) per line id as of the date; supplied by the penalty module. */
export type PenaltyAccrual = (knex: Knex, contract: ContractRef, asOf: BusinessDate) => Promise<Map<number, Money>>;

const noPenalty: PenaltyAccrual = async () => new Map();

/** A line's figures from its balance (src/ledger/balances.ts), with the overdue days and the computed penalty. */
function positionLine(row: LineBalanceRow, asOf: BusinessDate, computedPenalty: Money): PositionLine {
  const outstanding = dec(row.outstanding);
  const penaltyAccrued = computedPenalty.plus(dec(row.penaltyOpening));
  const penaltyPaid = dec(row.penaltyPaid);
  const penaltyWaived = dec(row.penaltyWaived);
  return {
    id: row.lineId,
    seq: row.seq,
    type: row.type,
    dueDate: row.dueDate,
    amountDue: dec(row.amountDue),
    amountPaid: dec(row.amountPaid),
    writtenOff: dec(row.writtenOff),
    recovered: dec(row.recovered),
    outstanding,
    overdueDays: outstanding.greaterThan(0) && asOf > row.dueDate ? daysBetween(row.dueDate, asOf) : 0,
    penaltyAccrued,
    penaltyPaid,
    penaltyWaived,
    penaltyOutstanding: penaltyAccrued.minus(penaltyPaid).minus(penaltyWaived),
  };
}

/**
 * The contract's position as of the date: its line balances and credit from the one set-based query of
 * src/ledger/balances.ts, the penalty the system computes from `penaltyAccrual`.
 */
export async function contractPosition(
  knex: Knex,
  contract: ContractRef,
  asOf: BusinessDate,
  penaltyAccrual: PenaltyAccrual = noPenalty,
): Promise<Position> {
  const rows = (await lineBalances(knex, asOf, [contract.id])
    .join('receivable_types as t', 't.code', 'l.receivable_type')
    .orderBy([{ column: 'l.due_date' }, { column: 'l.seq' }, { column: 't.allocation_priority' }])) as LineBalanceRow[];
  const credit = creditSql(asOf, { sql: 'p.contract_id = ?', bindings: [contract.id] });
  const [creditRow] = (await knex.raw(credit.sql, credit.bindings)).rows as { credit: string }[];
  const penalties = await penaltyAccrual(knex, contract, asOf);
  const lines = rows.map((row) => positionLine(row, asOf, penalties.get(row.lineId) ?? ZERO));
  return { contract, asOf, lines, credit: creditRow ? dec(creditRow.credit) : ZERO };
}

export interface PositionTotals {
  amountDue: Money;
  amountPaid: Money;
  outstanding: Money;
  overdue: Money;
  penaltyAccrued: Money;
  penaltyPaid: Money;
  penaltyWaived: Money;
  penaltyOutstanding: Money;
  credit: Money;
  writtenOff: Money;
  recovered: Money;
}

export function positionTotals(position: Position): PositionTotals {
  const total = (pick: (l: PositionLine) => Money) => sumMoney(position.lines.map(pick));
  return {
    amountDue: total((l) => l.amountDue),
    amountPaid: total((l) => l.amountPaid),
    outstanding: total((l) => l.outstanding),
    overdue: total((l) => (l.dueDate < position.asOf ? l.outstanding : ZERO)),
    penaltyAccrued: total((l) => l.penaltyAccrued),
    penaltyPaid: total((l) => l.penaltyPaid),
    penaltyWaived: total((l) => l.penaltyWaived),
    penaltyOutstanding: total((l) => l.penaltyOutstanding),
    credit: position.credit,
    writtenOff: total((l) => l.writtenOff),
    recovered: total((l) => l.recovered),
  };
}
