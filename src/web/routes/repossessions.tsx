// GET /repossessions — doc.list of repossession and machine_disposal documents in scope; POST /repossessions/request
// (machine.repossess.request), /repossessions/:id/register (machine.repossess.register) and /repossessions/:id/dispose
// (machine.dispose). Out of scope: 404, nothing written; a refusal: the page again, saying why (400).
import type { Hono } from 'hono';
import { actionNamed } from '../../app/catalogue.js';
import { NotFound } from '../../core/errors.js';
import type { WebEnv } from '../env.js';
import { type RepossessionRow, RepossessionsPage } from '../pages/repossessions.js';
import { act, type Ctx, formField, formHandler, hasAnyRole, render } from './common.js';

async function page(c: Ctx, messages: { notice?: string; error?: string } = {}, status = 200) {
  const documents = await act(c, 'doc.list', { type: 'repossession' });
  const disposals = await act(c, 'doc.list', { type: 'machine_disposal' });
  const byRepossession = new Map(disposals.map((d) => [Number((d.data.repossession as { id?: number } | undefined)?.id), d]));
  const rows: RepossessionRow[] = [...documents]
    .reverse()
    .map((document) => ({ document, disposal: byRepossession.get(document.id) ?? null }));
  return render(
    c,
    '拖机',
    <RepossessionsPage
      rows={rows}
      csrf={c.var.csrfToken}
      canRequest={hasAnyRole(c, actionNamed('machine.repossess.request').roles)}
      backOffice={hasAnyRole(c, actionNamed('machine.repossess.register').roles)}
      {...messages}
    />,
    { status },
  );
}

function pathId(c: Ctx): number {
  const id = c.req.param('id') as string;
  if (!/^\d{1,15}$/.test(id)) throw new NotFound('document', id);
  return Number(id);
}

/** A form of the page: back to it with the notice, or the page again with the reason. */
function submit(done: (c: Ctx, form: Record<string, unknown>) => Promise<string>) {
  return formHandler(done, {
    redirect: (_c, notice) => `/repossessions?done=${encodeURIComponent(notice)}`,
    again: (c, error) => page(c, { error }, 400),
  });
}

export function registerRepossessions(app: Hono<WebEnv>): void {
  app.get('/repossessions', (c) => {
    const done = c.req.query('done');
    return page(c, done ? { notice: done.slice(0, 200) } : {});
  });
  app.post(
    '/repossessions/request',
    submit(async (c, form) => {
      const doc = await act(c, 'machine.repossess.request', {
        serial: formField(form, 'serial') ?? '',
        dealer: formField(form, 'dealer'),
        reason: formField(form, 'reason') ?? '',
        date: formField(form, 'date') ?? '',
      });
      return `拖机申请 ${doc.number} 已提交${doc.approval === 'approved' ? '并已生效' : '，等待审批'}。`;
    }),
  );
  app.post(
    '/repossessions/:id/register',
    submit(async (c, form) => {
      const out = await act(c, 'machine.repossess.register', {
        id: pathId(c),
        date: formField(form, 'date') ?? '',
        location: formField(form, 'location') ?? '',
        towedBy: formField(form, 'towedBy'),
        towingCost: formField(form, 'towingCost'),
        storageCost: formField(form, 'storageCost'),
      });
      return `拖机 ${out.document.number} 已登记，设备 ${out.machine.serialNo} 已拖回。`;
    }),
  );
  app.post(
    '/repossessions/:id/dispose',
    submit(async (c, form) => {
      const document = await act(c, 'doc.show', { id: pathId(c) });
      if (document.type !== 'repossession') throw new NotFound('repossession', document.id);
      const resold = formField(form, 'disposition') !== 'returned';
      const out = await act(c, 'machine.dispose', {
        serial: String(document.data.serialNo ?? ''),
        dealer: document.dealer,
        resold,
        returned: !resold,
        amount: resold ? formField(form, 'amount') : undefined,
        buyer: formField(form, 'buyer'),
        date: formField(form, 'date') ?? '',
      });
      return resold
        ? `设备 ${out.machine.serialNo} 已转售，收款 ${out.receipt?.number ?? ''}${out.badDebt ? `，差额 ${out.badDebt.amount} 已提交坏账 ${out.badDebt.number}` : ''}。`
        : `设备 ${out.machine.serialNo} 已归还客户。`;
    }),
  );
}
