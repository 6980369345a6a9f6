// XLSX workbooks, read sheet by sheet: every cell becomes the text a person would type for it, so that
// CSV and XLSX rows go through the same normalisation (normalise.ts).
//
// The zip is opened with yauzl, which reads the central directory and then each part where it lies:
// the workbook, its relationships, the shared strings and the styles are read first whatever their order
// in the file, then each sheet is streamed in the workbook's order. (exceljs read the zip front to back as
// one stream and lost small parts to a race, exceljs issue #3064.) The XML is read by xml.ts.
import { pipeline, type Readable } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import yauzl from 'yauzl';
import { Dec } from '../core/money.js';
import type { SourceRow } from './csv.js';
import { serialToDate } from './normalise.js';
import { decodeText, type XmlAttributes, XmlError, type XmlHandler, XmlScanner } from './xml.js';

export interface XlsxSheet {
  name: string;
  hidden: boolean;
  /** The sheet's rows, streamed: read them before asking for the next sheet, which closes them. */
  rows: AsyncGenerator<SourceRow>;
}

/** Significant digits Excel itself keeps: more are binary noise of formulas (=0.1+0.2), not data. */
const EXCEL_SIGNIFICANT_DIGITS = 15;
/** Excel's last column, XFD: a cell reference beyond it is a broken file (and would make a huge row). */
const MAX_COLUMNS = 16_384;
/** A workbook has a few dozen parts; a zip with more is not one. */
const MAX_ZIP_ENTRIES = 100_000;
/** Shared strings are kept in memory (as exceljs did): a larger part is refused rather than read. */
const MAX_SHARED_STRINGS_BYTES = 1024 * 1024 * 1024;
/** Inflated bytes per chunk (zlib's default is 16 KiB). */
const INFLATE_CHUNK_BYTES = 256 * 1024;
/** Zip compression methods a workbook part may have. */
const STORED = 0;
const DEFLATED = 8;
/** Date cells' days remembered per sheet (see SheetHandler.dateText). */
const MAX_REMEMBERED_DAYS = 10_000;
/** Built-in number formats that show a date or time (ECMA-376 18.8.30 and the East Asian ones). */
const BUILT_IN_DATE_FORMATS = new Set([
  14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58,
]);

interface Workbook {
  sheets: { name: string; hidden: boolean; part: yauzl.Entry }[];
  date1904: boolean;
  sharedStrings: string[];
  /** By cell style index (a cell's `s`): whether its number format shows a date. */
  dateStyles: boolean[];
}

export async function* readXlsxSheets(path: string): AsyncGenerator<XlsxSheet> {
  const zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false });
  let rows: AsyncGenerator<SourceRow> | undefined;
  try {
    const workbook = await readWorkbook(zip, await readEntries(zip));
    for (const sheet of workbook.sheets) {
      rows = sheetRows(zip, sheet.part, workbook);
      yield { name: sheet.name, hidden: sheet.hidden, rows };
      // Whatever the caller left unread of this sheet is not read: its part stream is closed.
      await rows.return(undefined);
    }
  } finally {
    await rows?.return(undefined);
    zip.close();
  }
}

/** The zip's entries by lower-case name: part names are case-insensitive (ECMA-376 part 2, 9.1.1.1). */
async function readEntries(zip: yauzl.ZipFile): Promise<Map<string, yauzl.Entry>> {
  const entries = new Map<string, yauzl.Entry>();
  for await (const entry of zip.eachEntry()) {
    if (entries.size >= MAX_ZIP_ENTRIES) throw new Error(`more than ${MAX_ZIP_ENTRIES} entries in the zip: not a workbook`);
    entries.set(entry.fileName.toLowerCase(), entry);
  }
  return entries;
}

