// Every fixture in fixtures/imports reads to the expected typed rows (make-fixtures.ts wrote them).
import { describe, expect, it } from 'vitest';
import { loadMappingFile } from '../../src/imports/headers.js';
import { fixture, plain, readAll } from './support.js';

describe('(a) UTF-8 with BOM, comma, canonical headers', () => {
  it('reads all 12 rows with every field typed', async () => {
    const { reader, rows } = await readAll(fixture('ledger-hf01-utf8bom.csv'));
    expect(reader.errors).toEqual([]);
    expect(reader.kind).toBe('ledger');
    expect(reader.source).toEqual({ format: 'csv', encoding: { encoding: 'utf8', bom: true }, delimiter: ',' });
    expect(rows).toHaveLength(12);
    expect(rows.every((r) => r.ok)).toBe(true);
    expect(rows[0]).toMatchObject({ file: fixture('ledger-hf01-utf8bom.csv'), sheet: null, rowNumber: 2, line: 2 });
    expect(plain(rows[2]?.values ?? {})).toEqual({
      dealer: 'HF01',
      contract_no: 'HF-2025-0001',
      customer_name: '张伟',
      id_number: '340104198803151239',
      phone: '13805510001',
      machine_model: 'SY215C',
      serial_no: 'SY021520251234',
      sign_date: '2025-12-20',
      contract_amount: '1080000.00',
      collector: '周敏',
      seq: 2,
      type: 'principal',
      due_date: '2026-03-05',
      amount_due: '36000.00',
      amount_paid: '20000.00',
      penalty_accrued: '48.00',
      penalty_paid: '0.00',
      note: '部分还款',
    });
    expect(rows.map((r) => (r.kind === 'ledger' ? r.values.type : null))).toEqual([
      'down_payment',
      'principal',
      'principal',
      'advance',
      'principal',
      'principal',
      'interest',
      'deposit',
      'principal',
      'principal',
      'principal',
      'fee',
    ]);
    expect(rows[7]?.values).toMatchObject({ customer_name: '安徽某某土石方工程有限公司', id_number: '91340100MA2N8Q3L7X' });
  });
});

describe('(b) GBK, comma, title line, quoted commas and line breaks, notations', () => {
  it('reads the four lines, skips the title and the 合 计 row', async () => {
    const { reader, rows } = await readAll(fixture('ledger-hf01-gbk.csv'), { dealer: 'HF01' });
    expect(reader.errors).toEqual([]);
    expect(reader.source).toEqual({ format: 'csv', encoding: { encoding: 'gb18030', bom: false }, delimiter: ',' });
    expect(reader.sheets).toEqual([
      { sheet: null, read: true, kind: 'ledger', headerRow: 2, reason: null, unknownColumns: [], rows: 4, totalRowsSkipped: 1 },
    ]);
    // Row 4 has a note with a line break: one row in Excel, two lines in an editor.
    expect(rows.map((r) => [r.rowNumber, r.line])).toEqual([
      [3, 3],
      [4, 4],
      [5, 6],
      [6, 7],
    ]);
    expect(rows.map((r) => plain(r.values))).toMatchObject([
      { dealer: 'HF01', contract_no: 'HF-2025-0001', seq: 3, due_date: '2026-04-05', amount_due: '36000.00', amount_paid: '0.00' },
      {
        contract_no: 'HF-2025-0002',
        seq: 3,
        due_date: '2026-03-08',
        amount_due: '15000.00', // 1.5万
        note: '客户称3月底前还清， 已电话确认',
      },
      {
        contract_no: 'HF-2025-0003',
        customer_name: '安徽某某土石方工程有限公司',
        due_date: '2026-03-15',
        amount_due: '41666.67',
        amount_paid: '1234.50',
        note: '张经理代付, 余款下月',
      },
      { contract_no: 'HF-2025-0004', seq: 2, due_date: '2026-02-01', amount_due: '12416.67', amount_paid: '1234.50' },
    ]);
    expect(rows.every((r) => r.ok)).toBe(true);
  });
});

describe('(c) UTF-16LE with BOM, tab (Excel "Unicode text")', () => {
  it('reads alias headers, full-width spaces and 、', async () => {
    const { reader, rows } = await readAll(fixture('ledger-wh01-unicode.txt'));
    expect(reader.errors).toEqual([]);
    expect(reader.source).toEqual({ format: 'csv', encoding: { encoding: 'utf16le', bom: true }, delimiter: '\t' });
    expect(rows.map((r) => r.rowNumber)).toEqual([2, 3, 4, 5]);
    expect(plain(rows[1]?.values ?? {})).toMatchObject({
      dealer: 'WH01',
      contract_no: 'WH-2025-0001',
      phone: '13705531234',
      serial_no: 'XUG060DA0025C1207',
      contract_amount: '328000.00',
      collector: '吴婷',
      seq: 5,
      due_date: '2026-02-10',
      amount_due: '13666.67',
      amount_paid: '5000.00',
      penalty_accrued: '25.50',
      penalty_paid: '25.50',
      note: 'GPS费、保险费已代垫',
    });
    expect(rows[2]?.values).toMatchObject({ customer_name: '芜湖某某 建设工程有限公司', type: 'on_behalf_payment' });
    expect(rows[3]?.values).toMatchObject({ customer_name: '刘洋', id_number: '340221199005062713' });
  });
});

