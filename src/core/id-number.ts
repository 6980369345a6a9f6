// 证件号码: the two 18-character numbers a customer gives — a resident ID (居民身份证, GB 11643) or a unified
// social credit code (统一社会信用代码, GB 32100). Both end in a check character; a number that fits neither may
// still be real (a passport, an old 15-digit ID), so the caller warns rather than refuses.
import { isValidDate } from './dates.js';

export type IdNumberKind = 'resident_id' | 'credit_code';

const RESIDENT_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const RESIDENT_CHECK = '10X98765432';
const CREDIT_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** The check character of a resident ID's first 17 digits. */
export function residentIdCheck(first17: string): string {
  const sum = RESIDENT_WEIGHTS.reduce((s, w, i) => s + w * Number(first17[i]), 0);
  return RESIDENT_CHECK[sum % 11] as string;
}

/** The check character of a unified social credit code's first 17 characters. */
export function creditCodeCheck(first17: string): string {
  const sum = CREDIT_WEIGHTS.reduce((s, w, i) => s + w * CREDIT_CHARS.indexOf(first17[i] as string), 0);
  return CREDIT_CHARS[(31 - (sum % 31)) % 31] as string;
}

function isResidentId(id: string): boolean {
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  const birth = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  return isValidDate(birth) && residentIdCheck(id) === id[17];
}

function isCreditCode(id: string): boolean {
  if (!/^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/.test(id)) return false;
  return creditCodeCheck(id) === id[17];
}

/** Which kind of number this is, or null when it is neither (wrong length, characters or check character). */
export function idNumberKind(text: string): IdNumberKind | null {
  const id = text.trim().toUpperCase();
  if (isResidentId(id)) return 'resident_id';
  if (isCreditCode(id)) return 'credit_code';
  return null;
}
