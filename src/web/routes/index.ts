// The pages of the web viewer, registered by createApp (src/web/app.ts) after its session middleware: every
// route here sees the logged-in user (c.var.actor) and reads and writes only through the actions.
import type { Hono } from 'hono';
import type { WebEnv } from '../env.js';
import { registerApprovals } from './approvals.js';
import { registerArchive } from './archive.js';
import { registerBatch } from './batch.js';
import { registerBreakdown } from './breakdown.js';
import { registerCollection } from './collection.js';
import { registerContracts } from './contracts.js';
import { registerDashboard } from './dashboard.js';
import { registerMachines } from './machines.js';
import { registerNotifications } from './notifications.js';
import { registerRepossessions } from './repossessions.js';
import { registerStatement } from './statement.js';

export function registerPages(app: Hono<WebEnv>): void {
  registerDashboard(app);
  registerContracts(app);
  registerStatement(app);
  registerBreakdown(app);
  registerApprovals(app);
  registerBatch(app);
  registerArchive(app);
  registerNotifications(app);
  registerRepossessions(app);
  registerCollection(app);
  registerMachines(app);
}
