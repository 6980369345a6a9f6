// GET /machines — the financed machines in the user's scope (machine.list, filter by status);
// GET /machines/:serial — one machine with its history and documents (machine.show). Out of scope: 404.
import type { Hono } from 'hono';
import { isMachineStatus } from '../../machines/status.js';
import type { WebEnv } from '../env.js';
import { MachineList, MachinePage } from '../pages/machines.js';
import { act, type Ctx, param, render } from './common.js';

async function machineList(c: Ctx) {
  const given = param(c, 'status');
  const status = given && isMachineStatus(given) ? given : undefined;
  const rows = await act(c, 'machine.list', { status, dealer: param(c, 'dealer') });
  return render(c, '设备', <MachineList rows={rows} status={status} />);
}

async function machinePage(c: Ctx) {
  const m = await act(c, 'machine.show', { serial: c.req.param('serial') as string, dealer: param(c, 'dealer') });
  return render(c, `设备 ${m.serialNo}`, <MachinePage m={m} />);
}

export function registerMachines(app: Hono<WebEnv>): void {
  app.get('/machines', machineList);
  app.get('/machines/:serial', machinePage);
}
