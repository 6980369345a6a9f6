// A first-time bulk load (ledger.ts bulkLoad): the foreign keys and plain indexes of schedule_lines and
// postings are dropped for the load and made again. They come back exactly as they were, after a load and
// after a load that fails half-way (the transaction takes the drop back with everything else).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { importFile } from '../../src/imports/index.js';
import { BULK_LOAD_MIN_ROWS } from '../../src/imports/ledger.js';
import { addDealer } from '../../src/organisation/index.js';
import { type DbFixture, describeEachDb } from '../support/db.js';

const LINES = 20;
const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'zq-bulk-')), 'bulk.csv');
const lines = ['合同编号,客户名称,证件号码,期次,应还日期,应还金额,已还金额,已计罚息'];
for (let i = 0; i < BULK_LOAD_MIN_ROWS; i++) {
  const c = Math.floor(i / LINES);
  const seq = (i % LINES) + 1;
  const due = `${2025 + Math.floor((seq - 1) / 12)}-${String(((seq - 1) % 12) + 1).padStart(2, '0')}-15`;
  const paid = due <= '2026-03-15' ? '1000.00' : '0';
  lines.push(`BULK-${c},客户${c},ID${c},${seq},${due},1000.00,${paid},${paid === '0' ? '12.50' : '0'}`);
}
fs.writeFileSync(file, `${lines.join('\r\n')}\r\n`);

/** The foreign keys and indexes of the two tables, as the catalog writes them. */
async function definitions(f: DbFixture): Promise<string[]> {
  const result = await f.db.knex.raw(
    `SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS d
       FROM pg_constraint WHERE conrelid IN ('schedule_lines'::regclass, 'postings'::regclass)
     UNION ALL
     SELECT indexdef FROM pg_indexes WHERE tablename IN ('schedule_lines', 'postings')
     UNION ALL
     SELECT tgrelid::regclass::text || ' trigger ' || tgname || ' enabled ' || tgenabled::text FROM pg_trigger
      WHERE tgrelid IN ('schedule_lines'::regclass, 'postings'::regclass) AND NOT tgisinternal
     ORDER BY 1`,
  );
  return result.rows.map((r: { d: string }) => r.d);
}

async function count(f: DbFixture, table: string): Promise<number> {
  const [row] = await f.db.knex(table).count<{ n: number }[]>({ n: '*' });
  return Number(row?.n ?? 0);
}

describeEachDb('zq import: first-time bulk load', (get) => {
  it('a load that fails half-way leaves the tables, keys and indexes as they were', async () => {
    const f = get();
    await f.db.knex.transaction((tx) => addDealer(tx, f.admin, { code: 'BULK', name: '批量' }));
    const before = await definitions(f);
    // A closed month refuses the opening postings: the failure comes after the drop.
    await f.db
      .knex('periods')
      .insert({ month: '2026-03', first_day: '2026-03-01', last_day: '2026-03-31', status: 'closed', closed_at: f.db.knex.fn.now() });
    await expect(importFile(f.db, f.admin, file, { dealer: 'BULK', asOf: '2026-03-31' })).rejects.toThrow(/period 2026-03 is closed/);
    expect(await definitions(f)).toEqual(before);
    expect(await count(f, 'schedule_lines')).toBe(0);
    expect(await count(f, 'contracts')).toBe(0);
    await f.db.knex('periods').where({ month: '2026-03' }).delete();
  });

  it('loads, and brings every foreign key and index back', async () => {
    const f = get();
    const before = await definitions(f);
    const s = await importFile(f.db, f.admin, file, { dealer: 'BULK', asOf: '2026-03-31' });
    expect(s.status).toBe('imported');
    expect(s.counts).toMatchObject({ contractsCreated: BULK_LOAD_MIN_ROWS / LINES, linesCreated: BULK_LOAD_MIN_ROWS });
    expect(await definitions(f)).toEqual(before);
    expect(await count(f, 'schedule_lines')).toBe(BULK_LOAD_MIN_ROWS);
    // Lines 1–15 paid, 16–20 with penalty: one opening posting each.
    expect(await count(f, 'postings')).toBe(BULK_LOAD_MIN_ROWS);
    // The batch's queue names each contract once (its row triggers were off for the load, and are on again).
    const queued = await f.db.knex('penalty_dirty').where({ reason: 'contract' }).countDistinct<{ n: number }[]>({ n: 'contract_id' });
    expect(Number(queued[0]?.n)).toBe(BULK_LOAD_MIN_ROWS / LINES);
    const perRow = await f.db.knex('penalty_dirty').whereIn('reason', ['line', 'posting']).count<{ n: number }[]>({ n: '*' });
    expect(Number(perRow[0]?.n)).toBe(0);
    // The same file again: unchanged (and too small against what is stored for another bulk load).
    const again = await importFile(f.db, f.admin, file, { dealer: 'BULK', asOf: '2026-03-31' });
    expect(again.status).toBe('unchanged');
    expect(await definitions(f)).toEqual(before);
  });

  it('two files merging at once do not deadlock over the dropped keys', async () => {
    const f = get();
    await f.db.knex.transaction(async (tx) => {
      await addDealer(tx, f.admin, { code: 'BULK2', name: '批量二' });
      await addDealer(tx, f.admin, { code: 'BULK3', name: '批量三' });
    });
    const [a, b] = await Promise.all(['BULK2', 'BULK3'].map((dealer) => importFile(f.db, f.admin, file, { dealer, asOf: '2026-03-31' })));
    expect([a?.status, b?.status]).toEqual(['imported', 'imported']);
    expect(await count(f, 'schedule_lines')).toBe(3 * BULK_LOAD_MIN_ROWS);
  });
});
