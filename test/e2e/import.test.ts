// Issue 15 end to end with bin/zq: where `zq import` writes its errors files (never over an input, never over
// an existing file without --force, checked before anything is imported, one beside each input), files named
// by the path given, unreadable inputs refused with exit 2, and the wording of file-level problems.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadActor } from '../../src/access/actor.js';
import { openDatabase } from '../../src/db/index.js';
import { buildOrganisation } from '../access/organisation.js';
import { ROOT, tempDir, zq } from '../support/zq.js';

const LEDGER = '经销商,合同编号,客户名称,期次,应还日期,应还金额,已还金额';

describe('zq import with bin/zq (issue 15)', () => {
  const cwd = tempDir();
  const run = (...args: string[]) => zq(args, { cwd });
  const write = (name: string, rows: string[], header = LEDGER) => {
    fs.mkdirSync(path.dirname(path.join(cwd, name)), { recursive: true });
    fs.writeFileSync(path.join(cwd, name), `\uFEFF${[header, ...rows].join('\r\n')}\r\n`);
    return name;
  };
  const read = (name: string) => fs.readFileSync(path.join(cwd, name), 'utf8');
  const contracts = async () =>
    JSON.parse((await run('contract', 'list', '--json')).stdout).map((c: { contractNo: string }) => c.contractNo) as string[];
  const BAD_DATE = 'HF01,HF-BAD,坏客户,1,2026-02-30,100.00,0';

  beforeAll(async () => {
    expect((await run('init')).code).toBe(0);
    const db = await openDatabase({ dataDir: path.join(cwd, '.zq') });
    try {
      await buildOrganisation(db.knex, await loadActor(db.knex, 'admin'));
    } finally {
      await db.close();
    }
  });

  it('15.5: --errors naming the input itself is refused, even with --force, and the input is left as it was', async () => {
    const file = write('self.csv', [BAD_DATE]);
    const before = read(file);
    for (const args of [
      ['--errors', 'self.csv'],
      ['--errors', './self.csv', '--force'],
    ]) {
      const r = await run('--as', 'admin', 'import', file, '--as-of', '2026-03-31', ...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--errors: ".*self\.csv" — expected a file other than self\.csv, which this command reads/);
      expect(read(file)).toBe(before);
    }
  });

  it('15.5: --errors refuses to overwrite an existing file unless --force; an errors file zq wrote is replaced', async () => {
    const file = write('ok-but-bad.csv', [BAD_DATE]);
    fs.writeFileSync(path.join(cwd, 'notes.txt'), 'keep me\n');
    const refused = await run('--as', 'admin', 'import', file, '--as-of', '2026-03-31', '--errors', 'notes.txt');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--errors: "notes\.txt" — expected a file that does not exist yet \(add --force to replace it\)/);
    expect(read('notes.txt')).toBe('keep me\n');
    const forced = await run('--as', 'admin', 'import', file, '--as-of', '2026-03-31', '--errors', 'notes.txt', '--force');
    expect(forced.code).toBe(2); // the file's bad row
    expect(read('notes.txt')).toMatch(/^\uFEFF文件 file,/);
    // a re-run replaces the errors file it wrote before, without --force
    expect((await run('--as', 'admin', 'import', file, '--as-of', '2026-03-31', '--errors', 'notes.txt')).stderr).not.toMatch(/--errors/);
  });

  it('15.6: --errors into a folder that does not exist is refused before anything is imported (exit 2, naming the flag)', async () => {
    const file = write('half-good.csv', ['HF01,HF-GOOD-6,好客户,1,2026-01-10,100.00,0', BAD_DATE]);
    const r = await run('--as', 'admin', 'import', file, '--as-of', '2026-03-31', '--skip-invalid', '--errors', 'no/such/dir/e.csv');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^zq: --errors: "no\/such\/dir\/e\.csv" — expected a file in an existing folder/m);
    expect(r.stderr).not.toMatch(/unexpected/);
    expect(await contracts()).not.toContain('HF-GOOD-6');
  });

  it('15.7: several files: one errors file beside each input, files named by the path given', async () => {
    const hf = write('hf/ledger.csv', ['HF01,HF-7A,客户七,1,2026-02-30,100.00,0']);
    const wh = write('wh/ledger.csv', ['WH01,WH-7B,客户七W,1,2026-02-31,100.00,0']);
    const r = await run('--as', 'admin', 'import', hf, wh, '--as-of', '2026-03-31');
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^hf\/ledger\.csv: rejected/m);
    expect(r.stdout).toMatch(/^wh\/ledger\.csv: rejected/m);
    expect(r.stdout).toMatch(/problems written to hf\/ledger\.csv\.errors\.csv/);
    expect(r.stdout).toMatch(/problems written to wh\/ledger\.csv\.errors\.csv/);
    expect(read('hf/ledger.csv.errors.csv')).toMatch(/hf\/ledger\.csv,,2,应还日期,2026-02-30/);
    expect(read('hf/ledger.csv.errors.csv')).not.toMatch(/wh\//);
    expect(read('wh/ledger.csv.errors.csv')).toMatch(/wh\/ledger\.csv,,2,应还日期,2026-02-31/);
    expect(fs.existsSync(path.join(cwd, 'ledger.csv.errors.csv'))).toBe(false);
    // --errors FILE with several inputs: all of them in that one file, its first column naming the file
    const all = await run('--as', 'admin', 'import', hf, wh, '--as-of', '2026-03-31', '--errors', 'all.csv', '--json');
    expect(
      all.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).errorsFile),
    ).toEqual(['all.csv', 'all.csv']);
    expect(read('all.csv')).toMatch(/hf\/ledger\.csv,.*\r\nwh\/ledger\.csv,/);
  });

  it('15.16: a missing --mapping file or a folder given as the file: exit 2 naming it', async () => {
    const file = write('m.csv', ['HF01,HF-16,客户十六,1,2026-01-10,100.00,0']);
    const missing = await run('--as', 'admin', 'import', file, '--as-of', '2026-03-31', '--mapping', 'missing.yaml');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--mapping: "missing\.yaml" — expected a readable YAML or JSON mapping file \(it does not exist\)/);
    const folder = await run('--as', 'admin', 'import', file, '--as-of', '2026-03-31', '--mapping', 'hf');
    expect(folder.code).toBe(2);
    expect(folder.stderr).toMatch(/--mapping: "hf" — expected a readable YAML or JSON mapping file \(it is a folder\)/);
    const input = await run('--as', 'admin', 'import', 'hf', '--as-of', '2026-03-31');
    expect(input.code).toBe(2);
    expect(input.stderr).toMatch(/FILE: "hf" — expected a file \(not a folder\)/);
    expect(await contracts()).not.toContain('HF-16');
  });

  it('15.22: a problem of the whole file is placed at "file", with a hint of the accepted headers', async () => {
    fs.writeFileSync(path.join(cwd, 'notes.csv'), '说明\n没有表头\n');
    const r = await run('--as', 'admin', 'import', 'notes.csv', '--as-of', '2026-03-31');
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^ {2}file: no header row recognised in the first 30 rows — a ledger needs columns such as 合同编号/m);
    expect(r.stdout).not.toMatch(/^ {2}: /m);
  });

  it('15.4: a clerk’s receipts import without --status registers them and says so on stderr', async () => {
    const file = write('clerk.csv', ['WH-1,2026-02-01,400.00,R-E2E-1'], '合同编号,收款日期,收款金额,流水号');
    const r = await run('--as', 'wh.clerk', 'import', file);
    expect(r.code).toBe(0);
    // a progress line ("import …") appears only when a slow machine takes over two seconds
    expect(r.stderr.replace(/^import .*\n/gm, '')).toBe(
      'clerk.csv: receipts registered, not confirmed — wh.clerk may not confirm receipts; a finance user confirms them (zq receipt confirm)\n',
    );
    const refused = await run('--as', 'wh.clerk', 'import', file, '--status', 'confirmed');
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/--status confirmed: wh\.clerk may not confirm receipts/);
  });
});

