// 17.5: reading a ledger keeps memory bounded whatever its size. What the reader keeps per contract (the
// contract-level values of its first row) once held, through V8's sliced substrings, the whole decoded chunk
// of the line it came from: a 200,000-row file kept about the file's size alive and a million rows grew the
// import past 1 GB. Run in a child process with a heap far smaller than the file decoded (~50 MB here).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';

const ROWS = 200_000;
const LINES_PER_CONTRACT = 20;

function ledger(): string {
  const lines = ['合同编号,客户名称,证件号码,联系电话,期次,应还日期,应还金额,已还金额'];
  for (let i = 0; i < ROWS; i++) {
    const c = Math.floor(i / LINES_PER_CONTRACT);
    const seq = (i % LINES_PER_CONTRACT) + 1;
    // an 18-character ID number and a long customer name: substrings V8 would slice
    lines.push(
      `HT-2026-${String(c).padStart(6, '0')},安徽省合肥市工程机械客户${c},3401${String(100000000000 + c).padStart(14, '0')},139${String(c).padStart(8, '0')},${seq},2026-${String(((seq - 1) % 12) + 1).padStart(2, '0')}-15,15000.00,0`,
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

describe('17.5: the reader’s memory', () => {
  it('17.5: reads 200,000 rows of 10,000 contracts in a 48 MB heap (the file decodes to about 50 MB)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zq-reader-memory-'));
    const file = join(dir, 'ledger.gbk.csv');
    writeFileSync(file, iconv.encode(ledger(), 'gbk'));
    const script = `
      const { readImportFile } = await import(${JSON.stringify(new URL('../../src/imports/rows.ts', import.meta.url).href)});
      let rows = 0, bad = 0;
      for await (const row of readImportFile(${JSON.stringify(file)}, { dealer: 'HF01' }).rows()) { rows++; if (!row.ok) bad++; }
      console.log(JSON.stringify({ rows, bad }));`;
    const out = execFileSync(process.execPath, ['--max-old-space-size=48', '--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(JSON.parse(out.trim().split('\n').at(-1) ?? '{}')).toEqual({ rows: ROWS, bad: 0 });
  }, 120_000);
});
