// Cell normalisation: the notations dealers type (IMPORT-FORMAT.md) become one form each.
// Every function takes the cell's text and returns a value (null for an empty cell) or a reason:
// bad input is a value here, never an exception.
import { type BusinessDate, isValidDate } from '../core/dates.js';
import { BadInput } from '../core/errors.js';
import { formatMoney, type Money, parseMoneyNotation } from '../core/money.js';

export type Parsed<T> = { ok: true; value: T | null } | { ok: false; reason: string };

const ok = <T>(value: T | null): Parsed<T> => ({ ok: true, value });
const bad = <T>(reason: string): Parsed<T> => ({ ok: false, reason });

// \s covers half- and full-width (U+3000) spaces, NBSP, line breaks and the BOM; zero-width spaces too.
const SPACES = /[\s\u200b-\u200d]+/g;
const HAS_SPACE = /[\s\u200b-\u200d]/;
const NOT_SPACE = /[^\s\u200b-\u200d]/;
/** Printable ASCII without spaces: a code cell that folding and space removal would leave as it is. */
const PLAIN_CODE = /^[\x21-\x7e]*$/;

/** Full-width letters and digits folded to ASCII (NFKC); ASCII-only text, most cells, skips the work. */
export function foldWidth(cell: string): string {
  return /[^\x20-\x7e]/.test(cell) ? cell.normalize('NFKC') : cell;
}

export function isBlank(cell: string): boolean {
  return !NOT_SPACE.test(cell);
}

/** Text: trimmed, inner runs of spaces and line breaks collapsed to one space; 、 and the rest kept. */
export function normaliseText(cell: string): string | null {
  // Most cells have no space at all: no new string then (a million rows × a dozen cells).
  const text = HAS_SPACE.test(cell) ? cell.replace(SPACES, ' ').trim() : cell;
  return text === '' ? null : text;
}

/**
 * Codes compared across files (contract and ID numbers, phones, serials, references): full-width
 * letters and digits folded to ASCII and every space removed, so `ＨＦ－２０２５ 0001` matches `HF-20250001`.
 */
export function normaliseCode(cell: string): string | null {
  const text = PLAIN_CODE.test(cell) ? cell : foldWidth(cell).replace(SPACES, '');
  return text === '' ? null : text;
}

/** A total row's marker: 合计, 总计, 小计, also spaced out as `合 计`. */
export function isTotalMarker(cell: string): boolean {
  // includes() first: the regex runs on every cell of every row otherwise.
  return cell.includes('计') && /^[\s\u200b-\u200d]*[合总小][\s\u200b-\u200d]*计/.test(cell);
}

// ---------------------------------------------------------------------------------------------------
// Dates

/** Days from 1899-12-30 (serial 0 of the 1900 system, counting its 29 February 1900) to 1970-01-01. */
const SERIAL_UNIX_EPOCH = 25_569;
/** Days between serial 0 of the 1900 system and serial 0 of the 1904 system (1904-01-01). */
const SERIAL_1904_OFFSET = 1_462;
/** Serial 60 is 1900-02-29, a day Excel invented for Lotus 1-2-3 compatibility. */
const SERIAL_LOTUS_LEAP_DAY = 60;
const DAY_MS = 86_400_000;
/** Smallest serial read as a date (1950-01-01): a bare `2026` or `5` in a date column is not a date in 1905. */
export const MIN_DATE_SERIAL = 18264;
const DATE_FORMS = 'a date such as 2026-01-05, 2026/1/5, 2026.1.5, 2026年1月5日 or 20260105';

function ymd(year: number, month: number, day: number): BusinessDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * The one Excel-serial-to-date function (a CSV cell holding a serial, and an XLSX date cell): the calendar day
 * an Excel date serial shows, in the 1900 date system or the 1904 one; a fraction is the time of day (rounded
 * to the millisecond, as exceljs did). The 1900 system counts a 29 February 1900 that never was (serial 60,
 * kept from Lotus 1-2-3): Excel shows serials 1–59 one day later than the arithmetic from 1899-12-30 says.
 * Null for serial 60 (no such day) and for a serial beyond any date. (Excel shows no date for a negative
 * serial; those are left to the arithmetic.)
 */
export function serialToDate(serial: number, date1904 = false): BusinessDate | null {
  let days = serial + (date1904 ? SERIAL_1904_OFFSET : 0);
  if (!date1904 && serial >= 1 && serial < SERIAL_LOTUS_LEAP_DAY + 1) {
    if (serial >= SERIAL_LOTUS_LEAP_DAY) return null;
    days += 1;
  }
  const day = new Date(Math.round((days - SERIAL_UNIX_EPOCH) * DAY_MS));
  return Number.isNaN(day.getTime()) ? null : day.toISOString().slice(0, 10);
}

// Year, month, day in the orders dealers write them; the separator must be the same twice.
const DATE_PATTERNS = [
  /^(?<year>\d{4})([-/.])(?<month>\d{1,2})\2(?<day>\d{1,2})$/,
  /^(?<year>\d{4}) ?年 ?(?<month>\d{1,2}) ?月 ?(?<day>\d{1,2}) ?日?$/,
  /^(?<year>\d{4})(?<month>\d{2})(?<day>\d{2})$/,
];
// An Excel date serial (a date cell saved without its format, or a CSV of one); a fraction is the time.
const SERIAL_PATTERN = /^(?<serial>\d{1,6})(\.\d+)?$/;

// The form most files use, already ISO: read without folding and pattern matching.
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

