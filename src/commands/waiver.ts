import type { Command } from 'commander';
import { today } from '../core/dates.js';
import { act } from './context.js';

export function register(program: Command): void {
  const waiver = program.command('waiver').description('penalty waivers (罚息减免): request → approval → waiver posting');
  waiver
    .command('request')
    .description('request a waiver of at most the outstanding penalty as of its date; it counts once approved')
    .requiredOption('--contract <no>', 'contract number')
    .option('--dealer <code>', 'the dealer, where the number exists at more than one')
    .requiredOption('--amount <amount>', 'penalty to forgive')
    .requiredOption('--reason <text>', 'why')
    .option('--date <date>', 'the waiver’s date (default: today)')
    .action((opts, cmd: Command) =>
      act(
        cmd,
        'waiver.request',
        { contractNo: opts.contract, dealer: opts.dealer, amount: opts.amount, date: opts.date ?? today(), reason: opts.reason },
        (out) =>
          out.approval === 'approved'
            ? `waiver ${out.id} ${out.number} of ${out.amount} on ${out.contractNo}: approved (no approval rule) and posted`
            : `waiver ${out.id} ${out.number} of ${out.amount} on ${out.contractNo}: waiting for approval (zq approval show ${out.id})`,
        { contractNo: '--contract' },
      ),
    );
}
