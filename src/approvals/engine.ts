// The approval engine (审批流), one for every document type. A document is submitted; the first active rule
// of its type whose condition matches decides its steps (no rule: it needs no approval and acts at once).
// Each step's approver is resolved when the request is made: a role (a holder at the document's dealer, or
// anywhere for a group role), a named user, or the applicant's manager N levels up. A step whose approver
// does not exist (nobody holds the role, the user is inactive, the chain of managers ends, or the approver is
// the applicant) escalates to admin and its note says so. Steps are decided in order; nobody approves their
// own request; a rejection needs a comment and ends the flow; the document acts only when its last step
// approves. The request is addressed by its document's id everywhere (`zq approval approve ID`).
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import { isAdmin } from '../access/permissions.js';
import { scopeDocuments } from '../access/scope.js';
import { writeAudit } from '../audit/index.js';
import { sqlTimestamp } from '../core/dates.js';
import { BadInput, NotAllowed, NotFound, Refused } from '../core/errors.js';
import { dec } from '../core/money.js';
import type { Tx } from '../db/index.js';
import { ROLES } from '../db/seed.js';
import { assertNotReviewLocked, type DocumentRow, loadDocument, setDocumentStatus } from '../documents/index.js';
import { type ConditionValue, evaluateCondition, parseCondition } from './condition.js';
import { conditionSchema, type DocumentTypeDefinition, documentType } from './registry.js';
import { formatStep, listRules, type Rule, type StepSpec } from './rules.js';

const GROUP_ROLES = new Set<string>(ROLES.filter((r) => r.scope === 'group').map((r) => r.code));
export const INBOX_MAX = 1000;

export type StepStatus = 'waiting' | 'pending' | 'approved' | 'rejected' | 'skipped';

export interface StepView {
  seq: number;
  configured: string;
  approver: string;
  note: string | null;
  status: StepStatus;
  decidedBy: string | null;
  decidedAt: string | null;
  comment: string | null;
}

export interface RequestView {
  documentId: number;
  type: string;
  number: string;
  dealer: string;
  amount: string | null;
  documentStatus: string;
  applicant: string;
  status: 'pending' | 'approved' | 'rejected' | 'withdrawn';
  currentStep: number | null;
  ruleId: number | null;
  condition: string | null;
  createdAt: string;
  decidedAt: string | null;
  steps: StepView[];
}

export interface SubmitResult {
  documentId: number;
  /** 'pending': waiting for its steps; 'approved': no rule matched, the document acted at once. */
  status: 'pending' | 'approved';
  ruleId: number | null;
  steps: StepView[];
}

async function definitionOf(type: string): Promise<DocumentTypeDefinition> {
  const definition = documentType(type);
  if (!definition) throw new Error(`invariant broken: document type ${type} is not registered with the approval engine`);
  return definition;
}

async function conditionValues(tx: Tx, definition: DocumentTypeDefinition, document: DocumentRow): Promise<Record<string, ConditionValue>> {
  const own = definition.conditionValues
    ? await definition.conditionValues(tx, document)
    : Object.fromEntries(
        Object.entries(definition.fields ?? {}).map(([field, kind]) => {
          const raw = document.data[field];
          if (raw === null || raw === undefined) return [field, null];
          if (kind === 'text') return [field, String(raw)];
          return [field, kind === 'decimal' ? dec(String(raw)) : Number(raw)];
        }),
      );
  return { ...own, amount: document.amount === null ? null : dec(document.amount), dealer: document.dealer, type: document.type };
}

/** The first active rule of the document's type whose condition matches, or null. */
export async function matchingRule(tx: Tx, document: DocumentRow): Promise<Rule | null> {
  const definition = await definitionOf(document.type);
  const schema = conditionSchema(definition);
  const values = await conditionValues(tx, definition, document);
  for (const rule of await listRules(tx, document.type)) {
    if (evaluateCondition(parseCondition(rule.condition), schema, values)) return rule;
  }
  return null;
}

interface ResolvedStep {
  approver_kind: 'role' | 'user' | 'admin';
  approver_role: string | null;
  approver_user_id: number | null;
  note: string | null;
}

const escalate = (note: string): ResolvedStep => ({
  approver_kind: 'admin',
  approver_role: null,
  approver_user_id: null,
  note: `${note}: escalated to admin`,
});

