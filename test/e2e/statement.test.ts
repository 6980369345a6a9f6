// `zq statement print` end to end with bin/zq and real Chromium: a dealer's customers into a folder with the index,
// a re-run leaving unchanged files alone, a customer that cannot be written named while the others print (exit 2),
// one merged PDF read back with pdftotext, and another dealer's user finding nothing (exit 3, nothing written).
// The organisation of test/access/organisation.ts (HF01: HF-1 … HF-5, one customer each, 客户HF-1 …), a receipt
// of 400.00 on HF-1 value-dated 2026-03-31: its closing balance 830.00, overdue 816.00
// (test/printing/statement-db.test.ts works it by hand).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadActor } from '../../src/access/actor.js';
import { dec } from '../../src/core/money.js';
import { openDatabase } from '../../src/db/index.js';
import { recordConfirmedReceipt } from '../../src/receivables/receipts.js';
import { buildOrganisation } from '../access/organisation.js';
import { tempDir, zq } from '../support/zq.js';

const CUSTOMERS = ['客户HF-1', '客户HF-2', '客户HF-3', '客户HF-4', '客户HF-5'];
const PERIOD = ['--from', '2026-03-01', '--to', '2026-03-31'];
const file = (c: string) => `HF01_${c}_2026-03-31.pdf`;

describe('zq statement print with bin/zq', () => {
  const cwd = tempDir();
  const run = (...args: string[]) => zq(args, { cwd });

  beforeAll(async () => {
    expect((await run('init')).code).toBe(0);
    const db = await openDatabase({ dataDir: path.join(cwd, '.zq') });
    try {
      const admin = await loadActor(db.knex, 'admin');
      await buildOrganisation(db.knex, admin);
      await db.knex.transaction((tx) =>
        recordConfirmedReceipt(tx, admin, {
          contract: { contractNo: 'HF-1', dealer: 'HF01' },
          valueDate: '2026-03-31',
          amount: dec('400.00'),
          method: 'cash',
        }),
      );
    } finally {
      await db.close();
    }
  }, 60_000);

  it('prints a folder and its index, then leaves unchanged statements alone', async () => {
    const out = path.join(cwd, 'hf01');
    fs.mkdirSync(out);
    const first = await run('--as', 'hf.fin', 'statement', 'print', '--dealer', 'HF01', ...PERIOD, '--out', out);
    expect([first.code, first.stderr.replace(/^statement print: .*\n/gm, '')]).toEqual([0, '']);
    expect(first.stdout).toContain('对账单 2026-03-01 至 2026-03-31: 5 written, 0 unchanged, 0 failed');
    expect(fs.readdirSync(out).sort()).toEqual([...CUSTOMERS.map(file), 'statements_2026-03-31.csv'].sort());
    const index = fs.readFileSync(path.join(out, 'statements_2026-03-31.csv'), 'utf8');
    expect(index).toContain(`${file('客户HF-1')},客户HF-1,830.00,816.00,`);
    const text = execFileSync('pdftotext', ['-layout', path.join(out, file('客户HF-1')), '-'], { encoding: 'utf8' });
    for (const expected of ['客户HF-1', '830.00', '816.00', '400.00', '客户确认：以上数据核对无误']) expect(text).toContain(expected);
    const again = await run('--as', 'hf.fin', '--json', 'statement', 'print', '--dealer', 'HF01', ...PERIOD, '--out', out);
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as { statements: { status: string }[] }).statements.map((s) => s.status)).toEqual(
      Array(5).fill('unchanged'),
    );
  }, 120_000);

  it('names a customer whose statement cannot be written, prints the others, exits 2', async () => {
    const out = path.join(cwd, 'clash');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, file('客户HF-2')), 'not zq’s');
    const result = await run('statement', 'print', '--dealer', 'HF01', ...PERIOD, '--out', out);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `zq: statement of 客户HF-2 failed: ${path.join(out, file('客户HF-2'))} exists and was not written by zq (--force replaces it)`,
    );
    expect(result.stderr).toContain('zq: 1 statement(s) failed: 客户HF-2');
    expect(fs.readFileSync(path.join(out, file('客户HF-2')), 'utf8')).toBe('not zq’s');
    expect(fs.readdirSync(out).filter((f) => f.endsWith('.pdf'))).toHaveLength(5);
  }, 120_000);

  it('merges every statement into one PDF; another dealer’s user finds nothing and nothing is written', async () => {
    const merged = path.join(cwd, 'all.pdf');
    const result = await run('statement', 'print', '--dealer', 'HF01', ...PERIOD, '--merge', '--out', merged);
    expect(result.code).toBe(0);
    const text = execFileSync('pdftotext', [merged, '-'], { encoding: 'utf8' });
    for (const c of CUSTOMERS) expect(text).toContain(c);
    const again = await run('statement', 'print', '--dealer', 'HF01', ...PERIOD, '--merge', '--out', merged);
    expect([again.code, again.stderr]).toEqual([
      2,
      `zq: --out: "${merged}" — expected a file that does not exist yet (--force replaces it)\n`,
    ]);
    const empty = path.join(cwd, 'empty');
    fs.mkdirSync(empty);
    const other = await run('--as', 'wh.c1', 'statement', 'print', '--dealer', 'HF01', ...PERIOD, '--out', empty);
    expect(other.code).toBe(3);
    expect(fs.readdirSync(empty)).toEqual([]);
  }, 120_000);
});
