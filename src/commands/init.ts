import type { Command } from 'commander';
import { emit, globalOptions } from './context.js';

export function register(program: Command): void {
  program
    .command('init')
    .description('create or migrate the database and seed receivable types, roles, the group and admin; idempotent')
    .action(async (_opts, cmd: Command) => {
      const options = globalOptions(cmd);
      const { initDatabase } = await import('../db/init.js');
      const result = await initDatabase({ dataDir: options.dataDir, databaseUrl: options.databaseUrl });
      emit({ json: options.json === true }, result, () =>
        [
          `database: ${result.location} (${result.kind})`,
          result.migrationsApplied.length > 0 ? `migrations applied: ${result.migrationsApplied.join(', ')}` : 'migrations: up to date',
          `seeded: ${result.seed.receivableTypes} receivable type(s), ${result.seed.roles} role(s)${result.seed.group ? ', the group' : ''}${result.seed.admin ? ', user admin' : ''}`,
        ].join('\n'),
      );
    });
}
