import type { Command } from 'commander';
import { act } from './context.js';

export function register(program: Command): void {
  program
    .command('buyback <contractNo>')
    .description('回购: the dealer paid the financier for a defaulted contract; from --date the receivable is the dealer’s own')
    .option('--dealer <code>', 'the dealer, where the number exists at more than one')
    .requiredOption('--amount <amount>', 'what the dealer paid the financier')
    .requiredOption('--date <date>', 'when it paid')
    .option('--reason <text>', 'note, e.g. the financier’s demand letter')
    .action((contractNo: string, opts, cmd: Command) =>
      act(
        cmd,
        'buyback.request',
        { contractNo, dealer: opts.dealer, amount: opts.amount, date: opts.date, reason: opts.reason },
        (out) =>
          out.approval === 'approved'
            ? `buyback ${out.id} ${out.number} of ${out.contractNo} from ${out.data.financier} for ${out.amount} on ${out.valueDate}: approved (no approval rule); the contract is now held by the dealer (zq contract show ${out.contractNo})`
            : `buyback ${out.id} ${out.number} of ${out.contractNo} from ${out.data.financier} for ${out.amount}: waiting for approval (zq approval show ${out.id})`,
        { contractNo: 'contractNo' },
      ),
    );
}
