// Expected problems are typed errors; one place (src/cli.ts) maps them to exit codes and one-line messages.
// A broken invariant is a plain Error (exit 1, stack with --debug).

export const EXIT = {
  ok: 0,
  unexpected: 1,
  badInput: 2,
  notFound: 3,
  reconciliation: 4,
} as const;

/**
 * What the user may do next, named as an action and its input. The core never writes a command line: each
 * adapter words it (the CLI as `zq period reopen 2026-03 --reason …`, the web as a link).
 */
export interface NextStep {
  action: string;
  input?: Readonly<Record<string, string | number | boolean>>;
}

export abstract class ExpectedError extends Error {
  abstract readonly exitCode: number;
  next?: NextStep;

  /** The same error, naming what the user may do next. */
  suggest(next: NextStep): this {
    this.next = next;
    return this;
  }
}

/** Bad input or a business rule refused it: names the field, the value and what was expected. */
export class BadInput extends ExpectedError {
  readonly exitCode = EXIT.badInput;
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly expected: string,
  ) {
    super(`${field}: ${value === undefined || value === null ? 'missing' : JSON.stringify(value)} — expected ${expected}`);
    this.name = 'BadInput';
  }
}

/** A business rule refused the request (exit 2); the message says what and why. */
export class Refused extends ExpectedError {
  readonly exitCode = EXIT.badInput;
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'Refused';
  }
}

export class NotFound extends ExpectedError {
  readonly exitCode = EXIT.notFound;
  constructor(what: string, key: unknown) {
    super(`${what} not found: ${JSON.stringify(key)}`);
    this.name = 'NotFound';
  }
}

export class NotAllowed extends ExpectedError {
  readonly exitCode = EXIT.notFound;
  constructor(message: string) {
    super(message);
    this.name = 'NotAllowed';
  }
}

/** The database cannot be used as it is (locked by another process, migrations pending). */
export class DatabaseUnavailable extends ExpectedError {
  readonly exitCode = EXIT.unexpected;
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseUnavailable';
  }
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`invariant broken: ${message}`);
}

/** SQLSTATEs raised by zq's own triggers (migrations/009_*): ZQ001 locked document, ZQ002 closed period,
 * ZQ003 a posting on a settled or written-off contract (migrations/010_contract_posting_guard.ts). */
const DATABASE_REFUSALS = new Set(['ZQ001', 'ZQ002', 'ZQ003']);

/** The trigger's message of a refusal raised by the database, without the SQL text knex puts before it. */
export function databaseRefusal(err: unknown): string | null {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || !DATABASE_REFUSALS.has(code) || typeof message !== 'string') return null;
  const marker = message.lastIndexOf(' - ');
  return marker >= 0 ? message.slice(marker + 3) : message;
}
