// Printing end to end with bin/zq and Debian's Chromium (few browser runs: they are slow on two cores): a receipt
// voucher, its reprint after a reversal (补打, 作废), and collection notices into a folder and into one file;
// pdftotext finds the customer's name and every amount, pdffonts shows every font embedded. The organisation of
// test/access/organisation.ts: contracts of 1,200.00 in three installments of 400.00 due 01-10, 02-10, 03-10.
//   Receipt of 500.00 on HF-1 on 2026-02-01: 22 days of penalty on line 1 first (400.00 × 0.0005 × 22 = 4.40),
//   then 400.00 to line 1, 95.60 left as credit (预收).
//   As of 2026-03-31 (the receipt reversed) every installment is overdue: 80, 49 and 21 days, penalty
//   16.00 + 9.80 + 4.20 = 30.00, total to pay 1,200.00 + 30.00 = 1,230.00 (壹仟贰佰叁拾元整).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadActor } from '../../src/access/actor.js';
import { openDatabase } from '../../src/db/index.js';
import { buildOrganisation } from '../access/organisation.js';
import { cleanEnv, tempDir, zq } from '../support/zq.js';

const text = (file: string) => execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
const fontsEmbedded = (file: string) => {
  const rows = execFileSync('pdffonts', [file], { encoding: 'utf8' }).split('\n').slice(2).filter(Boolean);
  expect(rows.length).toBeGreaterThan(0);
  for (const row of rows) expect(row).toMatch(/ yes +(yes|no) +(yes|no) /);
};

