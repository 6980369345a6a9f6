import type { Command } from 'commander';
import { table } from '../core/table.js';
import { emit, withContext } from './context.js';

export function register(program: Command): void {
  const audit = program.command('audit').description('the audit trail: who changed what, when (append-only)');
  audit
    .command('log')
    .description('audit rows in your data scope, oldest first (the latest --limit rows)')
    .option('--doc <id>', 'only rows about this document')
    .option('--user <username>', 'only rows this user caused')
    .option('--from <date>', 'from this date (YYYY-MM-DD, Asia/Shanghai)')
    .option('--to <date>', 'up to and including this date')
    .option('--limit <n>', 'at most this many rows (default 1000)')
    .action(async (opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { parseDate } = await import('../core/dates.js');
        const { BadInput } = await import('../core/errors.js');
        const { listAudit } = await import('../audit/log.js');
        const documentId = opts.doc === undefined ? undefined : Number(opts.doc);
        if (documentId !== undefined && !Number.isInteger(documentId)) throw new BadInput('--doc', opts.doc, 'a document id');
        const rows = await listAudit(ctx.knex, ctx.actor, {
          documentId,
          user: opts.user,
          from: opts.from === undefined ? undefined : parseDate(opts.from, '--from'),
          to: opts.to === undefined ? undefined : parseDate(opts.to, '--to'),
          limit: opts.limit === undefined ? undefined : Number(opts.limit),
        });
        emit(
          ctx,
          rows,
          () =>
            `${table(rows, [
              { header: 'at', value: (r) => r.at },
              { header: 'actor', value: (r) => r.actor },
              { header: 'action', value: (r) => r.action },
              { header: 'entity', value: (r) => `${r.entity}${r.entityId === null ? '' : ` ${r.entityId}`}` },
              { header: 'dealer', value: (r) => r.dealer },
              { header: 'doc', value: (r) => r.documentId },
              { header: 'details', value: (r) => JSON.stringify(r.details) },
            ])}\n${rows.length} row(s)`,
        );
      });
    });
}
