// Sharing the embedded database while `zq serve` holds its folder (issue 20): the server keeps the folder's lock
// and serves its one PGlite over a Unix socket (PostgreSQL's wire protocol, @electric-sql/pglite-socket's
// handler); a `zq` command that finds the folder held by a live server connects through the socket with the
// ordinary 'pg' client, and so does the server's own web app.
//
// PGlite is one PostgreSQL session, so the clients must take turns by whole transactions, not by message: the
// package's own multiplexer hands the session over whenever PGlite is not in an explicit transaction, which lets
// another client's message in between the Parse and the Sync of an extended-protocol query. Here a client keeps
// the session from its first message until PGlite answers ReadyForQuery "idle" — the end of a query outside a
// transaction, or of the COMMIT/ROLLBACK — and the others wait. A client that goes away mid-transaction has it
// rolled back.
//
// The socket's place is written into the folder (zq.socket) beside the lock's holder (zq.lock); a client trusts
// it only while the lock is held by the process the file names, so a file left by a dead server is ignored.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketHandler } from '@electric-sql/pglite-socket';
import { LOCK_INFO_FILE } from './lock.js';

export const SHARE_INFO_FILE = 'zq.socket';
/** pg connects to a Unix socket named `.s.PGSQL.<port>` in the directory given as its host. */
const SOCKET_PORT = 5432;

export interface ShareInfo {
  pid: number;
  /** the directory holding `.s.PGSQL.<port>` */
  dir: string;
  port: number;
}

interface Item {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (err: unknown) => void;
}

const READY_IDLE = [0x5a, 0, 0, 0, 5, 0x49]; // ReadyForQuery, length 5, status 'I'
const SYNC = new Uint8Array([0x53, 0, 0, 0, 4]);
const TERMINATE = 0x58;

function simpleQuery(sql: string): Uint8Array {
  const body = Buffer.from(`${sql}\0`, 'utf8');
  const head = Buffer.alloc(5);
  head.writeUInt8(0x51, 0);
  head.writeInt32BE(body.length + 4, 1);
  return new Uint8Array(Buffer.concat([head, body]));
}

/**
 * The session's turns: the client that sent the first message keeps the session until PGlite is idle again.
 * It stands in for pglite-socket's QueryQueueManager (the same three methods its handler calls).
 */
export class SessionTurns {
  private items: Item[] = [];
  private owner: number | null = null;
  private running = false;
  /** the last 6 bytes PGlite sent: ReadyForQuery is the last message of every answer */
  private tail: number[] = [];

  constructor(private readonly pglite: PGlite) {}

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.items.push({ handlerId, message, onData, resolve, reject });
      void this.pump();
    });
  }

  private async exec(message: Uint8Array, onData: (data: Uint8Array) => void = () => {}): Promise<number> {
    let bytes = 0;
    this.tail = [];
    await this.pglite.runExclusive(() =>
      this.pglite.execProtocolRawStream(message, {
        onRawData: (data) => {
          bytes += data.length;
          this.tail = [...this.tail, ...data.subarray(Math.max(0, data.length - 6))].slice(-6);
          onData(data);
        },
      }),
    );
    return bytes;
  }

  private idle(): boolean {
    return this.tail.length === 6 && this.tail.every((b, i) => b === READY_IDLE[i]);
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (;;) {
        const i = this.owner === null ? (this.items.length > 0 ? 0 : -1) : this.items.findIndex((x) => x.handlerId === this.owner);
        if (i < 0) break;
        const [item] = this.items.splice(i, 1) as [Item];
        if (item.message[0] === TERMINATE && item.message.length === 5) {
          item.resolve(0); // the client says goodbye; the session is not its to end
          continue;
        }
        this.owner = item.handlerId;
        try {
          item.resolve(await this.exec(item.message, item.onData));
        } catch (err) {
          item.reject(err);
        }
        if (this.idle()) this.owner = null;
      }
    } finally {
      this.running = false;
    }
  }

  clearQueueForHandler(handlerId: number): void {
    const mine = this.items.filter((x) => x.handlerId === handlerId);
    this.items = this.items.filter((x) => x.handlerId !== handlerId);
    for (const item of mine) item.reject(new Error('client disconnected'));
  }

  /** A client gone while it held the session: end its extended query, roll back its transaction, pass the turn. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.owner !== handlerId) return;
    try {
      await this.exec(SYNC);
      if (!this.idle()) await this.exec(simpleQuery('ROLLBACK'));
    } finally {
      this.owner = null;
      void this.pump();
    }
  }
}

export interface Share {
  info: ShareInfo;
  stop(): Promise<void>;
}

/** Where the socket goes: in the folder when its path is short enough for a Unix socket, else a private temp dir. */
function socketDir(folder: string): { dir: string; temporary: boolean } {
  const inFolder = path.join(folder, `.s.PGSQL.${SOCKET_PORT}`);
  if (Buffer.byteLength(inFolder) < 100) return { dir: folder, temporary: false };
  return { dir: fs.mkdtempSync(path.join(os.tmpdir(), 'zq-share-')), temporary: true };
}

/** Serves the open PGlite of `folder` (whose lock this process holds) to other processes and to our own app. */
export async function shareDatabase(pglite: PGlite, folder: string): Promise<Share> {
  const real = fs.realpathSync(folder);
  const { dir, temporary } = socketDir(real);
  const socketPath = path.join(dir, `.s.PGSQL.${SOCKET_PORT}`);
  fs.rmSync(socketPath, { force: true }); // left by a server that died: we hold the lock, so it is not in use
  const turns = new SessionTurns(pglite);
  const handlers = new Set<PGLiteSocketHandler>();
  const server = net.createServer((socket) => {
    const handler = new PGLiteSocketHandler({ queryQueue: turns as never, closeOnDetach: true });
    handlers.add(handler);
    handler.addEventListener('close', () => handlers.delete(handler));
    handler.addEventListener('error', () => handlers.delete(handler));
    handler.attach(socket).catch(() => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  fs.chmodSync(socketPath, 0o600);
  const info: ShareInfo = { pid: process.pid, dir, port: SOCKET_PORT };
  fs.writeFileSync(path.join(real, SHARE_INFO_FILE), `${JSON.stringify(info)}\n`);
  return {
    info,
    stop: async () => {
      fs.rmSync(path.join(real, SHARE_INFO_FILE), { force: true });
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const handler of handlers) void handler.detach(true);
      });
      fs.rmSync(socketPath, { force: true });
      if (temporary) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The share of a folder whose lock another process holds, if that process is a live server sharing it: the share
 * file names the same process as the lock's holder, that process is alive, and the socket is there.
 */
export function findShare(folder: string): ShareInfo | null {
  const share = readJson<ShareInfo>(path.join(folder, SHARE_INFO_FILE));
  const holder = readJson<{ pid: number }>(path.join(folder, LOCK_INFO_FILE));
  if (!share || !holder || share.pid !== holder.pid || share.pid === process.pid || !alive(share.pid)) return null;
  if (!fs.existsSync(path.join(share.dir, `.s.PGSQL.${share.port}`))) return null;
  return share;
}
