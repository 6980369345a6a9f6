// zq machine …: financed machines (债权机管理) and machine lock (锁机): list, show, set; lock and unlock
// (request → approval → instruction → confirm or the outbox's acknowledgement); the provider setting; the
// pre-lock letter (催收函); repossession and disposition come from ./machine-repossess.ts.
import type { Command } from 'commander';
import { table } from '../core/table.js';
import { act } from './context.js';
import { registerRepossess } from './machine-repossess.js';

/** The `zq machine` group: created once, shared by every module that adds a subcommand to it. */
export function machineGroup(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === 'machine') ??
    program.command('machine').description('financed machines (债权机): status, GPS device, location; lock and unlock')
  );
}

type DocOut = import('../app/run.js').Output<'machine.lock.request'>;

function requested(what: 'lock' | 'unlock', out: DocOut): string {
  return out.approval === 'approved'
    ? `machine ${what} ${out.id} ${out.number} of ${out.data.serialNo} (contract ${out.contractNo}): approved (no approval rule); the instruction is sent (zq machine show ${out.data.serialNo})`
    : `machine ${what} ${out.id} ${out.number} of ${out.data.serialNo} (contract ${out.contractNo}, overdue ${out.amount}, ${out.data.overdue_days} days): waiting for approval (zq approval show ${out.id})`;
}

