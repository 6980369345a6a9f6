import { describe, expect, it } from 'vitest';
import {
  amountGreaterThan,
  isTotalMarker,
  normaliseCode,
  normaliseText,
  parseAmountCell,
  parseAmountText,
  parseDateCell,
  parseSeqCell,
  parseTypeCell,
  receivableTypeIndex,
  serialToDate,
} from '../../src/imports/normalise.js';
import { cellText, numberText } from '../../src/imports/xlsx.js';

describe('dates', () => {
  it.each([
    ['2026-01-05', '2026-01-05'],
    ['2026/1/5', '2026-01-05'],
    ['2026/01/05', '2026-01-05'],
    ['2026.1.5', '2026-01-05'],
    ['2026年1月5日', '2026-01-05'],
    ['2026年1月5', '2026-01-05'],
    ['２０２６年１月５日', '2026-01-05'],
    ['20260105', '2026-01-05'],
    ['46027', '2026-01-05'], // Excel serial
    ['46027.75', '2026-01-05'], // a serial with a time of day
    ['2026/1/5 0:00', '2026-01-05'], // CSV of a date-time cell
    ['2026-01-05 00:00:00', '2026-01-05'],
    ['  2026-01-05\u3000', '2026-01-05'],
    ['2024-02-29', '2024-02-29'],
  ])('%j → %s', (cell, expected) => {
    expect(parseDateCell(cell)).toEqual({ ok: true, value: expected });
  });

  it('reads an empty cell as no date', () => {
    expect(parseDateCell('')).toEqual({ ok: true, value: null });
    expect(parseDateCell(' \u3000 ')).toEqual({ ok: true, value: null });
  });

  it.each([
    ['2026-02-30', 'a real calendar date between 1900 and 2999 (read as 2026-02-30)'],
    ['2025-02-29', 'a real calendar date between 1900 and 2999 (read as 2025-02-29)'],
    ['2026-13-01', 'a real calendar date between 1900 and 2999 (read as 2026-13-01)'],
    ['20261305', 'a real calendar date between 1900 and 2999 (read as 2026-13-05)'],
    ['2026-1/5', 'a date such as 2026-01-05, 2026/1/5, 2026.1.5, 2026年1月5日 or 20260105'],
    ['1/5/2026', 'a date such as 2026-01-05, 2026/1/5, 2026.1.5, 2026年1月5日 or 20260105'],
    ['soon', 'a date such as 2026-01-05, 2026/1/5, 2026.1.5, 2026年1月5日 or 20260105'],
    ['60', 'Excel date serial 60 is 1900-02-29, a day that does not exist'],
    ['2026', 'a date such as 2026-01-05, 2026/1/5, 2026.1.5, 2026年1月5日 or 20260105 (an Excel date serial from 18264 on)'],
  ])('%j is refused: %s', (cell, reason) => {
    expect(parseDateCell(cell)).toEqual({ ok: false, reason });
  });

  it('counts Excel serials in the 1900 system, Lotus leap day included', () => {
    expect(serialToDate(1)).toBe('1900-01-01');
    expect(serialToDate(59)).toBe('1900-02-28');
    expect(serialToDate(60)).toBeNull(); // 1900-02-29 never existed
    expect(serialToDate(61)).toBe('1900-03-01');
    expect(serialToDate(25569)).toBe('1970-01-01');
    expect(serialToDate(45658)).toBe('2025-01-01');
    expect(serialToDate(46027)).toBe('2026-01-05');
    expect(serialToDate(46387)).toBe('2026-12-31');
  });
});

describe('amounts', () => {
  it.each([
    ['1234.5', '1234.50'],
    ['1,234.50', '1234.50'],
    ['¥1,234.50', '1234.50'],
    ['￥1234.50元', '1234.50'],
    ['１２３４．５０', '1234.50'],
    ['(1,234.50)', '-1234.50'],
    ['（1,234.50）', '-1234.50'],
    ['-¥1,234.50', '-1234.50'], // Excel's currency format for a negative amount
    ['1.5万', '15000.00'],
    ['1.5万元', '15000.00'],
    ['10万', '100000.00'],
    ['1.234567万', '12345.67'],
    ['0', '0.00'],
    [' ¥ 36,000.00 ', '36000.00'],
    ['15333.33', '15333.33'],
  ])('%j → %s', (cell, expected) => {
    const parsed = parseAmountCell(cell);
    expect(parsed.ok && parsed.value?.toFixed(2)).toBe(expected);
  });

  it('reads an empty cell or a dash as no amount', () => {
    expect(parseAmountCell('')).toEqual({ ok: true, value: null });
    expect(parseAmountCell('-')).toEqual({ ok: true, value: null });
  });

  it.each([
    ['1234.567', 'at most two decimals (amounts are not rounded silently)'],
    ['1.2345678万', 'at most two decimals (amounts are not rounded silently)'],
    ['12,34.5', 'an amount such as 1234.50, 1,234.50, ¥1,234.50 or 1.5万'],
    ['abc', 'an amount such as 1234.50, 1,234.50, ¥1,234.50 or 1.5万'],
    ['1e5', 'an amount such as 1234.50, 1,234.50, ¥1,234.50 or 1.5万'],
  ])('%j is refused: %s', (cell, reason) => {
    expect(parseAmountCell(cell)).toEqual({ ok: false, reason });
  });

  // Ledger rows read amounts as canonical text without a Decimal: the same figures and reasons.
  it.each(['1234.5', '007.5', '0', '0.0', '1,234.50', '(1,234.50)', '1.5万', '１２３４．５０', '', '-', '1234.567', 'abc', '1e5'])(
    '%j as text agrees with parseAmountCell',
    (cell) => {
      const decimal = parseAmountCell(cell);
      const expected = decimal.ok ? { ok: true, value: decimal.value?.toFixed(2) ?? null } : decimal;
      expect(parseAmountText(cell)).toEqual(expected);
    },
  );

  it('keeps the sign of a negative zero, and compares exactly', () => {
    expect(parseAmountText('(0)')).toEqual({ ok: true, value: '-0.00' });
    expect(amountGreaterThan('41666.68', '41666.67')).toBe(true);
    expect(amountGreaterThan('9.99', '10.00')).toBe(false);
    expect(amountGreaterThan('100.00', '100.00')).toBe(false);
    expect(amountGreaterThan('100.00', '99.99')).toBe(true);
    expect(amountGreaterThan('0.01', '-5.00')).toBe(true);
    expect(amountGreaterThan('-0.00', '0.00')).toBe(false);
  });
});

