// `zq statement print`: flags → the statement.print action → files; a line per file written on stdout, progress
// on stderr (a bar at a terminal, a log line every few seconds under cron). A customer whose statement failed
// is named at the end and the command exits 2, after every other statement was written.
import type { Command } from 'commander';
import { EXIT } from '../core/errors.js';
import type { StatementProgress } from '../printing/statement-files.js';
import { act } from './context.js';

interface PrintFlags {
  customer?: string;
  contract?: string;
  collector?: string;
  dealer?: string;
  from?: string;
  to?: string;
  out?: string;
  merge?: boolean;
  format?: string;
  force?: boolean;
}

const QUIET_MS = 2000;

/** A bar rewritten in place at a terminal; otherwise a line every few seconds and one at the end (cron's log). */
export function statementProgress(
  io: { tty: boolean; write: (text: string) => void; now: () => number } = {
    tty: Boolean(process.stderr.isTTY && !process.env.CI),
    write: (text) => process.stderr.write(text),
    now: Date.now,
  },
): StatementProgress {
  const started = io.now();
  let last = started;
  return (done, total, customer) => {
    const now = io.now();
    const rate = (done / Math.max((now - started) / 1000, 0.001)).toFixed(1);
    if (io.tty) {
      const width = 30;
      const filled = Math.round((done / Math.max(total, 1)) * width);
      io.write(`\r\x1b[K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${rate}/s ${customer}`);
      if (done === total) io.write('\r\x1b[K');
    } else if (done === total || now - last >= QUIET_MS) {
      io.write(`statement print: ${done}/${total} statements, ${rate}/s\n`);
      last = now;
    }
  };
}

type PrintOut = import('../app/run.js').Output<'statement.print'>;

function summary(out: PrintOut): string {
  const count = (status: string) => out.statements.filter((s) => s.status === status).length;
  const lines = out.statements.filter((s) => s.status === 'written').map((s) => `written ${s.file}`);
  if (out.merged) lines.splice(0, lines.length, `written ${out.merged} (${out.statements.length} statements)`);
  lines.push(
    `对账单 ${out.from} 至 ${out.to}: ${count('written')} written, ${count('unchanged')} unchanged, ${count('failed')} failed${out.index ? `; index ${out.index}` : ''}`,
  );
  return lines.join('\n');
}

function reportFailures(out: PrintOut): void {
  if (out.failed.length === 0) return;
  for (const f of out.failed) process.stderr.write(`zq: statement of ${f.customer} failed: ${f.error}\n`);
  process.stderr.write(`zq: ${out.failed.length} statement(s) failed: ${out.failed.map((f) => f.customer).join(', ')}\n`);
  process.exitCode = EXIT.badInput;
}

async function print(flags: PrintFlags, cmd: Command): Promise<void> {
  await act(
    cmd,
    'statement.print',
    { ...flags, merge: flags.merge === true, force: flags.force === true, progress: () => statementProgress() },
    (out) => {
      reportFailures(out);
      return summary(out);
    },
    {},
    (out) => {
      reportFailures(out);
      return JSON.stringify(
        {
          from: out.from,
          to: out.to,
          format: out.format,
          index: out.index,
          merged: out.merged,
          statements: out.statements,
        },
        null,
        2,
      );
    },
  );
}

export function register(program: Command): void {
  const statement = program.command('statement').description('statements of account (对账单)');
  statement
    .command('print')
    .description('print statements of account for a period: one PDF per customer, an index, or one merged PDF')
    .option('--customer <id>', 'the customer with this id (its contracts in your data scope)')
    .option('--contract <no>', 'only this contract (with --dealer CODE where the number exists at several dealers)')
    .option('--collector <username>', 'every customer of this collector’s contracts')
    .option('--dealer <code>', 'every customer of this dealer')
    .option('--from <date>', 'the first day of the period')
    .option('--to <date>', 'the last day of the period: the closing figures are those of `contract show --as-of` it')
    .option('--out <dir-or-file>', 'a folder (one file per customer and an index CSV; default the current folder) or FILE.pdf')
    .option('--merge', 'every statement in one PDF (--out FILE.pdf)')
    .option('--format <format>', 'pdf (default), xlsx or html')
    .option('--force', 'replace an existing FILE, or a file in the folder zq did not write')
    .action(print);
}
