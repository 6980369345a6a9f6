// `zq backup --out FILE`, `zq backup verify FILE`, `zq restore FILE (--data-dir NEW | --database-url URL)`.
import type { Command } from 'commander';
import { BadInput } from '../core/errors.js';
import { act, emit, globalOptions } from './context.js';

interface Summary {
  dealers: number;
  contracts: number;
  lines: number;
  postings: number;
  lastBatchDate: string | null;
}

const summaryLine = (s: Summary) =>
  `${s.dealers} dealer(s), ${s.contracts} contract(s), ${s.lines} schedule line(s), ${s.postings} posting(s); last batch date ${s.lastBatchDate ?? 'none'}`;

export function register(program: Command): void {
  const backup = program
    .command('backup')
    .description('a consistent copy of the whole database in one compressed file (admin); `backup verify FILE` checks one')
    .option('--out <file>', 'the backup file to write (refused if it exists, unless --force)')
    .option('--force', 'replace FILE if it exists')
    .option('--wait', 'if the embedded database folder is in use, wait for it instead of refusing')
    .option('--pg-dump', "PostgreSQL: the content is pg_dump's custom format (restored by pg_restore onto a server only)")
    .action(async (opts: { out?: string; force?: boolean; pgDump?: boolean }, cmd: Command) => {
      if (opts.out === undefined) throw new BadInput('--out', undefined, 'the backup file to write, e.g. --out zq-2026-06-30.zqb');
      await act(
        cmd,
        'backup.run',
        { out: opts.out, force: opts.force, pgDump: opts.pgDump },
        (r) =>
          [
            `backup: ${r.file} (${r.bytes} bytes, format ${r.format}${r.content === 'pg_dump' ? ' with pg_dump' : ''}, ${r.kind}, schema ${r.lastMigration}, ${r.seconds.toFixed(1)} s)`,
            `sha256: ${r.sha256}`,
            `${r.tables} table(s), ${r.rows} row(s): ${summaryLine(r.summary)}`,
          ].join('\n'),
        { out: '--out', pgDump: '--pg-dump' },
      );
    });

  backup
    .command('verify <file>')
    .description('restore a backup into a temporary place and compare its rows and ledger totals with its figures; exit 0 or 2')
    .action(async (file: string, _opts, cmd: Command) => {
      const { verifyBackup } = await import('../backup/restore.js');
      const { resolveDbConfig } = await import('../db/index.js');
      // a --pg-dump backup is verified in a temporary database on this server
      const r = await verifyBackup(file, resolveDbConfig({ databaseUrl: globalOptions(cmd).databaseUrl }).databaseUrl);
      emit({ json: globalOptions(cmd).json === true }, { ok: true, ...r }, () =>
        [
          `backup ${file}: whole (sha256 ${r.sha256}), format 1, taken ${r.takenAt} from ${r.kind} at schema ${r.lastMigration}`,
          `restored into a temporary ${r.content === 'pg_dump' ? 'database on the server' : 'embedded database'}: ${r.tables} table(s), ${r.rows} row(s), ledger totals equal to those recorded`,
          summaryLine(r.restored),
        ].join('\n'),
      );
    });

  program
    .command('restore <file>')
    .description('restore a backup into a new embedded folder (--data-dir) or an empty PostgreSQL database (--database-url)')
    .action(async (file: string, _opts, cmd: Command) => {
      const options = globalOptions(cmd);
      // the target is named on this command line: never ZQ_DATA_DIR, ZQ_DATABASE_URL or ./.zq by default
      const given = cmd.parent?.getOptionValueSource('dataDir') === 'cli' || cmd.parent?.getOptionValueSource('databaseUrl') === 'cli';
      if (!given || (options.dataDir !== undefined && options.databaseUrl !== undefined)) {
        throw new BadInput('--data-dir', options.dataDir, 'one target: --data-dir NEW_FOLDER or --database-url URL of an empty database');
      }
      const { restoreBackup } = await import('../backup/restore.js');
      const r = await restoreBackup(
        file,
        options.dataDir !== undefined ? { dataDir: options.dataDir } : { databaseUrl: options.databaseUrl },
      );
      emit({ json: options.json === true }, r, () =>
        [
          `restored ${file} (taken ${r.backup.takenAt} from ${r.backup.kind} at schema ${r.backup.lastMigration}) into ${r.location} (${r.kind})`,
          r.migrationsApplied.length > 0
            ? `migrations applied after restoring: ${r.migrationsApplied.join(', ')}`
            : 'migrations: up to date',
          `restored: ${summaryLine(r.restored)}`,
        ].join('\n'),
      );
    });
}
