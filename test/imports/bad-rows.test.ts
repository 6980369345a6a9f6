// Bad rows and bad files: every problem names file, sheet, row number, column header, value and reason.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { fixture, plain, readAll } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'zq-import-'));
function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('(g) the bad-rows fixture', () => {
  it('reports each bad row with its exact errors', async () => {
    const path = fixture('ledger-bad-rows.csv');
    const { reader, rows } = await readAll(path);
    expect(reader.errors).toEqual([]);
    expect(rows[0]).toMatchObject({ ok: true, rowNumber: 2 });
    const bad = rows.filter((r) => !r.ok).map((r) => ({ file: r.file, sheet: r.sheet, rowNumber: r.rowNumber, errors: r.errors }));
    const at = (rowNumber: number, errors: { column: string; value: string; reason: string }[]) => ({
      file: path,
      sheet: null,
      rowNumber,
      errors,
    });
    expect(bad).toEqual([
      at(3, [{ column: '应还日期', value: '2026-02-30', reason: 'a real calendar date between 1900 and 2999 (read as 2026-02-30)' }]),
      at(4, [{ column: '应还金额', value: '15333.333', reason: 'at most two decimals (amounts are not rounded silently)' }]),
      at(5, [{ column: '合同编号', value: '', reason: 'required' }]),
      at(6, [{ column: '已还金额', value: '41666.68', reason: 'more than the amount due (41666.67)' }]),
      at(7, [{ column: '已收罚息', value: '12.00', reason: 'more than the penalty accrued (10.00)' }]),
      at(8, [{ column: '应还金额', value: '(500.00)', reason: 'an amount of zero or more' }]),
      at(9, [
        { column: '期次', value: '第X期', reason: 'an installment number such as 3, 第3期 or 3期' },
        {
          column: '款项类型',
          value: '运费',
          reason: 'a receivable type: 货款, 首付, 保证金, 利息, 手续费, 代付, 代垫, 罚息, or a configured code',
        },
        { column: '应还日期', value: 'soon', reason: 'a date such as 2026-01-05, 2026/1/5, 2026.1.5, 2026年1月5日 or 20260105' },
      ]),
    ]);
  });

  it('keeps the values that could be read in a bad row', async () => {
    const { rows } = await readAll(fixture('ledger-bad-rows.csv'));
    const row = rows.find((r) => r.rowNumber === 6);
    expect(plain(row?.values ?? {})).toMatchObject({ contract_no: 'HF-2025-0003', amount_due: '41666.67', amount_paid: '41666.68' });
    expect(rows.find((r) => r.rowNumber === 3)?.values).not.toHaveProperty('due_date');
  });

  it('accepts a configured receivable type', async () => {
    const { rows } = await readAll(fixture('ledger-bad-rows.csv'), { extraTypes: [{ code: 'freight', names: ['运费'] }] });
    expect(rows.find((r) => r.rowNumber === 9)?.errors.map((e) => e.column)).toEqual(['期次', '应还日期']);
  });
});

describe('receipt rows', () => {
  it('requires a positive amount, a value date and a contract', async () => {
    const path = file(
      'receipts.csv',
      '合同编号,收款日期,收款金额,流水号\nHF-2025-0001,2026-01-05,0,A1\nHF-2025-0001,,-5,A2\n,2026-01-05,100,A3\n',
    );
    const { rows } = await readAll(path);
    expect(rows.map((r) => [r.rowNumber, r.errors])).toEqual([
      [2, [{ column: '收款金额', value: '0', reason: 'an amount greater than zero' }]],
      [
        3,
        [
          { column: '收款日期', value: '', reason: 'required' },
          { column: '收款金额', value: '-5', reason: 'an amount greater than zero' },
        ],
      ],
      [4, [{ column: '合同编号', value: '', reason: 'required' }]],
    ]);
  });
});

describe('file-level problems', () => {
  it('missing and duplicate columns stop the sheet, with the header row', async () => {
    const path = file('columns.csv', '台账\n合同编号,客户名称,期次,应还金额,合同号\nA,张伟,1,100,B\n');
    const { reader, rows } = await readAll(path);
    expect(rows).toEqual([]);
    expect(reader.errors).toEqual([
      { file: path, sheet: null, rowNumber: 2, column: '合同号', reason: 'duplicate column for contract_no: "合同编号" and "合同号"' },
      {
        file: path,
        sheet: null,
        rowNumber: 2,
        column: null,
        reason: 'missing required column due_date (one of: 应还日期, 应收日期, 到期日, 还款日, due_date)',
      },
    ]);
  });

  it.each([
    ['empty.csv', '', 'the file is empty'],
    ['notes.csv', '说明\n没有表头\n', 'no header row recognised in the first 30 rows'],
    [
      'old.xls',
      Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]),
      'an old .xls workbook: save it as .xlsx or CSV in Excel',
    ],
  ])('%s: %s', async (name, content, reason) => {
    const path = file(name, content);
    const { reader, rows } = await readAll(path);
    expect(rows).toEqual([]);
    expect(reader.errors).toEqual([{ file: path, sheet: null, rowNumber: null, column: null, reason: expect.stringContaining(reason) }]);
  });

  it('15.22: a file without a header row is told some accepted headers and where all of them are', async () => {
    const { reader } = await readAll(file('notes2.csv', '说明\n没有表头\n'));
    expect(reader.errors.map((e) => e.reason)).toEqual([
      'no header row recognised in the first 30 rows — a ledger needs columns such as 合同编号, 客户名称, 期次, 应还日期, 应还金额; receipts 合同编号, 收款日期, 收款金额 (every accepted header name: docs/import-format.md)',
    ]);
  });

  it('15.22: random bytes named .xlsx are "not an XLSX file", not a missing header row', async () => {
    const bytes = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37 + 11) % 256));
    const { reader, rows } = await readAll(file('random.xlsx', bytes));
    expect(rows).toEqual([]);
    expect(reader.errors.map((e) => e.reason)).toEqual([
      'not an XLSX file (an .xlsx workbook is a zip file; this one is not): save it again in Excel',
    ]);
  });

  it('a missing file', async () => {
    const { reader } = await readAll(join(dir, 'no-such-file.csv'));
    expect(reader.errors[0]?.reason).toMatch(/^cannot open the file: ENOENT/);
  });

  it('a corrupt XLSX', async () => {
    const path = file('corrupt.xlsx', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200, 7)]));
    const { reader, rows } = await readAll(path);
    expect(rows).toEqual([]);
    expect(reader.errors).toHaveLength(1);
    expect(reader.errors[0]?.reason).toMatch(/^unreadable XLSX: /);
  });

  it('--sheet on a CSV file', async () => {
    const { reader } = await readAll(fixture('ledger-wh01-semicolon.csv'), { sheet: '合肥' });
    expect(reader.errors.map((e) => e.reason)).toEqual(['--sheet 合肥: a text file has no sheets']);
  });

  it('--kind receipts on a ledger finds no receipts header', async () => {
    const { reader, rows } = await readAll(fixture('ledger-hf01-utf8bom.csv'), { kind: 'receipts' });
    expect(rows).toEqual([]);
    // 合同编号 and 备注 are receipts headers too: a receipts header missing its date and amount.
    expect(reader.errors.map((e) => e.reason)).toEqual([
      'missing required column value_date (one of: 收款日期, 到账日期, 还款日期, value_date)',
      'missing required column amount (one of: 收款金额, 实收金额, 金额, amount)',
    ]);
  });
});

