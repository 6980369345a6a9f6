import fs from 'node:fs';
import type { Command } from 'commander';
import type { RequestView } from '../approvals/engine.js';
import type { Rule } from '../approvals/rules.js';
import { table } from '../core/table.js';
import { collect, emit, withContext } from './context.js';

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

async function parseId(text: string): Promise<number> {
  const { BadInput } = await import('../core/errors.js');
  if (!/^[1-9]\d{0,15}$/.test(text)) throw new BadInput('ID', text, 'a document id (see zq approval inbox)');
  return Number(text);
}

export function register(program: Command): void {
  const approval = program
    .command('approval')
    .description('approvals (审批流): rules configured by an admin, and the requests waiting for you');

  const rule = approval.command('rule').description('approval rules: per document type, the first matching rule wins');
  rule
    .command('add')
    .description('add a rule at the end of its type’s list')
    .requiredOption('--type <type>', 'the document type, e.g. period_reopen')
    .option('--when <condition>', 'e.g. "amount > 5000 and (dealer = HF01 or overdue_days >= 90)"; default: always')
    .requiredOption('--step <approver>', 'role:ROLE, user:USERNAME or manager:N, in order (repeat for each step)', collect)
    .option('--note <text>', 'why the rule exists')
    .action(async (opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { addRule } = await import('../approvals/rules.js');
        const added = await ctx.knex.transaction((tx) =>
          addRule(tx, ctx.actor, { documentType: opts.type, condition: opts.when, steps: opts.step, note: opts.note }),
        );
        emit(ctx, added, () => `rule ${added.id} added: ${added.documentType} ${added.condition ? `when ${added.condition}` : '(always)'}`);
      });
    });
  rule
    .command('list')
    .description('the active rules, in the order they are tried')
    .option('--type <type>', 'only this document type')
    .action(async (opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { listRules } = await import('../approvals/rules.js');
        const rules = await listRules(ctx.knex, opts.type);
        emit(ctx, rules, () => renderRules(rules));
      });
    });
  rule
    .command('remove <id>')
    .description('remove a rule (requests already made keep their steps)')
    .action(async (id: string, _opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { removeRule } = await import('../approvals/rules.js');
        const removed = await ctx.knex.transaction(async (tx) => removeRule(tx, ctx.actor, await parseId(id)));
        emit(ctx, removed, () => `rule ${removed.id} removed`);
      });
    });
  approval
    .command('rules')
    .description('rules from a YAML file')
    .command('load <file>')
    .description('replace every active rule with the file’s (rules: [{type, when, steps: [role:…, manager:1], note}]), in one transaction')
    .action(async (file: string, _opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { BadInput } = await import('../core/errors.js');
        const { loadRules } = await import('../approvals/rules.js');
        let text: string;
        try {
          text = fs.readFileSync(file, 'utf8');
        } catch {
          throw new BadInput('FILE', file, 'a readable YAML file');
        }
        const rules = await ctx.knex.transaction((tx) => loadRules(tx, ctx.actor, text, file));
        emit(ctx, rules, () => renderRules(rules));
      });
    });

  approval
    .command('inbox')
    .description('the requests whose current step is yours')
    .action(async (_opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { inbox } = await import('../approvals/engine.js');
        const rows = await inbox(ctx.knex, ctx.actor);
        emit(
          ctx,
          rows,
          () =>
            `${table(rows, [
              { header: 'ID', value: (r) => r.documentId, align: 'right' },
              { header: 'type', value: (r) => r.type },
              { header: 'number', value: (r) => r.number },
              { header: 'dealer', value: (r) => r.dealer },
              { header: 'amount', value: (r) => r.amount, align: 'right' },
              { header: 'applicant', value: (r) => r.applicant },
              { header: 'step', value: (r) => `${r.currentStep}/${r.steps.length}` },
              { header: 'submitted', value: (r) => r.createdAt },
            ])}\n${rows.length} request(s) waiting for ${ctx.actor.username}`,
        );
      });
    });
  approval
    .command('approve <id>')
    .description('approve the current step of document ID; the document acts when its last step approves')
    .option('--comment <text>', 'a comment for the history')
    .action(async (id: string, opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { approve } = await import('../approvals/engine.js');
        const view = await ctx.knex.transaction(async (tx) => approve(tx, ctx.actor, await parseId(id), opts.comment));
        emit(ctx, view, () => renderRequest(view));
      });
    });
  approval
    .command('reject <id>')
    .description('reject document ID at its current step (a comment is required); the flow ends')
    .requiredOption('--comment <text>', 'why it is rejected')
    .action(async (id: string, opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { reject } = await import('../approvals/engine.js');
        const view = await ctx.knex.transaction(async (tx) => reject(tx, ctx.actor, await parseId(id), opts.comment));
        emit(ctx, view, () => renderRequest(view));
      });
    });
  approval
    .command('withdraw <id>')
    .description('withdraw your own request while it waits for approval; nothing it asked for happens')
    .option('--comment <text>', 'why')
    .action(async (id: string, opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { withdraw } = await import('../approvals/engine.js');
        const view = await ctx.knex.transaction(async (tx) => withdraw(tx, ctx.actor, await parseId(id), opts.comment));
        emit(ctx, view, () => renderRequest(view));
      });
    });
  approval
    .command('show <id>')
    .description('the approval of document ID with its whole history')
    .action(async (id: string, _opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { showApproval } = await import('../approvals/engine.js');
        const view = await showApproval(ctx.knex, ctx.actor, await parseId(id));
        emit(ctx, view, () => renderRequest(view));
      });
    });
}
