// The importer's reading side: a file (CSV/text or XLSX) in, a stream of typed, validated rows out,
// each with its row-level errors; file-level problems (no header, missing or duplicate columns,
// unreadable file) collected beside them. No database here.
//
//   sniff format → per sheet: header row (first rows) → per row: cells → normalise → validate
import type { BusinessDate } from '../core/dates.js';
import type { Money } from '../core/money.js';
import { type Delimiter, openCsv, type SourceRow } from './csv.js';
import { type DetectedEncoding, readSample } from './encoding.js';
import {
  buildHeaderIndex,
  detectHeader,
  FIELDS,
  HEADER_SEARCH_ROWS,
  type HeaderMatch,
  type ImportKind,
  type MappedColumn,
  type MappingFile,
} from './headers.js';
import {
  amountGreaterThan,
  DEFAULT_RECEIVABLE_TYPE,
  isBlank,
  isNegativeAmount,
  isTotalMarker,
  normaliseCode,
  normaliseText,
  type Parsed,
  parseAmountCell,
  parseAmountText,
  parseDateCell,
  parseSeqCell,
  parseTypeCell,
  type ReceivableTypeName,
  receivableTypeIndex,
} from './normalise.js';
import { readXlsxSheets } from './xlsx.js';

/** A row or file the importer could not take, as the errors file and `import show` list it. */
export interface ImportProblem {
  file: string;
  sheet: string | null;
  rowNumber: number | null;
  column: string | null;
  value: string | null;
  reason: string;
}

export interface ReadOptions {
  /** Read only this kind; otherwise recognised from the headers (the first recognised sheet decides). */
  kind?: ImportKind;
  /** XLSX: read only this sheet. */
  sheet?: string;
  /** Extra header names. */
  mapping?: MappingFile;
  /** The dealer of the whole file: fills a blank or missing dealer column, selects the mapping's dealer entry. */
  dealer?: string;
  /** Receivable types configured beyond the built-in ones. */
  extraTypes?: readonly ReceivableTypeName[];
}

export interface LedgerValues {
  dealer: string | null;
  contract_no: string;
  customer_name: string;
  id_number: string | null;
  phone: string | null;
  machine_model: string | null;
  serial_no: string | null;
  sign_date: BusinessDate | null;
  /** Amounts of ledger rows are exact canonical text (`1234.50`, normalise.ts parseAmountText). */
  contract_amount: string | null;
  collector: string | null;
  seq: number;
  /** A receivable type code (GLOSSARY.md `receivable_type`): principal, down_payment, … */
  type: string;
  due_date: BusinessDate;
  amount_due: string;
  amount_paid: string;
  penalty_accrued: string;
  penalty_paid: string;
  note: string | null;
}

export interface ReceiptValues {
  contract_no: string;
  value_date: BusinessDate;
  amount: Money;
  method: string | null;
  account: string | null;
  payer: string | null;
  reference: string | null;
  note: string | null;
}

export interface ValuesByKind {
  ledger: LedgerValues;
  receipts: ReceiptValues;
}

export interface RowError {
  /** The column's header as written in the file ('' when the row itself is unreadable). */
  column: string;
  /** The cell as read. */
  value: string;
  reason: string;
}

interface RowPlace {
  file: string;
  /** The sheet's name; null for CSV and text files. */
  sheet: string | null;
  /** The row number as Excel shows it (a CSV record with line breaks inside quotes is one row). */
  rowNumber: number;
  /** Text files: the line the record starts on, as a text editor shows it; null for XLSX. */
  line: number | null;
}

/** What an invalid row could read: a field is absent when its cell was wrong, null when it was empty. */
export type PartialValues<V> = { [F in keyof V]?: V[F] | null };

