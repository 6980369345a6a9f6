// The XLSX reader itself (src/imports/xlsx.ts, src/imports/xml.ts) on workbooks written byte by byte here:
// what Excel, WPS and streaming writers put in the XML, and what each cell reads as.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dec } from '../../src/core/money.js';
import { isDateFormatCode, numberCellText, numberText, readXlsxSheets } from '../../src/imports/xlsx.js';
import { type XmlAttributes, XmlScanner } from '../../src/imports/xml.js';
import { readAll } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'zq-xlsx-reader-'));
let counter = 0;

/** A zip of these parts in this order (deflated unless `store`), as a file. */
function zipFile(parts: [name: string, content: string | Buffer][], store = false): string {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of parts) {
    const data = Buffer.from(content);
    const body = store ? data : deflateRawSync(data);
    const fileName = Buffer.from(name);
    const header = (signature: number, size: number, at: number) => {
      const b = Buffer.alloc(size);
      b.writeUInt32LE(signature, 0);
      b.writeUInt16LE(20, at); // version needed
      b.writeUInt16LE(0x0800, at + 2); // UTF-8 names
      b.writeUInt16LE(store ? 0 : 8, at + 4);
      b.writeUInt32LE(crc32(data), at + 10);
      b.writeUInt32LE(body.length, at + 14);
      b.writeUInt32LE(data.length, at + 18);
      b.writeUInt16LE(fileName.length, at + 22);
      return b;
    };
    const local = header(0x04034b50, 30, 4);
    const entry = header(0x02014b50, 46, 6);
    entry.writeUInt16LE(20, 4); // version made by
    entry.writeUInt32LE(offset, 42);
    locals.push(local, fileName, body);
    central.push(entry, fileName);
    offset += local.length + fileName.length + body.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  const path = join(dir, `book-${counter++}.xlsx`);
  writeFileSync(path, Buffer.concat([...locals, directory, end]));
  return path;
}

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n';
const ROOT_RELS = `${HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`;

function workbookXml(sheets: string, date1904 = false): string {
  return `${HEAD}<workbook xmlns="${MAIN}" xmlns:r="${REL}">${date1904 ? '<workbookPr date1904="true"/>' : '<workbookPr/>'}<sheets>${sheets}</sheets></workbook>`;
}
function relsXml(relationships: [id: string, type: string, target: string][]): string {
  const items = relationships.map(([id, type, target]) => `<Relationship Id="${id}" Type="${REL}/${type}" Target="${target}"/>`);
  return `${HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${items.join('')}</Relationships>`;
}
function sheetXml(rows: string, after = ''): string {
  return `${HEAD}<worksheet xmlns="${MAIN}" xmlns:r="${REL}"><dimension ref="A1:J8"/><sheetViews><sheetView workbookViewId="0"/></sheetViews><sheetData>${rows}</sheetData>${after}</worksheet>`;
}

const SHARED_STRINGS = `${HEAD}<sst xmlns="${MAIN}" count="5" uniqueCount="5">
  <si><t>合同编号</t></si>
  <si><r><rPr><b/><sz val="11"/></rPr><t>安徽某某</t></r><r><t xml:space="preserve">土石方 工程</t></r></si>
  <si><t>漢字</t><rPh sb="0" eb="2"><t>かんじ</t></rPh><phoneticPr fontId="1"/></si>
  <si><t>行一_x000D_
行二 &lt;&amp;&gt;</t></si>
  <si><t/></si>
</sst>`;

// Styles: 1 built-in date, 2 custom Chinese date, 3 and 4 numbers (a quoted "d" is not a day), 5 an
// upper-case date, 6 built-in 31 (yyyy年m月d日), 7 #,##0.00, 8 date and time. The <cellStyleXfs> and
// <dxfs> entries must not count.
const STYLES = `${HEAD}<styleSheet xmlns="${MAIN}"><numFmts count="4">
  <numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>
  <numFmt numFmtId="177" formatCode="0.00_);[Red]\\(0.00\\)"/>
  <numFmt numFmtId="178" formatCode="#,##0 &quot;d&quot;"/>
  <numFmt numFmtId="179" formatCode="YYYY/MM/DD"/>
</numFmts><cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs><cellXfs count="9">
  <xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="176"/><xf numFmtId="177"/><xf numFmtId="178"/>
  <xf numFmtId="179"/><xf numFmtId="31"/><xf numFmtId="4"/><xf numFmtId="22"/>
</cellXfs><dxfs count="1"><dxf><numFmt numFmtId="177" formatCode="yyyy-mm-dd"/></dxf></dxfs></styleSheet>`;