async function readWorkbook(zip: yauzl.ZipFile, entries: Map<string, yauzl.Entry>): Promise<Workbook> {
  const entry = (part: string) => entries.get(part.toLowerCase());
  const rootRelationships = await readRelationships(zip, entry, '');
  const bookPart = rootRelationships.find((r) => r.type.endsWith('/officeDocument'))?.target ?? 'xl/workbook.xml';
  const bookEntry = entry(bookPart);
  if (bookEntry === undefined) throw new Error(`no workbook part ${bookPart} in the file`);
  const relationships = await readRelationships(zip, entry, bookPart);
  const related = (type: string, conventional: string) =>
    entry(relationships.find((r) => r.type.endsWith(type))?.target ?? conventional) ?? entry(conventional);

  const listed: { name: string; state: string | undefined; id: string | undefined }[] = [];
  let date1904 = false;
  await scanWhole(zip, bookEntry, {
    collecting: false,
    open(name, attributes) {
      if (name === 'workbookPr') date1904 = isTrue(attributes.get('date1904'));
      else if (name === 'sheet')
        listed.push({ name: attributes.get('name') ?? '', state: attributes.get('state'), id: attributes.get('id') });
    },
    close() {},
    text() {},
  });
  const sheets: Workbook['sheets'] = [];
  for (const sheet of listed) {
    const relationship = relationships.find((r) => r.id === sheet.id);
    // Chart sheets and dialog sheets have no cells.
    if (relationship !== undefined && !relationship.type.endsWith('/worksheet')) continue;
    const part = relationship && entry(relationship.target);
    if (part === undefined)
      throw new Error(`sheet "${sheet.name}": its part ${relationship?.target ?? `(relationship ${sheet.id})`} is not in the file`);
    sheets.push({ name: sheet.name, hidden: sheet.state === 'hidden' || sheet.state === 'veryHidden', part });
  }
  const stringsEntry = related('/sharedStrings', 'xl/sharedStrings.xml');
  const stylesEntry = related('/styles', 'xl/styles.xml');
  return {
    sheets,
    date1904,
    sharedStrings: stringsEntry ? await readSharedStrings(zip, stringsEntry) : [],
    dateStyles: stylesEntry ? await readDateStyles(zip, stylesEntry) : [],
  };
}

interface Relationship {
  id: string;
  type: string;
  /** The target part's name in the zip. */
  target: string;
}

/** The relationships of a part ('' for the package itself), targets resolved to part names. */
async function readRelationships(
  zip: yauzl.ZipFile,
  entry: (part: string) => yauzl.Entry | undefined,
  source: string,
): Promise<Relationship[]> {
  const folder = source.slice(0, source.lastIndexOf('/') + 1);
  const relsEntry = entry(`${folder}_rels/${source.slice(folder.length)}.rels`);
  const relationships: Relationship[] = [];
  if (relsEntry === undefined) return relationships;
  await scanWhole(zip, relsEntry, {
    collecting: false,
    open(name, attributes) {
      if (name !== 'Relationship' || attributes.get('TargetMode') === 'External') return;
      const target = attributes.get('Target') ?? '';
      relationships.push({ id: attributes.get('Id') ?? '', type: attributes.get('Type') ?? '', target: resolvePart(folder, target) });
    },
    close() {},
    text() {},
  });
  return relationships;
}

/** A relationship's target (a relative or absolute URI) as a part name: `worksheets/sheet1.xml` → `xl/worksheets/sheet1.xml`. */
function resolvePart(folder: string, target: string): string {
  let uri = target;
  try {
    uri = decodeURI(target);
  } catch {
    // not percent-encoded after all: the name as written
  }
  const segments = uri.startsWith('/') ? [] : folder.split('/').filter(Boolean);
  for (const segment of uri.split('/')) {
    if (segment === '..') segments.pop();
    else if (segment !== '' && segment !== '.') segments.push(segment);
  }
  return segments.join('/');
}

