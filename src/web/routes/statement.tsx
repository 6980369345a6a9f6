// GET /contracts/:no/statement?dealer=CODE&from=D&to=D — the customer's statement of account (对账单) of a
// contract as a PDF download, printed by the same action as `zq statement print --contract NO` (Chromium). The
// period defaults to the month of `to` (default today) up to `to`. The contract is found in the user's scope
// first: another user's contract is 404, as a missing one.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Hono } from 'hono';
import { runAction } from '../../app/run.js';
import { today } from '../../core/dates.js';
import type { WebEnv } from '../env.js';
import { act, type Ctx, param } from './common.js';

async function statement(c: Ctx) {
  const contractNo = c.req.param('no') as string;
  const to = param(c, 'to') ?? today();
  const from = param(c, 'from') ?? `${to.slice(0, 8)}01`;
  const show = await act(c, 'contract.show', { contractNo, dealer: param(c, 'dealer'), asOf: to });
  const folder = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'zq-web-'));
  const file = path.join(folder, 'statement.pdf');
  try {
    await runAction(
      c.var.db,
      c.var.actor,
      'statement.print',
      { contract: show.contractNo, dealer: show.dealer, from, to, out: file },
      { via: 'web' },
    );
    const stream = fs.createReadStream(file);
    stream.on('close', () => fs.rm(folder, { recursive: true, force: true }, () => {}));
    c.header('Content-Type', 'application/pdf');
    c.header('Content-Disposition', `attachment; filename="statement_${encodeURIComponent(show.contractNo)}_${to}.pdf"`);
    return c.body(Readable.toWeb(stream) as ReadableStream);
  } catch (err) {
    await fs.promises.rm(folder, { recursive: true, force: true });
    throw err;
  }
}

export function registerStatement(app: Hono<WebEnv>): void {
  app.get('/contracts/:no/statement', statement);
}