// 46027 is 2026-01-05 in the 1900 system.
const MAIN_SHEET = sheetXml(
  [
    // A shared string, an inline rich text with a phonetic run, a cell with only a style (no value).
    '<row r="1" spans="1:4"><c r="A1" t="s"><v>0</v></c><c r="C1" t="inlineStr"><is><r><t>安徽</t></r><r><rPr><b/></rPr><t>某某</t></r><rPh sb="0" eb="1"><t>x</t></rPh></is></c><c r="D1" s="1"/></row>',
    // Row 2 left out; cells without r follow the one before.
    '<row r="3"><c t="s"><v>1</v></c><c><v>0.30000000000000004</v></c><c r="E3" t="b"><v>1</v></c><c t="b"><v>0</v></c><c t="e"><v>#N/A</v></c></row>',
    // A row without r follows row 3. The same serial under each style; serials 60 and 59.
    '<row><c r="A4" s="1"><v>46027</v></c><c r="B4" s="2"><v>46027</v></c><c r="C4" s="3"><v>46027</v></c><c r="D4" s="4"><v>46027</v></c>' +
      '<c r="E4" s="5"><v>46027</v></c><c r="F4" s="6"><v>46027</v></c><c r="G4" s="8"><v>46027.99</v></c><c r="H4" s="1"><v>60</v></c>' +
      '<c r="I4" s="1"><v>59</v></c><c r="J4" s="7"><v>1234.5</v></c></row>',
    // Formulas: never calculated, float noise, text, boolean, error and date results; more shared strings; references.
    '<row r="6"><c r="A6"><f>1+1</f></c><c r="B6"><f>O5+P5</f><v>10000.300000000001</v></c><c r="C6" t="str"><f>A1&amp;"x"</f><v>合同编号x</v></c>' +
      '<c r="D6" t="b"><f>TRUE()</f><v>1</v></c><c r="E6" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="F6" s="1"><f>A4+1</f><v>46028</v></c>' +
      '<c r="G6" t="s"><v>2</v></c><c r="H6" t="s"><v>3</v></c><c r="I6" t="s"><v>4</v></c>' +
      '<c r="J6" t="inlineStr"><is><t>&#x4E2D;&#25991; &quot;q&quot; &apos;a&apos;</t></is></c></row>',
    '<row r="7" spans="1:1"/>',
    // CDATA, a comment, single-quoted attributes, spaces around '=' and in the end tag.
    `<row r="8"><c r="A8" t="str"><v><![CDATA[a<b & c]]></v></c><!-- a <c> in a comment --><c r = 'B8' t='str' ><v>单引号</v></c ></row>`,
  ].join('\n'),
  '<mergeCells count="1"><mergeCell ref="A1:C1"/></mergeCells><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>',
);
const SMALL_SHEET = (text: string) => sheetXml(`<row r="1"><c r="A1" t="inlineStr"><is><t>${text}</t></is></c></row>`);

function handWrittenWorkbook(date1904 = false): string {
  // Sheets first, the workbook last: the reader finds the parts through the zip's directory.
  return zipFile([
    ['xl/worksheets/data.xml', MAIN_SHEET],
    ['xl/worksheets/sheet2.xml', SMALL_SHEET('隐藏')],
    ['xl/worksheets/sheet3.xml', SMALL_SHEET('很隐藏')],
    ['xl/sharedStrings.xml', SHARED_STRINGS],
    ['xl/styles.xml', STYLES],
    ['[Content_Types].xml', `${HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`],
    ['_rels/.rels', ROOT_RELS],
    [
      'xl/_rels/workbook.xml.rels',
      relsXml([
        ['rId1', 'worksheet', 'worksheets/data.xml'],
        ['rId2', 'worksheet', '/xl/worksheets/sheet2.xml'],
        ['rId3', 'worksheet', 'worksheets/../worksheets/sheet3.xml'],
        ['rId4', 'chartsheet', 'chartsheets/sheet1.xml'],
        ['rId5', 'sharedStrings', 'sharedStrings.xml'],
        ['rId6', 'styles', 'styles.xml'],
      ]),
    ],
    [
      'xl/workbook.xml',
      workbookXml(
        '<sheet name="台账 &amp; 明细" sheetId="1" r:id="rId1"/><sheet name="隐藏" sheetId="2" state="hidden" r:id="rId2"/>' +
          '<sheet name="很隐藏" sheetId="3" state="veryHidden" r:id="rId3"/><sheet name="图表" sheetId="4" r:id="rId4"/>',
        date1904,
      ),
    ],
  ]);
}

