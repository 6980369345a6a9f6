// Document types register with the approval engine: the fields their rules may test (the condition schema)
// and what happens when a document of the type is finally approved or rejected. Every type has the standard
// fields amount (decimal), dealer (text: the dealer code) and type (text); a type adds its own, read from the
// document's data unless it supplies conditionValues. Each module exports its definitions; the application's
// catalogue (src/app/document-types.ts) registers them all at start, so the engine never imports upward.
import type { Actor } from '../access/actor.js';
import type { Tx } from '../db/index.js';
import type { DocumentRow } from '../documents/index.js';
import type { ConditionSchema, ConditionValue, FieldKind } from './condition.js';

export interface DocumentTypeDefinition {
  type: string;
  /** For people: e.g. '结账重开 period reopen'. */
  label: string;
  /** Fields beyond amount, dealer and type that rules may test. */
  fields?: Readonly<Record<string, FieldKind>>;
  /** Values of the extra fields; default: the document's data[field]. */
  conditionValues?: (tx: Tx, document: DocumentRow) => Promise<Record<string, ConditionValue>>;
  /** Runs in the deciding transaction once the last step approves (or at once when no rule matches). */
  onApproved: (tx: Tx, actor: Actor, document: DocumentRow) => Promise<void>;
  /** Runs in the deciding transaction when a step rejects. */
  onRejected: (tx: Tx, actor: Actor, document: DocumentRow, comment: string) => Promise<void>;
}

export const STANDARD_FIELDS: Readonly<Record<string, FieldKind>> = { amount: 'decimal', dealer: 'text', type: 'text' };

const registry = new Map<string, DocumentTypeDefinition>();

export function registerDocumentType(definition: DocumentTypeDefinition): void {
  if (!/^[a-z][a-z_]{0,39}$/.test(definition.type)) throw new Error(`invariant broken: document type name ${definition.type}`);
  const existing = registry.get(definition.type);
  if (existing && existing !== definition) throw new Error(`invariant broken: document type ${definition.type} registered twice`);
  registry.set(definition.type, definition);
}

export function conditionSchema(definition: DocumentTypeDefinition): ConditionSchema {
  return { ...STANDARD_FIELDS, ...(definition.fields ?? {}) };
}

function registered(): Map<string, DocumentTypeDefinition> {
  if (registry.size === 0) throw new Error('invariant broken: no document type registered (import src/app/document-types.ts first)');
  return registry;
}

/** The registered type of that name. */
export function documentType(type: string): DocumentTypeDefinition | undefined {
  return registered().get(type);
}

export function documentTypes(): DocumentTypeDefinition[] {
  return [...registered().values()].sort((a, b) => a.type.localeCompare(b.type));
}
