import fs from 'node:fs';
import type { Command } from 'commander';
import { contractStatusName, receivableTypeName } from '../core/labels.js';
import { table } from '../core/table.js';
import { canPrompt, collect, emit, withContext } from './context.js';

interface CreateFlags {
  dealer?: string;
  contractNo?: string;
  customer?: string;
  idNumber?: string;
  phone?: string;
  address?: string;
  machine?: string[];
  collector?: string;
  signDate?: string;
  contractAmount?: string;
  downPayment?: string;
  method?: string;
  principal?: string;
  annualRate?: string;
  termMonths?: string;
  firstDueDate?: string;
  linesFile?: string;
  financier?: string;
  note?: string;
}

const REQUIRED: { key: keyof CreateFlags; flag: string; question: string; when?: (f: CreateFlags) => boolean }[] = [
  { key: 'dealer', flag: '--dealer', question: '经销商代码 dealer code' },
  { key: 'contractNo', flag: '--contract-no', question: '合同编号 contract number' },
  { key: 'customer', flag: '--customer', question: '客户名称 customer name' },
  { key: 'principal', flag: '--principal', question: '融资本金 financed principal', when: (f) => f.method !== 'custom' },
  {
    key: 'annualRate',
    flag: '--annual-rate',
    question: '年利率 annual rate (e.g. 0.049)',
    when: (f) => f.method !== 'custom' && f.method !== 'interest_free',
  },
  { key: 'termMonths', flag: '--term-months', question: '期数 months', when: (f) => f.method !== 'custom' },
  { key: 'firstDueDate', flag: '--first-due-date', question: '首期还款日 first due date (YYYY-MM-DD)', when: (f) => f.method !== 'custom' },
  { key: 'linesFile', flag: '--lines-file', question: '自定义还款计划文件 custom lines file', when: (f) => f.method === 'custom' },
];

/** Missing required values: asked at a terminal, otherwise one clear error naming the flag. */
async function completeFlags(flags: CreateFlags): Promise<CreateFlags> {
  const { BadInput } = await import('../core/errors.js');
  const done = { ...flags };
  if (!done.method && canPrompt()) {
    const { select } = await import('@inquirer/prompts');
    done.method = await select({
      message: '还款方式 method',
      choices: [
        { name: '等额本息 equal installment', value: 'equal_installment' },
        { name: '等额本金 equal principal', value: 'equal_principal' },
        { name: '免息分期 interest-free', value: 'interest_free' },
        { name: '自定义 custom lines', value: 'custom' },
      ],
    });
  }
  done.method ??= 'equal_installment';
  for (const item of REQUIRED) {
    if (done[item.key] !== undefined || (item.when && !item.when(done))) continue;
    if (!canPrompt()) throw new BadInput(item.flag, null, `a value (${item.question})`);
    const { input } = await import('@inquirer/prompts');
    (done as Record<string, unknown>)[item.key] = await input({ message: item.question, required: true });
  }
  return done;
}

async function readLinesFile(file: string) {
  const { BadInput } = await import('../core/errors.js');
  const { parseMoney } = await import('../core/money.js');
  const { parseDate } = await import('../core/dates.js');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch {
    throw new BadInput('--lines-file', file, 'a readable CSV (seq,type,due_date,amount_due) or JSON file');
  }
  const records: Record<string, string>[] = file.endsWith('.json')
    ? JSON.parse(text)
    : (() => {
        const [head = '', ...rest] = text.split(/\r?\n/).filter((l) => l.trim());
        const keys = head.split(',').map((k) => k.trim());
        return rest.map((l) => Object.fromEntries(l.split(',').map((v, i) => [keys[i] ?? `c${i}`, v.trim()])));
      })();
  return records.map((r, i) => {
    const where = `${file} line ${i + 2}`;
    const seq = Number(r.seq);
    if (!Number.isInteger(seq)) throw new BadInput(`seq (${where})`, r.seq, 'an installment number');
    return {
      seq,
      type: (r.type ?? 'principal').trim() || 'principal',
      dueDate: parseDate(String(r.due_date ?? r.dueDate ?? ''), `due_date (${where})`),
      amountDue: parseMoney(String(r.amount_due ?? r.amountDue ?? ''), `amount_due (${where})`),
    };
  });
}

