// The importer against the database: every fixture imports, re-import is idempotent, corrections are
// changes (old → new) applied by reversal, conflicts are refused, bad files import nothing, dry runs write
// nothing, receipts import once. On PGlite and, with ZQ_TEST_DATABASE_URL, PostgreSQL.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { dec } from '../../src/core/money.js';
import { importFile } from '../../src/imports/index.js';
import { addDealer, addUser } from '../../src/organisation/index.js';
import { findContract } from '../../src/receivables/contracts.js';
import { recordConfirmedReceipt } from '../../src/receivables/receipts.js';
import { type DbFixture, describeEachDb } from '../support/db.js';
import { fixture } from './support.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zq-import-db-'));
const AS_OF = '2026-03-31';
const HEADER = '经销商,合同编号,客户名称,证件号码,联系电话,期次,款项类型,应还日期,应还金额,已还金额,已计罚息,已收罚息';

function writeCsv(name: string, rows: string[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `\uFEFF${[HEADER, ...rows].join('\r\n')}\r\n`);
  return file;
}

async function count(f: DbFixture, table: string, where: Record<string, unknown> = {}): Promise<number> {
  const [row] = await f.db.knex(table).where(where).count<{ n: number }[]>({ n: '*' });
  return Number(row?.n ?? 0);
}

/** Net of the postings of one kind on a line (reversals subtract). */
async function net(f: DbFixture, dealer: string, contractNo: string, seq: number, type: string, kind: string): Promise<string> {
  const ref = await findContract(f.db.knex, contractNo, dealer);
  const row = await f.db
    .knex('postings as p')
    .join('schedule_lines as l', 'l.id', 'p.schedule_line_id')
    .where({ 'p.contract_id': ref.id, 'l.seq': seq, 'l.receivable_type': type, 'p.kind': kind })
    .first(f.db.knex.raw('coalesce(sum(p.signed_amount), 0)::numeric(18,2)::text as total'));
  return row.total;
}

/**
 * Lines whose cached paid amount and latest payment date (schedule_lines.paid, paid_last) differ from their
 * postings': an import writes a new contract's lines with them and its opening postings leave them as they are.
 */
async function cacheMismatches(f: DbFixture): Promise<unknown[]> {
  const result = await f.db.knex.raw(
    `SELECT l.id, l.paid, l.paid_last, x.total, x.last FROM schedule_lines l
     LEFT JOIN (SELECT schedule_line_id, sum(signed_amount) AS total, max(value_date) AS last FROM postings
                WHERE kind IN ('allocation', 'opening_paid', 'credit_application') GROUP BY schedule_line_id) x
       ON x.schedule_line_id = l.id
     WHERE l.paid <> coalesce(x.total, 0) OR l.paid_last IS DISTINCT FROM x.last`,
  );
  return result.rows;
}

async function linePaid(f: DbFixture, contractNo: string, seq: number): Promise<string> {
  const l = await f.db
    .knex('schedule_lines as l')
    .join('contracts as c', 'c.id', 'l.contract_id')
    .where({ 'c.contract_no': contractNo, 'l.seq': seq, 'l.receivable_type': 'principal' })
    .first('l.paid', 'l.paid_last');
  return `${l.paid} ${l.paid_last}`;
}

