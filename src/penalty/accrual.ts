// Penalty figures of one contract from the one pure implementation (compute.ts) over the ledger as it stands:
// what `zq contract show` and `zq penalty show` print. The batch's stored segments must agree with these
// (reconciliation checks it; the property test proves it).
import type { Knex } from 'knex';
import type { BusinessDate } from '../core/dates.js';
import { formatMoney, type Money, sumMoney } from '../core/money.js';
import type { ContractRef } from '../ledger/contract-ref.js';
import type { PenaltyAccrual } from '../receivables/position.js';
import { type LinePenalty, linePenalty } from './compute.js';
import { type ContractInputs, type LoadedLine, loadContractInputs, penaltyInputOf } from './inputs.js';

export interface LineFigures {
  line: LoadedLine;
  penalty: LinePenalty;
}

/** Every live line's penalty as of a date (without the imported opening penalty, which is a posting). */
export function contractPenalties(contract: ContractInputs, asOf: BusinessDate): LineFigures[] {
  return contract.lines.map((line) => ({ line, penalty: linePenalty(penaltyInputOf(contract, line), asOf) }));
}

/** Rounded accrued penalty per line id of the contracts as of the date (the opening penalty, a posting, apart). */
export async function accruedPenalties(knex: Knex, contractIds: readonly number[], asOf: BusinessDate): Promise<Map<number, Money>> {
  const out = new Map<number, Money>();
  for (const contract of (await loadContractInputs(knex, contractIds)).values()) {
    for (const { line, penalty } of contractPenalties(contract, asOf)) out.set(line.lineId, penalty.rounded);
  }
  return out;
}

/** The hook src/receivables/position.ts calls (`contract show`): rounded accrued penalty per line id. */
export const pureAccrual: PenaltyAccrual = (knex, ref, asOf) => accruedPenalties(knex, [ref.id], asOf);

export interface PenaltySegmentJson {
  from: BusinessDate;
  to: BusinessDate;
  days: number;
  base: string;
  rate: string;
  amount: string; // exact: base × rate × days
}

export interface PenaltyShowLine {
  seq: number;
  type: string;
  dueDate: BusinessDate;
  amountDue: string;
  outstanding: string;
  overdueDays: number;
  penaltyBearing: boolean;
  graceDays: number;
  graceMode: string;
  openingPenalty: string;
  penaltyExact: string;
  penaltyAccrued: string;
  segments: PenaltySegmentJson[];
}

export interface PenaltyShow {
  dealer: string;
  contractNo: string;
  asOf: BusinessDate;
  lines: PenaltyShowLine[];
  totals: { penaltyAccrued: string };
}

/**
 * `zq penalty show`: per line the segments (from, to, days, base, rate, amount) a clerk can check by hand, of a
 * contract the caller found in the actor's scope.
 */
export async function showPenalty(knex: Knex, ref: ContractRef, asOf: BusinessDate): Promise<PenaltyShow> {
  const contract = (await loadContractInputs(knex, [ref.id])).get(ref.id);
  if (!contract) throw new Error(`invariant broken: contract ${ref.id} has no inputs`);
  const lines = contractPenalties(contract, asOf).map(({ line, penalty }): PenaltyShowLine => {
    const exact = penalty.exact.plus(line.openingPenalty);
    return {
      seq: line.seq,
      type: line.type,
      dueDate: line.dueDate,
      amountDue: formatMoney(line.amountDue),
      outstanding: formatMoney(penalty.outstandingAsOf),
      overdueDays: penalty.overdueDays,
      penaltyBearing: line.penaltyBearing,
      graceDays: line.grace?.days ?? 0,
      graceMode: line.grace?.mode ?? 'retroactive',
      openingPenalty: formatMoney(line.openingPenalty),
      penaltyExact: exact.toFixed(),
      penaltyAccrued: formatMoney(penalty.rounded.plus(line.openingPenalty)),
      segments: penalty.segments.map((s) => ({
        from: s.from,
        to: s.to,
        days: s.days,
        base: formatMoney(s.base),
        rate: s.rate.toFixed(),
        amount: s.amount.toFixed(),
      })),
    };
  });
  const total = sumMoney(lines.map((l) => l.penaltyAccrued));
  return { dealer: ref.dealer, contractNo: ref.contractNo, asOf, lines, totals: { penaltyAccrued: formatMoney(total) } };
}

export function renderPenalty(p: PenaltyShow): string {
  const out = [`罚息 penalty of ${p.dealer}/${p.contractNo} as of ${p.asOf}`];
  for (const l of p.lines) {
    if (l.segments.length === 0 && l.openingPenalty === '0.00') continue;
    out.push(
      '',
      `期次 ${l.seq} ${l.type}  due ${l.dueDate}  amount ${l.amountDue}  outstanding ${l.outstanding}  overdue ${l.overdueDays} days  grace ${l.graceDays} (${l.graceMode})`,
    );
    if (l.openingPenalty !== '0.00') out.push(`  opening penalty (imported, before the cut-over): ${l.openingPenalty}`);
    for (const s of l.segments) out.push(`  ${s.from} … ${s.to}  ${String(s.days).padStart(4)} days × ${s.base} × ${s.rate} = ${s.amount}`);
    out.push(`  accrued ${l.penaltyExact} → ${l.penaltyAccrued}`);
  }
  out.push('', `total penalty accrued ${p.totals.penaltyAccrued}`);
  return out.join('\n');
}
