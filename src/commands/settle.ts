import type { Command } from 'commander';
import { receivableTypeName } from '../core/labels.js';
import { table } from '../core/table.js';
import { emit, withContext } from './context.js';

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
      await withContext(cmd, async (ctx) => {
        const { parseDate, refuseFutureDate, today } = await import('../core/dates.js');
        const settlement = await import('../receivables/settlement.js');
        const date = opts.date ? parseDate(opts.date, '--date') : today();
        const arg = { contractNo, dealer: opts.dealer, date };
        // a quote may look ahead; a settlement is money that moved, so not later than today
        if (!opts.quote) refuseFutureDate('--date', date);
        if (opts.quote) {
          const { formatMoneyGrouped: g } = await import('../core/money.js');
          const quote = await settlement.settlementQuote(ctx.knex, ctx.actor, arg);
          emit(ctx, quote, () =>
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
          );
          return;
        }
        if (opts.reverse) {
          const reversal = await ctx.knex.transaction((tx) => settlement.reverseSettlement(tx, ctx.actor, { ...arg, reason: opts.reason }));
          emit(
            ctx,
            reversal,
            () => `settlement of ${contractNo} reversed by ${reversal.number} (document ${reversal.id}); the contract is active again`,
          );
          return;
        }
        const doc = await ctx.knex.transaction((tx) => settlement.settleContract(tx, ctx.actor, arg));
        emit(ctx, doc, () => `${doc.contractNo} settled on ${doc.valueDate} (${doc.number}, document ${doc.id})`);
      });
    });
}
