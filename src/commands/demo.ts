import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { globalOptions } from './context.js';

/**
 * How a user runs this very zq from the folder they are in: `zq` when the PATH has it (npm link, a global
 * install), else the script's path (`./bin/zq` in the checkout) — after `npm install` nothing puts zq on the PATH.
 */
function zqInvocation(): { zq: string; onPath: boolean; script: string | undefined } {
  const argv1 = process.argv[1];
  if (!argv1 || !fs.existsSync(argv1)) return { zq: 'zq', onPath: true, script: undefined };
  const script = fs.realpathSync(argv1);
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir || '.', 'zq');
    if (path.isAbsolute(dir) && fs.existsSync(candidate) && fs.realpathSync(candidate) === script) {
      return { zq: 'zq', onPath: true, script };
    }
  }
  const relative = path.relative(process.cwd(), script);
  const zq = relative.startsWith('..') || path.isAbsolute(relative) ? script : `./${relative}`;
  return { zq, onPath: false, script };
}

export function register(program: Command): void {
  program
    .command('demo')
    .description('build a fresh database with demo data and run it end to end (embedded, or a new database on --database-url)')
    .option('--dir <dir>', 'folder for the embedded demo database (default: a new temporary folder)')
    .action(async (opts, cmd: Command) => {
      const options = globalOptions(cmd);
      const { runDemo, shellQuote } = await import('../demo/index.js');
      const databaseUrl = options.databaseUrl ?? process.env.ZQ_DATABASE_URL ?? process.env.DATABASE_URL;
      const say = (line: string) => process.stdout.write(`${line}\n`);
      say('zq demo — receivables for two construction-machinery dealers in Anhui');
      const how = zqInvocation();
      const zq = how.onPath ? 'zq' : shellQuote(how.zq);
      const result = await runDemo({ dataDir: opts.dir, databaseUrl, zq }, say);
      say(`\nThe demo database is in ${result.location}. Try next (each line works as printed):`);
      for (const line of result.tryNext) say(`  ${line}`);
      if (!how.onPath && how.script) {
        say(`\nTo type plain \`zq\`: alias zq=${shellQuote(how.script)}   (or \`npm link\` in the checkout)`);
      }
    });
}
