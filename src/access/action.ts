// An action is the unit both adapters call (DESIGN.md "Shape of the code"): a named operation of the module
// that owns it ('receipt.confirm'), with its input, the roles that may run it, whether it changes data, and
// what its input names — a contract or a document — that the entry point (src/app/run.ts) must find within
// the actor's data scope before the action runs. The CLI maps flags to the raw input, the web maps form
// fields to the same input; neither opens a transaction, checks a permission or a scope.
import type { Db, Tx } from '../db/index.js';
import type { Actor } from './actor.js';
import type { RoleCode } from './role-sets.js';

/** A contract named by its number, and its dealer where the number exists at more than one. */
export interface ContractKey {
  contractNo: string;
  dealer?: string | undefined;
}

/**
 * What the entry point resolved in the actor's scope before running: the contract or document the input
 * names. `S` is its shape for one action (e.g. `{ contract: ContractRef }`).
 */
export interface ActionContext<S> {
  subject: S;
  /** Which adapter runs it: written into the audit row. */
  via: 'cli' | 'web' | 'test';
}

// biome-ignore lint/suspicious/noExplicitAny: the defaults make `Action` the type of any action, whatever its input and output
export type Any = any;

interface ActionBase<N extends string, Raw, In> {
  /** `<module noun>.<verb>`, e.g. 'receipt.confirm': the key of the permission matrix. */
  name: N;
  /** For people: what it does, in a few words. */
  summary: string;
  /** The roles that may run it; any one suffices. */
  roles: readonly RoleCode[];
  /** Changes data: needs an explicit acting user and gets an audit row. */
  mutates: boolean;
  /** Checks and converts the raw input (strings from a flag or a form field); errors name the input's fields. */
  parse?: (raw: Raw) => In;
  /** The contract the input names: found in the actor's scope, or "not found" (exit 3 / 404). */
  contract?: (input: In) => ContractKey;
  /** The document the input names: found in the actor's scope, or "not found". */
  document?: (input: In) => number;
}

/**
 * Runs inside the one transaction the entry point opens ('one', the default); or, 'none', a read of plain SELECTs
 * (no SET LOCAL, cursor or lock) that runs statement by statement on the pool without BEGIN and COMMIT: under
 * READ COMMITTED each statement reads its own snapshot either way, and a page of the web viewer runs several.
 */
export interface TxAction<N extends string = string, Raw = Any, In = Any, Out = Any, S = Any> extends ActionBase<N, Raw, In> {
  transaction?: 'one' | 'none';
  run: (tx: Tx, actor: Actor, input: In, context: ActionContext<S>) => Promise<Out>;
}

/**
 * Opens its own transactions (an import: one per file; the batch: one per date). The entry point still checks
 * the permission and writes the audit row; the action resolves what it names through the scoped functions.
 */
export interface OwnTxAction<N extends string = string, Raw = Any, In = Any, Out = Any, S = Any> extends ActionBase<N, Raw, In> {
  transaction: 'own';
  run: (db: Db, actor: Actor, input: In, context: ActionContext<S>) => Promise<Out>;
}

export type Action<N extends string = string, Raw = Any, In = Any, Out = Any, S = Any> =
  | TxAction<N, Raw, In, Out, S>
  | OwnTxAction<N, Raw, In, Out, S>;

/** Identity with inference: the action's name stays a literal type, so the catalogue is typed by name. */
export function defineAction<const N extends string, Raw, In = Raw, Out = unknown, S = Record<string, never>>(
  action: TxAction<N, Raw, In, Out, S> | OwnTxAction<N, Raw, In, Out, S>,
): Action<N, Raw, In, Out, S> {
  if (!/^[a-z][a-z-]*(\.[a-z][a-z-]*)+$/.test(action.name)) throw new Error(`invariant broken: action name ${action.name}`);
  if (action.transaction === 'none' && action.mutates)
    throw new Error(`invariant broken: ${action.name} changes data outside a transaction`);
  return action;
}

export type RawOf<A> = A extends Action<string, infer Raw> ? Raw : never;
export type OutOf<A> = A extends Action<string, unknown, unknown, infer Out> ? Out : never;
