import type { Command } from 'commander';
import { table } from '../core/table.js';
import { act, canPrompt, collect, globalOptions } from './context.js';

/** Arguments keep their names (`username`, `role`), as does the password, which has no flag of its own. */
const ARGS = { username: 'username', role: 'role', password: 'password' } as const;

/** The new password: the first line of stdin with --password-stdin, else asked twice at a terminal. */
async function readPassword(cmd: Command, username: string | undefined, fromStdin: boolean): Promise<string> {
  const { BadInput } = await import('../core/errors.js');
  if (fromStdin) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  }
  if (!canPrompt()) throw new BadInput('--password-stdin', null, 'the password on stdin (no terminal to ask at)');
  const { actorUsername } = await import('../access/actor.js');
  const target = username ?? actorUsername(globalOptions(cmd).as, process.env, true);
  const { password: ask } = await import('@inquirer/prompts');
  const password = await ask({ message: `new password for ${target}`, mask: '*' });
  const again = await ask({ message: 'again', mask: '*' });
  if (again !== password) throw new BadInput('password', '(hidden)', 'the same password twice');
  return password;
}

export function register(program: Command): void {
  const user = program.command('user').description('users: roles, dealer and manager (reports_to)');
  addCommand(user);
  listCommand(user);
  moveCommand(user);
  roleCommands(user.command('role').description('give or take a user’s roles (a user may hold several)'));
  passwdCommand(user);
}

function addCommand(user: Command): void {
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
    .action((username: string, opts, cmd: Command) =>
      act(
        cmd,
        'user.add',
        { username, name: opts.name, roles: opts.role, dealer: opts.dealer, reportsTo: opts.reportsTo, phone: opts.phone },
        (created) => `user ${created.username} (${created.name}) added: ${created.roles.join(', ')}`,
        { username: 'username', roles: '--role' },
      ),
    );
}

function listCommand(user: Command): void {
  user
    .command('list')
    .description('list the users in your data scope')
    .option('--dealer <code>', 'only this dealer’s staff')
    .action((opts, cmd: Command) =>
      act(cmd, 'user.list', { dealer: opts.dealer }, (rows) =>
        table(rows, [
          { header: 'username', value: (r) => r.username },
          { header: 'name', value: (r) => r.name },
          { header: 'roles', value: (r) => r.roles.join(',') },
          { header: 'dealer', value: (r) => r.dealer },
          { header: 'reports to', value: (r) => r.reportsTo },
          { header: 'active', value: (r) => (r.active ? 'yes' : 'no') },
        ]),
      ),
    );
}

function moveCommand(user: Command): void {
  user
    .command('move <username>')
    .description('put a user (and everybody below them) under another manager; their data scope moves with them')
    .option('--reports-to <username>', 'the new manager')
    .option('--top', 'report to nobody')
    .action((username: string, opts, cmd: Command) =>
      act(
        cmd,
        'user.move',
        { username, reportsTo: opts.reportsTo, top: opts.top },
        (moved) => `user ${moved.username} now reports to ${moved.reportsTo ?? 'nobody'}`,
        ARGS,
      ),
    );
}

function passwdCommand(user: Command): void {
  user
    .command('passwd [username]')
    .description('set the password used by the web viewer (default: your own; an admin may set anybody’s); stored as an scrypt hash')
    .option('--password-stdin', 'read the password from the first line of stdin (for scripts)')
    .action(async (username: string | undefined, opts, cmd: Command) => {
      const password = await readPassword(cmd, username, opts.passwordStdin === true);
      await act(cmd, 'user.passwd', { username, password }, (set) => `password set for ${set.username}`, ARGS);
    });
}

function roleCommands(role: Command): void {
  for (const verb of ['add', 'remove'] as const) {
    role
      .command(`${verb} <username> <role>`)
      .description(verb === 'add' ? 'give a user a role' : 'take a role from a user')
      .action((username: string, code: string, _opts, cmd: Command) =>
        act(
          cmd,
          verb === 'add' ? 'user.role.add' : 'user.role.remove',
          { username, role: code },
          (changed) => `user ${changed.username}: ${changed.roles.join(', ') || 'no role'}`,
          ARGS,
        ),
      );
  }
}
