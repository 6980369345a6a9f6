// GET /machines — the financed machines in the user's scope (machine.list, filter by status);
// GET /machines/:serial — one machine with its history and documents (machine.show), and its forms:
// POST /machines/:serial/lock and /unlock (machine.lock.request, machine.unlock.request: the approval rules decide)
// and /machines/:serial/confirm/:id (machine.lock.confirm or machine.unlock.confirm: the manual provider's result).
// Out of scope: 404, nothing written; a refusal: the page again, saying why (400).
import type { Hono } from 'hono';
import { actionNamed } from '../../app/catalogue.js';
import { NotFound } from '../../core/errors.js';
import { isMachineStatus, MACHINE_STATUS_LABELS } from '../../machines/status.js';
import type { WebEnv } from '../env.js';
import { MachineList, MachinePage } from '../pages/machines.js';
import { act, type Ctx, formField, formHandler, hasAnyRole, href, param, render } from './common.js';

async function machineList(c: Ctx) {
  const given = param(c, 'status');
  const status = given && isMachineStatus(given) ? given : undefined;
  const rows = await act(c, 'machine.list', { status, dealer: param(c, 'dealer') });
  return render(c, '设备', <MachineList rows={rows} status={status} />);
}

async function machinePage(c: Ctx, messages: { notice?: string; error?: string } = {}, status = 200) {
  const m = await act(c, 'machine.show', { serial: c.req.param('serial') as string, dealer: param(c, 'dealer') });
  const forms = {
    csrf: c.var.csrfToken,
    canRequest: hasAnyRole(c, actionNamed('machine.lock.request').roles),
    backOffice: hasAnyRole(c, actionNamed('machine.lock.confirm').roles),
    ...messages,
  };
  return render(c, `设备 ${m.serialNo}`, <MachinePage m={m} forms={forms} />, { status });
}

/** A form of the machine page: back to the page with the notice, or the page again with the reason. */
function submit(done: (c: Ctx, form: Record<string, unknown>) => Promise<string>) {
  return formHandler(done, {
    redirect: (c, notice) =>
      href(`/machines/${encodeURIComponent(c.req.param('serial') as string)}`, { dealer: param(c, 'dealer'), done: notice }),
    again: (c, error) => machinePage(c, { error }, 400),
  });
}

function request(what: 'lock' | 'unlock') {
  return submit(async (c, form) => {
    const doc = await act(c, what === 'lock' ? 'machine.lock.request' : 'machine.unlock.request', {
      serial: c.req.param('serial') as string,
      dealer: param(c, 'dealer'),
      reason: formField(form, 'reason') ?? '',
      date: formField(form, 'date'),
    });
    const label = what === 'lock' ? '锁机' : '解锁';
    return `${label}申请 ${doc.number} 已提交${doc.approval === 'approved' ? '并已批准，指令已发出' : '，等待审批'}。`;
  });
}

export function registerMachines(app: Hono<WebEnv>): void {
  app.get('/machines', machineList);
  app.get('/machines/:serial', (c) => {
    const done = c.req.query('done');
    return machinePage(c, done ? { notice: done.slice(0, 200) } : {});
  });
  app.post('/machines/:serial/lock', request('lock'));
  app.post('/machines/:serial/unlock', request('unlock'));
  app.post(
    '/machines/:serial/confirm/:id',
    submit(async (c, form) => {
      const id = c.req.param('id') as string;
      if (!/^\d{1,15}$/.test(id)) throw new NotFound('document', id);
      // the document's own type says which confirmation it is; another machine's document is not found here
      const m = await act(c, 'machine.show', { serial: c.req.param('serial') as string, dealer: param(c, 'dealer') });
      const d = m.documents.find((x) => x.id === Number(id) && (x.type === 'machine_lock' || x.type === 'machine_unlock'));
      if (!d) throw new NotFound('document', id);
      const at = formField(form, 'at');
      const out = await act(c, d.type === 'machine_lock' ? 'machine.lock.confirm' : 'machine.unlock.confirm', {
        id: d.id,
        at: at?.replace('T', ' '),
        failed: formField(form, 'failed') === '1',
        message: formField(form, 'message'),
      });
      return `${d.number}：${out.result === 'failed' ? '指令失败，' : ''}设备现为${MACHINE_STATUS_LABELS[out.status]}。`;
    }),
  );
}
