// `npx tsx bench/csv-read.ts`: how fast the 1,000,000-row GBK ledger of bench:import is read with no database,
// at three depths: the libraries alone (iconv-lite decoding GB18030 into csv-parse), our CSV layer (src/imports/
// csv.ts: encoding and delimiter detection, line numbers as Excel counts them), and the whole reader (src/imports/
// rows.ts: header matching, normalisation and row checks). Prints rows/s; the CSV → PostgreSQL target of
// bench:import (100,000 rows/s) has to be met by the whole import, database included, on the same two cores.
// Env: BENCH_ROWS_CSV (another size, as for bench:import).
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import { openCsv } from '../src/imports/csv.js';
import { readImportFile } from '../src/imports/rows.js';
import { CSV_ROWS, makeCsv } from './import.js';

async function timed(label: string, count: () => Promise<number>): Promise<void> {
  const started = performance.now();
  const rows = await count();
  const seconds = (performance.now() - started) / 1000;
  console.log(`${label.padEnd(52)} ${rows} rows in ${seconds.toFixed(1)} s = ${Math.round(rows / seconds).toLocaleString('en')} rows/s`);
}

const file = await makeCsv(CSV_ROWS);
await timed('libraries alone (iconv-lite GB18030 → csv-parse)', async () => {
  let rows = 0;
  const parser = parse({ relax_column_count: true });
  const counting = (async () => {
    for await (const _ of parser) rows++;
  })();
  await pipeline(createReadStream(file), iconv.decodeStream('gb18030'), parser);
  await counting;
  return rows;
});
await timed('our CSV layer (src/imports/csv.ts)', async () => {
  let rows = 0;
  for await (const _ of (await openCsv(file)).rows) rows++;
  return rows;
});
await timed('the whole reader, no database (src/imports/rows.ts)', async () => {
  let rows = 0;
  for await (const _ of readImportFile(file).rows()) rows++;
  return rows;
});