/** Each <si>'s text: its <t>, or its rich-text runs' <t> joined; phonetic guides (<rPh>) are not shown by Excel. */
async function readSharedStrings(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<string[]> {
  if (entry.uncompressedSize > MAX_SHARED_STRINGS_BYTES) throw new Error(`shared strings larger than ${MAX_SHARED_STRINGS_BYTES} bytes`);
  const strings: string[] = [];
  let text = '';
  let phonetic = 0;
  await scanWhole(zip, entry, {
    collecting: false,
    open(name) {
      if (name === 'si') text = '';
      else if (name === 't') this.collecting = phonetic === 0;
      else if (name === 'rPh') phonetic++;
    },
    close(name) {
      if (name === 'si') strings.push(unescapeXstring(text));
      else if (name === 't') this.collecting = false;
      else if (name === 'rPh') phonetic--;
    },
    text(piece) {
      text += piece;
    },
  });
  return strings;
}

/** Whether each cell style (<cellXfs> entry) has a date number format. */
async function readDateStyles(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<boolean[]> {
  const customFormats = new Map<number, string>();
  const styleFormats: number[] = [];
  let within = '';
  await scanWhole(zip, entry, {
    collecting: false,
    open(name, attributes) {
      if (name === 'numFmts' || name === 'cellXfs') within = name;
      else if (name === 'numFmt' && within === 'numFmts')
        customFormats.set(integer(attributes.get('numFmtId')), attributes.get('formatCode') ?? '');
      else if (name === 'xf' && within === 'cellXfs') styleFormats.push(integer(attributes.get('numFmtId')));
    },
    close(name) {
      if (name === within) within = '';
    },
    text() {},
  });
  return styleFormats.map((id) => {
    const code = customFormats.get(id);
    return code === undefined ? BUILT_IN_DATE_FORMATS.has(id) : isDateFormatCode(code);
  });
}

/**
 * A number format shows a date or time when, outside [colour/locale] brackets, "quoted text" and the
 * one-character escapes \x _x *x, it has y m d h s (or b, the Buddhist year). exceljs (utils.isDateFmt)
 * decides the same way, but case-sensitively (only M in capitals) and without the escapes; Excel reads
 * YYYY-MM-DD as a date too.
 */
export function isDateFormatCode(code: string): boolean {
  const bare = code
    .replace(/\[[^\]]*]/g, '')
    .replace(/"[^"]*"/g, '')
    .replace(/[\\_*]./g, '');
  return /[ymdhsb]/i.test(bare);
}

/**
 * The rows of one sheet, streamed from its part; ends at </sheetData> without reading what follows. The merged
 * ranges come after </sheetData> in the part: they are found first, by a pass over the part's bytes (readMerges).
 */
async function* sheetRows(zip: yauzl.ZipFile, entry: yauzl.Entry, workbook: Workbook): AsyncGenerator<SourceRow> {
  const merges = await readMerges(zip, entry);
  const sheet = new SheetHandler(workbook, merges.length > 0 ? new MergeFiller(merges) : null);
  for await (const _ of scanPart(zip, entry, sheet)) {
    if (sheet.rows.length > 0) {
      const rows = sheet.rows;
      sheet.rows = [];
      yield* rows;
    }
    if (sheet.finished) return;
  }
  throw new Error(`${entry.fileName}: the sheet ends before </sheetData>`);
}

/** Text up to the next tag, in two groups: the first when there is nothing to decode (no reference, no CR, only ASCII). */
const TEXT = "(?:([\\t\\n -%'-;=-~]*)|([^<]*))";
/** See SheetHandler.readElement. */
const COMMON_CELL = new RegExp(
  `<c(?: r="([A-Z]{1,3}[0-9]*)")?(?: s="([0-9]{1,9})")?(?: t="([a-zA-Z]{1,9})")?` +
    `(?:/>|>(?:<v>${TEXT}</v>|<is><t(?: xml:space="preserve")?>${TEXT}</t></is>)?</c>)`,
  'y',
);

// What the sheet reader is inside of, for the text it collects.
const NO_TEXT = 0;
const VALUE_TEXT = 1;
const FORMULA_TEXT = 2;
const INLINE_TEXT = 3;

/** A cell as read, before it becomes text (cellText). */
type CellValue = string | boolean | { formula: string } | { error: string };

/**
 * <sheetData>'s rows: <row r=…> holding <c r=… t=… s=…> cells with <v> (a value, or a formula's saved
 * result), <f> (a formula) or <is> (an inline string, plain or rich text runs). A row or cell without
 * `r` follows the one before it.
 */
class SheetHandler implements XmlHandler {
  collecting = false;
  /** Rows complete since the caller last took them. */
  rows: SourceRow[] = [];
  finished = false;
  private inSheetData = false;
  private rowNumber = 0;
  private cells: string[] | null = null;
  private nextColumn = 0;
  // The cell being read.
  private column = 0;
  private type = '';
  private style = 0;
  private value: string | null = null;
  private formula: string | null = null;
  private inline: string | null = null;
  private target = NO_TEXT;
  private phonetic = 0;
  private readonly days = new Map<string, string>();

  constructor(
    private readonly workbook: Workbook,
    private readonly merges: MergeFiller | null,
  ) {}

  open(name: string, attributes: XmlAttributes): void {
    if (!this.inSheetData) {
      if (name === 'sheetData') this.inSheetData = true;
      return;
    }
    switch (name) {
      case 'c':
        this.column = columnIndex(attributes.get('r'), this.nextColumn);
        this.nextColumn = this.column + 1;
        this.type = attributes.get('t') ?? 'n';
        this.style = attributes.integer('s', 0);
        this.value = this.formula = this.inline = null;
        break;
      case 'v':
        this.value = '';
        this.collect(VALUE_TEXT);
        break;
      case 'f':
        this.formula = '';
        this.collect(FORMULA_TEXT);
        break;
      case 'is':
        this.inline = '';
        break;
      case 't':
        if (this.inline !== null && this.phonetic === 0) this.collect(INLINE_TEXT);
        break;
      case 'rPh':
        this.phonetic++;
        break;
      case 'row': {
        const r = attributes.integer('r', 0);
        this.rowNumber = r > 0 ? r : this.rowNumber + 1;
        this.cells = [];
        this.nextColumn = 0;
        break;
      }
    }
  }

  close(name: string): void {
    switch (name) {
      case 'v':
      case 'f':
      case 't':
        this.collect(NO_TEXT);
        break;
      case 'rPh':
        this.phonetic--;
        break;
      case 'c':
        this.endCell();
        break;
      case 'row':
        if (this.cells !== null) {
          const merged = this.merges?.fill(this.rowNumber, this.cells);
          this.rows.push(
            merged ? { rowNumber: this.rowNumber, cells: this.cells, merged } : { rowNumber: this.rowNumber, cells: this.cells },
          );
        }
        this.cells = null;
        break;
      case 'sheetData':
        this.finished = true;
        break;
    }
  }

  text(text: string): void {
    if (this.target === VALUE_TEXT) this.value += text;
    else if (this.target === FORMULA_TEXT) this.formula += text;
    else if (this.target === INLINE_TEXT) this.inline += text;
  }

  /**
   * The cell most writers write (Excel, WPS, exceljs, xlsxwriter), read with one regular expression, which
   * V8 runs as machine code: <c> with r, s and t in that order, holding nothing, a <v> or an inline string
   * (measured: the bench sheet read in about two thirds of the time). Any other cell — other attributes or order, single
   * quotes, prefixes, a formula, rich text, a comment — does not match and is read tag by tag.
   */
  readElement(s: string, at: number, bytes: boolean): number {
    if (this.cells === null || s.charCodeAt(at + 1) !== 99 /* c */) return -1;
    COMMON_CELL.lastIndex = at;
    const match = COMMON_CELL.exec(s);
    if (match === null) return -1;
    const [, reference, style, type, plainValue, value, plainInline, inline] = match;
    this.column = columnIndex(reference, this.nextColumn);
    this.nextColumn = this.column + 1;
    this.style = style === undefined ? 0 : Number(style);
    this.type = type ?? 'n';
    this.value = plainValue ?? (value === undefined ? null : decodeText(value, bytes));
    this.inline = plainInline ?? (inline === undefined ? null : decodeText(inline, bytes));
    this.formula = null;
    this.endCell();
    return COMMON_CELL.lastIndex;
  }

  private collect(target: number): void {
    this.target = target;
    this.collecting = target !== NO_TEXT;
  }

  /** A cell without text (only a style, or an empty string) does not lengthen the row, as with exceljs. */
  private endCell(): void {
    const cells = this.cells;
    const value = this.cellValue();
    if (cells === null || value === undefined) return;
    const text = cellText(value);
    if (text === '' && this.column >= cells.length) return;
    while (cells.length < this.column) cells.push('');
    cells[this.column] = text;
  }

  private cellValue(): CellValue | undefined {
    if (this.value !== null) return this.typedValue(this.value);
    if (this.inline !== null) return unescapeXstring(this.inline);
    // A formula never calculated (written by a program, not Excel) has no saved result.
    if (this.formula !== null) return { formula: this.formula };
    return undefined;
  }

  /** <v> as its type says; a formula's saved result has the type of the result. */
  private typedValue(text: string): CellValue {
    switch (this.type) {
      case 's':
        return this.workbook.sharedStrings[Number.parseInt(text, 10)] ?? '';
      case 'str':
      case 'inlineStr':
        return unescapeXstring(text);
      case 'e':
        return { error: text };
      case 'b':
        return text !== '0' && text !== 'false';
      case 'd':
        // ISO 8601 (strict OOXML): the calendar day, as for a date cell.
        return /^\d{4}-\d{2}-\d{2}/.test(text) ? text.slice(0, 10) : text;
      default:
        if (text === '') return '';
        return this.workbook.dateStyles[this.style] ? this.dateText(text) : numberCellText(text);
    }
  }

  /** A date cell's day; ledgers repeat a few hundred days, so each is worked out once. */
  private dateText(text: string): string {
    let day = this.days.get(text);
    if (day === undefined) {
      if (this.days.size >= MAX_REMEMBERED_DAYS) this.days.clear();
      const serial = Number.parseFloat(text);
      // no such day: the invented 1900-02-29 as Excel shows it, or what a Date of no day printed
      day =
        serialToDate(serial, this.workbook.date1904) ??
        (!this.workbook.date1904 && serial >= 60 && serial < 61 ? '1900-02-29' : 'Invalid Date');
      this.days.set(text, day);
    }
    return day;
  }
}

/** A merged range of cells: rows as Excel numbers them, 0-based columns. */
export interface MergedRange {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

/** `B2:D13` (or one cell, `B2`) as a range; null when it is not a cell reference. */
export function parseRange(ref: string): MergedRange | null {
  const m = /^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})(?::\$?([A-Za-z]{1,3})\$?([0-9]{1,7}))?$/.exec(ref.trim());
  if (m === null) return null;
  const [, c1 = '', r1 = '', c2 = c1, r2 = r1] = m;
  const [left, right] = [columnIndex(c1, 0), columnIndex(c2, 0)].sort((a, b) => a - b) as [number, number];
  const [top, bottom] = [Number(r1), Number(r2)].sort((a, b) => a - b) as [number, number];
  return { top, left, bottom, right };
}

