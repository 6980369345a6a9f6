// Statements read from the database, on both databases: the closing figures equal `contract show --as-of TO`
// and the breakdown (restated, by customer) for the same date; the data scope — a collector prints only their
// customers, another dealer's user finds nothing and nothing is written; bad inputs in one line.
//
// The organisation of test/access/organisation.ts: contracts of 1,200.00 in three installments of 400.00 due
// 01-10, 02-10, 03-10; a receipt of 400.00 on HF-1 value-dated 2026-03-31. Penalty 0.0005 a day (0.20 a day a
// line): line 1 first takes its penalty 01-11…03-31 = 80 days × 0.20 = 16.00, then 384.00 of its principal.
// HF-1 as of 03-31: overdue 1,200.00 − 384.00 = 816.00; penalty 30.00 (80 + 49 + 21 days × 0.20), 16.00 paid →
// 14.00 owed; balance 816.00 + 14.00 = 830.00. Period 03-01…03-31: opening (02-28) 800.00 due + penalty to 02-28
// (line 1 01-11…02-28 49 days 9.80 + line 2 02-11…02-28 18 days 3.60 = 13.40) = 813.40; 03-10 + 400.00 → 1,213.40;
// 03-31 receipt − 400.00 → 813.40; penalty in March per line: line 1 31 days 6.20 → 819.60, line 2 31 days 6.20 →
// 825.80, line 3 03-11…03-31 21 days 4.20 → 830.00 (16.60 = 30.00 − 13.40).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { runAction } from '../../src/app/run.js';
import { BadInput, NotFound } from '../../src/core/errors.js';
import { dec, formatMoney } from '../../src/core/money.js';
import { readStatements } from '../../src/printing/statement-actions.js';
import { statementJson } from '../../src/printing/statement-view.js';
import { findContract } from '../../src/receivables/contracts.js';
import { recordConfirmedReceipt } from '../../src/receivables/receipts.js';
import { contractShow } from '../../src/receivables/show.js';
import { buildOrganisation } from '../access/organisation.js';
import { batch } from '../batch/fixtures.js';
import { type DbFixture, describeEachDb } from '../support/db.js';

const FROM = '2026-03-01';
const TO = '2026-03-31';

async function world(f: DbFixture) {
  await buildOrganisation(f.db.knex, f.admin);
  await f.db.knex.transaction((tx) =>
    recordConfirmedReceipt(tx, f.admin, {
      contract: { contractNo: 'HF-1', dealer: 'HF01' },
      valueDate: TO,
      amount: dec('400.00'),
      method: 'cash',
      documentNumber: 'HF-R1',
    }),
  );
  await batch(f.db, f.admin, TO);
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'zq-statement-db-'));
const print = (f: DbFixture, who: string, raw: Record<string, unknown>) =>
  runAction(f.db, who, 'statement.print', { from: FROM, to: TO, format: 'html', ...raw } as never, { via: 'test' });

