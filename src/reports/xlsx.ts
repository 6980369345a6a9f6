// Report files: every report (breakdown, overdue list, receipts journal …) is written through here, as an XLSX
// that looks the way people expect it in Excel and LibreOffice, or as CSV (--format csv).
//
// Per sheet: a merged title row, the subtitle rows, a blank row, the header row (frozen, with the autofilter),
// then the rows; subtotal rows bold on a light fill under a thin line, the total bold under a double line.
// Amounts are numbers formatted #,##0.00 (a two-decimal amount below 10^13 is a double that Excel writes and
// reads back exactly), dates real Excel dates. A sheet holds at most Excel's 1,048,576 rows; more go on in
// "明细 (2)" and so on.
//
// The XLSX is exceljs's streaming writer: it makes the package (sheets, styles, views, merges, filters) and
// commits the title and header rows; the data rows are written here into the sheet's part as the XML exceljs
// writes for them, a megabyte at a time, so that a million lines take seconds rather than a minute and memory
// stays flat (bench/report-xlsx.ts).
//
// Both formats are written to `<target>.<pid>.partial` beside the target and renamed over it when complete,
// so that nobody ever opens half a file; on failure the partial file is removed and the target left alone.
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { daysBetween, isValidDate } from '../core/dates.js';
import { BadInput } from '../core/errors.js';

export type CellKind = 'text' | 'money' | 'integer' | 'date' | 'percent';
/** A column of a report sheet; `header` in Chinese. */
export interface ReportColumn {
  header: string;
  kind: CellKind;
  width?: number;
}
export type RowLevel = 'detail' | 'subtotal' | 'total';
/**
 * One row, a cell per column: money an exact decimal string ("12345.67"), integer a number or digits, date
 * 'YYYY-MM-DD', percent a decimal string ("0.1234" is 12.34%), text a string; null is an empty cell. `depth`
 * indents the first cell (a subtotal's level in the grouping).
 */
export interface ReportRow {
  level: RowLevel;
  depth?: number;
  cells: readonly (string | number | null)[];
}
export interface ReportSheet {
  name: string;
  columns: readonly ReportColumn[];
  rows: AsyncIterable<ReportRow> | Iterable<ReportRow>;
}
export interface ReportWorkbook {
  /** e.g. 债权分解表 */
  title: string;
  /** e.g. ['经销商：HF01 合肥代理店', '截至：2026年3月31日', '口径：当日报送'] */
  subtitle: string[];
  /** e.g. 明细 (detail) and 汇总 (summary) */
  sheets: readonly ReportSheet[];
}

/**
 * The zip's deflate level: zlib's fastest. Against the default (6) it wrote 315,000 rows in 5.1 s instead of 8.8 s
 * for a file of 36 MB instead of 27 MB (bench/report-xlsx.ts): a big report's time is the deflating.
 */
const XLSX_DEFLATE_LEVEL = 1;

/** Excel's last row: a sheet with more is a file Excel refuses to open. */
export const EXCEL_MAX_ROWS = 1_048_576;
/** Excel's last column (XFD). */
const EXCEL_MAX_COLUMNS = 16_384;
/** Excel's longest sheet name. */
const MAX_SHEET_NAME = 31;
/** Excel's longest cell text. */
const MAX_CELL_TEXT = 32_767;
/** Sheet XML waiting for the compressor beyond which rows wait: keeps memory flat when the source is faster. */
const MAX_BACKLOG_BYTES = 8 * 1024 * 1024;
/** CSV text gathered before one write. */
const CSV_CHUNK_CHARS = 64 * 1024;
/** Day 0 of Excel's 1900 date system, as its serials count from 1900-03-01 on. */
const EXCEL_EPOCH = '1899-12-30';
const FIRST_EXACT_SERIAL_DATE = '1900-03-01';
/** Width of a text column: its header's, at least this. */
const MIN_TEXT_WIDTH = 10;
const MAX_AUTO_WIDTH = 40;
/** Deepest indent of a row's first cell (Excel allows 250; a grouping is a few levels). */
const MAX_INDENT = 15;
/** Bytes of data rows' XML gathered before one write into the sheet's part. */
const XML_CHUNK_BYTES = 1024 * 1024;
/** UTF-8 bytes a UTF-16 code unit may take. */
const MAX_UTF8_BYTES_PER_UNIT = 3;
const KIND_WIDTH: Record<Exclude<CellKind, 'text'>, number> = { money: 16, date: 12, integer: 10, percent: 10 };
const KIND_FORMAT: Record<CellKind, string> = {
  text: '@',
  money: '#,##0.00',
  integer: '#,##0',
  date: 'yyyy-mm-dd',
  percent: '0.00%',
};
const OUT_EXPECTED = 'a file path in an existing folder';

