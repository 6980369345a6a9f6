// `zq serve`: the web viewer for managers (src/web), on PostgreSQL or on the embedded database. On the embedded
// database the server holds the folder and shares it over a local socket, so every other `zq` command keeps
// working beside it (src/db/share.ts). SIGTERM or SIGINT stops it gracefully: no new connections, the requests
// in flight finish, the database closes and the folder is let go. One line on stderr when it starts and stops.
import type { Command } from 'commander';
import { BadInput } from '../core/errors.js';
import { globalOptions } from './context.js';

/** Requests still running this long after the signal are cut off. */
const STOP_GRACE_MS = 10_000;

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) throw new BadInput('--port', text, 'a port number from 1 to 65535');
  return port;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('start the web viewer (login, dashboard, contracts, approvals); stops on SIGTERM/SIGINT')
    .option('--port <n>', 'the TCP port to listen on', '8080')
    .option('--host <addr>', 'the address to listen on (0.0.0.0 for every interface; put HTTPS in front)', '127.0.0.1')
    .option('--secure-cookies', 'mark the session cookie Secure (the server is reached over HTTPS through a proxy)')
    .action(async (opts: { port: string; host: string; secureCookies?: boolean }, cmd: Command) => {
      const port = parsePort(opts.port);
      const options = globalOptions(cmd);
      const { openDatabase, resolveDbConfig, SERVE_POOL_MAX, serveEmbedded } = await import('../db/index.js');
      const config = resolveDbConfig({ dataDir: options.dataDir, databaseUrl: options.databaseUrl });
      const db = config.databaseUrl
        ? await openDatabase(config, { poolMax: SERVE_POOL_MAX })
        : await serveEmbedded(config.dataDir as string);
      const { createApp } = await import('../web/app.js');
      const { serve } = await import('@hono/node-server');
      const app = createApp(db, { secureCookies: opts.secureCookies === true });
      const log = (line: string) => process.stderr.write(`zq serve: ${line}\n`);
      await new Promise<void>((resolve, reject) => {
        const server = serve({ fetch: app.fetch, port, hostname: opts.host }, (info) => {
          log(
            `listening on http://${opts.host}:${info.port} (database ${db.location}, ${db.sharedFolder ? 'embedded, shared with other zq commands' : db.kind}), pid ${process.pid}`,
          );
        });
        server.once('error', async (err) => {
          await db.close();
          reject(err);
        });
        let stopping = false;
        const stop = (signal: string) => {
          if (stopping) return;
          stopping = true;
          const cutOff = setTimeout(() => (server as unknown as { closeAllConnections(): void }).closeAllConnections(), STOP_GRACE_MS);
          server.close(async () => {
            clearTimeout(cutOff);
            await db.close();
            log(`stopped on ${signal}, database closed`);
            resolve();
          });
          (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
    });
}
