import type { Command } from 'commander';
import { table } from '../core/table.js';
import { act } from './context.js';

export function register(program: Command): void {
  const notice = program.command('notice').description('collection notices (催收单) for overdue contracts');
  notice
    .command('print')
    .description('print a collection notice per overdue contract: overdue lines, penalty to the date, total to pay, collector')
    .option('--collector <user>', 'the contracts of this collector')
    .option('--dealer <code>', 'the contracts of this dealer (with --contract: where the number exists at more than one)')
    .option('--contract <no>', 'this contract only')
    .option('--min-overdue-days <n>', 'only contracts overdue at least this many days (default 1)')
    .option('--as-of <date>', 'the date the penalty and the total are computed to (default today)')
    .option('--out <dir|file.pdf>', 'a folder (one PDF per contract) or one PDF for all (default: one PDF here)')
    .option('--force', 'replace files that exist')
    .action((opts, cmd: Command) =>
      act(
        cmd,
        'notice.print',
        {
          collector: opts.collector,
          dealer: opts.dealer,
          contract: opts.contract,
          minOverdueDays: opts.minOverdueDays,
          asOf: opts.asOf,
          out: opts.out,
          force: opts.force,
        },
        (r) =>
          r.notices.length === 0
            ? `no overdue contract to print as of ${r.asOf}; no file written`
            : `${table(r.notices, [
                { header: 'dealer', value: (n) => n.dealer },
                { header: 'contract', value: (n) => n.contractNo },
                { header: 'customer', value: (n) => n.customer },
                { header: 'days', value: (n) => n.overdueDays, align: 'right' },
                { header: 'overdue', value: (n) => n.overdue, align: 'right' },
                { header: 'penalty', value: (n) => n.penaltyOutstanding, align: 'right' },
                { header: 'total', value: (n) => n.total, align: 'right' },
              ])}\n${r.notices.length} notice(s) as of ${r.asOf} written to ${r.files.join(', ')}`,
        { minOverdueDays: '--min-overdue-days', asOf: '--as-of', out: '--out' },
      ),
    );
}
