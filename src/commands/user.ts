import type { Command } from 'commander';
import { table } from '../core/table.js';
import { canPrompt, collect, emit, withContext } from './context.js';

export function register(program: Command): void {
  const user = program.command('user').description('users: roles, dealer and manager (reports_to)');
  user
    .command('add <username>')
    .description('add a user')
    .requiredOption('--name <name>', 'the person’s name, e.g. 李四')
    .requiredOption(
      '--role <role>',
      'a role (repeat for several): admin, group_finance, dealer_finance, manager, collector, clerk, auditor',
      collect,
    )
    .option('--dealer <code>', 'the dealer they work for (leave out for group staff)')
    .option('--reports-to <username>', 'their manager')
    .option('--phone <phone>', 'mobile number')
    .action(async (username: string, opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { addUser } = await import('../organisation/index.js');
        const roles = (opts.role as string[])
          .flatMap((r) => r.split(','))
          .map((r) => r.trim())
          .filter(Boolean);
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
    .description('list the users in your data scope')
    .option('--dealer <code>', 'only this dealer’s staff')
    .action(async (opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { listUsers } = await import('../organisation/index.js');
        const rows = await listUsers(ctx.knex, ctx.actor, { dealer: opts.dealer });
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
  user
    .command('move <username>')
    .description('put a user (and everybody below them) under another manager; their data scope moves with them')
    .option('--reports-to <username>', 'the new manager')
    .option('--top', 'report to nobody')
    .action(async (username: string, opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { BadInput } = await import('../core/errors.js');
        if (Boolean(opts.reportsTo) === Boolean(opts.top))
          throw new BadInput('--reports-to', opts.reportsTo, 'a manager’s username, or --top (not both)');
        const { moveUser } = await import('../organisation/users.js');
        const moved = await ctx.knex.transaction((tx) => moveUser(tx, ctx.actor, username, opts.top ? null : opts.reportsTo));
        emit(ctx, moved, () => `user ${moved.username} now reports to ${moved.reportsTo ?? 'nobody'}`);
      });
    });
  const role = user.command('role').description('give or take a user’s roles (a user may hold several)');
  for (const verb of ['add', 'remove'] as const) {
    role
      .command(`${verb} <username> <role>`)
      .description(verb === 'add' ? 'give a user a role' : 'take a role from a user')
      .action(async (username: string, code: string, _opts, cmd: Command) => {
        await withContext(cmd, async (ctx) => {
          const { addRole, removeRole } = await import('../organisation/users.js');
          const changed = await ctx.knex.transaction((tx) => (verb === 'add' ? addRole : removeRole)(tx, ctx.actor, username, code));
          emit(ctx, changed, () => `user ${changed.username}: ${changed.roles.join(', ') || 'no role'}`);
        });
      });
  }
  user
    .command('passwd [username]')
    .description('set the password used by the web viewer (default: your own; an admin may set anybody’s); stored as an scrypt hash')
    .option('--password-stdin', 'read the password from the first line of stdin (for scripts)')
    .action(async (username: string | undefined, opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { BadInput } = await import('../core/errors.js');
        const target = username ?? ctx.actor.username;
        let password: string;
        if (opts.passwordStdin) {
          const chunks: Buffer[] = [];
          for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
          password = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
        } else if (canPrompt()) {
          const { password: ask } = await import('@inquirer/prompts');
          password = await ask({ message: `new password for ${target}`, mask: '*' });
          const again = await ask({ message: 'again', mask: '*' });
          if (again !== password) throw new BadInput('password', '(hidden)', 'the same password twice');
        } else {
          throw new BadInput('--password-stdin', null, 'the password on stdin (no terminal to ask at)');
        }
        const { setPassword } = await import('../organisation/users.js');
        await ctx.knex.transaction((tx) => setPassword(tx, ctx.actor, target, password));
        emit(ctx, { username: target, passwordSet: true }, () => `password set for ${target}`);
      });
    });
}
