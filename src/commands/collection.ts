// zq collection …: assignment (by a rules file or one contract), performance, the worklist, the contact log and
// its history, and the admin's suggested-action rules. Thin: flags → the collections actions → print.
import fs from 'node:fs';
import type { Command } from 'commander';
import type { AssignOutput } from '../collections/actions.js';
import type { SuggestionRule } from '../collections/suggestions.js';
import { today } from '../core/dates.js';
import { table } from '../core/table.js';
import { act, collect } from './context.js';
import type { FlagNames } from './flags.js';

/** A rules file's errors name the rule and its field (`rule 2: to`), not a flag. */
const ASSIGN_FLAGS: FlagNames = { contractNo: '--contract', asOf: '--as-of', rules: '--rules', rule: 'rule' };

function renderMoves(out: AssignOutput): string {
  const head = out.dryRun
    ? `dry run as of ${out.asOf}: ${out.moves.length} move(s) of ${out.considered} overdue contract(s) considered, ${out.unchanged} already with their rule's collector; nothing written`
    : `${out.moves.length} contract(s) moved from ${out.asOf}${out.considered > 1 ? ` (${out.considered} overdue contract(s) considered, ${out.unchanged} already with their rule's collector)` : out.unchanged ? ' (already with that user: nothing changed)' : ''}`;
  if (out.moves.length === 0) return head;
  return `${table(out.moves, [
    { header: 'dealer', value: (m) => m.dealer },
    { header: 'contract', value: (m) => m.contractNo },
    { header: 'from', value: (m) => m.from ?? '-' },
    { header: 'to', value: (m) => m.to },
    { header: 'rule', value: (m) => m.rule ?? 'manual', align: 'right' },
  ])}\n${head}`;
}

function renderRules(rules: SuggestionRule[]): string {
  return `${table(rules, [
    { header: 'id', value: (r) => r.id, align: 'right' },
    { header: 'action', value: (r) => r.action },
    {
      header: 'when',
      value: (r) => (r.overdueDays !== null ? `overdue ≥ ${r.overdueDays} days` : `${r.consecutiveUnpaid} consecutive unpaid`),
    },
    { header: 'dealer', value: (r) => r.dealer ?? '(all)' },
    { header: 'open flags', value: (r) => r.openFlags, align: 'right' },
    { header: 'by', value: (r) => r.createdBy },
  ])}\n${rules.length} rule(s); the nightly batch flags contracts that meet one (a flag never acts)`;
}

export function register(program: Command): void {
  const collection = program
    .command('collection')
    .description('collections (催收): assignment, the worklist, the contact log and suggested actions');

  collection
    .command('assign')
    .description(
      'give overdue contracts to collectors by a rules file (YAML/JSON; first matching rule wins), or one contract with a reason',
    )
    .option('--rules <file>', 'the rules file (see fixtures/collection-rules.yaml)')
    .option('--dry-run', 'with --rules: print the moves, write nothing')
    .option('--as-of <date>', 'with --rules: the date the overdue figures are taken and the moves take effect (default: today)')
    .option('--contract <no>', 'one contract to move')
    .option('--dealer <code>', 'the dealer, where the contract number exists at more than one')
    .option('--to <user>', 'with --contract: the collector or team lead who gets it')
    .option('--reason <text>', 'with --contract: why')
    .option('--date <date>', 'with --contract: the first day the new holder holds it (default: today)')
    .action(async (opts, cmd: Command) => {
      const { BadInput } = await import('../core/errors.js');
      if ((opts.rules === undefined) === (opts.contract === undefined))
        throw new BadInput('--rules', opts.rules ?? null, 'either --rules FILE or --contract NO --to USER --reason TEXT');
      if (opts.rules !== undefined) {
        let text: string;
        try {
          text = fs.readFileSync(opts.rules, 'utf8');
        } catch {
          throw new BadInput('--rules', opts.rules, 'a readable YAML or JSON file');
        }
        return act(
          cmd,
          'collection.assign',
          { rulesText: text, rulesFile: opts.rules, dryRun: opts.dryRun === true, asOf: opts.asOf ?? today() },
          renderMoves,
          ASSIGN_FLAGS,
        );
      }
      if (opts.to === undefined) throw new BadInput('--to', null, 'the username who gets the contract');
      if (opts.reason === undefined) throw new BadInput('--reason', null, 'why the contract changes hands');
      return act(
        cmd,
        'collection.assign',
        { contractNo: opts.contract, dealer: opts.dealer, to: opts.to, reason: opts.reason, date: opts.date ?? today() },
        renderMoves,
        ASSIGN_FLAGS,
      );
    });

  collection
    .command('performance')
    .description('money received in the period (confirmed receipts by value date) per collector who held the contract that day')
    .requiredOption('--from <date>', 'first value date')
    .requiredOption('--to <date>', 'last value date')
    .option('--collector <user>', 'one collector (within your scope)')
    .action((opts, cmd: Command) =>
      act(
        cmd,
        'collection.performance',
        { from: opts.from, to: opts.to, collector: opts.collector },
        (out) =>
          `${table(out.collectors, [
            { header: 'collector', value: (r) => r.collector },
            { header: 'name', value: (r) => r.name },
            { header: 'dealer', value: (r) => r.dealer ?? '' },
            { header: 'contracts', value: (r) => r.contracts, align: 'right' },
            { header: 'receipts', value: (r) => r.receipts, align: 'right' },
            { header: 'received', value: (r) => r.received, align: 'right' },
          ])}\n${out.from} – ${out.to}: ${out.total} received`,
      ),
    );

  collection
    .command('list')
    .description('the worklist: your overdue contracts (a manager: the team’s) by priority — broken promise, flagged, overdue amount, days')
    .option('--collector <user>', 'one collector’s contracts (within your scope)')
    .option('--as-of <date>', 'the figures as of this date (default and latest: the last night the batch completed)')
    .action((opts, cmd: Command) =>
      act(cmd, 'collection.list', { asOf: opts.asOf, collector: opts.collector }, (out) =>
        [
          table(out.contracts, [
            { header: 'dealer', value: (c) => c.dealer },
            { header: 'contract', value: (c) => c.contractNo },
            { header: 'customer', value: (c) => c.customer },
            { header: 'phone', value: (c) => c.phone },
            { header: 'collector', value: (c) => c.collector },
            { header: 'machines', value: (c) => c.machines.map((m) => `${m.model} ${m.serialNo} ${m.status}`).join('; ') },
            { header: 'overdue', value: (c) => c.overdue, align: 'right' },
            { header: 'days', value: (c) => c.overdueDays, align: 'right' },
            {
              header: 'last contact',
              value: (c) => (c.lastContact ? `${c.lastContact.at.slice(0, 10)} ${c.lastContact.kind} ${c.lastContact.result}` : ''),
            },
            { header: 'promise', value: (c) => (c.openPromise ? `${c.openPromise.amount} by ${c.openPromise.date}` : '') },
            { header: 'broken', value: (c) => (c.brokenPromise ? `${c.brokenPromise.amount} due ${c.brokenPromise.date}` : '') },
            { header: 'suggested', value: (c) => c.flags.map((f) => f.action).join(', ') },
          ]),
          `${out.contracts.length} overdue contract(s) as of ${out.asOf}`,
        ].join('\n'),
      ),
    );

  collection
    .command('log')
    .description('log a contact (催收记录); result promised needs --promise-amount and --promise-date')
    .requiredOption('--contract <no>', 'contract number')
    .option('--dealer <code>', 'the dealer, where the number exists at more than one')
    .requiredOption('--kind <kind>', 'call, visit, sms or letter')
    .requiredOption('--result <result>', 'promised, paid, refused, unreachable or disputed')
    .option('--promise-amount <amount>', 'with result promised: the amount promised (above zero)')
    .option('--promise-date <date>', 'with result promised: the date promised, on or after the contact’s date')
    .option('--note <text>', 'what was said')
    .option('--contacted-at <datetime>', 'when (YYYY-MM-DDTHH:MM, Asia/Shanghai; default: now)')
    .option('--attach <file>', 'a file kept with the contact in the archive (PDF, JPEG, PNG, XLSX; repeatable)', collect, [])
    .action((opts, cmd: Command) =>
      act(
        cmd,
        'collection.log',
        {
          contractNo: opts.contract,
          dealer: opts.dealer,
          kind: opts.kind,
          result: opts.result,
          promiseAmount: opts.promiseAmount,
          promiseDate: opts.promiseDate,
          note: opts.note,
          contactedAt: opts.contactedAt ?? new Date().toISOString(),
          attach: opts.attach,
        },
        (out) =>
          `contact ${out.id} on ${out.dealer}/${out.contractNo}: ${out.kind} ${out.result}${out.promiseAmount ? `, promised ${out.promiseAmount} by ${out.promiseDate}` : ''}${out.attachments.map((a) => `\nattached ${a.id} ${a.fileName} (${a.size} bytes, sha256 ${a.sha256.slice(0, 12)}…)`).join('')}`,
        { contractNo: '--contract' },
      ),
    );

  collection
    .command('history')
    .description('a contract’s contact log, newest first, and who held it when')
    .requiredOption('--contract <no>', 'contract number')
    .option('--dealer <code>', 'the dealer, where the number exists at more than one')
    .action((opts, cmd: Command) =>
      act(
        cmd,
        'collection.history',
        { contractNo: opts.contract, dealer: opts.dealer },
        (out) =>
          [
            table(out.contacts, [
              { header: 'id', value: (k) => k.id, align: 'right' },
              { header: 'at', value: (k) => k.contactedAt },
              { header: 'by', value: (k) => k.author },
              { header: 'kind', value: (k) => k.kind },
              { header: 'result', value: (k) => k.result },
              { header: 'promise', value: (k) => (k.promiseAmount ? `${k.promiseAmount} by ${k.promiseDate}` : '') },
              {
                header: 'status',
                value: (k) =>
                  k.promiseStatus ? `${k.promiseStatus}${k.decidedOn ? ` (${k.decidedOn}, received ${k.received})` : ''}` : '',
              },
              { header: 'note', value: (k) => k.note },
            ]),
            `holders of ${out.dealer}/${out.contractNo}: ${out.holders.map((h) => `${h.collector} from ${h.from}${h.to ? ` to ${h.to}` : ''}`).join(', ') || 'nobody'}`,
          ].join('\n'),
        { contractNo: '--contract' },
      ),
    );

  const rule = collection
    .command('rule')
    .description('suggested-action rules (admin): flag contracts as candidates for a lock or a repossession');
  rule
    .command('add')
    .description('a rule: --action lock|repossession with --overdue-days N or --consecutive-unpaid N, for every dealer or one')
    .requiredOption('--action <action>', 'lock or repossession')
    .option('--overdue-days <n>', 'flag a contract overdue at least this many days')
    .option('--consecutive-unpaid <n>', 'flag a contract whose latest N installments due are unpaid')
    .option('--dealer <code>', 'only this dealer’s contracts')
    .action((opts, cmd: Command) =>
      act(
        cmd,
        'collection.rule.add',
        { action: opts.action, overdueDays: opts.overdueDays, consecutiveUnpaid: opts.consecutiveUnpaid, dealer: opts.dealer },
        (r) => renderRules([r]),
      ),
    );
  rule
    .command('list')
    .description('the rules in force')
    .action((_opts, cmd: Command) => act(cmd, 'collection.rule.list', {}, renderRules));
  rule
    .command('remove <id>')
    .description('remove a rule (kept as removed); its open flags are cleared today')
    .action((id: string, _opts, cmd: Command) =>
      act(cmd, 'collection.rule.remove', { id, date: today() }, (r) => `rule ${r.id} removed; its open flags cleared`, { id: 'ID' }),
    );
}
