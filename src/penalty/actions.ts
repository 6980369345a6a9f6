// The penalty actions (罚息): effective-dated daily rates, grace periods and which receivable types bear penalty
// (settings.ts), and one contract's penalty as day segments (accrual.ts). `penalty.show` names a contract: the
// entry point finds it in the actor's scope.
import type { Decimal } from 'decimal.js';
import { defineAction } from '../access/action.js';
import { EVERYONE, GROUP_FINANCE } from '../access/role-sets.js';
import { parseDate } from '../core/dates.js';
import { BadInput } from '../core/errors.js';
import { parseRate } from '../core/money.js';
import type { ContractRef } from '../ledger/contract-ref.js';
import { showPenalty } from './accrual.js';
import { dailyRateFromAnnual, type GraceMode } from './compute.js';
import {
  listGrace,
  listPenaltyRates,
  listReceivableTypes,
  type RateScope,
  setGrace,
  setPenaltyBearing,
  setPenaltyRate,
} from './settings.js';

interface RateInput extends RateScope {
  dailyRate?: string | undefined;
  annualRate?: string | undefined;
  dayBasis?: string | undefined;
  from: string;
}

/** A yearly rate divided by its day basis, only where the daily rate needs no rounding. */
function dailyFromAnnual(annualRate: string, dayBasis: string | undefined): Decimal {
  if (dayBasis !== '360' && dayBasis !== '365') throw new BadInput('dayBasis', dayBasis ?? null, '360 or 365');
  const basis = Number(dayBasis) as 360 | 365;
  const annual = parseRate(annualRate, 'annualRate');
  // 18 without % would be 1,800 % a year: a yearly penalty rate is a fraction or a percentage
  if (annual.greaterThanOrEqualTo(1)) throw new BadInput('annualRate', annualRate, 'a yearly rate below 100 %, e.g. 0.18 or 18%');
  const converted = dailyRateFromAnnual(annual, basis);
  if (converted.exact === null) {
    throw new BadInput(
      'annualRate',
      annualRate,
      `a yearly rate that divides by ${basis} into a daily rate of at most 10 decimals; this one does not, so give the daily rate the contract states with --daily-rate (e.g. ${converted.nearest.toString()}, rounded half-up)`,
    );
  }
  return converted.exact;
}

export const penaltyRateSet = defineAction({
  name: 'penalty.rate.set',
  summary: 'a daily penalty rate from a date, for a contract, a dealer and/or a type, or every one',
  roles: GROUP_FINANCE,
  mutates: true,
  parse: (raw: RateInput) => {
    if ((raw.dailyRate === undefined) === (raw.annualRate === undefined)) {
      throw new BadInput('dailyRate', raw.dailyRate ?? null, 'either --daily-rate R or --annual-rate R --day-basis 360|365');
    }
    const dailyRate =
      raw.dailyRate !== undefined ? parseRate(raw.dailyRate, 'dailyRate') : dailyFromAnnual(raw.annualRate as string, raw.dayBasis);
    return { dailyRate, from: parseDate(raw.from, 'from'), type: raw.type, dealer: raw.dealer, contract: raw.contract };
  },
  run: (tx, actor, input) => setPenaltyRate(tx, actor, input),
});

export const penaltyRateList = defineAction({
  name: 'penalty.rate.list',
  summary: 'every rate setting, least specific first',
  roles: EVERYONE,
  mutates: false,
  parse: (raw: Record<string, never>) => raw,
  run: (tx) => listPenaltyRates(tx),
});

export const penaltyGraceSet = defineAction({
  name: 'penalty.grace.set',
  summary: 'grace days for a type and/or dealer: a line paid in full by its due date + N bears no penalty',
  roles: GROUP_FINANCE,
  mutates: true,
  parse: (raw: { days: string | number; mode: string; type?: string | undefined; dealer?: string | undefined }) => {
    if (!/^\d{1,3}$/.test(String(raw.days))) throw new BadInput('days', raw.days, 'a whole number of days, e.g. 3');
    return { days: Number(raw.days), mode: raw.mode as GraceMode, type: raw.type, dealer: raw.dealer };
  },
  run: (tx, actor, input) => setGrace(tx, actor, input),
});

export const penaltyGraceList = defineAction({
  name: 'penalty.grace.list',
  summary: 'every grace setting',
  roles: EVERYONE,
  mutates: false,
  parse: (raw: Record<string, never>) => raw,
  run: (tx) => listGrace(tx),
});

export const penaltyTypeSet = defineAction({
  name: 'penalty.type.set',
  summary: 'whether a receivable type bears penalty, for every line of the type',
  roles: GROUP_FINANCE,
  mutates: true,
  parse: (raw: { code: string; bearing: string }) => {
    if (raw.bearing !== 'yes' && raw.bearing !== 'no') throw new BadInput('bearing', raw.bearing, 'yes or no');
    return { code: raw.code, bearing: raw.bearing === 'yes' };
  },
  run: (tx, actor, input) => setPenaltyBearing(tx, actor, input.code, input.bearing),
});

export const penaltyTypeList = defineAction({
  name: 'penalty.type.list',
  summary: 'the receivable types and whether each bears penalty',
  roles: EVERYONE,
  mutates: false,
  parse: (raw: Record<string, never>) => raw,
  run: (tx) => listReceivableTypes(tx),
});

export const penaltyShow = defineAction({
  name: 'penalty.show',
  summary: 'a contract’s penalty per line as day segments, as of a date',
  roles: EVERYONE,
  mutates: false,
  parse: (raw: { contractNo: string; dealer?: string | undefined; asOf: string }) => ({ ...raw, asOf: parseDate(raw.asOf, 'asOf') }),
  contract: (input) => input,
  run: (tx, _actor, input, { subject }: { subject: { contract: ContractRef } }) => showPenalty(tx, subject.contract, input.asOf),
});

export const penaltyActions = [
  penaltyRateSet,
  penaltyRateList,
  penaltyGraceSet,
  penaltyGraceList,
  penaltyTypeSet,
  penaltyTypeList,
  penaltyShow,
] as const;
