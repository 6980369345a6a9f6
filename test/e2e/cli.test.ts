// End to end: bin/zq in a temporary folder, as a user runs it (the embedded database in ./.zq).
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, tempDir, zq } from '../support/zq.js';

describe('zq on the embedded database, end to end', () => {
  const cwd = tempDir();
  const run = (...args: string[]) => zq(args, { cwd });

  beforeAll(async () => {
    const init = await run('init');
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
  });

  it('--help lists every command group', async () => {
    const help = await run('--help');
    expect(help.code).toBe(0);
    for (const group of ['init', 'demo', 'dealer', 'user', 'contract']) expect(help.stdout).toMatch(new RegExp(`\\n  ${group}\\b`));
  });

  it('init is idempotent and made ./.zq', async () => {
    const again = await run('init', '--json');
    expect(again.code).toBe(0);
    const result = JSON.parse(again.stdout);
    expect(result.migrationsApplied).toEqual([]);
    expect(result.seed).toEqual({ receivableTypes: 0, roles: 0, group: false, admin: false });
    expect(fs.existsSync(path.join(cwd, '.zq', 'pgdata'))).toBe(true);
  });

  it('adds a dealer, users and a contract, and shows it in the JSON shape of CLI.md', async () => {
    expect((await run('--as', 'admin', 'dealer', 'add', 'HF01', '--name', '合肥代理店', '--province', '安徽', '--city', '合肥')).code).toBe(
      0,
    );
    expect((await run('--as', 'admin', 'user', 'add', 'wang.qiang', '--name', '王强', '--role', 'manager', '--dealer', 'HF01')).code).toBe(
      0,
    );
    const user = await run(
      '--as',
      'admin',
      'user',
      'add',
      'li.si',
      '--name',
      '李四',
      '--role',
      'collector',
      '--dealer',
      'HF01',
      '--reports-to',
      'wang.qiang',
      '--json',
    );
    expect(user.code).toBe(0);
    expect(JSON.parse(user.stdout)).toMatchObject({ username: 'li.si', roles: ['collector'], dealer: 'HF01', reportsTo: 'wang.qiang' });

    const created = await run(
      '--as',
      'admin',
      'contract',
      'create',
      '--dealer',
      'HF01',
      '--contract-no',
      'HT-2026-0001',
      '--customer',
      '张三',
      '--id-number',
      '340104199001011239',
      '--phone',
      '13800000000',
      '--machine',
      'SY215C-0001:SY215C',
      '--collector',
      'li.si',
      '--sign-date',
      '2026-01-05',
      '--method',
      'equal_installment',
      '--principal',
      '100000.00',
      '--annual-rate',
      '0.049',
      '--term-months',
      '12',
      '--first-due-date',
      '2026-01-31',
      '--json',
    );
    expect(created.stderr).toBe('');
    expect(JSON.parse(created.stdout)).toMatchObject({ dealer: 'HF01', contractNo: 'HT-2026-0001', status: 'active' });

    const show = await run('contract', 'show', 'HT-2026-0001', '--as-of', '2026-03-15', '--json');
    expect(show.code).toBe(0);
    const json = JSON.parse(show.stdout);
    expect(json).toMatchObject({
      dealer: 'HF01',
      contractNo: 'HT-2026-0001',
      customer: { name: '张三', idNumber: '340104199001011239', phone: '13800000000' },
      collector: 'li.si',
      status: 'active',
      asOf: '2026-03-15',
    });
    expect(json.lines[0]).toMatchObject({
      seq: 1,
      type: 'interest',
      dueDate: '2026-01-31',
      amountDue: '408.33',
      amountPaid: '0.00',
      outstanding: '408.33',
      overdueDays: 43,
      // 43 days (02-01 … 03-15) × 408.33 × 0.0005 = 8.778… → 8.78
      penaltyAccrued: '8.78',
      penaltyPaid: '0.00',
      penaltyWaived: '0.00',
      penaltyOutstanding: '8.78',
    });
    expect(json.lines[1]).toMatchObject({ seq: 1, type: 'principal', amountDue: '8147.84', overdueDays: 43 });
    // Due 01-31 and 02-28 are overdue on 03-15: 2 × 8,556.17; nothing paid yet.
    expect(json.totals).toMatchObject({
      amountDue: '102673.99',
      amountPaid: '0.00',
      outstanding: '102673.99',
      overdue: '17112.34',
      // penalty at 0.0005 a day, per line: 8.78 (above) + 8,147.84 × 43 × 0.0005 = 175.17856 → 175.18
      // + 375.06 × 15 days (03-01 … 03-15) × 0.0005 = 2.81295 → 2.81 + 8,181.11 × 15 × 0.0005 = 61.358325 → 61.36
      penaltyAccrued: '248.13',
      penaltyPaid: '0.00',
      penaltyWaived: '0.00',
      penaltyOutstanding: '248.13',
      credit: '0.00',
    });
    for (const line of json.lines) for (const key of ['amountDue', 'amountPaid', 'outstanding']) expect(line[key]).toMatch(/^\d+\.\d{2}$/);
  });

  it('prints the schedule and lists contracts for people and for scripts', async () => {
    const schedule = await run('contract', 'schedule', 'HT-2026-0001');
    expect(schedule.code).toBe(0);
    expect(schedule.stdout).toContain('8,556.17');
    expect(schedule.stdout).toContain('2026-02-28');
    const list = await run('contract', 'list', '--as-of', '2026-03-15', '--json');
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({ dealer: 'HF01', contractNo: 'HT-2026-0001', customer: '张三', overdue: '17112.34' }),
    ]);
    const overdue = await run('contract', 'list', '--overdue', '--as-of', '2026-01-31');
    expect(overdue.stdout).toContain('0 contract(s)');
  });

  it('bad input: one line on stderr naming the field, the value and what was expected, exit 2, nothing written', async () => {
    const bad = await run(
      '--as',
      'admin',
      'contract',
      'create',
      '--dealer',
      'HF01',
      '--contract-no',
      'HT-BAD',
      '--customer',
      '李四',
      '--principal',
      '1000.005',
      '--annual-rate',
      '0.05',
      '--term-months',
      '12',
      '--first-due-date',
      '2026-01-31',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/--principal: "1000.005" — expected a decimal amount with at most two decimals/);
    const date = await run('contract', 'show', 'HT-2026-0001', '--as-of', '2026-02-30');
    expect(date.code).toBe(2);
    expect(date.stderr).toMatch(/--as-of: "2026-02-30" — expected a real calendar day/);
    const missing = await run('--as', 'admin', 'contract', 'create', '--dealer', 'HF01', '--customer', '李四');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--contract-no: missing — expected a value/);
    const list = await run('contract', 'list', '--json');
    expect(JSON.parse(list.stdout)).toHaveLength(1);
  });

  it('a command that changes data needs an acting user (--as or ZQ_USER): exit 2 without one, nothing written', async () => {
    const anonymous = await run('dealer', 'add', 'XX01', '--name', '无名');
    expect(anonymous.code).toBe(2);
    expect(anonymous.stderr).toMatch(/--as: missing — expected the acting user/);
    const viaEnv = await zq(['dealer', 'add', 'XX01', '--name', '无名'], { cwd, env: cleanEnv({ ZQ_USER: 'admin' }) });
    expect(viaEnv.code).toBe(0);
    const audit = await run('audit', 'log', '--json');
    expect(JSON.parse(audit.stdout)).toContainEqual(
      expect.objectContaining({ actor: 'admin', action: 'create', entity: 'dealer', entityId: 'XX01' }),
    );
  });

  it('not found and not allowed: exit 3', async () => {
    const missing = await run('contract', 'show', 'NOPE');
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/contract not found: "NOPE"/);
    const nobody = await run('--as', 'nobody', 'contract', 'list');
    expect(nobody.code).toBe(3);
  });

  it('a refused business rule: exit 2 (duplicate contract number at the dealer)', async () => {
    const dup = await run(
      '--as',
      'admin',
      'contract',
      'create',
      '--dealer',
      'HF01',
      '--contract-no',
      'HT-2026-0001',
      '--customer',
      '王五',
      '--method',
      'interest_free',
      '--principal',
      '1200',
      '--term-months',
      '12',
      '--first-due-date',
      '2026-01-31',
    );
    expect(dup.code).toBe(2);
    expect(dup.stderr).toMatch(/already exists at dealer HF01/);
  });

  it('a collector sees only their own contracts (data scope through --as)', async () => {
    const asCollector = await zq(['contract', 'list', '--json'], { cwd, env: cleanEnv({ ZQ_USER: 'li.si' }) });
    expect(JSON.parse(asCollector.stdout)).toHaveLength(1);
    await run('--as', 'admin', 'user', 'add', 'zhao.liu', '--name', '赵六', '--role', 'collector', '--dealer', 'HF01');
    const other = await run('--as', 'zhao.liu', 'contract', 'list', '--json');
    expect(JSON.parse(other.stdout)).toEqual([]);
    const manager = await run('--as', 'wang.qiang', 'contract', 'list', '--json');
    expect(JSON.parse(manager.stdout)).toHaveLength(1);
  });
});