async function readSheets(path: string) {
  const sheets: { name: string; hidden: boolean; rows: [number, string[]][] }[] = [];
  for await (const sheet of readXlsxSheets(path)) {
    const rows: [number, string[]][] = [];
    for await (const row of sheet.rows) rows.push([row.rowNumber, row.cells]);
    sheets.push({ name: sheet.name, hidden: sheet.hidden, rows });
  }
  return sheets;
}

describe('readXlsxSheets on a hand-written workbook', () => {
  it('reads every kind of cell as the text Excel shows', async () => {
    const sheets = await readSheets(handWrittenWorkbook());
    expect(sheets.map((s) => [s.name, s.hidden])).toEqual([
      ['台账 & 明细', false],
      ['隐藏', true],
      ['很隐藏', true],
    ]);
    expect(sheets[0]?.rows).toEqual([
      // 17.2: A1:C1 is merged: every cell of it shows A1's text, as Excel does (C1's own text is not shown)
      [1, ['合同编号', '合同编号', '合同编号']],
      [3, ['安徽某某土石方 工程', '0.3', '', '', 'TRUE', 'FALSE', '#N/A']],
      [4, ['2026-01-05', '2026-01-05', '46027', '46027', '2026-01-05', '2026-01-05', '2026-01-05', '1900-02-29', '1900-02-28', '1234.5']],
      [6, ['=1+1', '10000.3', '合同编号x', 'TRUE', '#DIV/0!', '2026-01-06', '漢字', '行一\r\n行二 <&>', '', '中文 "q" \'a\'']],
      [7, []],
      [8, ['a<b & c', '单引号']],
    ]);
    expect(sheets[1]?.rows).toEqual([[1, ['隐藏']]]);
    expect(sheets[2]?.rows).toEqual([[1, ['很隐藏']]]);
  });

  it('counts date serials from 1904-01-01 in a date1904 workbook', async () => {
    const [sheet] = await readSheets(handWrittenWorkbook(true));
    expect(sheet?.rows[2]).toEqual([
      4,
      ['2030-01-06', '2030-01-06', '46027', '46027', '2030-01-06', '2030-01-06', '2030-01-06', '1904-03-01', '1904-02-29', '1234.5'],
    ]);
  });

  it('skips hidden and very hidden sheets unless one is asked for', async () => {
    const ledger = sheetXml(
      '<row r="1"><c r="A1" t="inlineStr"><is><t>合同编号</t></is></c><c r="B1" t="inlineStr"><is><t>客户名称</t></is></c><c r="C1" t="inlineStr"><is><t>期次</t></is></c>' +
        '<c r="D1" t="inlineStr"><is><t>应还日期</t></is></c><c r="E1" t="inlineStr"><is><t>应还金额</t></is></c></row>' +
        '<row r="2"><c r="A2" t="inlineStr"><is><t>HT-1</t></is></c><c r="B2" t="inlineStr"><is><t>张伟</t></is></c><c r="C2"><v>1</v></c>' +
        '<c r="D2" t="inlineStr"><is><t>2026-05-15</t></is></c><c r="E2"><v>1000</v></c></row>',
    );
    const path = zipFile([
      ['_rels/.rels', ROOT_RELS],
      [
        'xl/workbook.xml',
        workbookXml('<sheet name="说明" sheetId="1" r:id="rId1"/><sheet name="底稿" sheetId="2" state="veryHidden" r:id="rId2"/>'),
      ],
      [
        'xl/_rels/workbook.xml.rels',
        relsXml([
          ['rId1', 'worksheet', 'worksheets/sheet1.xml'],
          ['rId2', 'worksheet', 'worksheets/sheet2.xml'],
        ]),
      ],
      ['xl/worksheets/sheet1.xml', SMALL_SHEET('填表说明')],
      ['xl/worksheets/sheet2.xml', ledger],
    ]);
    const all = await readAll(path);
    expect(all.reader.sheets.map((s) => [s.sheet, s.read, s.reason])).toEqual([
      ['说明', false, 'no header row recognised in the first 30 rows'],
      ['底稿', false, 'hidden sheet'],
    ]);
    const asked = await readAll(path, { sheet: '底稿' });
    expect(asked.reader.errors).toEqual([]);
    expect(asked.rows.map((r) => [r.rowNumber, r.ok, r.values.contract_no])).toEqual([[2, true, 'HT-1']]);
  });

  it('reads prefixed element names (OpenXML SDK) and a UTF-16 sheet', async () => {
    const prefixed = `${HEAD}<x:worksheet xmlns:x="${MAIN}"><x:sheetData><x:row r="2"><x:c r="B2" t="inlineStr"><x:is><x:t>前缀</x:t></x:is></x:c><x:c r="C2"><x:v>7</x:v></x:c></x:row></x:sheetData></x:worksheet>`;
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(SMALL_SHEET('十六位').replace('UTF-8', 'UTF-16'), 'utf16le')]);
    const path = zipFile([
      ['_rels/.rels', ROOT_RELS],
      [
        'xl/workbook.xml',
        `${HEAD}<x:workbook xmlns:x="${MAIN}" xmlns:rel="${REL}"><x:sheets><x:sheet name="甲" sheetId="1" rel:id="rId1"/><x:sheet name="乙" sheetId="2" rel:id="rId2"/></x:sheets></x:workbook>`,
      ],
      [
        'xl/_rels/workbook.xml.rels',
        relsXml([
          ['rId1', 'worksheet', 'worksheets/sheet1.xml'],
          ['rId2', 'worksheet', 'worksheets/sheet2.xml'],
        ]),
      ],
      ['xl/worksheets/sheet1.xml', prefixed],
      ['xl/worksheets/sheet2.xml', utf16],
    ]);
    expect(await readSheets(path)).toEqual([
      { name: '甲', hidden: false, rows: [[2, ['', '前缀', '7']]] },
      { name: '乙', hidden: false, rows: [[1, ['十六位']]] },
    ]);
  });

  it.each([false, true])('reads Chinese inline strings whose bytes straddle chunks (stored: %s)', async (store) => {
    // Three-byte characters, entities and rich runs over several 256 KiB chunks: many of them are cut.
    const ROWS = 12_000;
    const expected: [number, string[]][] = [];
    const xml: string[] = [];
    for (let i = 1; i <= ROWS; i++) {
      const name = `安徽鑫磊土石方工程有限公司${i}号`;
      expected.push([i, [name, `中&<${i}>`, `${i}`]]);
      xml.push(
        `<row r="${i}"><c r="A${i}" t="inlineStr"><is><t>${name}</t></is></c><c r="B${i}" t="inlineStr"><is><r><t>&#x4E2D;&amp;</t></r><r><t>&lt;${i}&gt;</t></r></is></c><c r="C${i}"><v>${i}</v></c></row>`,
      );
    }
    const path = zipFile(
      [
        ['_rels/.rels', ROOT_RELS],
        ['xl/workbook.xml', workbookXml('<sheet name="台账" sheetId="1" r:id="rId1"/>')],
        ['xl/_rels/workbook.xml.rels', relsXml([['rId1', 'worksheet', 'worksheets/sheet1.xml']])],
        ['xl/worksheets/sheet1.xml', sheetXml(xml.join(''))],
      ],
      store,
    );
    const [sheet] = await readSheets(path);
    expect(sheet?.rows).toEqual(expected);
  });
});

