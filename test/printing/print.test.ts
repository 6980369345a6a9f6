// The receipt voucher and the collection notice without a browser, on both databases: their figures (the
// receipt's own and `contract show`'s), the Handlebars output, the print history (补打 and its count), scope
// (another dealer's user, another collector: not found, nothing written) and bad inputs. The small world of
// test/reports/more-fixtures.ts, penalty 0.0005 a day:
//   R2 (HF01 A4 赵六, c2): 802.00 cash on 2026-05-20 → 2.00 penalty (5 days × 800.00 × 0.0005), 800.00 principal.
//   R4 (WH01 W1 孙七): 500.00 cash on 06-05, reversed (录入错误).
//   Notices of c1 as of 2026-06-30:
//     A1 张三: line 1 principal 1,000.00 due 04-10, 81 days, penalty 81 × 1,000.00 × 0.0005 = 40.50;
//        line 2 interest 100.00 due 06-10, 20 days, 20 × 100.00 × 0.0005 = 1.00 → 1,100.00 + 41.50 = 1,141.50
//     A2 李四: 3,000.00 due 06-01, 1,000.00 paid that day → 2,000.00, 29 days, 29.00 → 2,029.00
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { loadActor } from '../../src/access/actor.js';
import { runAction } from '../../src/app/run.js';
import { BadInput, NotFound, Refused } from '../../src/core/errors.js';
import { dec } from '../../src/core/money.js';
import { loadDocument } from '../../src/documents/index.js';
import { collectionNotices, noticeHtml } from '../../src/printing/notice.js';
import type { NoticePrintResult } from '../../src/printing/print-actions.js';
import { prepareVoucher, voucherContext } from '../../src/printing/receipt-voucher.js';
import { registerReceipt } from '../../src/receivables/receipts.js';
import type { ContractShow } from '../../src/receivables/show.js';
import { buildWorld } from '../reports/more-fixtures.js';
import { type DbFixture, describeEachDb } from '../support/db.js';

const AS_OF = '2026-06-30';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zq-print-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const receiptId = async (f: DbFixture, number: string): Promise<number> =>
  (await f.db.knex('documents').where({ type: 'receipt', number }).first('id')).id;
const written = async (f: DbFixture) => ({
  prints: Number((await f.db.knex('document_prints').count('* as n').first())?.n),
  audit: Number((await f.db.knex('audit_log').count('* as n').first())?.n),
});