/** Whether an active admin other than the applicant exists to take an escalated step. */
async function anotherAdmin(tx: Tx, applicantId: number): Promise<boolean> {
  const admin = await tx('user_roles as r')
    .join('users as u', 'u.id', 'r.user_id')
    .where({ 'r.role': 'admin', 'u.active': true })
    .whereNot('u.id', applicantId)
    .first('u.id');
  return admin !== undefined;
}

async function resolveStep(tx: Tx, step: StepSpec, document: DocumentRow, applicantId: number): Promise<ResolvedStep> {
  if (step.kind === 'role') {
    const holders = tx('user_roles as r')
      .join('users as u', 'u.id', 'r.user_id')
      .where({ 'r.role': step.role, 'u.active': true })
      .whereNot('u.id', applicantId);
    if (!GROUP_ROLES.has(step.role)) holders.where('u.dealer_id', document.dealerId);
    if (!(await holders.first('u.id'))) {
      return escalate(`nobody but the applicant holds role ${step.role}${GROUP_ROLES.has(step.role) ? '' : ` at ${document.dealer}`}`);
    }
    return { approver_kind: 'role', approver_role: step.role, approver_user_id: null, note: null };
  }
  if (step.kind === 'user') {
    const user = await tx('users').where({ username: step.username }).first('id', 'active');
    if (!user?.active) return escalate(`user ${step.username} does not exist or is deactivated`);
    if (user.id === applicantId) return escalate(`user ${step.username} is the applicant and cannot approve their own request`);
    return { approver_kind: 'user', approver_role: null, approver_user_id: user.id, note: null };
  }
  let current: { id: number; username: string; reports_to: number | null; active: boolean } | undefined = await tx('users')
    .where({ id: applicantId })
    .first('id', 'username', 'reports_to', 'active');
  for (let level = 0; level < step.levels && current; level++) {
    current =
      current.reports_to === null
        ? undefined
        : await tx('users').where({ id: current.reports_to }).first('id', 'username', 'reports_to', 'active');
  }
  if (!current?.active) return escalate(`the applicant has no ${current ? 'active ' : ''}manager ${step.levels} level(s) up`);
  return {
    approver_kind: 'user',
    approver_role: null,
    approver_user_id: current.id,
    note: `${current.username} (manager ${step.levels} level(s) up)`,
  };
}

async function act(
  tx: Tx,
  actor: Actor,
  definition: DocumentTypeDefinition,
  documentId: number,
  details: Record<string, unknown>,
): Promise<void> {
  const document = await setDocumentStatus(tx, actor, documentId, 'approved', { from: ['draft', 'registered', 'submitted'], details });
  await definition.onApproved(tx, actor, document);
}

/**
 * Submits a document (status draft, registered or submitted) for approval. With no matching rule it is
 * approved at once and its type's onApproved runs; otherwise a request with its steps is made.
 */
export async function submitForApproval(tx: Tx, actor: Actor, documentId: number): Promise<SubmitResult> {
  const document = await loadDocument(tx, documentId);
  assertNotReviewLocked(document, 'changed');
  const definition = await definitionOf(document.type);
  if (await tx('approval_requests').where({ document_id: documentId }).first('id'))
    throw new Refused(`document ${documentId} has already been submitted for approval`);
  const rule = await matchingRule(tx, document);
  if (!rule) {
    await act(tx, actor, definition, documentId, { approval: 'no matching rule: no approval needed' });
    return { documentId, status: 'approved', ruleId: null, steps: [] };
  }
  const [request] = await tx('approval_requests')
    .insert({ document_id: documentId, rule_id: rule.id, applicant_id: actor.id, status: 'pending', current_step: 1 })
    .returning('id');
  for (const [i, step] of rule.steps.entries()) {
    const resolved = await resolveStep(tx, step, document, actor.id);
    if (resolved.approver_kind === 'admin' && !(await anotherAdmin(tx, actor.id))) {
      // nobody approves their own request: a step escalated to the only admin, who applied, could never be decided
      throw new Refused(
        `document ${documentId}: step ${i + 1} (${formatStep(step)}) of approval rule ${rule.id}: ${resolved.note}, but the applicant ${actor.username} is the only active admin, so nobody could approve it — add another admin or change the rule`,
      );
    }
    await tx('approval_steps').insert({
      request_id: request.id,
      seq: i + 1,
      configured: formatStep(step),
      status: i === 0 ? 'pending' : 'waiting',
      ...resolved,
    });
  }
  if (document.status !== 'submitted') await setDocumentStatus(tx, actor, documentId, 'submitted', { details: { ruleId: rule.id } });
  const view = await requestView(tx, documentId);
  await writeAudit(tx, actor, {
    action: 'submit',
    entity: 'approval',
    entityId: documentId,
    dealerId: document.dealerId,
    documentId,
    details: { ruleId: rule.id, condition: rule.condition, steps: view.steps.map((s) => `${s.configured} → ${s.approver}`) },
  });
  return { documentId, status: 'pending', ruleId: rule.id, steps: view.steps };
}