describe('the common cell read at once and any cell read tag by tag agree', () => {
  // Each cell is written twice: as most writers write it (read by one regular expression), and with
  // single quotes and an extra attribute (read tag by tag).
  const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const text = fc.string({ unit: fc.constantFrom(...'ab 1.&<>"\'\r\n\t_x000D_中文𠀀'.split('')), maxLength: 12 });
  const cell = fc.oneof(
    fc.record({ t: fc.constant('str'), v: text.map(escapeXml) }),
    fc.record({ t: fc.constant('inlineStr'), is: text.map(escapeXml) }),
    fc.record({ t: fc.constant('s'), v: fc.constantFrom('0', '1', '2', '3', '4', '9') }),
    fc.record({
      t: fc.constant('n'),
      v: fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
      s: fc.integer({ min: 0, max: 9 }),
    }),
    fc.record({ t: fc.constantFrom('b', 'e'), v: fc.constantFrom('0', '1', '#N/A') }),
    fc.record({ t: fc.constant('n') }),
  );
  const rows = fc.array(fc.array(fc.option(cell, { nil: undefined }), { maxLength: 6 }), { minLength: 1, maxLength: 6 });

  type Cell = typeof cell extends fc.Arbitrary<infer C> ? C : never;

  function sheet(cells: (Cell | undefined)[][], canonical: boolean): string {
    const q = canonical ? '"' : "'";
    const extra = canonical ? '' : ` cm='0'`;
    const xml = cells.map((row, r) => {
      const items = row.map((c, column) => {
        if (c === undefined) return '';
        const ref = `${String.fromCharCode(65 + column)}${r + 1}`;
        const s = 's' in c && c.s !== undefined && c.s > 0 ? ` s=${q}${c.s}${q}` : '';
        const head = `<c r=${q}${ref}${q}${s}${c.t === 'n' ? '' : ` t=${q}${c.t}${q}`}${extra}`;
        if ('is' in c) return `${head}><is><t>${c.is}</t></is></c>`;
        if ('v' in c) return `${head}><v>${c.v}</v></c>`;
        return `${head}/>`;
      });
      return `<row r="${r + 1}">${items.join('')}</row>`;
    });
    return sheetXml(xml.join(''));
  }

  it('reads the same text both ways', async () => {
    await fc.assert(
      fc.asyncProperty(rows, async (cells) => {
        const read = async (canonical: boolean) =>
          readSheets(
            zipFile([
              ['_rels/.rels', ROOT_RELS],
              ['xl/workbook.xml', workbookXml('<sheet name="台账" sheetId="1" r:id="rId1"/>')],
              ['xl/_rels/workbook.xml.rels', relsXml([['rId1', 'worksheet', 'worksheets/sheet1.xml']])],
              ['xl/worksheets/sheet1.xml', sheet(cells, canonical)],
              ['xl/sharedStrings.xml', SHARED_STRINGS],
              ['xl/styles.xml', STYLES],
            ]),
          );
        expect(await read(true)).toEqual(await read(false));
      }),
      { numRuns: 200 },
    );
  });
});

