// The breakdown's XLSX as LibreOffice reads it: `zq report breakdown --format xlsx` (rows streamed from the
// database) converted by LibreOffice headless to XLSX of its own, read back with our XLSX reader (src/imports/
// xlsx.ts): sheets, title, headers, a contract's figures and the totals. Skipped where `soffice` is not on the
// PATH (CI does not install LibreOffice).
//
// The organisation of test/access/organisation.ts: eight contracts of 1,200.00 in three installments of 400.00
// due 01-10, 02-10, 03-10, in two dealers (HF01, WH01), none in a region. As of 2026-03-31 all three are overdue
// (80, 49 and 21 days): 1,200.00 a contract, 400.00 in each of the buckets 1-30, 31-60 and 61-90; penalty
// 400.00 × 0.0005 × (80 + 49 + 21) = 30.00 a contract. Group: 9,600.00 outstanding, 240.00 penalty.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadActor } from '../../src/access/actor.js';
import { openDatabase } from '../../src/db/index.js';
import { readXlsxSheets } from '../../src/imports/xlsx.js';
import { buildOrganisation } from '../access/organisation.js';
import { tempDir, zq } from '../support/zq.js';

const AS_OF = '2026-03-31';
const soffice = spawnSync('sh', ['-c', 'command -v soffice'], { encoding: 'utf8' }).stdout.trim();
if (soffice === '') console.warn('report-libreoffice.test.ts skipped: soffice (LibreOffice) is not on the PATH');

async function readBack(file: string): Promise<Record<string, string[][]>> {
  const sheets: Record<string, string[][]> = {};
  for await (const sheet of readXlsxSheets(file)) {
    const rows: string[][] = [];
    for await (const row of sheet.rows) rows.push(row.cells);
    sheets[sheet.name] = rows;
  }
  return sheets;
}

describe.skipIf(soffice === '')('report breakdown XLSX through LibreOffice', () => {
  const cwd = tempDir('zq-e2e-libreoffice-');
  const run = (...args: string[]) => zq(args, { cwd });

  beforeAll(async () => {
    expect((await run('init')).code).toBe(0);
    const db = await openDatabase({ dataDir: path.join(cwd, '.zq') });
    try {
      await buildOrganisation(db.knex, await loadActor(db.knex, 'admin'));
    } finally {
      await db.close();
    }
    expect((await run('--as', 'admin', 'batch', 'run', '--date', AS_OF)).code).toBe(0);
  });

  it('LibreOffice opens the workbook and saves it with the same sheets, headers, figures and totals', async () => {
    const written = await run('--as', 'admin', 'report', 'breakdown', '--restated', '--format', 'xlsx', '--out', 'b.xlsx');
    expect(written.stderr).toBe('');
    expect(written.stdout).toBe('债权分解表 (12 rows) written to b.xlsx\n');
    const out = path.join(cwd, 'lo');
    // a profile of its own: another LibreOffice running on the machine would otherwise take the conversion over
    const converted = spawnSync(
      soffice,
      [`-env:UserInstallation=file://${path.join(cwd, 'lo-profile')}`, '--headless', '--convert-to', 'xlsx', '--outdir', out, 'b.xlsx'],
      { cwd, encoding: 'utf8', timeout: 120_000 },
    );
    expect(converted.status, converted.stderr).toBe(0);
    const sheets = await readBack(path.join(out, 'b.xlsx'));
    expect(Object.keys(sheets)).toEqual(['明细', '汇总']);
    const detail = sheets['明细'] as string[][];
    // title, subtitle (scope, date, basis), a blank row (the reader leaves it out), the header
    expect(detail.slice(0, 5).map((r) => r[0])).toEqual(['债权分解表', '集团', '截至：2026年3月31日', '口径：重述', '区域']);
    const header = detail[4] as string[];
    expect(header.slice(0, 8)).toEqual(['区域', '经销商', '合同编号', '客户', '催收员', '应还金额', '已还金额', '坏账核销']);
    const column = (name: string) => header.indexOf(name);
    expect(header).toContain('逾期1-30天');
    // the eight contracts, a subtotal for each of HF01 and WH01, for the dealers without a region ("—"), the total
    const body = detail.slice(5);
    expect(body.map((r) => r[column('经销商')])).toEqual([
      ...['HF01', 'HF01', 'HF01', 'HF01', 'HF01', 'HF01 合肥代理店 小计'],
      ...['WH01', 'WH01', 'WH01', 'WH01 芜湖代理店 小计'],
      '',
      '',
    ]);
    expect(body.slice(-2).map((r) => r[0])).toEqual(['— 小计', '合计']);
    expect(body[5]?.[column('未还金额')]).toBe('6000');
    const contracts = body.filter((r) => /^(HF|WH)-/.test(r[column('合同编号')] ?? ''));
    expect(contracts).toHaveLength(8);
    for (const r of contracts) {
      expect(r[column('未还金额')]).toBe('1200');
      expect(r[column('逾期1-30天')]).toBe('400');
      expect(r[column('已计罚息')]).toBe('30');
      expect(r[column('最长逾期天数')]).toBe('80');
    }
    const total = body.at(-1) as string[];
    expect(total[0]).toBe('合计');
    expect([total[column('应还金额')], total[column('未还金额')], total[column('逾期金额')], total[column('已计罚息')]]).toEqual([
      '9600',
      '9600',
      '9600',
      '240',
    ]);
    const summary = sheets['汇总'] as string[][];
    expect(summary.slice(5).map((r) => r.slice(0, 2))).toEqual([
      ['—', 'HF01 合肥代理店'],
      ['—', 'WH01 芜湖代理店'],
      ['— 小计', ''],
      ['合计', ''],
    ]);
    expect(summary.at(-1)?.[summary[4]?.indexOf('未还金额') ?? -1]).toBe('9600');
    expect(fs.readdirSync(cwd).filter((f) => f.includes('partial'))).toEqual([]);
  }, 180_000);
});
