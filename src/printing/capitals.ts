// 人民币大写: an amount in Chinese capitals, as the People's Bank's rules for filling in vouchers write it
// (正确填写票据和结算凭证的基本规定): 壹拾 never 拾, one 零 for a run of zeros inside the figure, 零 between 元 and
// a cent figure when the 角 is zero, 整 when there are no cents. Where the rules allow either form (a zero
// 元 or 万 position before a non-zero 角 or 仟), the shorter one without 零 is written.
import type { Decimal } from 'decimal.js';
import { BadInput } from '../core/errors.js';
import { dec, MONEY_MAX } from '../core/money.js';

const DIGITS = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'] as const;
const PLACES = ['', '拾', '佰', '仟'] as const;
const TEN_THOUSAND = 10_000n;
const HUNDRED_MILLION = 100_000_000n;

/** 0 < n < 10,000: 仟佰拾 with one 零 for inner zeros, none at the end. */
function fourDigits(n: bigint): string {
  const text = n.toString();
  let out = '';
  let pendingZero = false;
  for (let i = 0; i < text.length; i += 1) {
    const digit = Number(text[i]);
    const place = text.length - 1 - i;
    if (digit === 0) {
      pendingZero = out !== '';
      continue;
    }
    if (pendingZero) out += '零';
    pendingZero = false;
    out += `${DIGITS[digit]}${PLACES[place]}`;
  }
  return out;
}

/** 0 < n: groups of 万 and 亿; a 零 where the lower group does not fill its leading place. */
function integerCapitals(n: bigint): string {
  if (n >= HUNDRED_MILLION) return joinGroups(n / HUNDRED_MILLION, '亿', n % HUNDRED_MILLION, HUNDRED_MILLION / 10n);
  if (n >= TEN_THOUSAND) return joinGroups(n / TEN_THOUSAND, '万', n % TEN_THOUSAND, TEN_THOUSAND / 10n);
  return fourDigits(n);
}

function joinGroups(high: bigint, unit: string, low: bigint, lowLead: bigint): string {
  const head = `${integerCapitals(high)}${unit}`;
  if (low === 0n) return head;
  return `${head}${low < lowLead ? '零' : ''}${integerCapitals(low)}`;
}

/**
 * An amount (a Decimal or a decimal string, at most two decimals, zero or more, at most the largest NUMERIC(18,2)
 * the database holds) in capitals: 12345.67 → 壹万贰仟叁佰肆拾伍元陆角柒分. Without the 人民币 prefix.
 */
export function amountInCapitals(amount: Decimal | string, field = 'amount'): string {
  let value: Decimal;
  try {
    value = dec(typeof amount === 'string' ? amount.trim() : amount);
  } catch {
    throw new BadInput(field, String(amount), 'a decimal amount such as 12345.67');
  }
  if (!value.isFinite()) throw new BadInput(field, String(amount), 'a decimal amount such as 12345.67');
  if (value.isNegative())
    throw new BadInput(field, value.toString(), 'an amount of zero or more (capitals are not written for a negative amount)');
  if (value.decimalPlaces() > 2) throw new BadInput(field, value.toString(), 'an amount with at most two decimals');
  if (value.greaterThan(MONEY_MAX)) throw new BadInput(field, value.toFixed(2), `an amount of at most ${MONEY_MAX.toFixed(2)}`);

  const cents = BigInt(value.times(100).toFixed(0));
  const yuan = cents / 100n;
  const jiao = Number((cents / 10n) % 10n);
  const fen = Number(cents % 10n);

  if (cents === 0n) return '零元整';
  let out = yuan > 0n ? `${integerCapitals(yuan)}元` : '';
  if (jiao > 0) out += `${DIGITS[jiao]}角`;
  else if (fen > 0 && yuan > 0n) out += '零';
  if (fen > 0) out += `${DIGITS[fen]}分`;
  else out += '整';
  return out;
}
