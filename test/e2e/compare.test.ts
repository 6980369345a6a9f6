// Issue 17.3 end to end with bin/zq: `zq import FILE --compare` as cron runs it — exit 0 when the dealer's
// ledger agrees with zq, 4 when it differs (each difference named on stdout, the workbook written), 2 for a
// file an import would refuse or a bad flag, 3 for another dealer's ledger; nothing written to the database.
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadActor } from '../../src/access/actor.js';
import { openDatabase } from '../../src/db/index.js';
import { addDealer, addUser } from '../../src/organisation/index.js';
import { tempDir, zq } from '../support/zq.js';

const HEADER = '合同编号,客户名称,期次,应还日期,应还金额,已还金额,已计罚息';
// HF-E1: 2 × 3,000.00, the first paid; HF-E2: 1 × 2,000.00, 500.00 paid, 12.30 penalty accrued.
const E1 = ['HF-E1,赵六,1,2026-01-10,3000.00,3000.00,0', 'HF-E1,赵六,2,2026-02-10,3000.00,0,0'];
const E2 = ['HF-E2,钱七,1,2026-02-01,2000.00,500.00,12.30'];

describe('zq import --compare with bin/zq (17.3)', () => {
  const cwd = tempDir();
  const run = (...args: string[]) => zq(args, { cwd });
  const write = (name: string, rows: string[]) => {
    fs.writeFileSync(path.join(cwd, name), `\uFEFF${[HEADER, ...rows].join('\r\n')}\r\n`);
    return name;
  };
  const compare = (file: string, ...args: string[]) =>
    run('import', file, '--dealer', 'HF01', '--as-of', '2026-03-31', '--compare', ...args);

  beforeAll(async () => {
    expect((await run('init')).code).toBe(0);
    const db = await openDatabase({ dataDir: path.join(cwd, '.zq') });
    try {
      const admin = await loadActor(db.knex, 'admin');
      await db.knex.transaction(async (tx) => {
        await addDealer(tx, admin, { code: 'HF01', name: '合肥代理店' });
        await addDealer(tx, admin, { code: 'WH01', name: '芜湖代理店' });
        await addUser(tx, admin, { username: 'wh.clerk', name: '芜湖内勤', roles: ['clerk'], dealer: 'WH01' });
      });
    } finally {
      await db.close();
    }
    const imported = await run('--as', 'admin', 'import', write('ledger.csv', [...E1, ...E2]), '--dealer', 'HF01', '--as-of', '2026-03-31');
    expect(imported.code).toBe(0);
  });

  it('17.3: the ledger just imported: exit 0, no differences, nothing written', async () => {
    const before = (await run('import', 'list', '--json')).stdout;
    const same = await compare('ledger.csv');
    expect(same.stderr).toBe('');
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(
      /ledger\.csv: compared with the system as of 2026-03-31 — dealer HF01; 3 row\(s\) read; 2 contract\(s\) and 3 line\(s\) in both/,
    );
    expect(same.stdout).toMatch(/no differences/);
    expect((await run('import', 'list', '--json')).stdout).toBe(before);
  });

  it('17.3: a changed paid amount, a missing and an extra contract: exit 4, each named with both figures; the XLSX read back', async () => {
    // HF-E1 #2: the dealer has 1,200.00 paid (we have 0.00); HF-E2 missing; HF-E3 extra (4,500.00 due)
    const changed = write('changed.csv', [
      E1[0] as string,
      'HF-E1,赵六,2,2026-02-10,3000.00,1200.00,0',
      'HF-E3,孙八,1,2026-03-01,4500.00,0,0',
    ]);
    const r = await compare(changed, '--out', 'diff.xlsx');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('差异 differences: 2 figure(s) on 1 line(s)');
    expect(r.stdout).toContain('HF01/HF-E1 期次 2 货款 (row 3): 已还金额 amount paid — ledger 1,200.00, system 0.00, difference 1,200.00');
    // outstanding 3,000.00 − 1,200.00 = 1,800.00 against 3,000.00
    expect(r.stdout).toContain(
      'HF01/HF-E1 期次 2 货款 (row 3): 未还金额 outstanding — ledger 1,800.00, system 3,000.00, difference -1,200.00',
    );
    expect(r.stdout).toMatch(
      /只在台账 only in the ledger: 1 contract\(s\)\n {4}HF01\/HF-E3 孙八 \(row 4\): 1 line\(s\), amount due 4,500\.00/,
    );
    expect(r.stdout).toMatch(
      /只在系统 only in the system: 1 contract\(s\)\n {4}HF01\/HF-E2 钱七 \(active\): 1 line\(s\), amount due 2,000\.00, amount paid 500\.00, outstanding 1,500\.00, penalty accrued 12\.30/,
    );
    expect(r.stdout).toContain('written to diff.xlsx');
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(path.join(cwd, 'diff.xlsx'));
    const rows = (name: string) => {
      const ws = book.getWorksheet(name) as ExcelJS.Worksheet;
      return ws
        .getSheetValues()
        .slice(1)
        .map((v) => (v as unknown[]).slice(1));
    };
    expect(rows('差异')).toEqual([
      ['经销商', '合同编号', '期次', '款项类型', '项目', '台账金额', '系统金额', '差额(台账-系统)', '行', '台账行号'],
      ['HF01', 'HF-E1', 2, '货款', '已还金额', 1200, 0, 1200, '两边都有', 3],
      ['HF01', 'HF-E1', 2, '货款', '未还金额', 1800, 3000, -1200, '两边都有', 3],
    ]);
    expect(rows('只在台账')[1]).toEqual(['HF01', 'HF-E3', '孙八', undefined, 4, 1, 4500, 0, 4500, 0, 0]);
    expect(rows('只在系统')[1]).toEqual(['HF01', 'HF-E2', '钱七', '正常', undefined, 1, 2000, 500, 1500, 12.3, 0]);
    // --json: the same, amounts as strings
    const json = await compare(changed, '--json');
    expect(json.code).toBe(4);
    const c = JSON.parse(json.stdout);
    expect(c.outcome).toBe('different');
    expect(c.differences[0]).toMatchObject({
      contractNo: 'HF-E1',
      seq: 2,
      type: 'principal',
      field: 'amountPaid',
      file: '1200.00',
      system: '0.00',
      difference: '1200.00',
    });
  });

  it('17.3: --out is checked before anything is read: never over an existing file without --force, never over the input', async () => {
    fs.writeFileSync(path.join(cwd, 'keep.xlsx'), 'mine');
    const refused = await compare('ledger.csv', '--out', 'keep.xlsx');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--out: "keep\.xlsx" — expected a file that does not exist yet \(add --force to replace it\)/);
    expect(fs.readFileSync(path.join(cwd, 'keep.xlsx'), 'utf8')).toBe('mine');
    expect((await compare('ledger.csv', '--out', 'keep.xlsx', '--force')).code).toBe(0);
    const wrongKind = await compare('ledger.csv', '--out', 'ledger.csv');
    expect(wrongKind.code).toBe(2);
    expect(wrongKind.stderr).toMatch(/--out: "ledger\.csv" — expected a file name ending in \.xlsx/);
    expect((await run('--as', 'admin', 'import', 'ledger.csv', '--as-of', '2026-03-31', '--dealer', 'HF01', '--out', 'x.xlsx')).code).toBe(
      2,
    );
  });

  it('17.3: another dealer’s ledger is refused to its staff (exit 3); a bad row or a missing date is exit 2', async () => {
    const other = await run('--as', 'wh.clerk', 'import', 'ledger.csv', '--dealer', 'HF01', '--as-of', '2026-03-31', '--compare');
    expect(other.code).toBe(3);
    expect(other.stderr).toMatch(/wh\.clerk may not import for dealer HF01/);
    const bad = await compare(write('bad.csv', ['HF-E1,赵六,1,2026-02-30,3000.00,0,0']));
    expect(bad.code).toBe(2);
    expect(bad.stdout).toMatch(/bad\.csv: not compared .*\n {2}row 2, column 应还日期 "2026-02-30"/);
    const undated = await run('import', 'ledger.csv', '--dealer', 'HF01', '--compare');
    expect(undated.code).toBe(2);
    expect(undated.stderr).toMatch(/--as-of: missing/);
  });
});
