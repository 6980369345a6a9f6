// Issue 17.3: a dealer's ledger compared with ours (import.compare), read as an import reads it, writing
// nothing: equal after importing it; a changed paid amount, an extra line, a missing and an extra contract
// each named with both figures; the workbook read back; the scope of a dealer's staff. Both databases.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { expect, it } from 'vitest';
import { runAction } from '../../src/app/run.js';
import { BadInput, NotAllowed } from '../../src/core/errors.js';
import { importFile } from '../../src/imports/index.js';
import { addDealer, addUser } from '../../src/organisation/index.js';
import { showContract } from '../../src/receivables/show.js';
import { type DbFixture, describeEachDb } from '../support/db.js';

const AS_OF = '2026-03-31';
const HEADER = '经销商,合同编号,客户名称,联系电话,期次,款项类型,应还日期,应还金额,已还金额,已计罚息,已收罚息';
// HF-C1: three installments of 10,000.00; the second 4,000.00 paid, 120.50 penalty accrued, 20.00 of it paid.
const C1 = [
  'HF01,HF-C1,张三,13800000001,1,货款,2026-01-15,10000.00,10000.00,0,0',
  'HF01,HF-C1,张三,13800000001,2,货款,2026-02-15,10000.00,4000.00,120.50,20.00',
  'HF01,HF-C1,张三,13800000001,3,货款,2026-03-15,10000.00,0,0,0',
];
// HF-C2: two installments of 5,000.00, the first paid.
const C2 = [
  'HF01,HF-C2,李四,13800000002,1,货款,2026-02-20,5000.00,5000.00,0,0',
  'HF01,HF-C2,李四,13800000002,2,货款,2026-03-20,5000.00,0,0,0',
];

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zq-compare-'));
function writeCsv(name: string, rows: string[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `\uFEFF${[HEADER, ...rows].join('\r\n')}\r\n`);
  return file;
}

const LEDGER = writeCsv('ledger.csv', [...C1, ...C2]);
// The dealer's next ledger: 6,500.00 paid on HF-C1 #2 (we have 4,000.00) and 150.50 penalty accrued (we have
// 120.50); a fourth installment of HF-C1 we do not have; HF-C2 missing; HF-C3 we do not have.
const CHANGED = writeCsv('changed.csv', [
  C1[0] as string,
  'HF01,HF-C1,张三,13800000001,2,货款,2026-02-15,10000.00,6500.00,150.50,20.00',
  C1[2] as string,
  'HF01,HF-C1,张三,13800000001,4,货款,2026-04-15,10000.00,0,0,0',
  'HF01,HF-C3,王五,13800000003,1,货款,2026-03-25,8000.00,0,0,0',
  'HF01,HF-C3,王五,13800000003,2,货款,2026-04-25,8000.00,0,0,0',
]);

const compare = (f: DbFixture, raw: Record<string, unknown>, who: string = 'admin') =>
  runAction(f.db, who, 'import.compare', { files: [LEDGER], asOf: AS_OF, ...raw }, { via: 'test' });

async function counts(f: DbFixture): Promise<number[]> {
  const n = async (table: string) => Number((await f.db.knex(table).count<{ n: number }[]>({ n: '*' }))[0]?.n ?? 0);
  return [await n('imports'), await n('contracts'), await n('schedule_lines'), await n('postings'), await n('audit_log')];
}

