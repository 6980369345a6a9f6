import type { Command } from 'commander';
import { emit, withContext } from './context.js';

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
    .action(async (opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { parseDate, refuseFutureDate, today } = await import('../core/dates.js');
        const { parseMoney } = await import('../core/money.js');
        const { requestWaiver } = await import('../receivables/waivers.js');
        const input = {
          contractNo: opts.contract,
          dealer: opts.dealer,
          amount: parseMoney(opts.amount, '--amount', { positive: true }),
          date: opts.date ? refuseFutureDate('--date', parseDate(opts.date, '--date')) : today(),
          reason: opts.reason,
        };
        const result = await ctx.knex.transaction((tx) => requestWaiver(tx, ctx.actor, input));
        const out = { ...result.document, approval: result.approval };
        emit(ctx, out, () =>
          result.approval === 'approved'
            ? `waiver ${out.id} ${out.number} of ${out.amount} on ${out.contractNo}: approved (no approval rule) and posted`
            : `waiver ${out.id} ${out.number} of ${out.amount} on ${out.contractNo}: waiting for approval (zq approval show ${out.id})`,
        );
      });
    });
}