describe('(d) semicolon, UTF-8 without BOM, English headers', () => {
  it('reads unquoted 1,234.50 amounts, 2026.1.5 and 20260105 dates', async () => {
    const { reader, rows } = await readAll(fixture('ledger-wh01-semicolon.csv'));
    expect(reader.errors).toEqual([]);
    expect(reader.source).toEqual({ format: 'csv', encoding: { encoding: 'utf8', bom: false }, delimiter: ';' });
    expect(rows.map((r) => plain(r.values))).toMatchObject([
      { contract_no: 'WH-2025-0001', seq: 6, due_date: '2026-03-10', amount_due: '13666.67', amount_paid: '0.00', id_number: null },
      { contract_no: 'WH-2025-0002', type: 'on_behalf_payment', due_date: '2026-02-20', amount_due: '8800.00', note: 'paid, thanks' },
      { contract_no: 'WH-2025-0003', due_date: '2026-02-28', amount_due: '34000.00', amount_paid: '1000.50' },
    ]);
  });
});

describe('(e) XLSX: title rows, formulas, date cells, serials, several sheets', () => {
  it('reads the 合肥 and 芜湖 sheets and reports the notes sheet as skipped', async () => {
    const { reader, rows } = await readAll(fixture('ledger-2026.xlsx'));
    expect(reader.errors).toEqual([]);
    expect(reader.kind).toBe('ledger');
    expect(reader.source).toEqual({ format: 'xlsx' });
    expect(reader.sheets).toEqual([
      {
        sheet: '合肥',
        read: true,
        kind: 'ledger',
        headerRow: 4,
        reason: null,
        // 内部编码 is the hidden column: exceljs's streaming reader does not say it is hidden; unknown, so ignored.
        unknownColumns: ['序号', '本金部分', '利息部分', '内部编码'],
        rows: 4,
        totalRowsSkipped: 1,
      },
      { sheet: '芜湖', read: true, kind: 'ledger', headerRow: 2, reason: null, unknownColumns: [], rows: 2, totalRowsSkipped: 0 },
      {
        sheet: '说明',
        read: false,
        kind: null,
        headerRow: null,
        reason: 'no header row recognised in the first 30 rows',
        unknownColumns: [],
        rows: 0,
        totalRowsSkipped: 0,
      },
    ]);
    // Row 7 is blank, row 10 is the total.
    expect(rows.map((r) => [r.sheet, r.rowNumber, r.line])).toEqual([
      ['合肥', 5, null],
      ['合肥', 6, null],
      ['合肥', 8, null],
      ['合肥', 9, null],
      ['芜湖', 3, null],
      ['芜湖', 4, null],
    ]);
    expect(rows.every((r) => r.ok)).toBe(true);
    const [first, second, third, fourth] = rows.map((r) => plain(r.values));
    // Date cells (with a Chinese date format) → the UTC day; a formula → its saved result.
    expect(first).toMatchObject({
      sign_date: '2025-12-20',
      seq: 3,
      due_date: '2026-04-05',
      amount_due: '36000.00',
      contract_amount: '1080000.00',
    });
    // A serial number without a date format, full-width 第３期 and １２３４．５０, and a formula result with float noise.
    expect(second).toMatchObject({ seq: 3, due_date: '2026-03-08', amount_due: '15333.33', amount_paid: '1234.50' });
    // Rich text → plain text; a text date; 10000.1 + 0.2 saved as 10000.300000000001 → 10000.30.
    expect(third).toMatchObject({ customer_name: '安徽某某土石方工程有限公司', due_date: '2026-03-15', amount_due: '10000.30' });
    expect(fourth).toMatchObject({ type: 'fee', due_date: '2026-02-01', amount_due: '1490.00', amount_paid: '1490.00' });
    expect(plain(rows[4]?.values ?? {})).toMatchObject({
      dealer: 'WH01',
      contract_no: 'WH-2025-0001',
      due_date: '2026-03-10',
      amount_due: '13666.67',
    });
  });

  it('reads only the sheet asked for', async () => {
    const { reader, rows } = await readAll(fixture('ledger-2026.xlsx'), { sheet: '芜湖' });
    expect(reader.errors).toEqual([]);
    expect(rows.map((r) => [r.sheet, r.rowNumber, r.values.contract_no])).toEqual([
      ['芜湖', 3, 'WH-2025-0001'],
      ['芜湖', 4, 'WH-2025-0003'],
    ]);
    expect(reader.sheets.map((s) => [s.sheet, s.read, s.reason])).toEqual([
      ['合肥', false, 'not the sheet asked for (--sheet 芜湖)'],
      ['芜湖', true, null],
      ['说明', false, 'not the sheet asked for (--sheet 芜湖)'],
    ]);
  });

  it('reports a sheet that does not exist', async () => {
    const { reader, rows } = await readAll(fixture('ledger-2026.xlsx'), { sheet: '南京' });
    expect(rows).toEqual([]);
    expect(reader.errors).toEqual([
      {
        file: fixture('ledger-2026.xlsx'),
        sheet: '南京',
        rowNumber: null,
        column: null,
        reason: 'no sheet named "南京" (sheets: 合肥, 芜湖, 说明)',
      },
    ]);
  });

  it('reads the workbook reliably despite exceljs’s streaming race (many reads at once)', async () => {
    const results = await Promise.all(Array.from({ length: 40 }, () => readAll(fixture('ledger-2026.xlsx'))));
    for (const { reader, rows } of results) {
      expect(reader.errors).toEqual([]);
      expect(rows).toHaveLength(6);
    }
  });
});

