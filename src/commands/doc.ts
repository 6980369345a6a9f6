import type { Command } from 'commander';
import { table } from '../core/table.js';
import type { DocumentRow } from '../documents/index.js';
import { act } from './context.js';

// ids are arguments; a missing filter is named as the core names it
const ID = { id: 'ID', ids: 'ID', filter: 'filter' } as const;

function renderDocuments(rows: DocumentRow[]): string {
  return table(rows, [
    { header: 'ID', value: (r) => r.id, align: 'right' },
    { header: 'type', value: (r) => r.type },
    { header: 'number', value: (r) => r.number },
    { header: 'status', value: (r) => r.status },
    { header: 'dealer', value: (r) => r.dealer },
    { header: 'contract', value: (r) => r.contractNo },
    { header: 'value date', value: (r) => r.valueDate },
    { header: 'amount', value: (r) => r.amount, align: 'right' },
    { header: 'author', value: (r) => r.author },
    { header: 'locked', value: (r) => (r.locked ? `by ${r.lockedBy}` : '') },
  ]);
}

export function register(program: Command): void {
  const doc = program.command('doc').description('documents (单据) in your data scope, and finance review (财务审核): lock and unlock');
  const withFilter = (c: Command) =>
    c
      .option('--type <type>', 'document type, e.g. receipt')
      .option('--dealer <code>', 'dealer code')
      .option('--from <date>', 'value date from (YYYY-MM-DD)')
      .option('--to <date>', 'value date up to and including');

  withFilter(doc.command('list').description('documents in your data scope'))
    .option('--status <status>', 'draft, registered, submitted, approved, rejected, withdrawn, confirmed, reversed, completed')
    .option('--locked', 'only locked documents')
    .action((opts, cmd: Command) =>
      act(
        cmd,
        'doc.list',
        { type: opts.type, dealer: opts.dealer, status: opts.status, from: opts.from, to: opts.to, reviewLocked: opts.locked },
        (rows) => `${renderDocuments(rows)}\n${rows.length} document(s)`,
        { reviewLocked: '--locked' },
      ),
    );
  doc
    .command('show <id>')
    .description('one document')
    .action((id: string, _opts, cmd: Command) =>
      act(cmd, 'doc.show', { id }, (row) => `${renderDocuments([row])}\ndata: ${JSON.stringify(row.data)}`, ID),
    );
  for (const verb of ['lock', 'unlock'] as const) {
    withFilter(
      doc
        .command(`${verb} [ids...]`)
        .description(
          verb === 'lock'
            ? 'finance review: lock documents (approved, confirmed, completed, reversed) by id or by filter; a locked document cannot be changed, withdrawn or reversed'
            : 'finance review: unlock documents by id or by filter',
        ),
    ).action((ids: string[], opts, cmd: Command) =>
      act(
        cmd,
        verb === 'lock' ? 'doc.lock' : 'doc.unlock',
        { ids, type: opts.type, dealer: opts.dealer, from: opts.from, to: opts.to },
        (result) =>
          `${result.documents.length} document(s) ${verb}ed${result.documents.length > 0 ? `: ${result.documents.map((d) => `${d.id} ${d.number}`).join(', ')}` : ''}`,
        ID,
      ),
    );
  }
}
