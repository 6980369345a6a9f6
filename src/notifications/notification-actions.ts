// The actions of notifications: each user lists, counts and marks only their own (any role may).
import { defineAction } from '../access/action.js';
import { EVERYONE } from '../access/role-sets.js';
import { BadInput } from '../core/errors.js';
import { parseId } from '../core/input.js';
import { listNotifications, markAllRead, markRead, NOTIFICATION_LIST_MAX, unreadCount } from './index.js';

function parseLimit(raw: string | number | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const text = String(raw).trim();
  const n = Number(text);
  if (!/^\d{1,6}$/.test(text) || n < 1 || n > NOTIFICATION_LIST_MAX)
    throw new BadInput('limit', raw, `a whole number from 1 to ${NOTIFICATION_LIST_MAX}`);
  return n;
}

export const notificationList = defineAction({
  name: 'notification.list',
  summary: 'the acting user’s own notifications, newest first (only the unread ones with --unread)',
  roles: EVERYONE,
  mutates: false,
  parse: (raw: { unread?: boolean | undefined; limit?: string | number | undefined }) => ({
    unread: raw.unread === true,
    limit: parseLimit(raw.limit),
  }),
  run: (tx, actor, input) => listNotifications(tx, actor, input),
});

export const notificationCount = defineAction({
  name: 'notification.count',
  summary: 'how many of the acting user’s notifications are unread',
  roles: EVERYONE,
  mutates: false,
  // plain SELECTs: no transaction (src/access/action.ts)
  transaction: 'none',
  run: async (tx, actor, _input: Record<string, never>) => ({ unread: await unreadCount(tx, actor) }),
});

export const notificationRead = defineAction({
  name: 'notification.read',
  summary: 'mark one of the acting user’s notifications read, or all of them',
  roles: EVERYONE,
  mutates: true,
  parse: (raw: { id?: string | number | undefined; all?: boolean | undefined }) => {
    const given = raw.id !== undefined && raw.id !== '';
    if (given === (raw.all === true)) throw new BadInput('id', raw.id ?? null, 'a notification id or --all (one of the two)');
    return raw.all === true ? { all: true as const } : { id: parseId(raw.id, 'id', 'a notification id') };
  },
  run: async (tx, actor, input: { all: true } | { id: number }) =>
    'all' in input ? { ...(await markAllRead(tx, actor)), notification: null } : markRead(tx, actor, input.id),
});

export const notificationActions = [notificationList, notificationCount, notificationRead] as const;
