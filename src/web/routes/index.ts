// The pages of the web viewer, registered by createApp (src/web/app.ts) after its session middleware: every
// route here sees the logged-in user (c.var.actor) and reads and writes only through the actions.
import type { Hono } from 'hono';
import type { WebEnv } from '../env.js';
import { registerApprovals } from './approvals.js';
import { DASHBOARD_JS, PAGES_CSS } from './assets.js';
import { registerBatch } from './batch.js';
import { registerBreakdown } from './breakdown.js';
import { registerContracts } from './contracts.js';
import { registerDashboard } from './dashboard.js';
import { registerStatement } from './statement.js';

export function registerPages(app: Hono<WebEnv>): void {
  app.get('/static/pages.css', (c) => {
    c.header('Content-Type', 'text/css; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(PAGES_CSS);
  });
  app.get('/static/dashboard.js', (c) => {
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(DASHBOARD_JS);
  });
  registerDashboard(app);
  registerContracts(app);
  registerStatement(app);
  registerBreakdown(app);
  registerApprovals(app);
  registerBatch(app);
}
