// `zq report breakdown` end to end with bin/zq: before and after the nightly batch, four levels of users across
// two dealers seeing exactly their rows and totals (table and JSON), a dealer out of scope refused as an unknown
// one with nothing written, bad inputs in one line, --out replacing the named file whole.
//
// The organisation of test/access/organisation.ts: eight contracts of 1,200.00 in three installments of 400.00
// due 01-10, 02-10, 03-10. As of 2026-03-31 all three are overdue (80, 49 and 21 days), 1,200.00 a contract;
// penalty 400.00 × 0.0005 × (80 + 49 + 21) = 30.00 a contract.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadActor } from '../../src/access/actor.js';
import { openDatabase } from '../../src/db/index.js';
import { buildOrganisation } from '../access/organisation.js';
import { tempDir, zq } from '../support/zq.js';

const AS_OF = '2026-03-31';

interface Row {
  level: string;
  dealer: string | null;
  contractNo: string | null;
  outstanding: string;
  penaltyAccrued: string;
}

describe('report breakdown with bin/zq', () => {
  const cwd = tempDir();
  const run = (...args: string[]) => zq(args, { cwd });
  const breakdown = async (user: string, ...args: string[]) => {
    const result = await run('--as', user, 'report', 'breakdown', '--restated', '--format', 'json', ...args);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as { asOf: string; restated: boolean; by: string; aging: string[]; rows: Row[]; totals: Row };
  };
  const contracts = (rows: Row[]) => rows.filter((r) => r.level === 'detail').map((r) => r.contractNo);

  beforeAll(async () => {
    expect((await run('init')).code).toBe(0);
    const db = await openDatabase({ dataDir: path.join(cwd, '.zq') });
    try {
      await buildOrganisation(db.knex, await loadActor(db.knex, 'admin'));
    } finally {
      await db.close();
    }
  });

  it('before the first batch: one line saying to run it, exit 2', async () => {
    const result = await run('report', 'breakdown', '--restated');
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('zq: no nightly batch has completed yet: the breakdown needs the penalty it computes (zq batch run)\n');
  });

  it('after the batch: the default date is its last date; the table and JSON agree', async () => {
    expect((await run('--as', 'admin', 'batch', 'run', '--date', AS_OF)).code).toBe(0);
    const all = await breakdown('admin');
    expect(all).toMatchObject({
      asOf: AS_OF,
      restated: true,
      by: 'contract',
      aging: ['1-30', '31-60', '61-90', '91-180', '181-360', '>360'],
    });
    expect(all.totals).toMatchObject({
      level: 'total',
      outstanding: '9600.00',
      penaltyAccrued: '240.00',
      overdue: '9600.00',
      overdueDays: 80,
    });
    expect(all.totals).toMatchObject({ aging: { '1-30': '3200.00', '31-60': '3200.00', '61-90': '3200.00', '>360': '0.00' } });
    const table = await run('report', 'breakdown', '--restated');
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 4)).toEqual(['债权分解表', '集团', '截至：2026年3月31日', '口径：重述']);
    expect(lines.filter((l) => /^— +(HF01|WH01) +(HF|WH)-\d /.test(l))).toHaveLength(8);
    expect(lines.at(-1)).toMatch(/^合计 +9,600\.00 +0\.00 +0\.00 +9,600\.00 +0\.00 +9,600\.00 +80 +3,200\.00 +3,200\.00 +3,200\.00 /);
    // --json (global) prints the same JSON as --format json
    const global = await run('report', 'breakdown', '--restated', '--json');
    expect(JSON.parse(global.stdout)).toEqual(all);
  });

  it('four levels of users across two dealers see exactly their rows and totals', async () => {
    const seen: Record<string, string[]> = {
      admin: ['HF-1', 'HF-2', 'HF-3', 'HF-4', 'HF-5', 'WH-1', 'WH-2', 'WH-3'],
      'hf.fin': ['HF-1', 'HF-2', 'HF-3', 'HF-4', 'HF-5'],
      'hf.lead': ['HF-1', 'HF-2', 'HF-3'],
      'wh.c1': ['WH-1'],
    };
    for (const [user, nos] of Object.entries(seen)) {
      const b = await breakdown(user);
      expect(contracts(b.rows), user).toEqual(nos);
      expect(b.totals, user).toMatchObject({ outstanding: `${nos.length * 1200}.00`, penaltyAccrued: `${nos.length * 30}.00` });
      expect(
        b.rows.filter((r) => r.level === 'dealer').map((r) => r.dealer),
        user,
      ).toEqual([...new Set(nos.map((n) => (n.startsWith('HF') ? 'HF01' : 'WH01')))]);
      const table = await run('--as', user, 'report', 'breakdown', '--restated');
      const shown = table.stdout
        .split('\n')
        .filter((l) => / (HF|WH)-\d /.test(l))
        .map((l) => /(HF|WH)-\d/.exec(l)?.[0]);
      expect(shown, user).toEqual(nos);
      expect(table.stdout, user).toMatch(new RegExp(`合计 +${(nos.length * 1200).toLocaleString('en-US')}\\.00 `));
    }
    // the manager asks for their collector's contracts; the collector of another team is not theirs
    expect(contracts((await breakdown('hf.lead', '--collector', 'hf.c2')).rows)).toEqual(['HF-2']);
    const other = await run('--as', 'hf.lead', 'report', 'breakdown', '--restated', '--collector', 'wh.c1');
    expect([other.code, other.stderr]).toEqual([3, 'zq: collector not found: "wh.c1"\n']);
  });

  it('a dealer out of scope is refused as an unknown one (exit 3), and nothing is written', async () => {
    const out = path.join(cwd, 'wh.json');
    const refused = await run('--as', 'hf.fin', 'report', 'breakdown', '--restated', '--dealer', 'WH01', '--out', out);
    const unknown = await run('--as', 'hf.fin', 'report', 'breakdown', '--restated', '--dealer', 'XX99', '--out', out);
    expect([refused.code, refused.stdout, refused.stderr]).toEqual([3, '', 'zq: dealer not found: "WH01"\n']);
    expect([unknown.code, unknown.stdout, unknown.stderr]).toEqual([3, '', 'zq: dealer not found: "XX99"\n']);
    expect(fs.readdirSync(cwd).filter((f) => f.startsWith('wh.json'))).toEqual([]);
    // the group sees it
    expect(contracts((await breakdown('admin', '--dealer', 'WH01')).rows)).toEqual(['WH-1', 'WH-2', 'WH-3']);
  });

  it('bad inputs: one line naming the flag, the value and what was expected, exit 2', async () => {
    const cases: [string[], string][] = [
      [['--aging', '30,20'], 'zq: --aging: "30,20" — expected increasing whole numbers of days, e.g. 30,60,90\n'],
      [
        ['--as-of', '2026-04-01'],
        'zq: --as-of: "2026-04-01" — expected a date up to 2026-03-31, the last date the nightly batch completed (penalty is known through it)\n',
      ],
      [
        ['--dealer', 'HF01', '--region', 'EAST'],
        'zq: --region: "EAST" — expected either a dealer or a region, not both (dealer HF01 given)\n',
      ],
      [['--by', 'month'], 'zq: --by: "month" — expected line, contract, customer, collector, dealer, region, type\n'],
    ];
    for (const [args, stderr] of cases) {
      const result = await run('report', 'breakdown', '--restated', ...args);
      expect([result.code, result.stdout, result.stderr], args.join(' ')).toEqual([2, '', stderr]);
    }
    const folder = await run('report', 'breakdown', '--restated', '--out', path.join(cwd, 'no-such-folder', 'r.txt'));
    expect(folder.code).toBe(2);
    expect(folder.stderr).toMatch(/^zq: --out: ".*no-such-folder\/r\.txt" — expected a file path in an existing folder\n$/);
  });

  it('--out writes the named file whole, replacing it; stdout says where', async () => {
    const out = path.join(cwd, 'breakdown.json');
    fs.writeFileSync(out, 'old');
    const result = await run('report', 'breakdown', '--restated', '--format', 'json', '--by', 'dealer', '--out', out);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`债权分解表 (4 rows) written to ${out}\n`);
    const written = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(written.rows.map((r: Row) => `${r.level}:${r.dealer ?? ''}`)).toEqual(['dealer:HF01', 'dealer:WH01', 'region:', 'total:']);
    expect(fs.readdirSync(cwd).filter((f) => f.includes('.partial'))).toEqual([]);
    const text = path.join(cwd, 'breakdown.txt');
    expect((await run('report', 'breakdown', '--restated', '--out', text)).code).toBe(0);
    expect(fs.readFileSync(text, 'utf8')).toMatch(/^债权分解表\n集团\n截至：2026年3月31日\n口径：重述\n/);
  });
});