interface StepRow {
  id: number;
  seq: number;
  configured: string;
  approver_kind: 'role' | 'user' | 'admin';
  approver_role: string | null;
  approver_user_id: number | null;
  status: StepStatus;
}

function mayDecide(actor: Actor, step: StepRow, document: DocumentRow): boolean {
  if (step.approver_kind === 'admin') return isAdmin(actor);
  if (step.approver_kind === 'user') return step.approver_user_id === actor.id;
  const role = step.approver_role as string;
  return actor.roles.includes(role) && (GROUP_ROLES.has(role) || actor.dealerId === document.dealerId);
}

function describeApprover(step: StepRow, usernames: Map<number, string>): string {
  if (step.approver_kind === 'admin') return 'admin (escalated)';
  if (step.approver_kind === 'user') return `user ${usernames.get(step.approver_user_id as number) ?? step.approver_user_id}`;
  return `role ${step.approver_role}`;
}

/** Loads a pending request for a decision by the actor, refusing self-approval and approval out of turn. */
async function pendingStepFor(tx: Tx, actor: Actor, documentId: number) {
  const request = await tx('approval_requests')
    .where({ document_id: documentId })
    .forUpdate()
    .first('id', 'applicant_id', 'status', 'current_step');
  if (!request || !(await maySee(tx, actor, documentId, request.applicant_id === actor.id))) {
    throw new NotFound('approval for document', documentId);
  }
  const document = await loadDocument(tx, documentId);
  if (request.status !== 'pending') throw new Refused(`the approval of document ${documentId} is already ${request.status}`);
  assertNotReviewLocked(document, 'changed');
  if (request.applicant_id === actor.id)
    throw new Refused(`${actor.username} submitted document ${documentId}: nobody approves or rejects their own request`);
  const steps = (await tx('approval_steps').where({ request_id: request.id }).orderBy('seq')) as StepRow[];
  const current = steps.find((s) => s.seq === request.current_step) as StepRow;
  const usernames = new Map<number, string>(
    (
      await tx('users')
        .whereIn(
          'id',
          steps.map((s) => s.approver_user_id).filter((id): id is number => id !== null),
        )
        .select('id', 'username')
    ).map((u) => [u.id, u.username]),
  );
  if (!mayDecide(actor, current, document)) {
    const later = steps.find((s) => s.seq > current.seq && mayDecide(actor, s, document));
    if (later) {
      throw new Refused(
        `not your turn: step ${current.seq} of ${steps.length} (${describeApprover(current, usernames)}) of document ${documentId} must be decided first; yours is step ${later.seq}`,
      );
    }
    throw new NotAllowed(
      `${actor.username} is not the approver of step ${current.seq} of document ${documentId} (${describeApprover(current, usernames)})`,
    );
  }
  return { request, document, steps, current };
}

export async function approve(tx: Tx, actor: Actor, documentId: number, comment?: string): Promise<RequestView> {
  const { request, document, steps, current } = await pendingStepFor(tx, actor, documentId);
  await tx('approval_steps')
    .where({ id: current.id })
    .update({ status: 'approved', decided_by: actor.id, decided_at: tx.fn.now(), comment: comment?.trim() || null });
  const last = current.seq === steps.length;
  await writeAudit(tx, actor, {
    action: 'approve',
    entity: 'approval',
    entityId: documentId,
    dealerId: document.dealerId,
    documentId,
    details: { step: current.seq, of: steps.length, comment: comment?.trim() || null },
  });
  if (last) {
    await tx('approval_requests').where({ id: request.id }).update({ status: 'approved', current_step: null, decided_at: tx.fn.now() });
    await act(tx, actor, await definitionOf(document.type), documentId, { approval: `step ${current.seq} of ${steps.length} approved` });
  } else {
    await tx('approval_requests')
      .where({ id: request.id })
      .update({ current_step: current.seq + 1 });
    await tx('approval_steps')
      .where({ request_id: request.id, seq: current.seq + 1 })
      .update({ status: 'pending' });
  }
  return requestView(tx, documentId);
}

