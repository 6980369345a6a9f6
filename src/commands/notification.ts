// zq notification list|count|read: the acting user's own in-app notifications (站内通知).
import type { Command } from 'commander';
import { act } from './context.js';

export function register(program: Command): void {
  const notification = program.command('notification').description('your in-app notifications (站内通知): repossessions and disposals');
  notification
    .command('list')
    .description('your own notifications, newest first')
    .option('--unread', 'only the unread ones')
    .option('--limit <n>', 'at most this many (default 50, up to 500)')
    .action((opts, cmd: Command) =>
      act(cmd, 'notification.list', { unread: opts.unread === true, limit: opts.limit }, (rows) =>
        rows.length === 0
          ? 'no notifications'
          : rows.map((n) => `${n.id}\t${n.readAt ? '已读' : '未读'}\t${n.createdAt}\t${n.title}\n\t${n.body}`).join('\n'),
      ),
    );
  notification
    .command('count')
    .description('how many of your notifications are unread')
    .action((_opts, cmd: Command) => act(cmd, 'notification.count', {}, (out) => `${out.unread} unread`));
  notification
    .command('read [id]')
    .description('mark a notification read (ID), or all of yours (--all)')
    .option('--all', 'every unread notification of yours')
    .action((id: string | undefined, opts, cmd: Command) =>
      act(
        cmd,
        'notification.read',
        { id, all: opts.all === true },
        (out) => (out.notification ? `notification ${out.notification.id}: read` : `${out.marked} notification(s) marked read`),
        { id: 'ID' },
      ),
    );
}