// ---------------------------------------------------------------------------------------------------
// The target

/**
 * Refuses, before any work, a target that cannot be written: a folder that does not exist, a folder as the
 * target, a folder one may not write to. Callers run it before they query, so that a typo costs nothing.
 */
export function checkReportTarget(target: string): void {
  if (target === '' || target.endsWith('/') || target.endsWith(path.sep)) throw new BadInput('out', target, OUT_EXPECTED);
  const folder = path.dirname(path.resolve(target));
  if (!isDirectory(folder) || isDirectory(target)) throw new BadInput('out', target, OUT_EXPECTED);
  try {
    fs.accessSync(folder, fs.constants.W_OK);
  } catch {
    throw new BadInput('out', target, `${OUT_EXPECTED} you may write to`);
  }
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function partialPath(target: string): string {
  return `${target}.${process.pid}.partial`;
}

/** Writes through `write` into the partial file, then renames it over the target; removes it on failure. */
async function viaPartialFile<T>(target: string, write: (output: fs.WriteStream) => Promise<T>): Promise<T> {
  const partial = partialPath(target);
  // 'wx': a partial file of the same name (left by an earlier process of the same id) is neither written through
  // nor removed; the report fails instead.
  const output = fs.createWriteStream(partial, { flags: 'wx' });
  const closed = once(output, 'close').catch(() => undefined);
  let created = false;
  try {
    // opened before the first row is asked for: a file that cannot be created fails the report at once
    await once(output, 'open');
    created = true;
    const result = await write(output);
    if (!output.writableFinished) {
      output.end();
      await once(output, 'finish');
    }
    await closed;
    fs.renameSync(partial, target);
    return result;
  } catch (error) {
    output.destroy();
    await closed;
    if (created) fs.rmSync(partial, { force: true });
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------
// Cells

/**
 * A cell of the wrong shape for its column: a report handed over something it must not (a number as money, a
 * date that is no day). A broken invariant, not bad input; the writer names the sheet, row and column.
 */
class CellError extends Error {}

/** The error of a cell, where it is. */
function located(error: unknown, where: string): unknown {
  return error instanceof CellError ? new Error(`${where}: ${error.message}`) : error;
}

const DECIMAL_TEXT = /^-?\d+(?:\.\d+)?$/;
/** What a double holds exactly and Excel shows as typed: 13 digits before the point, 2 after. */
const EXACT_MONEY_TEXT = /^-?\d{1,13}(?:\.\d{1,2})?$/;
const INTEGER_TEXT = /^-?\d{1,15}$/;

/** A cell as the text CSV holds: money and percent exactly as given. */
function csvCell(kind: CellKind, value: string | number | null): string {
  if (value === null) return '';
  switch (kind) {
    case 'text':
      return textValue(value);
    case 'money':
      return decimalValue('money', value);
    case 'percent':
      return decimalValue('percent', value);
    case 'integer':
      return String(integerValue(value));
    case 'date':
      return dateValue(value);
  }
}

/** A cell as the sheet holds it: a number (amounts, rates, dates as serials) or text. */
function xlsxCell(kind: CellKind, value: string | number | null): string | number | null {
  if (value === null) return null;
  switch (kind) {
    case 'text':
      return textValue(value);
    case 'money':
      if (!EXACT_MONEY_TEXT.test(decimalValue('money', value))) {
        throw new CellError(`money ${JSON.stringify(value)} has more than 13 digits before the point or 2 after (not exact as a number)`);
      }
      return Number(value);
    case 'percent':
      return Number(decimalValue('percent', value));
    case 'integer':
      return integerValue(value);
    case 'date':
      return excelSerial(dateValue(value));
  }
}

function textValue(value: string | number): string {
  const text = String(value);
  if (text.length > MAX_CELL_TEXT) throw new CellError(`${text.length} characters, more than a cell holds (${MAX_CELL_TEXT})`);
  return text;
}

/** Money and rates come as exact decimal strings; a JavaScript number holding money is a bug. */
function decimalValue(kind: 'money' | 'percent', value: string | number): string {
  if (typeof value !== 'string' || !DECIMAL_TEXT.test(value))
    throw new CellError(`${kind} ${JSON.stringify(value)} is not a decimal string`);
  return value;
}

function integerValue(value: string | number): number {
  const number = typeof value === 'string' && INTEGER_TEXT.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isSafeInteger(number)) throw new CellError(`${JSON.stringify(value)} is not a whole number`);
  return number;
}

function dateValue(value: string | number): string {
  if (typeof value !== 'string' || !isValidDate(value)) throw new CellError(`${JSON.stringify(value)} is not a date YYYY-MM-DD`);
  return value;
}

/** The day as Excel counts it (1900 system, days since 1899-12-30): 2026-01-05 → 46027. */
function excelSerial(date: string): number {
  // before March 1900 Excel counts Lotus's 1900-02-29, a day that never was
  if (date < FIRST_EXACT_SERIAL_DATE) throw new CellError(`${date} is before ${FIRST_EXACT_SERIAL_DATE}, which Excel counts wrongly`);
  return daysBetween(EXCEL_EPOCH, date);
}

// ---------------------------------------------------------------------------------------------------
// Layout and styles

interface Layout {
  /** Row numbers (1-based) of the header and of the first data row. */
  headerRow: number;
  firstDataRow: number;
}

function layoutOf(book: ReportWorkbook): Layout {
  // title, subtitles, a blank row, the header
  const headerRow = 1 + book.subtitle.length + 2;
  return { headerRow, firstDataRow: headerRow + 1 };
}

/** Width as Excel counts it: a CJK (full-width) character takes two. */
function displayWidth(text: string): number {
  let width = 0;
  for (const char of text)
    width += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(char) ? 2 : 1;
  return width;
}

export function columnWidth(column: ReportColumn): number {
  if (column.width !== undefined) return column.width;
  const header = Math.min(displayWidth(column.header) + 2, MAX_AUTO_WIDTH);
  return Math.max(column.kind === 'text' ? MIN_TEXT_WIDTH : KIND_WIDTH[column.kind], header);
}

type Style = Partial<{
  numFmt: string;
  font: { bold?: boolean; size?: number };
  fill: { type: 'pattern'; pattern: 'solid'; fgColor: { argb: string } };
  border: Partial<Record<'top' | 'left' | 'bottom' | 'right', { style: 'thin' | 'double'; color?: { argb: string } }>>;
  alignment: { horizontal?: 'center' | 'left'; vertical?: 'middle'; indent?: number };
}>;

const HEADER_FILL = 'FFD9E1F2';
const SUBTOTAL_FILL = 'FFF2F2F2';
const LINE_COLOR = { argb: 'FF808080' };
const THIN = { style: 'thin', color: LINE_COLOR } as const;
/** Points: the title's 14-point line. */
const TITLE_HEIGHT = 24;
const TITLE_STYLE: Style = { font: { bold: true, size: 14 }, alignment: { vertical: 'middle' } };
const SUBTITLE_STYLE: Style = {};
const HEADER_STYLE: Style = {
  font: { bold: true },
  fill: { type: 'pattern', pattern: 'solid', fgColor: { argb: HEADER_FILL } },
  border: { top: THIN, left: THIN, bottom: THIN, right: THIN },
  alignment: { horizontal: 'center', vertical: 'middle' },
};
const LEVEL_STYLE: Record<RowLevel, Style> = {
  detail: {},
  subtotal: { font: { bold: true }, fill: { type: 'pattern', pattern: 'solid', fgColor: { argb: SUBTOTAL_FILL } }, border: { top: THIN } },
  total: { font: { bold: true }, border: { top: { style: 'double', color: LINE_COLOR } } },
};

/**
 * The style ids of a sheet's data cells by (level, column, indent), each registered with exceljs once (its
 * styles part lists each distinct style once however many cells use it).
 */
class SheetStyles {
  private readonly byLevel: Record<RowLevel, number[]>;
  private readonly indented = new Map<string, number>();
  constructor(
    private readonly columns: readonly ReportColumn[],
    private readonly register: (style: Style) => number,
  ) {
    const ids = (level: RowLevel) => columns.map((_, c) => this.register(this.style(level, c, 0)));
    this.byLevel = { detail: ids('detail'), subtotal: ids('subtotal'), total: ids('total') };
  }

  /** The ids of a row's cells; the first cell indented `depth` levels. */
  row(level: RowLevel, depth: number): readonly number[] {
    const indent = Math.min(Math.max(0, Math.floor(depth)), MAX_INDENT);
    const ids = this.byLevel[level];
    if (indent === 0) return ids;
    const key = `${level}:${indent}`;
    let first = this.indented.get(key);
    if (first === undefined) {
      first = this.register(this.style(level, 0, indent));
      this.indented.set(key, first);
    }
    return [first, ...ids.slice(1)];
  }

  private style(level: RowLevel, column: number, indent: number): Style {
    const style: Style = { ...LEVEL_STYLE[level], numFmt: KIND_FORMAT[(this.columns[column] as ReportColumn).kind] };
    if (indent > 0) style.alignment = { indent };
    return style;
  }
}

// ---------------------------------------------------------------------------------------------------
// XLSX

/** What exceljs's streaming writer offers that is used here (its typings describe the in-memory workbook). */
interface StreamCell {
  value: unknown;
  style: Style;
}
interface StreamRow {
  number: number;
  height: number;
  getCell(column: number): StreamCell;
  commit(): void;
}
interface StreamSheet {
  columns: { width: number }[];
  autoFilter: unknown;
  addRow(values: unknown[]): StreamRow;
  mergeCells(top: number, left: number, bottom: number, right: number): void;
  commit(): void;
  /** Set once the first row is committed: <cols> and <sheetData> are written. */
  startedData: boolean;
  /** The sheet part's buffer; `pipes` are the zip's streams it is written into. */
  stream: { write(xml: Buffer): unknown; pipes?: Writable[] };
}
interface StreamBook {
  addWorksheet(name: string, options: object): StreamSheet;
  commit(): Promise<void>;
  /** The styles part: the id (cell `s`) of a style, added the first time it is seen. */
  styles: { addStyleModel(style: Style): number };
  zip: {
    append(source: unknown, data: { name: string }): unknown;
    abort(): unknown;
    on(event: 'error', listener: (error: Error) => void): unknown;
  };
}

/** Sheets the writer has opened, with their autofilter ranges, for the workbook's _FilterDatabase names. */
interface OpenedSheet {
  name: string;
  filter: string;
}

/** `rowsPerSheet` (Excel's limit unless a test asks for fewer): where a sheet goes on in its continuation. */
export async function writeReportXlsx(
  target: string,
  workbook: ReportWorkbook,
  options: { rowsPerSheet?: number } = {},
): Promise<{ rows: number }> {
  if (target === '-') throw new BadInput('out', target, `${OUT_EXPECTED} (an XLSX is not written to standard output)`);
  checkReportTarget(target);
  checkWorkbook(workbook);
  const { default: ExcelJS } = await import('exceljs');
  return viaPartialFile(target, async (output) => {
    const book = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: output,
      useStyles: true,
      useSharedStrings: false,
      zip: { zlib: { level: XLSX_DEFLATE_LEVEL } },
    }) as unknown as StreamBook;
    const failure = failureOf(output, book);
    const opened: OpenedSheet[] = [];
    withFilterDatabaseNames(book, opened);
    try {
      let rows = 0;
      for (const sheet of workbook.sheets) rows += await writeSheet(book, workbook, sheet, opened, failure, options.rowsPerSheet);
      await Promise.race([book.commit(), failure.promise]);
      return { rows };
    } catch (error) {
      book.zip.abort();
      throw failure.error ?? error;
    }
  });
}