describeEachDb('receipt voucher and collection notice', (get) => {
  it('builds the world and the dealer’s letterhead', async () => {
    await buildWorld(get().db, get().admin);
    await runAction(
      get().db,
      'admin',
      'dealer.update',
      {
        code: 'HF01',
        address: '合肥市蜀山区长江西路 100 号',
        phone: '0551-65001234',
        bankName: '工商银行合肥分行',
        bankAccount: '1302 0101 0900 0123 456',
      },
      { via: 'test' },
    );
    const shown = await runAction(get().db, 'c1', 'dealer.show', { code: 'HF01' }, { via: 'test' });
    expect(shown).toMatchObject({
      code: 'HF01',
      address: '合肥市蜀山区长江西路 100 号',
      phone: '0551-65001234',
      bankAccount: '1302 0101 0900 0123 456',
    });
    await expect(runAction(get().db, 'w1', 'dealer.show', { code: 'HF01' }, { via: 'test' })).rejects.toThrow(NotFound);
    await expect(runAction(get().db, 'admin', 'dealer.update', { code: 'HF01', phone: 'x'.repeat(201) }, { via: 'test' })).rejects.toThrow(
      'phone: "xxxx',
    );
    // '' clears a field
    await runAction(get().db, 'admin', 'dealer.update', { code: 'WH01', phone: '0553-1' }, { via: 'test' });
    const cleared = await runAction(get().db, 'admin', 'dealer.update', { code: 'WH01', phone: '' }, { via: 'test' });
    expect(cleared.phone).toBeNull();
  });

  it('the voucher of R2: figures, capitals, allocation, cashier and confirmer, in the Handlebars output', async () => {
    const f = get();
    const id = await receiptId(f, 'R2');
    const context = await voucherContext(f.db.knex, f.admin, await loadDocument(f.db.knex, id), 1);
    expect(context).toMatchObject({
      number: 'R2',
      valueDate: '2026-05-20',
      payer: '赵六',
      customer: '赵六',
      contractNo: 'A4',
      amount: '802.00',
      method: 'cash',
      account: 'CASH',
      reprint: false,
      voided: false,
      allocations: [
        { seq: 1, type: '货款', kind: '核销', amount: '800.00' },
        { seq: 1, type: '货款', kind: '核销罚息', amount: '2.00' },
      ],
    });
    expect(context.signatures.map((s) => s.name)).toEqual(['系统管理员', '系统管理员', '']);
    await f.db.knex.transaction(async (tx) => {
      const { html, print } = await prepareVoucher(tx, f.admin, await loadDocument(tx, id), (copy) => path.join(dir, `r2-${copy}.pdf`));
      expect(print).toMatchObject({ number: 'R2', copy: 1, reprint: false, voided: false });
      const text = html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
      for (const s of [
        '合肥代理店',
        '合肥市蜀山区长江西路 100 号',
        'No. R2',
        '2026年5月20日',
        '赵六',
        '¥802.00',
        '人民币捌佰零贰元整',
        '800.00',
        '2.00',
        '核销罚息',
      ])
        expect(text).toContain(s);
      expect(text).not.toContain('补打');
      expect(text).not.toContain('作 废');
      const again = await prepareVoucher(tx, f.admin, await loadDocument(tx, id), (copy) => path.join(dir, `r2-${copy}.pdf`));
      expect(again.print).toMatchObject({ copy: 2, reprint: true, file: path.join(dir, 'r2-2.pdf') });
      expect(again.html).toContain('补打（第 2 次打印）');
      expect(await tx('document_prints').where({ document_id: id }).orderBy('copy').pluck('copy')).toEqual([1, 2]);
      await expect(tx('document_prints').where({ document_id: id }).delete()).rejects.toThrow();
    });
  });

  it('a reversed receipt prints 作废 and no allocation', async () => {
    const f = get();
    const doc = await loadDocument(f.db.knex, await receiptId(f, 'R4'));
    const context = await voucherContext(f.db.knex, f.admin, doc, 1);
    expect(context).toMatchObject({ voided: true, allocations: [], reversal: { reason: '录入错误' } });
    const html = await f.db.knex.transaction(async (tx) => (await prepareVoucher(tx, f.admin, doc, () => path.join(dir, 'r4.pdf'))).html);
    expect(html).toContain('<div class="stamp">作　废</div>');
    expect(html).toContain('人民币伍佰元整');
  });

  it('scope and refusals: not found for another dealer and another collector; nothing written', async () => {
    const f = get();
    const r2 = await receiptId(f, 'R2');
    const before = await written(f);
    const print = (who: string, raw: Record<string, unknown>) =>
      runAction(f.db, who, 'receipt.print', raw as { id: string }, { via: 'test' });
    await expect(print('w1', { id: String(r2), out: path.join(dir, 'x.pdf') })).rejects.toThrow(NotFound);
    await expect(print('c1', { id: String(r2), out: path.join(dir, 'x.pdf') })).rejects.toThrow(NotFound);
    await expect(print('admin', { id: '999999', out: path.join(dir, 'x.pdf') })).rejects.toThrow(NotFound);
    await expect(print('admin', { id: 'R2' })).rejects.toThrow('id: "R2" — expected a receipt id');
    await expect(print('admin', { id: String(r2), out: path.join(dir, 'x.txt') })).rejects.toThrow(BadInput);
    fs.writeFileSync(path.join(dir, 'taken.pdf'), 'mine');
    await expect(print('admin', { id: String(r2), out: path.join(dir, 'taken.pdf') })).rejects.toThrow(
      'a file that does not exist yet (--force replaces it)',
    );
    // a registered receipt has no voucher yet
    const registered = await f.db.knex.transaction((tx) =>
      registerReceipt(tx, f.admin, {
        contract: { contractNo: 'A1', dealer: 'HF01' },
        amount: dec('10.00'),
        valueDate: '2026-06-30',
      }),
    );
    await expect(print('admin', { id: String(registered.id), out: path.join(dir, 'x.pdf') })).rejects.toThrow(Refused);
    await expect(print('admin', { id: String(registered.id), out: path.join(dir, 'x.pdf') })).rejects.toThrow(
      /is registered: a voucher is printed for a confirmed receipt/,
    );
    const after = await written(f);
    expect(after.prints).toBe(before.prints);
    expect(after.audit).toBe(before.audit + 1); // the registration's own row only
    expect(fs.existsSync(path.join(dir, 'x.pdf'))).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'taken.pdf'), 'utf8')).toBe('mine');
  });

  it('the notices of c1: contract show’s figures for the date, the total to pay, the collector', async () => {
    const f = get();
    const c1 = await loadActor(f.db.knex, 'c1');
    const notices = await collectionNotices(f.db.knex, c1, { collector: 'c1', asOf: AS_OF, minOverdueDays: 1 });
    expect(notices.map((n) => [n.contractNo, n.overdueDays, n.overdue, n.penaltyOutstanding, n.total])).toEqual([
      ['A1', 81, '1100.00', '41.50', '1141.50'],
      ['A2', 29, '2000.00', '29.00', '2029.00'],
    ]);
    const [a1] = notices;
    expect(a1?.lines).toEqual([
      {
        seq: 1,
        type: '货款',
        dueDate: '2026-04-10',
        amountDue: '1000.00',
        outstanding: '1000.00',
        overdueDays: 81,
        penaltyOutstanding: '40.50',
      },
      {
        seq: 2,
        type: '利息',
        dueDate: '2026-06-10',
        amountDue: '100.00',
        outstanding: '100.00',
        overdueDays: 20,
        penaltyOutstanding: '1.00',
      },
    ]);
    expect(a1?.collector).toEqual({ username: 'c1', name: 'c1', phone: null });
    for (const n of notices) {
      const show = (await runAction(
        f.db,
        'c1',
        'contract.show',
        { contractNo: n.contractNo, dealer: 'HF01', asOf: AS_OF },
        { via: 'test' },
      )) as ContractShow;
      expect([n.overdue, n.penaltyOutstanding]).toEqual([show.totals.overdue, show.totals.penaltyOutstanding]);
    }
    const text = noticeHtml(a1 as (typeof notices)[number], 'c1')
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ');
    for (const s of [
      '尊敬的 张三',
      'SY215C SN-A1',
      '2026年4月10日',
      '1,000.00',
      '40.50',
      '1,100.00',
      '41.50',
      '¥1,141.50',
      '人民币壹仟壹佰肆拾壹元伍角整',
      '催收员：c1',
    ])
      expect(text).toContain(s);
    expect(text).toContain('开户行：工商银行合肥分行 账号：1302 0101 0900 0123 456');
    const longer = await collectionNotices(f.db.knex, c1, { collector: 'c1', asOf: AS_OF, minOverdueDays: 30 });
    expect(longer.map((n) => n.contractNo)).toEqual(['A1']);
  });

  it('notice scope and bad inputs: another dealer’s contract, another collector and another dealer are not found', async () => {
    const f = get();
    const notice = (who: string, raw: Record<string, unknown>) =>
      runAction(f.db, who, 'notice.print', raw, { via: 'test' }) as Promise<NoticePrintResult>;
    await expect(notice('w1', { contract: 'A1', asOf: AS_OF, out: dir })).rejects.toThrow(NotFound);
    await expect(notice('c2', { contract: 'A1', asOf: AS_OF, out: dir })).rejects.toThrow(NotFound);
    // an empty batch of notices would say that c1 and HF01 exist
    await expect(notice('c2', { collector: 'c1', asOf: AS_OF, out: dir })).rejects.toThrow('collector not found: "c1"');
    await expect(notice('w1', { dealer: 'HF01', asOf: AS_OF, out: dir })).rejects.toThrow('dealer not found: "HF01"');
    await expect(notice('c1', { asOf: AS_OF })).rejects.toThrow(
      'collector: missing — expected one of --collector USER, --dealer CODE or --contract NO',
    );
    await expect(notice('c1', { contract: 'A1', collector: 'c1' })).rejects.toThrow(BadInput);
    await expect(notice('c1', { collector: 'c1', asOf: '2026-02-30' })).rejects.toThrow('asOf: "2026-02-30"');
    await expect(notice('c1', { collector: 'c1', minOverdueDays: 'ten' })).rejects.toThrow('minOverdueDays: "ten"');
    await expect(notice('c1', { collector: 'c1', out: path.join(dir, 'nope', 'x') })).rejects.toThrow(
      'an existing folder or a file name ending in .pdf',
    );
    expect(fs.readdirSync(dir).filter((n) => n.startsWith('notice'))).toEqual([]);
  });
});
