// `npm run bench:report-xlsx`: the report workbook writer (src/reports/xlsx.ts) alone, no database: a
// breakdown-shaped sheet of BENCH_ROWS detail lines (default 1,000,000; 25 columns: text, amounts, days, dates,
// a rate) with a subtotal after every contract's 20 lines and a grand total, plus a small summary sheet.
// Prints rows, seconds, peak RSS (VmHWM) and file size, beside its floor: the same rows written as plain CSV
// text to a file (fields joined, one write per 64 KiB). Also writeReportCsv, and the XLSX read back with our
// own reader (src/imports/xlsx.ts) to count its rows. Each run is a process of its own, so that its peak RSS is
// its own. Target (issue 18): an XLSX of 1,000,000 lines in ≤ 60 s with peak RSS < 1 GB. Printed, not asserted.
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readXlsxSheets } from '../src/imports/xlsx.js';
import {
  type ReportColumn,
  type ReportRow,
  type ReportSheet,
  type ReportWorkbook,
  writeReportCsv,
  writeReportXlsx,
} from '../src/reports/xlsx.js';

const HERE = fileURLToPath(import.meta.url);
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const LINES_PER_CONTRACT = 20;
const CSV_CHUNK_CHARS = 64 * 1024;
const dir = path.join(os.tmpdir(), 'zq-bench-report');

const BUCKETS = ['1-30天', '31-60天', '61-90天', '91-180天', '181-360天', '360天以上'];
const COLUMNS: ReportColumn[] = [
  { header: '经销商', kind: 'text' },
  { header: '合同编号', kind: 'text', width: 18 },
  { header: '客户名称', kind: 'text', width: 16 },
  { header: '催收员', kind: 'text' },
  { header: '期次', kind: 'integer', width: 6 },
  { header: '款项类型', kind: 'text' },
  { header: '应还日期', kind: 'date' },
  { header: '应还金额', kind: 'money' },
  { header: '已还金额', kind: 'money' },
  { header: '核销金额', kind: 'money' },
  { header: '未还金额', kind: 'money' },
  { header: '未到期', kind: 'money' },
  { header: '逾期金额', kind: 'money' },
  { header: '最长逾期天数', kind: 'integer' },
  ...BUCKETS.map((b): ReportColumn => ({ header: b, kind: 'money' })),
  { header: '已计罚息', kind: 'money' },
  { header: '已收罚息', kind: 'money' },
  { header: '减免罚息', kind: 'money' },
  { header: '未收罚息', kind: 'money' },
  { header: '逾期率', kind: 'percent' },
];
const SURNAMES = '王李张刘陈杨黄赵周吴徐孙马朱胡郭何高林罗';

/** Cents as the exact decimal string a report hands over. */
const money = (cents: number): string =>
  `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, '0')}`;

/** A line's cells, its amounts worked in cents (due, paid, outstanding, overdue, penalty …): the breakdown's shape. */
function lineCells(i: number): { cells: (string | number | null)[]; cents: number[] } {
  const c = Math.floor(i / LINES_PER_CONTRACT);
  const seq = (i % LINES_PER_CONTRACT) + 1;
  const due = 1_500_000 + (c % 997) * 100 + seq;
  const paid = seq <= 12 ? due : seq === 13 ? 500_000 : 0;
  const outstanding = due - paid;
  const overdue = seq <= 15 ? outstanding : 0;
  const overdueDays = seq <= 15 ? (16 - seq) * 30 : 0;
  const bucketLimit = [30, 60, 90, 180, 360].findIndex((d) => overdueDays <= d);
  const bucket = overdueDays === 0 ? -1 : bucketLimit < 0 ? 5 : bucketLimit;
  const penalty = Math.floor(overdue / 2000) * overdueDays;
  const month = ((seq - 1) % 12) + 1;
  const amounts = [due, paid, 0, outstanding, outstanding - overdue, overdue];
  const penalties = [penalty, Math.floor(penalty / 3), 0, penalty - Math.floor(penalty / 3)];
  const cents = [...amounts, ...BUCKETS.map((_, b) => (b === bucket ? overdue : 0)), ...penalties];
  const cells = [
    `D${String(c % 40).padStart(2, '0')}`,
    `HT${String(c).padStart(8, '0')}`,
    `${SURNAMES[c % SURNAMES.length]}某${c % 1000}`,
    `催收员${c % 300}`,
    seq,
    seq === 1 ? '首付款' : '分期款',
    `${2025 + Math.floor((seq - 1) / 12)}-${String(month).padStart(2, '0')}-15`,
    ...amounts.map(money),
    overdueDays,
    ...cents.slice(amounts.length).map(money),
    outstanding === 0 ? '0' : String(Math.floor((overdue * 10_000) / outstanding) / 10_000),
  ];
  return { cells, cents };
}

