// An exclusive lock on an embedded database folder. PGlite does not lock its folder and two writers corrupt
// it silently (STACK.md), so we take our own lock before opening it.
//
// The lock is a listening Unix socket in Linux's abstract namespace, named after the folder's real path: the
// kernel grants it to one process at a time and frees it the instant that process dies (even by kill -9),
// so there is no stale lock to clean up and no race in cleaning one. A file beside the data records who holds
// it, for the message the second process prints. Elsewhere (macOS), an exclusive-create file stands in.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { formatTimestamp } from '../core/dates.js';
import { DatabaseUnavailable } from '../core/errors.js';

export const LOCK_INFO_FILE = 'zq.lock';

export interface FolderLock {
  release(): Promise<void>;
}

interface Holder {
  pid: number;
  command: string;
  since: string;
}

function describeHolder(folder: string): string {
  try {
    const holder = JSON.parse(fs.readFileSync(path.join(folder, LOCK_INFO_FILE), 'utf8')) as Holder;
    return `process ${holder.pid} (${holder.command}, since ${holder.since})`;
  } catch {
    return 'another process';
  }
}

function busy(folder: string): DatabaseUnavailable {
  return new DatabaseUnavailable(
    `the database folder ${folder} is in use by ${describeHolder(folder)}; ` +
      'the embedded database takes one process at a time — wait for it to finish, or use a PostgreSQL server (--database-url)',
  );
}

function writeHolder(folder: string, flag: 'w' | 'wx'): void {
  const holder: Holder = {
    pid: process.pid,
    command: ['zq', ...process.argv.slice(2)].join(' ').slice(0, 200),
    since: formatTimestamp(new Date()),
  };
  fs.writeFileSync(path.join(folder, LOCK_INFO_FILE), `${JSON.stringify(holder)}\n`, { flag });
}

function listenAbstract(name: string): Promise<net.Server | null> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => socket.destroy());
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') resolve(null);
      else reject(err);
    });
    server.listen({ path: name, exclusive: true }, () => {
      server.unref(); // the lock must not keep the process alive
      resolve(server);
    });
  });
}

/** How often a waiting process tries the folder again. */
const WAIT_POLL_MS = 1000;
/** A holder writes its name right after taking the lock and removes it right before letting go. */
const HOLDER_RETRIES = 10;
const HOLDER_RETRY_MS = 20;

/** The folder's lock; with `wait`, a folder in use is tried again every second until its holder ends. */
export async function lockFolder(folder: string, wait = false): Promise<FolderLock> {
  for (;;) {
    try {
      return await tryLockFolder(folder);
    } catch (err) {
      if (!wait || !(err instanceof DatabaseUnavailable)) throw err;
      await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
    }
  }
}

async function tryLockFolder(folder: string): Promise<FolderLock> {
  fs.mkdirSync(folder, { recursive: true });
  const real = fs.realpathSync(folder);
  if (process.platform === 'linux') {
    const name = `\0zq-lock-${createHash('sha256').update(real).digest('hex').slice(0, 32)}`;
    let server = await listenAbstract(name);
    // A holder that has not written its name yet, or has removed it and is letting go: look again for a moment,
    // so that the refusal names the process (or the lock is ours once it is gone)
    for (let i = 0; !server && i < HOLDER_RETRIES && !fs.existsSync(path.join(real, LOCK_INFO_FILE)); i++) {
      await new Promise((resolve) => setTimeout(resolve, HOLDER_RETRY_MS));
      server = await listenAbstract(name);
    }
    if (!server) throw busy(folder);
    writeHolder(real, 'w');
    return {
      release: () =>
        new Promise<void>((resolve) => {
          fs.rmSync(path.join(real, LOCK_INFO_FILE), { force: true });
          server.close(() => resolve());
        }),
    };
  }
  // Fallback: the info file itself is the lock (a crashed holder leaves it; the message says where it is).
  try {
    writeHolder(real, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw busy(folder);
    throw err;
  }
  return {
    release: async () => fs.rmSync(path.join(real, LOCK_INFO_FILE), { force: true }),
  };
}

/**
 * A second lock on a folder, for one purpose (`batch`): while `zq serve` holds the folder and shares it, the
 * commands that reach it through the server take turns by this one (Linux; elsewhere the server does not share).
 * With `wait`, tried again every second; without, null when another process holds it.
 */
export async function lockPurpose(folder: string, purpose: string, wait: boolean): Promise<FolderLock | null> {
  const real = fs.realpathSync(folder);
  const name = `\0zq-${purpose}-${createHash('sha256').update(real).digest('hex').slice(0, 32)}`;
  for (;;) {
    const server = await listenAbstract(name);
    if (server) return { release: () => new Promise<void>((resolve) => server.close(() => resolve())) };
    if (!wait) return null;
    await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
  }
}