export function register(program: Command): void {
  const contract = program.command('contract').description('contracts (合同) and their repayment schedules (还款计划)');

  contract
    .command('create')
    .description('create a contract with its schedule (prompts for missing values at a terminal)')
    .option('--dealer <code>', 'dealer code')
    .option('--contract-no <no>', 'contract number, unique within the dealer')
    .option('--customer <name>', 'customer name (客户名称)')
    .option('--id-number <id>', 'ID or unified social credit number (证件号码)')
    .option('--phone <phone>', 'customer phone')
    .option('--address <address>', 'customer address')
    .option('--machine <serial:model>', 'a financed machine, e.g. SY215C-2025-0001:SY215C (repeatable)', collect)
    .option('--collector <username>', 'the collector responsible (催收人员)')
    .option('--sign-date <date>', 'sign date YYYY-MM-DD')
    .option('--contract-amount <amount>', 'contract amount (合同金额)')
    .option('--down-payment <amount>', 'down payment already agreed (首付)')
    .option('--method <method>', 'equal_installment (等额本息, default), equal_principal (等额本金), interest_free (免息分期), custom')
    .option('--principal <amount>', 'financed principal')
    .option('--annual-rate <rate>', 'annual interest rate, e.g. 0.049 or 4.9%')
    .option('--term-months <n>', 'number of monthly installments')
    .option('--first-due-date <date>', 'first due date; later ones fall on the same day, clamped to month end')
    .option('--lines-file <file>', 'custom schedule lines: CSV seq,type,due_date,amount_due or JSON')
    .option('--financier <name>', 'the bank or leasing company financing it, if any')
    .option('--note <text>', 'note')
    .action(async (flags: CreateFlags, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const f = await completeFlags(flags);
        const { BadInput } = await import('../core/errors.js');
        const { parseMoney, parseRate } = await import('../core/money.js');
        const { parseDate } = await import('../core/dates.js');
        const { SCHEDULE_METHODS } = await import('../receivables/schedule.js');
        const { createContract } = await import('../receivables/contracts.js');
        if (!(SCHEDULE_METHODS as readonly string[]).includes(f.method ?? '')) {
          throw new BadInput('--method', f.method, SCHEDULE_METHODS.join(', '));
        }
        const machines = (f.machine ?? []).map((m) => {
          const [serialNo = '', model = ''] = m.split(':');
          if (!serialNo.trim() || !model.trim()) throw new BadInput('--machine', m, 'SERIAL:MODEL, e.g. SY215C-0001:SY215C');
          return { serialNo, model };
        });
        const termMonths = f.termMonths === undefined ? undefined : Number(f.termMonths);
        if (termMonths !== undefined && !Number.isInteger(termMonths))
          throw new BadInput('--term-months', f.termMonths, 'a whole number of months');
        const created = await ctx.knex.transaction(async (tx) =>
          createContract(tx, ctx.actor, {
            dealer: f.dealer as string,
            contractNo: f.contractNo as string,
            customer: { name: f.customer as string, idNumber: f.idNumber, phone: f.phone, address: f.address },
            machines,
            collector: f.collector,
            signDate: f.signDate === undefined ? undefined : parseDate(f.signDate, '--sign-date'),
            contractAmount: f.contractAmount === undefined ? undefined : parseMoney(f.contractAmount, '--contract-amount'),
            downPayment: f.downPayment === undefined ? undefined : parseMoney(f.downPayment, '--down-payment'),
            financier: f.financier,
            note: f.note,
            method: f.method as 'custom',
            principal: f.principal === undefined ? undefined : parseMoney(f.principal, '--principal'),
            annualRate:
              f.annualRate === undefined
                ? f.method === 'interest_free'
                  ? parseRate('0')
                  : undefined
                : parseRate(f.annualRate, '--annual-rate'),
            termMonths,
            firstDueDate: f.firstDueDate === undefined ? undefined : parseDate(f.firstDueDate, '--first-due-date'),
            lines: f.linesFile ? await readLinesFile(f.linesFile) : undefined,
          }),
        );
        emit(
          ctx,
          created,
          () =>
            `contract ${created.dealer}/${created.contractNo} created (id ${created.id}); see: zq contract schedule ${created.contractNo}`,
        );
        const { idNumberKind } = await import('../core/id-number.js');
        if (f.idNumber && idNumberKind(f.idNumber) === null) {
          process.stderr.write(
            `zq: warning: --id-number ${JSON.stringify(f.idNumber)} is neither an 18-character resident ID nor a unified social credit code (wrong length, characters or check character); stored as given\n`,
          );
        }
      });
    });

  contract
    .command('list')
    .description('contracts in your data scope with their balances')
    .option('--dealer <code>', 'only this dealer')
    .option('--collector <username>', 'only this collector’s contracts')
    .option('--status <status>', 'active, settled or written_off')
    .option('--overdue', 'only contracts with something overdue')
    .option('--as-of <date>', 'balances as of this business date (default: today)')
    .option('--limit <n>', 'at most this many rows')
    .action(async (opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { parseDate, today } = await import('../core/dates.js');
        const { listContracts } = await import('../receivables/contracts.js');
        const { formatMoneyGrouped } = await import('../core/money.js');
        const asOf = opts.asOf ? parseDate(opts.asOf, '--as-of') : today();
        const rows = await listContracts(ctx.knex, ctx.actor, {
          dealer: opts.dealer,
          collector: opts.collector,
          status: opts.status,
          overdue: opts.overdue === true,
          asOf,
          limit: opts.limit === undefined ? undefined : Number(opts.limit),
        });
        emit(
          ctx,
          rows,
          () =>
            `${table(rows, [
              { header: '经销商', value: (r) => r.dealer },
              { header: '合同编号', value: (r) => r.contractNo },
              { header: '客户', value: (r) => r.customer },
              { header: '催收员', value: (r) => r.collector },
              { header: '状态', value: (r) => contractStatusName(r.status) },
              { header: '应还', value: (r) => formatMoneyGrouped(r.amountDue), align: 'right' },
              { header: '已还', value: (r) => formatMoneyGrouped(r.amountPaid), align: 'right' },
              { header: '未还', value: (r) => formatMoneyGrouped(r.outstanding), align: 'right' },
              { header: '逾期', value: (r) => formatMoneyGrouped(r.overdue), align: 'right' },
            ])}\n${rows.length} contract(s) as of ${asOf}`,
        );
      });
    });

  contract
    .command('show <contractNo>')
    .description('a contract’s lines, payments, overdue days and penalty as of a date')
    .option('--dealer <code>', 'the dealer, where the number exists at more than one')
    .option('--as-of <date>', 'figures as of this business date (default: today)')
    .action(async (contractNo: string, opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { parseDate, today } = await import('../core/dates.js');
        const { showContract, renderContract } = await import('../receivables/show.js');
        const asOf = opts.asOf ? parseDate(opts.asOf, '--as-of') : today();
        const shown = await showContract(ctx.knex, ctx.actor, contractNo, opts.dealer, asOf);
        emit(ctx, shown, () => renderContract(shown));
      });
    });

  contract
    .command('schedule <contractNo>')
    .description('a contract’s repayment schedule: any version, or what changed between two')
    .option('--dealer <code>', 'the dealer, where the number exists at more than one')
    .option('--version <n>', 'schedule version (default: the latest)')
    .option('--diff [n]', 'compare with version n (default: the version before)')
    .action(async (contractNo: string, opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { findContract, contractSchedule, scheduleDiff } = await import('../receivables/contracts.js');
        const { installmentTotals } = await import('../receivables/schedule.js');
        const { dec, formatMoneyGrouped } = await import('../core/money.js');
        const { BadInput } = await import('../core/errors.js');
        const versionOf = (flag: string, value: unknown) => {
          const n = Number(value);
          if (!Number.isInteger(n) || n < 1) throw new BadInput(flag, String(value), 'a version number (1, 2, …)');
          return n;
        };
        const version = opts.version === undefined ? undefined : versionOf('--version', opts.version);
        const ref = await findContract(ctx.knex, contractNo, opts.dealer, ctx.actor);
        const schedule = await contractSchedule(ctx.knex, ref, version);
        if (opts.diff !== undefined) {
          if (opts.diff === true && schedule.version === 1)
            throw new BadInput(
              '--diff',
              null,
              `a version to compare with: version 1 is the first (versions ${schedule.versions.join(', ')})`,
            );
          const other = opts.diff === true ? schedule.version - 1 : versionOf('--diff', opts.diff);
          if (!schedule.versions.includes(other) || other === schedule.version)
            throw new BadInput('--diff', opts.diff, `another version of the schedule: ${schedule.versions.join(', ')}`);
          const [a, b] = other < schedule.version ? [other, schedule.version] : [schedule.version, other];
          const diff = await scheduleDiff(ctx.knex, ref, a, b);
          emit(ctx, { dealer: ref.dealer, contractNo: ref.contractNo, ...diff }, () => {
            const rows = [...diff.removed.map((l) => ({ ...l, change: '-' })), ...diff.added.map((l) => ({ ...l, change: '+' }))];
            return [
              `${ref.dealer}/${ref.contractNo}  version ${a} → ${b}: ${diff.to.source} from ${diff.to.effectiveFrom}${diff.to.reason ? ` (${diff.to.reason})` : ''}`,
              table(rows, [
                { header: '±', value: (r) => r.change },
                { header: '期次', value: (r) => r.seq, align: 'right' },
                { header: '款项', value: (r) => receivableTypeName(r.type) },
                { header: '应还日期', value: (r) => r.dueDate },
                { header: '金额', value: (r) => formatMoneyGrouped(r.amountDue), align: 'right' },
              ]),
              `removed ${diff.removed.length} line(s) ${formatMoneyGrouped(diff.totals.removed)}; added ${diff.added.length} line(s) ${formatMoneyGrouped(diff.totals.added)}; ${diff.unchanged} unchanged`,
              `total ${formatMoneyGrouped(diff.totals.from)} → ${formatMoneyGrouped(diff.totals.to)}`,
            ].join('\n');
          });
          return;
        }
        const json = { dealer: ref.dealer, contractNo: ref.contractNo, ...schedule };
        emit(ctx, json, () => {
          const totals = installmentTotals(schedule.lines.map((l) => ({ ...l, amountDue: dec(l.amountDue) })));
          const rows = totals.map((t) => ({
            ...t,
            parts: schedule.lines.filter((l) => l.seq === t.seq),
          }));
          const part = (r: (typeof rows)[number], type: string) => {
            const line = r.parts.find((l) => l.type === type);
            return line ? formatMoneyGrouped(line.amountDue) : '';
          };
          const others = (r: (typeof rows)[number]) =>
            r.parts
              .filter((l) => l.type !== 'principal' && l.type !== 'interest')
              .map((l) => `${receivableTypeName(l.type)} ${formatMoneyGrouped(l.amountDue)}`)
              .join('; ');
          return [
            `${ref.dealer}/${ref.contractNo}  version ${schedule.version} of ${schedule.versions.length} (${schedule.source}, from ${schedule.effectiveFrom}${schedule.reason ? `: ${schedule.reason}` : ''})`,
            table(rows, [
              { header: '期次', value: (r) => r.seq, align: 'right' },
              { header: '应还日期', value: (r) => r.dueDate },
              { header: '本金', value: (r) => part(r, 'principal'), align: 'right' },
              { header: '利息', value: (r) => part(r, 'interest'), align: 'right' },
              { header: '其他', value: others },
              { header: '合计', value: (r) => formatMoneyGrouped(r.total), align: 'right' },
            ]),
            `total ${formatMoneyGrouped(totals.reduce((s, t) => s.plus(t.total), dec(0)))}`,
          ].join('\n');
        });
      });
    });

  contract
    .command('reschedule <contractNo>')
    .description('还款计划变更: re-plan the unpaid installments due on or after --from (new terms or custom lines); counts once approved')
    .option('--dealer <code>', 'the dealer, where the number exists at more than one')
    .requiredOption('--from <date>', 'the change date: unpaid principal and interest due on or after it are re-planned')
    .option('--method <method>', 'equal_installment (default), equal_principal or interest_free; or use --lines-file')
    .option('--term-months <n>', 'number of new monthly installments')
    .option('--annual-rate <rate>', 'annual interest rate of the new terms, e.g. 0.049 or 4.9%')
    .option('--first-due-date <date>', 'first new due date (on or after --from)')
    .option('--lines-file <file>', 'custom new lines instead: CSV seq,type,due_date,amount_due or JSON')
    .option('--principal <amount>', 'principal of the new plan (default: the unpaid principal re-planned)')
    .requiredOption('--reason <text>', 'why the schedule changes')
    .action(async (contractNo: string, opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { BadInput } = await import('../core/errors.js');
        const { parseDate } = await import('../core/dates.js');
        const { parseMoney, parseRate } = await import('../core/money.js');
        const { requestReschedule } = await import('../receivables/schedule-changes.js');
        const from = parseDate(opts.from, '--from');
        let terms: import('../receivables/schedule-changes.js').NewTerms;
        if (opts.linesFile) {
          if (opts.method || opts.termMonths || opts.firstDueDate || opts.annualRate)
            throw new BadInput('--lines-file', opts.linesFile, 'either custom lines or new terms (--method …), not both');
          terms = { kind: 'lines', lines: await readLinesFile(opts.linesFile) };
        } else {
          const method = opts.method ?? 'equal_installment';
          if (!['equal_installment', 'equal_principal', 'interest_free'].includes(method))
            throw new BadInput('--method', method, 'equal_installment, equal_principal or interest_free (or --lines-file)');
          for (const flag of ['termMonths', 'firstDueDate'] as const)
            if (!opts[flag])
              throw new BadInput(`--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, null, 'a value for the new terms');
          if (!opts.annualRate && method !== 'interest_free') throw new BadInput('--annual-rate', null, 'the new annual rate');
          const termMonths = Number(opts.termMonths);
          if (!Number.isInteger(termMonths)) throw new BadInput('--term-months', opts.termMonths, 'a whole number of months');
          terms = {
            kind: 'terms',
            method,
            termMonths,
            annualRate: parseRate(opts.annualRate ?? '0', '--annual-rate'),
            firstDueDate: parseDate(opts.firstDueDate, '--first-due-date'),
          };
        }
        // negative amounts reach the core's check, which says 'greater than zero' for 0 and -1 alike
        const principal = opts.principal === undefined ? undefined : parseMoney(opts.principal, '--principal', { allowNegative: true });
        const input = { contractNo, dealer: opts.dealer, from, terms, principal, reason: opts.reason };
        const result = await ctx.knex.transaction((tx) => requestReschedule(tx, ctx.actor, input));
        const { formatMoney } = await import('../core/money.js');
        const out = { ...result.document, approval: result.approval };
        emit(ctx, out, () =>
          [
            `schedule change ${out.id} ${out.number} on ${out.contractNo} from ${from}: ${result.plan.retire.length} unpaid line(s) re-planned as ${result.plan.lines.length} line(s), principal ${formatMoney(result.plan.principal)}`,
            result.approval === 'approved'
              ? `approved (no approval rule): see zq contract schedule ${out.contractNo} --diff`
              : `waiting for approval (zq approval show ${out.id}); preview the lines with zq doc show ${out.id}`,
          ].join('\n'),
        );
      });
    });

  contract
    .command('charge <contractNo>')
    .description('代付/代垫: a payment on behalf or an advance becomes a receivable line once approved')
    .option('--dealer <code>', 'the dealer, where the number exists at more than one')
    .requiredOption('--type <type>', 'on_behalf_payment (代付) or advance (代垫)')
    .requiredOption('--amount <amount>', 'the amount paid or advanced')
    .requiredOption('--due <date>', 'when the customer owes it')
    .requiredOption('--reason <text>', 'what was paid, e.g. 保险费 2026 or GPS')
    .action(async (contractNo: string, opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { parseDate } = await import('../core/dates.js');
        const { parseMoney } = await import('../core/money.js');
        const { requestCharge } = await import('../receivables/schedule-changes.js');
        const input = {
          contractNo,
          dealer: opts.dealer,
          type: opts.type,
          amount: parseMoney(opts.amount, '--amount', { allowNegative: true }),
          due: parseDate(opts.due, '--due'),
          reason: opts.reason,
        };
        const result = await ctx.knex.transaction((tx) => requestCharge(tx, ctx.actor, input));
        const out = { ...result.document, approval: result.approval };
        emit(ctx, out, () =>
          result.approval === 'approved'
            ? `charge ${out.id} ${out.number}: ${input.type} ${out.amount} due ${input.due} on ${out.contractNo}, approved (no approval rule) and added to the schedule`
            : `charge ${out.id} ${out.number}: ${input.type} ${out.amount} due ${input.due} on ${out.contractNo}, waiting for approval (zq approval show ${out.id})`,
        );
      });
    });
}
