import type { Command } from 'commander';
import { table } from '../core/table.js';
import type { ImportRunResult } from '../imports/import-actions.js';
import type { ImportSummary, Progress } from '../imports/index.js';
import { act, globalOptions } from './context.js';
import { compareFile } from './import-compare.js';

/**
 * A path the user typed names itself in an error about the file's content (`m.yaml: fields.x`): kept as typed,
 * not taken for an input field to restate as a flag.
 */
function asTyped(path: string | undefined): Record<string, string> {
  const head = path === undefined ? undefined : /^[A-Za-z_][A-Za-z0-9_]*/.exec(path)?.[0];
  return head === undefined ? {} : { [head]: head };
}

function describeCounts(counts: Record<string, number | undefined>): string {
  const parts = Object.entries(counts)
    .filter(([k, v]) => (v ?? 0) > 0 && k !== 'linesNotInFile' && k !== 'receiptsDuplicate')
    .map(([k, v]) => `${v} ${k.replace(/([A-Z])/g, ' $1').toLowerCase()}`);
  return parts.length > 0 ? parts.join(', ') : 'nothing new';
}

/**
 * Progress on stderr, never stdout: at a terminal one line rewritten as rows are read; otherwise a line every
 * few seconds, and only for an import that takes that long. Writing the rows is announced too: on a large
 * file it is the longer half.
 */
export function progressReporter(
  io: { tty: boolean; write: (text: string) => void; now: () => number } = {
    tty: Boolean(process.stderr.isTTY && !process.env.CI),
    write: (text) => process.stderr.write(text),
    now: Date.now,
  },
): { report: Progress; done(): void } {
  const { tty, write, now: clock } = io;
  const startedAt = clock();
  let lastLine = startedAt;
  let shown = false;
  const QUIET_MS = 2000;
  return {
    report(file, rows, phase) {
      const now = clock();
      const rate = Math.round(rows / Math.max((now - startedAt) / 1000, 0.001));
      const text =
        phase === 'reading'
          ? `${file}: ${rows.toLocaleString('en')} rows read, ${rate.toLocaleString('en')} rows/s`
          : `${file}: ${rows.toLocaleString('en')} rows read; writing them…`;
      if (tty) {
        write(`\r\x1b[K${text}`);
        shown = true;
      } else if (now - startedAt >= QUIET_MS && (phase === 'merging' || now - lastLine >= QUIET_MS)) {
        write(`import ${text}\n`);
        lastLine = now;
      }
    },
    done() {
      if (tty && shown) write('\r\x1b[K');
    },
  };
}