export function parseDateCell(cell: string): Parsed<BusinessDate> {
  if (ISO_DAY.test(cell)) return calendarDate(cell);
  // Full-width digits folded; a time of day after the date (CSV of a date-time cell) ignored.
  const text = foldWidth(cell)
    .replace(SPACES, ' ')
    .trim()
    .replace(/[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$/, '');
  if (text === '') return ok(null);
  for (const pattern of DATE_PATTERNS) {
    const parts = pattern.exec(text)?.groups;
    if (parts) return calendarDate(ymd(Number(parts.year), Number(parts.month), Number(parts.day)));
  }
  const serialText = SERIAL_PATTERN.exec(text)?.groups?.serial;
  if (serialText === undefined) return bad(DATE_FORMS);
  const serial = Number(serialText);
  const date = serialToDate(serial);
  if (date === null) return bad('Excel date serial 60 is 1900-02-29, a day that does not exist');
  if (serial < MIN_DATE_SERIAL) return bad(`${DATE_FORMS} (an Excel date serial from ${MIN_DATE_SERIAL} on)`);
  return calendarDate(date);
}

function calendarDate(date: BusinessDate): Parsed<BusinessDate> {
  return isValidDate(date) ? ok(date) : bad(`a real calendar date between 1900 and 2999 (read as ${date})`);
}

// ---------------------------------------------------------------------------------------------------
// Amounts

/** An amount in any notation parseMoneyNotation knows; also Excel's currency format `-¥1,234.50`. */
export function parseAmountCell(cell: string): Parsed<Money> {
  const text = cell.replace(/^\s*[-－]\s*([¥￥])/, '$1-');
  try {
    return ok(parseMoneyNotation(text));
  } catch (error) {
    if (error instanceof BadInput) return bad(error.expected);
    throw error;
  }
}

/**
 * An amount as exact canonical text (`-`? digits `.` two decimals, as formatMoney writes it), for rows that
 * only check and store amounts: a plain `1234.5` is read without a Decimal; other notations go through
 * parseAmountCell. A negative zero (`(0)`) keeps its sign so that it is refused like any negative amount.
 */
export function parseAmountText(cell: string): Parsed<string> {
  const plain = PLAIN_AMOUNT.exec(cell);
  if (plain) {
    const whole = (plain[1] as string).replace(/^0+(?=\d)/, '');
    return ok(`${whole}.${(plain[2] ?? '').padEnd(2, '0')}`);
  }
  const parsed = parseAmountCell(cell);
  if (!parsed.ok || parsed.value === null) return parsed as Parsed<string>;
  return ok(parsed.value.isNegative() ? `-${formatMoney(parsed.value.abs())}` : formatMoney(parsed.value));
}
const PLAIN_AMOUNT = /^(\d+)(?:\.(\d{1,2}))?$/;

/** Canonical amount text is negative. */
export function isNegativeAmount(amount: string): boolean {
  return amount.startsWith('-');
}

/** a > b for canonical amount texts, exactly (as integer cents). */
export function amountGreaterThan(a: string, b: string): boolean {
  // Two non-negative canonical texts (no leading zeros, two decimals): the longer is larger, else compare text.
  if (a[0] !== '-' && b[0] !== '-') return a.length !== b.length ? a.length > b.length : a > b;
  return BigInt(a.replace('.', '')) > BigInt(b.replace('.', ''));
}

// ---------------------------------------------------------------------------------------------------
// Installment number

/** Installments per contract we accept: a bigger number is a typing error. */
export const MAX_SEQ = 999;

/** `3`, `第3期`, `第３期`, `3期`. */
export function parseSeqCell(cell: string): Parsed<number> {
  if (/^[1-9]\d{0,2}$/.test(cell) && Number(cell) <= MAX_SEQ) return ok(Number(cell));
  const text = foldWidth(cell).replace(SPACES, '');
  if (text === '') return ok(null);
  const m = /^第?(\d+)期?$/.exec(text);
  if (!m) return bad('an installment number such as 3, 第3期 or 3期');
  const seq = Number(m[1]);
  if (seq < 1 || seq > MAX_SEQ) return bad(`an installment number from 1 to ${MAX_SEQ}`);
  return ok(seq);
}

// ---------------------------------------------------------------------------------------------------
// Receivable types

/** A receivable type configured beyond the built-in ones: its code and the names dealers write for it. */
export interface ReceivableTypeName {
  code: string;
  names?: readonly string[];
}

/** The built-in receivable types (GLOSSARY.md): Chinese name → code. */
export const RECEIVABLE_TYPE_NAMES: Readonly<Record<string, string>> = {
  货款: 'principal',
  首付: 'down_payment',
  保证金: 'deposit',
  利息: 'interest',
  手续费: 'fee',
  代付: 'on_behalf_payment',
  代垫: 'advance',
  罚息: 'penalty',
};

export const DEFAULT_RECEIVABLE_TYPE = 'principal';

/** name or code (code case-insensitively) → code. */
export function receivableTypeIndex(extra: readonly ReceivableTypeName[] = []): Map<string, string> {
  const index = new Map<string, string>();
  for (const [name, code] of Object.entries(RECEIVABLE_TYPE_NAMES)) {
    index.set(name, code);
    index.set(code, code);
  }
  for (const type of extra) {
    index.set(type.code.toLowerCase(), type.code);
    for (const name of type.names ?? []) index.set(foldWidth(name).replace(SPACES, ''), type.code);
  }
  return index;
}

/** A receivable type name or code; blank is 货款 (principal). */
export function parseTypeCell(cell: string, index: Map<string, string>): Parsed<string> {
  const text = foldWidth(cell).replace(SPACES, '');
  if (text === '') return ok(DEFAULT_RECEIVABLE_TYPE);
  const code = index.get(text) ?? index.get(text.toLowerCase());
  if (code !== undefined) return ok(code);
  return bad(`a receivable type: ${Object.keys(RECEIVABLE_TYPE_NAMES).join(', ')}, or a configured code`);
}
