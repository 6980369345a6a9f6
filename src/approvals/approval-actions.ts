// The approval actions (审批流): the rules an admin configures, and the requests waiting for a decision.
// A request is addressed by its document's id. The engine finds it itself, not the entry point: an approver
// may decide a document outside their data scope (a named user, an escalation to admin), so who may see a
// request is the engine's rule (scope, applicant or approver; anybody else: "not found", exit 3).
import { defineAction } from '../access/action.js';
import { ADMIN, EVERYONE, READERS_OF_SETTINGS, STAFF } from '../access/role-sets.js';
import { parseId } from '../core/input.js';
import { approve, inbox, myRequests, reject, showApproval, withdraw } from './engine.js';
import { addRule, listRules, loadRules, type NewRule, removeRule } from './rules.js';

const documentId = (raw: { id: string | number }) => parseId(raw.id, 'id', 'a document id');

export const approvalRuleAdd = defineAction({
  name: 'approval.rule.add',
  summary: 'add an approval rule at the end of its type’s list',
  roles: ADMIN,
  mutates: true,
  run: (tx, actor, input: NewRule) => addRule(tx, actor, input),
});

export const approvalRuleList = defineAction({
  name: 'approval.rule.list',
  summary: 'the active approval rules, in the order they are tried',
  roles: READERS_OF_SETTINGS,
  mutates: false,
  run: (tx, _actor, input: { documentType?: string | undefined }) => listRules(tx, input.documentType),
});

export const approvalRuleRemove = defineAction({
  name: 'approval.rule.remove',
  summary: 'remove an approval rule (requests already made keep their steps)',
  roles: ADMIN,
  mutates: true,
  parse: (raw: { id: string | number }) => ({ id: parseId(raw.id, 'id', 'an approval rule id') }),
  run: (tx, actor, input) => removeRule(tx, actor, input.id),
});

export const approvalRulesLoad = defineAction({
  name: 'approval.rules.load',
  summary: 'replace every active approval rule with those of a YAML text',
  roles: ADMIN,
  mutates: true,
  /** `text`: the YAML; `file`: its name, which errors about its rules quote. */
  run: (tx, actor, input: { text: string; file: string }) => loadRules(tx, actor, input.text, input.file),
});

export const approvalInbox = defineAction({
  name: 'approval.inbox',
  summary: 'the requests whose current step is the actor’s (or, with mine, the actor’s own requests)',
  roles: STAFF,
  mutates: false,
  run: (tx, actor, input: { mine?: boolean | undefined }) => (input.mine ? myRequests(tx, actor) : inbox(tx, actor)),
});

interface Decision {
  id: string | number;
  comment?: string | undefined;
}

export const approvalApprove = defineAction({
  name: 'approval.approve',
  summary: 'approve the current step of a document’s request',
  roles: STAFF,
  mutates: true,
  parse: (raw: Decision) => ({ id: documentId(raw), comment: raw.comment }),
  run: (tx, actor, input) => approve(tx, actor, input.id, input.comment),
});

export const approvalReject = defineAction({
  name: 'approval.reject',
  summary: 'reject a document’s request at its current step (a comment is required)',
  roles: STAFF,
  mutates: true,
  // the engine refuses a missing or blank comment, naming the field
  parse: (raw: Decision) => ({ id: documentId(raw), comment: raw.comment as string }),
  run: (tx, actor, input) => reject(tx, actor, input.id, input.comment),
});

export const approvalWithdraw = defineAction({
  name: 'approval.withdraw',
  summary: 'withdraw one’s own request while it waits for approval',
  roles: STAFF,
  mutates: true,
  parse: (raw: Decision) => ({ id: documentId(raw), comment: raw.comment }),
  run: (tx, actor, input) => withdraw(tx, actor, input.id, input.comment),
});

export const approvalShow = defineAction({
  name: 'approval.show',
  summary: 'the approval of a document with its whole history',
  roles: EVERYONE,
  mutates: false,
  parse: (raw: { id: string | number }) => ({ id: documentId(raw) }),
  run: (tx, actor, input) => showApproval(tx, actor, input.id),
});

export const approvalActions = [
  approvalRuleAdd,
  approvalRuleList,
  approvalRuleRemove,
  approvalRulesLoad,
  approvalInbox,
  approvalApprove,
  approvalReject,
  approvalWithdraw,
  approvalShow,
] as const;
