// Property: whatever is in the cells (or the bytes), the reader never throws; junk becomes row errors
// or file-level errors.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readAll } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'zq-junk-'));
let counter = 0;
const nextPath = (ext: string) => join(dir, `junk-${counter++}.${ext}`);

const HEADERS = ['合同编号', '客户名称', '期次', '款项类型', '应还日期', '应还金额', '已还金额', '已计罚息', '已收罚息', '备注'];

const junkText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', '合计', '第期', '¥', '(1,2)', '1.5万万', '2026-02-30', '60', '-', '"', '\r\n', '\u3000', '1e400', 'NaN'),
);
const junkRow = fc.array(junkText, { minLength: 0, maxLength: HEADERS.length + 2 });

function csvLine(cells: readonly string[]): string {
  return cells.map((c) => `"${c.replace(/"/g, '""')}"`).join(',');
}

type Read = Awaited<ReturnType<typeof readAll>>;
function checkShape({ reader, rows }: Read, dataRows: number): void {
  expect(rows.length).toBeLessThanOrEqual(dataRows);
  for (const row of rows) {
    expect(row.ok).toBe(row.errors.length === 0);
    for (const error of row.errors) {
      expect(typeof error.column).toBe('string');
      expect(typeof error.value).toBe('string');
      expect(error.reason.length).toBeGreaterThan(0);
    }
  }
  for (const error of reader.errors) expect(error.reason.length).toBeGreaterThan(0);
}

describe('junk never throws', () => {
  it('random cells in a well-formed CSV become row errors', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(junkRow, { maxLength: 15 }), async (cells) => {
        const path = nextPath('csv');
        writeFileSync(path, `\ufeff${[HEADERS, ...cells].map(csvLine).join('\r\n')}\r\n`);
        const read = await readAll(path);
        expect(read.reader.errors).toEqual([]);
        checkShape(read, cells.length);
        // A row with a junk required cell is an error row, never a valid one.
        for (const row of read.rows) {
          if (row.ok) expect(row.values.contract_no).not.toBeNull();
        }
      }),
      { numRuns: 60 },
    );
  });

  it('random bytes after a header line become row or file errors', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), fc.boolean(), async (bytes, bom) => {
        const path = nextPath('csv');
        const head = Buffer.from(`${bom ? '\ufeff' : ''}${HEADERS.join(',')}\r\n`);
        writeFileSync(path, Buffer.concat([head, Buffer.from(bytes)]));
        checkShape(await readAll(path), Number.POSITIVE_INFINITY);
      }),
      { numRuns: 60 },
    );
  });

  it('random bytes as a whole file become file errors', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.constantFrom('csv', 'xlsx'), async (bytes, ext) => {
        const path = nextPath(ext);
        writeFileSync(path, bytes);
        checkShape(await readAll(path), Number.POSITIVE_INFINITY);
      }),
      { numRuns: 60 },
    );
  });

  it('random cell values in an XLSX become row errors', async () => {
    const cellValue = fc.oneof(
      junkText,
      fc.double({ noNaN: false }),
      fc.integer(),
      fc.boolean(),
      fc.date({ min: new Date(Date.UTC(1900, 0, 1)), max: new Date(Date.UTC(2999, 11, 31)), noInvalidDate: true }),
      fc.constant(null),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(cellValue, { maxLength: HEADERS.length }), { maxLength: 8 }), async (cells) => {
        const workbook = new ExcelJS.Workbook();
        const sheet = workbook.addWorksheet('台账');
        sheet.addRow(HEADERS);
        for (const row of cells) sheet.addRow(row);
        const path = nextPath('xlsx');
        await workbook.xlsx.writeFile(path);
        const read = await readAll(path);
        expect(read.reader.errors).toEqual([]);
        checkShape(read, cells.length);
      }),
      { numRuns: 25 },
    );
  });
});
