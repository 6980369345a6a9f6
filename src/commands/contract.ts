import fs from 'node:fs';
import type { Command } from 'commander';
import { contractStatusName, receivableTypeName } from '../core/labels.js';
import { table } from '../core/table.js';
import type { ContractCreateRaw, LinesFile } from '../receivables/contract-actions.js';
import { act, canPrompt, collect } from './context.js';
import { flagOf } from './flags.js';

/** decimal.js and the actions load only when a command runs, not for `zq --help`. */
const money = () => import('../core/money.js');
const actions = () => import('../receivables/contract-actions.js');

/** A lines file's columns are named as the file names them, not as flags. */
const FILE_COLUMNS = { lines: 'lines', seq: 'seq', type: 'type', due_date: 'due_date', amount_due: 'amount_due' } as const;

/** The lines file the user named, read: CSV with a header row, or JSON. The action checks the lines. */
async function readLinesFile(file: string): Promise<LinesFile> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch {
    const { BadInput } = await import('../core/errors.js');
    throw new BadInput('--lines-file', file, 'a readable CSV (seq,type,due_date,amount_due) or JSON file');
  }
  if (file.endsWith('.json')) return { file, records: JSON.parse(text) };
  const [head = '', ...rest] = text.split(/\r?\n/).filter((l) => l.trim());
  const keys = head.split(',').map((k) => k.trim());
  const records = rest.map((l) => Object.fromEntries(l.split(',').map((v, i) => [keys[i] ?? `c${i}`, v.trim()])));
  return { file, records };
}

type CreateFlags = Omit<ContractCreateRaw, 'linesFile'> & { linesFile?: string };

/** At a terminal, asks for the method and the required values not given; elsewhere the action names them. */
async function askMissing(flags: CreateFlags): Promise<CreateFlags> {
  if (!canPrompt()) return flags;
  const { input, select } = await import('@inquirer/prompts');
  const done = { ...flags };
  done.method ??= await select({
    message: '还款方式 method',
    choices: [
      { name: '等额本息 equal installment', value: 'equal_installment' },
      { name: '等额本金 equal principal', value: 'equal_principal' },
      { name: '免息分期 interest-free', value: 'interest_free' },
      { name: '自定义 custom lines', value: 'custom' },
    ],
  });
  const { missingForCreate } = await actions();
  for (const item of missingForCreate(done as ContractCreateRaw)) {
    done[item.field] = await input({ message: item.question, required: true });
  }
  return done;
}

async function create(flags: CreateFlags, cmd: Command): Promise<void> {
  const f = await askMissing(flags);
  const raw: ContractCreateRaw = { ...f, linesFile: f.linesFile === undefined ? undefined : await readLinesFile(f.linesFile) };
  await act(
    cmd,
    'contract.create',
    raw,
    (c) => `contract ${c.dealer}/${c.contractNo} created (id ${c.id}); see: zq contract schedule ${c.contractNo}`,
    FILE_COLUMNS,
  );
  const { createWarnings } = await actions();
  for (const w of createWarnings(raw))
    process.stderr.write(`zq: warning: ${flagOf(w.field, {})} ${JSON.stringify(w.value)} ${w.problem}\n`);
}

interface ListFlags {
  dealer?: string;
  collector?: string;
  status?: string;
  overdue?: boolean;
  asOf?: string;
  limit?: string;
}

