// A contract's position as of a business date: per line what is due, paid, outstanding and overdue, and the
// penalty figures; the JSON shape of `zq contract show` (CLI.md). Figures count only postings with a value
// date on or before the as-of date.
import type { Knex } from 'knex';
import { type BusinessDate, daysBetween } from '../core/dates.js';
import { dec, formatMoney, type Money, sumMoney, ZERO } from '../core/money.js';
import type { ContractRef } from '../ledger/contract-ref.js';
import {
  ACCRUES_PENALTY,
  CREDIT_IN,
  CREDIT_OUT,
  FORGIVES_PENALTY,
  isKind,
  PAYS_LINE,
  PAYS_PENALTY,
  RECOVERS,
  WRITES_OFF,
} from '../ledger/kinds.js';

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

interface LineRow {
  id: number;
  seq: number;
  type: string;
  dueDate: string;
  amountDue: string;
}

interface SumRow {
  lineId: number | null;
  kind: string;
  total: string;
}

export { linesInEffect } from '../ledger/lines.js';

import { linesInEffect } from '../ledger/lines.js';

export async function contractPosition(
  knex: Knex,
  contract: ContractRef,
  asOf: BusinessDate,
  penaltyAccrual: PenaltyAccrual = noPenalty,
): Promise<Position> {
  const lineRows = (await linesInEffect(knex, asOf)
    .join('receivable_types as t', 't.code', 'l.receivable_type')
    .where('l.contract_id', contract.id)
    .orderBy([{ column: 'l.due_date' }, { column: 'l.seq' }, { column: 't.allocation_priority' }])
    .select('l.id', 'l.seq', 'l.receivable_type as type', 'l.due_date as dueDate', 'l.amount_due as amountDue')) as LineRow[];
  const sums = (await knex('postings')
    .where({ contract_id: contract.id })
    .where('value_date', '<=', asOf)
    .groupBy('schedule_line_id', 'kind')
    .select('schedule_line_id as lineId', 'kind', knex.raw('sum(signed_amount)::text as total'))) as SumRow[];
  const penalties = await penaltyAccrual(knex, contract, asOf);

  const byLine = new Map<number, Map<string, Money>>();
  let credit = ZERO;
  for (const row of sums) {
    const amount = dec(row.total);
    if (isKind(CREDIT_IN, row.kind)) credit = credit.plus(amount);
    if (isKind(CREDIT_OUT, row.kind)) credit = credit.minus(amount);
    if (row.lineId === null) continue;
    const kinds = byLine.get(row.lineId) ?? new Map<string, Money>();
    kinds.set(row.kind, (kinds.get(row.kind) ?? ZERO).plus(amount));
    byLine.set(row.lineId, kinds);
  }
  const lines = lineRows.map((row): PositionLine => {
    const kinds = byLine.get(row.id) ?? new Map<string, Money>();
    const of = (list: readonly string[]) => sumMoney(list.map((k) => kinds.get(k) ?? ZERO));
    const amountDue = dec(row.amountDue);
    const amountPaid = of(PAYS_LINE);
    const writtenOff = of(WRITES_OFF);
    const recovered = of(RECOVERS);
    const outstanding = amountDue.minus(amountPaid).minus(writtenOff);
    const penaltyAccrued = (penalties.get(row.id) ?? ZERO).plus(of(ACCRUES_PENALTY));
    const penaltyPaid = of(PAYS_PENALTY);
    const penaltyWaived = of(FORGIVES_PENALTY);
    return {
      id: row.id,
      seq: row.seq,
      type: row.type,
      dueDate: row.dueDate,
      amountDue,
      amountPaid,
      writtenOff,
      recovered,
      outstanding,
      overdueDays: outstanding.greaterThan(0) && asOf > row.dueDate ? daysBetween(row.dueDate, asOf) : 0,
      penaltyAccrued,
      penaltyPaid,
      penaltyWaived,
      penaltyOutstanding: penaltyAccrued.minus(penaltyPaid).minus(penaltyWaived),
    };
  });
  return { contract, asOf, lines, credit };
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

/** Money fields as two-decimal strings: the JSON of CLI.md. */
export function moneyJson<T extends object>(record: T): { [K in keyof T]: T[K] extends Money ? string : T[K] } {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    out[key] = value instanceof Object && 'toFixed' in value && 'decimalPlaces' in value ? formatMoney(value as Money) : value;
  }
  return out as { [K in keyof T]: T[K] extends Money ? string : T[K] };
}
