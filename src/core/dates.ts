// Business dates: calendar dates as 'YYYY-MM-DD' strings, never timestamps (RULES.md).
// Arithmetic goes through UTC midnight so that no time zone or DST can shift a day.
import { BadInput } from './errors.js';

export type BusinessDate = string;

export const BUSINESS_TIME_ZONE = 'Asia/Shanghai';
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

// Days since 1970-01-01 and back, in integer arithmetic (H. Hinnant's civil-calendar algorithms): the allocation
// replay and the pure penalty computation turn dates to days and back millions of times a night, and going
// through a regular expression and Date objects was the larger part of their time.
function toEpochDay(date: BusinessDate): number {
  if (!ISO_DATE.test(date)) throw new Error(`invariant broken: not a business date: ${date}`);
  let y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  if (m <= 2) y -= 1;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function fromEpochDay(day: number): BusinessDate {
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${y}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
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

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : (MONTH_DAYS[month - 1] ?? Number.NaN);
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

/** A formatter per time zone: making one costs more than formatting (every web page asks for today). */
const DAY_FORMATS = new Map<string, Intl.DateTimeFormat>();

/** Today's business date in the given zone (default Asia/Shanghai). The only function that reads the clock. */
export function today(timeZone = BUSINESS_TIME_ZONE, now: Date = new Date()): BusinessDate {
  let format = DAY_FORMATS.get(timeZone);
  if (!format) {
    // en-CA formats as YYYY-MM-DD.
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    DAY_FORMATS.set(timeZone, format);
  }
  return format.format(now);
}

/** Days after today that a value or cut-over date may still fall on (env ZQ_FUTURE_DAYS, default 0). */
export function futureMarginDays(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.ZQ_FUTURE_DAYS?.trim();
  if (!raw) return 0;
  if (!/^\d{1,4}$/.test(raw)) throw new BadInput('ZQ_FUTURE_DAYS', raw, 'a whole number of days from 0 to 9999');
  return Number(raw);
}

/** The latest money date zq accepts now: today (Asia/Shanghai) plus the margin. Reads the clock through today(). */
export function latestMoneyDate(env: NodeJS.ProcessEnv = process.env, now: Date = new Date()): BusinessDate {
  return addDays(today(BUSINESS_TIME_ZONE, now), futureMarginDays(env));
}

/** A value or cut-over date later than `latest` is a typo or a guess, not money that moved: refused. */
export function refuseFutureDate(field: string, date: BusinessDate, latest: BusinessDate = latestMoneyDate()): BusinessDate {
  if (date > latest)
    throw new BadInput(field, date, `a date on or before ${latest} (today in ${BUSINESS_TIME_ZONE}; ZQ_FUTURE_DAYS allows more)`);
  return date;
}

/** Every date from `from` to `to`, both included. Bounded by the caller's range. */
export function* eachDate(from: BusinessDate, to: BusinessDate): Generator<BusinessDate> {
  for (let d = toEpochDay(from); d <= toEpochDay(to); d++) yield fromEpochDay(d);
}

/** Asia/Shanghai's offset from UTC: fixed at +08:00 (no daylight saving since 1991). */
const BUSINESS_UTC_OFFSET = '+08:00';

/**
 * A moment as people here read it: Asia/Shanghai wall-clock time with its zone, `2026-03-10T09:30:00+08:00`.
 * Every time zq prints (JSON, tables, logs) goes through this or its SQL counterpart, sqlTimestamp.
 */
export function formatTimestamp(moment: Date | string | number): string {
  const date = moment instanceof Date ? moment : new Date(moment);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: BUSINESS_TIME_ZONE,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${BUSINESS_UTC_OFFSET}`;
}

/** SQL that formats a timestamptz column as formatTimestamp does (NULL stays NULL). */
export function sqlTimestamp(column: string): string {
  return `(to_char(${column} AT TIME ZONE '${BUSINESS_TIME_ZONE}', 'YYYY-MM-DD"T"HH24:MI:SS') || '${BUSINESS_UTC_OFFSET}')`;
}
