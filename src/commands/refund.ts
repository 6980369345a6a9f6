import type { Command } from 'commander';
import { today } from '../core/dates.js';
import { act } from './context.js';

export function register(program: Command): void {
  const refund = program.command('refund').description('refunds (退款) of advance-receipt credit: request → approval → confirm');
  refund
    .command('request')
    .description('request a refund of the contract’s credit (never above it)')
    .requiredOption('--contract <no>', 'contract number')
    .option('--dealer <code>', 'the dealer, where the number exists at more than one')
    .requiredOption('--amount <amount>', 'amount to pay back')
    .option('--date <date>', 'the refund’s value date (default: today)')
    .option('--reason <text>', 'why')
    .action((opts, cmd: Command) =>
      act(
        cmd,
        'refund.request',
        { contractNo: opts.contract, dealer: opts.dealer, amount: opts.amount, date: opts.date ?? today(), reason: opts.reason },
        (out) =>
          `refund ${out.id} ${out.number} of ${out.amount} on ${out.contractNo}: ${out.status}${out.approval === 'approved' ? `; pay it with zq refund confirm ${out.id}` : ` (zq approval show ${out.id})`}`,
        { contractNo: '--contract' },
      ),
    );
  refund
    .command('confirm <id>')
    .description('confirm an approved refund: the money left, the credit goes down')
    .action((id: string, _opts, cmd: Command) =>
      act(cmd, 'refund.confirm', { id }, (refund) => `refund ${refund.id} ${refund.number} of ${refund.amount}: confirmed`, { id: 'ID' }),
    );
}