/** A valid row has every value; an invalid one has those that could be read, and its errors. */
export type RowResult = {
  [K in ImportKind]:
    | (RowPlace & { kind: K; ok: true; values: ValuesByKind[K]; errors: [] })
    | (RowPlace & { kind: K; ok: false; values: PartialValues<ValuesByKind[K]>; errors: RowError[] });
}[ImportKind];

export interface FileError {
  file: string;
  sheet: string | null;
  /** The header row for column problems; null when the problem is not tied to a row. */
  rowNumber: number | null;
  column: string | null;
  reason: string;
}

export interface SheetReport {
  sheet: string | null;
  read: boolean;
  kind: ImportKind | null;
  headerRow: number | null;
  /** Why the sheet was not read. */
  reason: string | null;
  /** Columns whose header matched no field: ignored. */
  unknownColumns: string[];
  rows: number;
  totalRowsSkipped: number;
}

export type SourceFormat = { format: 'csv'; encoding: DetectedEncoding; delimiter: Delimiter } | { format: 'xlsx' };

export interface ImportReader {
  readonly file: string;
  /** The file's kind: known once its first sheet's header row has been read. */
  readonly kind: ImportKind | null;
  readonly source: SourceFormat | null;
  /** Filled while rows() runs; complete when it ends. */
  readonly sheets: SheetReport[];
  /** File-level problems; filled while rows() runs, complete when it ends. Any of them: import nothing. */
  readonly errors: FileError[];
  /** The rows, streamed (one pass only). Blank rows and total rows are skipped. */
  rows(): AsyncGenerator<RowResult>;
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0]; // .xls (Excel 97–2003)

/** What a file without a recognised header row is told: the required headers of each kind, and where all are. */
function noHeaderRow(where: string): string {
  const required = (kind: ImportKind) =>
    FIELDS[kind]
      .filter((f) => f.required)
      .map((f) => f.headers[0])
      .join(', ');
  return `no header row recognised in the first ${HEADER_SEARCH_ROWS} rows${where} — a ledger needs columns such as ${required('ledger')}; receipts ${required('receipts')} (every accepted header name: docs/import-format.md)`;
}
/** What the decoders put for bytes that are not text in the detected encoding: never silently imported. */
const UNDECODABLE = '\uFFFD';

export function readImportFile(path: string, options: ReadOptions = {}): ImportReader {
  return new FileReader(path, options);
}

type Fail = (field: string, reason: string) => void;

/**
 * Contract-level ledger fields (docs/import-format.md): many ledgers give them on a contract's first row only.
 * The dealer is one too, inherited apart (FileReader.inheritContractFields).
 */
const CONTRACT_FIELDS = [
  'customer_name',
  'id_number',
  'phone',
  'machine_model',
  'serial_no',
  'sign_date',
  'contract_amount',
  'collector',
] as const;
const CONTRACT_FIELD_INDEX = new Map<string, number>(CONTRACT_FIELDS.map((f, i) => [f, i]));

/** A contract's values so far, by CONTRACT_FIELDS index (all read values are text), and where each came from. */
interface ContractSeen {
  values: (string | undefined)[];
  from: ({ sheet: string | null; rowNumber: number } | undefined)[];
}

/** A row's cells as written, without what merged ranges filled in (a header merged over two columns is one). */
function unmergedCells(row: SourceRow): string[] {
  if (row.merged === undefined) return row.cells;
  const cells = [...row.cells];
  for (const column of row.merged) cells[column] = '';
  return cells;
}

/** One file read as rows, step by step: the format, each sheet's header row, each row's cells and checks. */
class FileReader implements ImportReader {
  kind: ImportKind | null;
  source: SourceFormat | null = null;
  readonly sheets: SheetReport[] = [];
  readonly errors: FileError[] = [];
  private readonly headerIndex: ReturnType<typeof buildHeaderIndex>;
  private readonly types: ReturnType<typeof receivableTypeIndex>;
  // Dates and type names repeat across a file's rows: each distinct cell is parsed once.
  private readonly dates = new Map<string, Parsed<unknown>>();
  private readonly typeNames = new Map<string, Parsed<unknown>>();
  // Per contract of the file (dealer + contract number): its contract-level values and the rows that gave them.
  private readonly contracts = new Map<string, ContractSeen>();
  private readonly contractDealers = new Map<string, string>();
  private used = false;

