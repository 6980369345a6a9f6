// Helpers for the importer tests: read a whole file, and show rows with amounts as 2-decimal strings.
import { fileURLToPath } from 'node:url';
import { Decimal } from 'decimal.js';
import { type ImportReader, type ReadOptions, type RowResult, readImportFile } from '../../src/imports/rows.js';

export const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/imports/${name}`, import.meta.url));

export async function readAll(path: string, options: ReadOptions = {}): Promise<{ reader: ImportReader; rows: RowResult[] }> {
  const reader = readImportFile(path, options);
  const rows: RowResult[] = [];
  for await (const row of reader.rows()) rows.push(row);
  return { reader, rows };
}

/** A row's values with every Decimal as its two-decimal string, for toEqual. */
export function plain(values: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Decimal.isDecimal(v) ? v.toFixed(2) : v]));
}
