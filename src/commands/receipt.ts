import type { Command } from 'commander';
import { documentStatusName, postingKindName, receivableTypeName } from '../core/labels.js';
import { table } from '../core/table.js';
import type { DocumentRow } from '../documents/index.js';
import { act } from './context.js';

/** decimal.js loads only when a table is printed, not for `zq --help`. */
const money = () => import('../core/money.js');

function receiptLine(d: DocumentRow): string {
  return `receipt ${d.id} ${d.number} ${d.status}: ${d.dealer}/${d.contractNo} ${d.amount} value date ${d.valueDate}`;
}

const CONTRACT = { contractNo: '--contract', id: 'ID' } as const;

export function register(program: Command): void {
  const receipt = program.command('receipt').description('receipts (收款): register → confirm (allocate) → reverse or adjust');
  registerReceiptCommand(receipt);
  confirmCommand(receipt);
  allocateCommand(receipt);
  reverseCommand(receipt);
  adjustCommand(receipt);
  withdrawCommand(receipt);
  listCommand(receipt);
  showCommand(receipt);
  printCommand(receipt);
}

function registerReceiptCommand(receipt: Command): void {
  receipt
    .command('register')
    .description('register a receipt (收款登记) with its value date; finance confirms it later')
    .requiredOption('--contract <no>', 'contract number')
    .option('--dealer <code>', 'the dealer, where the number exists at more than one')
    .requiredOption('--amount <amount>', 'amount received')
    .requiredOption('--value-date <date>', 'value date (起息日) YYYY-MM-DD')
    .option('--method <method>', 'payment method, e.g. transfer, cash')
    .option('--account <account>', 'the account the money landed in')
    .option('--payer <name>', 'who paid')
    .option('--reference <ref>', 'bank reference')
    .action((opts, cmd: Command) =>
      act(
        cmd,
        'receipt.register',
        { ...opts, contractNo: opts.contract },
        (doc) => `${receiptLine(doc)}\nconfirm it with: zq receipt confirm ${doc.id}`,
        CONTRACT,
      ),
    );
}

function confirmCommand(receipt: Command): void {
  receipt
    .command('confirm <id>')
    .description('confirm a registered receipt (收款确认) and allocate it (dealer strategy, or its manual split)')
    .action((id: string, _opts, cmd: Command) =>
      act(
        cmd,
        'receipt.confirm',
        { id },
        (doc) => `${receiptLine(doc)}${doc.data.recovery ? ' (recovery of a written-off contract)' : ''}`,
        CONTRACT,
      ),
    );
}

function allocateCommand(receipt: Command): void {
  receipt
    .command('allocate <id>')
    .description('allocate a receipt manually instead of by the strategy; the rest becomes credit (预收)')
    .requiredOption('--to <parts>', 'SEQ:TYPE=AMOUNT,… (a line’s amount) or SEQ:TYPE:penalty=AMOUNT (its penalty)')
    .action((id: string, opts, cmd: Command) =>
      act(
        cmd,
        'receipt.allocate',
        { id, split: opts.to },
        (r) => `${receiptLine(r.receipt)}: manual allocation stored (${r.posted} posted, ${r.reversed} reversed)`,
        { ...CONTRACT, split: '--to' },
      ),
    );
}

function reverseCommand(receipt: Command): void {
  receipt
    .command('reverse <id>')
    .description('reverse a confirmed receipt by a linked reversal document; the contract is re-allocated')
    .requiredOption('--reason <text>', 'why it is reversed')
    .action((id: string, opts, cmd: Command) =>
      act(
        cmd,
        'receipt.reverse',
        { id, reason: opts.reason },
        (r) => `${receiptLine(r.receipt)} by ${r.reversal.number} (document ${r.reversal.id})`,
        CONTRACT,
      ),
    );
}