  constructor(
    readonly file: string,
    private readonly options: ReadOptions,
  ) {
    this.kind = options.kind ?? null;
    this.headerIndex = buildHeaderIndex(options.mapping, options.dealer);
    this.types = receivableTypeIndex(options.extraTypes);
  }

  private fileError(sheet: string | null, rowNumber: number | null, column: string | null, reason: string): void {
    this.errors.push({ file: this.file, sheet, rowNumber, column, reason });
  }

  async *rows(): AsyncGenerator<RowResult> {
    if (this.used) throw new Error('invariant broken: ImportReader.rows() is single-use (the file is streamed)');
    this.used = true;
    const path = this.file;
    const format = await this.sniff();
    if (format === null) return;
    if (format === 'xlsx') {
      this.source = { format: 'xlsx' };
      yield* this.xlsxRows();
    } else {
      if (this.options.sheet !== undefined) this.fileError(null, null, null, `--sheet ${this.options.sheet}: a text file has no sheets`);
      const csv = await openCsv(path);
      this.source = { format: 'csv', encoding: csv.encoding, delimiter: csv.delimiter };
      yield* this.sheetRows(null, csv.rows);
    }
    if (this.errors.length === 0 && !this.sheets.some((s) => s.read)) {
      this.fileError(null, null, null, noHeaderRow(' of any sheet'));
    }
  }

  /** The file's format from its first bytes (and name); null, with a file error, for a file that cannot be read. */
  private async sniff(): Promise<'xlsx' | 'text' | null> {
    const path = this.file;
    let magic: Buffer;
    try {
      magic = await readSample(path, ZIP_MAGIC.length);
    } catch (error) {
      this.fileError(null, null, null, `cannot open the file: ${(error as Error).message}`);
      return null;
    }
    if (magic.length === 0) return this.refuse('the file is empty');
    if (OLE_MAGIC.every((b, i) => magic[i] === b)) return this.refuse('an old .xls workbook: save it as .xlsx or CSV in Excel');
    const zip = ZIP_MAGIC.every((b, i) => magic[i] === b);
    if (!zip && /\.xls[xm]$/i.test(path)) {
      return this.refuse('not an XLSX file (an .xlsx workbook is a zip file; this one is not): save it again in Excel');
    }
    return zip ? 'xlsx' : 'text';
  }

  private refuse(reason: string): null {
    this.fileError(null, null, null, reason);
    return null;
  }

