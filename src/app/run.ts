// The one entry point that runs any action, for the CLI and the web alike (DESIGN.md "Access"): it loads the
// acting user, checks the permission by the action's name, opens the transaction, finds the contract or
// document the input names within the actor's data scope (out of scope and not found look the same: exit 3,
// 404 on the web), runs the action and writes its audit row in the same transaction.
import './document-types.js';
import type { Action, ActionContext, Any } from '../access/action.js';
import { type Actor, loadActor } from '../access/actor.js';
import { requireRoles } from '../access/permissions.js';
import { writeAudit } from '../audit/index.js';
import type { Db, Tx } from '../db/index.js';
import { type DocumentRow, findDocument } from '../documents/index.js';
import { type ContractRef, resolveContract } from '../receivables/contracts.js';
import { type ActionName, type ActionNamed, actionNamed } from './catalogue.js';

type AnyAction<Raw, Out> = Action<string, Raw, Any, Out, Any>;
/** What an adapter passes to the named action: flags or form fields as they come. */
export type RawInput<N extends ActionName> = ActionNamed<N> extends AnyAction<infer Raw, unknown> ? Raw : never;
/** What the named action returns: printed by the CLI (and its --json), rendered by the web. */
export type Output<N extends ActionName> = ActionNamed<N> extends AnyAction<never, infer Out> ? Out : never;

export interface RunOptions {
  via: ActionContext<unknown>['via'];
}

interface Subject {
  contract?: ContractRef;
  document?: DocumentRow;
}

async function resolveSubject(tx: Tx, actor: Actor, action: Action, input: unknown): Promise<Subject> {
  const subject: Subject = {};
  if (action.contract) subject.contract = await resolveContract(tx, actor, action.contract(input));
  if (action.document) subject.document = await findDocument(tx, actor, action.document(input));
  return subject;
}

/** The input as the audit row keeps it: amounts as strings, no secrets, no callbacks. */
function auditInput(input: unknown): unknown {
  return JSON.parse(JSON.stringify(input ?? {}, (key, value) => (/password/i.test(key) ? '***' : value)) ?? 'null');
}

/**
 * Runs the named action as `who` (a username from --as / ZQ_USER, or a user the web logged in). A mutating
 * action that runs in one transaction gets one audit row naming the action, the adapter and its input, beside
 * the rows the module writes for each thing it changes; an action with transactions of its own (an import,
 * the batch) writes its audit rows in each of them.
 */
export async function runAction<N extends ActionName>(
  db: Db,
  who: Actor | string,
  name: N,
  raw: RawInput<N>,
  options: RunOptions,
): Promise<Output<N>> {
  const action = actionNamed(name) as Action;
  const actor = typeof who === 'string' ? await loadActor(db.knex, who) : who;
  requireRoles(actor, action);
  const input = action.parse ? action.parse(raw) : raw;
  if (action.transaction === 'own') return action.run(db, actor, input, { subject: {}, via: options.via });
  if (action.transaction === 'none') {
    // a read of plain SELECTs (defineAction refuses a mutating one): each statement on the pool, no BEGIN/COMMIT
    const reader = db.knex as unknown as Tx;
    const subject = await resolveSubject(reader, actor, action, input);
    return (await action.run(reader, actor, input, { subject, via: options.via })) as Output<N>;
  }
  return db.knex.transaction(async (tx) => {
    const subject = await resolveSubject(tx, actor, action, input);
    const output = await action.run(tx, actor, input, { subject, via: options.via });
    if (action.mutates) {
      const target = subject.document ?? subject.contract;
      await writeAudit(tx, actor, {
        action: action.name,
        entity: 'action',
        entityId: subject.document?.number ?? subject.contract?.contractNo ?? null,
        dealerId: target?.dealerId ?? null,
        documentId: subject.document?.id ?? null,
        details: { via: options.via, input: auditInput(input) },
      });
    }
    return output as Output<N>;
  });
}
