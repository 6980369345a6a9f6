// zq archive add|list|get|remove — the archive (档案管理): files attached to a contract, a customer, a machine or a
// document, under the owner's data scope. Flags → the archive actions (src/archive/archive-actions.ts) → print.
import type { Command } from 'commander';
import { attachmentKindName, ownerKindName } from '../core/labels.js';
import { table } from '../core/table.js';
import { act } from './context.js';

interface OwnerOptions {
  contract?: string;
  dealer?: string;
  customer?: string;
  machine?: string;
  document?: string;
}

const FLAGS = { id: 'ID', FILE: 'FILE' } as const;
const KINDS = 'contract_scan, id_copy, photo, towing_receipt, contact_record, other';

function ownerOptions(cmd: Command): Command {
  return cmd
    .option('--contract <no>', 'a contract, by number')
    .option('--dealer <code>', 'the dealer, where the contract number or machine serial exists at more than one')
    .option('--customer <id>', 'a customer, by id')
    .option('--machine <serial>', 'a machine, by serial number')
    .option('--document <id>', 'a document (receipt, waiver, …), by id');
}

const owner = (o: OwnerOptions) => ({
  contract: o.contract,
  dealer: o.dealer,
  customer: o.customer,
  machine: o.machine,
  document: o.document,
});

function size(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

export function register(program: Command): void {
  const archive = program
    .command('archive')
    .description('the archive (档案管理): files attached to contracts, customers, machines, documents');

  ownerOptions(
    archive.command('add <file>').description('attach a PDF, JPEG, PNG or XLSX file of at most 20 MB (type checked from its bytes)'),
  )
    .option('--kind <kind>', `what the file is: ${KINDS}`, 'other')
    .action((file: string, opts: OwnerOptions & { kind: string }, cmd: Command) =>
      act(
        cmd,
        'archive.add',
        { ...owner(opts), file, kind: opts.kind },
        (a) =>
          `attachment ${a.id}: ${a.fileName} (${a.mime}, ${a.size} bytes, sha256 ${a.sha256.slice(0, 12)}…) attached to ${a.ownerKind} ${a.owner}${a.blob === 'existing' ? ' (same bytes already stored: kept once)' : ''}`,
        FLAGS,
      ),
    );

  ownerOptions(archive.command('list').description('the files attached to one owner (removed ones with --all)'))
    .option('--all', 'include removed files, with who removed them and why')
    .option('--related', 'for a contract: also its customer’s, machines’, documents’ and contact logs’ files')
    .action((opts: OwnerOptions & { all?: boolean; related?: boolean }, cmd: Command) =>
      act(cmd, 'archive.list', { ...owner(opts), all: opts.all === true, related: opts.related === true }, (rows) =>
        [
          table(rows, [
            { header: 'ID', value: (r) => r.id, align: 'right' },
            { header: '归属', value: (r) => `${ownerKindName(r.ownerKind)} ${r.owner}` },
            { header: '文件名', value: (r) => r.fileName },
            { header: '类别', value: (r) => attachmentKindName(r.kind) },
            { header: '大小', value: (r) => size(r.size), align: 'right' },
            { header: '上传人', value: (r) => r.addedBy },
            { header: '上传时间', value: (r) => r.addedAt },
            { header: '状态', value: (r) => (r.removed ? `已删除（${r.removedBy} ${r.removedAt}：${r.removalReason}）` : '') },
          ]),
          `${rows.length} file(s)`,
        ].join('\n'),
      ),
    );

  archive
    .command('get <id>')
    .description('write an attached file to --out (verified against its SHA-256)')
    .requiredOption('--out <file>', 'the file to write; an existing one only with --force')
    .option('--force', 'replace the file if it exists')
    .action((id: string, opts: { out: string; force?: boolean }, cmd: Command) =>
      act(
        cmd,
        'archive.get',
        { id, out: opts.out, force: opts.force === true },
        (g) => `attachment ${g.attachment.id} ${g.attachment.fileName} (${g.attachment.size} bytes, sha256 verified) written to ${g.file}`,
        FLAGS,
        (g) => JSON.stringify({ ...g.attachment, file: g.file }, null, 2),
      ),
    );

  archive
    .command('remove <id>')
    .description('remove an attached file: recorded with you and the reason; the bytes stay')
    .requiredOption('--reason <text>', 'why it is removed')
    .action((id: string, opts: { reason: string }, cmd: Command) =>
      act(
        cmd,
        'archive.remove',
        { id, reason: opts.reason },
        (a) => `attachment ${a.id} ${a.fileName} removed by ${a.removedBy} at ${a.removedAt}: ${a.removalReason}`,
        FLAGS,
      ),
    );
}
