import type { Command } from 'commander';
import { emit, globalOptions } from './context.js';

export function register(program: Command): void {
  program
    .command('init')
    .description('create or migrate the database and seed receivable types, roles, the group and admin; idempotent')
    .option('--keep-backups <n>', "backups taken before migrating to keep in the folder's backups/ (env ZQ_BACKUP_KEEP; default 5)")
    .action(async (opts: { keepBackups?: string }, cmd: Command) => {
      const options = globalOptions(cmd);
      const { initDatabase } = await import('../db/init.js');
      const { backupBeforeMigrate, backupsToKeep } = await import('../backup/before-migrate.js');
      const keep = backupsToKeep(opts.keepBackups);
      const result = await initDatabase({ dataDir: options.dataDir, databaseUrl: options.databaseUrl }, async (db, dataDir) => {
        return (await backupBeforeMigrate(db, dataDir, keep)).file;
      });
      emit({ json: options.json === true }, result, () =>
        [
          `database: ${result.location} (${result.kind})`,
          ...(result.backup
            ? [`backup before migrating: ${result.backup} (zq restore ${result.backup} --data-dir NEW_FOLDER undoes the upgrade)`]
            : []),
          result.migrationsApplied.length > 0 ? `migrations applied: ${result.migrationsApplied.join(', ')}` : 'migrations: up to date',
          `seeded: ${result.seed.receivableTypes} receivable type(s), ${result.seed.roles} role(s)${result.seed.group ? ', the group' : ''}${result.seed.admin ? ', user admin' : ''}`,
        ].join('\n'),
      );
    });
}
