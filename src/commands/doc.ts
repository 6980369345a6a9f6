import type { Command } from 'commander';
import { table } from '../core/table.js';
import type { DocumentFilter, DocumentRow } from '../documents/index.js';
import { emit, withContext } from './context.js';

interface FilterFlags {
  type?: string;
  dealer?: string;
  status?: string;
  from?: string;
  to?: string;
}

async function filterFrom(opts: FilterFlags): Promise<DocumentFilter> {
  const { parseDate } = await import('../core/dates.js');
  return {
    type: opts.type,
    dealer: opts.dealer,
    status: opts.status,
    from: opts.from === undefined ? undefined : parseDate(opts.from, '--from'),
    to: opts.to === undefined ? undefined : parseDate(opts.to, '--to'),
  };
}

async function parseIds(ids: string[]): Promise<number[]> {
  const { BadInput } = await import('../core/errors.js');
  return ids.map((text) => {
    if (!/^[1-9]\d{0,15}$/.test(text)) throw new BadInput('ID', text, 'a document id (see zq doc list)');
    return Number(text);
  });
}

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
    .action(async (opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { listDocuments } = await import('../documents/index.js');
        const rows = await listDocuments(ctx.knex, ctx.actor, { ...(await filterFrom(opts)), locked: opts.locked ? true : undefined });
        emit(ctx, rows, () => `${renderDocuments(rows)}\n${rows.length} document(s)`);
      });
    });
  doc
    .command('show <id>')
    .description('one document')
    .action(async (id: string, _opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { findDocument } = await import('../documents/index.js');
        const [docId] = await parseIds([id]);
        const row = await findDocument(ctx.knex, ctx.actor, docId as number);
        emit(ctx, row, () => `${renderDocuments([row])}\ndata: ${JSON.stringify(row.data)}`);
      });
    });
  for (const verb of ['lock', 'unlock'] as const) {
    withFilter(
      doc
        .command(`${verb} [ids...]`)
        .description(
          verb === 'lock'
            ? 'finance review: lock documents (approved, confirmed, completed, reversed) by id or by filter; a locked document cannot be changed, withdrawn or reversed'
            : 'finance review: unlock documents by id or by filter',
        ),
    ).action(async (ids: string[], opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { BadInput } = await import('../core/errors.js');
        const { setLocked } = await import('../documents/index.js');
        const filter = await filterFrom(opts);
        const byFilter = Boolean(filter.type || filter.dealer || filter.from || filter.to);
        if (ids.length > 0 && byFilter) throw new BadInput('ID', ids.join(' '), 'document ids or a filter, not both');
        const target = ids.length > 0 ? { ids: await parseIds(ids) } : { filter };
        const result = await ctx.knex.transaction((tx) => setLocked(tx, ctx.actor, target, verb === 'lock'));
        emit(
          ctx,
          result,
          () =>
            `${result.documents.length} document(s) ${verb}ed${result.documents.length > 0 ? `: ${result.documents.map((d) => `${d.id} ${d.number}`).join(', ')}` : ''}`,
        );
      });
    });
  }
}
