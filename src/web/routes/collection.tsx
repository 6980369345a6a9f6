// GET /collection — the worklist (collection.list) of the logged-in user's scope, as of a date, narrowed to a
// collector; POST /collection/log — a contact logged on one of its contracts (collection.log; the session middleware
// checked the CSRF token). A contract outside the user's scope: 404, nothing written; bad input: the page again, 400.
import type { Hono } from 'hono';
import { formatTimestamp } from '../../core/dates.js';
import { NotAllowed, NotFound } from '../../core/errors.js';
import type { WebEnv } from '../env.js';
import { CollectionPage } from '../pages/collection.js';
import { act, type Ctx, expectedMessage, formField, param, render } from './common.js';

/** Now as the log form shows it: YYYY-MM-DDTHH:MM in Asia/Shanghai. */
const nowText = () => formatTimestamp(new Date()).slice(0, 16);

async function collectionPage(c: Ctx, messages: { notice?: string; error?: string } = {}, status = 200) {
  const list = await act(c, 'collection.list', { asOf: param(c, 'asOf'), collector: param(c, 'collector') });
  return render(c, '催收工作台', <CollectionPage list={list} csrf={c.var.csrfToken} contactedAt={nowText()} {...messages} />, { status });
}

async function logContact(c: Ctx) {
  const form = (await c.req.parseBody()) as Record<string, unknown>;
  const contractNo = formField(form, 'contractNo') ?? '';
  try {
    const out = await act(c, 'collection.log', {
      contractNo,
      dealer: formField(form, 'dealer'),
      kind: formField(form, 'kind') ?? '',
      result: formField(form, 'result') ?? '',
      promiseAmount: formField(form, 'promiseAmount'),
      promiseDate: formField(form, 'promiseDate'),
      note: formField(form, 'note'),
      contactedAt: formField(form, 'contactedAt') ?? nowText(),
    });
    return c.redirect(`/collection?logged=${encodeURIComponent(out.contractNo)}`, 303);
  } catch (err) {
    if (err instanceof NotFound || err instanceof NotAllowed) throw err;
    return collectionPage(c, { error: `未保存：${expectedMessage(err)}` }, 400);
  }
}

export function registerCollection(app: Hono<WebEnv>): void {
  app.get('/collection', (c) => {
    const logged = c.req.query('logged');
    return collectionPage(c, logged ? { notice: `${logged} 的催收记录已保存。` } : {});
  });
  app.post('/collection/log', logContact);
}
