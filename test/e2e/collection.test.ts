// Collections through bin/zq: a rules file dry run then real, one contract moved, a contact with a promise, the
// worklist and history as JSON, the nightly step's counts, and the refusals in one line with their exit codes
// (bad rules file 2, a collector of another team 3, bad promise 2) with nothing written.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir, zq } from '../support/zq.js';

describe('collections through the CLI', () => {
  const cwd = tempDir('zq-collect-');
  const run = (...args: string[]) => zq(args, { cwd });
  const as = (user: string, ...args: string[]) => run('--as', user, ...args);
  const ok = async (user: string, ...args: string[]) => {
    const r = await as(user, ...args);
    expect(r.stderr, args.join(' ')).toBe('');
    expect(r.code, args.join(' ')).toBe(0);
    return r.stdout;
  };
  const json = async (user: string, ...args: string[]) => JSON.parse(await ok(user, ...args, '--json'));

  beforeAll(async () => {
    expect((await run('init')).code).toBe(0);
    await ok('admin', 'dealer', 'add', 'E01', '--name', '测试代理店');
    await ok('admin', 'user', 'add', 'lead', '--name', '组长', '--role', 'manager', '--dealer', 'E01');
    for (const u of ['c1', 'c2'])
      await ok('admin', 'user', 'add', u, '--name', `催收${u}`, '--role', 'collector', '--dealer', 'E01', '--reports-to', 'lead');
    await ok('admin', 'user', 'add', 'c3', '--name', '催收c3', '--role', 'collector', '--dealer', 'E01');
    for (const [no, collector] of [
      ['E-1', 'c1'],
      ['E-2', 'c2'],
    ] as const)
      await ok(
        'admin',
        ...['contract', 'create', '--dealer', 'E01', '--contract-no', no, '--customer', `客户${no}`, '--phone', '13800000000'],
        ...[
          '--collector',
          collector,
          '--method',
          'interest_free',
          '--principal',
          '1200',
          '--term-months',
          '3',
          '--first-due-date',
          '2026-01-10',
        ],
      );
    fs.writeFileSync(path.join(cwd, 'rules.yaml'), 'rules:\n  - dealer: E01\n    minOverdueDays: 60\n    to: c1\n');
  });

  it('assigns by rules (dry run, then real), logs a promise, shows the worklist and the nightly counts', async () => {
    const dry = await ok('admin', 'collection', 'assign', '--rules', 'rules.yaml', '--dry-run', '--as-of', '2026-03-31');
    expect(dry).toMatch(/E01\s+E-2\s+c2\s+c1\s+1/);
    expect(dry).toContain('nothing written');
    // the worklist is as of a night the batch completed (the penalty owed is known through it)
    expect((await as('c1', 'collection', 'list', '--as-of', '2026-03-31')).code).toBe(2);
    expect((await as('admin', 'batch', 'run', '--date', '2026-03-31')).code).toBe(0);
    expect(
      (await json('c1', 'collection', 'list', '--as-of', '2026-03-31')).contracts.map((c: { contractNo: string }) => c.contractNo),
    ).toEqual(['E-1']);
    const real = await json('admin', 'collection', 'assign', '--rules', 'rules.yaml', '--as-of', '2026-03-31');
    expect(real.moves).toEqual([{ dealer: 'E01', contractNo: 'E-2', from: 'c2', to: 'c1', date: '2026-03-31', rule: 1 }]);
    await ok('lead', 'collection', 'assign', '--contract', 'E-1', '--to', 'c2', '--reason', '轮换', '--date', '2026-04-01');
    const logged = await json(
      'c2',
      ...['collection', 'log', '--contract', 'E-1', '--kind', 'call', '--result', 'promised'],
      ...['--promise-amount', '400', '--promise-date', '2026-04-05', '--contacted-at', '2026-04-01T09:30'],
    );
    expect(logged).toMatchObject({ promiseAmount: '400.00', promiseDate: '2026-04-05', promiseStatus: 'open' });
    const history = await json('c2', 'collection', 'history', '--contract', 'E-1');
    expect(history.holders.map((h: { collector: string; from: string }) => `${h.collector} ${h.from}`)).toEqual([
      'c1 1900-01-01',
      'c2 2026-04-01',
    ]);
    await ok('admin', 'collection', 'rule', 'add', '--action', 'lock', '--overdue-days', '60');
    const batch = await as('admin', 'batch', 'run', '--date', '2026-04-06');
    expect(batch.code).toBe(0);
    expect(batch.stdout + batch.stderr).toMatch(/collection/);
    const history2 = await json('c2', 'collection', 'history', '--contract', 'E-1');
    // nothing received from 04-01 to 04-05: broken on the night of 04-06
    expect(history2.contacts[0]).toMatchObject({ promiseStatus: 'broken', decidedOn: '2026-04-06', received: '0.00' });
    const list = await json('c2', 'collection', 'list', '--as-of', '2026-04-06');
    expect(list.contracts[0]).toMatchObject({
      contractNo: 'E-1',
      brokenPromise: { amount: '400.00', date: '2026-04-05', brokenOn: '2026-04-06' },
    });
    expect(list.contracts[0].flags.map((f: { action: string }) => f.action)).toEqual(['lock']);
    const perf = await ok('admin', 'collection', 'performance', '--from', '2026-01-01', '--to', '2026-04-30');
    expect(perf).toContain('0.00 received');
  });

  it('refuses in one line with the exit code, writing nothing', async () => {
    fs.writeFileSync(path.join(cwd, 'bad.yaml'), 'rules:\n  - dealer: E01\n    minOverdueDays: 90\n    maxOverdueDays: 30\n    to: c1\n');
    const bad = await as('admin', 'collection', 'assign', '--rules', 'bad.yaml');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('rule 1: maxOverdueDays: 30 — expected a number of days ≥ minOverdueDays 90');
    // c3 is not in lead's team: E-1 is out of scope for c3 → not found
    const other = await as('c3', 'collection', 'log', '--contract', 'E-1', '--kind', 'call', '--result', 'refused');
    expect(other.code).toBe(3);
    expect(other.stderr).toMatch(/not found/);
    const promise = await as(
      'c2',
      'collection',
      'log',
      '--contract',
      'E-1',
      '--kind',
      'call',
      '--result',
      'promised',
      '--promise-date',
      '2026-04-10',
    );
    expect(promise.code).toBe(2);
    expect(promise.stderr).toMatch(/^zq: --promise-amount: missing/m);
    const history = await json('c2', 'collection', 'history', '--contract', 'E-1');
    expect(history.contacts).toHaveLength(1);
    const neither = await as('admin', 'collection', 'assign');
    expect(neither.code).toBe(2);
    expect(neither.stderr).toMatch(/either --rules FILE or --contract NO/);
  });
});