  private async *xlsxRows(): AsyncGenerator<RowResult> {
    try {
      yield* this.xlsxSheets();
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('invariant broken')) throw error;
      this.fileError(null, null, null, `unreadable XLSX: ${(error as Error).message}`);
    }
  }

  private async *xlsxSheets(): AsyncGenerator<RowResult> {
    const { options } = this;
    let selectedFound = false;
    for await (const sheet of readXlsxSheets(this.file)) {
      const skip = (reason: string) => this.sheets.push(sheetReport(sheet.name, { reason }));
      if (options.sheet !== undefined && sheet.name !== options.sheet) {
        skip(`not the sheet asked for (--sheet ${options.sheet})`);
      } else if (options.sheet === undefined && sheet.hidden) {
        skip('hidden sheet');
      } else {
        selectedFound = true;
        yield* this.sheetRows(sheet.name, sheet.rows);
      }
      // What is left of the sheet is not read: asking for the next sheet closes it (xlsx.ts).
    }
    if (options.sheet !== undefined && !selectedFound) {
      const names = this.sheets.map((s) => s.sheet).join(', ');
      this.fileError(options.sheet, null, null, `no sheet named "${options.sheet}" (sheets: ${names})`);
    }
  }

  /** One sheet (or the CSV file): find the header row in the first rows, then stream the rest. */
  private async *sheetRows(sheet: string | null, source: AsyncGenerator<SourceRow>): AsyncGenerator<RowResult> {
    const head: SourceRow[] = [];
    while (head.length < HEADER_SEARCH_ROWS) {
      const next = await source.next();
      if (next.done) break;
      head.push(next.value);
      if (next.value.problem) break;
    }
    const found = this.headerOf(sheet, head);
    if (found === null) return;
    const { match, report } = found;
    const place = { file: this.file, sheet };
    const contractColumns = match.columns.filter((c) => CONTRACT_FIELD_INDEX.has(c.definition.field));
    const dataRows = async function* () {
      yield* head.slice(match.rowIndex + 1);
      yield* source;
    };
    for await (const row of dataRows()) {
      if (row.problem) {
        report.rows++;
        yield invalidRow(match.kind, { ...place, rowNumber: row.rowNumber, line: row.line ?? null }, {}, [
          { column: '', value: '', reason: row.problem },
        ]);
        return;
      }
      if (match.columns.every((c) => isBlank(row.cells[c.index] ?? ''))) continue;
      if (isTotalRow(row.cells, match)) {
        report.totalRowsSkipped++;
        continue;
      }
      report.rows++;
      yield this.readRow(match, row, place, contractColumns);
    }
  }

  /** The sheet's header row among its first rows, reported; null (and why, in its report) when it is not read. */
  private headerOf(sheet: string | null, head: readonly SourceRow[]): { match: HeaderMatch; report: SheetReport } | null {
    const match = detectHeader(head.filter((r) => !r.problem).map(unmergedCells), this.headerIndex, this.options.kind);
    if (!match) {
      this.sheets.push(sheetReport(sheet, { reason: `no header row recognised in the first ${HEADER_SEARCH_ROWS} rows` }));
      if (sheet === null) this.fileError(null, null, null, noHeaderRow(''));
      return null;
    }
    const headerRow = head[match.rowIndex]?.rowNumber ?? 0;
    if (this.kind !== null && match.kind !== this.kind) {
      const reason = `a ${match.kind} sheet in a file read as ${this.kind}`;
      this.sheets.push(sheetReport(sheet, { kind: match.kind, headerRow, reason }));
      return null;
    }
    const report = sheetReport(sheet, { kind: match.kind, headerRow, unknownColumns: match.unknownColumns });
    this.sheets.push(report);
    if (match.problems.length > 0) {
      report.reason = 'column problems';
      for (const p of match.problems) this.fileError(sheet, headerRow, p.column, p.reason);
      return null;
    }
    this.kind = match.kind;
    report.read = true;
    return { match, report };
  }

  private readRow(
    match: HeaderMatch,
    row: SourceRow,
    place: { file: string; sheet: string | null },
    contractColumns: readonly MappedColumn[],
  ): RowResult {
    const values: Record<string, unknown> = {};
    const errors: RowError[] = [];
    for (const column of match.columns) {
      const raw = row.cells[column.index] ?? '';
      if (raw.includes(UNDECODABLE)) {
        errors.push({ column: column.header, value: raw, reason: 'characters that could not be decoded (UTF-8, GBK or UTF-16 expected)' });
        continue;
      }
      const parsed = this.parseCell(match.kind, column, raw);
      if (parsed.ok) values[column.definition.field] = parsed.value;
      else errors.push({ column: column.header, value: raw, reason: parsed.reason });
    }
    const fail = (field: string, reason: string) => {
      const column = match.columns.find((c) => c.definition.field === field);
      errors.push({ column: column?.header ?? field, value: column ? (row.cells[column.index] ?? '') : '', reason });
    };
    if (match.kind === 'ledger') {
      this.inheritContractFields(values, row, place.sheet, contractColumns, errors, hasColumn(match, 'dealer'));
      this.ledgerChecks(values, fail, match);
    } else receiptChecks(values, fail, match);
    const rowPlace = { ...place, rowNumber: row.rowNumber, line: row.line ?? null };
    return errors.length > 0
      ? invalidRow(match.kind, rowPlace, values, errors)
      : // Every field was read and checked above: the record is a complete ValuesByKind[kind].
        ({ kind: match.kind, ok: true, ...rowPlace, values, errors: [] } as unknown as RowResult);
  }

  private parseCell(kind: ImportKind, column: MappedColumn, raw: string): Parsed<unknown> {
    switch (column.definition.valueType) {
      case 'text':
        return { ok: true, value: normaliseText(raw) };
      case 'code':
        return { ok: true, value: normaliseCode(raw) };
      case 'date':
        return memo(this.dates, raw, parseDateCell);
      case 'amount':
        // Ledger amounts are only checked and stored: exact text, no Decimal per cell.
        return kind === 'ledger' ? parseAmountText(raw) : parseAmountCell(raw);
      case 'seq':
        return parseSeqCell(raw);
      case 'receivable_type':
        return memo(this.typeNames, raw, (cell) => parseTypeCell(cell, this.types));
    }
  }

  /**
   * Contract-level fields given on a contract's first row only: a blank cell takes the value an earlier row of
   * the same contract (in the file) gave; a different value is an error naming both and the row of the first.
   * A row's dealer, when blank, is that of the contract number's latest row; a row naming another dealer is
   * that dealer's contract (contract numbers are unique within a dealer).
   */
  private inheritContractFields(
    values: Record<string, unknown>,
    row: SourceRow,
    sheet: string | null,
    columns: readonly MappedColumn[],
    errors: RowError[],
    dealerColumn: boolean,
  ): void {
    const contractNo = values.contract_no;
    if (typeof contractNo !== 'string') return;
    let key = contractNo;
    if (dealerColumn) {
      if (values.dealer === null) values.dealer = this.contractDealers.get(contractNo) ?? null;
      else if (typeof values.dealer === 'string') this.contractDealers.set(kept(contractNo), kept(values.dealer));
      if (typeof values.dealer === 'string') key = `${values.dealer}\u001f${contractNo}`;
    }
    let seen = this.contracts.get(key);
    if (seen === undefined) {
      seen = { values: [], from: [] };
      this.contracts.set(kept(key), seen);
    }
    for (const column of columns) {
      const field = column.definition.field;
      const value = values[field];
      if (value === undefined) continue; // unreadable: the cell's own error says so
      const i = CONTRACT_FIELD_INDEX.get(field) as number;
      const first = seen.values[i];
      if (first === undefined) {
        if (value !== null) {
          seen.values[i] = kept(value as string);
          seen.from[i] = { sheet, rowNumber: row.rowNumber };
        }
      } else if (value === null) {
        values[field] = first;
      } else if (value !== first) {
        const from = seen.from[i] as { sheet: string | null; rowNumber: number };
        const where = from.sheet !== sheet ? `sheet ${from.sheet ?? ''} row ${from.rowNumber}` : `row ${from.rowNumber}`;
        errors.push({
          column: column.header,
          value: row.cells[column.index] ?? '',
          reason: `contract ${contractNo} has ${first} on ${where}: give it once, on the contract's first row, or the same on every row`,
        });
      }
    }
  }

  // Small named checks, each adding errors as values (STYLE.md, beancount). Fields that failed to
  // parse are absent from `values` and not checked again.
  private ledgerChecks(values: Record<string, unknown>, fail: Fail, match: HeaderMatch): void {
    if (values.dealer == null) values.dealer = this.options.dealer ?? null;
    if (!hasColumn(match, 'type')) values.type = DEFAULT_RECEIVABLE_TYPE;
    // Blank or absent: nothing paid, no penalty (IMPORT-FORMAT.md: 0 by default).
    for (const field of ['amount_paid', 'penalty_accrued', 'penalty_paid']) {
      if (values[field] === null || !hasColumn(match, field)) values[field] = '0.00';
    }
    fillAbsent(values, match);
    requireFields(values, fail, match);
    for (const field of ['contract_amount', 'amount_due', 'amount_paid', 'penalty_accrued', 'penalty_paid']) {
      const amount = values[field] as string | null | undefined;
      if (amount && isNegativeAmount(amount)) fail(field, 'an amount of zero or more');
    }
    // Compared only when both figures were read and are not already wrong (negative).
    const due = values.amount_due as string | null | undefined;
    const paid = values.amount_paid as string | undefined;
    if (due && !isNegativeAmount(due) && paid && amountGreaterThan(paid, due)) {
      fail('amount_paid', `more than the amount due (${due})`);
    }
    const accrued = values.penalty_accrued as string | undefined;
    const penaltyPaid = values.penalty_paid as string | undefined;
    if (accrued && !isNegativeAmount(accrued) && penaltyPaid && amountGreaterThan(penaltyPaid, accrued)) {
      fail('penalty_paid', `more than the penalty accrued (${accrued})`);
    }
  }
}

