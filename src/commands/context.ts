// What every command shares: global options, opening the database once, the acting user, output.
// Heavy modules (knex, PGlite, decimal.js) are imported only when a command runs, so `zq --help` starts fast.
import type { Command } from 'commander';
import type { ActionName } from '../app/catalogue.js';
import type { Output, RawInput } from '../app/run.js';
import type { FlagNames } from './flags.js';

export interface GlobalOptions {
  dataDir?: string;
  databaseUrl?: string;
  as?: string;
  json?: boolean;
  debug?: boolean;
}

export function globalOptions(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals() as GlobalOptions;
}

/** A command's path below the program: `zq approval rule add` → 'approval rule add'. */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/**
 * Runs an action for a command: opens the database, runs the action as the acting user (--as / ZQ_USER; a
 * read defaults to admin) through the one entry point (src/app/run.ts), and prints its result as JSON with
 * --json (or in the form `json` writes, e.g. one line per file) or by `human`. A bad input names the action's
 * field: it is reported under this command's flag.
 */
export async function act<N extends ActionName>(
  cmd: Command,
  name: N,
  raw: RawInput<N>,
  human: (output: Output<N>) => string,
  flags: FlagNames = {},
  json?: (output: Output<N>) => string,
): Promise<void> {
  const options = globalOptions(cmd);
  const { openDatabase, resolveDbConfig } = await import('../db/index.js');
  const { runAction } = await import('../app/run.js');
  const { actionNamed } = await import('../app/catalogue.js');
  const { actorUsername } = await import('../access/actor.js');
  const { inFlags } = await import('./flags.js');
  const { RoleRefused } = await import('../access/permissions.js');
  const { NotAllowed } = await import('../core/errors.js');
  // a refusal by role names the command the user typed, as the permission matrix does
  const inCommand = (err: unknown): unknown =>
    err instanceof RoleRefused
      ? new NotAllowed(`${err.who} may not run \`zq ${commandPath(cmd)}\`: it needs one of ${err.roles.join(', ')}`)
      : err;
  const action = actionNamed(name);
  const db = await openDatabase(resolveDbConfig({ dataDir: options.dataDir, databaseUrl: options.databaseUrl }), {
    waitForFolder: (options as { wait?: boolean }).wait === true,
  });
  try {
    const who = actorUsername(options.as, process.env, action.mutates);
    const output = await runAction(db, who, name, raw, { via: 'cli' }).catch((err: unknown) => {
      throw inFlags(inCommand(err), flags);
    });
    if (options.json === true && json) process.stdout.write(`${json(output)}\n`);
    else emit({ json: options.json === true }, output, () => human(output));
  } finally {
    await db.close();
  }
}

/** JSON on stdout (nothing else) with --json; otherwise the human form. */
export function emit(ctx: { json: boolean }, json: unknown, human: () => string): void {
  process.stdout.write(ctx.json ? `${JSON.stringify(json, null, 2)}\n` : `${human()}\n`);
}

/** Whether a person is at a terminal to answer prompts (never under CI or without a TTY). */
export function canPrompt(): boolean {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY && !process.env.CI);
}

/** Collect a repeatable option into an array. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