describeEachDb('zq import --compare (17.3)', (get) => {
  it('sets up two dealers, a clerk of WH01 and an auditor, and imports the ledger', async () => {
    const { db, admin } = get();
    await db.knex.transaction(async (tx) => {
      await addDealer(tx, admin, { code: 'HF01', name: '合肥代理店' });
      await addDealer(tx, admin, { code: 'WH01', name: '芜湖代理店' });
      await addUser(tx, admin, { username: 'wh.clerk', name: '芜湖内勤', roles: ['clerk'], dealer: 'WH01' });
      await addUser(tx, admin, { username: 'aud', name: '审计', roles: ['auditor'] });
    });
    const s = await importFile(db, admin, LEDGER, { asOf: AS_OF });
    expect(s.status).toBe('imported');
  });

  it('17.3: the ledger just imported equals ours: no difference, outcome equal (exit 0); nothing written', async () => {
    const f = get();
    const before = await counts(f);
    const c = await compare(f, {});
    expect(c.outcome).toBe('equal');
    expect(c).toMatchObject({ dealers: ['HF01'], rowsRead: 5, contractsCompared: 2, linesCompared: 5, errorCount: 0 });
    expect([c.differences, c.onlyInFile, c.onlyInSystem]).toEqual([[], [], []]);
    expect(await counts(f)).toEqual(before);
  });

  it('17.3: a changed paid amount, an extra line, a missing and an extra contract: each named with both figures', async () => {
    const f = get();
    const before = await counts(f);
    const c = await runAction(f.db, 'aud', 'import.compare', { files: [CHANGED], asOf: AS_OF }, { via: 'test' });
    expect(c.outcome).toBe('different');
    expect(c.contractsCompared).toBe(1);
    expect(c.linesCompared).toBe(4);
    const pick = (d: (typeof c.differences)[number]) => [
      d.contractNo,
      d.seq,
      d.presence,
      d.rowNumber,
      d.field,
      d.file,
      d.system,
      d.difference,
    ];
    expect(c.differences.map(pick)).toEqual([
      // 6,500.00 − 4,000.00 = 2,500.00 more paid; outstanding 10,000.00 − 6,500.00 = 3,500.00 against 6,000.00
      ['HF-C1', 2, 'both', 3, 'amountPaid', '6500.00', '4000.00', '2500.00'],
      ['HF-C1', 2, 'both', 3, 'outstanding', '3500.00', '6000.00', '-2500.00'],
      ['HF-C1', 2, 'both', 3, 'penaltyAccrued', '150.50', '120.50', '30.00'],
      // a line we do not have: its amount due and outstanding, against nothing
      ['HF-C1', 4, 'file', 5, 'amountDue', '10000.00', null, '10000.00'],
      ['HF-C1', 4, 'file', 5, 'outstanding', '10000.00', null, '10000.00'],
    ]);
    // HF-C3: 2 × 8,000.00 due, nothing paid
    expect(c.onlyInFile).toEqual([
      {
        dealer: 'HF01',
        contractNo: 'HF-C3',
        customer: '王五',
        status: null,
        sheet: null,
        rowNumber: 6,
        lines: 2,
        amountDue: '16000.00',
        amountPaid: '0.00',
        outstanding: '16000.00',
        penaltyAccrued: '0.00',
        penaltyPaid: '0.00',
      },
    ]);
    // HF-C2: 2 × 5,000.00 due, 5,000.00 paid
    expect(c.onlyInSystem).toEqual([
      {
        dealer: 'HF01',
        contractNo: 'HF-C2',
        customer: '李四',
        status: 'active',
        sheet: null,
        rowNumber: null,
        lines: 2,
        amountDue: '10000.00',
        amountPaid: '5000.00',
        outstanding: '5000.00',
        penaltyAccrued: '0.00',
        penaltyPaid: '0.00',
      },
    ]);
    expect(await counts(f)).toEqual(before);
  });

  it('17.3: --out writes the differences side by side (Chinese headers, #,##0.00, header frozen); read back', async () => {
    const f = get();
    const out = path.join(dir, `${f.db.kind}-differences.xlsx`);
    const c = await compare(f, { files: [CHANGED], out });
    expect(c.out).toBe(out);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(out);
    expect(book.worksheets.map((w) => w.name)).toEqual(['差异', '只在台账', '只在系统']);
    const ws = book.getWorksheet('差异') as ExcelJS.Worksheet;
    expect(ws.getRow(1).values).toEqual([
      undefined,
      '经销商',
      '合同编号',
      '期次',
      '款项类型',
      '项目',
      '台账金额',
      '系统金额',
      '差额(台账-系统)',
      '行',
      '台账行号',
    ]);
    expect(ws.getRow(2).values).toEqual([undefined, 'HF01', 'HF-C1', 2, '货款', '已还金额', 6500, 4000, 2500, '两边都有', 3]);
    expect(ws.getRow(5).values).toEqual([undefined, 'HF01', 'HF-C1', 4, '货款', '应还金额', 10000, undefined, 10000, '只在台账', 5]);
    expect(ws.getCell('F2').numFmt).toBe('#,##0.00');
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect((ws.getColumn(2).width ?? 0) >= 16).toBe(true);
    expect(ws.rowCount).toBe(6);
    const system = book.getWorksheet('只在系统') as ExcelJS.Worksheet;
    expect(system.getRow(2).values).toEqual([undefined, 'HF01', 'HF-C2', '李四', '正常', undefined, 2, 10000, 5000, 5000, 0, 0]);
    // never over an existing file without force, never over an input
    await expect(compare(f, { files: [CHANGED], out })).rejects.toThrow(/out: .* a file that does not exist yet/);
    await expect(compare(f, { files: [CHANGED], out, force: true })).resolves.toMatchObject({ out });
    const xlsxInput = path.join(dir, 'input.xlsx');
    fs.copyFileSync(out, xlsxInput);
    await expect(compare(f, { files: [xlsxInput], out: xlsxInput, force: true })).rejects.toThrow(/which this command reads/);
  });

  it('17.3: the system’s penalty is the one `contract show` prints, as of a later date too', async () => {
    const f = get();
    const c = await compare(f, { asOf: '2026-04-30' });
    const shown = await showContract(f.db.knex, f.admin, 'HF-C1', 'HF01', '2026-04-30');
    const line2 = shown.lines.find((l) => l.seq === 2);
    const accrued = c.differences.find((d) => d.contractNo === 'HF-C1' && d.seq === 2 && d.field === 'penaltyAccrued');
    expect(line2?.penaltyAccrued).not.toBe('120.50');
    expect(accrued?.system).toBe(line2?.penaltyAccrued);
    expect(accrued?.file).toBe('120.50');
  });

  it('17.3: a dealer’s staff comparing another dealer’s ledger is refused as an import is (exit 3); bad input is exit 2', async () => {
    const f = get();
    await expect(compare(f, {}, 'wh.clerk')).rejects.toThrow(NotAllowed);
    await expect(compare(f, { dealer: 'HF01' }, 'wh.clerk')).rejects.toThrow(NotAllowed);
    await expect(compare(f, { asOf: undefined })).rejects.toThrow(/asOf: missing/);
    await expect(compare(f, { out: path.join(dir, 'x.csv') })).rejects.toThrow(BadInput);
    await expect(compare(f, { dryRun: true })).rejects.toThrow(/dryRun: true — expected left out/);
    await expect(compare(f, { kind: 'receipts' })).rejects.toThrow(/kind: "receipts"/);
  });

  it('17.3: a ledger with a bad row is not compared: its problems as an import reports them (outcome rejected)', async () => {
    const f = get();
    const bad = writeCsv('bad.csv', [...C1.slice(0, 2), 'HF01,HF-C1,张三,13800000001,3,货款,2026-02-30,10000.00,0,0,0']);
    const c = await compare(f, { files: [bad] });
    expect(c.outcome).toBe('rejected');
    expect(c.errors).toMatchObject([{ rowNumber: 4, column: '应还日期', value: '2026-02-30' }]);
  });
});
