// Line balances as of a date: per schedule line what is due, paid, written off, recovered, and the penalty the
// postings carry (imported before a cut-over, paid, waived); per contract the advance-receipt credit. Figures
// count only postings value-dated on or before the as-of date (CLI.md: a receipt with a later value date does
// not count yet). Two forms that must agree, and a property test proves they do on random worlds:
// - `balancesOf`, pure, over plain lines and postings;
// - `lineBalancesSql` / `lineBalances`, set-based, one statement whatever the number of lines — used by
//   `contract show`, `contract list`, the reconciliation and the reports.
// The penalty the system computes after a cut-over is not a posting: the penalty module adds it.
import type { Knex } from 'knex';
import type { BusinessDate } from '../core/dates.js';
import { dec, type Money, ZERO } from '../core/money.js';
import {
  ACCRUES_PENALTY,
  CREDIT_IN,
  CREDIT_OUT,
  FORGIVES_PENALTY,
  isKind,
  kindsSql,
  PAYS_LINE,
  PAYS_PENALTY,
  type PostingKind,
  RECOVERS,
  WRITES_OFF,
} from './kinds.js';
import { linesInEffect } from './lines.js';

export interface LineFacts {
  id: number;
  contractId: number;
  amountDue: Money;
}

export interface PostingFacts {
  contractId: number;
  lineId: number | null;
  kind: PostingKind;
  valueDate: BusinessDate;
  /** amount, negative for a reversal */
  signedAmount: Money;
}

export interface LineBalance {
  lineId: number;
  amountDue: Money;
  amountPaid: Money;
  writtenOff: Money;
  recovered: Money;
  /** amount due − paid − written off */
  outstanding: Money;
  penaltyOpening: Money;
  penaltyPaid: Money;
  penaltyWaived: Money;
}

/** The sums of one line, by the groups of kinds/columns: one definition for both forms. */
const SUMS = [
  { field: 'amountPaid', column: 'paid', kinds: PAYS_LINE },
  { field: 'writtenOff', column: 'written_off', kinds: WRITES_OFF },
  { field: 'recovered', column: 'recovered', kinds: RECOVERS },
  { field: 'penaltyOpening', column: 'penalty_opening', kinds: ACCRUES_PENALTY },
  { field: 'penaltyPaid', column: 'penalty_paid', kinds: PAYS_PENALTY },
  { field: 'penaltyWaived', column: 'penalty_waived', kinds: FORGIVES_PENALTY },
] as const;

type SumField = (typeof SUMS)[number]['field'];

/** Pure: each line's balance as of the date from its postings. */
export function balancesOf(lines: readonly LineFacts[], postings: readonly PostingFacts[], asOf: BusinessDate): LineBalance[] {
  const sums = new Map<number, Record<SumField, Money>>();
  for (const line of lines) sums.set(line.id, Object.fromEntries(SUMS.map((s) => [s.field, ZERO])) as Record<SumField, Money>);
  for (const p of postings) {
    if (p.lineId === null || p.valueDate > asOf) continue;
    const line = sums.get(p.lineId);
    if (!line) continue;
    for (const s of SUMS) if (isKind(s.kinds, p.kind)) line[s.field] = line[s.field].plus(p.signedAmount);
  }
  return lines.map((line) => {
    const s = sums.get(line.id) as Record<SumField, Money>;
    return { lineId: line.id, amountDue: line.amountDue, ...s, outstanding: line.amountDue.minus(s.amountPaid).minus(s.writtenOff) };
  });
}

/** Pure: the advance-receipt credit (预收) of each contract as of the date. */
export function creditsOf(postings: readonly PostingFacts[], asOf: BusinessDate): Map<number, Money> {
  const credit = new Map<number, Money>();
  for (const p of postings) {
    if (p.valueDate > asOf) continue;
    const sign = isKind(CREDIT_IN, p.kind) ? 1 : isKind(CREDIT_OUT, p.kind) ? -1 : 0;
    if (sign !== 0) credit.set(p.contractId, (credit.get(p.contractId) ?? ZERO).plus(p.signedAmount.times(sign)));
  }
  return credit;
}

type SumColumn = (typeof SUMS)[number]['column'];

export interface LineSumsOptions {
  /** FROM clause of the postings to sum, aliased p (default: every posting). */
  postings?: string | undefined;
  /** A further condition on p (e.g. `p.contract_id = ?`) and its bindings. */
  where?: { sql: string; bindings: readonly Knex.RawBinding[] } | undefined;
  /** Only these sums (default: all of them): a caller that needs a few reads only their kinds' postings. */
  only?: readonly SumColumn[] | undefined;
  /**
   * Also, in the same pass, what pays each line whatever its value date: paid_ever, and paid_last, the latest
   * value date of those postings (what schedule_lines.paid and paid_last carry; the reconciliation checks them).
   */
  ever?: boolean | undefined;
}

/**
 * Set-based: per line with postings, the sums of balancesOf as of the date (columns line_id, paid,
 * written_off, recovered, penalty_opening, penalty_paid, penalty_waived, or those `only` names; with `ever`
 * also paid_ever and paid_last). Lines without postings have no row.
 */