describeEachDb('statement of account from the database', (get) => {
  it('runs HF-1 from its opening to its closing balance, hand-worked', async () => {
    const f = get();
    await world(f);
    const [s] = await readStatements(f.db.knex, f.admin, {
      who: { kind: 'contract', contractNo: 'HF-1', dealer: 'HF01' },
      from: FROM,
      to: TO,
    });
    const json = statementJson(s as NonNullable<typeof s>);
    expect(json.opening).toBe('813.40');
    expect(json.rows.filter((r) => r.kind !== 'allocation').map((r) => [r.date, r.kind, r.increase, r.decrease, r.balance])).toEqual([
      ['2026-03-10', 'due', '400.00', null, '1213.40'],
      ['2026-03-31', 'receipt', null, '400.00', '813.40'],
      ['2026-03-31', 'penalty', '6.20', null, '819.60'],
      ['2026-03-31', 'penalty', '6.20', null, '825.80'],
      ['2026-03-31', 'penalty', '4.20', null, '830.00'],
    ]);
    expect(json.closing).toMatchObject({ overdue: '816.00', penaltyOutstanding: '14.00', balance: '830.00' });
  });

  it('closes on the figures of contract show and of the breakdown for the same date, every customer', async () => {
    const f = get();
    const statements = await readStatements(f.db.knex, f.admin, { who: { kind: 'dealer', code: 'HF01' }, from: FROM, to: TO });
    expect(statements.map((s) => s.customer.name)).toEqual(['客户HF-1', '客户HF-2', '客户HF-3', '客户HF-4', '客户HF-5']);
    const breakdown = await runAction(
      f.db,
      'admin',
      'report.breakdown',
      { restated: true, asOf: TO, by: 'customer', dealer: 'HF01' },
      { via: 'test' },
    );
    for (const s of statements) {
      const json = statementJson(s);
      const contractNo = json.contracts[0]?.contractNo as string;
      const show = await contractShow(f.db.knex, await findContract(f.db.knex, contractNo, 'HF01'), TO);
      for (const k of [
        'amountDue',
        'amountPaid',
        'outstanding',
        'overdue',
        'penaltyAccrued',
        'penaltyPaid',
        'penaltyWaived',
        'penaltyOutstanding',
        'credit',
        'writtenOff',
      ] as const)
        expect(json.closing[k], `${contractNo} ${k}`).toBe(show.totals[k]);
      const row = breakdown.rows.find((r) => r.level === 'detail' && r.customer === s.customer.name);
      expect(row, s.customer.name).toBeDefined();
      for (const k of ['outstanding', 'notDue', 'overdue', 'penaltyOutstanding'] as const)
        expect(json.closing[k], `${s.customer.name} ${k}`).toBe(row?.[k]);
      // the running balance ends at the closing balance
      expect(json.rows.at(-1)?.balance ?? json.opening).toBe(json.closing.balance);
      const c = json.closing as Record<string, string>;
      const owed = dec(c.outstanding as string)
        .minus(c.notDue as string)
        .plus(c.penaltyOutstanding as string)
        .minus(c.credit as string);
      expect(c.balance).toBe(formatMoney(owed));
    }
  });

  it('prints for a collector only their customers; another dealer or team finds nothing and nothing is written', async () => {
    const f = get();
    const mine = tmp();
    const out = await print(f, 'hf.c1', { dealer: 'HF01', out: mine });
    expect(out.statements.map((s) => [s.customer, s.status])).toEqual([['客户HF-1', 'written']]);
    expect(fs.readdirSync(mine).sort()).toEqual(['HF01_客户HF-1_2026-03-31.html', 'statements_2026-03-31.csv']);
    const hf1 = await f.db.knex('contracts').where('contract_no', 'HF-1').first('customer_id');
    for (const [who, raw] of [
      ['wh.c1', { customer: String(hf1.customer_id) }],
      ['wh.mgr', { dealer: 'HF01' }],
      ['wh.c1', { contract: 'HF-1' }],
      ['hf.c1', { collector: 'hf.c2' }],
      ['hf.c1', { customer: String(hf1.customer_id + 1) }],
    ] as const) {
      const dir = tmp();
      await expect(print(f, who, { ...raw, out: dir }), `${who} ${JSON.stringify(raw)}`).rejects.toBeInstanceOf(NotFound);
      expect(fs.readdirSync(dir)).toEqual([]);
    }
    // a manager sees the team's customers
    const team = await print(f, 'hf.lead', { dealer: 'HF01', out: tmp() });
    expect(team.statements.map((s) => s.customer).sort()).toEqual(
      ['客户HF-1', '客户HF-2', '客户HF-3', '客户WH-3'].filter((c) => c !== '客户WH-3'),
    );
    // readers of the group print every dealer's customers by dealer
    const wh = await print(f, 'aud', { dealer: 'WH01', out: tmp() });
    expect(wh.statements).toHaveLength(3);
  });

  it('refuses bad inputs in one line, before anything is read or written', async () => {
    const f = get();
    const dir = tmp();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ dealer: 'HF01', collector: 'hf.c1' }, /exactly one of --customer ID, --contract NO, --collector USER, --dealer CODE/],
      [{ customer: 'abc' }, /a customer's id/],
      [{ dealer: 'HF01', from: '2026-04-01' }, /a date on or after/],
      [{ dealer: 'HF01', format: 'doc' }, /pdf, xlsx, html/],
      [{ dealer: 'HF01', merge: true, format: 'html' }, /PDF statements/],
      [{ dealer: 'HF01', out: path.join(dir, 'missing', 'x') }, /an existing folder/],
      [{ dealer: 'HF01', out: path.join(dir, 'all.html') }, /a folder: 5 customers' statements/],
    ];
    for (const [raw, message] of cases) {
      const err = await print(f, 'admin', { out: dir, ...raw }).catch((e: unknown) => e);
      expect(err, JSON.stringify(raw)).toBeInstanceOf(BadInput);
      expect(String((err as Error).message)).toMatch(message);
    }
    fs.writeFileSync(path.join(dir, 'taken.html'), 'mine');
    await expect(print(f, 'admin', { contract: 'HF-1', out: path.join(dir, 'taken.html') })).rejects.toThrow(
      /does not exist yet \(--force replaces it\)/,
    );
    expect(fs.readdirSync(dir)).toEqual(['taken.html']);
  });
});
