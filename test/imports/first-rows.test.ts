// Issue 17, points 1 and 2, at the reader: contract-level columns given on a contract's first row only are
// inherited by its later rows; a later row that contradicts them is a row error naming both values; merged
// cells in an XLSX give every cell of the range the top-left value (the contract number's too).
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { MergeFiller, parseRange, readXlsxSheets } from '../../src/imports/xlsx.js';
import { tempDir } from '../support/zq.js';
import { fixture, plain, readAll } from './support.js';

/** The rows of (a), every column on every row: what the first-rows files must read as. */
async function fullRows(): Promise<Record<string, unknown>[]> {
  const { rows } = await readAll(fixture('ledger-hf01-utf8bom.csv'));
  return rows.map((r) => plain(r.values));
}

describe('17.1: contract-level columns on a contract’s first row only', () => {
  it('17.1: the GBK CSV reads as the same 12 rows as the file with every column on every row', async () => {
    const { reader, rows } = await readAll(fixture('ledger-hf01-first-rows-gbk.csv'));
    expect(reader.errors).toEqual([]);
    expect(reader.source).toMatchObject({ format: 'csv', encoding: { encoding: 'gb18030' } });
    expect(rows.every((r) => r.ok)).toBe(true);
    const expected = await fullRows();
    // HF-2025-0002's first row (row 6) has no ID number: it gives none; its second row gives it (next test)
    expected[4] = { ...expected[4], id_number: null };
    expect(rows.map((r) => plain(r.values))).toEqual(expected);
  });

  it('17.1: the ID number given first on a contract’s second row is the contract’s from there on', async () => {
    const { rows } = await readAll(fixture('ledger-hf01-first-rows-gbk.csv'));
    // HF-2025-0002: rows 6, 7, 8 of the file; its first row has no ID number (it is staged blank there, and
    // the contract takes the one ID number its rows give)
    expect(
      rows.filter((r) => r.values.contract_no === 'HF-2025-0002').map((r) => [r.rowNumber, (r.values as { id_number: string }).id_number]),
    ).toEqual([
      [6, null],
      [7, '340122197507025615'],
      [8, '340122197507025615'],
    ]);
  });

  it('17.1: the XLSX (date and number cells, a title row) reads as the same rows', async () => {
    const { reader, rows } = await readAll(fixture('ledger-hf01-first-rows.xlsx'));
    expect(reader.errors).toEqual([]);
    expect(reader.sheets[0]).toMatchObject({ sheet: '合肥', read: true, headerRow: 2, rows: 12 });
    expect(rows.every((r) => r.ok)).toBe(true);
    expect(rows.map((r) => plain(r.values))).toEqual(await fullRows());
  });

  it('17.1: a later row with a different value is a row error naming both values and the row of the first', async () => {
    const { reader, rows } = await readAll(fixture('ledger-hf01-first-rows-contradicting.csv'));
    expect(reader.errors).toEqual([]);
    expect(rows.filter((r) => !r.ok).map((r) => [r.rowNumber, r.errors])).toEqual([
      [
        4,
        [
          {
            column: '合同金额',
            value: '1,008,000.00',
            reason: "contract HF-2025-0001 has 1080000.00 on row 2: give it once, on the contract's first row, or the same on every row",
          },
        ],
      ],
      [
        8,
        [
          {
            column: '客户名称',
            value: '王建军',
            reason: "contract HF-2025-0002 has 王建国 on row 6: give it once, on the contract's first row, or the same on every row",
          },
        ],
      ],
      // the first row of HF-2025-0003 (row 9) has no ID number: the first one given is row 10's
      [
        11,
        [
          {
            column: '证件号码',
            value: '91340200MA2T5K9R2C',
            reason:
              "contract HF-2025-0003 has 91340100MA2N8Q3L7X on row 10: give it once, on the contract's first row, or the same on every row",
          },
        ],
      ],
    ]);
    // the same value again (written another way) is no contradiction
    expect(rows.filter((r) => r.ok)).toHaveLength(9);
  });

  it('17.1: the contract number stays required on every row of a CSV file', async () => {
    const file = path.join(tempDir(), 'no-contract.csv');
    fs.writeFileSync(file, '合同编号,客户名称,期次,应还日期,应还金额\r\nHF-1,张伟,1,2026-01-05,100\r\n,,2,2026-02-05,100\r\n');
    const { rows } = await readAll(file, { dealer: 'HF01' });
    expect(rows.map((r) => [r.rowNumber, r.ok, r.errors.map((e) => `${e.column} ${e.reason}`)])).toEqual([
      [2, true, []],
      [3, false, ['合同编号 required', '客户名称 required']],
    ]);
  });

  it('17.1: a blank dealer is the contract’s; a row naming another dealer is that dealer’s contract of the same number', async () => {
    const file = path.join(tempDir(), 'dealers.csv');
    const lines = [
      '经销商,合同编号,客户名称,证件号码,期次,应还日期,应还金额',
      'HF01,2025-001,张伟,340104198803151239,1,2026-01-05,100',
      ',2025-001,,,2,2026-02-05,100',
      'WH01,2025-001,陈志强,,1,2026-01-10,200',
      ',2025-001,,,2,2026-02-10,200',
    ];
    fs.writeFileSync(file, `${lines.join('\r\n')}\r\n`);
    const { rows } = await readAll(file);
    expect(rows.every((r) => r.ok)).toBe(true);
    const values = rows.map((r) => r.values as { dealer: string; contract_no: string; customer_name: string });
    expect(values.map((v) => [v.dealer, v.contract_no, v.customer_name])).toEqual([
      ['HF01', '2025-001', '张伟'],
      ['HF01', '2025-001', '张伟'],
      ['WH01', '2025-001', '陈志强'],
      ['WH01', '2025-001', '陈志强'],
    ]);
    expect(rows.map((r) => (r.values as { id_number: string | null }).id_number)).toEqual([
      '340104198803151239',
      '340104198803151239',
      null,
      null,
    ]);
  });
});

