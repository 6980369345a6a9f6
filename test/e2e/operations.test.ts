// The life of one contract through bin/zq, with the figures worked by hand (RULES.md, 0.0005/day, grace 0):
// created, overdue, penalty, partial receipt, waiver approved, early payoff receipt, settlement — and the
// refusals: a waiver above the outstanding penalty, approving one's own request, settling with money owed,
// reversing a locked receipt, a receipt on a settled contract.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir, zq } from '../support/zq.js';

describe('receivables operations through the CLI', () => {
  const cwd = tempDir('zq-ops-');
  const run = (...args: string[]) => zq(args, { cwd });
  const as = (user: string, ...args: string[]) => run('--as', user, ...args);
  const json = async (user: string, ...args: string[]) => {
    const r = await as(user, ...args, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout);
  };

  beforeAll(async () => {
    expect((await run('init')).code).toBe(0);
    expect((await as('admin', 'dealer', 'add', 'E01', '--name', '测试代理店')).code).toBe(0);
    expect((await as('admin', 'user', 'add', 'fin.a', '--name', '财务甲', '--role', 'dealer_finance', '--dealer', 'E01')).code).toBe(0);
    expect((await as('admin', 'user', 'add', 'clerk.b', '--name', '内勤乙', '--role', 'clerk', '--dealer', 'E01')).code).toBe(0);
    expect((await as('admin', 'approval', 'rule', 'add', '--type', 'waiver', '--step', 'role:dealer_finance')).code).toBe(0);
    fs.writeFileSync(
      path.join(cwd, 'lines.csv'),
      'seq,type,due_date,amount_due\n1,principal,2026-03-10,10000.00\n2,principal,2026-04-10,5000.00\n',
    );
    const created = await as(
      'admin',
      'contract',
      'create',
      '--dealer',
      'E01',
      '--contract-no',
      'E2E-1',
      '--customer',
      '张三',
      '--method',
      'custom',
      '--lines-file',
      'lines.csv',
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
  });

  it('walks the contract from overdue to settled', async () => {
    // Overdue since 03-10: as of 03-20, 10 days × 10,000.00 × 0.0005 = 50.00.
    let shown = await json('fin.a', 'contract', 'show', 'E2E-1', '--as-of', '2026-03-20');
    expect(shown.lines[0]).toMatchObject({ overdueDays: 10, penaltyAccrued: '50.00' });

    // The clerk registers 4,000.00 on 03-20; finance confirms: 50.00 penalty first, 3,950.00 principal.
    const registered = await json(
      'clerk.b',
      'receipt',
      'register',
      '--contract',
      'E2E-1',
      '--amount',
      '4000.00',
      '--value-date',
      '2026-03-20',
      '--method',
      'transfer',
      '--payer',
      '张三',
    );
    expect(registered).toMatchObject({ type: 'receipt', status: 'registered', amount: '4000.00', valueDate: '2026-03-20' });
    expect((await as('clerk.b', 'receipt', 'confirm', String(registered.id))).code).toBe(3); // finance confirms
    expect((await json('fin.a', 'receipt', 'confirm', String(registered.id))).status).toBe('confirmed');
    shown = await json('fin.a', 'contract', 'show', 'E2E-1', '--as-of', '2026-04-09');
    // Days 03-21 … 04-09 (20) on 6,050.00 = 60.50: accrued 110.50, paid 50.00, outstanding 60.50.
    expect(shown.lines[0]).toMatchObject({
      amountPaid: '3950.00',
      outstanding: '6050.00',
      penaltyAccrued: '110.50',
      penaltyPaid: '50.00',
      penaltyOutstanding: '60.50',
    });

    // Waivers: above the outstanding penalty refused; 60.50 waits for finance; the applicant cannot approve it.
    const over = await as(
      'clerk.b',
      'waiver',
      'request',
      '--contract',
      'E2E-1',
      '--amount',
      '60.51',
      '--date',
      '2026-04-09',
      '--reason',
      '客户困难',
    );
    expect(over.code).toBe(2);
    expect(over.stderr).toMatch(/exceeds the outstanding penalty .*60\.50/);
    const waiver = await json(
      'clerk.b',
      'waiver',
      'request',
      '--contract',
      'E2E-1',
      '--amount',
      '60.50',
      '--date',
      '2026-04-09',
      '--reason',
      '客户困难',
    );
    expect(waiver).toMatchObject({ type: 'waiver', status: 'submitted', approval: 'pending', amount: '60.50' });
    const own = await as('clerk.b', 'approval', 'approve', String(waiver.id));
    expect(own.code).toBe(2);
    expect(own.stderr).toMatch(/nobody approves or rejects their own request/);
    expect((await as('fin.a', 'approval', 'approve', String(waiver.id))).code).toBe(0);
    shown = await json('fin.a', 'contract', 'show', 'E2E-1', '--as-of', '2026-04-09');
    expect(shown.totals).toMatchObject({ penaltyWaived: '60.50', penaltyOutstanding: '0.00' });

    // Settling now is refused with what is owed, per line and type; the quote says 6,050.00 + 5,000.00.
    const early = await as('fin.a', 'settle', 'E2E-1', '--date', '2026-04-09');
    expect(early.code).toBe(2);
    expect(early.stderr).toContain('installment 1 principal due 2026-03-10: 6050.00 outstanding');
    expect(early.stderr).toContain('installment 2 principal due 2026-04-10: 5000.00 outstanding');
    const quote = await json('fin.a', 'settle', 'E2E-1', '--quote', '--date', '2026-04-09');
    expect(quote).toMatchObject({ outstanding: '11050.00', penaltyOutstanding: '0.00', credit: '0.00', toPay: '11050.00' });

    // The payoff receipt, then the settlement.
    const payoff = await json(
      'clerk.b',
      'receipt',
      'register',
      '--contract',
      'E2E-1',
      '--amount',
      '11050.00',
      '--value-date',
      '2026-04-09',
    );
    await json('fin.a', 'receipt', 'confirm', String(payoff.id));
    const settled = await json('fin.a', 'settle', 'E2E-1', '--date', '2026-04-09');
    expect(settled).toMatchObject({ type: 'settlement', status: 'confirmed', valueDate: '2026-04-09' });
    shown = await json('fin.a', 'contract', 'show', 'E2E-1', '--as-of', '2026-05-01');
    expect(shown.status).toBe('settled');
    expect(shown.totals).toMatchObject({
      amountDue: '15000.00',
      amountPaid: '15000.00',
      outstanding: '0.00',
      penaltyAccrued: '110.50',
      penaltyPaid: '50.00',
      penaltyWaived: '60.50',
      penaltyOutstanding: '0.00',
      credit: '0.00',
    });

    // After settlement: no receipt; a locked receipt cannot be reversed.
    const late = await as('clerk.b', 'receipt', 'register', '--contract', 'E2E-1', '--amount', '1.00', '--value-date', '2026-05-01');
    expect(late.code).toBe(2);
    expect(late.stderr).toMatch(/settled/);
    expect((await as('fin.a', 'doc', 'lock', String(payoff.id))).code).toBe(0);
    const locked = await as('fin.a', 'receipt', 'reverse', String(payoff.id), '--reason', '退票');
    expect(locked.code).toBe(2);
    expect(locked.stderr).toMatch(/locked by finance review/);

    const list = await json('fin.a', 'receipt', 'list', '--contract', 'E2E-1');
    expect(list.map((r: { amount: string; status: string }) => [r.amount, r.status])).toEqual([
      ['4000.00', 'confirmed'],
      ['11050.00', 'confirmed'],
    ]);
  }, 240_000);

  it('15.22: tables speak Chinese names and #,##0.00 amounts; times are Asia/Shanghai with their zone; -5 and 0 are "more than zero"', async () => {
    const receipts = await as('fin.a', 'receipt', 'list', '--contract', 'E2E-1');
    expect(receipts.code, receipts.stderr).toBe(0);
    expect(receipts.stdout).toMatch(/已确认.*E2E-1\s+2026-04-09\s+11,050\.00/);
    expect(receipts.stdout).not.toMatch(/confirmed|11050\.00/);

    expect(
      (
        await as(
          'admin',
          'contract',
          'create',
          '--dealer',
          'E01',
          '--contract-no',
          'E2E-Q',
          '--customer',
          '李四',
          '--method',
          'custom',
          '--lines-file',
          'lines.csv',
        )
      ).code,
    ).toBe(0);
    const quote = await as('fin.a', 'settle', 'E2E-Q', '--quote', '--date', '2026-03-01');
    expect(quote.code, quote.stderr).toBe(0);
    expect(quote.stdout).toMatch(/1\s+货款\s+2026-03-10\s+10,000\.00/);
    expect(quote.stdout).toContain('to pay 15,000.00');

    const contracts = await as('fin.a', 'contract', 'list', '--as-of', '2026-05-01');
    expect(contracts.stdout).toMatch(/E2E-1\s.*已结清/);
    expect(contracts.stdout).toMatch(/E2E-Q\s.*正常/);
    expect(contracts.stdout).not.toMatch(/settled|active/);
    // JSON keeps the codes
    expect((await json('fin.a', 'contract', 'list', '--as-of', '2026-05-01')).map((c: { status: string }) => c.status)).toEqual([
      'settled',
      'active',
    ]);

    const audit = await json('admin', 'audit', 'log', '--limit', '3');
    for (const row of audit) expect(row.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);

    for (const amount of ['-5', '0']) {
      const refused = await as('clerk.b', 'receipt', 'register', '--contract', 'E2E-Q', '--amount', amount, '--value-date', '2026-03-01');
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('expected an amount of more than zero');
    }
  }, 120_000);

  it('reschedules, charges and buys back through the CLI, each a document with a new schedule version', async () => {
    const create = (no: string, ...extra: string[]) =>
      as('admin', 'contract', 'create', '--dealer', 'E01', '--contract-no', no, '--customer', `客户${no}`, ...extra);
    expect(
      (await create('E2E-RS', '--principal', '12000', '--method', 'interest_free', '--term-months', '4', '--first-due-date', '2026-05-10'))
        .code,
    ).toBe(0);
    // From 07-01: installments 3 and 4 (6,000.00) become 2 × 3,000.00, due 08-10 and 09-10 (numbered 3 and 4).
    const change = await json(
      'clerk.b',
      'contract',
      'reschedule',
      'E2E-RS',
      '--from',
      '2026-07-01',
      '--method',
      'interest_free',
      '--term-months',
      '2',
      '--first-due-date',
      '2026-08-10',
      '--reason',
      '客户申请展期',
    );
    expect(change).toMatchObject({ type: 'schedule_change', status: 'approved', amount: '6000.00', approval: 'approved' });
    const diff = await json('fin.a', 'contract', 'schedule', 'E2E-RS', '--diff');
    expect(diff.totals).toEqual({ from: '12000.00', to: '12000.00', removed: '6000.00', added: '6000.00' });
    expect(diff.added.map((l: { seq: number; dueDate: string }) => `${l.seq}:${l.dueDate}`)).toEqual(['3:2026-08-10', '4:2026-09-10']);
    const v1 = await json('fin.a', 'contract', 'schedule', 'E2E-RS', '--version', '1');
    expect(v1.lines.map((l: { dueDate: string }) => l.dueDate)).toEqual(['2026-05-10', '2026-06-10', '2026-07-10', '2026-08-10']);
    const bad = await as('clerk.b', 'contract', 'reschedule', 'E2E-RS', '--from', '2026-07-01', '--reason', 'x');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--term-months/);

    const charge = await json(
      'clerk.b',
      'contract',
      'charge',
      'E2E-RS',
      '--type',
      'on_behalf_payment',
      '--amount',
      '800',
      '--due',
      '2026-06-10',
      '--reason',
      '保险费代付',
    );
    expect(charge).toMatchObject({ type: 'charge', status: 'approved', amount: '800.00' });
    // Due with installment 2 (06-10): numbered 2. As of 06-30, 20 days × 800.00 × 0.0005 = 8.00.
    const shown = await json('fin.a', 'contract', 'show', 'E2E-RS', '--as-of', '2026-06-30');
    expect(shown.lines.find((l: { type: string }) => l.type === 'on_behalf_payment')).toMatchObject({ seq: 2, penaltyAccrued: '8.00' });

    expect(
      (
        await create(
          'E2E-BB',
          '--principal',
          '20000',
          '--method',
          'interest_free',
          '--term-months',
          '4',
          '--first-due-date',
          '2026-05-10',
          '--financier',
          '某某融资租赁公司',
        )
      ).code,
    ).toBe(0);
    const clerk = await as('clerk.b', 'buyback', 'E2E-BB', '--amount', '20500', '--date', '2026-06-30');
    expect(clerk.code).toBe(3); // finance only
    // On 06-30 the customer owed the financier 5,000.00 + 51 days' penalty 127.50 (05-11 … 06-30) and
    // 5,000.00 + 20 days' 50.00: closed by the transfer receipt of 10,177.50; 20,500.00 is the dealer's own line.
    const bought = await json('fin.a', 'buyback', 'E2E-BB', '--amount', '20500', '--date', '2026-06-30', '--reason', '代偿通知');
    expect(bought).toMatchObject({ type: 'buyback', status: 'approved', amount: '20500.00' });
    expect(bought.data).toMatchObject({ financier: '某某融资租赁公司', closed: '10177.50' });
    const after = await json('fin.a', 'contract', 'show', 'E2E-BB', '--as-of', '2026-06-30');
    expect(after.contract.heldBy).toBe('dealer');
    expect(after.totals).toMatchObject({ outstanding: '20500.00', penaltyOutstanding: '0.00' });
    const again = await as('fin.a', 'buyback', 'E2E-BB', '--amount', '1', '--date', '2026-07-01');
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/held by the dealer/);
  }, 240_000);
});
