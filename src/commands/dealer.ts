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
  showCommand(dealer);
}

/** The letterhead details of printed documents (README "Printing"): flags and their input fields. */
function contactOptions(command: Command, clear: string): Command {
  return command
    .option('--address <text>', `the address printed on documents, e.g. 合肥市蜀山区长江西路 100 号${clear}`)
    .option('--phone <text>', `the phone printed on documents, e.g. 0551-6500 1234${clear}`)
    .option('--bank-name <text>', `the bank customers pay into, e.g. 中国工商银行合肥长江路支行${clear}`)
    .option('--bank-account <text>', `the account number at that bank${clear}`);
}

const contact = (opts: { address?: string; phone?: string; bankName?: string; bankAccount?: string }) => ({
  address: opts.address,
  phone: opts.phone,
  bankName: opts.bankName,
  bankAccount: opts.bankAccount,
});

function addCommand(dealer: Command): void {
  contactOptions(dealer.command('add <code>'), '')
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
          ...contact(opts),
        },
        (created) => `dealer ${created.code} ${created.name} added under ${created.parent}`,
        FLAGS,
      ),
    );
}

function updateCommand(dealer: Command): void {
  contactOptions(dealer.command('update <code>'), ' (empty to clear)')
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
          ...contact(opts),
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
          { header: 'phone', value: (r) => r.phone ?? '' },
        ]),
      ),
    );
}

function showCommand(dealer: Command): void {
  dealer
    .command('show <code>')
    .description('a dealer with its address, phone and bank account (printed on documents)')
    .action((code: string, _opts, cmd: Command) =>
      act(
        cmd,
        'dealer.show',
        { code },
        (d) =>
          [
            `${d.code} ${d.name} (${d.kind}) under ${d.parent ?? '—'}`,
            `地址 address:        ${d.address ?? '—'}`,
            `电话 phone:          ${d.phone ?? '—'}`,
            `开户行 bank:         ${d.bankName ?? '—'}`,
            `账号 bank account:   ${d.bankAccount ?? '—'}`,
            `省市 province, city: ${[d.province, d.city].filter(Boolean).join(' ') || '—'}`,
            `分配 allocation:     ${d.allocationStrategy}`,
          ].join('\n'),
        FLAGS,
      ),
    );
}
