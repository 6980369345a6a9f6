// GET /approvals — approval.inbox (waiting for the user) and approval.inbox mine (the user's own requests);
// GET /approvals/:id — approval.show with doc.show; POST /approvals/:id/approve|reject|withdraw — the approval
// actions (the session middleware checked the CSRF token). A request the user may not see: 404, nothing written.
import type { Hono } from 'hono';
import { NotAllowed, NotFound } from '../../core/errors.js';
import type { WebEnv } from '../env.js';
import { ApprovalPage, ApprovalsPage, type InboxItem } from '../pages/approvals.js';
import { act, type Ctx, expectedMessage, render } from './common.js';

/** The request with its document, when the document is in the user's scope. */
async function withDocument(c: Ctx, request: InboxItem['request']): Promise<InboxItem> {
  try {
    return { request, document: await act(c, 'doc.show', { id: request.documentId }) };
  } catch (err) {
    if (err instanceof NotFound) return { request, document: null };
    throw err;
  }
}

async function approvalsPage(c: Ctx, messages: { notice?: string; error?: string } = {}, status = 200) {
  const inbox: InboxItem[] = [];
  for (const request of await act(c, 'approval.inbox', {})) inbox.push(await withDocument(c, request));
  const mine = await act(c, 'approval.inbox', { mine: true });
  return render(c, '审批', <ApprovalsPage inbox={inbox} mine={mine} csrf={c.var.csrfToken} {...messages} />, { status });
}

/** A document id from the path: digits, else not found (as a missing one). */
function pathId(c: Ctx): string {
  const id = c.req.param('id') as string;
  if (!/^\d{1,15}$/.test(id)) throw new NotFound('approval for document', id);
  return id;
}

async function approvalPage(c: Ctx) {
  const request = await act(c, 'approval.show', { id: pathId(c) });
  const item = await withDocument(c, request);
  const waiting = await act(c, 'approval.inbox', {});
  const decide = waiting.some((r) => r.documentId === request.documentId);
  const withdraw = request.status === 'pending' && request.applicant === c.var.actor.username;
  return render(c, `审批 ${request.number}`, <ApprovalPage item={item} csrf={c.var.csrfToken} decide={decide} withdraw={withdraw} />);
}

const DONE = { approve: '已同意', reject: '已驳回', withdraw: '已撤回' } as const;
const ACTION = { approve: 'approval.approve', reject: 'approval.reject', withdraw: 'approval.withdraw' } as const;

function decision(kind: keyof typeof DONE) {
  return async (c: Ctx) => {
    const id = pathId(c);
    const form = await c.req.parseBody();
    const text = typeof form.comment === 'string' ? form.comment.trim() : '';
    const comment = text === '' ? undefined : text;
    try {
      const view = await act(c, ACTION[kind], { id, comment });
      return c.redirect(`/approvals?done=${kind}&number=${encodeURIComponent(view.number)}`, 303);
    } catch (err) {
      // not found (or out of scope): the app's 404; a refusal: the inbox again, saying why
      if (err instanceof NotFound || err instanceof NotAllowed) throw err;
      return approvalsPage(c, { error: `操作未完成：${expectedMessage(err)}` }, 400);
    }
  };
}

export function registerApprovals(app: Hono<WebEnv>): void {
  app.get('/approvals', (c) => {
    const done = c.req.query('done') as keyof typeof DONE | undefined;
    const number = c.req.query('number');
    const notice = done && Object.hasOwn(DONE, done) && number ? `${number} ${DONE[done]}。` : undefined;
    return approvalsPage(c, notice ? { notice } : {});
  });
  app.get('/approvals/:id', approvalPage);
  for (const kind of ['approve', 'reject', 'withdraw'] as const) app.post(`/approvals/:id/${kind}`, decision(kind));
}
