// Builds the commander program from src/commands and maps errors to exit codes (CLI.md):
// 0 done; 1 unexpected; 2 bad input or refused; 3 not found or not allowed; 4 reconciliation failed.
import { Command, CommanderError } from 'commander';
import { register as approval } from './commands/approval.js';
import { register as audit } from './commands/audit.js';
import { register as backup } from './commands/backup.js';
import { register as badDebt } from './commands/bad-debt.js';
import { register as batch } from './commands/batch.js';
import { register as buyback } from './commands/buyback.js';
import { register as contract } from './commands/contract.js';
import { register as dealer } from './commands/dealer.js';
import { register as demo } from './commands/demo.js';
import { register as doc } from './commands/doc.js';
import { commandFor } from './commands/hints.js';
import { register as importCommand } from './commands/import.js';
import { register as init } from './commands/init.js';
import { register as machine } from './commands/machine.js';
import { register as notice } from './commands/notice.js';
import { register as penalty } from './commands/penalty.js';
import { register as period } from './commands/period.js';
import { register as receipt } from './commands/receipt.js';
import { register as refund } from './commands/refund.js';
import { registerBreakdown as reportBreakdown } from './commands/report-breakdown.js';
import { registerDiff as reportDiff } from './commands/report-diff.js';
import { registerMore as reportMore } from './commands/report-more.js';
import { register as serve } from './commands/serve.js';
import { register as settle } from './commands/settle.js';
import { register as statement } from './commands/statement.js';
import { register as user } from './commands/user.js';
import { register as waiver } from './commands/waiver.js';
import { formatTimestamp } from './core/dates.js';
import { databaseRefusal, EXIT, ExpectedError } from './core/errors.js';
import { refuseControlCharacters } from './core/text.js';

const VERSION = '0.1.0';

export function buildProgram(): Command {
  const program = new Command('zq')
    .description('zhaiquan (债权) — receivables for construction-machinery dealers')
    // Only -V at program level: commander would take a long --version anywhere on the line, even from
    // `zq contract schedule NO --version 2`; main() answers a bare `zq --version` itself.
    .version(VERSION, '-V', 'print the version')
    .option('--data-dir <dir>', 'embedded database folder (env ZQ_DATA_DIR; default ./.zq)')
    .option('--database-url <url>', 'use a PostgreSQL server (env ZQ_DATABASE_URL, then DATABASE_URL)')
    .option('--as <user>', 'the acting user (env ZQ_USER); required by commands that change data, reads default to admin')
    .option('--json', 'machine-readable output on stdout')
    .option('--debug', 'stack traces on unexpected errors')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of [init, demo, dealer, user, contract, importCommand, audit, penalty, batch, serve]) register(program);
  for (const register of [approval, doc, period]) register(program);
  for (const register of [receipt, waiver, refund, settle, badDebt, buyback, notice]) register(program);
  for (const register of [statement]) register(program);
  backup(program);
  machine(program);
  // zq report …: each report adds its subcommand to the one group
  const report = program.command('report').description('reports: as reported on a night, or restated');
  for (const register of [reportBreakdown, reportDiff, reportMore]) register(report);
  // every flag and argument of every command, checked once here: no control characters in stored or printed text
  program.hook('preAction', (_program, action) => {
    for (const [name, value] of Object.entries(action.optsWithGlobals())) {
      const flag = `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      for (const item of [value].flat()) if (typeof item === 'string') refuseControlCharacters(flag, item);
    }
    for (const arg of action.args) refuseControlCharacters(action.name(), arg);
  });
  program.commands.forEach(function override(cmd: Command) {
    cmd.exitOverride();
    cmd.commands.forEach(override);
  });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  const commands = new Set(program.commands.map((c) => c.name()));
  if (argv.includes('--version') && !argv.slice(2).some((a) => commands.has(a))) {
    process.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  const debug = argv.includes('--debug');
  // `zq … | head`: a reader that went away ends the output, not with a stack trace (a batch date in flight rolls back)
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok);
    throw err;
  });
  // With --log-format json (cron writing a log file) an error is one JSON line as well: the log stays JSON.
  const jsonLog = argv.some((a, i) => a === '--log-format=json' || (a === '--log-format' && argv[i + 1] === 'json'));
  const jsonLine = (event: string, fields: object) =>
    process.stderr.write(`${JSON.stringify({ event, at: formatTimestamp(new Date()), ...fields })}\n`);
  const fail = (message: string, exitCode: number, stack?: string): number => {
    if (jsonLog) jsonLine('error', { error: message, exitCode, ...(stack ? { stack } : {}) });
    else process.stderr.write(`zq: ${message}${stack ? `\n${stack}` : ''}\n`);
    return exitCode;
  };
  // commander reports a mistyped command line itself, as text; under --log-format json it stays quiet and the
  // error goes through fail() like any other
  if (jsonLog) {
    // warnings of Node and of knex would be plain text (knex's with a stack): as JSON lines they keep the log JSON
    process.removeAllListeners('warning');
    process.on('warning', (warning) => jsonLine('warning', { warning: `${warning.name}: ${warning.message}` }));
    (await import('./db/index.js')).onDatabaseWarning((warning) => jsonLine('warning', { warning }));
    (function quiet(cmd: Command) {
      cmd.configureOutput({ outputError: () => {} }).showHelpAfterError(false);
      cmd.commands.forEach(quiet);
    })(program);
  }
  try {
    await program.parseAsync(argv);
    // A command that finished but refused part of its input (an import with rejected rows) sets exitCode.
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      if (err.exitCode === 0) return EXIT.ok;
      return jsonLog ? fail(err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' '), EXIT.badInput) : EXIT.badInput;
    }
    const refusal = databaseRefusal(err);
    // A rule the database enforces (finance review lock, closed period) that no code path can bypass.
    if (refusal) return fail(refusal, EXIT.badInput);
    if (err instanceof ExpectedError) {
      const next = err.next && commandFor(err.next);
      return fail(next ? `${err.message} (${next})` : err.message, err.exitCode, debug ? err.stack : undefined);
    }
    const error = err as Error;
    return fail(
      `unexpected error: ${error.message}${debug ? '' : ' (--debug for the stack)'}`,
      EXIT.unexpected,
      debug ? error.stack : undefined,
    );
  }
}