describe('broken workbooks are file errors', () => {
  const CUT = sheetXml('<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c></row>');
  const book = (sheet: string | Buffer) =>
    zipFile([
      ['_rels/.rels', ROOT_RELS],
      ['xl/workbook.xml', workbookXml('<sheet name="台账" sheetId="1" r:id="rId1"/>')],
      ['xl/_rels/workbook.xml.rels', relsXml([['rId1', 'worksheet', 'worksheets/sheet1.xml']])],
      ['xl/worksheets/sheet1.xml', sheet],
    ]);

  it.each([
    ['a sheet cut off after a row', book(CUT.slice(0, CUT.indexOf('</row>') + 6)), /sheet1\.xml: the sheet ends before <\/sheetData>/],
    [
      'a sheet cut off inside a tag',
      book(CUT.slice(0, CUT.indexOf('</row>') + 3)),
      /sheet1\.xml: the XML ends inside a tag or text: <\/r…/,
    ],
    ['a DOCTYPE', book(`${HEAD}<!DOCTYPE x [<!ENTITY a "b">]>${sheetXml('')}`), /sheet1\.xml: not allowed in an XLSX part: <!DOCTYPE/],
    ['an unknown entity', book(sheetXml('<row r="1"><c r="A1" t="str"><v>&nbsp;</v></c></row>')), /unknown entity &nbsp;/],
    ['a column beyond XFD', book(sheetXml('<row r="1"><c r="XFE1"><v>1</v></c></row>')), /XFE1 beyond the last column/],
    [
      'a sheet whose part is missing',
      zipFile([
        ['_rels/.rels', ROOT_RELS],
        ['xl/workbook.xml', workbookXml('<sheet name="台账" sheetId="1" r:id="rId1"/>')],
        ['xl/_rels/workbook.xml.rels', relsXml([['rId1', 'worksheet', 'worksheets/sheet1.xml']])],
      ]),
      /sheet "台账": its part xl\/worksheets\/sheet1\.xml is not in the file/,
    ],
    ['no workbook', zipFile([['hello.txt', 'hello']]), /no workbook part xl\/workbook\.xml/],
  ])('%s', async (_, path, reason) => {
    const { reader, rows } = await readAll(path);
    expect(rows).toEqual([]);
    expect(reader.errors).toHaveLength(1);
    expect(reader.errors[0]?.reason).toMatch(/^unreadable XLSX: /);
    expect(reader.errors[0]?.reason).toMatch(reason);
  });
});

