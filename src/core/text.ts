// Text a person types (names, codes, notes): control characters — tabs, line breaks, terminal escapes — would be
// stored and printed raw, breaking tables and CSV and letting a name repaint the terminal. Refused everywhere.
import { BadInput } from './errors.js';

// C0 controls (tab, newline, ESC …), DEL and the C1 controls
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export function hasControlCharacters(text: string): boolean {
  return CONTROL.test(text);
}

/** The text unchanged, or a one-line refusal naming the field (the value is shown escaped). */
export function refuseControlCharacters<T extends string | null | undefined>(field: string, text: T): T {
  if (typeof text === 'string' && CONTROL.test(text)) {
    throw new BadInput(field, text, 'text without control characters (tabs, line breaks, escape sequences)');
  }
  return text;
}