function receiptChecks(values: Record<string, unknown>, fail: Fail, match: HeaderMatch): void {
  fillAbsent(values, match);
  requireFields(values, fail, match);
  const amount = values.amount as Money | null | undefined;
  if (amount && !amount.greaterThan(0)) fail('amount', 'an amount greater than zero');
}

/** Optional columns missing from the file read as empty. */
function fillAbsent(values: Record<string, unknown>, match: HeaderMatch): void {
  for (const definition of FIELDS[match.kind]) {
    if (!(definition.field in values) && !hasColumn(match, definition.field)) values[definition.field] = null;
  }
}

function requireFields(values: Record<string, unknown>, fail: (field: string, reason: string) => void, match: HeaderMatch): void {
  for (const definition of FIELDS[match.kind]) {
    if (definition.required && values[definition.field] === null) fail(definition.field, 'required');
  }
}

function hasColumn(match: HeaderMatch, field: string): boolean {
  return match.columns.some((c) => c.definition.field === field);
}

/** fn(cell), computed once per distinct cell (the cache is emptied when it grows large). */
function memo<T>(cache: Map<string, T>, cell: string, fn: (cell: string) => T): T {
  let result = cache.get(cell);
  if (result === undefined) {
    if (cache.size >= 10_000) cache.clear();
    result = fn(cell);
    cache.set(kept(cell), result);
  }
  return result;
}

