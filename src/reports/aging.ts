// Aging buckets (账龄) of the breakdown: `--aging 30,60,90` gives 1-30, 31-60, 61-90 and >90 days overdue. A
// line's overdue amount falls in the bucket of its overdue days. Pure: the SQL sums per bucket (breakdown.ts).
import { BadInput } from '../core/errors.js';

/** The default buckets: 1-30, 31-60, 61-90, 91-180, 181-360, >360. */
export const DEFAULT_AGING = [30, 60, 90, 180, 360] as const;

/** A longer list is no report a person reads; a named limit keeps the SQL's column count bounded. */
export const AGING_BUCKETS_MAX = 20;

/** One bucket: overdue days from `from` to `to` (null: no upper bound), and its name ("1-30", ">360"). */
export interface AgingBucket {
  name: string;
  from: number;
  to: number | null;
}

const EXPECTED = 'increasing whole numbers of days, e.g. 30,60,90';

/** The upper bounds given by `--aging` ("30,60,90"), checked: strictly increasing positive whole numbers. */
export function parseAging(text: string | undefined): number[] {
  if (text === undefined) return [...DEFAULT_AGING];
  const parts = text.split(',').map((p) => p.trim());
  const bounds = parts.map((p) => (/^[0-9]{1,5}$/.test(p) ? Number(p) : Number.NaN));
  const valid =
    bounds.length > 0 &&
    bounds.length <= AGING_BUCKETS_MAX &&
    bounds.every((b, i) => Number.isInteger(b) && b > 0 && (i === 0 || b > (bounds[i - 1] as number)));
  if (!valid) throw new BadInput('aging', text, EXPECTED);
  return bounds;
}

/** The buckets of the bounds: 1-a, (a+1)-b, …, >last. */
export function agingBuckets(bounds: readonly number[]): AgingBucket[] {
  const buckets: AgingBucket[] = [];
  let from = 1;
  for (const to of bounds) {
    buckets.push({ name: `${from}-${to}`, from, to });
    from = to + 1;
  }
  const last = bounds.at(-1) ?? 0;
  buckets.push({ name: `>${last}`, from: last + 1, to: null });
  return buckets;
}

/** The bucket a number of overdue days falls in (none for 0: not overdue). */
export function bucketOf(buckets: readonly AgingBucket[], overdueDays: number): AgingBucket | undefined {
  if (overdueDays < 1) return undefined;
  return buckets.find((b) => overdueDays >= b.from && (b.to === null || overdueDays <= b.to));
}
