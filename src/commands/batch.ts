// `zq batch …`: the nightly batch (跑批) for cron. No prompts; one log line per step; exit 4 on discrepancies.
import type { Command } from 'commander';
import type { BatchSummary } from '../batch/run.js';
import { BUSINESS_TIME_ZONE, formatTimestamp, today } from '../core/dates.js';
import { BadInput, EXIT } from '../core/errors.js';
import { table } from '../core/table.js';
import { act, globalOptions } from './context.js';

interface BatchRunFlags {
  date?: string;
  recomputeFrom?: string;
  full?: boolean;
  wait?: boolean;
  logFormat: string;
}

/** `zq batch run`: one log line per step (text or JSON), the discrepancies on stderr (exit 4), the summary. */
async function runBatchCommand(opts: BatchRunFlags, cmd: Command): Promise<void> {
  const json = globalOptions(cmd).json === true;
  if (opts.logFormat !== 'text' && opts.logFormat !== 'json') throw new BadInput('--log-format', opts.logFormat, 'text or json');
  // With --json the summary owns stdout; log lines go to stderr. With --log-format json every line is a JSON
  // object with an `event` (started, step, discrepancy, summary; error and warning, src/cli.ts) and the
  // wall-clock time `at` it was written.
  const out = json ? process.stderr : process.stdout;
  const jsonLog = opts.logFormat === 'json';
  const event = (name: string, fields: object) => `${JSON.stringify({ event: name, at: formatTimestamp(new Date()), ...fields })}\n`;
  // before the summary: the discrepancies on stderr, and exit 4 for them
  const discrepancies = (summary: BatchSummary) => {
    for (const d of summary.discrepancies) {
      process.stderr.write(
        jsonLog
          ? event('discrepancy', d)
          : `discrepancy ${d.date} ${d.check}: ${d.dealer}/${d.contractNo}${d.seq === null ? '' : ` line ${d.seq} ${d.type}`}: ${d.detail}\n`,
      );
    }
    if (summary.discrepancies.length > 0) process.exitCode = EXIT.reconciliation;
  };
  await act(
    cmd,
    'batch.run',
    {
      date: opts.date,
      recomputeFrom: opts.recomputeFrom,
      full: opts.full,
      wait: opts.wait,
      today: today(),
      onStep: (line) => {
        if (jsonLog) {
          out.write(event('step', line));
          return;
        }
        const counts = Object.entries(line.counts).map(([k, v]) => `${k}=${v}`);
        const totals = Object.entries(line.totals).map(([k, v]) => `${k}=${v}`);
        const what = line.message ?? [...counts, ...totals, `discrepancies=${line.discrepancies}`].join(' ');
        out.write(`${line.date} ${line.step} ${line.status} ${line.durationMs} ms ${what}\n`);
      },
      onStart: (date, step) => out.write(jsonLog ? event('started', { date, step }) : `${date} ${step} started\n`),
    },
    (summary) => {
      discrepancies(summary);
      if (jsonLog) {
        const { discrepancies: found, ...rest } = summary;
        return event('summary', { ...rest, discrepancies: found.length }).trimEnd();
      }
      return summary.alreadyDone
        ? `nothing to do: business dates through ${summary.lastCompletedBefore} are done (use --recompute-from DATE to redo)`
        : `batch done for ${summary.datesRun.length} business date(s): ${summary.datesRun[0]} … ${summary.datesRun.at(-1)}; ${summary.discrepancies.length} discrepancy(ies)`;
    },
    {},
    (summary) => {
      discrepancies(summary);
      return JSON.stringify(summary, null, 2);
    },
  );
}

export function register(program: Command): void {
  const batch = program.command('batch').description('the nightly batch (跑批): credit, penalty accrual, reconciliation');

  batch
    .command('run')
    .description(`runs every business date after the last completed one, up to --date (default: yesterday, ${BUSINESS_TIME_ZONE})`)
    .option('--date <date>', 'the last business date to run (YYYY-MM-DD)')
    .option('--recompute-from <date>', 'redo every date from this one (a full recomputation of the penalty segments)')
    .option('--full', 'reconcile the stored segments of every line, not a sample')
    .option('--wait', 'wait for a batch already running instead of exiting')
    .option('--log-format <format>', 'text (default) or json: one line per step', 'text')
    .action(runBatchCommand);

  batch
    .command('status')
    .description('the batch runs: each step and business date with counts, totals, discrepancies and duration')
    .option('--limit <n>', 'at most this many rows (default 30)', '30')
    .action((opts, cmd: Command) =>
      act(cmd, 'batch.status', { limit: opts.limit }, ({ lastCompleted, runs }) =>
        [
          `last completed business date: ${lastCompleted ?? 'none yet'}`,
          table(runs, [
            { header: 'date', value: (r) => r.businessDate },
            { header: 'step', value: (r) => r.step },
            { header: 'status', value: (r) => r.status },
            { header: 'ms', value: (r) => r.durationMs, align: 'right' },
            { header: 'discrepancies', value: (r) => r.discrepancies, align: 'right' },
            {
              header: 'counts / totals',
              value: (r) =>
                r.error
                  ? `error: ${r.error}`
                  : Object.entries({ ...r.counts, ...r.totals })
                      .map(([k, v]) => `${k}=${v}`)
                      .join(' '),
            },
          ]),
        ].join('\n'),
      ),
    );
}
