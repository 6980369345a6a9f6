// Writing statements: one file per customer into a folder (stable, filesystem-safe names, an index CSV, files
// whose content has not changed left alone, a failure on one customer reported while the others print), or one
// named file (a single statement, or every statement merged into one PDF with pdf-lib).
// A file is written beside its target and renamed over it, so a reader never sees half a file. A file in the
// folder that zq did not write (not in the index) is never replaced without --force.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { today } from '../core/dates.js';
import { formatMoney } from '../core/money.js';
import { chineseDate } from '../reports/breakdown-view.js';
import { writeReportCsv, writeReportXlsx } from '../reports/xlsx.js';
import { openRenderer, printNumbered, type Renderer } from './render.js';
import type { Statement } from './statement.js';
import { statementContext, statementWorkbook } from './statement-view.js';
import { loadTemplate } from './templates.js';

export const STATEMENT_FORMATS = ['pdf', 'xlsx', 'html'] as const;
export type StatementFormat = (typeof STATEMENT_FORMATS)[number];

/** Where the statements go: a folder (one file each and the index) or one file. */
export type Target = { kind: 'dir'; dir: string } | { kind: 'file'; file: string };

/** Told after each customer: how many are done of how many, and whose statement it was. */
export type StatementProgress = (done: number, total: number, customer: string) => void;

export interface WrittenStatement {
  customer: string;
  customerId: number;
  file: string;
  closingBalance: string;
  overdue: string;
  status: 'written' | 'unchanged' | 'failed';
  error?: string;
}

export interface WriteResult {
  statements: WrittenStatement[];
  /** the index CSV written (folder output), else null */
  index: string | null;
  /** the merged PDF (--merge), else null */
  merged: string | null;
}

