// The posting kinds, once: what each kind does to a line or a contract, and the groups the rest of the code
// asks for ("what pays a line", "what is credit"). The database's CHECK on postings.kind lists the same
// kinds (migrations/004_documents_postings.ts); a test keeps the two equal.

export const POSTING_KINDS = [
  'allocation', // receipt money to a line's amount
  'penalty_allocation', // receipt money to a line's penalty
  'opening_paid', // imported: paid before the cut-over date
  'opening_penalty', // imported: penalty accrued before the cut-over date
  'opening_penalty_paid', // imported: penalty paid before the cut-over date
  'credit', // unallocated receipt money held as advance-receipt credit (预收)
  'credit_application', // credit applied to a line on its due date
  'refund', // credit paid back to the customer
  'waiver', // penalty forgiven
  'write_off', // bad debt written off
  'recovery', // money received on a written-off line
] as const;

export type PostingKind = (typeof POSTING_KINDS)[number];

/** Pay a line's amount: the overdue base falls by them (RULES.md "Penalty interest"). */
export const PAYS_LINE = ['allocation', 'opening_paid', 'credit_application'] as const satisfies readonly PostingKind[];
/** Pay a line's penalty. */
export const PAYS_PENALTY = ['penalty_allocation', 'opening_penalty_paid'] as const satisfies readonly PostingKind[];
/** Penalty accrued before the system computed it (an import's cut-over). */
export const ACCRUES_PENALTY = ['opening_penalty'] as const satisfies readonly PostingKind[];
/** Forgive penalty. */
export const FORGIVES_PENALTY = ['waiver'] as const satisfies readonly PostingKind[];
/** Close a line's amount without payment (bad debt). */
export const WRITES_OFF = ['write_off'] as const satisfies readonly PostingKind[];
/** Money received on a written-off line: not a payment of it. */
export const RECOVERS = ['recovery'] as const satisfies readonly PostingKind[];
/** Raise the contract's credit. */
export const CREDIT_IN = ['credit'] as const satisfies readonly PostingKind[];
/** Lower the contract's credit. */
export const CREDIT_OUT = ['credit_application', 'refund'] as const satisfies readonly PostingKind[];
/** The allocation of receipts owns these: a replay reverses and posts them again. */
export const ALLOCATION_KINDS = [
  'allocation',
  'penalty_allocation',
  'credit',
  'credit_application',
] as const satisfies readonly PostingKind[];
/** Where a receipt's money went: its postings of these add up to its amount while it is confirmed. */
export const RECEIPT_MONEY = ['allocation', 'penalty_allocation', 'credit', 'recovery'] as const satisfies readonly PostingKind[];
/** Written by an import for the position at its cut-over date. */
export const OPENING_KINDS = ['opening_paid', 'opening_penalty', 'opening_penalty_paid'] as const satisfies readonly PostingKind[];

/** A list of kinds as SQL literals, for statements that cannot take bindings in that place. */
export function kindsSql(kinds: readonly PostingKind[]): string {
  return kinds.map((kind) => `'${kind}'`).join(', ');
}

export function isKind(kinds: readonly PostingKind[], kind: string): boolean {
  return (kinds as readonly string[]).includes(kind);
}
