import type { Command } from 'commander';
import { collect, emit, withContext } from './context.js';
import { table } from '../core/table.js';

export function register(program: Command): void {
  const user = program.command('user').description('users: roles, dealer and manager (reports_to)');
  user
    .command('add <username>')
    .description('add a user')
    .requiredOption('--name <name>', 'the person’s name, e.g. 李四')
    .requiredOption('--role <role>', 'a role (repeat for several): admin, group_finance, dealer_finance, manager, collector, clerk, auditor', collect)
    .option('--dealer <code>', 'the dealer they work for (leave out for group staff)')
    .option('--reports-to <username>', 'their manager')
    .option('--phone <phone>', 'mobile number')
    .action(async (username: string, opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { addUser } = await import('../organisation/index.js');
        const roles = (opts.role as string[]).flatMap((r) => r.split(',')).map((r) => r.trim()).filter(Boolean);
        const created = await ctx.knex.transaction((tx) =>
          addUser(tx, ctx.actor, {
            username,
            name: opts.name,
            roles,
            dealer: opts.dealer,
            reportsTo: opts.reportsTo,
            phone: opts.phone,
          }),
        );
        emit(ctx, created, () => `user ${created.username} (${created.name}) added: ${created.roles.join(', ')}`);
      });
    });
  user
    .command('list')
    .description('list users')
    .option('--dealer <code>', 'only this dealer’s staff')
    .action(async (opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { listUsers } = await import('../organisation/index.js');
        const rows = await listUsers(ctx.knex, { dealer: opts.dealer });
        emit(ctx, rows, () =>
          table(rows, [
            { header: 'username', value: (r) => r.username },
            { header: 'name', value: (r) => r.name },
            { header: 'roles', value: (r) => r.roles.join(',') },
            { header: 'dealer', value: (r) => r.dealer },
            { header: 'reports to', value: (r) => r.reportsTo },
            { header: 'active', value: (r) => (r.active ? 'yes' : 'no') },
          ]),
        );
      });
    });
}