describe('the XML scanner', () => {
  const DOCUMENT = Buffer.from(
    `\uFEFF<?xml version="1.0"?>\r\n<!-- <a> in a comment --><root xmlns="urn:x" xmlns:p="urn:p" p:attr='it&apos;s &lt;&#x4E2D;&gt;' b = "x>y\ttab" >` +
      `<p:item name="中文">text &amp; more&#10;line\r\nend<![CDATA[<raw> & ]]></p:item><empty/><?pi data?></root>`,
  );
  function events(chunks: Buffer[]): string[] {
    const out: string[] = [];
    const handler = {
      collecting: false,
      open(name: string, attributes: XmlAttributes, selfClosing: boolean) {
        out.push(
          `open ${name}${selfClosing ? '/' : ''} attr=${attributes.get('attr')} b=${attributes.get('b')} name=${attributes.get('name')} xmlns=${attributes.get('xmlns')}`,
        );
        this.collecting = name === 'item';
      },
      close(name: string) {
        out.push(`close ${name}`);
        this.collecting = false;
      },
      text(text: string) {
        // Pieces may be cut anywhere between tags: join them.
        if (out.at(-1)?.startsWith('text ')) out[out.length - 1] += text;
        else out.push(`text ${text}`);
      },
    };
    const scanner = new XmlScanner(handler);
    for (const chunk of chunks) scanner.write(chunk);
    scanner.end();
    return out;
  }

  it('reads tags, attributes, references, CDATA and line ends', () => {
    expect(events([DOCUMENT])).toEqual([
      "open root attr=it's <中> b=x>y tab name=undefined xmlns=undefined",
      'open item attr=undefined b=undefined name=中文 xmlns=undefined',
      'text text & more\nline\nend<raw> & ',
      'close item',
      'open empty/ attr=undefined b=undefined name=undefined xmlns=undefined',
      'close empty',
      'close root',
    ]);
  });

  it('gives the same events whatever the chunks (down to single bytes, inside UTF-8 characters)', () => {
    const whole = events([DOCUMENT]);
    expect(events([...DOCUMENT].map((byte) => Buffer.from([byte])))).toEqual(whole);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: DOCUMENT.length - 1 }), { maxLength: 12 }), (cuts) => {
        const at = [0, ...cuts.sort((a, b) => a - b), DOCUMENT.length];
        expect(events(at.slice(1).map((end, i) => DOCUMENT.subarray(at[i], end)))).toEqual(whole);
      }),
    );
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(DOCUMENT.toString('utf8').slice(1), 'utf16le')]);
    expect(events([...utf16].map((byte) => Buffer.from([byte])))).toEqual(whole);
  });
});

describe('cell text rules', () => {
  it.each([
    ['yyyy-mm-dd', true],
    ['yyyy"年"m"月"d"日"', true],
    ['[$-804]yyyy"年"m"月"d"日";@', true],
    ['YYYY/MM/DD', true],
    ['h:mm AM/PM', true],
    ['[h]:mm:ss', true],
    ['General', false],
    ['0.00', false],
    ['#,##0.00_);[Red]\\(#,##0.00\\)', false],
    ['#,##0 "d"', false],
    ['0.00\\d', false],
    ['@', false],
    ['[Blue]0%', false],
    ['0.00E+00', false],
  ])('number format %j shows a date: %s', (code, expected) => {
    expect(isDateFormatCode(code)).toBe(expected);
  });

  it('numberText: the short form of a number is the 15-digit decimal whenever it is used', () => {
    const slow = (value: number) => new Dec(value.toPrecision(15)).toString();
    const numbers = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer({ min: -1e9, max: 1e9 }).map((cents) => cents / 100),
      fc.integer().map((n) => n / 1000),
      fc.tuple(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })).map(([a, b]) => a + b),
    );
    fc.assert(
      fc.property(numbers, (value) => {
        expect(numberText(value)).toBe(slow(value));
      }),
      { numRuns: 20_000 },
    );
  });

  it('numberCellText: a number cell as saved (shortest form, or 17 digits, or with zeros) reads as numberText says', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.integer({ min: -1e9, max: 1e9 }).map((c) => c / 100),
        ),
        (value) => {
          for (const saved of [String(value), value.toPrecision(17), value.toFixed(2), value.toExponential()]) {
            expect(numberCellText(saved)).toBe(numberText(Number.parseFloat(saved)));
          }
        },
      ),
      { numRuns: 20_000 },
    );
  });
});