/**
 * Gives every cell of a merged range its top-left cell's text, as the rows stream past (in order). A range
 * is not spread beyond the widest row seen so far: a title merged over A1:XFD1 stays one cell, not 16,384.
 */
export class MergeFiller {
  private next = 0;
  private active: { range: MergedRange; text: string }[] = [];
  private width = 0;
  private readonly ranges: MergedRange[];

  constructor(ranges: readonly MergedRange[]) {
    this.ranges = [...ranges].sort((a, b) => a.top - b.top);
  }

  /** Fills the row's cells in place; the columns filled, or undefined when none was. */
  fill(rowNumber: number, cells: string[]): number[] | undefined {
    this.width = Math.max(this.width, cells.length);
    if (this.active.some((a) => a.range.bottom < rowNumber)) this.active = this.active.filter((a) => a.range.bottom >= rowNumber);
    const ranges = this.ranges;
    while (this.next < ranges.length && (ranges[this.next] as MergedRange).top <= rowNumber) {
      const range = ranges[this.next++] as MergedRange;
      // a range whose top row has no <row> element has no text to give
      if (range.bottom >= rowNumber && range.top === rowNumber) this.active.push({ range, text: cells[range.left] ?? '' });
    }
    const filled: number[] = [];
    for (const { range, text } of this.active) {
      if (text === '') continue;
      const right = Math.min(range.right, Math.max(this.width - 1, range.left));
      for (let column = range.top === rowNumber ? range.left + 1 : range.left; column <= right; column++) {
        while (cells.length < column) cells.push('');
        cells[column] = text;
        filled.push(column);
      }
    }
    return filled.length > 0 ? filled : undefined;
  }
}