export function lineSumsSql(asOf: BusinessDate, options: LineSumsOptions = {}): { sql: string; bindings: Knex.RawBinding[] } {
  const only = options.only;
  const sums = only ? SUMS.filter((s) => only.includes(s.column)) : SUMS;
  // with `ever` the as-of date filters each sum, not the postings read
  const dated = options.ever ? ' AND p.value_date <= ?::date' : '';
  const columns = sums.map(
    (s) => `coalesce(sum(p.signed_amount) FILTER (WHERE p.kind IN (${kindsSql(s.kinds)})${dated}), 0) AS ${s.column}`,
  );
  if (options.ever) {
    columns.push(
      `coalesce(sum(p.signed_amount) FILTER (WHERE p.kind IN (${kindsSql(PAYS_LINE)})), 0) AS paid_ever`,
      `max(p.value_date) FILTER (WHERE p.kind IN (${kindsSql(PAYS_LINE)})) AS paid_last`,
    );
  }
  const kinds = kindsSql([...new Set([...sums.flatMap((s) => [...s.kinds]), ...(options.ever ? PAYS_LINE : [])])]);
  return {
    sql: `SELECT p.schedule_line_id AS line_id, ${columns.join(', ')}
            FROM ${options.postings ?? 'postings p'}
           WHERE p.schedule_line_id IS NOT NULL AND p.kind IN (${kinds})${options.ever ? '' : ' AND p.value_date <= ?::date'}
             ${options.where ? `AND (${options.where.sql})` : ''}
           GROUP BY p.schedule_line_id`,
    bindings: [...(options.ever ? sums.map(() => asOf) : [asOf]), ...(options.where?.bindings ?? [])],
  };
}

/** Set-based: each contract's credit as of the date (columns contract_id, credit). */
export function creditSql(asOf: BusinessDate, where?: LineSumsOptions['where']): { sql: string; bindings: Knex.RawBinding[] } {
  return {
    sql: `SELECT p.contract_id, sum(CASE WHEN p.kind IN (${kindsSql(CREDIT_IN)}) THEN p.signed_amount ELSE -p.signed_amount END) AS credit
            FROM postings p
           WHERE p.kind IN (${kindsSql([...CREDIT_IN, ...CREDIT_OUT])}) AND p.value_date <= ?::date
             ${where ? `AND (${where.sql})` : ''}
           GROUP BY p.contract_id`,
    bindings: [asOf, ...(where?.bindings ?? [])],
  };
}

/** A row of lineBalances: the line (in effect on the date) and its balance, as the database returns them. */
export interface LineBalanceRow {
  lineId: number;
  contractId: number;
  seq: number;
  type: string;
  dueDate: BusinessDate;
  amountDue: string;
  amountPaid: string;
  writtenOff: string;
  recovered: string;
  outstanding: string;
  penaltyOpening: string;
  penaltyPaid: string;
  penaltyWaived: string;
}

/**
 * The line balances as of a date, set-based: every line in effect on the date of the contracts `contracts`
 * selects (a subquery of contract ids, or a list), with its sums; lines without postings show zeros. The
 * figures are text (LineBalanceRow), or numeric with `numeric` for a query that computes on them.
 */
export function lineBalances(
  knex: Knex,
  asOf: BusinessDate,
  contracts: Knex.QueryBuilder | readonly number[],
  options: { numeric?: boolean } = {},
): Knex.QueryBuilder {
  const where = Array.isArray(contracts)
    ? { sql: `p.contract_id = ANY(?::bigint[])`, bindings: [contracts as unknown as Knex.RawBinding] }
    : undefined;
  const sums = lineSumsSql(asOf, where ? { where } : {});
  // text for a caller that reads the rows; numeric for a query built on them (a report sums a million lines)
  const money = (sql: string) => `${sql}::numeric(18,2)${options.numeric ? '' : '::text'}`;
  const q = linesInEffect(knex, asOf)
    .leftJoin(knex.raw(`(${sums.sql}) AS s`, sums.bindings), 's.line_id', 'l.id')
    .select(
      'l.id as lineId',
      'l.contract_id as contractId',
      'l.seq',
      'l.receivable_type as type',
      'l.due_date as dueDate',
      'l.amount_due as amountDue',
      ...SUMS.map((s) => knex.raw(`${money(`coalesce(s.${s.column}, 0)`)} AS "${s.field}"`)),
      knex.raw(`${money('(l.amount_due - coalesce(s.paid, 0) - coalesce(s.written_off, 0))')} AS outstanding`),
    );
  if (Array.isArray(contracts)) q.whereIn('l.contract_id', contracts as number[]);
  else q.whereIn('l.contract_id', contracts as Knex.QueryBuilder);
  return q;
}

/** A database row's figures as Money, in the shape of the pure LineBalance. */
export function balanceOfRow(row: LineBalanceRow): LineBalance {
  return {
    lineId: row.lineId,
    amountDue: dec(row.amountDue),
    amountPaid: dec(row.amountPaid),
    writtenOff: dec(row.writtenOff),
    recovered: dec(row.recovered),
    outstanding: dec(row.outstanding),
    penaltyOpening: dec(row.penaltyOpening),
    penaltyPaid: dec(row.penaltyPaid),
    penaltyWaived: dec(row.penaltyWaived),
  };
}