export async function reject(tx: Tx, actor: Actor, documentId: number, comment: string): Promise<RequestView> {
  if (!comment?.trim()) throw new BadInput('comment', comment ?? null, 'the reason for the rejection (a comment is required)');
  const { request, document, steps, current } = await pendingStepFor(tx, actor, documentId);
  await tx('approval_steps')
    .where({ id: current.id })
    .update({ status: 'rejected', decided_by: actor.id, decided_at: tx.fn.now(), comment: comment.trim() });
  await tx('approval_steps').where({ request_id: request.id }).where('seq', '>', current.seq).update({ status: 'skipped' });
  await tx('approval_requests').where({ id: request.id }).update({ status: 'rejected', current_step: null, decided_at: tx.fn.now() });
  await writeAudit(tx, actor, {
    action: 'reject',
    entity: 'approval',
    entityId: documentId,
    dealerId: document.dealerId,
    documentId,
    details: { step: current.seq, of: steps.length, comment: comment.trim() },
  });
  const rejected = await setDocumentStatus(tx, actor, documentId, 'rejected', { from: ['submitted'] });
  await (await definitionOf(document.type)).onRejected(tx, actor, rejected, comment.trim());
  return requestView(tx, documentId);
}

/**
 * The applicant withdraws their request while it waits (RULES.md: withdrawal only before confirmation): the open
 * steps are skipped, the document is withdrawn, nothing it asked for happens. An admin may withdraw anybody's.
 */
export async function withdraw(tx: Tx, actor: Actor, documentId: number, comment?: string): Promise<RequestView> {
  const request = await tx('approval_requests').where({ document_id: documentId }).forUpdate().first('id', 'applicant_id', 'status');
  if (!request || !(await maySee(tx, actor, documentId, request.applicant_id === actor.id))) {
    throw new NotFound('approval for document', documentId);
  }
  if (request.status !== 'pending') throw new Refused(`the approval of document ${documentId} is already ${request.status}`);
  if (request.applicant_id !== actor.id && !actor.roles.includes('admin'))
    throw new NotAllowed(`${actor.username} did not submit document ${documentId}: only its applicant (or an admin) withdraws it`);
  const document = await loadDocument(tx, documentId);
  assertNotReviewLocked(document, 'withdrawn');
  // The comment stays on the step it was waiting at, where `zq approval show` reads the history.
  await tx('approval_steps')
    .where({ request_id: request.id, status: 'pending' })
    .update({ status: 'skipped', comment: `withdrawn by ${actor.username}${comment?.trim() ? `: ${comment.trim()}` : ''}` });
  await tx('approval_steps').where({ request_id: request.id, status: 'waiting' }).update({ status: 'skipped' });
  await tx('approval_requests').where({ id: request.id }).update({ status: 'withdrawn', current_step: null, decided_at: tx.fn.now() });
  await writeAudit(tx, actor, {
    action: 'withdraw',
    entity: 'approval',
    entityId: documentId,
    dealerId: document.dealerId,
    documentId,
    details: { comment: comment?.trim() || null },
  });
  await setDocumentStatus(tx, actor, documentId, 'withdrawn', { from: ['submitted'] });
  return requestView(tx, documentId);
}

const TIME = sqlTimestamp;

