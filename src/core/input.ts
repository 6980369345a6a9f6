// Small checks of raw input that every action shares: ids and required text. Errors name the input's field in
// business words (`id`, `reason`); each adapter maps the field to its flag or form field.
import { BadInput } from './errors.js';
import { refuseControlCharacters } from './text.js';

/** A database id: a whole number from 1 up, given as text (a flag, a URL) or as a number. */
export function parseId(value: unknown, field = 'id', what = 'an id'): number {
  const text = String(value ?? '').trim();
  if (!/^[1-9]\d{0,15}$/.test(text)) throw new BadInput(field, value ?? null, `${what} (a whole number from 1)`);
  return Number(text);
}

/** Text a person must give (a reason, a comment): trimmed, not empty. */
export function requireText(value: string | undefined | null, field: string, what: string): string {
  const text = String(value ?? '').trim();
  if (!text) throw new BadInput(field, value ?? null, what);
  return refuseControlCharacters(field, text);
}
