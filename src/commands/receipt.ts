import type { Command } from 'commander';
import { table } from '../core/table.js';
import type { DocumentRow } from '../documents/index.js';
import { emit, withContext } from './context.js';

function receiptLine(d: DocumentRow): string {
  return `receipt ${d.id} ${d.number} ${d.status}: ${d.dealer}/${d.contractNo} ${d.amount} value date ${d.valueDate}`;
}

async function idOf(text: string): Promise<number> {
  const { BadInput } = await import('../core/errors.js');
  const id = Number(text);
  if (!Number.isInteger(id) || id <= 0) throw new BadInput('ID', text, 'a receipt id (zq receipt list)');
  return id;
}

export function register(program: Command): void {
  const receipt = program.command('receipt').description('receipts (收款): register → confirm (allocate) → reverse or adjust');
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
    .action(async (opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { parseDate } = await import('../core/dates.js');
        const { parseMoney } = await import('../core/money.js');
        const { findContract } = await import('../receivables/contracts.js');
        const { registerReceipt } = await import('../receivables/receipts.js');
        const amount = parseMoney(opts.amount, '--amount');
        const valueDate = parseDate(opts.valueDate, '--value-date');
        const doc = await ctx.knex.transaction(async (tx) => {
          const ref = await findContract(tx, opts.contract, opts.dealer, ctx.actor);
          return registerReceipt(tx, ctx.actor, {
            contract: ref,
            amount,
            valueDate,
            method: opts.method,
            account: opts.account,
            payer: opts.payer,
            reference: opts.reference,
          });
        });
        emit(ctx, doc, () => `${receiptLine(doc)}\nconfirm it with: zq receipt confirm ${doc.id}`);
      });
    });
  receipt
    .command('confirm <id>')
    .description('confirm a registered receipt (收款确认) and allocate it (dealer strategy, or its manual split)')
    .action(async (idText: string, _opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const id = await idOf(idText);
        const { findDocument } = await import('../documents/index.js');
        const { confirmReceipt } = await import('../receivables/receipts.js');
        const result = await ctx.knex.transaction(async (tx) => {
          await findDocument(tx, ctx.actor, id);
          await confirmReceipt(tx, ctx.actor, id);
          return findDocument(tx, ctx.actor, id);
        });
        emit(ctx, result, () => `${receiptLine(result)}${result.data.recovery ? ' (recovery of a written-off contract)' : ''}`);
      });
    });
  receipt
    .command('allocate <id>')
    .description('allocate a receipt manually instead of by the strategy; the rest becomes credit (预收)')
    .requiredOption('--to <parts>', 'SEQ:TYPE=AMOUNT,… (a line’s amount) or SEQ:TYPE:penalty=AMOUNT (its penalty)')
    .action(async (idText: string, opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const id = await idOf(idText);
        const { findDocument } = await import('../documents/index.js');
        const { allocateReceiptManually, parseManualSplit } = await import('../receivables/receipts.js');
        const parts = parseManualSplit(opts.to);
        const result = await ctx.knex.transaction(async (tx) => {
          await findDocument(tx, ctx.actor, id);
          return allocateReceiptManually(tx, ctx.actor, id, parts);
        });
        emit(
          ctx,
          result.receipt,
          () => `${receiptLine(result.receipt)}: manual allocation stored (${result.posted} posted, ${result.reversed} reversed)`,
        );
      });
    });
  receipt
    .command('reverse <id>')
    .description('reverse a confirmed receipt by a linked reversal document; the contract is re-allocated')
    .requiredOption('--reason <text>', 'why it is reversed')
    .action(async (idText: string, opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const id = await idOf(idText);
        const { findDocument } = await import('../documents/index.js');
        const { reverseReceipt } = await import('../receivables/receipts.js');
        const result = await ctx.knex.transaction(async (tx) => {
          await findDocument(tx, ctx.actor, id);
          return reverseReceipt(tx, ctx.actor, id, opts.reason);
        });
        emit(ctx, result, () => `${receiptLine(result.receipt)} by ${result.reversal.number} (document ${result.reversal.id})`);
      });
    });
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
    .action(async (idText: string, opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const id = await idOf(idText);
        const { parseDate } = await import('../core/dates.js');
        const { parseMoney } = await import('../core/money.js');
        const { findDocument } = await import('../documents/index.js');
        const { adjustReceipt } = await import('../receivables/receipts.js');
        const changes = {
          amount: opts.amount === undefined ? undefined : parseMoney(opts.amount, '--amount'),
          valueDate: opts.valueDate === undefined ? undefined : parseDate(opts.valueDate, '--value-date'),
          method: opts.method,
          account: opts.account,
          payer: opts.payer,
          reference: opts.reference,
        };
        const result = await ctx.knex.transaction(async (tx) => {
          await findDocument(tx, ctx.actor, id);
          return adjustReceipt(tx, ctx.actor, id, changes, opts.reason);
        });
        emit(
          ctx,
          result,
          () => `${receiptLine(result.original)} by ${result.reversal.number}; corrected: ${receiptLine(result.corrected)}`,
        );
      });
    });
  receipt
    .command('withdraw <id>')
    .description('withdraw a registered receipt (only before confirmation)')
    .action(async (idText: string, _opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const id = await idOf(idText);
        const { findDocument } = await import('../documents/index.js');
        const { withdrawReceipt } = await import('../receivables/receipts.js');
        const doc = await ctx.knex.transaction(async (tx) => {
          await findDocument(tx, ctx.actor, id);
          return withdrawReceipt(tx, ctx.actor, id);
        });
        emit(ctx, doc, () => receiptLine(doc));
      });
    });
  receipt
    .command('list')
    .description('receipts in your data scope')
    .option('--contract <no>', 'only this contract')
    .option('--dealer <code>', 'only this dealer')
    .option('--status <status>', 'registered, confirmed, reversed, withdrawn')
    .option('--from <date>', 'value date from')
    .option('--to <date>', 'value date to')
    .action(async (opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { listReceipts } = await import('../receivables/receipt-view.js');
        const rows = await listReceipts(ctx.knex, ctx.actor, opts);
        emit(
          ctx,
          rows,
          () =>
            `${table(rows, [
              { header: 'id', value: (r) => r.id, align: 'right' },
              { header: 'number', value: (r) => r.number },
              { header: 'status', value: (r) => `${r.status}${r.locked ? ' (locked)' : ''}` },
              { header: 'dealer', value: (r) => r.dealer },
              { header: 'contract', value: (r) => r.contractNo },
              { header: 'value date', value: (r) => r.valueDate },
              { header: 'amount', value: (r) => r.amount, align: 'right' },
              { header: 'by', value: (r) => r.author },
            ])}\n${rows.length} receipt(s)`,
        );
      });
    });
  receipt
    .command('show <id>')
    .description('a receipt with its allocation and links')
    .action(async (idText: string, _opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const id = await idOf(idText);
        const { showReceipt } = await import('../receivables/receipt-view.js');
        const shown = await showReceipt(ctx.knex, ctx.actor, id);
        emit(ctx, shown, () =>
          [
            receiptLine(shown),
            `method ${shown.data.method ?? '—'}  account ${shown.data.account ?? '—'}  payer ${shown.data.payer ?? '—'}  reference ${shown.data.reference ?? '—'}`,
            table(shown.allocations, [
              { header: '期次', value: (a) => a.seq ?? '' },
              { header: 'type', value: (a) => a.type ?? '' },
              { header: 'kind', value: (a) => a.kind },
              { header: 'value date', value: (a) => a.valueDate },
              { header: 'amount', value: (a) => a.amount, align: 'right' },
            ]),
            shown.reversal ? `reversed by ${shown.reversal.number} (document ${shown.reversal.id}): ${shown.reversal.reason ?? ''}` : '',
            shown.correctedBy ? `corrected by receipt ${shown.correctedBy.number} (document ${shown.correctedBy.id})` : '',
          ]
            .filter(Boolean)
            .join('\n'),
        );
      });
    });
}
