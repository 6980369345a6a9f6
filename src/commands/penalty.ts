// `zq penalty …`: penalty settings (rates, grace) and the day-by-day segments of a contract (RULES.md 罚息).
import type { Command } from 'commander';
import { table } from '../core/table.js';
import { act } from './context.js';

export function register(program: Command): void {
  const penalty = program.command('penalty').description('penalty interest (罚息): rates, grace periods, segments');
  rateCommands(penalty.command('rate').description('daily penalty rates, effective-dated (罚息利率)'));
  graceCommands(penalty.command('grace').description('grace periods (宽限期)'));
  typeCommands(penalty.command('type').description('which receivable types bear penalty (计罚息的应收类型)'));
  penalty
    .command('show <contractNo>')
    .description('a contract’s penalty per line as day segments (from, to, days, base, rate, amount) to check by hand')
    .option('--dealer <code>', 'the dealer, where the number exists at more than one')
    .option('--as-of <date>', 'as of this business date (default: today)')
    .action(async (contractNo: string, opts, cmd: Command) => {
      const { today } = await import('../core/dates.js');
      const { renderPenalty } = await import('../penalty/accrual.js');
      await act(cmd, 'penalty.show', { contractNo, dealer: opts.dealer, asOf: opts.asOf || today() }, renderPenalty, {
        contractNo: 'contractNo',
      });
    });
}

function rateCommands(rate: Command): void {
  rate
    .command('set')
    .description('a daily rate from a date; most specific wins: contract → dealer + type → dealer → type → default 0.0005')
    .option('--daily-rate <rate>', 'daily rate, e.g. 0.0005 (万分之五)')
    .option(
      '--annual-rate <rate>',
      'a yearly rate instead, e.g. 0.18 or 18%, divided exactly by --day-basis (refused when the daily rate would need rounding)',
    )
    .option('--day-basis <days>', '360 or 365 (with --annual-rate)')
    .requiredOption('--from <date>', 'effective from this business date (YYYY-MM-DD)')
    .option('--type <code>', 'only this receivable type')
    .option('--dealer <code>', 'only this dealer (or the dealer of --contract, where the number exists at several)')
    .option('--contract <no>', 'only this contract')
    .action((opts, cmd: Command) =>
      act(
        cmd,
        'penalty.rate.set',
        opts,
        (view) =>
          `penalty rate ${view.dailyRate} per day from ${view.from} for ${view.contract ?? view.dealer ?? 'every dealer'}${view.type ? `, type ${view.type}` : ''} (id ${view.id}); the next \`zq batch run\` applies it`,
      ),
    );

  rate
    .command('list')
    .description('every rate setting, least specific first')
    .action((_opts, cmd: Command) =>
      act(cmd, 'penalty.rate.list', {}, (rows) =>
        table(rows, [
          { header: 'id', value: (r) => r.id, align: 'right' },
          { header: 'scope', value: (r) => r.scope },
          { header: 'contract', value: (r) => r.contract },
          { header: 'dealer', value: (r) => r.dealer },
          { header: 'type', value: (r) => r.type },
          { header: 'from', value: (r) => r.from },
          { header: 'daily rate', value: (r) => r.dailyRate, align: 'right' },
          { header: 'by', value: (r) => r.createdBy },
        ]),
      ),
    );
}

function graceCommands(grace: Command): void {
  grace
    .command('set')
    .description('grace days for a type and/or dealer; a line paid in full by due date + N bears no penalty')
    .requiredOption('--days <n>', 'grace days (0 or more)')
    .option(
      '--mode <mode>',
      'retroactive (penalty from the day after the due date, default) or forward (from the day after the grace period)',
      'retroactive',
    )
    .option('--type <code>', 'only this receivable type')
    .option('--dealer <code>', 'only this dealer')
    .action((opts, cmd: Command) =>
      act(
        cmd,
        'penalty.grace.set',
        opts,
        (view) =>
          `grace ${view.days} day(s), ${view.mode}, for ${view.dealer ?? 'every dealer'}${view.type ? `, type ${view.type}` : ''} (id ${view.id})`,
      ),
    );
  grace
    .command('list')
    .description('every grace setting')
    .action((_opts, cmd: Command) =>
      act(cmd, 'penalty.grace.list', {}, (rows) =>
        table(rows, [
          { header: 'id', value: (r) => r.id, align: 'right' },
          { header: 'dealer', value: (r) => r.dealer },
          { header: 'type', value: (r) => r.type },
          { header: 'days', value: (r) => r.days, align: 'right' },
          { header: 'mode', value: (r) => r.mode },
          { header: 'by', value: (r) => r.createdBy },
        ]),
      ),
    );
}

function typeCommands(type: Command): void {
  type
    .command('set <code>')
    .description('whether a receivable type bears penalty, for every line of the type; the next batch run recomputes them')
    .requiredOption('--bearing <yes|no>', 'yes: its overdue lines bear penalty; no: they do not')
    .action((code: string, opts, cmd: Command) =>
      act(
        cmd,
        'penalty.type.set',
        { code, bearing: opts.bearing },
        (view) =>
          `${view.code} (${view.nameZh}) ${view.penaltyBearing ? 'bears' : 'does not bear'} penalty; the next \`zq batch run\` applies it`,
        { code: 'code' },
      ),
    );
  type
    .command('list')
    .description('the receivable types and whether each bears penalty')
    .action((_opts, cmd: Command) =>
      act(cmd, 'penalty.type.list', {}, (rows) =>
        table(rows, [
          { header: 'code', value: (r) => r.code },
          { header: '类型', value: (r) => r.nameZh },
          { header: 'type', value: (r) => r.nameEn },
          { header: 'bears penalty', value: (r) => (r.penaltyBearing ? 'yes' : 'no') },
        ]),
      ),
    );
}
