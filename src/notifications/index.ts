// In-app notifications (站内通知): what other modules tell people — a repossession approved, registered, a
// machine disposed of. notify() writes one row per recipient in the caller's transaction, so a notification
// exists exactly when the act it reports does. A user reads and marks only their own: another user's
// notification is "not found", like anything out of scope.
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import { writeAudit } from '../audit/index.js';
import { sqlTimestamp } from '../core/dates.js';
import { assert, NotFound } from '../core/errors.js';
import type { Tx } from '../db/index.js';

/** Most notifications one list returns (newest first); older ones stay readable with a larger --limit up to this. */
export const NOTIFICATION_LIST_MAX = 500;
export const NOTIFICATION_LIST_DEFAULT = 50;
/** Recipients of one notification: a bound, not a business rule (a dealer's staff is far fewer). */
export const NOTIFY_RECIPIENTS_MAX = 200;

export interface NewNotification {
  /** e.g. 'repossession_approved': lower case with underscores. */
  kind: string;
  /** Chinese, shown in lists: e.g. '拖机申请已批准'. */
  title: string;
  /** Chinese, the details. */
  body: string;
  dealerId?: number | null | undefined;
  contractId?: number | null | undefined;
  documentId?: number | null | undefined;
  machineId?: number | null | undefined;
}

export interface NotificationRow {
  id: number;
  kind: string;
  title: string;
  body: string;
  dealer: string | null;
  contractNo: string | null;
  documentId: number | null;
  documentNo: string | null;
  machineSerial: string | null;
  createdAt: string;
  readAt: string | null;
}

/**
 * Notifies each user once (duplicates and nulls dropped), in the caller's transaction; returns the ids notified.
 * An inactive user is left out: nobody would read it.
 */
export async function notify(tx: Tx, userIds: readonly (number | null | undefined)[], note: NewNotification): Promise<number[]> {
  const wanted = [...new Set(userIds.filter((id): id is number => typeof id === 'number'))];
  assert(wanted.length <= NOTIFY_RECIPIENTS_MAX, `at most ${NOTIFY_RECIPIENTS_MAX} recipients of one notification`);
  if (wanted.length === 0) return [];
  const active: number[] = (await tx('users').whereIn('id', wanted).where({ active: true }).orderBy('id').pluck('id')).map(Number);
  if (active.length === 0) return [];
  await tx('notifications').insert(
    active.map((userId) => ({
      user_id: userId,
      kind: note.kind,
      title: note.title,
      body: note.body,
      dealer_id: note.dealerId ?? null,
      contract_id: note.contractId ?? null,
      document_id: note.documentId ?? null,
      machine_id: note.machineId ?? null,
    })),
  );
  return active;
}

function notificationQuery(knex: Knex) {
  return knex('notifications as n')
    .leftJoin('dealers as d', 'd.id', 'n.dealer_id')
    .leftJoin('contracts as c', 'c.id', 'n.contract_id')
    .leftJoin('documents as doc', 'doc.id', 'n.document_id')
    .leftJoin('machines as m', 'm.id', 'n.machine_id')
    .select(
      'n.id',
      'n.kind',
      'n.title',
      'n.body',
      'd.code as dealer',
      'c.contract_no as contractNo',
      'n.document_id as documentId',
      'doc.number as documentNo',
      'm.serial_no as machineSerial',
      knex.raw(`${sqlTimestamp('n.created_at')} as "createdAt"`),
      knex.raw(`${sqlTimestamp('n.read_at')} as "readAt"`),
    );
}

/** The actor's own notifications, newest first; only the unread ones with `unread`. */
export async function listNotifications(
  knex: Knex,
  actor: Actor,
  options: { unread?: boolean | undefined; limit?: number | undefined } = {},
): Promise<NotificationRow[]> {
  const limit = Math.min(options.limit ?? NOTIFICATION_LIST_DEFAULT, NOTIFICATION_LIST_MAX);
  const q = notificationQuery(knex).where('n.user_id', actor.id).orderBy('n.id', 'desc').limit(limit);
  if (options.unread) q.whereNull('n.read_at');
  return (await q) as NotificationRow[];
}

/** How many of the actor's notifications are unread (the partial index notifications_unread). */
export async function unreadCount(knex: Knex, actor: Actor): Promise<number> {
  const row = await knex('notifications').where({ user_id: actor.id }).whereNull('read_at').count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** Marks one of the actor's notifications read (again: no change); another user's is not found. */
export async function markRead(tx: Tx, actor: Actor, id: number): Promise<{ marked: number; notification: NotificationRow }> {
  const own = await tx('notifications').where({ id, user_id: actor.id }).forUpdate().first('id', 'read_at');
  if (!own) throw new NotFound('notification', id);
  const unread = own.read_at === null;
  if (unread) {
    await tx('notifications').where({ id }).update({ read_at: tx.fn.now() });
    await writeAudit(tx, actor, { action: 'read', entity: 'notification', entityId: id, details: {} });
  }
  return { marked: unread ? 1 : 0, notification: (await notificationQuery(tx).where('n.id', id).first()) as NotificationRow };
}

/** Marks every unread notification of the actor read; returns how many. */
export async function markAllRead(tx: Tx, actor: Actor): Promise<{ marked: number }> {
  const marked = await tx('notifications').where({ user_id: actor.id }).whereNull('read_at').update({ read_at: tx.fn.now() });
  if (marked > 0) await writeAudit(tx, actor, { action: 'read_all', entity: 'notification', entityId: null, details: { marked } });
  return { marked };
}
