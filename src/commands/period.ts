import type { Command } from 'commander';
import { table } from '../core/table.js';
import { emit, withContext } from './context.js';

export function register(program: Command): void {
  const period = program.command('period').description('period close (结账): a closed month accepts no posting dated inside it');
  period
    .command('close <month>')
    .description(
      'close YYYY-MM; refused, with every reason, until the batch ran through its last day without discrepancies and its documents are confirmed',
    )
    .action(async (month: string, _opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { closePeriod } = await import('../periods/index.js');
        const closed = await ctx.knex.transaction((tx) => closePeriod(tx, ctx.actor, month));
        emit(ctx, closed, () => `period ${closed.month} closed by ${closed.closedBy} at ${closed.closedAt}`);
      });
    });
  period
    .command('reopen <month>')
    .description('reopen a closed YYYY-MM (admin; audited; goes through approval when a rule for period_reopen matches)')
    .requiredOption('--reason <text>', 'why the month is reopened')
    .action(async (month: string, opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { reopenPeriod } = await import('../periods/index.js');
        const result = await ctx.knex.transaction((tx) => reopenPeriod(tx, ctx.actor, month, opts.reason));
        emit(ctx, result, () =>
          result.status === 'open'
            ? `period ${result.month} reopened (document ${result.documentId})`
            : `reopening ${result.month} waits for approval: zq approval show ${result.documentId}`,
        );
      });
    });
  period
    .command('list')
    .description('months that were ever closed, with who closed or reopened them')
    .action(async (_opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { listPeriods } = await import('../periods/index.js');
        const rows = await listPeriods(ctx.knex);
        emit(
          ctx,
          rows,
          () =>
            `${table(rows, [
              { header: 'month', value: (r) => r.month },
              { header: 'status', value: (r) => r.status },
              { header: 'closed by', value: (r) => r.closedBy },
              { header: 'closed at', value: (r) => r.closedAt },
              { header: 'reopened by', value: (r) => r.reopenedBy },
              { header: 'reopened at', value: (r) => r.reopenedAt },
              { header: 'reason', value: (r) => r.reopenReason },
            ])}\n${rows.length} period(s); months not listed are open`,
        );
      });
    });
}