function checkWorkbook(workbook: ReportWorkbook): void {
  const names = new Set<string>();
  for (const sheet of workbook.sheets) {
    if (!isSheetName(sheet.name))
      throw new Error(`report sheet name ${JSON.stringify(sheet.name)}: 1 to ${MAX_SHEET_NAME} characters, none of : \\ / ? * [ ]`);
    if (names.has(sheet.name.toLowerCase())) throw new Error(`report sheet name ${JSON.stringify(sheet.name)} twice`);
    names.add(sheet.name.toLowerCase());
    if (sheet.columns.length === 0 || sheet.columns.length > EXCEL_MAX_COLUMNS)
      throw new Error(`report sheet "${sheet.name}" has ${sheet.columns.length} columns (1 to ${EXCEL_MAX_COLUMNS})`);
  }
  if (workbook.sheets.length === 0) throw new Error('a report workbook without sheets');
}

function isSheetName(name: string): boolean {
  return (
    name.length >= 1 &&
    name.length <= MAX_SHEET_NAME &&
    !/[:\\/?*[\]]/.test(name) &&
    !name.startsWith("'") &&
    !name.endsWith("'") &&
    // Excel keeps this name for itself
    name.toLowerCase() !== 'history'
  );
}

/** The first error of the file or the zip; a write that fails later must not go unnoticed (nor crash the process). */
function failureOf(output: fs.WriteStream, book: StreamBook): { promise: Promise<never>; error: Error | undefined } {
  const failure: { promise: Promise<never>; error: Error | undefined } = { promise: Promise.resolve() as never, error: undefined };
  failure.promise = new Promise<never>((_, reject) => {
    const fail = (error: Error) => {
      failure.error ??= error;
      reject(failure.error);
    };
    output.on('error', fail);
    book.zip.on('error', fail);
  });
  failure.promise.catch(() => undefined);
  return failure;
}

