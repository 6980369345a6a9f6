import type { Command } from 'commander';
import { emit, withContext } from './context.js';

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
    .action(async (opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { parseDate, refuseFutureDate, today } = await import('../core/dates.js');
        const { parseMoney } = await import('../core/money.js');
        const { requestRefund } = await import('../receivables/refunds.js');
        const input = {
          contractNo: opts.contract,
          dealer: opts.dealer,
          amount: parseMoney(opts.amount, '--amount', { positive: true }),
          date: opts.date ? refuseFutureDate('--date', parseDate(opts.date, '--date')) : today(),
          reason: opts.reason,
        };
        const result = await ctx.knex.transaction((tx) => requestRefund(tx, ctx.actor, input));
        const out = { ...result.document, approval: result.approval };
        emit(
          ctx,
          out,
          () =>
            `refund ${out.id} ${out.number} of ${out.amount} on ${out.contractNo}: ${out.status}${result.approval === 'approved' ? `; pay it with zq refund confirm ${out.id}` : ` (zq approval show ${out.id})`}`,
        );
      });
    });
  refund
    .command('confirm <id>')
    .description('confirm an approved refund: the money left, the credit goes down')
    .action(async (idText: string, _opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { BadInput } = await import('../core/errors.js');
        const id = Number(idText);
        if (!Number.isInteger(id) || id <= 0) throw new BadInput('ID', idText, 'a refund document id');
        const { findDocument } = await import('../documents/index.js');
        const { confirmRefund } = await import('../receivables/refunds.js');
        const result = await ctx.knex.transaction(async (tx) => {
          await findDocument(tx, ctx.actor, id);
          return confirmRefund(tx, ctx.actor, id);
        });
        emit(ctx, result.refund, () => `refund ${result.refund.id} ${result.refund.number} of ${result.refund.amount}: confirmed`);
      });
    });
}
