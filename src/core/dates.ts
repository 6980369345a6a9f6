// Business dates: calendar dates as 'YYYY-MM-DD' strings, never timestamps (RULES.md).
// Arithmetic goes through UTC midnight so that no time zone or DST can shift a day.
import { BadInput } from './errors.js';

export type BusinessDate = string;

export const BUSINESS_TIME_ZONE = 'Asia/Shanghai';
const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function toEpochDay(date: BusinessDate): number {
  const m = ISO_DATE.exec(date);
  if (!m) throw new Error(`invariant broken: not a business date: ${date}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS;
}

function fromEpochDay(day: number): BusinessDate {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function isValidDate(text: string): boolean {
  const m = ISO_DATE.exec(text);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  return year >= 1900 && year <= 2999 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** A date typed on the command line: exactly YYYY-MM-DD and a real calendar day. */
export function parseDate(text: string, field = 'date'): BusinessDate {
  const trimmed = String(text ?? '').trim();
  if (isValidDate(trimmed)) return trimmed;
  // well formed but not a day zq keeps: say which part is wrong
  if (ISO_DATE.test(trimmed)) throw new BadInput(field, text, 'a real calendar day from 1900-01-01 to 2999-12-31, e.g. 2026-03-10');
  throw new BadInput(field, text, 'a date YYYY-MM-DD, e.g. 2026-03-10');
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function addDays(date: BusinessDate, days: number): BusinessDate {
  return fromEpochDay(toEpochDay(date) + days);
}

/** b − a in days (positive when b is later). */
export function daysBetween(a: BusinessDate, b: BusinessDate): number {
  return toEpochDay(b) - toEpochDay(a);
}

/**
 * The date `months` months after `date`, on `dayOfMonth` (default: date's own day), clamped to the
 * month's last day: 01-31 + 1 month → 02-28, + 2 months → 03-31 (RULES.md).
 */
export function addMonths(date: BusinessDate, months: number, dayOfMonth?: number): BusinessDate {
  const m = ISO_DATE.exec(date);
  if (!m) throw new Error(`invariant broken: not a business date: ${date}`);
  const total = Number(m[1]) * 12 + (Number(m[2]) - 1) + months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const wanted = dayOfMonth ?? Number(m[3]);
  const day = Math.min(wanted, daysInMonth(year, month));
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export function dayOfMonth(date: BusinessDate): number {
  return Number(date.slice(8, 10));
}

export function monthEnd(date: BusinessDate): BusinessDate {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  return `${date.slice(0, 8)}${String(daysInMonth(year, month)).padStart(2, '0')}`;
}

export function compareDates(a: BusinessDate, b: BusinessDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function minDate(a: BusinessDate, b: BusinessDate): BusinessDate {
  return a <= b ? a : b;
}

export function maxDate(a: BusinessDate, b: BusinessDate): BusinessDate {
  return a >= b ? a : b;
}

/** Today's business date in the given zone (default Asia/Shanghai). The only function that reads the clock. */
export function today(timeZone = BUSINESS_TIME_ZONE, now: Date = new Date()): BusinessDate {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** Every date from `from` to `to`, both included. Bounded by the caller's range. */
export function* eachDate(from: BusinessDate, to: BusinessDate): Generator<BusinessDate> {
  for (let d = toEpochDay(from); d <= toEpochDay(to); d++) yield fromEpochDay(d);
}