/**
 * LibreOffice shows an autofilter only when the workbook names its range (_xlnm._FilterDatabase, hidden, local
 * to the sheet), as Excel itself writes it; exceljs writes the <autoFilter> alone (exceljs issue #2778). The
 * names go into workbook.xml, which the writer adds to the zip last, when every sheet's range is known.
 */
function withFilterDatabaseNames(book: StreamBook, opened: readonly OpenedSheet[]): void {
  const zip = book.zip;
  const append = zip.append.bind(zip);
  zip.append = (source, data) => append(data.name === '/xl/workbook.xml' ? withDefinedNames(String(source), opened) : source, data);
}

function withDefinedNames(xml: string, opened: readonly OpenedSheet[]): string {
  const names = opened
    .map((sheet, index) => {
      const quoted = `'${sheet.name.replaceAll("'", "''")}'`;
      return `<definedName name="_xlnm._FilterDatabase" localSheetId="${index}" hidden="1">${xmlText(quoted)}!${sheet.filter}</definedName>`;
    })
    .join('');
  if (xml.includes('<definedNames>')) return xml.replace('<definedNames>', `<definedNames>${names}`);
  const at = xml.indexOf('<calcPr');
  if (at < 0) throw new Error('exceljs wrote a workbook.xml without <calcPr>: where the defined names go is not known');
  return `${xml.slice(0, at)}<definedNames>${names}</definedNames>${xml.slice(at)}`;
}

