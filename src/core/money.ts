// Money: every amount enters through this module and leaves through it (RULES.md "Money and dates").
// An amount is a Decimal; it becomes a two-decimal string only at the edge (JSON, SQL, screen).
import { Decimal } from 'decimal.js';
import { BadInput } from './errors.js';

// A private Decimal constructor: 40 significant digits keep (1+i)^n and penalty rates exact enough,
// and rounding is half-up wherever a figure becomes an amount a person sees or pays.
export const Dec = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -30, toExpPos: 40 });
export type Money = Decimal;

export const ZERO: Money = new Dec(0);
const CENT_PLACES = 2;

/** Any exact value (Decimal, decimal string, bigint-like integer) as a Decimal. Never a float. */
export function dec(value: Decimal.Value): Decimal {
  if (typeof value === 'number' && !Number.isInteger(value)) {
    throw new Error(`money: refusing a non-integer JavaScript number (${value}); pass a string`);
  }
  return new Dec(value);
}

/** Round half-up to the cent: the only place an amount is born from an exact figure. */
export function roundMoney(value: Decimal.Value): Money {
  return dec(value).toDecimalPlaces(CENT_PLACES, Decimal.ROUND_HALF_UP);
}

/** "1234.5" → "1234.50": the canonical string form for JSON and SQL. */
export function formatMoney(value: Decimal.Value): string {
  return roundMoney(value).toFixed(CENT_PLACES);
}

/** "1234.5" → "1,234.50": for tables and printed documents. */
export function formatMoneyGrouped(value: Decimal.Value): string {
  const fixed = formatMoney(value);
  const negative = fixed.startsWith('-');
  const [whole = '0', cents = '00'] = (negative ? fixed.slice(1) : fixed).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}.${cents}`;
}

const STRICT_AMOUNT = /^-?\d+(\.\d{1,2})?$/;
/** The largest amount a NUMERIC(18,2) column holds. */
export const MONEY_MAX = new Dec('9999999999999999.99');

/**
 * A decimal string as typed on the command line or read from JSON: digits, an optional point and at most
 * two decimals. More decimals are an error, never a silent rounding. `positive`: more than zero.
 */
export function parseMoney(text: string, field = 'amount', options: { allowNegative?: boolean; positive?: boolean } = {}): Money {
  const trimmed = String(text).trim();
  if (!STRICT_AMOUNT.test(trimmed)) {
    throw new BadInput(field, text, 'a decimal amount with at most two decimals, e.g. 1234.50');
  }
  const value = new Dec(trimmed);
  // an amount that must be paid or moved: -5 and 0 get the same answer, not "zero or more" and then a refusal of 0
  if (options.positive && !value.greaterThan(0)) throw new BadInput(field, text, 'an amount of more than zero');
  if (value.isNegative() && !options.allowNegative) {
    throw new BadInput(field, text, 'an amount of zero or more');
  }
  if (value.abs().greaterThan(MONEY_MAX)) throw new BadInput(field, text, `an amount of at most ${MONEY_MAX.toFixed(2)}`);
  return value;
}

const FULL_WIDTH_DIGITS = /[０-９．，－（）]/g;
const FULL_WIDTH_MAP: Record<string, string> = { '．': '.', '，': ',', '－': '-', '（': '(', '）': ')' };

function toHalfWidth(text: string): string {
  return text.replace(FULL_WIDTH_DIGITS, (ch) => {
    const mapped = FULL_WIDTH_MAP[ch];
    return mapped ?? String.fromCharCode(ch.charCodeAt(0) - 0xfee0);
  });
}

/**
 * An amount in any notation dealers write (IMPORT-FORMAT.md): `1,234.50`, `¥1,234.50`, `￥1234.50元`,
 * full-width digits, `(1,234.50)` for negative, `1.5万`. Returns null for an empty cell.
 * Throws BadInput when the text is not an amount or has more than two decimals after scaling.
 */
export function parseMoneyNotation(text: string, field = 'amount'): Money | null {
  let s = toHalfWidth(String(text)).replace(/[\s\u3000]/g, '');
  if (s === '' || s === '-' || s === '—') return null;
  let negative = false;
  if (/^\(.*\)$/.test(s)) {
    negative = true;
    s = s.slice(1, -1);
  }
  if (s.startsWith('-')) {
    // Excel's currency format writes a negative amount as -¥1,234.50.
    negative = !negative;
    s = s.slice(1);
  }
  s = s.replace(/^[¥￥]/, '').replace(/(元|RMB|CNY)$/i, '');
  if (s.startsWith('-')) {
    negative = !negative;
    s = s.slice(1);
  }
  let scale = new Dec(1);
  if (s.endsWith('万')) {
    scale = new Dec(10000);
    s = s.slice(0, -1);
  }
  if (!/^(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$/.test(s)) {
    throw new BadInput(field, text, 'an amount such as 1234.50, 1,234.50, ¥1,234.50 or 1.5万');
  }
  let value = new Dec(s.replace(/,/g, '')).times(scale);
  if (value.decimalPlaces() > CENT_PLACES) {
    throw new BadInput(field, text, 'at most two decimals (amounts are not rounded silently)');
  }
  if (negative) value = value.negated();
  return value;
}

export function sumMoney(values: Iterable<Decimal.Value>): Money {
  let total = new Dec(0);
  for (const v of values) total = total.plus(v);
  return total;
}

export function maxMoney(a: Decimal, b: Decimal): Decimal {
  return a.greaterThan(b) ? a : b;
}

export function minMoney(a: Decimal, b: Decimal): Decimal {
  return a.lessThan(b) ? a : b;
}

const RATE_PATTERN = /^\d+(\.\d{1,10})?$/;

/** A rate (annual or daily) as a decimal string, up to ten decimals (NUMERIC(20,10)). */
export function parseRate(text: string, field = 'rate'): Decimal {
  const trimmed = String(text).trim();
  const percent = trimmed.endsWith('%');
  const body = percent ? trimmed.slice(0, -1) : trimmed;
  if (!RATE_PATTERN.test(body)) {
    throw new BadInput(field, text, 'a decimal rate such as 0.049 or 4.9% (at most 10 decimals)');
  }
  const value = percent ? new Dec(body).dividedBy(100) : new Dec(body);
  if (value.decimalPlaces() > 10) throw new BadInput(field, text, 'a rate with at most 10 decimals');
  return value;
}

/** A rate as the string stored in NUMERIC(20,10), without trailing zeros. */
export function formatRate(value: Decimal.Value): string {
  return dec(value).toDecimalPlaces(10).toString();
}
