import type { Command } from 'commander';
import { table } from '../core/table.js';
import { emit, withContext } from './context.js';

export function register(program: Command): void {
  const dealer = program.command('dealer').description('dealers (代理店): a tree under the group');
  dealer
    .command('add <code>')
    .description('add a dealer under the group or a region')
    .requiredOption('--name <name>', 'the dealer’s name, e.g. 合肥代理店')
    .option('--parent <code>', 'the region or group it belongs to (default: the group)')
    .option('--region', 'add a region (a node that holds dealers) instead of a dealer')
    .option('--allocation-strategy <s>', 'by_installment (default) or principal_first')
    .option('--province <name>', 'province, e.g. 安徽')
    .option('--city <name>', 'city, e.g. 合肥')
    .action(async (code: string, opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { addDealer } = await import('../organisation/index.js');
        const created = await ctx.knex.transaction((tx) =>
          addDealer(tx, ctx.actor, {
            code,
            name: opts.name,
            parent: opts.parent,
            kind: opts.region ? 'region' : 'dealer',
            allocationStrategy: opts.allocationStrategy,
            province: opts.province,
            city: opts.city,
          }),
        );
        emit(ctx, created, () => `dealer ${created.code} ${created.name} added under ${created.parent}`);
      });
    });
  dealer
    .command('update <code>')
    .description('rename a dealer or change its details (audited)')
    .option('--name <name>', 'the new name, e.g. 合肥代理店')
    .option('--province <name>', 'province, e.g. 安徽 (empty to clear)')
    .option('--city <name>', 'city, e.g. 合肥 (empty to clear)')
    .option('--parent <code>', 'move it under this region or the group')
    .option('--region', 'make it a region (a node that holds dealers)')
    .option('--no-region', 'make a region without dealers a dealer again')
    .option('--allocation-strategy <s>', 'by_installment or principal_first (for receipts confirmed from now on)')
    .action(async (code: string, opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { updateDealer } = await import('../organisation/index.js');
        const updated = await ctx.knex.transaction((tx) =>
          updateDealer(tx, ctx.actor, code, {
            name: opts.name,
            province: opts.province,
            city: opts.city,
            parent: opts.parent,
            region: opts.region,
            allocationStrategy: opts.allocationStrategy,
          }),
        );
        emit(ctx, updated, () => `dealer ${updated.code} ${updated.name} (${updated.kind}) updated, under ${updated.parent}`);
      });
    });
  dealer
    .command('list')
    .description('list the group, regions and dealers')
    .action(async (_opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { listDealers } = await import('../organisation/index.js');
        const rows = await listDealers(ctx.knex, ctx.actor);
        emit(ctx, rows, () =>
          table(rows, [
            { header: 'code', value: (r) => r.code },
            { header: 'name', value: (r) => r.name },
            { header: 'kind', value: (r) => r.kind },
            { header: 'parent', value: (r) => r.parent },
            { header: 'allocation', value: (r) => r.allocationStrategy },
            { header: 'city', value: (r) => [r.province, r.city].filter(Boolean).join(' ') },
          ]),
        );
      });
    });
}
