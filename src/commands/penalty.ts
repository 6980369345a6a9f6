// `zq penalty …`: penalty settings (rates, grace) and the day-by-day segments of a contract (RULES.md 罚息).
import type { Command } from 'commander';
import { table } from '../core/table.js';
import { emit, withContext } from './context.js';

export function register(program: Command): void {
  const penalty = program.command('penalty').description('penalty interest (罚息): rates, grace periods, segments');
  const rate = penalty.command('rate').description('daily penalty rates, effective-dated (罚息利率)');

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
    .action(async (opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { BadInput } = await import('../core/errors.js');
        const { parseRate } = await import('../core/money.js');
        const { parseDate } = await import('../core/dates.js');
        const { dailyRateFromAnnual } = await import('../penalty/compute.js');
        const { setPenaltyRate } = await import('../penalty/settings.js');
        if ((opts.dailyRate === undefined) === (opts.annualRate === undefined)) {
          throw new BadInput('--daily-rate', opts.dailyRate ?? null, 'either --daily-rate R or --annual-rate R --day-basis 360|365');
        }
        let dailyRate: ReturnType<typeof parseRate>;
        if (opts.dailyRate !== undefined) {
          dailyRate = parseRate(opts.dailyRate, '--daily-rate');
        } else {
          if (opts.dayBasis !== '360' && opts.dayBasis !== '365') throw new BadInput('--day-basis', opts.dayBasis ?? null, '360 or 365');
          const basis = Number(opts.dayBasis) as 360 | 365;
          const annual = parseRate(opts.annualRate, '--annual-rate');
          // 18 without % would be 1,800 % a year: a yearly penalty rate is a fraction or a percentage
          if (annual.greaterThanOrEqualTo(1))
            throw new BadInput('--annual-rate', opts.annualRate, 'a yearly rate below 100 %, e.g. 0.18 or 18%');
          const converted = dailyRateFromAnnual(annual, basis);
          if (converted.exact === null) {
            throw new BadInput(
              '--annual-rate',
              opts.annualRate,
              `a yearly rate that divides by ${basis} into a daily rate of at most 10 decimals; this one does not, so give the daily rate the contract states with --daily-rate (e.g. ${converted.nearest.toString()}, rounded half-up)`,
            );
          }
          dailyRate = converted.exact;
        }
        const from = parseDate(opts.from, '--from');
        const view = await ctx.knex.transaction((tx) =>
          setPenaltyRate(tx, ctx.actor, { dailyRate, from, type: opts.type, dealer: opts.dealer, contract: opts.contract }),
        );
        emit(
          ctx,
          view,
          () =>
            `penalty rate ${view.dailyRate} per day from ${view.from} for ${view.contract ?? view.dealer ?? 'every dealer'}${view.type ? `, type ${view.type}` : ''} (id ${view.id}); the next \`zq batch run\` applies it`,
        );
      });
    });

  rate
    .command('list')
    .description('every rate setting, least specific first')
    .action(async (_opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { listPenaltyRates } = await import('../penalty/settings.js');
        const rows = await listPenaltyRates(ctx.knex);
        emit(ctx, rows, () =>
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
        );
      });
    });

  const grace = penalty.command('grace').description('grace periods (宽限期)');
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
    .action(async (opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { BadInput } = await import('../core/errors.js');
        const { setGrace } = await import('../penalty/settings.js');
        if (!/^\d{1,3}$/.test(String(opts.days))) throw new BadInput('--days', opts.days, 'a whole number of days, e.g. 3');
        const view = await ctx.knex.transaction((tx) =>
          setGrace(tx, ctx.actor, { days: Number(opts.days), mode: opts.mode, type: opts.type, dealer: opts.dealer }),
        );
        emit(
          ctx,
          view,
          () =>
            `grace ${view.days} day(s), ${view.mode}, for ${view.dealer ?? 'every dealer'}${view.type ? `, type ${view.type}` : ''} (id ${view.id})`,
        );
      });
    });
  grace
    .command('list')
    .description('every grace setting')
    .action(async (_opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { listGrace } = await import('../penalty/settings.js');
        const rows = await listGrace(ctx.knex);
        emit(ctx, rows, () =>
          table(rows, [
            { header: 'id', value: (r) => r.id, align: 'right' },
            { header: 'dealer', value: (r) => r.dealer },
            { header: 'type', value: (r) => r.type },
            { header: 'days', value: (r) => r.days, align: 'right' },
            { header: 'mode', value: (r) => r.mode },
            { header: 'by', value: (r) => r.createdBy },
          ]),
        );
      });
    });

  const type = penalty.command('type').description('which receivable types bear penalty (计罚息的应收类型)');
  type
    .command('set <code>')
    .description('whether a receivable type bears penalty, for every line of the type; the next batch run recomputes them')
    .requiredOption('--bearing <yes|no>', 'yes: its overdue lines bear penalty; no: they do not')
    .action(async (code: string, opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { BadInput } = await import('../core/errors.js');
        const { setPenaltyBearing } = await import('../penalty/settings.js');
        if (opts.bearing !== 'yes' && opts.bearing !== 'no') throw new BadInput('--bearing', opts.bearing, 'yes or no');
        const view = await ctx.knex.transaction((tx) => setPenaltyBearing(tx, ctx.actor, code, opts.bearing === 'yes'));
        emit(
          ctx,
          view,
          () =>
            `${view.code} (${view.nameZh}) ${view.penaltyBearing ? 'bears' : 'does not bear'} penalty; the next \`zq batch run\` applies it`,
        );
      });
    });
  type
    .command('list')
    .description('the receivable types and whether each bears penalty')
    .action(async (_opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { listReceivableTypes } = await import('../penalty/settings.js');
        const rows = await listReceivableTypes(ctx.knex);
        emit(ctx, rows, () =>
          table(rows, [
            { header: 'code', value: (r) => r.code },
            { header: '类型', value: (r) => r.nameZh },
            { header: 'type', value: (r) => r.nameEn },
            { header: 'bears penalty', value: (r) => (r.penaltyBearing ? 'yes' : 'no') },
          ]),
        );
      });
    });

  penalty
    .command('show <contractNo>')
    .description('a contract’s penalty per line as day segments (from, to, days, base, rate, amount) to check by hand')
    .option('--dealer <code>', 'the dealer, where the number exists at more than one')
    .option('--as-of <date>', 'as of this business date (default: today)')
    .action(async (contractNo: string, opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const { parseDate, today } = await import('../core/dates.js');
        const { showPenalty, renderPenalty } = await import('../penalty/accrual.js');
        const asOf = opts.asOf ? parseDate(opts.asOf, '--as-of') : today();
        const shown = await showPenalty(ctx.knex, ctx.actor, contractNo, opts.dealer, asOf);
        emit(ctx, shown, () => renderPenalty(shown));
      });
    });
}
