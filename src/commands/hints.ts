// The CLI's wording of an error's next step (core/errors.ts NextStep): the core names an action and its input,
// the user reads the command to type. The web words the same step as a link.
import type { NextStep } from '../core/errors.js';

type Input = NonNullable<NextStep['input']>;

const COMMANDS: Readonly<Record<string, (input: Input) => string>> = {
  'batch.run': (i) => (i.wait ? 'zq batch run --wait' : `zq batch run${i.date ? ` --date ${i.date}` : ''}`),
  'contract.show': (i) => `zq contract show ${i.contractNo}`,
  'dealer.list': () => 'zq dealer list',
  'doc.unlock': (i) => `zq doc unlock ${i.id}`,
  'import.list': () => 'zq import list',
  init: () => 'zq init',
  'period.reopen': (i) => `zq period reopen ${i.month} --reason …`,
  'receipt.allocate': (i) => `zq receipt allocate ${i.id} --to …`,
  'receipt.confirm': (i) => `zq receipt confirm ${i.id}`,
  'receipt.reverse': (i) => `zq receipt reverse ${i.id} --reason …`,
  'receipt.withdraw': (i) => `zq receipt withdraw ${i.id}`,
  'refund.request': (i) => `zq refund request --contract ${i.contractNo} --amount ${i.amount}`,
  'user.list': () => 'zq user list',
};

/** The command a next step names, e.g. `zq doc unlock 12`; undefined for a step the CLI has no command for. */
export function commandFor(next: NextStep): string | undefined {
  return COMMANDS[next.action]?.(next.input ?? {});
}

/** The actions a next step may name: a test checks every step the core suggests is here. */
export const SUGGESTABLE = Object.keys(COMMANDS);
