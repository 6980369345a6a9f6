// Repossession through bin/zq, as the users type it: a collector applies, the manager approves (the admin's rule
// makes it wait), the clerk registers it with towing and storage costs, resells the machine; the notifications;
// the exit codes of the refusals (a collector registering: 3; repossessing twice: 2; another dealer: 3).
// The figures are checked by hand in test/machines/repossession.test.ts; here the commands and their output.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir, zq } from '../support/zq.js';

describe('repossession through the CLI', () => {
  const cwd = tempDir('zq-reposs-');
  const run = (...args: string[]) => zq(args, { cwd });
  const as = (user: string, ...args: string[]) => run('--as', user, ...args);
  const ok = async (user: string, ...args: string[]) => {
    const r = await as(user, ...args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return r.stdout;
  };
  const json = async (user: string, ...args: string[]) => JSON.parse(await ok(user, ...args, '--json'));
  let docId = 0;

  beforeAll(async () => {
    expect((await run('init')).code).toBe(0);
    await ok('admin', 'dealer', 'add', 'E01', '--name', '测试代理店');
    await ok('admin', 'dealer', 'add', 'E02', '--name', '另一代理店');
    await ok('admin', 'user', 'add', 'lead.a', '--name', '组长甲', '--role', 'manager', '--dealer', 'E01');
    await ok('admin', 'user', 'add', 'col.a', '--name', '催收甲', '--role', 'collector', '--dealer', 'E01', '--reports-to', 'lead.a');
    await ok('admin', 'user', 'add', 'clerk.a', '--name', '内勤甲', '--role', 'clerk', '--dealer', 'E01');
    await ok('admin', 'user', 'add', 'fin.a', '--name', '财务甲', '--role', 'dealer_finance', '--dealer', 'E01');
    await ok('admin', 'user', 'add', 'clerk.b', '--name', '内勤乙', '--role', 'clerk', '--dealer', 'E02');
    await ok('admin', 'approval', 'rule', 'add', '--type', 'repossession', '--when', 'overdue_days >= 30', '--step', 'manager:1');
    await ok('admin', 'approval', 'rule', 'add', '--type', 'bad_debt', '--step', 'role:dealer_finance');
    fs.writeFileSync(
      path.join(cwd, 'lines.csv'),
      'seq,type,due_date,amount_due\n1,principal,2026-01-10,10000.00\n2,principal,2026-02-10,10000.00\n',
    );
    await ok(
      'admin',
      'contract',
      'create',
      '--dealer',
      'E01',
      '--contract-no',
      'RP-1',
      '--customer',
      '李四',
      '--collector',
      'col.a',
      '--method',
      'custom',
      '--lines-file',
      'lines.csv',
      '--machine',
      'SY-E2E-1:SY215C',
    );
  });

  it('a collector applies; the manager sees it in the inbox and approves it', async () => {
    const out = await json('col.a', 'machine', 'repossess', 'request', 'SY-E2E-1', '--reason', '客户失联', '--date', '2026-03-01');
    docId = out.id;
    // overdue on 03-01: both installments, 20,000.00; the oldest 50 days (≥ 30: the manager's step)
    expect(out).toMatchObject({ type: 'repossession', amount: '20000.00', approval: 'pending' });
    expect(JSON.stringify(await json('lead.a', 'approval', 'inbox'))).toContain(`"documentId":${docId}`);
    await ok('lead.a', 'approval', 'approve', String(docId));
    const twice = await as('col.a', 'machine', 'repossess', 'request', 'SY-E2E-1', '--reason', '再次', '--date', '2026-03-02');
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/cannot be repossessed again/);
  });

  it('a collector may not register it (exit 3); another dealer’s clerk does not find it (exit 3)', async () => {
    const collector = await as('col.a', 'machine', 'repossess', 'register', String(docId), '--date', '2026-03-05', '--location', '停车场');
    expect(collector.code).toBe(3);
    expect(collector.stderr).toMatch(/may not run `zq machine repossess register`/);
    const other = await as('clerk.b', 'machine', 'repossess', 'register', String(docId), '--date', '2026-03-05', '--location', '停车场');
    expect(other.code).toBe(3);
    expect(other.stderr).toMatch(/not found/);
    const bad = await as(
      'clerk.a',
      'machine',
      'repossess',
      'register',
      String(docId),
      '--date',
      '2026-03-05',
      '--location',
      'x',
      '--towing-cost',
      '-5',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--towing-cost/);
  });

  it('the clerk registers it with towing and storage costs, and resells the machine', async () => {
    const registered = await ok(
      'clerk.a',
      'machine',
      'repossess',
      'register',
      String(docId),
      '--date',
      '2026-03-05',
      '--location',
      '合肥停车场',
      '--towed-by',
      '顺达拖车',
      '--towing-cost',
      '3000.00',
      '--storage-cost',
      '800.00',
    );
    expect(registered).toContain('machine SY-E2E-1 repossessed on 2026-03-05, kept at 合肥停车场');
    expect(registered).toMatch(/towing \(拖车费\) 3000\.00: advance charge CHARGE-\d+ .*approved/);
    expect(registered).toMatch(/storage \(停放费\) 800\.00: advance charge/);
    expect(registered).toContain('notified: col.a, fin.a, lead.a');
    const sold = await ok(
      'clerk.a',
      'machine',
      'dispose',
      'SY-E2E-1',
      '--resold',
      '--amount',
      '15000.00',
      '--buyer',
      '二手机行',
      '--date',
      '2026-03-20',
    );
    expect(sold).toContain('machine SY-E2E-1: resold');
    expect(sold).toMatch(/receipt RECEIPT-\d+ .* of 15000\.00, method repossession_sale, confirmed/);
    expect(sold).toMatch(/proposed as bad debt: BAD-DEBT-\d+ .* waiting for approval/);
  });

  it('notifications: each user lists their own, marks them read', async () => {
    const mine = await json('col.a', 'notification', 'list');
    expect(mine.map((n: { title: string }) => n.title)).toEqual([
      '拖回设备已转售：SY-E2E-1',
      '设备已拖回：SY-E2E-1',
      '拖机申请已批准：SY-E2E-1',
    ]);
    const fin = await json('fin.a', 'notification', 'list', '--unread');
    const theirs = await as('col.a', 'notification', 'read', String(fin[0].id));
    expect(theirs.code).toBe(3);
    expect(await ok('col.a', 'notification', 'count')).toBe('3 unread\n');
    expect(await ok('col.a', 'notification', 'read', '--all')).toBe('3 notification(s) marked read\n');
    expect(await ok('col.a', 'notification', 'list', '--unread')).toBe('no notifications\n');
    const neither = await as('col.a', 'notification', 'read');
    expect(neither.code).toBe(2);
  });
});