async function list(opts: ListFlags, cmd: Command): Promise<void> {
  const { formatMoneyGrouped } = await money();
  const { parseDate, today } = await import('../core/dates.js');
  const asOf = opts.asOf ?? today();
  await act(
    cmd,
    'contract.list',
    { ...opts, asOf },
    (rows) =>
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
      ])}\n${rows.length} contract(s) as of ${parseDate(asOf)}`,
  );
}

async function show(contractNo: string, opts: { dealer?: string; asOf?: string }, cmd: Command): Promise<void> {
  const { today } = await import('../core/dates.js');
  const { renderContract } = await import('../receivables/show.js');
  await act(cmd, 'contract.show', { contractNo, dealer: opts.dealer, asOf: opts.asOf ?? today() }, renderContract);
}

type ScheduleOut = import('../app/run.js').Output<'contract.schedule'>;
type VersionOut = Exclude<ScheduleOut, { added: unknown }>;
type DiffOut = Extract<ScheduleOut, { added: unknown }>;
type Money = typeof import('../core/money.js');
type Installments = typeof import('../receivables/schedule.js')['installmentTotals'];

function diffText(out: DiffOut, g: Money['formatMoneyGrouped']): string {
  const rows = [...out.removed.map((l) => ({ ...l, change: '-' })), ...out.added.map((l) => ({ ...l, change: '+' }))];
  return [
    `${out.dealer}/${out.contractNo}  version ${out.from.version} → ${out.to.version}: ${out.to.source} from ${out.to.effectiveFrom}${out.to.reason ? ` (${out.to.reason})` : ''}`,
    table(rows, [
      { header: '±', value: (r) => r.change },
      { header: '期次', value: (r) => r.seq, align: 'right' },
      { header: '款项', value: (r) => receivableTypeName(r.type) },
      { header: '应还日期', value: (r) => r.dueDate },
      { header: '金额', value: (r) => g(r.amountDue), align: 'right' },
    ]),
    `removed ${out.removed.length} line(s) ${g(out.totals.removed)}; added ${out.added.length} line(s) ${g(out.totals.added)}; ${out.unchanged} unchanged`,
    `total ${g(out.totals.from)} → ${g(out.totals.to)}`,
  ].join('\n');
}

function versionText(out: VersionOut, m: Money, installmentTotals: Installments): string {
  const g = m.formatMoneyGrouped;
  const totals = installmentTotals(out.lines.map((l) => ({ ...l, amountDue: m.dec(l.amountDue) })));
  const rows = totals.map((t) => ({ ...t, parts: out.lines.filter((l) => l.seq === t.seq) }));
  type Row = (typeof rows)[number];
  const part = (r: Row, type: string) => {
    const line = r.parts.find((l) => l.type === type);
    return line ? g(line.amountDue) : '';
  };
  const others = (r: Row) =>
    r.parts
      .filter((l) => l.type !== 'principal' && l.type !== 'interest')
      .map((l) => `${receivableTypeName(l.type)} ${g(l.amountDue)}`)
      .join('; ');
  return [
    `${out.dealer}/${out.contractNo}  version ${out.version} of ${out.versions.length} (${out.source}, from ${out.effectiveFrom}${out.reason ? `: ${out.reason}` : ''})`,
    table(rows, [
      { header: '期次', value: (r) => r.seq, align: 'right' },
      { header: '应还日期', value: (r) => r.dueDate },
      { header: '本金', value: (r) => part(r, 'principal'), align: 'right' },
      { header: '利息', value: (r) => part(r, 'interest'), align: 'right' },
      { header: '其他', value: others },
      { header: '合计', value: (r) => g(r.total), align: 'right' },
    ]),
    `total ${g(m.sumMoney(totals.map((t) => t.total)))}`,
  ].join('\n');
}

async function schedule(contractNo: string, opts: { dealer?: string; version?: string; diff?: string | true }, cmd: Command) {
  const m = await money();
  const { installmentTotals } = await import('../receivables/schedule.js');
  await act(cmd, 'contract.schedule', { contractNo, ...opts }, (out) =>
    'added' in out ? diffText(out, m.formatMoneyGrouped) : versionText(out, m, installmentTotals),
  );
}

type RescheduleFlags = Omit<import('../receivables/contract-actions.js').RescheduleRaw, 'contractNo' | 'linesFile'> & {
  linesFile?: string;
};

async function reschedule(contractNo: string, opts: RescheduleFlags, cmd: Command): Promise<void> {
  const linesFile = opts.linesFile === undefined ? undefined : await readLinesFile(opts.linesFile);
  await act(
    cmd,
    'contract.reschedule',
    { ...opts, contractNo, linesFile },
    (out) => {
      const plan = out.data as { retire: unknown[]; lines: unknown[] };
      return [
        `schedule change ${out.id} ${out.number} on ${out.contractNo} from ${out.valueDate}: ${plan.retire.length} unpaid line(s) re-planned as ${plan.lines.length} line(s), principal ${out.amount}`,
        out.approval === 'approved'
          ? `approved (no approval rule): see zq contract schedule ${out.contractNo} --diff`
          : `waiting for approval (zq approval show ${out.id}); preview the lines with zq doc show ${out.id}`,
      ].join('\n');
    },
    FILE_COLUMNS,
  );
}

async function charge(
  contractNo: string,
  opts: { dealer?: string; type: string; amount: string; due: string; reason: string },
  cmd: Command,
) {
  await act(cmd, 'contract.charge', { ...opts, contractNo }, (out) => {
    const what = `charge ${out.id} ${out.number}: ${out.data.receivableType} ${out.amount} due ${out.valueDate} on ${out.contractNo}`;
    return out.approval === 'approved'
      ? `${what}, approved (no approval rule) and added to the schedule`
      : `${what}, waiting for approval (zq approval show ${out.id})`;
  });
}

function registerCreate(contract: Command): void {
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
    .action(create);
}

function registerReschedule(contract: Command): void {
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
    .action(reschedule);
}

export function register(program: Command): void {
  const contract = program.command('contract').description('contracts (合同) and their repayment schedules (还款计划)');

  registerCreate(contract);

  contract
    .command('list')
    .description('contracts in your data scope with their balances')
    .option('--dealer <code>', 'only this dealer')
    .option('--collector <username>', 'only this collector’s contracts')
    .option('--status <status>', 'active, settled or written_off')
    .option('--overdue', 'only contracts with something overdue')
    .option('--as-of <date>', 'balances as of this business date (default: today)')
    .option('--limit <n>', 'at most this many rows')
    .action(list);

  contract
    .command('show <contractNo>')
    .description('a contract’s lines, payments, overdue days and penalty as of a date')
    .option('--dealer <code>', 'the dealer, where the number exists at more than one')
    .option('--as-of <date>', 'figures as of this business date (default: today)')
    .action(show);

  contract
    .command('schedule <contractNo>')
    .description('a contract’s repayment schedule: any version, or what changed between two')
    .option('--dealer <code>', 'the dealer, where the number exists at more than one')
    .option('--version <n>', 'schedule version (default: the latest)')
    .option('--diff [n]', 'compare with version n (default: the version before)')
    .action(schedule);

  registerReschedule(contract);

  contract
    .command('charge <contractNo>')
    .description('代付/代垫: a payment on behalf or an advance becomes a receivable line once approved')
    .option('--dealer <code>', 'the dealer, where the number exists at more than one')
    .requiredOption('--type <type>', 'on_behalf_payment (代付) or advance (代垫)')
    .requiredOption('--amount <amount>', 'the amount paid or advanced')
    .requiredOption('--due <date>', 'when the customer owes it')
    .requiredOption('--reason <text>', 'what was paid, e.g. 保险费 2026 or GPS')
    .action(charge);
}