function xmlText(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** Column letters of a 1-based column number: 1 → A, 28 → AB. */
function columnLetters(column: number): string {
  let letters = '';
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

/** A name for the sheet's `part`-th continuation (part 1 is the sheet itself): 明细 (2). */
function partName(name: string, part: number): string {
  if (part === 1) return name;
  const suffix = ` (${part})`;
  return `${name.slice(0, MAX_SHEET_NAME - suffix.length)}${suffix}`;
}

/**
 * Writes one report sheet, going on in continuation sheets when a sheet is full (Excel's row limit, unless a
 * test asks for fewer); the rows written.
 */
async function writeSheet(
  book: StreamBook,
  workbook: ReportWorkbook,
  sheet: ReportSheet,
  opened: OpenedSheet[],
  failure: { promise: Promise<never> },
  rowLimit = EXCEL_MAX_ROWS,
): Promise<number> {
  const layout = layoutOf(workbook);
  if (rowLimit < layout.firstDataRow || rowLimit > EXCEL_MAX_ROWS)
    throw new Error(`rows per sheet ${rowLimit}: from ${layout.firstDataRow} (title and header and a row) to ${EXCEL_MAX_ROWS}`);
  const styles = new SheetStyles(sheet.columns, (style) => book.styles.addStyleModel(style));
  const rows = toAsyncIterator(sheet.rows);
  let written = 0;
  let next: IteratorResult<ReportRow> | undefined;
  try {
    next = await rows.next();
    for (let part = 1; part === 1 || !next.done; part++) {
      const name = partName(sheet.name, part);
      if (part > 1 && workbook.sheets.some((s) => s.name.toLowerCase() === name.toLowerCase()))
        throw new Error(`report sheet "${sheet.name}" goes on in "${name}", the name of another sheet`);
      const ws = openSheet(book, workbook, sheet, name, layout);
      const data = new SheetData(ws, sheet.columns, styles, name);
      let rowNumber = layout.headerRow;
      while (!next.done && rowNumber < rowLimit) {
        rowNumber++;
        written++;
        if (data.add(rowNumber, next.value)) await lessBacklog(ws, failure);
        next = await rows.next();
      }
      data.flush();
      const filter = `$A$${layout.headerRow}:$${columnLetters(sheet.columns.length)}$${rowNumber}`;
      ws.autoFilter = filter.replaceAll('$', '');
      opened.push({ name, filter });
      ws.commit();
    }
    return written;
  } finally {
    // a source left half read (a failure here) is closed: its cursor or transaction ends with the report
    if (next !== undefined && !next.done) await rows.return?.();
  }
}

function toAsyncIterator<T>(rows: AsyncIterable<T> | Iterable<T>): AsyncIterator<T> {
  if (Symbol.asyncIterator in rows) return rows[Symbol.asyncIterator]();
  const iterator = rows[Symbol.iterator]();
  return {
    next: async () => iterator.next(),
    return: async () => iterator.return?.() ?? { done: true, value: undefined },
  };
}

/** A new sheet with its title, subtitle, blank and header rows committed, frozen below the header. */
function openSheet(book: StreamBook, workbook: ReportWorkbook, sheet: ReportSheet, name: string, layout: Layout): StreamSheet {
  const width = sheet.columns.length;
  const ws = book.addWorksheet(name, {
    views: [
      {
        state: 'frozen',
        xSplit: 1,
        ySplit: layout.headerRow,
        topLeftCell: `B${layout.firstDataRow}`,
        activeCell: `B${layout.firstDataRow}`,
      },
    ],
    pageSetup: { orientation: 'landscape', printTitlesRow: `${layout.headerRow}:${layout.headerRow}` },
  });
  ws.columns = sheet.columns.map((c) => ({ width: columnWidth(c) }));
  const banner = (text: string, style: Style, height?: number) => {
    const row = ws.addRow([text]);
    row.getCell(1).style = style;
    if (height !== undefined) row.height = height;
    if (width > 1) ws.mergeCells(row.number, 1, row.number, width);
    row.commit();
  };
  banner(workbook.title, TITLE_STYLE, TITLE_HEIGHT);
  for (const line of workbook.subtitle) banner(line, SUBTITLE_STYLE);
  ws.addRow([]).commit();
  const header = ws.addRow(sheet.columns.map((c) => c.header));
  for (let c = 1; c <= width; c++) header.getCell(c).style = HEADER_STYLE;
  header.commit();
  if (!ws.startedData) throw new Error('exceljs did not start the sheet data with the header row');
  return ws;
}

/**
 * The data rows, written into the sheet's part as the XML exceljs itself writes for them (a cell: reference,
 * style id, value), a chunk at a time. exceljs's own rows make a Row and a Cell object per cell and render each
 * row through its XML builder: about 16,000 rows/s for the breakdown's 25 columns, a minute for a million lines
 * on this machine's cores (bench/report-xlsx.ts), where this takes a fraction of that. Text is an inline string.
 */
class SheetData {
  private chunk = Buffer.allocUnsafe(XML_CHUNK_BYTES);
  private bytes = 0;
  private readonly references: string[];

  constructor(
    private readonly ws: StreamSheet,
    private readonly columns: readonly ReportColumn[],
    private readonly styles: SheetStyles,
    private readonly sheetName: string,
  ) {
    this.references = columns.map((_, c) => columnLetters(c + 1));
  }

  /** Adds a row; true when a chunk was written into the zip (time to look at its backlog). */
  add(rowNumber: number, row: ReportRow): boolean {
    const columns = this.columns;
    const where = `${this.sheetName}, row ${rowNumber}`;
    if (row.cells.length !== columns.length) throw new Error(`${where}: ${row.cells.length} cells for ${columns.length} columns`);
    const styles = this.styles.row(row.level, row.depth ?? 0);
    let xml = `<row r="${rowNumber}">`;
    let c = 0;
    try {
      for (; c < columns.length; c++) {
        const value = xlsxCell((columns[c] as ReportColumn).kind, row.cells[c] ?? null);
        const cell = `<c r="${this.references[c]}${rowNumber}" s="${styles[c]}"`;
        // Detail cells without a value are left out; a subtotal's or total's carry the line across the row.
        if (value === null) xml += row.level === 'detail' ? '' : `${cell}/>`;
        else if (typeof value === 'number') xml += `${cell}><v>${value}</v></c>`;
        else xml += `${cell} t="inlineStr"><is>${inlineText(value)}</is></c>`;
      }
    } catch (error) {
      throw located(error, `${where}, column ${columns[c]?.header}`);
    }
    xml += '</row>';
    // Each row encoded on its own: encoding one long string of many rows spent most of the time joining them.
    let written = false;
    if (this.bytes + xml.length * MAX_UTF8_BYTES_PER_UNIT > this.chunk.length) {
      this.flush();
      written = true;
      if (xml.length * MAX_UTF8_BYTES_PER_UNIT > this.chunk.length) this.chunk = Buffer.allocUnsafe(xml.length * MAX_UTF8_BYTES_PER_UNIT);
    }
    this.bytes += this.chunk.write(xml, this.bytes);
    return written;
  }

  flush(): void {
    if (this.bytes === 0) return;
    this.ws.stream.write(this.chunk.subarray(0, this.bytes));
    this.chunk = Buffer.allocUnsafe(XML_CHUNK_BYTES);
    this.bytes = 0;
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters XML 1.0 cannot hold (tab and line feed it can)
const XML_CONTROL = /[\u0000-\u0008\u000b-\u001f]/g;
/** Unpaired surrogates and the two non-characters XML cannot hold. */
const XML_NON_CHARACTER = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|[\ufffe\uffff]/g;
/** A text that needs more than writing as it is: markup, the above, a literal _xHHHH_ Excel would decode. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: see XML_CONTROL
const XML_AWKWARD = /[&<>\u0000-\u0008\u000b-\u001f\ud800-\udfff\ufffe\uffff]|_x[0-9A-Fa-f]{4}_/;

/** A text cell's <t>: markup escaped; control characters as Excel writes them (_x0007_, ECMA-376 22.9.2.19); spaces kept. */
function inlineText(text: string): string {
  const space = text.trim() === text ? '' : ' xml:space="preserve"';
  return `<t${space}>${XML_AWKWARD.test(text) ? escapeText(text) : text}</t>`;
}

function escapeText(text: string): string {
  return text
    .replace(/_(?=x[0-9A-Fa-f]{4}_)/g, '_x005F_')
    .replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'))
    .replace(XML_CONTROL, (c) => `_x${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`)
    .replace(XML_NON_CHARACTER, '\ufffd');
}

/**
 * Gives the zip time to compress what was written: waits while the sheet's XML not yet compressed is more
 * than MAX_BACKLOG_BYTES (exceljs writes into the zip without looking at backpressure, so a source faster than
 * the compressor would pile the whole sheet up in memory), else lets it run once.
 */
async function lessBacklog(ws: StreamSheet, failure: { promise: Promise<never> }): Promise<void> {
  const pipe = ws.stream.pipes?.[0];
  if (pipe === undefined) throw new Error("exceljs's sheet stream is not piped into the zip: the workbook's memory cannot be bounded");
  if (pendingBytes(pipe) > MAX_BACKLOG_BYTES) await Promise.race([once(pipe, 'drain'), failure.promise]);
  else await Promise.race([new Promise((resolve) => setImmediate(resolve)), failure.promise]);
}

/** Bytes written into the zip's stream and not yet taken (archiver's PassThrough is readable-stream 2's). */
function pendingBytes(pipe: Writable): number {
  const pending = pipe.writableLength ?? (pipe as unknown as { _writableState?: { length?: number } })._writableState?.length;
  if (typeof pending !== 'number')
    throw new Error("exceljs's zip stream does not say what it holds: the workbook's memory cannot be bounded");
  return pending;
}

// ---------------------------------------------------------------------------------------------------
// CSV

/**
 * The sheet as CSV (RFC 4180, CRLF) in UTF-8 with a byte order mark, so that Excel opens Chinese right: the
 * header row, then the rows; money exactly as given, no thousands separators. `target` '-' is standard
 * output; a stream is written to and left open; a file path goes through a partial file.
 */
export async function writeReportCsv(target: string | Writable, sheet: ReportSheet): Promise<{ rows: number }> {
  if (typeof target !== 'string') return writeCsvTo(target, sheet);
  if (target === '-') return writeCsvTo(process.stdout, sheet);
  checkReportTarget(target);
  return viaPartialFile(target, (output) => writeCsvTo(output, sheet));
}

async function writeCsvTo(output: Writable, sheet: ReportSheet): Promise<{ rows: number }> {
  const columns = sheet.columns;
  let chunk = `\uFEFF${columns.map((c) => csvField(c.header)).join(',')}\r\n`;
  let rows = 0;
  let failed: Error | undefined;
  const onError = (error: Error) => {
    failed ??= error;
  };
  output.on('error', onError);
  const flush = async () => {
    if (failed) throw failed;
    if (!output.write(chunk)) await Promise.race([once(output, 'drain'), once(output, 'close')]);
    chunk = '';
    if (failed) throw failed;
  };
  try {
    for await (const row of sheet.rows) {
      rows++;
      if (row.cells.length !== columns.length)
        throw new Error(`CSV of "${sheet.name}", row ${rows}: ${row.cells.length} cells for ${columns.length} columns`);
      const fields: string[] = [];
      let c = 0;
      try {
        for (; c < columns.length; c++) {
          const kind = (columns[c] as ReportColumn).kind;
          const text = csvCell(kind, row.cells[c] ?? null);
          fields.push(csvField(kind === 'text' ? inert(text) : text));
        }
      } catch (error) {
        throw located(error, `CSV of "${sheet.name}", row ${rows}, column ${columns[c]?.header}`);
      }
      chunk += `${fields.join(',')}\r\n`;
      if (chunk.length >= CSV_CHUNK_CHARS) await flush();
    }
    await flush();
    return { rows };
  } finally {
    output.off('error', onError);
  }
}

/** A field, quoted when it holds a comma, a quote or a line break (its quotes doubled). */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Text that Excel would run as a formula when it opens the CSV (=… or @…, e.g. a customer name imported from a
 * dealer's file) gets a leading apostrophe. Numbers, amounts and '+86…' phone numbers are left as they are.
 */
function inert(text: string): string {
  return text.startsWith('=') || text.startsWith('@') ? `'${text}` : text;
}
