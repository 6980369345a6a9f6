import type { Command } from 'commander';
import { table } from '../core/table.js';
import { act } from './context.js';

const MONTH = { month: 'YYYY-MM' } as const;

export function register(program: Command): void {
  const period = program.command('period').description('period close (结账): a closed month accepts no posting dated inside it');
  period
    .command('close <month>')
    .description(
      'close YYYY-MM; refused, with every reason, until the batch ran through its last day without discrepancies and its documents are confirmed',
    )
    .action((month: string, _opts, cmd: Command) =>
      act(cmd, 'period.close', { month }, (closed) => `period ${closed.month} closed by ${closed.closedBy} at ${closed.closedAt}`, MONTH),
    );
  period
    .command('reopen <month>')
    .description('reopen a closed YYYY-MM (admin; audited; goes through approval when a rule for period_reopen matches)')
    .requiredOption('--reason <text>', 'why the month is reopened')
    .action((month: string, opts, cmd: Command) =>
      act(
        cmd,
        'period.reopen',
        { month, reason: opts.reason },
        (result) =>
          result.status === 'open'
            ? `period ${result.month} reopened (document ${result.documentId})`
            : `reopening ${result.month} waits for approval: zq approval show ${result.documentId}`,
        MONTH,
      ),
    );
  period
    .command('list')
    .description('months that were ever closed, with who closed or reopened them')
    .action((_opts, cmd: Command) =>
      act(
        cmd,
        'period.list',
        {},
        (rows) =>
          `${table(rows, [
            { header: 'month', value: (r) => r.month },
            { header: 'status', value: (r) => r.status },
            { header: 'closed by', value: (r) => r.closedBy },
            { header: 'closed at', value: (r) => r.closedAt },
            { header: 'reopened by', value: (r) => r.reopenedBy },
            { header: 'reopened at', value: (r) => r.reopenedAt },
            { header: 'reason', value: (r) => r.reopenReason },
          ])}\n${rows.length} period(s); months not listed are open`,
      ),
    );
}
