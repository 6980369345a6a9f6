import type { Command } from 'commander';
import { today } from '../core/dates.js';
import { receivableTypeName } from '../core/labels.js';
import { table } from '../core/table.js';
import { act } from './context.js';

// the contract number is the command's argument, as the core names it
const NO = { contractNo: 'contractNo' } as const;

export function register(program: Command): void {
  program
    .command('settle <contractNo>')
    .description('settle (结清) a contract when nothing is outstanding as of the date, future lines included')
    .option('--dealer <code>', 'the dealer, where the number exists at more than one')
    .option('--date <date>', 'settlement date (default: today)')
    .option('--quote', 'only show what must be paid on the date to settle then (early payoff quote)')
    .option('--reverse', 'reverse the contract’s settlement (needs --reason)')
    .option('--reason <text>', 'why the settlement is reversed')
    .action(async (contractNo: string, opts, cmd: Command) => {
      const contract = { contractNo, dealer: opts.dealer };
      const date: string = opts.date ?? today();
      if (opts.quote) {
        const { formatMoneyGrouped: g } = await import('../core/money.js');
        return act(
          cmd,
          'settle.quote',
          { ...contract, date },
          (quote) =>
            [
              `${quote.dealer}/${quote.contractNo} early payoff quote for ${quote.date}`,
              table(quote.lines, [
                { header: '期次', value: (l) => l.seq, align: 'right' },
                { header: '款项', value: (l) => receivableTypeName(l.type) },
                { header: '应还日期', value: (l) => l.dueDate },
                { header: '未还', value: (l) => g(l.outstanding), align: 'right' },
                { header: '未还罚息', value: (l) => g(l.penaltyOutstanding), align: 'right' },
              ]),
              `outstanding ${g(quote.outstanding)} + penalty ${g(quote.penaltyOutstanding)} − credit ${g(quote.credit)} = to pay ${g(quote.toPay)}`,
            ].join('\n'),
          NO,
        );
      }
      if (opts.reverse) {
        return act(
          cmd,
          'settle.reverse',
          { ...contract, reason: opts.reason },
          (reversal) =>
            `settlement of ${contractNo} reversed by ${reversal.number} (document ${reversal.id}); the contract is active again`,
          NO,
        );
      }
      return act(
        cmd,
        'settle.run',
        { ...contract, date },
        (doc) => `${doc.contractNo} settled on ${doc.valueDate} (${doc.number}, document ${doc.id})`,
        NO,
      );
    });
}
