import fs from 'node:fs';
import type { Command } from 'commander';
import type { RequestView } from '../approvals/engine.js';
import type { Rule } from '../approvals/rules.js';
import { table } from '../core/table.js';
import { act, collect, globalOptions } from './context.js';
import type { FlagNames } from './flags.js';

function renderRules(rules: Rule[]): string {
  return `${table(rules, [
    { header: 'id', value: (r) => r.id, align: 'right' },
    { header: 'type', value: (r) => r.documentType },
    { header: 'order', value: (r) => r.position, align: 'right' },
    { header: 'when', value: (r) => r.condition || '(always)' },
    {
      header: 'steps',
      value: (r) =>
        r.steps
          .map((s) => (s.kind === 'role' ? `role:${s.role}` : s.kind === 'user' ? `user:${s.username}` : `manager:${s.levels}`))
          .join(' → '),
    },
    { header: 'note', value: (r) => r.note },
  ])}\n${rules.length} rule(s); the first matching rule of a type wins, none matching = no approval needed`;
}

function renderRequest(v: RequestView): string {
  return [
    `document ${v.documentId} ${v.type} ${v.number} (${v.dealer}${v.amount === null ? '' : `, amount ${v.amount}`}) by ${v.applicant}: ${v.status}${v.currentStep ? ` at step ${v.currentStep} of ${v.steps.length}` : ''}`,
    `rule ${v.ruleId ?? '-'}${v.condition ? ` (when ${v.condition})` : ''}, submitted ${v.createdAt}${v.decidedAt ? `, decided ${v.decidedAt}` : ''}`,
    table(v.steps, [
      { header: 'step', value: (s) => s.seq, align: 'right' },
      { header: 'configured', value: (s) => s.configured },
      { header: 'approver', value: (s) => s.approver },
      { header: 'status', value: (s) => s.status },
      { header: 'by', value: (s) => s.decidedBy },
      { header: 'at', value: (s) => s.decidedAt },
      { header: 'comment / note', value: (s) => [s.comment, s.note].filter(Boolean).join(' — ') },
    ]),
  ].join('\n');
}

const ID = { id: 'ID' } as const;
// the core names a rule's condition `condition` (the command's --when), as it always has
const RULE = { condition: 'condition' } as const;
/** A rules file's errors name the file and its rules' fields (`steps (rules.yaml rule 2)`), not a flag. */
const AS_NAMED: FlagNames = new Proxy({}, { get: (_target, field) => (typeof field === 'string' ? field : undefined) });

export function register(program: Command): void {
  const approval = program
    .command('approval')
    .description('approvals (审批流): rules configured by an admin, and the requests waiting for you');

  ruleCommands(approval.command('rule').description('approval rules: per document type, the first matching rule wins'));
  rulesCommand(approval);

  inboxCommand(approval);
  approveCommand(approval);
  rejectCommand(approval);
  withdrawCommand(approval);
  showCommand(approval);
}

function rulesCommand(approval: Command): void {
  approval
    .command('rules')
    .description('rules from a YAML file')
    .command('load <file>')
    .description('replace every active rule with the file’s (rules: [{type, when, steps: [role:…, manager:1], note}]), in one transaction')
    .action(async (file: string, _opts, cmd: Command) => {
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch {
        const { BadInput } = await import('../core/errors.js');
        throw new BadInput('FILE', file, 'a readable YAML file');
      }
      return act(cmd, 'approval.rules.load', { text, file }, renderRules, AS_NAMED);
    });
}

function inboxCommand(approval: Command): void {
  approval
    .command('inbox')
    .description('the requests whose current step is yours')
    .option('--mine', 'your own requests instead: waiting ones first, then the latest decided')
    .action(async (opts: { mine?: boolean }, cmd: Command) => {
      const { actorUsername } = await import('../access/actor.js');
      const username = actorUsername(globalOptions(cmd).as, process.env, false);
      return act(
        cmd,
        'approval.inbox',
        { mine: opts.mine },
        (rows) =>
          `${table(rows, [
            { header: 'ID', value: (r) => r.documentId, align: 'right' },
            { header: 'type', value: (r) => r.type },
            { header: 'number', value: (r) => r.number },
            { header: 'dealer', value: (r) => r.dealer },
            { header: 'amount', value: (r) => r.amount, align: 'right' },
            { header: 'applicant', value: (r) => r.applicant },
            { header: 'step', value: (r) => (opts.mine && r.status !== 'pending' ? r.status : `${r.currentStep}/${r.steps.length}`) },
            { header: 'submitted', value: (r) => r.createdAt },
          ])}\n${rows.length} ${opts.mine ? `request(s) of ${username}` : `request(s) waiting for ${username}`}`,
      );
    });
}

function approveCommand(approval: Command): void {
  approval
    .command('approve <id>')
    .description('approve the current step of document ID; the document acts when its last step approves')
    .option('--comment <text>', 'a comment for the history')
    .action((id: string, opts, cmd: Command) => act(cmd, 'approval.approve', { id, comment: opts.comment }, renderRequest, ID));
}

function rejectCommand(approval: Command): void {
  approval
    .command('reject <id>')
    .description('reject document ID at its current step (a comment is required); the flow ends')
    .requiredOption('--comment <text>', 'why it is rejected')
    .action((id: string, opts, cmd: Command) => act(cmd, 'approval.reject', { id, comment: opts.comment }, renderRequest, ID));
}

function withdrawCommand(approval: Command): void {
  approval
    .command('withdraw <id>')
    .description('withdraw your own request while it waits for approval; nothing it asked for happens')
    .option('--comment <text>', 'why')
    .action((id: string, opts, cmd: Command) => act(cmd, 'approval.withdraw', { id, comment: opts.comment }, renderRequest, ID));
}

function showCommand(approval: Command): void {
  approval
    .command('show <id>')
    .description('the approval of document ID with its whole history')
    .action((id: string, _opts, cmd: Command) => act(cmd, 'approval.show', { id }, renderRequest, ID));
}

function ruleCommands(rule: Command): void {
  rule
    .command('add')
    .description('add a rule at the end of its type’s list')
    .requiredOption('--type <type>', 'the document type, e.g. period_reopen')
    .option('--when <condition>', 'e.g. "amount > 5000 and (dealer = HF01 or overdue_days >= 90)"; default: always')
    .requiredOption('--step <approver>', 'role:ROLE, user:USERNAME or manager:N, in order (repeat for each step)', collect)
    .option('--note <text>', 'why the rule exists')
    .action((opts, cmd: Command) =>
      act(
        cmd,
        'approval.rule.add',
        { documentType: opts.type, condition: opts.when, steps: opts.step, note: opts.note },
        (added) => `rule ${added.id} added: ${added.documentType} ${added.condition ? `when ${added.condition}` : '(always)'}`,
        RULE,
      ),
    );
  rule
    .command('list')
    .description('the active rules, in the order they are tried')
    .option('--type <type>', 'only this document type')
    .action((opts, cmd: Command) => act(cmd, 'approval.rule.list', { documentType: opts.type }, renderRules));
  rule
    .command('remove <id>')
    .description('remove a rule (requests already made keep their steps)')
    .action((id: string, _opts, cmd: Command) => act(cmd, 'approval.rule.remove', { id }, (removed) => `rule ${removed.id} removed`, ID));
}