/**
 * The sheet's merged ranges (<mergeCells>, after </sheetData>). The part is inflated once more and its bytes
 * searched for the end of <sheetData> (in markup a '<' is never text, so `</sheetData>` is the tag); only what
 * follows it is decoded. Costs an inflate of the part, not a parse of it.
 */
async function readMerges(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<MergedRange[]> {
  const stream = await openPart(zip, entry);
  let encoding: 'utf8' | 'utf16le' | null = null;
  let marker = Buffer.alloc(0);
  let carry = Buffer.alloc(0);
  const tail: Buffer[] = [];
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (encoding === null) {
        encoding = chunk[0] === 0xff && chunk[1] === 0xfe ? 'utf16le' : 'utf8';
        marker = Buffer.from('sheetData>', encoding);
      }
      if (tail.length > 0) {
        tail.push(chunk);
        continue;
      }
      const window = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      const end = endOfSheetData(window, marker, encoding);
      if (end >= 0) tail.push(window.subarray(end));
      else carry = Buffer.from(window.subarray(Math.max(0, window.length - 64)));
    }
  } finally {
    stream.destroy();
  }
  if (encoding === null || tail.length === 0) return [];
  const text = Buffer.concat(tail).toString(encoding);
  const ranges: MergedRange[] = [];
  for (const m of text.matchAll(/<(?:[\w.-]+:)?mergeCell\s[^>]*?\bref\s*=\s*["']([^"']*)["']/g)) {
    const range = parseRange(m[1] ?? '');
    if (range !== null && (range.bottom > range.top || range.right > range.left)) ranges.push(range);
  }
  return ranges;
}

