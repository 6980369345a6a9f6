// zq machine repossess request|register and zq machine dispose: thin adapters over the repossession actions.
import type { Command } from 'commander';
import { today } from '../core/dates.js';
import type { ChargeMade, DisposalResult } from '../machines/repossession.js';
import { act } from './context.js';

function chargeLine(c: ChargeMade): string {
  const what = c.cost === 'towing' ? 'towing (拖车费)' : 'storage (停放费)';
  return c.approval === 'approved'
    ? `  ${what} ${c.amount}: advance charge ${c.number} (document ${c.documentId}) approved, the line is on the contract`
    : `  ${what} ${c.amount}: advance charge ${c.number} (document ${c.documentId}) waiting for approval (zq approval show ${c.documentId})`;
}

function disposalText(out: DisposalResult): string {
  const lines = [`machine ${out.machine.serialNo}: ${out.machine.status} (disposal ${out.disposal.number}, document ${out.disposal.id})`];
  if (out.receipt) {
    lines.push(
      `receipt ${out.receipt.number} (document ${out.receipt.id}) of ${out.receipt.amount}, method repossession_sale, confirmed${out.receipt.recovery ? ' as a recovery' : ''}; applied:`,
    );
    for (const a of out.receipt.allocations)
      lines.push(`  ${a.seq === null ? '-' : `#${a.seq}`} ${a.type ?? ''} ${a.kind} ${a.amount}`.replace(/\s+/g, ' ').replace(/^ /, '  '));
  }
  if (out.owedAfter)
    lines.push(
      `still owed on ${out.disposal.valueDate}: outstanding ${out.owedAfter.outstanding} + penalty ${out.owedAfter.penaltyOutstanding} − credit ${out.owedAfter.credit} = shortfall ${out.owedAfter.shortfall}`,
    );
  if (out.badDebt)
    lines.push(
      `proposed as bad debt: ${out.badDebt.number} (document ${out.badDebt.id}) of ${out.badDebt.amount}, ${out.badDebt.status === 'submitted' ? 'waiting for approval' : out.badDebt.status} (zq approval show ${out.badDebt.id})`,
    );
  if (out.badDebtNote) lines.push(`bad debt: ${out.badDebtNote}`);
  if (out.notified.length) lines.push(`notified: ${out.notified.join(', ')}`);
  return lines.join('\n');
}

export function registerRepossess(machine: Command): void {
  const repossess = machine
    .command('repossess')
    .description('repossession (拖机): application → approval → registration by the back office');
  repossess
    .command('request <serial>')
    .description('apply for a repossession; amount for the approval rules = the overdue amount as of --date (also overdue_days, dealer)')
    .option('--dealer <code>', 'the dealer, where the serial number exists at more than one')
    .requiredOption('--reason <text>', 'why')
    .option('--date <date>', 'the date of the application (default: today)')
    .action((serial: string, opts, cmd: Command) =>
      act(
        cmd,
        'machine.repossess.request',
        { serial, dealer: opts.dealer, reason: opts.reason, date: opts.date ?? today() },
        (out) =>
          out.approval === 'approved'
            ? `repossession ${out.id} ${out.number} of machine ${serial} (contract ${out.contractNo}, overdue ${out.amount}): approved (no approval rule); the machine is repossession_pending — register it with zq machine repossess register ${out.id}`
            : `repossession ${out.id} ${out.number} of machine ${serial} (contract ${out.contractNo}, overdue ${out.amount}): waiting for approval (zq approval show ${out.id})`,
        { serial: 'SERIAL' },
      ),
    );
  repossess
    .command('register <docId>')
    .description('back office: register an approved repossession — the machine is repossessed; each cost becomes a 代垫 advance charge')
    .requiredOption('--date <date>', 'when the machine was towed')
    .requiredOption('--location <text>', 'where the machine is kept')
    .option('--towed-by <name>', 'who towed it')
    .option('--towing-cost <amount>', 'towing cost (拖车费): a 代垫 advance charge due --date')
    .option('--storage-cost <amount>', 'storage cost (停放费): a 代垫 advance charge due --date')
    .action((docId: string, opts, cmd: Command) =>
      act(
        cmd,
        'machine.repossess.register',
        {
          id: docId,
          date: opts.date,
          location: opts.location,
          towedBy: opts.towedBy,
          towingCost: opts.towingCost,
          storageCost: opts.storageCost,
        },
        (out) =>
          [
            `repossession ${out.document.number} registered: machine ${out.machine.serialNo} repossessed on ${out.document.data.registration ? (out.document.data.registration as { date: string }).date : ''}, kept at ${out.machine.location}`,
            ...out.charges.map(chargeLine),
            out.notified.length ? `notified: ${out.notified.join(', ')}` : 'notified: nobody',
          ].join('\n'),
        { id: 'DOC_ID' },
      ),
    );
  machine
    .command('dispose <serial>')
    .description('a repossessed machine: --resold (proceeds a receipt, shortfall proposed as bad debt) or --returned to the customer')
    .option('--dealer <code>', 'the dealer, where the serial number exists at more than one')
    .option('--resold', 'resold: the proceeds are applied to the contract as a receipt (method repossession_sale)')
    .option('--returned', 'returned to the customer: only when nothing is owed as of --date')
    .option('--amount <amount>', 'the resale proceeds (with --resold)')
    .option('--buyer <name>', 'who bought it (the receipt’s payer)')
    .requiredOption('--date <date>', 'the date of the sale or return')
    .action((serial: string, opts, cmd: Command) =>
      act(
        cmd,
        'machine.dispose',
        {
          serial,
          dealer: opts.dealer,
          resold: opts.resold === true,
          returned: opts.returned === true,
          amount: opts.amount,
          date: opts.date,
          buyer: opts.buyer,
        },
        disposalText,
        { serial: 'SERIAL' },
      ),
    );
}