describe('17.2: merged cells in an XLSX', () => {
  it('17.2: contract-level columns and the contract number merged down over a contract’s rows read as the full rows', async () => {
    const { reader, rows } = await readAll(fixture('ledger-hf01-merged.xlsx'));
    expect(reader.errors).toEqual([]);
    // the merged title rows above the headers do not hide them
    expect(reader.sheets[0]).toMatchObject({ sheet: '合肥', read: true, headerRow: 4, rows: 12, unknownColumns: [] });
    expect(rows.every((r) => r.ok)).toBe(true);
    const expected = await fullRows();
    // the note merged over rows 10 and 11 (HF-2025-0002's second and third rows) is on both
    expected[5] = { ...expected[5], note: '逾期，客户承诺月底还' };
    expected[6] = { ...expected[6], note: '逾期，客户承诺月底还' };
    expect(rows.map((r) => plain(r.values))).toEqual(expected);
  });

  it('17.2: a header merged over two columns is one column, not a duplicate; data merged across columns fills each', async () => {
    const workbook = new ExcelJS.Workbook();
    const ws = workbook.addWorksheet('台账');
    ws.getRow(1).values = ['合同编号', '客户名称', '期次', '应还日期', '应还金额', '备注'];
    ws.mergeCells('F1:G1');
    ws.getRow(2).values = ['HF-1', '张伟', 1, '2026-01-05', 100, '首期', '内部'];
    ws.getRow(3).values = ['HF-1', null, 2, '2026-02-05', 100, '已电话催收'];
    ws.mergeCells('C3:D3'); // nonsense, but Excel allows it: both cells show 2
    const file = path.join(tempDir(), 'merged-header.xlsx');
    await workbook.xlsx.writeFile(file);
    const { reader, rows } = await readAll(file, { dealer: 'HF01' });
    expect(reader.errors).toEqual([]);
    expect(reader.sheets[0]).toMatchObject({ headerRow: 1, unknownColumns: [] });
    expect(rows[0]?.ok).toBe(true);
    expect(rows[1]).toMatchObject({ ok: false, errors: [{ column: '应还日期', value: '2', reason: expect.stringMatching(/date/) }] });
  });

  it('17.2: the reader gives the sheet’s rows with the merged columns marked', async () => {
    const sixth: { cells: string[]; merged?: number[] }[] = [];
    for await (const sheet of readXlsxSheets(fixture('ledger-hf01-merged.xlsx'))) {
      for await (const row of sheet.rows) if (row.rowNumber === 6) sixth.push(row);
    }
    expect(sixth[0]?.cells.slice(0, 3)).toEqual(['HF01', 'HF-2025-0001', '张伟']);
    expect(sixth[0]?.merged).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('17.2: ranges as Excel writes them, and the filler row by row', () => {
    expect(parseRange('A2:A13')).toEqual({ top: 2, left: 0, bottom: 13, right: 0 });
    expect(parseRange('$C$5:$B$4')).toEqual({ top: 4, left: 1, bottom: 5, right: 2 });
    expect(parseRange('AA10')).toEqual({ top: 10, left: 26, bottom: 10, right: 26 });
    expect(parseRange('nonsense')).toBeNull();
    const filler = new MergeFiller([parseRange('B2:C4'), parseRange('A1:XFD1')].filter((r) => r !== null));
    const title = ['标题'];
    expect(filler.fill(1, title)).toBeUndefined(); // not spread wider than any row seen
    const rows = [
      ['x', 'HF-1', '', 'a'],
      ['y', '', '', 'b'],
      // row 4 has no <row> element: row 5 is outside the range
      ['z', '', '', 'c'],
    ];
    expect(filler.fill(2, rows[0] as string[])).toEqual([2]);
    expect(filler.fill(3, rows[1] as string[])).toEqual([1, 2]);
    expect(filler.fill(5, rows[2] as string[])).toBeUndefined();
    expect(rows).toEqual([
      ['x', 'HF-1', 'HF-1', 'a'],
      ['y', 'HF-1', 'HF-1', 'b'],
      ['z', '', '', 'c'],
    ]);
  });
});