// Issue 17 points 1, 2 and 4 with bin/zq on the embedded database: each fixture imported for real.
describe('zq import: ledgers as dealers lay them out (issue 17)', () => {
  const cwd = tempDir();
  const run = (...args: string[]) => zq(args, { cwd });
  const copy = (name: string, to = name) => {
    fs.mkdirSync(path.dirname(path.join(cwd, to)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'fixtures', 'imports', name), path.join(cwd, to));
    return to;
  };
  const contract = async (no: string) => JSON.parse((await run('contract', 'show', no, '--json')).stdout);
  // the file's contracts (the test organisation has some of its own)
  const imported = async () =>
    (JSON.parse((await run('contract', 'list', '--json')).stdout) as { contractNo: string }[])
      .map((c) => c.contractNo)
      .filter((no) => no.startsWith('HF-2025-'));

  beforeAll(async () => {
    expect((await run('init')).code).toBe(0);
    const db = await openDatabase({ dataDir: path.join(cwd, '.zq') });
    try {
      await buildOrganisation(db.knex, await loadActor(db.knex, 'admin'));
    } finally {
      await db.close();
    }
  });

  it('17.1: a contradicting later row rejects the file, both values and the first row named; nothing imported', async () => {
    const file = copy('ledger-hf01-first-rows-contradicting.csv');
    const r = await run('--as', 'admin', 'import', file, '--as-of', '2026-03-31');
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/rejected/);
    expect(r.stdout).toContain(
      `row 8, column 客户名称 "王建军": contract HF-2025-0002 has 王建国 on row 6: give it once, on the contract's first row, or the same on every row`,
    );
    expect(r.stdout).toContain(`row 4, column 合同金额 "1,008,000.00": contract HF-2025-0001 has 1080000.00 on row 2`);
    expect(r.stdout).toContain(`row 11, column 证件号码 "91340200MA2T5K9R2C": contract HF-2025-0003 has 91340100MA2N8Q3L7X on row 10`);
    expect(fs.readFileSync(path.join(cwd, `${file}.errors.csv`), 'utf8')).toMatch(
      /,8,客户名称,王建军,"contract HF-2025-0002 has 王建国 on row 6: /,
    );
    expect(await imported()).toEqual([]);
  });

  it('17.1: the GBK CSV with contract columns on first rows only imports; each contract has its first row’s fields', async () => {
    const r = await run('--as', 'admin', 'import', copy('ledger-hf01-first-rows-gbk.csv'), '--as-of', '2026-03-31');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/: imported .*12 row\(s\) read, 12 imported, 0 rejected/);
    const c = await contract('HF-2025-0002');
    expect(c.customer).toMatchObject({ name: '王建国', idNumber: '340122197507025615', phone: '13956021188' });
    expect(c.lines).toHaveLength(3);
    expect(await imported()).toHaveLength(4);
  });

  it('17.1/17.2: the same ledger with every column on every row, first rows only in XLSX, and merged: nothing changes', async () => {
    for (const name of ['ledger-hf01-utf8bom.csv', 'ledger-hf01-first-rows.xlsx', 'ledger-hf01-merged.xlsx']) {
      const r = await run('--as', 'admin', 'import', copy(name), '--as-of', '2026-03-31', '--json');
      expect(r.code).toBe(0);
      const s = JSON.parse(r.stdout);
      expect([name, s.status, s.rowsRead, s.rowsRejected, s.changes]).toEqual([name, 'unchanged', 12, 0, []]);
    }
  });

  it('17.2: a merged contract number and customer are on every row of the range (dry run shows the contract whole)', async () => {
    const r = await run(
      '--as',
      'admin',
      'import',
      copy('ledger-hf01-merged.xlsx', 'merged-again.xlsx'),
      '--as-of',
      '2026-03-31',
      '--dry-run',
      '--json',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'dry_run', rowsRead: 12, errorCount: 0, changes: [] });
    expect((await contract('HF-2025-0001')).lines).toHaveLength(4);
  });

  it('17.4: the default errors file is beside the input, wherever zq runs, as the help says', async () => {
    const help = await run('import', '--help');
    expect(help.stdout.replace(/\s+/g, ' ')).toMatch(/default <file>\.errors\.csv beside each file/);
    const elsewhere = tempDir();
    const input = path.join(elsewhere, 'in', 'bad.csv');
    fs.mkdirSync(path.dirname(input));
    fs.copyFileSync(path.join(ROOT, 'fixtures', 'imports', 'ledger-hf01-first-rows-contradicting.csv'), input);
    // an absolute path, and a relative one from another folder
    for (const [arg, from] of [
      [input, cwd],
      [path.join('in', 'bad.csv'), elsewhere],
    ] as const) {
      const r = await zq(['--data-dir', path.join(cwd, '.zq'), '--as', 'admin', 'import', arg, '--as-of', '2026-03-31'], { cwd: from });
      expect(r.code).toBe(2);
      expect(r.stdout).toContain(`problems written to ${arg}.errors.csv`);
      expect(fs.existsSync(`${input}.errors.csv`)).toBe(true);
      expect(fs.existsSync(path.join(from, 'bad.csv.errors.csv'))).toBe(false);
      fs.rmSync(`${input}.errors.csv`);
    }
  });
});