describe('installment numbers', () => {
  it.each([
    ['3', 3],
    ['第3期', 3],
    ['第３期', 3],
    ['3期', 3],
    [' 第 12 期 ', 12],
    ['03', 3],
  ])('%j → %d', (cell, expected) => {
    expect(parseSeqCell(cell)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['第X期', 'an installment number such as 3, 第3期 or 3期'],
    ['3.5', 'an installment number such as 3, 第3期 or 3期'],
    ['0', 'an installment number from 1 to 999'],
    ['1000', 'an installment number from 1 to 999'],
  ])('%j is refused: %s', (cell, reason) => {
    expect(parseSeqCell(cell)).toEqual({ ok: false, reason });
  });
});

describe('receivable types', () => {
  const index = receivableTypeIndex([{ code: 'insurance', names: ['保险费', '保 险'] }]);
  it.each([
    ['', 'principal'],
    ['货款', 'principal'],
    ['首付', 'down_payment'],
    ['保证金', 'deposit'],
    ['利息', 'interest'],
    ['手续费', 'fee'],
    ['代付', 'on_behalf_payment'],
    ['代垫', 'advance'],
    ['罚息', 'penalty'],
    [' 货 款 ', 'principal'],
    ['principal', 'principal'],
    ['Down_Payment', 'down_payment'],
    ['保险费', 'insurance'],
    ['保险', 'insurance'],
    ['INSURANCE', 'insurance'],
  ])('%j → %s', (cell, expected) => {
    expect(parseTypeCell(cell, index)).toEqual({ ok: true, value: expected });
  });

  it('refuses an unknown type', () => {
    expect(parseTypeCell('运费', index)).toEqual({
      ok: false,
      reason: 'a receivable type: 货款, 首付, 保证金, 利息, 手续费, 代付, 代垫, 罚息, or a configured code',
    });
  });
});

describe('text', () => {
  it.each([
    ['  张伟 ', '张伟'],
    ['\u3000王建国\u3000', '王建国'],
    ['芜湖某某　建设工程有限公司', '芜湖某某 建设工程有限公司'],
    ['GPS费、保险费已代垫', 'GPS费、保险费已代垫'],
    ['第一行\r\n第二行', '第一行 第二行'],
    ['a \t  b', 'a b'],
    ['', null],
    ['\u3000 ', null],
  ])('text %j → %j', (cell, expected) => {
    expect(normaliseText(cell)).toBe(expected);
  });

  it.each([
    ['ＨＦ－２０２５－０００１', 'HF-2025-0001'],
    [' 138 0551 0001 ', '13805510001'],
    ['SY021520251234', 'SY021520251234'],
    ['', null],
  ])('code %j → %j', (cell, expected) => {
    expect(normaliseCode(cell)).toBe(expected);
  });

  it.each([
    ['合计', true],
    ['合 计', true],
    ['合\u3000计', true],
    ['总计：', true],
    ['小计(1月)', true],
    ['合同', false],
    ['统计', false],
    ['', false],
  ])('total marker %j → %s', (cell, expected) => {
    expect(isTotalMarker(cell)).toBe(expected);
  });
});

describe('XLSX cell values', () => {
  it.each([
    [1234.5, '1234.5'],
    [0.1 + 0.2, '0.3'],
    [10000.1 + 0.2, '10000.3'],
    [1e-7, '0.0000001'],
    [13805510001, '13805510001'],
    [1234.567, '1234.567'], // three decimals stay: the amount parser refuses them
    [-36000, '-36000'],
  ])('number %d → %s', (value, expected) => {
    expect(numberText(value)).toBe(expected);
  });

  it.each([
    [null, ''],
    [undefined, ''],
    ['张伟', '张伟'],
    [true, 'TRUE'],
    [new Date(Date.UTC(2026, 0, 5)), '2026-01-05'],
    [new Date(Date.UTC(2026, 0, 5, 23, 59)), '2026-01-05'],
    [{ formula: 'O5+P5', result: 10000.300000000001 }, '10000.3'],
    [{ formula: 'A1', result: '文本' }, '文本'],
    [{ formula: 'O5+P5' }, '=O5+P5'], // no saved result: shown as the formula
    [{ sharedFormula: 'Q5', result: 12 }, '12'],
    [{ richText: [{ text: '安徽某某' }, { text: '土石方工程有限公司' }] }, '安徽某某土石方工程有限公司'],
    [{ text: '链接', hyperlink: 'http://example.com' }, '链接'],
    [{ error: '#N/A' }, '#N/A'],
  ])('cell %j → %j', (value, expected) => {
    expect(cellText(value)).toBe(expected);
  });
});