export function register(program: Command): void {
  const machine = machineGroup(program);

  machine
    .command('list')
    .description('machines under receivable in your data scope: status, GPS device, last location, contract, customer, collector')
    .option('--status <status>', 'normal, lock_pending, locked, repossession_pending, repossessed, resold or released')
    .option('--dealer <code>', 'only this dealer')
    .action((opts, cmd: Command) =>
      act(
        cmd,
        'machine.list',
        { status: opts.status, dealer: opts.dealer },
        (rows) =>
          `${table(rows, [
            { header: '经销商', value: (r) => r.dealer },
            { header: '序列号', value: (r) => r.serialNo },
            { header: '型号', value: (r) => r.model },
            { header: '状态', value: (r) => `${r.statusLabel} ${r.status}` },
            { header: 'GPS', value: (r) => r.gpsDeviceId },
            { header: '位置', value: (r) => (r.location ? `${r.location} (${r.locationAt})` : '') },
            { header: '合同编号', value: (r) => r.contractNo },
            { header: '客户', value: (r) => r.customer },
            { header: '催收员', value: (r) => r.collector },
          ])}\n${rows.length} machine(s)`,
      ),
    );

  machine
    .command('show <serial>')
    .description('one machine: status, GPS device, location, contract, its dated status history and its documents')
    .option('--dealer <code>', 'the dealer, where the serial number exists at more than one')
    .action((serial: string, opts, cmd: Command) =>
      act(cmd, 'machine.show', { serial, dealer: opts.dealer }, (m) =>
        [
          `${m.dealer} ${m.serialNo} ${m.model}: ${m.statusLabel} ${m.status}${m.statusDate ? ` since ${m.statusDate}` : ''}`,
          `contract ${m.contractNo} (${m.contractStatus}), customer ${m.customer}, collector ${m.collector ?? '-'}`,
          `GPS device ${m.gpsDeviceId ?? '-'}; location ${m.location ?? '-'}${m.locationAt ? ` (${m.locationAt})` : ''}`,
          '',
          'history:',
          m.history.length === 0
            ? '  (no status change yet)'
            : table(m.history, [
                { header: 'date', value: (h) => h.date },
                { header: 'from', value: (h) => h.from },
                { header: 'to', value: (h) => h.to },
                { header: 'document', value: (h) => h.documentNo },
                { header: 'by', value: (h) => h.actor },
                { header: 'note', value: (h) => h.note },
              ]),
          '',
          'documents:',
          m.documents.length === 0
            ? '  (none)'
            : table(m.documents, [
                { header: 'id', value: (d) => d.id, align: 'right' },
                { header: 'number', value: (d) => d.number },
                { header: 'status', value: (d) => d.status },
                { header: 'date', value: (d) => d.valueDate },
                { header: 'provider', value: (d) => d.provider },
                {
                  header: 'result',
                  value: (d) => (d.instructionStatus ? `${d.instructionStatus}${d.resultAt ? ` ${d.resultAt}` : ''}` : ''),
                },
                { header: 'reason', value: (d) => d.reason },
              ]),
        ].join('\n'),
      ),
    );

  machine
    .command('set <serial>')
    .description('set a machine’s GPS device id or last known location (its status changes only through documents)')
    .option('--dealer <code>', 'the dealer, where the serial number exists at more than one')
    .option('--gps-device <id>', 'the GPS device id (empty: clear it)')
    .option('--location <text>', 'the last known location, as text; its time is now (empty: clear it)')
    .action((serial: string, opts, cmd: Command) =>
      act(
        cmd,
        'machine.set',
        { serial, dealer: opts.dealer, gpsDevice: opts.gpsDevice, location: opts.location },
        (m) => `machine ${m.serialNo}: GPS device ${m.gpsDeviceId ?? '-'}, location ${m.location ?? '-'}`,
      ),
    );

  for (const what of ['lock', 'unlock'] as const) {
    const group = machine.command(what).description(what === 'lock' ? '锁机: request, confirm' : '解锁: request, confirm');
    group
      .command('request <serial>')
      .description(`apply for a machine ${what}: the approval rules decide; once approved the instruction goes to the provider`)
      .option('--dealer <code>', 'the dealer, where the serial number exists at more than one')
      .requiredOption('--reason <text>', `why the machine is to be ${what}ed`)
      .option('--date <date>', 'the date of the request; the overdue amount is as of it (default today)')
      .action((serial: string, opts, cmd: Command) =>
        act(
          cmd,
          what === 'lock' ? 'machine.lock.request' : 'machine.unlock.request',
          { serial, dealer: opts.dealer, reason: opts.reason, date: opts.date },
          (out) => requested(what, out),
          { serial: 'SERIAL' },
        ),
      );
    group
      .command('confirm <id>')
      .description(`record that the approved ${what} was carried out on the GPS platform (or --failed)`)
      .option('--at <time>', 'when: YYYY-MM-DD HH:MM (Asia/Shanghai) or ISO 8601 (default now)')
      .option(
        '--failed',
        `the ${what} could not be carried out${what === 'lock' ? ': the machine goes back to its status before' : ': it stays locked'}`,
      )
      .option('--message <text>', 'a note, e.g. why it failed')
      .action((id: string, opts, cmd: Command) =>
        act(
          cmd,
          what === 'lock' ? 'machine.lock.confirm' : 'machine.unlock.confirm',
          { id, at: opts.at, failed: opts.failed, message: opts.message },
          (c) => `${c.documentNo} (${c.action} of ${c.serialNo}) ${c.result} at ${c.at}: the machine is ${c.status}`,
          { id: 'ID' },
        ),
      );
  }

  machine.commands
    .find((c) => c.name() === 'lock')
    ?.command('letter <serial>')
    .description('print the pre-lock letter (催收函) to the customer as PDF: overdue lines, total to pay, the deadline before the lock')
    .option('--dealer <code>', 'the dealer, where the serial number exists at more than one')
    .option('--as-of <date>', 'the date the figures are computed to and the letter is dated (default today)')
    .option('--deadline <date>', `pay by this date or the machine is locked (default: --as-of + 7 days)`)
    .option('--out <file.pdf>', 'the PDF file (default: lock-letter_{dealer}_{serial}_{date}.pdf here)')
    .option('--force', 'replace the file if it exists')
    .action((serial: string, opts, cmd: Command) =>
      act(
        cmd,
        'machine.lock.letter',
        { serial, dealer: opts.dealer, asOf: opts.asOf, deadline: opts.deadline, out: opts.out, force: opts.force },
        (l) =>
          `催收函 for ${l.serialNo} (contract ${l.contractNo}, ${l.customer}) as of ${l.asOf}: overdue ${l.overdue} + penalty ${l.penaltyOutstanding} = ${l.total}, ${l.overdueDays} days; pay by ${l.deadline}; written to ${l.file}`,
        { serial: 'SERIAL', asOf: '--as-of' },
      ),
    );

  machine
    .command('outbox')
    .description('the file-outbox provider’s folder')
    .command('read')
    .description('read the GPS platform’s acknowledgements (<id>.ack.json): good ones to done/, malformed ones to rejected/ (exit 2)')
    .option('--dir <dir>', 'this outbox folder (default: every file-outbox folder of the settings)')
    .action((opts, cmd: Command) => {
      type Report = import('../app/run.js').Output<'machine.outbox.read'>;
      const complain = (r: Report) => {
        for (const x of r.rejected) process.stderr.write(`zq: rejected ${x.file}: field ${x.field}: expected ${x.expected}\n`);
        if (r.rejected.length > 0) process.exitCode = 2;
      };
      return act(
        cmd,
        'machine.outbox.read',
        { dir: opts.dir },
        (r) => {
          complain(r);
          return [
            ...r.processed.map((p) => `${p.instructionId} ${p.action} ${p.serialNo}: ${p.result}, the machine is ${p.status}`),
            ...r.already.map((a) => `${a.instructionId}: already recorded, ${a.file} moved to done/`),
            ...r.skipped.map((s) => `${s.file}: left in place: ${s.reason}`),
            `${r.processed.length} acknowledgement(s) recorded, ${r.already.length} already recorded, ${r.rejected.length} rejected, ${r.skipped.length} left in place (${r.dirs.join(', ') || 'no outbox folder'})`,
          ].join('\n');
        },
        { dir: '--dir' },
        (r) => {
          complain(r);
          return JSON.stringify(r, null, 2);
        },
      );
    });

  const provider = machine.command('provider').description('how lock instructions reach the GPS platform');
  provider
    .command('set <provider>')
    .description('manual (a clerk confirms) or file-outbox (a JSON file per instruction in --dir); globally or for --dealer')
    .option('--dir <dir>', 'the outbox folder (file-outbox)')
    .option('--dealer <code>', 'for this dealer only (default: the global setting)')
    .option('--unlock-on-settlement <on|off>', 'the nightly batch unlocks a settled contract’s locked machine by itself')
    .action((name: string, opts, cmd: Command) =>
      act(
        cmd,
        'machine.provider.set',
        { provider: name, dir: opts.dir, dealer: opts.dealer, unlockOnSettlement: opts.unlockOnSettlement },
        (s) =>
          `lock provider ${s.dealer ? `of ${s.dealer}` : '(global)'}: ${s.provider}${s.outboxDir ? ` into ${s.outboxDir}` : ''}; unlock on settlement ${s.unlockOnSettlement ? 'on' : 'off'}`,
        { provider: 'PROVIDER' },
      ),
    );
  provider
    .command('show')
    .description('the provider settings: global and per dealer (none: manual)')
    .action((_opts, cmd: Command) =>
      act(cmd, 'machine.provider.show', {}, (rows) =>
        rows.length === 0
          ? 'no setting: every dealer uses the manual provider, no unlock on settlement'
          : table(rows, [
              { header: 'dealer', value: (s) => s.dealer ?? '(global)' },
              { header: 'provider', value: (s) => s.provider },
              { header: 'outbox', value: (s) => s.outboxDir },
              { header: 'unlock on settlement', value: (s) => (s.unlockOnSettlement ? 'on' : 'off') },
            ]),
      ),
    );
  registerRepossess(machine);
}
