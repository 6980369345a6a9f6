// What every command shares: global options, opening the database once, the acting user, output.
// Heavy modules (knex, PGlite, decimal.js) are imported only when a command runs, so `zq --help` starts fast.
import type { Command } from 'commander';
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import type { Db } from '../db/index.js';

export interface GlobalOptions {
  dataDir?: string;
  databaseUrl?: string;
  as?: string;
  json?: boolean;
  debug?: boolean;
}

export interface Context {
  db: Db;
  knex: Knex;
  actor: Actor;
  json: boolean;
  options: GlobalOptions;
}

export function globalOptions(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals() as GlobalOptions;
}

/** Open the database (refusing one with pending migrations), load the acting user, run, close. */
export async function withContext(cmd: Command, fn: (ctx: Context) => Promise<void>): Promise<void> {
  const options = globalOptions(cmd);
  const { openDatabase, resolveDbConfig } = await import('../db/index.js');
  const { loadActor, actorUsername } = await import('../access/actor.js');
  const db = await openDatabase(resolveDbConfig({ dataDir: options.dataDir, databaseUrl: options.databaseUrl }));
  try {
    const actor = await loadActor(db.knex, actorUsername(options.as));
    await fn({ db, knex: db.knex, actor, json: options.json === true, options });
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
