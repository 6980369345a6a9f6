// GET /contracts/:no/statement — the customer's statement (对账单) of a contract as a PDF download, once the
// printing issue's action is in the catalogue; until then a page saying it is not open yet. Either way the
// contract is found in the user's scope first (another user's contract: 404, as a missing one).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Hono } from 'hono';
import type { Action } from '../../access/action.js';
import { allActions } from '../../app/catalogue.js';
import { runAction } from '../../app/run.js';
import { today } from '../../core/dates.js';
import type { WebEnv } from '../env.js';
import { act, type Ctx, param, render } from './common.js';

/** The printing action this page runs once it exists: its input names the contract, the date and the PDF file. */
export const STATEMENT_ACTION = 'statement.print';

export function statementAction(): Action | undefined {
  return allActions().find((a) => a.name === STATEMENT_ACTION);
}

async function statement(c: Ctx) {
  const contractNo = c.req.param('no') as string;
  const asOf = param(c, 'asOf') ?? today();
  const show = await act(c, 'contract.show', { contractNo, dealer: param(c, 'dealer'), asOf });
  if (!statementAction())
    return render(
      c,
      `对账单 ${show.contractNo}`,
      <div>
        <p class="notice">对账单打印尚未开放。</p>
        <p>
          <a href={`/contracts/${encodeURIComponent(show.contractNo)}?dealer=${encodeURIComponent(show.dealer)}`}>返回合同</a>
        </p>
      </div>,
    );
  const folder = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'zq-web-'));
  const file = path.join(folder, 'statement.pdf');
  try {
    const name = STATEMENT_ACTION as Parameters<typeof runAction>[2];
    const input = { contractNo: show.contractNo, dealer: show.dealer, asOf, out: file } as never;
    await runAction(c.var.db, c.var.actor, name, input, { via: 'web' });
    const stream = fs.createReadStream(file);
    stream.on('close', () => fs.rm(folder, { recursive: true, force: true }, () => {}));
    c.header('Content-Type', 'application/pdf');
    c.header('Content-Disposition', `attachment; filename="statement_${encodeURIComponent(show.contractNo)}_${asOf}.pdf"`);
    return c.body(Readable.toWeb(stream) as ReadableStream);
  } catch (err) {
    await fs.promises.rm(folder, { recursive: true, force: true });
    throw err;
  }
}

export function registerStatement(app: Hono<WebEnv>): void {
  app.get('/contracts/:no/statement', statement);
}