/** Where the bytes after `</sheetData>` (or `</x:sheetData>`) begin in the buffer; -1 when it is not there. */
function endOfSheetData(buffer: Buffer, marker: Buffer, encoding: 'utf8' | 'utf16le'): number {
  const unit = encoding === 'utf8' ? 1 : 2;
  const char = (i: number) => (i >= 0 ? (buffer[i] as number) : -1);
  for (let at = buffer.indexOf(marker); at >= 0; at = buffer.indexOf(marker, at + 1)) {
    let i = at - unit;
    if (char(i) === 0x3a /* : */) {
      i -= unit;
      while (i >= 0 && /[\w.-]/.test(String.fromCharCode(char(i)))) i -= unit;
    }
    if (char(i) === 0x2f /* / */ && char(i - unit) === 0x3c /* < */) return at + marker.length;
  }
  return -1;
}

/** 0-based column of a cell reference (`B5` → 1); `fallback` when it has none. */
function columnIndex(reference: string | undefined, fallback: number): number {
  if (reference === undefined) return fallback;
  let column = 0;
  let i = 0;
  for (; i < reference.length; i++) {
    const letter = reference.charCodeAt(i) | 0x20; // lower case
    if (letter < 97 || letter > 122) break;
    column = column * 26 + letter - 96;
    if (column > MAX_COLUMNS) throw new XmlError(`cell reference ${reference} beyond the last column (XFD)`);
  }
  return i === 0 ? fallback : column - 1;
}

