// `npm run bench:import`: a 1,000,000-row GBK ledger CSV (50,000 contracts × 20 lines) and a 200,000-row
// XLSX, imported with the real CLI into PGlite and into PostgreSQL. Each CSV run is printed beside its floor:
// the same file loaded by a bare COPY into an unindexed all-text table of the same database (PostgreSQL:
// `COPY … FROM STDIN (FORMAT csv, ENCODING 'GBK', HEADER)` through pg-copy-streams; PGlite: the file decoded
// by iconv-lite and COPY'd from /dev/blob, since PGlite has no GBK conversion). Each XLSX run is printed beside
// the CSV import of the same rows into the same kind of database. Peak RSS per run.
// Targets: CSV import ≤ 8× its floor (both databases, 1M rows), XLSX ≤ 2× the CSV import of the same rows,
// peak RSS < 1 GB. Figures are printed, never asserted.
// On PostgreSQL it also prints what the rows the import writes cost alone (writesFloor).
// Env: BENCH_ROWS_CSV, BENCH_ROWS_XLSX (smaller runs), BENCH_DATABASE_URL (default the local server),
// BENCH_ONLY=csv-postgres,csv-pglite,xlsx-postgres,xlsx-pglite.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ZQ = path.join(ROOT, 'bin', 'zq');
const LINES_PER_CONTRACT = 20;
export const CSV_ROWS = Number(process.env.BENCH_ROWS_CSV ?? 1_000_000);
export const XLSX_ROWS = Number(process.env.BENCH_ROWS_XLSX ?? 200_000);
const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ONLY = process.env.BENCH_ONLY?.split(',');
const dir = path.join(os.tmpdir(), 'zq-bench-import');
fs.mkdirSync(dir, { recursive: true });

const HEADERS = [
  '合同编号',
  '客户名称',
  '证件号码',
  '联系电话',
  '设备型号',
  '出厂编号',
  '签约日期',
  '合同金额',
  '期次',
  '款项类型',
  '应还日期',
  '应还金额',
  '已还金额',
  '已计罚息',
  '已收罚息',
];
const SURNAMES = '王李张刘陈杨黄赵周吴徐孙马朱胡郭何高林罗';
const MODELS = ['SY215C', 'SY75C', 'XE60DA', 'XE215DA', 'LG6150E', 'ZL50GN'];

function row(i: number): string[] {
  const c = Math.floor(i / LINES_PER_CONTRACT);
  const seq = (i % LINES_PER_CONTRACT) + 1;
  const month = ((seq - 1) % 12) + 1;
  const year = 2025 + Math.floor((seq - 1) / 12);
  const due = `${year}-${String(month).padStart(2, '0')}-15`;
  const cents = 1_500_000 + (c % 997) * 100 + seq; // ~15,000.00 a line
  const amount = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
  const paid = due <= '2026-03-15' ? amount : '0';
  return [
    `BH-${String(c).padStart(6, '0')}`,
    `${SURNAMES[c % SURNAMES.length]}${SURNAMES[(c * 7) % SURNAMES.length]}${c % 10}`,
    `3401${String(100000000000 + c).padStart(14, '0')}`,
    `139${String(c).padStart(8, '0')}`,
    MODELS[c % MODELS.length] ?? 'SY215C',
    `SN${String(c).padStart(8, '0')}`,
    '2024-12-01',
    '400000.00',
    String(seq),
    '货款',
    due,
    amount,
    paid,
    paid === '0' && due < '2026-06-30' ? '12.50' : '0',
    '0',
  ];
}

export async function makeCsv(rows: number): Promise<string> {
  const file = path.join(dir, `ledger-${rows}.gbk.csv`);
  if (fs.existsSync(file)) return file;
  const out = fs.createWriteStream(`${file}.part`);
  const write = (text: string) =>
    new Promise<void>((resolve) => (out.write(iconv.encode(text, 'gbk')) ? resolve() : out.once('drain', resolve)));
  await write(`${HEADERS.join(',')}\r\n`);
  const CHUNK = 10_000;
  for (let start = 0; start < rows; start += CHUNK) {
    const lines: string[] = [];
    for (let i = start; i < Math.min(rows, start + CHUNK); i++) lines.push(`${row(i).join(',')}\r\n`);
    await write(lines.join(''));
  }
  await new Promise<void>((resolve) => out.end(resolve));
  fs.renameSync(`${file}.part`, file);
  return file;
}

/** The ledger as a streaming writer saves it (inline strings, no styles); reused by bench/xlsx-read.ts. */
export async function makeXlsx(rows: number): Promise<string> {
  const file = path.join(dir, `ledger-${rows}.xlsx`);
  if (fs.existsSync(file)) return file;
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: `${file}.part`, useSharedStrings: false, useStyles: false });
  const ws = wb.addWorksheet('台账');
  ws.addRow(['合肥代理店 债权台账']).commit();
  ws.addRow(HEADERS).commit();
  for (let i = 0; i < rows; i++) {
    const r = row(i);
    ws.addRow(r).commit();
  }
  ws.commit();
  await wb.commit();
  fs.renameSync(`${file}.part`, file);
  return file;
}

