// GET /notifications — notification.list (the user's own) and notification.count; POST /notifications/:id/read
// and /notifications/read-all — notification.read (the session middleware checked the CSRF token). Another
// user's notification: 404, nothing written.
import type { Hono } from 'hono';
import { NotFound } from '../../core/errors.js';
import type { WebEnv } from '../env.js';
import { NotificationsPage } from '../pages/notifications.js';
import { act, type Ctx, render } from './common.js';

async function notificationsPage(c: Ctx) {
  const unreadOnly = c.req.query('unread') === '1';
  const rows = await act(c, 'notification.list', { unread: unreadOnly });
  const { unread } = await act(c, 'notification.count', {});
  return render(c, '通知', <NotificationsPage rows={rows} unread={unread} csrf={c.var.csrfToken} unreadOnly={unreadOnly} />);
}

export function registerNotifications(app: Hono<WebEnv>): void {
  app.get('/notifications', notificationsPage);
  app.post('/notifications/read-all', async (c) => {
    await act(c, 'notification.read', { all: true });
    return c.redirect('/notifications', 303);
  });
  app.post('/notifications/:id/read', async (c) => {
    const id = c.req.param('id');
    if (!/^\d{1,15}$/.test(id)) throw new NotFound('notification', id);
    await act(c, 'notification.read', { id });
    return c.redirect('/notifications', 303);
  });
}
