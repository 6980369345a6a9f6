import type { Command } from 'commander';
import { table } from '../core/table.js';
import { act } from './context.js';

/** The dealer's code is an argument; "no change given" names no flag. */
const FLAGS = { code: 'code', changes: 'changes' } as const;

export function register(program: Command): void {
  const dealer = program.command('dealer').description('dealers (代理店): a tree under the group');
  addCommand(dealer);
  updateCommand(dealer);
  listCommand(dealer);
}

function addCommand(dealer: Command): void {
  dealer
    .command('add <code>')
    .description('add a dealer under the group or a region')
    .requiredOption('--name <name>', 'the dealer’s name, e.g. 合肥代理店')
    .option('--parent <code>', 'the region or group it belongs to (default: the group)')
    .option('--region', 'add a region (a node that holds dealers) instead of a dealer')
    .option('--allocation-strategy <s>', 'by_installment (default) or principal_first')
    .option('--province <name>', 'province, e.g. 安徽')
    .option('--city <name>', 'city, e.g. 合肥')
    .action((code: string, opts, cmd: Command) =>
      act(
        cmd,
        'dealer.add',
        {
          code,
          name: opts.name,
          parent: opts.parent,
          kind: opts.region ? 'region' : 'dealer',
          allocationStrategy: opts.allocationStrategy,
          province: opts.province,
          city: opts.city,
        },
        (created) => `dealer ${created.code} ${created.name} added under ${created.parent}`,
        FLAGS,
      ),
    );
}

function updateCommand(dealer: Command): void {
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
    .action((code: string, opts, cmd: Command) =>
      act(
        cmd,
        'dealer.update',
        {
          code,
          name: opts.name,
          province: opts.province,
          city: opts.city,
          parent: opts.parent,
          region: opts.region,
          allocationStrategy: opts.allocationStrategy,
        },
        (updated) => `dealer ${updated.code} ${updated.name} (${updated.kind}) updated, under ${updated.parent}`,
        FLAGS,
      ),
    );
}

function listCommand(dealer: Command): void {
  dealer
    .command('list')
    .description('list the group, regions and dealers')
    .action((_opts, cmd: Command) =>
      act(cmd, 'dealer.list', {}, (rows) =>
        table(rows, [
          { header: 'code', value: (r) => r.code },
          { header: 'name', value: (r) => r.name },
          { header: 'kind', value: (r) => r.kind },
          { header: 'parent', value: (r) => r.parent },
          { header: 'allocation', value: (r) => r.allocationStrategy },
          { header: 'city', value: (r) => [r.province, r.city].filter(Boolean).join(' ') },
        ]),
      ),
    );
}