interface Run {
  seconds: number;
  peakRssMb: number;
  code: number;
  output: string;
}

/** Runs bin/zq and samples its peak resident set (VmHWM) until it exits. */
function zq(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [ZQ, ...args], {
      env: { ...process.env, CI: 'true', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let peakKb = 0;
    const sample = () => {
      try {
        const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
        if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
      } catch {
        // the process has gone
      }
    };
    const timer = setInterval(sample, 50);
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(timer);
      resolve({ seconds: (performance.now() - started) / 1000, peakRssMb: peakKb / 1024, code: code ?? 1, output });
    });
  });
}

type Target = { dataDir: string } | { url: string };

async function prepare(target: Target): Promise<string[]> {
  const where = 'url' in target ? ['--database-url', target.url] : ['--data-dir', target.dataDir];
  for (const args of [['init'], ['--as', 'admin', 'dealer', 'add', 'BENCH', '--name', '基准测试代理店']]) {
    const r = await zq([...where, ...args]);
    if (r.code !== 0) throw new Error(`zq ${args.join(' ')} failed: ${r.output}`);
  }
  return where;
}

async function withServerDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const { default: pg } = await import('pg');
  const name = `zq_bench_import_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    const url = new URL(SERVER);
    url.pathname = `/${name}`;
    return await fn(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

async function withPgliteFolder<T>(fn: (dataDir: string) => Promise<T>): Promise<T> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zq-bench-pglite-'));
  try {
    return await fn(dataDir);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const FLOOR_TABLE = 'zq_bench_floor';
const FLOOR_COLUMNS = `(${HEADERS.map((_, i) => `c${i} text`).join(', ')})`;

/** The floor on a server: the file as it is into an unindexed all-text table, one COPY, GBK decoded by the server. */
async function floorPostgres(url: string, file: string): Promise<number> {
  const { default: pg } = await import('pg');
  const { from: copyFrom } = await import('pg-copy-streams');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE TABLE ${FLOOR_TABLE} ${FLOOR_COLUMNS}`);
    await client.query('CHECKPOINT').catch(() => undefined);
    const started = performance.now();
    await pipeline(
      fs.createReadStream(file),
      client.query(copyFrom(`COPY ${FLOOR_TABLE} FROM STDIN (FORMAT csv, ENCODING 'GBK', HEADER)`)),
    );
    const seconds = (performance.now() - started) / 1000;
    await client.query(`DROP TABLE ${FLOOR_TABLE}`);
    return seconds;
  } finally {
    await client.end();
  }
}

/** PGlite's floor: decoded by iconv-lite (PGlite has no GBK conversion), COPY'd from /dev/blob in 16 MB chunks. */
async function floorPglite(dataDir: string, file: string): Promise<number> {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = new PGlite({ dataDir: path.join(dataDir, 'pgdata') });
  await db.waitReady;
  try {
    await db.query(`CREATE TABLE ${FLOOR_TABLE} ${FLOOR_COLUMNS}`);
    const started = performance.now();
    const text = iconv.decode(fs.readFileSync(file), 'gb18030');
    let start = text.indexOf('\n') + 1; // the header line
    while (start < text.length) {
      const cut = text.indexOf('\n', Math.min(text.length - 1, start + 16_000_000));
      const end = cut === -1 ? text.length : cut + 1;
      await db.query(`COPY ${FLOOR_TABLE} FROM '/dev/blob' (FORMAT csv)`, [], { blob: new Blob([text.slice(start, end)]) });
      start = end;
    }
    const seconds = (performance.now() - started) / 1000;
    await db.query(`DROP TABLE ${FLOOR_TABLE}`);
    return seconds;
  } finally {
    await db.close();
  }
}

/**
 * What the import must write, alone: the schedule lines and postings it wrote, copied by a bare INSERT … SELECT
 * into tables of the same shape (columns, checks, indexes; no keys, no triggers) in one transaction, rolled back.
 * Printed beside the COPY floor: the part of the ratio that is the ledger's own rows, whatever reads the file.
 */
