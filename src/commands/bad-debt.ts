import type { Command } from 'commander';
import { today } from '../core/dates.js';
import { act } from './context.js';

export function register(program: Command): void {
  const badDebt = program
    .command('bad-debt')
    .description('bad debt (坏账): register → approval → write-off; later receipts are recoveries');
  badDebt
    .command('register <contractNo>')
    .description('register the contract’s outstanding as bad debt from a date; written off once approved')
    .option('--dealer <code>', 'the dealer, where the number exists at more than one')
    .option('--date <date>', 'write-off date (default: today)')
    .requiredOption('--reason <text>', 'why the debt is bad')
    .action((contractNo: string, opts, cmd: Command) =>
      act(
        cmd,
        'bad-debt.register',
        { contractNo, dealer: opts.dealer, date: opts.date ?? today(), reason: opts.reason },
        (out) =>
          out.approval === 'approved'
            ? `bad debt ${out.id} ${out.number}: ${out.amount} written off from ${out.valueDate} (no approval rule)`
            : `bad debt ${out.id} ${out.number} of ${out.amount}: waiting for approval (zq approval show ${out.id})`,
        { contractNo: 'contractNo' },
      ),
    );
}