describe('(f) receipts, GBK', () => {
  it('recognises the kind and reads references, one row without', async () => {
    const { reader, rows } = await readAll(fixture('receipts-hf01-gbk.csv'));
    expect(reader.errors).toEqual([]);
    expect(reader.kind).toBe('receipts');
    expect(rows.map((r) => plain(r.values))).toEqual([
      {
        contract_no: 'HF-2025-0001',
        value_date: '2026-01-05',
        amount: '219500.00',
        method: '银行转账',
        account: '合肥农商行 2001',
        payer: '张伟',
        reference: 'B20260105001',
        note: '首付及GPS费',
      },
      {
        contract_no: 'HF-2025-0001',
        value_date: '2026-03-06',
        amount: '20000.00',
        method: '微信',
        account: '微信收款码',
        payer: '张伟',
        reference: 'WX4200002612',
        note: null,
      },
      {
        contract_no: 'HF-2025-0002',
        value_date: '2026-01-08',
        amount: '15333.33',
        method: '现金',
        account: '合肥门店现金',
        payer: '王建国',
        reference: 'SJ-0001283',
        note: null,
      },
      {
        contract_no: 'HF-2025-0003',
        value_date: '2026-01-15',
        amount: '100000.00',
        method: '承兑汇票',
        account: '合肥农商行 2001',
        payer: '安徽某某土石方工程有限公司',
        reference: 'CD2026011500088',
        note: '承兑汇票6个月，多付部分抵下期',
      },
      {
        contract_no: 'HF-2025-0004',
        value_date: '2026-01-02',
        amount: '13906.67',
        method: '支付宝',
        account: '支付宝',
        payer: '李秀英',
        reference: null,
        note: '无流水号',
      },
    ]);
    expect(rows.every((r) => r.kind === 'receipts' && r.ok)).toBe(true);
  });

  it('refers to contracts of the HF01 ledger', async () => {
    const ledger = await readAll(fixture('ledger-hf01-utf8bom.csv'));
    const receipts = await readAll(fixture('receipts-hf01-gbk.csv'));
    const contracts = new Set(ledger.rows.map((r) => r.values.contract_no));
    expect(receipts.rows.every((r) => contracts.has(r.values.contract_no as string))).toBe(true);
  });
});

describe('(h) a dealer’s own headers with the mapping file', () => {
  it('cannot be read without the mapping', async () => {
    const { reader, rows } = await readAll(fixture('ledger-wh01-odd-headers.csv'));
    expect(rows).toEqual([]);
    expect(reader.errors.map((e) => e.reason)).toEqual([
      expect.stringMatching(/^no header row recognised in the first 30 rows — a ledger needs columns such as 合同编号/),
    ]);
  });

  it('reads with the mapping and --dealer WH01', async () => {
    const mapping = await loadMappingFile(fixture('mapping-example.yaml'));
    const { reader, rows } = await readAll(fixture('ledger-wh01-odd-headers.csv'), { mapping, dealer: 'WH01' });
    expect(reader.errors).toEqual([]);
    expect(rows.map((r) => plain(r.values))).toMatchObject([
      {
        dealer: 'WH01',
        contract_no: 'WH-2025-0001',
        customer_name: '陈志强',
        seq: 6,
        type: 'principal',
        due_date: '2026-03-10',
        amount_due: '13666.67',
        amount_paid: '0.00',
        penalty_accrued: '0.00',
        note: null,
      },
      {
        dealer: 'WH01',
        contract_no: 'WH-2025-0003',
        customer_name: '刘洋',
        seq: 2,
        type: 'principal',
        due_date: '2026-02-28',
        amount_due: '34000.00',
        amount_paid: '34000.00',
        note: '已结清',
      },
    ]);
  });

  it('does not apply WH01’s names for another dealer', async () => {
    const mapping = await loadMappingFile(fixture('mapping-example.yaml'));
    const { rows } = await readAll(fixture('ledger-wh01-odd-headers.csv'), { mapping, dealer: 'HF01' });
    expect(rows).toEqual([]);
  });
});