function describe(s: ImportSummary, printed: number): string {
  const head = `${s.file}: ${s.status}${s.importId ? ` (import #${s.importId})` : ''} — ${s.kind ?? 'unknown kind'}${s.dealer ? `, dealer ${s.dealer}` : ''}${s.asOf ? `, as of ${s.asOf}` : ''}; ${s.rowsRead} row(s) read, ${s.rowsImported} imported, ${s.rowsRejected} rejected in ${(s.durationMs / 1000).toFixed(1)} s`;
  const lines = [head];
  if (s.previousImport) lines.push(`  this file was imported before: import #${s.previousImport.id} at ${s.previousImport.at}`);
  if (s.status === 'imported' || s.status === 'dry_run' || s.status === 'unchanged')
    lines.push(`  ${describeCounts(s.counts as Record<string, number>)}`);
  for (const w of s.warnings) lines.push(`  warning: ${w}`);
  for (const c of s.changes.slice(0, printed)) {
    lines.push(
      `  ${c.outcome === 'conflict' ? 'CONFLICT' : 'changed'} ${c.entity} ${c.key} ${c.field}: ${c.old ?? '—'} → ${c.new ?? '—'}${c.reason ? ` (${c.reason})` : ''}`,
    );
  }
  if (s.changes.length > printed) lines.push(`  … ${s.changes.length - printed} more change(s): zq import show ${s.importId ?? ''}`);
  for (const e of s.errors.slice(0, printed)) {
    const where = [
      e.sheet ? `sheet ${e.sheet}` : null,
      e.rowNumber !== null ? `row ${e.rowNumber}` : null,
      e.column ? `column ${e.column}` : null,
    ]
      .filter(Boolean)
      .join(', ');
    // A problem of the whole file has no row or column: say so rather than print an empty place.
    lines.push(`  ${where || 'file'}${e.value !== null && e.value !== '' ? ` ${JSON.stringify(e.value)}` : ''}: ${e.reason}`);
  }
  if (s.errorCount > printed) lines.push(`  … ${s.errorCount - printed} more problem(s) in the errors file`);
  return lines.join('\n');
}

interface ImportFlags {
  kind?: string;
  dealer?: string;
  asOf?: string;
  mapping?: string;
  sheet?: string;
  dryRun?: boolean;
  skipInvalid?: boolean;
  errors?: string;
  force?: boolean;
  createDealers?: boolean;
  status?: string;
  compare?: boolean;
  out?: string;
}

/** `zq import FILE…`: the files' summaries on stdout (one JSON line each with --json), progress on stderr. */
async function importFiles(files: string[], { compare, ...opts }: ImportFlags, cmd: Command): Promise<void> {
  if (compare) return compareFile(files, opts, cmd, asTyped(opts.mapping));
  const json = globalOptions(cmd).json === true;
  // progress on stderr (not with --json), timed from when the files begin to load
  let progress: ReturnType<typeof progressReporter> | undefined;
  const startProgress = () => {
    progress = progressReporter();
    return progress.report;
  };
  // before the result: a clerk's receipts are registered for finance to confirm (said on stderr); a rejected
  // file or row exits 2
  const notify = (result: ImportRunResult) => {
    progress?.done();
    if (result.files.some((s) => s.rowsRejected > 0 || s.status === 'rejected')) process.exitCode = 2;
    for (const s of result.files) {
      if (s.kind === 'receipts' && opts.status === undefined && s.receiptStatus === 'registered' && s.status !== 'rejected') {
        process.stderr.write(
          `${s.file}: receipts ${s.status === 'dry_run' ? 'would be ' : ''}registered, not confirmed — ${result.actor} may not confirm receipts; a finance user confirms them (zq receipt confirm)\n`,
        );
      }
    }
  };
  const { MAX_PRINTED_ERRORS } = await import('../imports/index.js');
  await act(
    cmd,
    'import.run',
    { ...opts, files, receiptStatus: opts.status, progress: json ? undefined : startProgress },
    (r) => {
      notify(r);
      return [...r.files.map((s) => describe(s, MAX_PRINTED_ERRORS)), ...r.errorsFiles.map((f) => `problems written to ${f}`)].join('\n');
    },
    { files: 'FILE', receiptStatus: '--status', ...asTyped(opts.mapping) },
    // --json: one line per file
    (r) => {
      notify(r);
      return r.files.map((s) => JSON.stringify({ ...s, errors: s.errors.slice(0, 100) })).join('\n');
    },
  );
}

export function register(program: Command): void {
  const command = program
    .command('import')
    .description('import dealer ledgers and receipts (CSV, text, XLSX; UTF-8, GBK, UTF-16) — the format: docs/import-format.md')
    .argument('[files...]', 'the files to import')
    .option('--kind <kind>', 'ledger or receipts (default: recognised from the headers)')
    .option(
      '--dealer <code>',
      'the dealer of the whole file (a ledger may instead have a 经销商 column); a dealer of your own unless you have group scope',
    )
    .option('--as-of <date>', 'cut-over date of a ledger: its amounts paid and penalty are as of this day')
    .option('--mapping <file>', 'YAML or JSON file naming more header names (per dealer)')
    .option('--sheet <name>', 'XLSX: read only this sheet')
    .option('--dry-run', 'validate and show what would change; write nothing')
    .option('--skip-invalid', 'import the good rows (whole contracts) and list the bad ones')
    .option(
      '--errors <file>',
      'write every problem of every file to this one CSV (UTF-8 with BOM, opens in Excel; a column names the file); default <file>.errors.csv beside each file',
    )
    .option(
      '--force',
      'let --errors (or --out) replace an existing file (never a file the command reads); an errors file zq wrote is replaced anyway',
    )
    .option('--create-dealers', 'create dealers that the file names but the database does not know (roles that may run `zq dealer add`)')
    .option(
      '--status <status>',
      'receipts: confirmed (default when you may confirm receipts) or registered (for confirmation later; the default otherwise)',
    )
    .option('--compare', 'compare the ledger with the system as of --as-of: writes nothing; exit 4 when they differ')
    .option('--out <file>', '--compare: also write the differences to this XLSX (never over an existing file without --force)')
    .action(importFiles);

  command
    .command('list')
    .description('past imports with their counts')
    .option('--limit <n>', 'the most recent N (default 50)')
    .action((opts, cmd: Command) =>
      act(cmd, 'import.list', { limit: opts.limit }, (rows) =>
        table(rows, [
          { header: 'id', value: (r) => r.id, align: 'right' },
          { header: 'at', value: (r) => r.startedAt.slice(0, 19).replace('T', ' ') },
          { header: 'file', value: (r) => r.file },
          { header: 'kind', value: (r) => r.kind },
          { header: 'dealer', value: (r) => r.dealer },
          { header: 'as of', value: (r) => r.asOf },
          { header: 'status', value: (r) => r.status },
          { header: 'read', value: (r) => r.rowsRead, align: 'right' },
          { header: 'imported', value: (r) => r.rowsImported, align: 'right' },
          { header: 'rejected', value: (r) => r.rowsRejected, align: 'right' },
          { header: 'by', value: (r) => r.actor },
        ]),
      ),
    );

  command
    .command('show <id>')
    .description('one import: counts, every error and every change')
    .action((id: string, _opts, cmd: Command) =>
      act(
        cmd,
        'import.show',
        { id },
        (shown) =>
          [
            `import #${shown.id} ${shown.file} (${shown.kind}) — ${shown.status}, by ${shown.actor} at ${shown.startedAt}`,
            `sha256 ${shown.hash}; ${shown.rowsRead} read, ${shown.rowsImported} imported, ${shown.rowsRejected} rejected`,
            `counts: ${JSON.stringify(shown.counts)}`,
            ...shown.errors.map(
              (e) =>
                `  error ${e.sheet ? `sheet ${e.sheet} ` : ''}row ${e.rowNumber ?? '—'} ${e.column ?? ''} ${e.value ? JSON.stringify(e.value) : ''}: ${e.reason}`,
            ),
            ...shown.changes.map(
              (c) => `  ${c.outcome} ${c.entity} ${c.key} ${c.field}: ${c.old ?? '—'} → ${c.new ?? '—'}${c.reason ? ` (${c.reason})` : ''}`,
            ),
          ].join('\n'),
        { id: 'ID' },
      ),
    );
}
