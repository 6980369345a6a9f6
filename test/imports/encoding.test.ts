import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { detectDelimiter, openCsv } from '../../src/imports/csv.js';
import { detectEncoding } from '../../src/imports/encoding.js';

describe('detectEncoding', () => {
  const text = '合同编号,客户名称\r\nHF-2025-0001,张伟\r\n';
  it.each([
    ['UTF-8 with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), 'utf8', true],
    ['UTF-8 without BOM', Buffer.from(text), 'utf8', false],
    ['ASCII', Buffer.from('a,b\r\n1,2\r\n'), 'utf8', false],
    ['UTF-16LE with BOM', iconv.encode(text, 'utf16le', { addBOM: true }), 'utf16le', true],
    ['UTF-16BE with BOM', iconv.encode(text, 'utf16be', { addBOM: true }), 'utf16be', true],
    ['GBK', iconv.encode(text, 'gbk'), 'gb18030', false],
    ['GB18030 (a character outside GBK)', iconv.encode('客户,𠀀\r\n', 'gb18030'), 'gb18030', false],
  ])('%s', (_name, bytes, encoding, bom) => {
    expect(detectEncoding(bytes, true)).toEqual({ encoding, bom });
  });

  it('does not hold a UTF-8 character cut at the end of the sample against UTF-8', () => {
    const bytes = Buffer.from('合同编号,张伟');
    const cut = bytes.subarray(0, bytes.length - 1); // 伟 is 3 bytes: two of them remain
    expect(detectEncoding(cut, false).encoding).toBe('utf8');
    // The same bytes as a whole file are not valid UTF-8.
    expect(detectEncoding(cut, true).encoding).toBe('gb18030');
  });

  it('reads GBK as GBK even when a GBK pair looks like the start of a UTF-8 sequence', () => {
    // 张伟 in GBK is D5 C5 CE B0: not valid UTF-8 anywhere in a complete sample.
    expect(detectEncoding(iconv.encode('张伟', 'gbk'), false).encoding).toBe('gb18030');
  });
});

describe('detectDelimiter', () => {
  it.each([
    ['a,b,c\n1,2,3\n', ','],
    ['a\tb\tc\n1\t2\t3\n', '\t'],
    ['a;b;c\n1;2;3\n', ';'],
    // Amounts with thousands separators in a semicolon file: the semicolons are the regular ones.
    ['合同;金额;备注\nA;1,234.50;x\nB;12,345,678.00;y, z\nC;5;\n', ';'],
    // Commas inside quotes do not count.
    ['"a,b";c;d\n"1,2,3,4";5;6\n', ';'],
    // A title line with trailing commas, as Excel writes it.
    ['台账,,,\n合同,客户,期次,金额\nA,张伟,1,"1,234.50"\n', ','],
    ['single column\nvalue\n', ','],
  ])('%j → %j', (text, expected) => {
    expect(detectDelimiter(text)).toBe(expected);
  });
});

describe('openCsv', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zq-csv-'));

  async function rowsOf(name: string, bytes: Buffer | string) {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    const csv = await openCsv(path);
    const rows = [];
    for await (const row of csv.rows) rows.push(row);
    return rows;
  }

  it('numbers rows as Excel shows them and lines as an editor does, across quoted line breaks', async () => {
    const rows = await rowsOf('lines.csv', 'h1,h2\r\n\r\na,"x\r\ny\r\nz"\r\nb,c\r\n\r\nd,e');
    expect(rows.map((r) => [r.rowNumber, r.line, r.cells])).toEqual([
      [1, 1, ['h1', 'h2']],
      [3, 3, ['a', 'x\ny\nz']],
      [4, 6, ['b', 'c']],
      [6, 8, ['d', 'e']],
    ]);
  });

  it('handles old Mac CR line ends and a CRLF split between chunks alike', async () => {
    const rows = await rowsOf('cr.csv', 'a,b\r1,2\r3,4');
    expect(rows.map((r) => [r.rowNumber, r.cells])).toEqual([
      [1, ['a', 'b']],
      [2, ['1', '2']],
      [3, ['3', '4']],
    ]);
  });

  it('turns an unclosed quote into a problem row instead of throwing', async () => {
    const rows = await rowsOf('broken.csv', 'a,b\n1,2\n3,"never closed\n4,5\n');
    expect(rows.at(-1)).toMatchObject({ rowNumber: 3, line: 3, cells: [] });
    expect(rows.at(-1)?.problem).toMatch(/^unreadable CSV from line 3 on: /);
  });

  it('reads a large GBK file in many chunks with a character split between chunks', async () => {
    const line = '张伟,王建国,安徽某某土石方工程有限公司\r\n';
    const text = `a,b,c\r\n${line.repeat(20_000)}`;
    const rows = await rowsOf('big-gbk.csv', iconv.encode(text, 'gbk'));
    expect(rows).toHaveLength(20_001);
    expect(rows.at(-1)).toEqual({ rowNumber: 20_001, line: 20_001, cells: ['张伟', '王建国', '安徽某某土石方工程有限公司'] });
  });
});
