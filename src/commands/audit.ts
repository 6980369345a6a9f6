import type { Command } from 'commander';
import { BUSINESS_TIME_ZONE } from '../core/dates.js';
import { table } from '../core/table.js';
import { act } from './context.js';

export function register(program: Command): void {
  const audit = program.command('audit').description('the audit trail: who changed what, when (append-only)');
  audit
    .command('log')
    .description('audit rows in your data scope, oldest first (the latest --limit rows)')
    .option('--doc <id>', 'only rows about this document')
    .option('--user <username>', 'only rows this user caused')
    .option('--from <date>', `from this date (YYYY-MM-DD, ${BUSINESS_TIME_ZONE})`)
    .option('--to <date>', 'up to and including this date')
    .option('--limit <n>', 'at most this many rows (default 1000)')
    .action((opts, cmd: Command) =>
      act(
        cmd,
        'audit.log',
        { documentId: opts.doc, user: opts.user, from: opts.from, to: opts.to, limit: opts.limit },
        (rows) =>
          `${table(rows, [
            { header: 'at', value: (r) => r.at },
            { header: 'actor', value: (r) => r.actor },
            { header: 'action', value: (r) => r.action },
            { header: 'entity', value: (r) => `${r.entity}${r.entityId === null ? '' : ` ${r.entityId}`}` },
            { header: 'dealer', value: (r) => r.dealer },
            { header: 'doc', value: (r) => r.documentId },
            { header: 'details', value: (r) => JSON.stringify(r.details) },
          ])}\n${rows.length} row(s)`,
        { documentId: '--doc' },
      ),
    );
}
