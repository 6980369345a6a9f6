import type { Command } from 'commander';
import { emit, withContext } from './context.js';

export function register(program: Command): void {
  program
    .command('buyback <contractNo>')
    .description('回购: the dealer paid the financier for a defaulted contract; from --date the receivable is the dealer’s own')
    .option('--dealer <code>', 'the dealer, where the number exists at more than one')
    .requiredOption('--amount <amount>', 'what the dealer paid the financier')
    .requiredOption('--date <date>', 'when it paid')
    .option('--reason <text>', 'note, e.g. the financier’s demand letter')
    .action(async (contractNo: string, opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { parseDate, refuseFutureDate } = await import('../core/dates.js');
        const { parseMoney } = await import('../core/money.js');
        const { requestBuyback } = await import('../receivables/buyback.js');
        const { loadDocument } = await import('../documents/index.js');
        // negative amounts reach the core's check, which says 'greater than zero' for 0 and -1 alike
        const input = {
          contractNo,
          dealer: opts.dealer,
          amount: parseMoney(opts.amount, '--amount', { allowNegative: true }),
          date: refuseFutureDate('--date', parseDate(opts.date, '--date')),
          reason: opts.reason,
        };
        const result = await ctx.knex.transaction((tx) => requestBuyback(tx, ctx.actor, input));
        const document = await loadDocument(ctx.knex, result.document.id);
        const out = { ...document, approval: result.approval };
        emit(ctx, out, () =>
          result.approval === 'approved'
            ? `buyback ${out.id} ${out.number} of ${out.contractNo} from ${out.data.financier} for ${out.amount} on ${input.date}: approved (no approval rule); the contract is now held by the dealer (zq contract show ${out.contractNo})`
            : `buyback ${out.id} ${out.number} of ${out.contractNo} from ${out.data.financier} for ${out.amount}: waiting for approval (zq approval show ${out.id})`,
        );
      });
    });
}
