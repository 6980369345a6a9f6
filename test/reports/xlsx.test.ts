// The report workbook writer (src/reports/xlsx.ts): a small breakdown-shaped workbook written and read back with
// our own XLSX reader (src/imports/xlsx.ts) and with exceljs's; the partial-then-rename rule; CSV. No database.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import yauzl from 'yauzl';
import { BadInput } from '../../src/core/errors.js';
import { Dec } from '../../src/core/money.js';
import { readXlsxSheets } from '../../src/imports/xlsx.js';
import {
  columnWidth,
  type ReportColumn,
  type ReportRow,
  type ReportSheet,
  type ReportWorkbook,
  writeReportCsv,
  writeReportXlsx,
} from '../../src/reports/xlsx.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'zq-report-xlsx-'));
let counter = 0;
/** A fresh folder per test: what is left in it is what the writer left. */
function folder(): string {
  const dir = path.join(tmp, `t${counter++}`);
  fs.mkdirSync(dir);
  return dir;
}

const DETAIL_COLUMNS: ReportColumn[] = [
  { header: '经销商', kind: 'text' },
  { header: '合同编号', kind: 'text', width: 18 },
  { header: '客户名称', kind: 'text', width: 30 },
  { header: '期次', kind: 'integer' },
  { header: '应还日期', kind: 'date' },
  { header: '应还金额', kind: 'money' },
  { header: '未还金额', kind: 'money' },
  { header: '逾期率', kind: 'percent' },
];

// The working of the subtotals and the total, by hand:
//   HT-001 应还 12345678901.23 + 1000.00 = 12345679901.23; 未还 0.01 + 1000.00 = 1000.01
//   HT-002 应还 -0.50; 未还 0.00
//   合计   应还 12345679901.23 + (-0.50) = 12345679900.73; 未还 1000.01 + 0.00 = 1000.01
const DETAIL_ROWS: ReportRow[] = [
  { level: 'detail', cells: ['HF01', 'HT-001', '安徽鑫磊土石方工程有限公司', 1, '2026-01-15', '12345678901.23', '0.01', '0.1234'] },
  { level: 'detail', cells: ['HF01', 'HT-001', '安徽鑫磊土石方工程有限公司', '2', '2026-02-28', '1000.00', '1000.00', '1'] },
  { level: 'subtotal', depth: 1, cells: ['HF01', 'HT-001 小计', null, null, null, '12345679901.23', '1000.01', null] },
  { level: 'detail', cells: ['HF02', 'HT-002', '张三, "老张"\n二号 & <某> _x0041_ \u0007', 1, '2026-03-31', '-0.50', '0.00', '0'] },
  { level: 'subtotal', depth: 1, cells: ['HF02', 'HT-002 小计', null, null, null, '-0.50', '0.00', null] },
  { level: 'total', cells: ['合计', null, null, null, null, '12345679900.73', '1000.01', null] },
];

const SUMMARY_COLUMNS: ReportColumn[] = [
  { header: '经销商', kind: 'text' },
  { header: '合同数', kind: 'integer' },
  { header: '未还金额', kind: 'money' },
];
const SUMMARY_ROWS: ReportRow[] = [
  { level: 'detail', cells: ['HF01 合肥代理店', 1, '1000.01'] },
  { level: 'detail', cells: ['HF02 芜湖代理店', 1, '0.00'] },
  { level: 'total', cells: ['合计', 2, '1000.01'] },
];

const SUBTITLE = ['经销商：全部', '截至：2026年3月31日', '口径：当日报送'];
// title (1), three subtitle rows (2–4), a blank row (5), the header (6), the data from row 7 on
const HEADER_ROW = 6;

function smallWorkbook(detail: ReportSheet['rows'] = DETAIL_ROWS): ReportWorkbook {
  return {
    title: '债权分解表',
    subtitle: SUBTITLE,
    sheets: [
      { name: '明细', columns: DETAIL_COLUMNS, rows: detail },
      { name: '汇总', columns: SUMMARY_COLUMNS, rows: SUMMARY_ROWS },
    ],
  };
}