function adjustCommand(receipt: Command): void {
  receipt
    .command('adjust <id>')
    .description('收款调整: reverse a confirmed receipt and record the corrected one, linked')
    .requiredOption('--reason <text>', 'why it is adjusted')
    .option('--amount <amount>', 'the corrected amount')
    .option('--value-date <date>', 'the corrected value date')
    .option('--method <method>', 'the corrected method')
    .option('--account <account>', 'the corrected account')
    .option('--payer <name>', 'the corrected payer')
    .option('--reference <ref>', 'the corrected reference')
    .action((id: string, opts, cmd: Command) =>
      act(
        cmd,
        'receipt.adjust',
        { ...opts, id },
        (r) => `${receiptLine(r.original)} by ${r.reversal.number}; corrected: ${receiptLine(r.corrected)}`,
        CONTRACT,
      ),
    );
}

function withdrawCommand(receipt: Command): void {
  receipt
    .command('withdraw <id>')
    .description('withdraw a registered receipt (only before confirmation)')
    .action((id: string, _opts, cmd: Command) => act(cmd, 'receipt.withdraw', { id }, receiptLine, CONTRACT));
}

function listCommand(receipt: Command): void {
  receipt
    .command('list')
    .description('receipts in your data scope')
    .option('--contract <no>', 'only this contract')
    .option('--dealer <code>', 'only this dealer')
    .option('--status <status>', 'registered, confirmed, reversed, withdrawn')
    .option('--from <date>', 'value date from')
    .option('--to <date>', 'value date to')
    .action(async (opts, cmd: Command) => {
      const { formatMoneyGrouped } = await money();
      return act(
        cmd,
        'receipt.list',
        opts,
        (rows) =>
          `${table(rows, [
            { header: 'ID', value: (r) => r.id, align: 'right' },
            { header: '单号', value: (r) => r.number },
            { header: '状态', value: (r) => `${documentStatusName(r.status)}${r.locked ? '（已审核锁定）' : ''}` },
            { header: '经销商', value: (r) => r.dealer },
            { header: '合同编号', value: (r) => r.contractNo },
            { header: '收款日期', value: (r) => r.valueDate },
            { header: '金额', value: (r) => (r.amount === null ? '' : formatMoneyGrouped(r.amount)), align: 'right' },
            { header: '登记人', value: (r) => r.author },
          ])}\n${rows.length} receipt(s)`,
      );
    });
}

function showCommand(receipt: Command): void {
  receipt
    .command('show <id>')
    .description('a receipt with its allocation and links')
    .action(async (id: string, _opts, cmd: Command) => {
      const { formatMoneyGrouped } = await money();
      return act(
        cmd,
        'receipt.show',
        { id },
        (shown) =>
          [
            receiptLine(shown),
            `method ${shown.data.method ?? '—'}  account ${shown.data.account ?? '—'}  payer ${shown.data.payer ?? '—'}  reference ${shown.data.reference ?? '—'}`,
            table(shown.allocations, [
              { header: '期次', value: (a) => a.seq ?? '' },
              { header: '款项', value: (a) => receivableTypeName(a.type) },
              { header: '类别', value: (a) => postingKindName(a.kind) },
              { header: '起息日', value: (a) => a.valueDate },
              { header: '金额', value: (a) => formatMoneyGrouped(a.amount), align: 'right' },
            ]),
            shown.reversal ? `reversed by ${shown.reversal.number} (document ${shown.reversal.id}): ${shown.reversal.reason ?? ''}` : '',
            shown.correctedBy ? `corrected by receipt ${shown.correctedBy.number} (document ${shown.correctedBy.id})` : '',
          ]
            .filter(Boolean)
            .join('\n'),
        CONTRACT,
      );
    });
}

function printCommand(receipt: Command): void {
  receipt
    .command('print <id>')
    .description('print the voucher (收据) of a confirmed receipt to PDF; a reprint says 补打 and its count')
    .option('--out <file.pdf>', 'the PDF to write (default: receipt-NUMBER.pdf here, receipt-NUMBER-copyN.pdf for a reprint)')
    .option('--force', 'replace the file if it exists')
    .action((id: string, opts: { out?: string; force?: boolean }, cmd: Command) =>
      act(
        cmd,
        'receipt.print',
        { id, out: opts.out, force: opts.force },
        (p) =>
          `receipt ${p.number} voucher${p.reprint ? ` (补打, copy ${p.copy})` : ''}${p.voided ? ' (作废: reversed)' : ''} written to ${p.file}`,
        { id: 'ID', out: '--out' },
      ),
    );
}