describeEachDb('zq import into the database', (get) => {
  it('sets up two dealers and a collector', async () => {
    const { db, admin } = get();
    await db.knex.transaction(async (tx) => {
      await addDealer(tx, admin, { code: 'HF01', name: '合肥代理店' });
      await addDealer(tx, admin, { code: 'WH01', name: '芜湖代理店' });
      await addUser(tx, admin, { username: 'zhou.min', name: '周敏', roles: ['collector'], dealer: 'HF01' });
    });
  });

  it('imports a UTF-8 ledger: contracts, customers, machines, lines and the opening position', async () => {
    const f = get();
    const s = await importFile(f.db, f.admin, fixture('ledger-hf01-utf8bom.csv'), { asOf: AS_OF });
    expect(s.status).toBe('imported');
    expect(s.kind).toBe('ledger');
    expect(s.rowsRead).toBe(12);
    expect(s.rowsRejected).toBe(0);
    expect(s.counts).toMatchObject({ contractsCreated: 4, customersCreated: 4, linesCreated: 12 });
    expect(s.warnings).toEqual([expect.stringMatching(/collector "孙磊" is not a user/)]);
    // HF-2025-0001 installment 2: 36,000.00 due, 20,000.00 paid and 48.00 penalty accrued before the cut-over.
    expect(await net(f, 'HF01', 'HF-2025-0001', 2, 'principal', 'opening_paid')).toBe('20000.00');
    expect(await net(f, 'HF01', 'HF-2025-0001', 2, 'principal', 'opening_penalty')).toBe('48.00');
    const contract = await f.db.knex('contracts').where({ contract_no: 'HF-2025-0001' }).first();
    expect(contract.cutover_date).toBe(AS_OF);
    expect(contract.method).toBe('custom');
    const collector = await f.db.knex('users').where({ id: contract.collector_id }).first('username');
    expect(collector.username).toBe('zhou.min');
    const postings = await f.db.knex('postings').whereNotNull('value_date').pluck('value_date');
    expect(new Set(postings)).toEqual(new Set([AS_OF]));
    // the line carries what it was paid, as of the cut-over; so does every line, as its postings say
    expect(await linePaid(f, 'HF-2025-0001', 2)).toBe(`20000.00 ${AS_OF}`);
    expect(await cacheMismatches(f)).toEqual([]);
  });

  it('the same file again changes nothing and says when it was imported before', async () => {
    const f = get();
    const before = await count(f, 'postings');
    const s = await importFile(f.db, f.admin, fixture('ledger-hf01-utf8bom.csv'), { asOf: AS_OF });
    expect(s.status).toBe('unchanged');
    expect(s.previousImport?.id).toBeGreaterThan(0);
    expect(s.changes).toEqual([]);
    expect(await count(f, 'postings')).toBe(before);
  });

  it('a corrected file updates what changed, reports old → new, and corrects postings by reversal', async () => {
    const f = get();
    const file = writeCsv('corrected.csv', [
      'HF01,HF-2025-0001,张伟,340104198803151239,13805510001,2,货款,2026-03-05,36000.00,25000.00,48.00,0',
    ]);
    const s = await importFile(f.db, f.admin, file, { asOf: AS_OF });
    expect(s.status).toBe('imported');
    expect(s.changes).toEqual([
      {
        entity: 'line',
        key: 'HF01/HF-2025-0001#2:principal',
        field: '已还金额',
        old: '20000.00 @2026-03-31',
        new: '25000.00 @2026-03-31',
        outcome: 'applied',
        reason: null,
      },
    ]);
    expect(await net(f, 'HF01', 'HF-2025-0001', 2, 'principal', 'opening_paid')).toBe('25000.00');
    const reversals = await f.db.knex('postings').whereNotNull('reverses_id').count<{ n: number }[]>({ n: '*' });
    expect(Number(reversals[0]?.n)).toBe(1);
    // a stored line's correction goes through its postings: −20,000.00 + 25,000.00
    expect(await linePaid(f, 'HF-2025-0001', 2)).toBe(`25000.00 ${AS_OF}`);
    expect(await cacheMismatches(f)).toEqual([]);
  });

  it('a change that confirmed documents or later postings depend on is a conflict, never applied', async () => {
    const f = get();
    await f.db.knex.transaction(async (tx) => {
      const ref = await findContract(tx, 'HF-2025-0002', 'HF01');
      await recordConfirmedReceipt(tx, f.admin, { contract: ref, valueDate: '2026-04-10', amount: dec('1000.00') });
    });
    const file = writeCsv('conflict.csv', ['HF01,HF-2025-0002,王建国,340122197507025613,13956021188,2,货款,2026-02-08,15000.00,0,92.00,0']);
    const s = await importFile(f.db, f.admin, file, { asOf: AS_OF });
    const conflict = s.changes.find((c) => c.field === 'amount_due');
    expect(conflict).toMatchObject({ key: 'HF01/HF-2025-0002#2:principal', old: '15333.33', new: '15000.00', outcome: 'conflict' });
    expect(conflict?.reason).toMatch(/confirmed or locked documents/);
    const line = await f.db
      .knex('schedule_lines as l')
      .join('contracts as c', 'c.id', 'l.contract_id')
      .where({ 'c.contract_no': 'HF-2025-0002', 'l.seq': 2, 'l.receivable_type': 'principal' })
      .first('l.amount_due');
    expect(line.amount_due).toBe('15333.33');
  });

  it('a file with any bad row imports nothing; the attempt and every error are recorded', async () => {
    const f = get();
    const contracts = await count(f, 'contracts');
    const s = await importFile(f.db, f.admin, fixture('ledger-bad-rows.csv'), { asOf: AS_OF, dealer: 'HF01' });
    expect(s.status).toBe('rejected');
    expect(s.rowsImported).toBe(0);
    expect(s.errors.length).toBeGreaterThanOrEqual(7);
    expect(s.errors[0]).toMatchObject({
      file: fixture('ledger-bad-rows.csv'),
      sheet: null,
      rowNumber: 3,
      column: '应还日期',
      value: '2026-02-30',
    });
    expect(await count(f, 'contracts')).toBe(contracts);
    expect(await count(f, 'import_errors', { import_id: s.importId })).toBe(s.errors.length);
  });

  it('--skip-invalid imports the good contracts whole and lists the bad rows; --dry-run writes nothing', async () => {
    const f = get();
    const file = writeCsv('mixed.csv', [
      'HF01,HT-OK-1,赵一,,13900000001,1,货款,2026-04-10,1000.00,0,0,0',
      'HF01,HT-OK-1,赵一,,13900000001,2,货款,2026-05-10,1000.00,0,0,0',
      'HF01,HT-BAD-1,钱二,,13900000002,1,货款,2026-04-10,1000.00,0,0,0',
      'HF01,HT-BAD-1,钱二,,13900000002,2,货款,2026-13-10,1000.00,0,0,0',
    ]);
    const dry = await importFile(f.db, f.admin, file, { asOf: AS_OF, skipInvalid: true, dryRun: true });
    expect(dry.status).toBe('dry_run');
    expect(dry.counts.contractsCreated).toBe(1);
    expect(await count(f, 'contracts', { contract_no: 'HT-OK-1' })).toBe(0);
    const s = await importFile(f.db, f.admin, file, { asOf: AS_OF, skipInvalid: true });
    expect(s.status).toBe('imported');
    expect(s.rowsRejected).toBe(1);
    expect(s.rowsImported).toBe(2);
    expect(await count(f, 'contracts', { contract_no: 'HT-OK-1' })).toBe(1);
    expect(await count(f, 'contracts', { contract_no: 'HT-BAD-1' })).toBe(0);
  });

  it('the same contract number at two dealers is two contracts (dealers are namespaces)', async () => {
    const f = get();
    const file = writeCsv('two-dealers.csv', [
      'HF01,HT-SAME,孙三,,13900000003,1,货款,2026-04-10,500.00,0,0,0',
      'WH01,HT-SAME,李四,,13900000004,1,货款,2026-04-10,700.00,0,0,0',
    ]);
    const s = await importFile(f.db, f.admin, file, { asOf: AS_OF });
    expect(s.counts.contractsCreated).toBe(2);
    const dealers = await f.db
      .knex('contracts as c')
      .join('dealers as d', 'd.id', 'c.dealer_id')
      .where('c.contract_no', 'HT-SAME')
      .orderBy('d.code')
      .pluck('d.code');
    expect(dealers).toEqual(['HF01', 'WH01']);
    await expect(findContract(f.db.knex, 'HT-SAME')).rejects.toThrow(/exists at HF01, WH01/);
  });

  it('--create-dealers creates the dealers a file names, also after its first rows are loaded', async () => {
    const f = get();
    const file = writeCsv('new-dealers.csv', [
      'NEW01,ND-1,郑七,,13900000007,1,货款,2026-04-10,500.00,0,0,0',
      'NEW02,ND-2,王八,,13900000008,1,货款,2026-04-10,600.00,0,0,0',
    ]);
    const s = await importFile(f.db, f.admin, file, { asOf: AS_OF, createDealers: true });
    expect(s.status).toBe('imported');
    expect(s.counts).toMatchObject({ contractsCreated: 2, linesCreated: 2 });
    expect(s.warnings.filter((w) => w.includes('created with its code as its name'))).toHaveLength(2);
    expect(await count(f, 'dealers', { code: 'NEW02' })).toBe(1);
  });

  it('the same contract twice in one file with different customers is a row error', async () => {
    const f = get();
    const file = writeCsv('inconsistent.csv', [
      'HF01,HT-X,周五,,13900000005,1,货款,2026-04-10,500.00,0,0,0',
      'HF01,HT-X,吴六,,13900000006,2,货款,2026-05-10,500.00,0,0,0',
      'HF01,HT-X,周五,,13900000005,1,货款,2026-04-10,500.00,0,0,0',
    ]);
    const s = await importFile(f.db, f.admin, file, { asOf: AS_OF });
    expect(s.status).toBe('rejected');
    // 17.1: the reader names each contract-level column that differs from the contract's first row (customer and
    // phone); row 4 repeats installment 1
    expect(s.errors.map((e) => e.column).sort()).toEqual(['客户名称', '期次', '联系电话']);
    // The same name with two ID numbers is two customers too.
    const ids = writeCsv('inconsistent-id.csv', [
      'HF01,HT-Y,周五,340100000000000001,,1,货款,2026-04-10,500.00,0,0,0',
      'HF01,HT-Y,周五,340100000000000002,,2,货款,2026-05-10,500.00,0,0,0',
    ]);
    const t = await importFile(f.db, f.admin, ids, { asOf: AS_OF });
    expect(t.status).toBe('rejected');
    expect(t.errors.map((e) => [e.rowNumber, e.column])).toEqual([[3, '证件号码']]);
  });

  it('receipts import confirmed and allocated, each row only once however often the file is imported', async () => {
    const f = get();
    const s = await importFile(f.db, f.admin, fixture('receipts-hf01-gbk.csv'), { dealer: 'HF01' });
    expect(s.kind).toBe('receipts');
    expect(s.status).toBe('imported');
    expect(s.counts.receiptsCreated).toBe(5);
    const receipts = await count(f, 'documents', { type: 'receipt', status: 'confirmed' });
    const again = await importFile(f.db, f.admin, fixture('receipts-hf01-gbk.csv'), { dealer: 'HF01' });
    expect(again.status).toBe('unchanged');
    expect(again.counts).toMatchObject({ receiptsCreated: 0, receiptsDuplicate: 5 });
    expect(await count(f, 'documents', { type: 'receipt', status: 'confirmed' })).toBe(receipts);
    // and after every import, each line's cached figures are its postings'
    expect(await cacheMismatches(f)).toEqual([]);
  });

  it('property: junk rows never crash the importer and never leave a partial import', async () => {
    const f = get();
    const cell = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom('', '1.5万', '(1,2)', '2026-02-30', '第3期', '货款', '¥', '合计', '12.345', '-1', 'HF01', '20260105'),
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(cell, { minLength: 12, maxLength: 12 }), { minLength: 1, maxLength: 6 }), async (rows) => {
        const file = writeCsv(
          `junk-${run++}.csv`,
          rows.map((r) => r.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')),
        );
        const before = {
          contracts: await count(f, 'contracts'),
          postings: await count(f, 'postings'),
          lines: await count(f, 'schedule_lines'),
        };
        const s = await importFile(f.db, f.admin, file, { asOf: AS_OF });
        expect(['imported', 'rejected', 'unchanged']).toContain(s.status);
        if (s.status === 'rejected') {
          expect(await count(f, 'contracts')).toBe(before.contracts);
          expect(await count(f, 'postings')).toBe(before.postings);
          expect(await count(f, 'schedule_lines')).toBe(before.lines);
        }
      }),
      { numRuns: 25 },
    );
  });
});
