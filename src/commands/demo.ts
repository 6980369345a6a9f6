import type { Command } from 'commander';
import { globalOptions } from './context.js';

export function register(program: Command): void {
  program
    .command('demo')
    .description('build a fresh database with demo data and run it end to end (embedded, or a new database on --database-url)')
    .option('--dir <dir>', 'folder for the embedded demo database (default: a new temporary folder)')
    .action(async (opts, cmd: Command) => {
      const options = globalOptions(cmd);
      const { runDemo } = await import('../demo/index.js');
      const databaseUrl = options.databaseUrl ?? process.env.ZQ_DATABASE_URL ?? process.env.DATABASE_URL;
      const say = (line: string) => process.stdout.write(`${line}\n`);
      say('zq demo — receivables for two construction-machinery dealers in Anhui');
      const result = await runDemo({ dataDir: opts.dir, databaseUrl }, say);
      say(`\nThe demo database is in ${result.location}. Try next:`);
      for (const line of result.tryNext) say(`  ${line}`);
    });
}