/** Excel escapes characters XML cannot hold as _xHHHH_ (ECMA-376 22.9.2.19): `a_x000D_b` is a, CR, b. */
function unescapeXstring(text: string): string {
  return text.indexOf('_x') < 0
    ? text
    : text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

function integer(text: string | undefined): number {
  const value = text === undefined ? 0 : Number.parseInt(text, 10);
  return Number.isNaN(value) ? 0 : value;
}

function isTrue(text: string | undefined): boolean {
  return text === '1' || text === 'true';
}

/** A part read through the scanner to its end. */
async function scanWhole(zip: yauzl.ZipFile, entry: yauzl.Entry, handler: XmlHandler): Promise<void> {
  for await (const _ of scanPart(zip, entry, handler));
}

/**
 * A part's bytes, inflated. yauzl's own inflating stream gives zlib's default 16 KiB chunks, whose stream
 * overhead cost more than the inflating itself; larger ones read a sheet faster (bench/xlsx-read.ts).
 */
async function openPart(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
  if (entry.isEncrypted()) throw new Error(`${entry.fileName}: encrypted (save the workbook without a password)`);
  if (entry.compressionMethod !== STORED && entry.compressionMethod !== DEFLATED) {
    throw new Error(`${entry.fileName}: compression method ${entry.compressionMethod} (a workbook part is stored or deflated)`);
  }
  const raw = await zip.openReadStreamPromise(entry, { decodeFileData: false });
  return entry.compressionMethod === STORED ? raw : pipeline(raw, createInflateRaw({ chunkSize: INFLATE_CHUNK_BYTES }), () => {});
}

/** Streams a part through the scanner, yielding after each chunk; the part's stream is closed when left. */
async function* scanPart(zip: yauzl.ZipFile, entry: yauzl.Entry, handler: XmlHandler): AsyncGenerator<void> {
  const stream = await openPart(zip, entry);
  const scanner = new XmlScanner(handler);
  let bytes = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      // The central directory's size is what was checked against the limits: a part is not allowed more.
      bytes += chunk.length;
      if (bytes > entry.uncompressedSize) throw new Error(`${entry.fileName}: more bytes than the zip says (${entry.uncompressedSize})`);
      scanner.write(chunk);
      yield;
    }
    if (bytes !== entry.uncompressedSize) throw new Error(`${entry.fileName}: ${bytes} bytes where the zip says ${entry.uncompressedSize}`);
    scanner.end();
  } catch (error) {
    if (error instanceof XmlError) throw new XmlError(`${entry.fileName}: ${error.message}`);
    throw error;
  } finally {
    stream.destroy();
  }
}

/** A cell value as text: formula → its saved result, rich text → plain text, Date → its UTC calendar day. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  // Dates are built at UTC midnight of the cell's day: the UTC date is the day Excel shows.
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    const cell = value as Record<string, unknown>;
    if ('formula' in cell || 'sharedFormula' in cell) {
      // A formula without a saved result shows as the formula, so the row error says what is wrong.
      return cell.result === undefined ? `=${String(cell.formula ?? cell.sharedFormula ?? '')}` : cellText(cell.result);
    }
    if (Array.isArray(cell.richText)) return cell.richText.map((run: { text?: string | null }) => run.text ?? '').join('');
    if ('text' in cell) return cellText(cell.text);
    if ('error' in cell) return String(cell.error);
  }
  return String(value);
}

const PLAIN_DECIMAL = /^-?\d+(?:\.\d+)?$/;
/** A decimal as JavaScript and Excel write the shortest form: no exponent, no leading or trailing zeros. */
const SHORTEST_DECIMAL = /^-?(?:0|[1-9]\d*)(?:\.\d*[1-9])?$/;

/**
 * A number cell's <v> as numberText gives it. Excel saves the shortest form of the double, so a value of
 * at most 15 digits is already that text (two decimals of 15 digits or fewer are never the same double);
 * longer ones (10000.300000000001) go through the rounding.
 */
export function numberCellText(text: string): string {
  return SHORTEST_DECIMAL.test(text) && text !== '-0' && digitCount(text) <= EXCEL_SIGNIFICANT_DIGITS
    ? text
    : numberText(Number.parseFloat(text));
}

/** A number as the exact decimal Excel shows: 1234.5 → "1234.5", 0.1+0.2 → "0.3", 1e-7 → "0.0000001". */
export function numberText(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  // JavaScript's shortest form is already that decimal when it has at most 15 digits and no exponent:
  // rounding to 15 significant digits cannot change it (a double is closer to it than half a 15th digit).
  const shortest = String(value);
  if (shortest.length <= EXCEL_SIGNIFICANT_DIGITS + 2 && PLAIN_DECIMAL.test(shortest) && digitCount(shortest) <= EXCEL_SIGNIFICANT_DIGITS) {
    return shortest;
  }
  return new Dec(value.toPrecision(EXCEL_SIGNIFICANT_DIGITS)).toString();
}

function digitCount(text: string): number {
  return text.length - (text.charCodeAt(0) === 45 /* - */ ? 1 : 0) - (text.includes('.') ? 1 : 0);
}
