// `zq report overdue | receipts | trend | penalty` end to end with bin/zq: before and after the nightly batch,
// users of two dealers and two teams seeing exactly their rows (JSON and table), a dealer out of scope refused as
// an unknown one with nothing written, bad inputs in one line, --out replacing the named file whole.
//
// The organisation of test/access/organisation.ts: eight contracts of 1,200.00 in three installments of 400.00
// due 01-10, 02-10, 03-10, plus two receipts of 400.00 value-dated 2026-03-31: HF-1 (cash, CASH) and WH-1
// (bank_transfer, ICBC-01). Allocation by installment: line 1's penalty through 03-31 first, 80 days × 400.00 ×
// 0.0005 = 16.00, then 384.00 to its principal.
// As of 2026-03-31 (penalty 0.0005 a day; 0.20 a day on each 400.00 line):
//   a contract without a receipt: overdue 1,200.00, 80 days, penalty 80 + 49 + 21 days × 0.20 = 30.00 outstanding;
//   HF-1 and WH-1: overdue 1,200.00 − 384.00 = 816.00, penalty 30.00 − 16.00 paid = 14.00 outstanding.
//   Total: 6 × 1,200.00 + 2 × 816.00 = 8,832.00 overdue; 6 × 30.00 + 2 × 14.00 = 208.00 penalty outstanding.
//   Penalty accrued in March per contract: 31 + 31 + 21 days × 0.20 = 16.60 → HF01 5 × 16.60 = 83.00, WH01 49.80.
//   Trend 2026-01 … 2026-03: outstanding 9,600.00, 9,600.00, 8,832.00; overdue 3,200.00 (01-31: line 1 of each),
//   6,400.00, 8,832.00 → rates 0.3333, 0.6667, 1.0000; M1+ 0.0000, 1.0000 (line 1 49 days), 1.0000.
//   hf.c1's 回款率: 0 ÷ 400.00, 0 ÷ 400.00, 384.00 ÷ 400.00 = 0.9600.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadActor } from '../../src/access/actor.js';
import { dec } from '../../src/core/money.js';
import { openDatabase } from '../../src/db/index.js';
import { recordConfirmedReceipt } from '../../src/receivables/receipts.js';
import { buildOrganisation } from '../access/organisation.js';
import { tempDir, zq } from '../support/zq.js';

interface OverdueJson {
  asOf: string;
  contracts: { contractNo: string; collector: string | null; overdue: string; penaltyOutstanding: string }[];
  totals: { contracts: number; overdue: string; penaltyOutstanding: string };
}