/** A cell as given, in the form our reader gives it back: amounts and rates as exact decimals, null as ''. */
function asRead(column: ReportColumn, value: string | number | null): string {
  if (value === null) return '';
  if (column.kind === 'money' || column.kind === 'percent') return new Dec(value).toString();
  return String(value);
}

/** Every sheet of the file as our reader reads it: name and rows (cells padded to `width`). */
async function readOurs(file: string): Promise<{ name: string; rows: { rowNumber: number; cells: string[] }[] }[]> {
  const sheets = [];
  for await (const sheet of readXlsxSheets(file)) {
    const rows = [];
    for await (const row of sheet.rows) rows.push({ rowNumber: row.rowNumber, cells: row.cells });
    sheets.push({ name: sheet.name, rows });
  }
  return sheets;
}

/** A part of the zip as text. */
async function zipPart(file: string, name: string): Promise<string> {
  const zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false });
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName.replace(/^\//, '') !== name) continue;
      const chunks: Buffer[] = [];
      for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    }
    throw new Error(`no ${name} in ${file}`);
  } finally {
    zip.close();
  }
}

function padded(cells: string[], width: number): string[] {
  return Array.from({ length: width }, (_, i) => cells[i] ?? '');
}

describe('writeReportXlsx', () => {
  it('writes what our own reader reads back exactly: text, amounts, dates, rates', async () => {
    const file = path.join(folder(), '债权分解表.xlsx');
    expect(await writeReportXlsx(file, smallWorkbook())).toEqual({ rows: DETAIL_ROWS.length + SUMMARY_ROWS.length });
    const [detail, summary] = await readOurs(file);
    expect(detail?.name).toBe('明细');
    expect(summary?.name).toBe('汇总');
    const rows = detail?.rows ?? [];
    expect(rows.slice(0, 4).map((r) => [r.rowNumber, r.cells[0]])).toEqual([
      [1, '债权分解表'],
      [2, SUBTITLE[0]],
      [3, SUBTITLE[1]],
      [4, SUBTITLE[2]],
    ]);
    // row 5 is blank (not written at all); the header is row 6
    expect(rows[4]).toEqual({ rowNumber: HEADER_ROW, cells: DETAIL_COLUMNS.map((c) => c.header) });
    const data = rows.slice(5);
    expect(data.map((r) => r.rowNumber)).toEqual([7, 8, 9, 10, 11, 12]);
    expect(data.map((r) => padded(r.cells, DETAIL_COLUMNS.length))).toEqual(
      DETAIL_ROWS.map((row) => row.cells.map((cell, c) => asRead(DETAIL_COLUMNS[c] as ReportColumn, cell))),
    );
    // the large amount and the cent, as the text our importer would see
    expect(data[0]?.cells.slice(5, 8)).toEqual(['12345678901.23', '0.01', '0.1234']);
    expect(data[3]?.cells[2]).toBe('张三, "老张"\n二号 & <某> _x0041_ \u0007');
    expect(summary?.rows.slice(5).map((r) => r.cells)).toEqual([
      ['HF01 合肥代理店', '1', '1000.01'],
      ['HF02 芜湖代理店', '1', '0'],
      ['合计', '2', '1000.01'],
    ]);
  });

  it('reads back in exceljs with the formats, frozen pane, autofilter, merged title and row styles', async () => {
    const file = path.join(folder(), 'styled.xlsx');
    await writeReportXlsx(file, smallWorkbook());
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file);
    const ws = book.getWorksheet('明细');
    if (ws === undefined) throw new Error('no sheet 明细');

    // the title: merged across the eight columns, bold and larger
    expect(ws.getCell('A1').value).toBe('债权分解表');
    expect(ws.getCell('A1').font).toMatchObject({ bold: true, size: 14 });
    expect(ws.getCell('H1').isMerged).toBe(true);
    expect(ws.getCell('H1').master.address).toBe('A1');
    expect(ws.getCell('H2').master.address).toBe('A2');
    // frozen below the header and right of the first column; the autofilter over header and data
    expect(ws.views[0]).toMatchObject({ state: 'frozen', xSplit: 1, ySplit: HEADER_ROW, topLeftCell: 'B7' });
    expect(ws.autoFilter).toBe('A6:H12');
    // the header: bold, filled, bordered
    const header = ws.getCell('C6');
    expect(header.value).toBe('客户名称');
    expect(header.font?.bold).toBe(true);
    expect(header.fill).toMatchObject({ type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } });
    expect(header.border?.bottom?.style).toBe('thin');

    // values: amounts as numbers equal to the decimal strings, dates as real dates, rates as fractions
    const amount = ws.getCell('F7');
    expect(amount.value).toBe(12345678901.23);
    expect(new Dec(String(amount.value)).equals('12345678901.23')).toBe(true);
    expect(amount.numFmt).toBe('#,##0.00');
    expect(ws.getCell('G7').value).toBe(0.01);
    expect(ws.getCell('G7').numFmt).toBe('#,##0.00');
    expect(ws.getCell('F10').value).toBe(-0.5);
    expect(ws.getCell('F12').value).toBe(12345679900.73);
    const date = ws.getCell('E8');
    expect(date.value).toBeInstanceOf(Date);
    expect((date.value as Date).toISOString()).toBe('2026-02-28T00:00:00.000Z');
    expect(date.numFmt).toBe('yyyy-mm-dd');
    expect(ws.getCell('D8').value).toBe(2);
    expect(ws.getCell('D8').numFmt).toBe('#,##0');
    expect(ws.getCell('H7').value).toBe(0.1234);
    expect(ws.getCell('H7').numFmt).toBe('0.00%');
    expect(ws.getCell('C7').value).toBe('安徽鑫磊土石方工程有限公司');

    // detail rows plain; subtotal rows bold on a light fill under a thin line, the first cell indented;
    // the total bold under a double line
    expect(ws.getCell('F7').font?.bold).toBeFalsy();
    for (const address of ['A9', 'C9', 'F9', 'H9', 'A11', 'G11']) {
      const cell = ws.getCell(address);
      expect(cell.font?.bold, address).toBe(true);
      expect(cell.fill, address).toMatchObject({ type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF2F2F2' } });
      expect(cell.border?.top?.style, address).toBe('thin');
    }
    expect(ws.getCell('A9').alignment?.indent).toBe(1);
    expect(ws.getCell('F9').numFmt).toBe('#,##0.00');
    for (const address of ['A12', 'B12', 'F12', 'H12']) {
      expect(ws.getCell(address).font?.bold, address).toBe(true);
      expect(ws.getCell(address).border?.top?.style, address).toBe('double');
    }

    // widths: as given, or by kind, or by the header's width (a Chinese character counts two)
    expect(ws.getColumn(2).width).toBe(18);
    expect(ws.getColumn(5).width).toBe(12);
    expect(ws.getColumn(6).width).toBe(16);
    expect(ws.getColumn(8).width).toBe(10);
    expect(ws.getColumn(1).width).toBe(10);
    expect(columnWidth({ header: '最长逾期天数（天）', kind: 'integer' })).toBe(20);

    const summary = book.getWorksheet('汇总');
    expect(summary?.autoFilter).toBe('A6:C9');
    expect(summary?.getCell('C9').value).toBe(1000.01);
    expect(summary?.getCell('A9').font?.bold).toBe(true);

    // LibreOffice shows the autofilter only with the hidden _FilterDatabase names
    const workbookXml = await zipPart(file, 'xl/workbook.xml');
    expect(workbookXml).toContain(`<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'明细'!$A$6:$H$12</definedName>`);
    expect(workbookXml).toContain(`<definedName name="_xlnm._FilterDatabase" localSheetId="1" hidden="1">'汇总'!$A$6:$C$9</definedName>`);
  });

  it('goes on in a continuation sheet when a sheet is full, each with its title, header and filter', async () => {
    const file = path.join(folder(), 'long.xlsx');
    const columns: ReportColumn[] = [
      { header: '合同编号', kind: 'text' },
      { header: '未还金额', kind: 'money' },
    ];
    const rows = Array.from({ length: 9 }, (_, i): ReportRow => ({ level: 'detail', cells: [`HT-${i + 1}`, `${i + 1}.00`] }));
    const long = 'A'.repeat(31);
    // 10 rows a sheet: 6 of title and header, 4 of data
    const result = await writeReportXlsx(
      file,
      {
        title: '催收清单',
        subtitle: ['催收员：王五', '截至：2026-03-31', '口径：当日报送'],
        sheets: [
          { name: long, columns, rows },
          { name: '汇总', columns, rows: [{ level: 'total', cells: ['合计', '45.00'] }] },
        ],
      },
      { rowsPerSheet: 10 },
    );
    expect(result).toEqual({ rows: 10 });
    const sheets = await readOurs(file);
    expect(sheets.map((s) => s.name)).toEqual([long, `${'A'.repeat(27)} (2)`, `${'A'.repeat(27)} (3)`, '汇总']);
    expect(sheets.map((s) => s.rows.map((r) => r.rowNumber))).toEqual([
      [1, 2, 3, 4, 6, 7, 8, 9, 10],
      [1, 2, 3, 4, 6, 7, 8, 9, 10],
      [1, 2, 3, 4, 6, 7],
      [1, 2, 3, 4, 6, 7],
    ]);
    expect(sheets.flatMap((s) => s.rows.filter((r) => r.rowNumber > HEADER_ROW).map((r) => r.cells.join(' ')))).toEqual([
      ...rows.map((r) => `${r.cells[0]} ${Number.parseInt(String(r.cells[1]), 10)}`),
      '合计 45',
    ]);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file);
    expect(book.worksheets.map((ws) => [ws.name, ws.autoFilter, ws.getCell('A1').value, ws.getCell('A6').value])).toEqual([
      [long, 'A6:B10', '催收清单', '合同编号'],
      [`${'A'.repeat(27)} (2)`, 'A6:B10', '催收清单', '合同编号'],
      [`${'A'.repeat(27)} (3)`, 'A6:B7', '催收清单', '合同编号'],
      ['汇总', 'A6:B7', '催收清单', '合同编号'],
    ]);
    const workbookXml = await zipPart(file, 'xl/workbook.xml');
    expect(workbookXml.match(/_xlnm\._FilterDatabase" localSheetId="\d"/g)).toHaveLength(4);

    // a continuation may not take the name of another sheet
    const clash = path.join(folder(), 'clash.xlsx');
    await expect(
      writeReportXlsx(
        clash,
        {
          title: '催收清单',
          subtitle: [],
          sheets: [
            { name: '明细', columns, rows },
            { name: '明细 (2)', columns, rows: [] },
          ],
        },
        { rowsPerSheet: 10 },
      ),
    ).rejects.toThrow('report sheet "明细" goes on in "明细 (2)", the name of another sheet');
    expect(fs.readdirSync(path.dirname(clash))).toEqual([]);
  });

  it('writes an empty report as its title and header, the filter on the header alone', async () => {
    const file = path.join(folder(), 'empty.xlsx');
    expect(
      await writeReportXlsx(file, { title: '催收清单', subtitle: [], sheets: [{ name: '明细', columns: SUMMARY_COLUMNS, rows: [] }] }),
    ).toEqual({
      rows: 0,
    });
    const [sheet] = await readOurs(file);
    // no subtitle: title (1), blank (2), header (3)
    expect(sheet?.rows).toEqual([
      { rowNumber: 1, cells: ['催收清单'] },
      { rowNumber: 3, cells: ['经销商', '合同数', '未还金额'] },
    ]);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file);
    expect(book.getWorksheet('明细')?.autoFilter).toBe('A3:C3');
    expect(book.getWorksheet('明细')?.views[0]).toMatchObject({ state: 'frozen', ySplit: 3 });
  });

  it('reads back any amount of at most 13 digits and 2 decimals, and any text, exactly (property)', async () => {
    const dir = folder();
    const cents = fc.bigInt({ min: -(10n ** 15n) + 1n, max: 10n ** 15n - 1n });
    const money = cents.map((c) => {
      const abs = c < 0n ? -c : c;
      return `${c < 0n ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(money, fc.string({ unit: 'binary', maxLength: 20 })), { minLength: 1, maxLength: 30 }),
        async (pairs) => {
          const file = path.join(dir, 'property.xlsx');
          const columns: ReportColumn[] = [
            { header: '金额', kind: 'money' },
            { header: '文字', kind: 'text' },
          ];
          await writeReportXlsx(file, {
            title: 't',
            subtitle: [],
            sheets: [{ name: 's', columns, rows: pairs.map(([m, t]): ReportRow => ({ level: 'detail', cells: [m, t] })) }],
          });
          const [sheet] = await readOurs(file);
          const data = (sheet?.rows ?? []).filter((r) => r.rowNumber > 3).map((r) => padded(r.cells, 2));
          // U+FFFE and U+FFFF cannot be in XML: they come back as U+FFFD
          expect(data).toEqual(pairs.map(([m, t]) => [new Dec(m).toString(), t.replace(/[\ufffe\uffff]/g, '\ufffd')]));
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('the partial file and the target', () => {
  async function* failingAfter(rows: number): AsyncGenerator<ReportRow> {
    for (let i = 0; i < rows; i++) yield { level: 'detail', cells: DETAIL_ROWS[0]?.cells ?? [] };
    throw new Error('the database went away');
  }

  it('leaves no target and no partial file when the rows fail', async () => {
    const dir = folder();
    const file = path.join(dir, 'out.xlsx');
    await expect(writeReportXlsx(file, smallWorkbook(failingAfter(5_000)))).rejects.toThrow('the database went away');
    expect(fs.readdirSync(dir)).toEqual([]);
    await expect(
      writeReportCsv(path.join(dir, 'out.csv'), { name: '明细', columns: DETAIL_COLUMNS, rows: failingAfter(5_000) }),
    ).rejects.toThrow('the database went away');
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('leaves no partial file when a cell breaks an invariant (a number as money, three decimals, a bad date)', async () => {
    const dir = folder();
    const file = path.join(dir, 'out.xlsx');
    const bad = (cells: readonly (string | number | null)[]): ReportWorkbook => ({
      title: 't',
      subtitle: [],
      sheets: [{ name: '明细', columns: DETAIL_COLUMNS, rows: [{ level: 'detail', cells }] }],
    });
    const good = DETAIL_ROWS[0]?.cells ?? [];
    const withCell = (c: number, value: string | number | null) => good.map((v, i) => (i === c ? value : v));
    await expect(writeReportXlsx(file, bad(withCell(5, 1000)))).rejects.toThrow('应还金额: money 1000 is not a decimal string');
    await expect(writeReportXlsx(file, bad(withCell(5, '1.005')))).rejects.toThrow('more than 13 digits before the point or 2 after');
    await expect(writeReportXlsx(file, bad(withCell(5, '12345678901234.00')))).rejects.toThrow(
      'more than 13 digits before the point or 2 after',
    );
    await expect(writeReportXlsx(file, bad(withCell(4, '2026-02-30')))).rejects.toThrow('is not a date YYYY-MM-DD');
    await expect(writeReportXlsx(file, bad(withCell(3, 1.5)))).rejects.toThrow('is not a whole number');
    await expect(writeReportXlsx(file, bad(good.slice(1)))).rejects.toThrow('7 cells for 8 columns');
    await expect(
      writeReportXlsx(file, { ...bad(good), sheets: [{ name: '明细/汇总', columns: DETAIL_COLUMNS, rows: [] }] }),
    ).rejects.toThrow('report sheet name "明细/汇总": 1 to 31 characters');
    await expect(writeReportCsv(path.join(dir, 'out.csv'), bad(withCell(6, 0.01)).sheets[0] as ReportSheet)).rejects.toThrow(
      'money 0.01 is not a decimal string',
    );
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('closes a source it leaves half read (a database cursor ends with the report)', async () => {
    const dir = folder();
    const closed: string[] = [];
    async function* source(format: string): AsyncGenerator<ReportRow> {
      try {
        yield DETAIL_ROWS[0] as ReportRow;
        yield { level: 'detail', cells: ['HF01', 'HT-009', '某', 1, '2026-01-15', 12.5, '0.00', '0'] };
        yield DETAIL_ROWS[1] as ReportRow;
      } finally {
        closed.push(format);
      }
    }
    await expect(writeReportXlsx(path.join(dir, 'out.xlsx'), smallWorkbook(source('xlsx')))).rejects.toThrow(
      '明细, row 8, column 应还金额: money 12.5 is not a decimal string',
    );
    await expect(writeReportCsv(path.join(dir, 'out.csv'), { name: '明细', columns: DETAIL_COLUMNS, rows: source('csv') })).rejects.toThrow(
      'CSV of "明细", row 2, column 应还金额: money 12.5 is not a decimal string',
    );
    expect(closed).toEqual(['xlsx', 'csv']);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('replaces an existing target only by renaming a complete file over it', async () => {
    const dir = folder();
    const file = path.join(dir, 'out.xlsx');
    fs.writeFileSync(file, 'yesterday’s report');
    const before = fs.statSync(file).ino;

    // while the rows come, the target is untouched and the partial file grows beside it
    let seenWhileWriting: string[] = [];
    async function* watched(): AsyncGenerator<ReportRow> {
      yield* DETAIL_ROWS.slice(0, 3);
      seenWhileWriting = fs.readdirSync(dir).sort();
      expect(fs.readFileSync(file, 'utf8')).toBe('yesterday’s report');
      yield* DETAIL_ROWS.slice(3);
    }
    await writeReportXlsx(file, smallWorkbook(watched()));
    expect(seenWhileWriting).toEqual(['out.xlsx', `out.xlsx.${process.pid}.partial`]);
    expect(fs.readdirSync(dir)).toEqual(['out.xlsx']);
    expect(fs.statSync(file).ino).not.toBe(before);
    expect((await readOurs(file))[0]?.rows[0]?.cells[0]).toBe('债权分解表');

    // a failure leaves yesterday's file as it was
    fs.writeFileSync(file, 'yesterday’s report');
    await expect(writeReportXlsx(file, smallWorkbook(failingAfter(10)))).rejects.toThrow('the database went away');
    expect(fs.readFileSync(file, 'utf8')).toBe('yesterday’s report');
    expect(fs.readdirSync(dir)).toEqual(['out.xlsx']);
  });

  it('neither writes through nor removes a partial file of the same name left by another process', async () => {
    const dir = folder();
    const file = path.join(dir, 'out.xlsx');
    const stale = `${file}.${process.pid}.partial`;
    fs.writeFileSync(stale, 'another run’s');
    await expect(writeReportXlsx(file, smallWorkbook())).rejects.toThrow(/EEXIST/);
    await expect(writeReportCsv(file, { name: '明细', columns: DETAIL_COLUMNS, rows: DETAIL_ROWS })).rejects.toThrow(/EEXIST/);
    expect(fs.readFileSync(stale, 'utf8')).toBe('another run’s');
    expect(fs.readdirSync(dir)).toEqual([path.basename(stale)]);
  });

  it('refuses a target in a folder that does not exist, or a folder, before it reads a row', async () => {
    const dir = folder();
    let started = false;
    async function* rows(): AsyncGenerator<ReportRow> {
      started = true;
      yield* DETAIL_ROWS;
    }
    const sheet: ReportSheet = { name: '明细', columns: DETAIL_COLUMNS, rows: rows() };
    const targets = [path.join(dir, 'no-such-folder', 'out.xlsx'), dir, `${dir}/`, ''];
    for (const target of targets) {
      await expect(writeReportXlsx(target, smallWorkbook(rows()))).rejects.toThrow(
        new BadInput('out', target, 'a file path in an existing folder'),
      );
      await expect(writeReportCsv(target, sheet)).rejects.toThrow(new BadInput('out', target, 'a file path in an existing folder'));
    }
    await expect(writeReportXlsx('-', smallWorkbook(rows()))).rejects.toThrow(
      /^out: "-" — expected a file path in an existing folder \(an XLSX/,
    );
    expect(started).toBe(false);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('writeReportCsv', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const EXPECTED_CSV = [
    '经销商,合同编号,客户名称,期次,应还日期,应还金额,未还金额,逾期率',
    'HF01,HT-001,安徽鑫磊土石方工程有限公司,1,2026-01-15,12345678901.23,0.01,0.1234',
    'HF01,HT-001,安徽鑫磊土石方工程有限公司,2,2026-02-28,1000.00,1000.00,1',
    'HF01,HT-001 小计,,,,12345679901.23,1000.01,',
    'HF02,HT-002,"张三, ""老张""\n二号 & <某> _x0041_ \u0007",1,2026-03-31,-0.50,0.00,0',
    'HF02,HT-002 小计,,,,-0.50,0.00,',
    '合计,,,,,12345679900.73,1000.01,',
    '',
  ].join('\r\n');

  it('writes a BOM, the header and the rows, quoted per RFC 4180, amounts exactly as given', async () => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    expect(await writeReportCsv(stream, { name: '明细', columns: DETAIL_COLUMNS, rows: DETAIL_ROWS })).toEqual({ rows: 6 });
    const bytes = Buffer.concat(chunks);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString('utf8')).toBe(EXPECTED_CSV);
    // the stream is the caller's: left open
    expect(stream.writableEnded).toBe(false);
  });

  it('writes a file through a partial file, and standard output for "-"', async () => {
    const dir = folder();
    const file = path.join(dir, '债权分解表.csv');
    fs.writeFileSync(file, 'old');
    await writeReportCsv(file, { name: '明细', columns: DETAIL_COLUMNS, rows: DETAIL_ROWS });
    expect(fs.readFileSync(file, 'utf8')).toBe(`\uFEFF${EXPECTED_CSV}`);
    expect(fs.readdirSync(dir)).toEqual(['债权分解表.csv']);

    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    await writeReportCsv('-', { name: '汇总', columns: SUMMARY_COLUMNS, rows: SUMMARY_ROWS });
    expect(written.join('')).toBe(
      '\uFEFF经销商,合同数,未还金额\r\nHF01 合肥代理店,1,1000.01\r\nHF02 芜湖代理店,1,0.00\r\n合计,2,1000.01\r\n',
    );
  });

  it('keeps Excel from running text as a formula; amounts and phone numbers stay as they are', async () => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    const columns: ReportColumn[] = [
      { header: '客户名称', kind: 'text' },
      { header: '电话', kind: 'text' },
      { header: '未还金额', kind: 'money' },
    ];
    await writeReportCsv(stream, {
      name: '明细',
      columns,
      rows: [
        { level: 'detail', cells: ['=HYPERLINK("http://x","点我")', '+86 138 0000 0000', '-12.50'] },
        { level: 'detail', cells: ['@SUM(A1)', '-', '1234567.89'] },
      ],
    });
    expect(Buffer.concat(chunks).toString('utf8')).toBe(
      '\uFEFF客户名称,电话,未还金额\r\n"\'=HYPERLINK(""http://x"",""点我"")",+86 138 0000 0000,-12.50\r\n\'@SUM(A1),-,1234567.89\r\n',
    );
  });

  it('streams many rows to a file with the same bytes as the rows joined (no row lost between chunks)', async () => {
    const dir = folder();
    const file = path.join(dir, 'many.csv');
    const columns: ReportColumn[] = [
      { header: '合同编号', kind: 'text' },
      { header: '未还金额', kind: 'money' },
    ];
    const count = 20_000;
    function* rows(): Generator<ReportRow> {
      for (let i = 0; i < count; i++) yield { level: 'detail', cells: [`HT-${i}，安徽`, `${i}.${String(i % 100).padStart(2, '0')}`] };
    }
    expect(await writeReportCsv(file, { name: '明细', columns, rows: rows() })).toEqual({ rows: count });
    const expected = [`\uFEFF合同编号,未还金额`, ...Array.from(rows(), (r) => r.cells.join(','))].join('\r\n');
    expect(fs.readFileSync(file, 'utf8')).toBe(`${expected}\r\n`);
  });
});