describe('printing with bin/zq and Chromium', () => {
  const cwd = tempDir();
  const run = (...args: string[]) => zq(args, { cwd });

  beforeAll(async () => {
    expect((await run('init')).code).toBe(0);
    const db = await openDatabase({ dataDir: path.join(cwd, '.zq') });
    try {
      await buildOrganisation(db.knex, await loadActor(db.knex, 'admin'));
    } finally {
      await db.close();
    }
    const steps = [
      ['--as', 'admin', 'dealer', 'update', 'HF01', '--address', '合肥市蜀山区长江西路 100 号', '--phone', '0551-65001234'],
      ['--as', 'admin', 'dealer', 'update', 'HF01', '--bank-name', '工商银行合肥分行', '--bank-account', '1302010109000123456'],
      ['--as', 'hf.fin', 'receipt', 'register', '--contract', 'HF-1', '--amount', '500', '--value-date', '2026-02-01', '--payer', '张三'],
      ['--as', 'hf.fin', 'receipt', 'confirm', '1'],
    ];
    for (const step of steps) expect((await run(...step)).code, step.join(' ')).toBe(0);
  });

  it('a voucher, then after a reversal its reprint: 补打 with the count, 作废', async () => {
    const first = await run('--as', 'hf.fin', 'receipt', 'print', '1');
    expect(first.stderr).toBe('');
    expect(first.stdout).toBe(
      `receipt RECEIPT-000001 voucher written to ${path.join(fs.realpathSync(cwd), 'receipt-RECEIPT-000001.pdf')}\n`,
    );
    const voucher = text(path.join(cwd, 'receipt-RECEIPT-000001.pdf'));
    for (const s of ['合肥代理店', '合肥市蜀山区长江西路 100 号', '0551-65001234', 'RECEIPT-000001', '2026年2月1日', '张三', '客户HF-1'])
      expect(voucher).toContain(s);
    for (const s of ['¥500.00', '人民币伍佰元整', '400.00', '4.40', '95.60', '合肥财务']) expect(voucher).toContain(s);
    expect(voucher.replace(/\s+/g, '')).toContain('第1页/共1页');
    expect(voucher).not.toContain('补打');
    fontsEmbedded(path.join(cwd, 'receipt-RECEIPT-000001.pdf'));

    expect((await run('--as', 'hf.fin', 'receipt', 'reverse', '1', '--reason', '重复登记')).code).toBe(0);
    const out = path.join(cwd, 'again.pdf');
    fs.writeFileSync(out, 'not mine to replace');
    const refused = await run('--as', 'hf.fin', 'receipt', 'print', '1', '--out', out);
    expect(refused).toMatchObject({ code: 2, stdout: '' });
    expect(refused.stderr).toBe(`zq: --out: "${out}" — expected a file that does not exist yet (--force replaces it)\n`);
    const second = await run('--as', 'hf.fin', 'receipt', 'print', '1', '--out', out, '--force');
    expect(second.stdout).toBe(`receipt RECEIPT-000001 voucher (补打, copy 2) (作废: reversed) written to ${out}\n`);
    const reprint = text(out);
    expect(reprint).toContain('补打（第 2 次打印）');
    // the stamp is rotated across the page: its two characters come out on lines of their own
    expect(reprint.split('\n').map((l) => l.trim())).toEqual(expect.arrayContaining(['作', '废']));
    expect(reprint).toContain('¥500.00');
  });

  it('another dealer’s user and another collector: not found, no file', async () => {
    for (const who of ['wh.mgr', 'hf.c2']) {
      const result = await run('--as', who, 'receipt', 'print', '1', '--out', `${who}.pdf`);
      expect(result).toEqual({ code: 3, stdout: '', stderr: 'zq: document not found: 1\n' });
      expect(fs.existsSync(path.join(cwd, `${who}.pdf`))).toBe(false);
    }
    const notice = await run('--as', 'wh.mgr', 'notice', 'print', '--contract', 'HF-1', '--as-of', '2026-03-31');
    expect(notice).toEqual({ code: 3, stdout: '', stderr: 'zq: contract not found: "HF-1"\n' });
  });

  it('without Chromium: one line naming the path and the package, no file, no print recorded', async () => {
    const env = cleanEnv({ ZQ_CHROMIUM: '/nonexistent/chromium' });
    const result = await zq(['--as', 'hf.fin', 'receipt', 'print', '1', '--out', 'none.pdf'], { cwd, env });
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'zq: printing needs Chromium at /nonexistent/chromium, which does not exist — install the chromium package (apt-get install chromium) or set ZQ_CHROMIUM\n',
    });
    expect(fs.existsSync(path.join(cwd, 'none.pdf'))).toBe(false);
    const db = await openDatabase({ dataDir: path.join(cwd, '.zq') });
    try {
      expect(await db.knex('document_prints').orderBy('copy').pluck('copy')).toEqual([1, 2]);
    } finally {
      await db.close();
    }
  });

  it('collection notices: one PDF per contract in a folder, and all in one file', async () => {
    const folder = path.join(cwd, 'notices');
    fs.mkdirSync(folder);
    const result = await run('--as', 'hf.lead', 'notice', 'print', '--dealer', 'HF01', '--as-of', '2026-03-31', '--out', folder, '--json');
    expect(result.stderr).toBe('');
    const printed = JSON.parse(result.stdout);
    expect(printed.notices.map((n: { contractNo: string; total: string }) => [n.contractNo, n.total])).toEqual([
      ['HF-1', '1230.00'],
      ['HF-2', '1230.00'],
      ['HF-3', '1230.00'],
    ]);
    expect(fs.readdirSync(folder).sort()).toEqual([
      'notice_HF01_HF-1_2026-03-31.pdf',
      'notice_HF01_HF-2_2026-03-31.pdf',
      'notice_HF01_HF-3_2026-03-31.pdf',
    ]);
    const one = text(path.join(folder, 'notice_HF01_HF-1_2026-03-31.pdf'));
    expect(one.replace(/\s+/g, '')).toContain('催收通知单');
    for (const s of ['客户HF-1', '2026年1月10日', '400.00', '16.00', '9.80', '4.20', '1,200.00', '30.00', '¥1,230.00'])
      expect(one).toContain(s);
    for (const s of ['人民币壹仟贰佰叁拾元整', '合肥催收一', '1302010109000123456']) expect(one).toContain(s);
    fontsEmbedded(path.join(folder, 'notice_HF01_HF-1_2026-03-31.pdf'));

    const merged = await run('--as', 'hf.c1', 'notice', 'print', '--collector', 'hf.c1', '--as-of', '2026-03-31', '--out', 'mine.pdf');
    expect(merged.code).toBe(0);
    expect(merged.stdout).toContain(`1 notice(s) as of 2026-03-31 written to ${path.join(fs.realpathSync(cwd), 'mine.pdf')}`);
    expect(execFileSync('pdfinfo', [path.join(cwd, 'mine.pdf')], { encoding: 'utf8' })).toMatch(/Pages:\s+1\n/);
  });
});