describe('text that cannot be decoded', () => {
  it('is a row error, never imported as garbage', async () => {
    // ASCII for more than the 64 KiB sample, so the file is taken for UTF-8; then a GBK name.
    const ascii = Array.from({ length: 2000 }, (_, i) => `HF-2025-${i},Zhang Wei,1,2026-01-05,100.00\r\n`).join('');
    expect(ascii.length).toBeGreaterThan(64 * 1024);
    const path = file(
      'late-gbk.csv',
      Buffer.concat([
        Buffer.from(`contract_no,customer_name,seq,due_date,amount_due\r\n${ascii}HF-2025-X,`),
        iconv.encode('张伟', 'gbk'),
        Buffer.from(',1,2026-01-05,100.00\r\n'),
      ]),
    );
    const { reader, rows } = await readAll(path);
    expect(reader.source).toMatchObject({ encoding: { encoding: 'utf8' } });
    const bad = rows.filter((r) => !r.ok);
    // GBK 张 (D5 C5) is not UTF-8; 伟 (CE B0) happens to be UTF-8 for ΰ: the cell is refused as a whole.
    expect(bad.map((r) => [r.rowNumber, r.errors])).toEqual([
      [
        2002,
        [
          {
            column: 'customer_name',
            value: '\uFFFD\uFFFDΰ',
            reason: 'characters that could not be decoded (UTF-8, GBK or UTF-16 expected)',
          },
        ],
      ],
    ]);
  });
});

describe('total rows and blank rows', () => {
  it('skips 合计/总计/小计 rows without a contract, but not a note that starts with 总计', async () => {
    const path = file(
      'totals.csv',
      [
        '合同编号,客户名称,期次,应还日期,应还金额,备注',
        'A,张伟,1,2026-01-05,100,',
        ',,,,,',
        '小 计,,,,100,',
        'B,王建国,1,2026-01-05,200,总计划分两次还清',
        '合　计,,,,300,',
        ',,,,300,总计',
      ].join('\r\n'),
    );
    const { reader, rows } = await readAll(path);
    expect(rows.map((r) => [r.rowNumber, r.ok, r.values.contract_no])).toEqual([
      [2, true, 'A'],
      [5, true, 'B'],
    ]);
    expect(reader.sheets[0]?.totalRowsSkipped).toBe(3);
  });

  it('reads a row with only unknown columns filled as blank', async () => {
    const path = file('blank.csv', '序号,合同编号,客户名称,期次,应还日期,应还金额\n1,A,张伟,1,2026-01-05,100\n2,,,,,\n');
    const { rows } = await readAll(path);
    expect(rows).toHaveLength(1);
  });
});

describe('XLSX sheets of mixed kinds', () => {
  it('reads the first recognised kind and skips a sheet of the other kind', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('收款').addRows([
      ['合同编号', '收款日期', '收款金额'],
      ['HF-2025-0001', '2026-01-05', 100],
    ]);
    workbook.addWorksheet('台账').addRows([
      ['合同编号', '客户名称', '期次', '应还日期', '应还金额'],
      ['HF-2025-0001', '张伟', 1, '2026-01-05', 100],
    ]);
    const hidden = workbook.addWorksheet('隐藏');
    hidden.state = 'hidden';
    hidden.addRows([
      ['合同编号', '收款日期', '收款金额'],
      ['X', '2026-01-05', 1],
    ]);
    const path = join(dir, 'mixed.xlsx');
    await workbook.xlsx.writeFile(path);
    const { reader, rows } = await readAll(path);
    expect(reader.kind).toBe('receipts');
    expect(rows.map((r) => [r.kind, r.sheet, r.rowNumber])).toEqual([['receipts', '收款', 2]]);
    expect(reader.sheets.map((s) => [s.sheet, s.read, s.reason])).toEqual([
      ['收款', true, null],
      ['台账', false, 'a ledger sheet in a file read as receipts'],
      ['隐藏', false, 'hidden sheet'],
    ]);
  });
});
