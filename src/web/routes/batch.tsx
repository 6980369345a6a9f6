// GET /batch — batch.status and, for the roles that read it, import.list.
import type { Hono } from 'hono';
import { actionNamed } from '../../app/catalogue.js';
import type { WebEnv } from '../env.js';
import { BatchPage } from '../pages/batch.js';
import { act, hasAnyRole, render } from './common.js';

export function registerBatch(app: Hono<WebEnv>): void {
  app.get('/batch', async (c) => {
    const status = await act(c, 'batch.status', { limit: 200 });
    const imports = hasAnyRole(c, actionNamed('import.list').roles) ? await act(c, 'import.list', { limit: 100 }) : null;
    return render(c, '批处理与导入', <BatchPage status={status} imports={imports} />);
  });
}
