// Property (17.5): a quote-free file read by the fast line splitter gives exactly the rows csv-parse gives —
// row and line numbers, cells, blank lines skipped, CRLF, CR and LF line ends, GBK and UTF-8 (with a BOM too).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { type Delimiter, openCsv, parsedRows, plainRows, type SourceRow } from '../../src/imports/csv.js';
import type { DetectedEncoding } from '../../src/imports/encoding.js';

const dir = mkdtempSync(join(tmpdir(), 'zq-csv-plain-'));
let counter = 0;

async function all(rows: AsyncGenerator<SourceRow>): Promise<SourceRow[]> {
  const out: SourceRow[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

const piece = fc.constantFrom('a', '王', '伟', '1', '.', ' ', '\u3000', ',', ';', '\t', '\r', '\n', '\r\n', '\r\n\r\n', '', '¥');
const text = fc.array(piece, { maxLength: 80 }).map((parts) => parts.join(''));

describe('17.5: the plain-file CSV reader', () => {
  it('17.5: gives exactly what csv-parse gives for quote-free files', async () => {
    await fc.assert(
      fc.asyncProperty(
        text,
        fc.constantFrom<Delimiter>(',', ';', '\t'),
        fc.constantFrom('gb18030', 'utf8', 'utf8-bom'),
        async (content, delimiter, form) => {
          const path = join(dir, `p-${counter++}.csv`);
          const bytes = form === 'gb18030' ? iconv.encode(content, 'gbk') : Buffer.from(form === 'utf8-bom' ? `\uFEFF${content}` : content);
          writeFileSync(path, bytes);
          const encoding: DetectedEncoding = { encoding: form === 'gb18030' ? 'gb18030' : 'utf8', bom: form === 'utf8-bom' };
          expect(await all(plainRows(path, encoding, delimiter))).toEqual(await all(parsedRows(path, encoding, delimiter)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('17.5: reads a file with a quote, or a line over the record limit, through csv-parse', async () => {
    const path = join(dir, 'quoted.csv');
    writeFileSync(path, 'a,b\r\n1,"x\r\ny"\r\n');
    const rows = await all((await openCsv(path)).rows);
    expect(rows.map((r) => [r.rowNumber, r.line, r.cells])).toEqual([
      [1, 1, ['a', 'b']],
      [2, 2, ['1', 'x\ny']],
    ]);
  });

  it('17.5: a GBK file split across many read chunks, CRLF and characters cut at chunk ends', async () => {
    const path = join(dir, 'big.csv');
    const line = '张伟,王建国,安徽某某土石方工程有限公司,12.50\r\n';
    writeFileSync(path, iconv.encode(`a,b,c,d\r\n${line.repeat(30_000)}`, 'gbk'));
    const encoding: DetectedEncoding = { encoding: 'gb18030', bom: false };
    const plain = await all(plainRows(path, encoding, ','));
    expect(plain).toHaveLength(30_001);
    expect(plain).toEqual(await all(parsedRows(path, encoding, ',')));
  });
});
