// `zq report diff` end to end (run `npm run build` first): a receipt entered a week after a night, value-dated
// before it, changes the restated figures of exactly its contract; the diff names that contract and the receipt
// (number, who, when), as reported vs restated; data scope: another team's collector and another dealer's user see
// none of it, and asking for a contract out of scope is "not found" (exit 3).
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir, zq } from '../support/zq.js';

describe('zq report diff (embedded database)', { timeout: 120_000 }, () => {
  const cwd = tempDir('zq-e2e-report-diff-');
  const as = (user: string, ...args: string[]) => zq(['--as', user, ...args], { cwd });
  const ok = async (user: string, ...args: string[]) => {
    const r = await as(user, ...args);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r;
  };
  let receiptNo = '';

  beforeAll(async () => {
    await ok('admin', 'init');
    await ok('admin', 'dealer', 'add', 'HF01', '--name', '合肥代理店');
    await ok('admin', 'dealer', 'add', 'NJ01', '--name', '南京代理店');
    await ok('admin', 'user', 'add', 'wang.a', '--name', '王甲', '--role', 'manager', '--dealer', 'HF01');
    await ok('admin', 'user', 'add', 'li.a', '--name', '李甲', '--role', 'collector', '--dealer', 'HF01', '--reports-to', 'wang.a');
    await ok('admin', 'user', 'add', 'zhao.b', '--name', '赵乙', '--role', 'collector', '--dealer', 'HF01');
    await ok('admin', 'user', 'add', 'sun.nj', '--name', '孙南', '--role', 'dealer_finance', '--dealer', 'NJ01');
    fs.writeFileSync(path.join(cwd, 'lines.csv'), 'seq,type,due_date,amount_due\n1,principal,2026-03-10,10000.00\n');
    for (const [dealer, no, collector] of [
      ['HF01', 'HT-1', 'li.a'],
      ['HF01', 'HT-2', 'zhao.b'],
      ['NJ01', 'NJ-1', null],
    ] as const) {
      const flags = ['--dealer', dealer, '--contract-no', no, '--customer', `客户${no}`, '--method', 'custom', '--lines-file', 'lines.csv'];
      await ok('admin', 'contract', 'create', ...flags, ...(collector ? ['--collector', collector] : []));
    }
    await ok('admin', 'batch', 'run', '--date', '2026-04-01');
    await ok('admin', 'batch', 'run', '--date', '2026-04-08');
    // a week later: li.a registers a receipt on HT-1 value-dated 03-20, finance confirms it
    const registered = await ok(
      'li.a',
      'receipt',
      'register',
      '--contract',
      'HT-1',
      '--amount',
      '2000.00',
      '--value-date',
      '2026-03-20',
      '--json',
    );
    const receipt = JSON.parse(registered.stdout);
    receiptNo = receipt.number;
    await ok('admin', 'receipt', 'confirm', String(receipt.id));
    await ok('admin', 'batch', 'run', '--date', '2026-04-09');
  }, 600_000);

  it('names exactly the changed contract and the receipt, with the figures before and after', async () => {
    const r = await ok('admin', 'report', 'diff', '--as-of', '2026-04-01', '--json');
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ asOf: '2026-04-01', late: false });
    expect(out.contracts).toHaveLength(1);
    const [c] = out.contracts;
    expect(c).toMatchObject({ dealer: 'HF01', contractNo: 'HT-1', customer: '客户HT-1', collector: 'li.a' });
    // reported on 04-01: 10,000.00 late from 03-11, 22 days × 5.00 = 110.00
    // restated: 10 days × 5.00 = 50.00 by 03-20, paid first from the 2,000.00; 1,950.00 to the line leaves 8,050.00,
    // × 0.0005 × 12 days (03-21..04-01) = 48.30: 98.30 accrued, 48.30 outstanding
    expect(c.reported).toEqual({
      outstanding: '10000.00',
      overdue: '10000.00',
      amountPaid: '0.00',
      penaltyAccrued: '110.00',
      penaltyPaid: '0.00',
      penaltyWaived: '0.00',
      penaltyOutstanding: '110.00',
      credit: '0.00',
    });
    expect(c.restated).toEqual({
      outstanding: '8050.00',
      overdue: '8050.00',
      amountPaid: '1950.00',
      penaltyAccrued: '98.30',
      penaltyPaid: '50.00',
      penaltyWaived: '0.00',
      penaltyOutstanding: '48.30',
      credit: '0.00',
    });
    expect(c.documents).toEqual([
      {
        number: receiptNo,
        type: 'receipt',
        status: 'confirmed',
        valueDate: '2026-03-20',
        createdBy: 'li.a',
        createdAt: expect.any(String),
      },
    ]);
    expect(Date.parse(c.documents[0].createdAt)).toBeGreaterThan(Date.parse(out.takenAt));
    // the human form, in Chinese
    const human = await ok('admin', 'report', 'diff', '--as-of', '2026-04-01');
    expect(human.stdout).toMatch(/2026-04-01 当晚报告（快照于 .*）与重述对比：1 份合同有差异/);
    expect(human.stdout).toContain('HF01/HT-1');
    expect(human.stdout).toContain(receiptNo);
    expect(human.stdout).toMatch(/未还\s+10,000\.00\s+8,050\.00\s+-1,950\.00/);
    // a night after the receipt was entered: nothing differs
    const later = await ok('admin', 'report', 'diff', '--as-of', '2026-04-09', '--json');
    expect(JSON.parse(later.stdout).contracts).toEqual([]);
  });

  it('keeps to the data scope: the collector and manager see it, another team and another dealer do not', async () => {
    const contractsOf = async (user: string) =>
      JSON.parse((await ok(user, 'report', 'diff', '--as-of', '2026-04-01', '--json')).stdout).contracts.map(
        (c: { contractNo: string }) => c.contractNo,
      );
    expect(await contractsOf('li.a')).toEqual(['HT-1']);
    expect(await contractsOf('wang.a')).toEqual(['HT-1']);
    expect(await contractsOf('zhao.b')).toEqual([]);
    expect(await contractsOf('sun.nj')).toEqual([]);
    const outOfScope = await as('zhao.b', 'report', 'diff', '--as-of', '2026-04-01', '--contract', 'HT-1', '--json');
    expect(outOfScope.code).toBe(3);
    expect(outOfScope.stdout).toBe('');
    const otherDealer = await as('sun.nj', 'report', 'diff', '--as-of', '2026-04-01', '--contract', 'HT-1', '--dealer', 'HF01');
    expect(otherDealer.code).toBe(3);
    const own = await ok('li.a', 'report', 'diff', '--as-of', '2026-04-01', '--contract', 'HT-1', '--json');
    expect(JSON.parse(own.stdout).contracts).toHaveLength(1);
  });

  it('a night without a snapshot is bad input (exit 2) naming the nights there are', async () => {
    const r = await as('admin', 'report', 'diff', '--as-of', '2026-03-31');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--as-of: "2026-03-31" — expected a night with a report snapshot (first: 2026-04-01, last: 2026-04-09)');
  });
});