async function writesFloor(url: string): Promise<number> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT set_config('work_mem', '256MB', true)`);
    let seconds = 0;
    for (const table of ['schedule_lines', 'postings']) {
      const { rows } = await client.query(
        `SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) AS columns
           FROM information_schema.columns WHERE table_name = $1 AND is_generated = 'NEVER'`,
        [table],
      );
      await client.query(`CREATE TABLE zq_bench_${table} (LIKE ${table} INCLUDING ALL)`);
      const started = performance.now();
      await client.query(`INSERT INTO zq_bench_${table} (${rows[0].columns}) SELECT ${rows[0].columns} FROM ${table}`);
      seconds += (performance.now() - started) / 1000;
    }
    return seconds;
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    await client.end();
  }
}

interface Imported {
  rows: number;
  seconds: number;
  peakRssMb: number;
  writesSeconds?: number;
}

async function importInto(where: string[], file: string, label: string): Promise<Imported | null> {
  const r = await zq([...where, '--as', 'admin', 'import', file, '--dealer', 'BENCH', '--as-of', '2026-06-30', '--json']);
  if (r.code !== 0) {
    console.log(`${label}: zq import exited ${r.code}: ${r.output.slice(0, 500)}`);
    return null;
  }
  const summary = JSON.parse(r.output.split('\n').find((l) => l.startsWith('{')) ?? '{}');
  return { rows: summary.rowsImported, seconds: r.seconds, peakRssMb: r.peakRssMb };
}

/** A fresh database of the kind: its floor for the file (CSV only), then the import timed. */
async function freshImport(db: 'pglite' | 'postgres', file: string, label: string, floor: boolean) {
  const once = async (target: Target) => {
    const where = await prepare(target);
    let floorSeconds: number | null = null;
    if (floor) floorSeconds = 'url' in target ? await floorPostgres(target.url, file) : await floorPglite(target.dataDir, file);
    const imported = await importInto(where, file, label);
    const writesSeconds = imported && floor && 'url' in target ? await writesFloor(target.url) : undefined;
    return imported && { ...imported, floorSeconds, writesSeconds };
  };
  return db === 'postgres' ? withServerDatabase((url) => once({ url })) : withPgliteFolder((dataDir) => once({ dataDir }));
}

const seconds = (s: number) => `${s.toFixed(1).padStart(6)} s`;
const line = (label: string, r: Imported, versus: string, target: string) =>
  console.log(
    `${label.padEnd(14)} ${String(r.rows).padStart(9)} rows: import ${seconds(r.seconds)} ${versus}, peak RSS ${Math.round(r.peakRssMb)} MB  (target ${target}, RSS < 1 GB)`,
  );

/** CSV import of these rows per database kind, for the XLSX runs' ratio. */
const csvImports = new Map<string, Imported>();

async function csvRun(label: string, file: string, rows: number, db: 'pglite' | 'postgres'): Promise<void> {
  const r = await freshImport(db, file, label, true);
  if (!r) return;
  csvImports.set(`${db}:${rows}`, r);
  const floor = r.floorSeconds ?? Number.NaN;
  line(label, r, `÷ COPY floor ${seconds(floor)} = ${(r.seconds / floor).toFixed(1).padStart(4)}×`, '≤ 8× floor');
  if (r.writesSeconds !== undefined) {
    console.log(
      `${''.padEnd(14)} its lines and postings alone, bare INSERT … SELECT into same-shaped tables: ${seconds(r.writesSeconds)} = ${(r.writesSeconds / floor).toFixed(1)}× the COPY floor`,
    );
  }
}

async function xlsxRun(label: string, file: string, rows: number, db: 'pglite' | 'postgres'): Promise<void> {
  let csv = csvImports.get(`${db}:${rows}`);
  if (!csv) {
    const imported = await freshImport(db, await makeCsv(rows), `${label} (csv)`, false);
    if (!imported) return;
    csv = imported;
  }
  const r = await freshImport(db, file, label, false);
  if (!r) return;
  line(label, r, `÷ CSV import ${seconds(csv.seconds)} = ${(r.seconds / csv.seconds).toFixed(1).padStart(4)}×`, '≤ 2× CSV');
}

const only = (label: string) => !ONLY || ONLY.includes(label);

async function main(): Promise<void> {
  const t0 = performance.now();
  const csv = await makeCsv(CSV_ROWS);
  const xlsx = only('xlsx-postgres') || only('xlsx-pglite') ? await makeXlsx(XLSX_ROWS) : null;
  console.log(
    `files ready in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${path.basename(csv)} (${(fs.statSync(csv).size / 1e6).toFixed(0)} MB)${xlsx ? `, ${path.basename(xlsx)} (${(fs.statSync(xlsx).size / 1e6).toFixed(0)} MB)` : ''} in ${dir}`,
  );
  console.log(`machine: ${os.cpus().length} cores, node ${process.version}, load average ${os.loadavg()[0]?.toFixed(1)}`);
  if (only('csv-postgres')) await csvRun('csv-postgres', csv, CSV_ROWS, 'postgres');
  if (only('csv-pglite')) await csvRun('csv-pglite', csv, CSV_ROWS, 'pglite');
  if (xlsx && only('xlsx-postgres')) await xlsxRun('xlsx-postgres', xlsx, XLSX_ROWS, 'postgres');
  if (xlsx && only('xlsx-pglite')) await xlsxRun('xlsx-pglite', xlsx, XLSX_ROWS, 'pglite');
}

// Imported by bench/xlsx-read.ts for makeXlsx: run only when started itself.
if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
