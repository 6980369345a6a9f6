import type { Command } from 'commander';
import { emit, withContext } from './context.js';

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
    .action(async (contractNo: string, opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { parseDate, refuseFutureDate, today } = await import('../core/dates.js');
        const { registerBadDebt } = await import('../receivables/bad-debt.js');
        const input = {
          contractNo,
          dealer: opts.dealer,
          date: opts.date ? refuseFutureDate('--date', parseDate(opts.date, '--date')) : today(),
          reason: opts.reason,
        };
        const result = await ctx.knex.transaction((tx) => registerBadDebt(tx, ctx.actor, input));
        const { loadDocument } = await import('../documents/index.js');
        const doc = await loadDocument(ctx.knex, result.document.id);
        const out = { ...doc, approval: result.approval };
        emit(ctx, out, () =>
          result.approval === 'approved'
            ? `bad debt ${out.id} ${out.number}: ${out.amount} written off from ${out.valueDate} (no approval rule)`
            : `bad debt ${out.id} ${out.number} of ${out.amount}: waiting for approval (zq approval show ${out.id})`,
        );
      });
    });
}
