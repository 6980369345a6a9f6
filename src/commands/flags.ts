// The core names input fields in business words (`valueDate`, `contractNo`); on the command line they are
// flags (`--value-date`, `--contract`) or arguments (`ID`). This maps an error's field to what the user typed.
import { BadInput } from '../core/errors.js';

/** How an action's input fields are named on a command line, where not `--kebab-case` of the field. */
export type FlagNames = Readonly<Record<string, string>>;

/** `valueDate` → `--value-date`; a name already in capitals (an argument such as ID or FILE) stays. */
export function flagOf(field: string, flags: FlagNames): string {
  const named = flags[field];
  if (named) return named;
  if (/^[A-Z_]+$/.test(field) || field.startsWith('-')) return field;
  return `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** A BadInput about an input field, restated under the command's flag (`amount (row 3)` keeps its suffix). */
export function inFlags(err: unknown, flags: FlagNames): unknown {
  if (!(err instanceof BadInput)) return err;
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(.*)$/s.exec(err.field);
  if (!m) return err;
  const field = `${flagOf(m[1] as string, flags)}${m[2]}`;
  if (field === err.field) return err;
  const restated = new BadInput(field, err.value, err.expected);
  restated.stack = err.stack;
  if (err.next) restated.suggest(err.next);
  return restated;
}

/**
 * For a command that calls the core directly: a BadInput about one of the command's own options (`reason` →
 * `--reason`); any other field (an argument, a file, a row) stays as the core named it.
 */
export function inOptions(err: unknown, options: readonly { long?: string | undefined; attributeName(): string }[]): unknown {
  if (!(err instanceof BadInput)) return err;
  const head = /^[A-Za-z_][A-Za-z0-9_]*/.exec(err.field)?.[0];
  const option = options.find((o) => o.attributeName() === head && o.long);
  return option ? inFlags(err, { [head as string]: option.long as string }) : err;
}