/** A request with its whole history, without scope checks (callers check). */
async function requestView(knex: Knex, documentId: number): Promise<RequestView> {
  const row = await knex('approval_requests as r')
    .join('documents as doc', 'doc.id', 'r.document_id')
    .join('dealers as d', 'd.id', 'doc.dealer_id')
    .join('users as a', 'a.id', 'r.applicant_id')
    .leftJoin('approval_rules as rule', 'rule.id', 'r.rule_id')
    .where('r.document_id', documentId)
    .first(
      'r.id',
      'doc.id as documentId',
      'doc.type',
      'doc.number',
      'd.code as dealer',
      'doc.amount',
      'doc.status as documentStatus',
      'a.username as applicant',
      'r.status',
      'r.current_step as currentStep',
      'r.rule_id as ruleId',
      'rule.condition',
      knex.raw(`${TIME('r.created_at')} as "createdAt"`),
      knex.raw(`${TIME('r.decided_at')} as "decidedAt"`),
    );
  if (!row) throw new NotFound('approval for document', documentId);
  const steps = await knex('approval_steps as s')
    .leftJoin('users as au', 'au.id', 's.approver_user_id')
    .leftJoin('users as du', 'du.id', 's.decided_by')
    .where('s.request_id', row.id)
    .orderBy('s.seq')
    .select(
      's.seq',
      's.configured',
      knex.raw(
        `CASE s.approver_kind WHEN 'admin' THEN 'admin (escalated)' WHEN 'role' THEN 'role ' || s.approver_role ELSE 'user ' || au.username END as approver`,
      ),
      's.note',
      's.status',
      'du.username as decidedBy',
      knex.raw(`${TIME('s.decided_at')} as "decidedAt"`),
      's.comment',
    );
  const { id: _id, ...rest } = row;
  return { ...rest, steps } as RequestView;
}

/**
 * A request's whole history, for somebody who may see it: the document is in their data scope, or they are
 * its applicant or one of its approvers. Anybody else gets NotFound, so that its existence does not leak.
 */
export async function showApproval(knex: Knex, actor: Actor, documentId: number): Promise<RequestView> {
  const view = await requestView(knex, documentId);
  if (await maySee(knex, actor, documentId, view.applicant === actor.username)) return view;
  throw new NotFound('approval for document', documentId);
}

/**
 * Whether the actor may know of document's request: it is in their data scope, they applied, or they decided
 * or may decide one of its steps. Everybody else is told it is not found, whatever they asked to do with it.
 */
async function maySee(knex: Knex, actor: Actor, documentId: number, isApplicant: boolean): Promise<boolean> {
  if (isApplicant) return true;
  const inScope = await scopeDocuments(knex('documents as doc'), actor, 'doc').where('doc.id', documentId).first('doc.id');
  if (inScope) return true;
  const document = await loadDocument(knex, documentId);
  const steps = (await knex('approval_steps as s')
    .join('approval_requests as r', 'r.id', 's.request_id')
    .where('r.document_id', documentId)
    .select('s.*')) as (StepRow & { decided_by: number | null })[];
  return steps.some((s) => s.decided_by === actor.id || mayDecide(actor, s, document));
}

/** The requests waiting for the actor: their current step is the actor's, and the actor is not the applicant. */
export async function inbox(knex: Knex, actor: Actor): Promise<RequestView[]> {
  const groupRoles = actor.roles.filter((r) => GROUP_ROLES.has(r));
  const dealerRoles = actor.roles.filter((r) => !GROUP_ROLES.has(r));
  const ids: number[] = await knex('approval_requests as r')
    .join('approval_steps as s', (j) => j.on('s.request_id', 'r.id').andOn('s.seq', 'r.current_step'))
    .join('documents as doc', 'doc.id', 'r.document_id')
    .where('r.status', 'pending')
    .whereNot('r.applicant_id', actor.id)
    .where((w) => {
      w.where((u) => u.where('s.approver_kind', 'user').where('s.approver_user_id', actor.id));
      if (isAdmin(actor)) w.orWhere('s.approver_kind', 'admin');
      if (groupRoles.length > 0) w.orWhere((g) => g.where('s.approver_kind', 'role').whereIn('s.approver_role', groupRoles));
      if (dealerRoles.length > 0 && actor.dealerId !== null) {
        w.orWhere((g) =>
          g
            .where('s.approver_kind', 'role')
            .whereIn('s.approver_role', dealerRoles)
            .where('doc.dealer_id', actor.dealerId as number),
        );
      }
    })
    .orderBy('r.id')
    .limit(INBOX_MAX)
    .pluck('r.document_id');
  const views: RequestView[] = [];
  for (const id of ids) views.push(await requestView(knex, id));
  return views;
}

/** The actor's own requests, newest first: those still waiting, then the latest decided or withdrawn. */
export async function myRequests(knex: Knex, actor: Actor, limit = 50): Promise<RequestView[]> {
  const ids: number[] = await knex('approval_requests as r')
    .where('r.applicant_id', actor.id)
    .orderByRaw("(r.status = 'pending') DESC")
    .orderBy('r.id', 'desc')
    .limit(limit)
    .pluck('r.document_id');
  const views: RequestView[] = [];
  for (const id of ids) views.push(await requestView(knex, id));
  return views;
}
