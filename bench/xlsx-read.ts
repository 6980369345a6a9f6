// `npx tsx bench/xlsx-read.ts`: the XLSX reader alone (src/imports/xlsx.ts: no header matching, no
// checks, no database) over the 200,000-row ledger bench/import.ts imports; prints rows/s and peak RSS.
// Each reader runs in a process of its own, so that its peak RSS is its own and not the file generator's.
// Env: BENCH_ROWS_XLSX (another size, as for bench:import); BENCH_XLSX_READERS=a.ts,b.ts measures
// readXlsxSheets of other modules the same way, e.g. the main checkout's /work/main/src/imports/xlsx.ts.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { XlsxSheet } from '../src/imports/xlsx.js';
import { makeXlsx, XLSX_ROWS } from './import.js';

const HERE = fileURLToPath(import.meta.url);
const OURS = fileURLToPath(new URL('../src/imports/xlsx.ts', import.meta.url));

interface Measure {
  rows: number;
  cells: number;
  seconds: number;
  peakRssMb: number;
}

/** In the child: read every row of every sheet with the given module's reader. */
async function measure(reader: string, file: string): Promise<Measure> {
  const { readXlsxSheets } = (await import(reader)) as { readXlsxSheets: (path: string) => AsyncGenerator<XlsxSheet> };
  const started = performance.now();
  let rows = 0;
  let cells = 0;
  for await (const sheet of readXlsxSheets(file)) {
    for await (const row of sheet.rows) {
      rows++;
      cells += row.cells.length;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return { rows, cells, seconds, peakRssMb: process.resourceUsage().maxRSS / 1024 };
}

async function main(): Promise<void> {
  const file = await makeXlsx(XLSX_ROWS);
  const readers = [OURS, ...(process.env.BENCH_XLSX_READERS?.split(',').filter(Boolean) ?? [])];
  console.log(
    `${path.basename(file)} (${(fs.statSync(file).size / 1e6).toFixed(0)} MB), ${os.cpus().length} cores, node ${process.version}`,
  );
  for (const reader of readers) {
    const child = spawnSync(process.execPath, ['--import', 'tsx', HERE, '--measure', reader, file], { encoding: 'utf8' });
    if (child.status !== 0) {
      console.log(`${reader}: exited ${child.status}: ${child.stderr.slice(0, 500)}`);
      continue;
    }
    const m = JSON.parse(child.stdout) as Measure;
    console.log(
      `${path.relative(process.cwd(), reader).padEnd(28)} ${m.rows} rows, ${m.cells} cells in ${m.seconds.toFixed(2)} s = ${Math.round(m.rows / m.seconds).toLocaleString('en')} rows/s, peak RSS ${Math.round(m.peakRssMb)} MB`,
    );
  }
}

const [flag, reader, file] = process.argv.slice(2);
if (flag === '--measure' && reader && file) console.log(JSON.stringify(await measure(reader, file)));
else await main();
