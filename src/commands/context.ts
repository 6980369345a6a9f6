// What every command shares: global options, opening the database once, the acting user, output.
// Heavy modules (knex, PGlite, decimal.js) are imported only when a command runs, so `zq --help` starts fast.
import type { Command } from 'commander';
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import type { ActionName } from '../app/catalogue.js';
import type { Output, RawInput } from '../app/run.js';
import type { Db } from '../db/index.js';
import type { FlagNames } from './flags.js';

export interface GlobalOptions {
  dataDir?: string;
  databaseUrl?: string;
  as?: string;
  json?: boolean;
  debug?: boolean;
}

export interface Context {
  /** The command's path, e.g. 'approval rule add': its line in the permission matrix. */
  command: string;
  db: Db;
  knex: Knex;
  actor: Actor;
  json: boolean;
  options: GlobalOptions;
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
 * Open the database (refusing one with pending migrations), load the acting user, check the command's line in
 * the permission matrix (src/access/permissions.ts: role, and an explicit --as for a command that changes
 * data), run, close. No command can skip the check: it is looked up from the command itself.
 */
export async function withContext(cmd: Command, fn: (ctx: Context) => Promise<void>): Promise<void> {
  const options = globalOptions(cmd);
  const { commandPermission, requirePermission } = await import('../access/permissions.js');
  await import('../app/document-types.js');
  const command = commandPath(cmd);
  const permission = commandPermission(command);
  const { openDatabase, resolveDbConfig } = await import('../db/index.js');
  const { loadActor, actorUsername } = await import('../access/actor.js');
  // --wait (batch run): on the embedded database, wait for the folder as the batch waits for its lock on a server
  const db = await openDatabase(resolveDbConfig({ dataDir: options.dataDir, databaseUrl: options.databaseUrl }), {
    waitForFolder: (options as { wait?: boolean }).wait === true,
  });
  try {
    const actor = await loadActor(db.knex, actorUsername(options.as, process.env, permission.mutates));
    requirePermission(actor, command);
    // the core names a bad field in business words (`valueDate`); the user typed a flag (`--value-date`)
    const { inOptions } = await import('./flags.js');
    await fn({ command, db, knex: db.knex, actor, json: options.json === true, options }).catch((err: unknown) => {
      throw inOptions(err, cmd.options);
    });
  } finally {
    await db.close();
  }
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
