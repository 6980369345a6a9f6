// XLSX workbooks, streamed sheet by sheet with exceljs: every cell becomes the text a person would type
// for it, so that CSV and XLSX rows go through the same normalisation (normalise.ts).
import { createReadStream } from 'node:fs';
import './exceljs-sax.js';
import ExcelJS from 'exceljs';
import { Dec } from '../core/money.js';
import type { SourceRow } from './csv.js';

export interface XlsxSheet {
  name: string;
  hidden: boolean;
  /** The sheet's rows: read them to the end before asking for the next sheet (one zip stream). */
  rows: AsyncGenerator<SourceRow>;
}

/**
 * exceljs 4.4's streaming reader can lose the last small parts of the zip (its iterate-stream sees the
 * parser's early 'end': exceljs issue #3064): without xl/workbook.xml it throws on the sheet names,
 * without xl/sharedStrings.xml text cells arrive as `{ sharedString: n }`. Both show before any row
 * of the first sheet, so the caller can simply read the file again. (A lost xl/styles.xml only turns date
 * cells into serial numbers, which the date parser reads.)
 */
export class XlsxReadRace extends Error {
  constructor(message: string) {
    super(`${message} (exceljs streaming race, exceljs issue #3064)`);
    this.name = 'XlsxReadRace';
  }
}

/** Significant digits Excel itself keeps: more are binary noise of formulas (=0.1+0.2), not data. */
const EXCEL_SIGNIFICANT_DIGITS = 15;

export async function* readXlsxSheets(path: string): AsyncGenerator<XlsxSheet> {
  const input = createReadStream(path);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    // Without the styles, date cells arrive as bare serial numbers.
    styles: 'cache',
    // 'ignore' keeps a hyperlink cell's text as its value and leaves no hyperlink readers to drain.
    hyperlinks: 'ignore',
  });
  try {
    for await (const worksheet of reader) {
      // name and state are set by exceljs but missing from its type definitions.
      const sheet = worksheet as unknown as { name: string; state?: string } & AsyncIterable<ExcelJS.Row>;
      yield { name: sheet.name, hidden: sheet.state !== undefined && sheet.state !== 'visible', rows: sheetRows(sheet) };
    }
  } catch (error) {
    if ((reader as unknown as { model?: unknown }).model === undefined) {
      throw new XlsxReadRace(`workbook part xl/workbook.xml not read: ${(error as Error).message}`);
    }
    throw error;
  } finally {
    input.destroy();
  }
}

async function* sheetRows(sheet: AsyncIterable<ExcelJS.Row>): AsyncGenerator<SourceRow> {
  for await (const row of sheet) {
    // row.values is 1-based and sparse; cells[] is 0-based and dense.
    const values = row.values as unknown[];
    const cells: string[] = [];
    for (let column = 1; column < values.length; column++) cells.push(cellText(values[column]));
    yield { rowNumber: row.number, cells };
  }
}

/** A cell value as text: formula → its saved result, rich text → plain text, Date → its UTC calendar day. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  // exceljs builds Dates at UTC midnight of the cell's day: the UTC date is the day Excel shows.
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
    if ('sharedString' in cell) throw new XlsxReadRace('workbook part xl/sharedStrings.xml not read');
  }
  return String(value);
}

/** A number as the exact decimal Excel shows: 1234.5 → "1234.5", 0.1+0.2 → "0.3", 1e-7 → "0.0000001". */
export function numberText(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return new Dec(value.toPrecision(EXCEL_SIGNIFICANT_DIGITS)).toString();
}