/** Detail lines with a subtotal after each contract's lines and a grand total; amounts summed in cents. */
function* breakdownRows(lines: number): Generator<ReportRow> {
  const moneyColumns = COLUMNS.flatMap((c, i) => (c.kind === 'money' ? [i] : []));
  const contract = new Map<number, number>();
  const total = new Map<number, number>();
  const summed = (sums: Map<number, number>, label: string[], level: 'subtotal' | 'total'): ReportRow => ({
    level,
    depth: level === 'subtotal' ? 1 : 0,
    cells: COLUMNS.map((_, i) => (i < label.length ? (label[i] ?? null) : moneyColumns.includes(i) ? money(sums.get(i) ?? 0) : null)),
  });
  for (let i = 0; i < lines; i++) {
    const { cells, cents } = lineCells(i);
    moneyColumns.forEach((m, k) => {
      contract.set(m, (contract.get(m) ?? 0) + (cents[k] ?? 0));
      total.set(m, (total.get(m) ?? 0) + (cents[k] ?? 0));
    });
    yield { level: 'detail', cells };
    if (i % LINES_PER_CONTRACT === LINES_PER_CONTRACT - 1 || i === lines - 1) {
      yield summed(contract, [cells[0] as string, cells[1] as string, '小计'], 'subtotal');
      contract.clear();
    }
  }
  yield summed(total, ['合计'], 'total');
}

function workbook(lines: number): ReportWorkbook {
  const summaryColumns: ReportColumn[] = [
    { header: '经销商', kind: 'text' },
    { header: '合同数', kind: 'integer' },
    { header: '未还金额', kind: 'money' },
  ];
  return {
    title: '债权分解表',
    subtitle: ['经销商：全部', '截至：2026年3月31日', '口径：当日报送'],
    sheets: [
      { name: '明细', columns: COLUMNS, rows: breakdownRows(lines) },
      {
        name: '汇总',
        columns: summaryColumns,
        rows: Array.from(
          { length: 40 },
          (_, d): ReportRow => ({ level: 'detail', cells: [`D${String(d).padStart(2, '0')}`, 1250, '1234567.89'] }),
        ),
      },
    ],
  };
}

/** Plain CSV text of the same rows, written with no checks at all: the floor. */
async function plainCsv(file: string, lines: number): Promise<number> {
  const out = fs.createWriteStream(file);
  let chunk = `${COLUMNS.map((c) => c.header).join(',')}\n`;
  let rows = 0;
  for (const row of breakdownRows(lines)) {
    rows++;
    chunk += `${row.cells.map((c) => (c === null ? '' : String(c))).join(',')}\n`;
    if (chunk.length >= CSV_CHUNK_CHARS) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'close');
  return rows;
}

async function readBack(file: string): Promise<number> {
  let rows = 0;
  for await (const sheet of readXlsxSheets(file)) for await (const _ of sheet.rows) rows++;
  return rows;
}

function peakRssMb(): number {
  const line = fs
    .readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmHWM:'));
  return Math.round(Number(line?.replace(/\D/g, '') ?? 0) / 1024);
}

interface Measure {
  rows: number;
  seconds: number;
  /** CPU of the whole process, the compressing threads included: the machine may be shared. */
  cpuSeconds: number;
  peakRssMb: number;
  bytes: number;
}

async function measure(kind: string, lines: number): Promise<Measure> {
  const file = path.join(dir, `breakdown-${lines}.${kind === 'xlsx' || kind === 'read' ? 'xlsx' : `${kind}.csv`}`);
  const started = performance.now();
  const cpu = process.cpuUsage();
  let rows: number;
  if (kind === 'xlsx') rows = (await writeReportXlsx(file, workbook(lines))).rows;
  else if (kind === 'csv') rows = (await writeReportCsv(file, workbook(lines).sheets[0] as ReportSheet)).rows;
  else if (kind === 'plain') rows = await plainCsv(file, lines);
  else rows = await readBack(file);
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { rows, seconds, cpuSeconds: (used.user + used.system) / 1e6, peakRssMb: peakRssMb(), bytes: fs.statSync(file).size };
}

const LABELS: Record<string, string> = {
  plain: 'floor: plain CSV text to a file',
  csv: 'writeReportCsv',
  xlsx: 'writeReportXlsx',
  read: 'XLSX read back (readXlsxSheets)',
};

function main(): void {
  fs.mkdirSync(dir, { recursive: true });
  console.log(
    `${ROWS.toLocaleString('en')} detail lines (${COLUMNS.length} columns) and their subtotals, ${os.cpus().length} cores (load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}), node ${process.version}`,
  );
  for (const kind of ['plain', 'csv', 'xlsx', 'read']) {
    const child = spawnSync(process.execPath, ['--import', 'tsx', HERE, '--measure', kind, String(ROWS)], { encoding: 'utf8' });
    if (child.status !== 0) {
      console.log(`${LABELS[kind]}: exited ${child.status}: ${child.stderr.slice(0, 800)}`);
      continue;
    }
    const m = JSON.parse(child.stdout) as Measure;
    console.log(
      `${(LABELS[kind] ?? kind).padEnd(34)} ${m.rows.toLocaleString('en')} rows in ${m.seconds.toFixed(1)} s (CPU ${m.cpuSeconds.toFixed(1)} s) = ${Math.round(m.rows / m.seconds).toLocaleString('en')} rows/s, peak RSS ${m.peakRssMb} MB, file ${(m.bytes / 1e6).toFixed(0)} MB`,
    );
  }
}

const [flag, kind, lines] = process.argv.slice(2);
if (flag === '--measure' && kind && lines) console.log(JSON.stringify(await measure(kind, Number(lines))));
else main();