describe('reports beside the breakdown with bin/zq', () => {
  const cwd = tempDir();
  const run = (...args: string[]) => zq(args, { cwd });
  const json = async <T>(user: string, ...args: string[]): Promise<T> => {
    const result = await run('--as', user, 'report', ...args, '--format', 'json');
    expect(result.stderr, args.join(' ')).toBe('');
    expect(result.code, args.join(' ')).toBe(0);
    return JSON.parse(result.stdout) as T;
  };
  const overdue = (user: string, ...args: string[]) => json<OverdueJson>(user, 'overdue', '--restated', ...args);
  const numbers = (o: OverdueJson) => o.contracts.map((c) => c.contractNo).sort();

  beforeAll(async () => {
    expect((await run('init')).code).toBe(0);
    const db = await openDatabase({ dataDir: path.join(cwd, '.zq') });
    try {
      const admin = await loadActor(db.knex, 'admin');
      await buildOrganisation(db.knex, admin);
      for (const [dealer, contractNo, method, account, number] of [
        ['HF01', 'HF-1', 'cash', 'CASH', 'HF-R1'],
        ['WH01', 'WH-1', 'bank_transfer', 'ICBC-01', 'WH-R1'],
      ] as const) {
        await db.knex.transaction((tx) =>
          recordConfirmedReceipt(tx, admin, {
            contract: { contractNo, dealer },
            valueDate: '2026-03-31',
            amount: dec('400.00'),
            method,
            account,
            documentNumber: number,
          }),
        );
      }
    } finally {
      await db.close();
    }
  });

  it('before the first batch: the overdue list, trend and penalty say to run it; the journal needs none', async () => {
    for (const args of [
      ['overdue', '--restated'],
      ['trend', '--restated'],
      ['penalty', '--from', '2026-03-01', '--to', '2026-03-31'],
    ]) {
      const result = await run('report', ...args);
      expect([result.code, result.stdout], args[0]).toEqual([2, '']);
      expect(result.stderr, args[0]).toMatch(
        /^zq: no nightly batch has completed yet: the .* needs the penalty it computes \(zq batch run( --date 2026-03-31)?\)\n$/,
      );
    }
    const receipts = await json<{ totals: { amount: string } }>('admin', 'receipts', '--from', '2026-03-01', '--to', '2026-03-31');
    expect(receipts.totals.amount).toBe('800.00');
    expect((await run('--as', 'admin', 'batch', 'run', '--date', '2026-03-31')).code).toBe(0);
  });

  it('the overdue list: the hand-worked figures, per collector; the table', async () => {
    const all = await overdue('admin');
    expect(all.asOf).toBe('2026-03-31');
    expect(all.totals).toEqual({ contracts: 8, lines: 24, overdue: '8832.00', penaltyOutstanding: '208.00' });
    expect(all.contracts.find((c) => c.contractNo === 'HF-1')).toMatchObject({
      collector: 'hf.c1',
      overdue: '816.00',
      penaltyOutstanding: '14.00',
    });
    // by collector, nobody's last
    expect(all.contracts.map((c) => c.collector)).toEqual(['hf.c1', 'hf.c2', 'hf.lead', 'hf.mgr', 'wh.c1', 'wh.c2', 'wh.mgr', null]);
    const table = await run('report', 'overdue', '--restated');
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 4)).toEqual(['催收清单', '集团', '截至：2026年3月31日', '口径：重述']);
    expect(lines.at(-1)).toMatch(/^合计 .*8 份合同 +8,832\.00 +208\.00$/);
    // --json (global) prints the same JSON as --format json
    const global = await run('report', 'overdue', '--restated', '--json');
    expect(JSON.parse(global.stdout)).toEqual(all);
  });

  it('users of two dealers and two teams see exactly their rows in every report', async () => {
    const seen: Record<string, string[]> = {
      'hf.fin': ['HF-1', 'HF-2', 'HF-3', 'HF-4', 'HF-5'],
      'hf.lead': ['HF-1', 'HF-2', 'HF-3'],
      'hf.c1': ['HF-1'],
      'wh.c1': ['WH-1'],
    };
    for (const [user, nos] of Object.entries(seen)) expect(numbers(await overdue(user)), user).toEqual(nos);
    const receipts = (user: string) =>
      json<{ receipts: { number: string }[] }>(user, 'receipts', '--from', '2026-03-01', '--to', '2026-03-31').then((r) =>
        r.receipts.map((x) => x.number),
      );
    expect(await receipts('hf.c1')).toEqual(['HF-R1']);
    expect(await receipts('wh.c1')).toEqual(['WH-R1']);
    expect(await receipts('hf.lead')).toEqual(['HF-R1']);
    const penalty = (user: string) =>
      json<{ dealers: { dealer: string; total: string }[]; total: string }>(user, 'penalty', '--from', '2026-03-01', '--to', '2026-03-31');
    expect(await penalty('admin')).toMatchObject({
      dealers: [
        { dealer: 'HF01', total: '83.00' },
        { dealer: 'WH01', total: '49.80' },
      ],
      total: '132.80',
    });
    expect(await penalty('wh.c1')).toMatchObject({ dealers: [{ dealer: 'WH01', total: '16.60' }], total: '16.60' });
    const trend = await json<{ series: Record<string, string[]>; collectors: { collector: string; rates: (string | null)[] }[] }>(
      'hf.c1',
      'trend',
      '--restated',
      '--from',
      '2026-01',
      '--to',
      '2026-03',
    );
    expect(trend.series.outstanding).toEqual(['1200.00', '1200.00', '816.00']);
    expect(trend.collectors).toEqual([expect.objectContaining({ collector: 'hf.c1', rates: ['0.0000', '0.0000', '0.9600'] })]);
    const group = await json<{ series: Record<string, string[]> }>('admin', 'trend', '--restated', '--from', '2026-01', '--to', '2026-03');
    expect(group.series).toEqual({
      outstanding: ['9600.00', '9600.00', '8832.00'],
      overdue: ['3200.00', '6400.00', '8832.00'],
      overdueRate: ['0.3333', '0.6667', '1.0000'],
      m1Rate: ['0.0000', '1.0000', '1.0000'],
      m3Rate: ['0.0000', '0.0000', '0.0000'],
    });
    // a collector of another team, asked for by a manager, is not theirs
    const other = await run('--as', 'hf.lead', 'report', 'overdue', '--restated', '--collector', 'wh.c1');
    expect([other.code, other.stdout, other.stderr]).toEqual([3, '', 'zq: collector not found: "wh.c1"\n']);
  });

  it('a dealer out of scope is refused as an unknown one (exit 3), and nothing is written', async () => {
    const out = path.join(cwd, 'wh.json');
    for (const args of [
      ['overdue', '--restated'],
      ['receipts', '--from', '2026-03-01', '--to', '2026-03-31'],
      ['trend', '--restated'],
      ['penalty', '--from', '2026-03-01', '--to', '2026-03-31'],
    ]) {
      const refused = await run('--as', 'hf.fin', 'report', ...args, '--dealer', 'WH01', '--out', out);
      expect([refused.code, refused.stdout, refused.stderr], args[0]).toEqual([3, '', 'zq: dealer not found: "WH01"\n']);
    }
    expect(fs.readdirSync(cwd).filter((f) => f.startsWith('wh.json'))).toEqual([]);
  });

  it('bad inputs: one line naming the flag, the value and what was expected, exit 2', async () => {
    const cases: [string[], string][] = [
      [['overdue', '--min-overdue-days', 'x'], 'zq: --min-overdue-days: "x" — expected a whole number of days, e.g. 30\n'],
      [['receipts', '--to', '2026-03-31'], 'zq: --from: missing — expected the first date of the period, YYYY-MM-DD\n'],
      [
        ['receipts', '--from', '2026-03-31', '--to', '2026-03-01'],
        'zq: --to: "2026-03-01" — expected a date on or after --from 2026-03-31\n',
      ],
      [['trend', '--from', '2026-13'], 'zq: --from: "2026-13" — expected a month YYYY-MM, e.g. 2026-03\n'],
      [
        ['penalty', '--from', '2026-03-01', '--to', '2026-04-01'],
        'zq: --to: "2026-04-01" — expected a date up to 2026-03-31, the last date the nightly batch completed (penalty is known through it)\n',
      ],
      [['overdue', '--format', 'pdf'], 'zq: --format: "pdf" — expected table, json, csv, xlsx\n'],
      [['trend', '--format', 'xlsx'], 'zq: --out: missing — expected a file to write the XLSX to (--format xlsx --out FILE)\n'],
    ];
    for (const [args, stderr] of cases) {
      const result = await run('report', ...args);
      expect([result.code, result.stdout, result.stderr], args.join(' ')).toEqual([2, '', stderr]);
    }
  });

  it('--out writes the named file whole, replacing it; stdout says where; every report prints a table', async () => {
    const out = path.join(cwd, 'receipts.json');
    fs.writeFileSync(out, 'old');
    const result = await run('report', 'receipts', '--from', '2026-03-01', '--to', '2026-03-31', '--format', 'json', '--out', out);
    expect([result.code, result.stdout]).toEqual([0, `收款日记账 (2 rows) written to ${out}\n`]);
    expect(JSON.parse(fs.readFileSync(out, 'utf8')).totals).toMatchObject({
      receipts: 2,
      amount: '800.00',
      principal: '768.00',
      penalty: '32.00',
    });
    expect(fs.readdirSync(cwd).filter((f) => f.includes('.partial'))).toEqual([]);
    for (const [args, title] of [
      [['receipts', '--from', '2026-03-01', '--to', '2026-03-31'], '收款日记账'],
      [['trend', '--restated'], '月度趋势'],
      [['penalty', '--from', '2026-03-01', '--to', '2026-03-31'], '罚息计提'],
    ] as const) {
      const table = await run('report', ...args);
      expect([table.code, table.stdout.split('\n')[0]], title).toEqual([0, title]);
    }
  });
});