/**
 * A copy of a cell for what outlives its row. V8 cuts a substring of 13 characters or more as a view of the
 * text it was cut from, so one kept ID number held the whole decoded chunk of its line (about 127 KB) alive:
 * a million-row file grew the heap by the file's size. The copy holds only itself.
 */
function kept(text: string): string {
  return text.length < 13 ? text : Buffer.from(text, 'utf8').toString('utf8');
}

/** A total row: a cell says 合计/总计/小计 and there is no contract number beside it. */
function isTotalRow(cells: readonly string[], match: HeaderMatch): boolean {
  const contract = match.columns.find((c) => c.definition.field === 'contract_no');
  const contractCell = contract ? (cells[contract.index] ?? '') : '';
  return cells.some(isTotalMarker) && (isBlank(contractCell) || isTotalMarker(contractCell));
}

function invalidRow(kind: ImportKind, place: RowPlace, values: Record<string, unknown>, errors: RowError[]): RowResult {
  return { kind, ok: false, ...place, values, errors } as RowResult;
}

function sheetReport(sheet: string | null, fields: Partial<SheetReport>): SheetReport {
  return { sheet, read: false, kind: null, headerRow: null, reason: null, unknownColumns: [], rows: 0, totalRowsSkipped: 0, ...fields };
}