/** A name part safe on every filesystem: no separators, control or reserved characters, no leading dot, bounded. */
export function safeName(text: string): string {
  const printable = [...text.normalize('NFC')].map((ch) => ((ch.codePointAt(0) ?? 0) < 0x20 || ch === '\u007f' ? '_' : ch)).join('');
  const cleaned = printable.replace(/[/\\:*?"<>|\s]+/g, '_').replace(/^[._]+|[._]+$/g, '');
  return [...(cleaned || '_')].slice(0, 60).join('');
}

/** `{dealer}_{customer}_{to}.ext`; customers of a dealer sharing a name get their id added, so names stay apart. */
export function statementFileNames(statements: readonly Statement[], format: StatementFormat): string[] {
  const key = (s: Statement) => `${s.dealer.code}\u0000${safeName(s.customer.name)}`;
  const counts = new Map<string, number>();
  for (const s of statements) counts.set(key(s), (counts.get(key(s)) ?? 0) + 1);
  return statements.map((s) => {
    const customer = (counts.get(key(s)) ?? 0) > 1 ? `${safeName(s.customer.name)}-${s.customer.id}` : safeName(s.customer.name);
    return `${safeName(s.dealer.code)}_${customer}_${s.to}.${format}`;
  });
}

/** The index of a folder of statements for one to-date. */
export function indexName(to: string): string {
  return `statements_${to}.csv`;
}

const INDEX_HEADERS = ['文件', '客户', '期末余额', '逾期金额', '内容哈希'] as const;

interface IndexRow {
  file: string;
  customer: string;
  closingBalance: string;
  overdue: string;
  hash: string;
}

/** The index a previous run wrote (zq's own CSV: quoted fields where needed, UTF-8 with BOM). */
async function readIndex(file: string): Promise<Map<string, IndexRow>> {
  if (!fs.existsSync(file)) return new Map();
  const { parse } = await import('csv-parse/sync');
  const records = parse(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, ''), { from_line: 2, relax_column_count: true }) as string[][];
  return new Map(
    records
      .filter((r) => r.length >= INDEX_HEADERS.length)
      .map((r) => [r[0] as string, { file: r[0], customer: r[1], closingBalance: r[2], overdue: r[3], hash: r[4] } as IndexRow]),
  );
}

function writeWhole(target: string, bytes: Buffer | string): void {
  const partial = `${target}.${process.pid}.partial`;
  try {
    fs.writeFileSync(partial, bytes);
    fs.renameSync(partial, target);
  } catch (err) {
    fs.rmSync(partial, { force: true });
    throw err;
  }
}

interface Rendered {
  statement: Statement;
  html: string;
  /** the content without the moment of printing: what decides whether a file changed */
  hash: string;
}

function renderHtml(statements: readonly Statement[], printedBy: string, format: StatementFormat): Rendered[] {
  const at = chineseDate(today());
  return statements.map((statement) => {
    const template = loadTemplate('statement', { dealerCode: statement.dealer.code });
    const html = template(statementContext(statement, { by: printedBy, at }));
    const stable =
      format === 'xlsx' ? JSON.stringify(statementWorkbook(statement)) : template(statementContext(statement, { by: printedBy, at: '' }));
    return { statement, html, hash: createHash('sha256').update(format).update('\u0000').update(stable).digest('hex') };
  });
}

/** The HTML to write, or null when the workbook was written to `target` (PDFs print in batches: printPdfs). */
async function bytesOf(r: Rendered, format: 'html' | 'xlsx', target: string): Promise<string | null> {
  if (format === 'html') return r.html;
  await writeReportXlsx(target, statementWorkbook(r.statement));
  return null;
}

/**
 * The statements as PDFs, several to a page.pdf() and split back, each numbered on its own ("第 1 页 / 共 2 页");
 * `each` is told as each is done. Without `failed` (told of each failure) it rejects with the first failure.
 */
async function printPdfs(
  renderer: Renderer,
  rendered: readonly Rendered[],
  each: (r: Rendered, pdf: Buffer) => Promise<void> | void,
  failed?: (r: Rendered, error: unknown) => void,
): Promise<void> {
  let first: { error: unknown } | null = null;
  await printNumbered(
    renderer,
    rendered.map((r) => r.html),
    async (i, result) => {
      const r = rendered[i] as Rendered;
      if ('pdf' in result) await each(r, result.pdf);
      else if (failed) failed(r, result.error);
      else first ??= result;
    },
  );
  if (first) throw (first as { error: unknown }).error;
}

const figures = (s: Statement) => ({ closingBalance: formatMoney(s.closing.balance), overdue: formatMoney(s.closing.overdue) });

/** Writes the statements where the target says; at most `pages` PDFs render at once. */
export async function writeStatements(
  statements: readonly Statement[],
  options: {
    target: Target;
    format: StatementFormat;
    merge: boolean;
    force: boolean;
    printedBy: string;
    progress?: StatementProgress | undefined;
    pages?: number | undefined;
  },
): Promise<WriteResult> {
  const { target, format } = options;
  const rendered = renderHtml(statements, options.printedBy, format);
  // the browser starts with the first PDF to render: a re-run where nothing changed starts none
  let opened: Promise<Renderer> | null = null;
  const renderer = (): Promise<Renderer> => {
    opened ??= openRenderer({ pages: options.pages });
    return opened;
  };
  let done = 0;
  const tick = (customer: string) => options.progress?.(++done, statements.length, customer);
  try {
    if (target.kind === 'file') {
      if (options.merge) {
        const { PDFDocument } = await import('pdf-lib');
        const merged = await PDFDocument.create();
        const parts: Buffer[] = [];
        await printPdfs(await renderer(), rendered, (r, pdf) => {
          parts[rendered.indexOf(r)] = pdf;
          tick(r.statement.customer.name);
        });
        for (const part of parts) {
          const doc = await PDFDocument.load(part);
          for (const page of await merged.copyPages(doc, doc.getPageIndices())) merged.addPage(page);
        }
        writeWhole(target.file, Buffer.from(await merged.save()));
      } else {
        const one = rendered[0] as Rendered;
        if (format === 'pdf') await printPdfs(await renderer(), [one], (_r, pdf) => writeWhole(target.file, pdf));
        else {
          const bytes = await bytesOf(one, format, target.file);
          if (bytes !== null) writeWhole(target.file, bytes);
        }
        tick(one.statement.customer.name);
      }
      return {
        statements: rendered.map((r) => ({
          customer: r.statement.customer.name,
          customerId: r.statement.customer.id,
          file: target.file,
          ...figures(r.statement),
          status: 'written',
        })),
        index: null,
        merged: options.merge ? target.file : null,
      };
    }
    const names = statementFileNames(statements, format);
    const indexFile = path.join(target.dir, indexName(statements[0]?.to ?? 'none'));
    const previous = statements.length > 0 ? await readIndex(indexFile) : new Map<string, IndexRow>();
    type Result = WrittenStatement & { hash: string };
    const results: Result[] = [];
    const toPrint: Rendered[] = [];
    const settle = (i: number, result: Result) => {
      results[i] = result;
      tick(result.customer);
    };
    const failure = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0] as string;
    await Promise.all(
      rendered.map(async (r, i) => {
        const name = names[i] as string;
        const file = path.join(target.dir, name);
        const base = {
          customer: r.statement.customer.name,
          customerId: r.statement.customer.id,
          file,
          ...figures(r.statement),
          hash: r.hash,
        };
        try {
          const exists = fs.existsSync(file);
          const known = previous.get(name);
          if (exists && known?.hash === r.hash) return settle(i, { ...base, status: 'unchanged' });
          if (exists && !known && !options.force) throw new Error(`${file} exists and was not written by zq (--force replaces it)`);
          if (format === 'pdf') {
            results[i] = { ...base, status: 'written' };
            toPrint.push(r);
            return;
          }
          const bytes = await bytesOf(r, format, file);
          if (bytes !== null) writeWhole(file, bytes);
          settle(i, { ...base, status: 'written' });
        } catch (err) {
          settle(i, { ...base, status: 'failed', error: failure(err) });
        }
      }),
    );
    if (toPrint.length > 0) {
      const at = new Map(rendered.map((r, i) => [r, i]));
      const fail = (r: Rendered, err: unknown) => {
        const i = at.get(r) as number;
        settle(i, { ...(results[i] as Result), status: 'failed', error: failure(err) });
      };
      await printPdfs(
        await renderer(),
        toPrint,
        (r, pdf) => {
          const i = at.get(r) as number;
          try {
            writeWhole((results[i] as Result).file, pdf);
            settle(i, results[i] as Result);
          } catch (err) {
            fail(r, err);
          }
        },
        fail,
      );
    }
    let index: string | null = null;
    if (statements.length > 0) {
      const rows = new Map(previous);
      for (const r of results) {
        const name = path.basename(r.file);
        if (r.status === 'failed') continue;
        rows.set(name, { file: name, customer: r.customer, closingBalance: r.closingBalance, overdue: r.overdue, hash: r.hash });
      }
      await writeReportCsv(indexFile, {
        name: '对账单索引',
        columns: [
          { header: INDEX_HEADERS[0], kind: 'text' },
          { header: INDEX_HEADERS[1], kind: 'text' },
          { header: INDEX_HEADERS[2], kind: 'money' },
          { header: INDEX_HEADERS[3], kind: 'money' },
          { header: INDEX_HEADERS[4], kind: 'text' },
        ],
        rows: [...rows.values()]
          .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
          .map((r) => ({ level: 'detail' as const, cells: [r.file, r.customer, r.closingBalance, r.overdue, r.hash] })),
      });
      index = indexFile;
    }
    return { statements: results.map(({ hash: _hash, ...r }) => r), index, merged: null };
  } finally {
    if (opened) await (await (opened as Promise<Renderer>)).close();
  }
}
