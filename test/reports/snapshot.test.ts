// Report snapshots (issue 18 point 1): what was reported on a night stays as it was; for a night just taken it
// equals the restated figures row for row; storage grows with change; catch-up and recomputation write late
// snapshots and never rewrite one already taken. Both databases.
import { expect, it } from 'vitest';
import { CONTRACT_SUMS_FROM_LINE_STATES } from '../../migrations/021_report_contract_sums.js';
import { dec } from '../../src/core/money.js';
import { requestReschedule } from '../../src/receivables/schedule-changes.js';
import { agingBuckets, DEFAULT_AGING } from '../../src/reports/aging.js';
import { reportedContractFigures, reportedContracts } from '../../src/reports/snapshot.js';
import { batch, contract, dealer, receipt } from '../batch/fixtures.js';
import { describeEachDb } from '../support/db.js';
import { contractSumsOn, reported, restated, rolledBack, snapshotRows, tableColumns } from './support.js';

describeEachDb('report snapshots', (get) => {
  it('as reported equals restated for a night just taken, and stays byte-identical after a back-dated receipt', async () => {
    const { db, admin } = get();
    await dealer(db, admin, 'SN01');
    await contract(db, admin, 'SN01', 'SN-1', [
      [1, 'principal', '2026-03-10', '10000.00'],
      [2, 'principal', '2026-04-10', '10000.00'],
    ]);
    await receipt(db, admin, 'SN01', 'SN-1', '2026-03-05', '500.00');
    await batch(db, admin, '2026-04-01');
    const night = await restated(db, admin, '2026-04-01');
    const asReported = await reported(db, admin, '2026-04-01');
    expect(asReported).toEqual(night);
    // line 1: 10000.00 due 03-10 less 500.00 paid before = 9500.00 late from 03-11; 22 days × 9500.00 × 0.0005 = 104.50
    expect(asReported.lines.map((l) => [l.outstanding, l.overdue, l.notDue, l.overdueDays, l.penaltyAccrued])).toEqual([
      ['9500.00', '9500.00', '0', 22, '104.50'],
      ['10000.00', '0', '10000.00', 0, '0.00'],
    ]);
    await batch(db, admin, '2026-04-08');
    const frozen = JSON.stringify(await reported(db, admin, '2026-04-01'));
    // a week later: a receipt value-dated 03-20 (back-dated before the night of 04-01)
    await receipt(db, admin, 'SN01', 'SN-1', '2026-03-20', '2000.00');
    await batch(db, admin, '2026-04-09');
    expect(JSON.stringify(await reported(db, admin, '2026-04-01'))).toBe(frozen);
    const after = await restated(db, admin, '2026-04-01');
    // restated: 9500.00 × 0.0005 × 10 days (03-11..03-20) = 47.50 accrued by the receipt's date, which it pays
    // first; 1952.50 goes to the line: 7547.50 from 03-21, × 0.0005 × 12 days (to 04-01) = 45.285; 92.785 → 92.79
    expect(after.lines.map((l) => [l.outstanding, l.penaltyAccrued, l.penaltyPaid])).toEqual([
      ['7547.50', '92.79', '47.50'],
      ['10000.00', '0.00', '0.00'],
    ]);
    expect(await reported(db, admin, '2026-04-09')).toEqual(await restated(db, admin, '2026-04-09'));
  });

  it('a quiet night adds only its night row; a receipt writes only its line', async () => {
    const { db, admin } = get();
    await dealer(db, admin, 'SQ01');
    await contract(db, admin, 'SQ01', 'SQ-1', [
      [1, 'principal', '2026-05-10', '1000.00'],
      [2, 'principal', '2026-08-10', '1000.00'],
    ]);
    await contract(db, admin, 'SQ01', 'SQ-2', [[1, 'principal', '2026-08-10', '3000.00']]);
    await batch(db, admin, '2026-06-01');
    const before = await snapshotRows(db);
    // nothing paid, nothing falling due, nothing newly late: line 1 of SQ-1 accrues on its open run, derived
    const quiet = await batch(db, admin, '2026-06-02');
    expect(quiet.logs.find((l) => l.step === 'report_snapshot')?.counts).toEqual({ linesWritten: 0, contractsWritten: 0, kept: 0 });
    expect(await snapshotRows(db)).toEqual({ ...before, nights: before.nights + 1 });
    expect(await reported(db, admin, '2026-06-02')).toEqual(await restated(db, admin, '2026-06-02'));
    // a receipt on SQ-1 pays line 1: that line's state and nothing else (the contract's credit is unchanged)
    await receipt(db, admin, 'SQ01', 'SQ-1', '2026-06-03', '200.00');
    const paid = await batch(db, admin, '2026-06-03');
    expect(paid.logs.find((l) => l.step === 'report_snapshot')?.counts).toEqual({ linesWritten: 1, contractsWritten: 0, kept: 0 });
    expect(await reported(db, admin, '2026-06-03')).toEqual(await restated(db, admin, '2026-06-03'));
  });

  it('catch-up writes its earlier nights late; --recompute-from a night already taken rewrites none', async () => {
    const { db, admin } = get();
    await dealer(db, admin, 'SC01');
    await contract(db, admin, 'SC01', 'SC-1', [
      [1, 'principal', '2026-07-02', '1000.00'],
      [2, 'principal', '2026-07-04', '1000.00'],
    ]);
    await batch(db, admin, '2026-07-01');
    // (the nights of the tests before in this database come first)
    // three nights caught up before tonight's
    const caught = await batch(db, admin, '2026-07-05');
    expect(caught.summary.datesRun).toEqual(['2026-07-02', '2026-07-03', '2026-07-04', '2026-07-05']);
    const nights = await db
      .knex('report_snapshots')
      .where('business_date', '>=', '2026-07-01')
      .orderBy('business_date')
      .select('business_date', 'late', 'taken_at');
    expect(nights.map((n) => [n.business_date, n.late])).toEqual([
      ['2026-07-01', false],
      ['2026-07-02', true],
      ['2026-07-03', true],
      ['2026-07-04', true],
      ['2026-07-05', false],
    ]);
    const states = async () => ({
      lines: await db.knex('report_line_states').orderBy(['line_id', 'valid_from']).select(),
      contracts: await db.knex('report_contract_states').orderBy(['contract_id', 'valid_from']).select(),
    });
    const kept = await states();
    const frozen = JSON.stringify(await reported(db, admin, '2026-07-03'));
    // a back-dated receipt, then a recomputation from 07-03: every night it runs is already taken
    await receipt(db, admin, 'SC01', 'SC-1', '2026-07-03', '1000.00');
    const redo = await batch(db, admin, '2026-07-05', { recomputeFrom: '2026-07-03' });
    expect(redo.logs.filter((l) => l.step === 'report_snapshot').map((l) => l.counts)).toEqual([
      { linesWritten: 0, contractsWritten: 0, kept: 1 },
      { linesWritten: 0, contractsWritten: 0, kept: 1 },
      { linesWritten: 0, contractsWritten: 0, kept: 1 },
    ]);
    expect(await states()).toEqual(kept);
    expect(
      await db
        .knex('report_snapshots')
        .where('business_date', '>=', '2026-07-01')
        .orderBy('business_date')
        .select('business_date', 'late', 'taken_at'),
    ).toEqual(nights);
    expect(JSON.stringify(await reported(db, admin, '2026-07-03'))).toBe(frozen);
    // the next night compares every line once (the segments were recomputed in full) and is right again
    await batch(db, admin, '2026-07-06');
    expect(await reported(db, admin, '2026-07-06')).toEqual(await restated(db, admin, '2026-07-06'));
    // a night without a snapshot is bad input naming the nights there are
    await expect(reported(db, admin, '2026-03-30')).rejects.toThrow(
      'asOf: "2026-03-30" — expected a night with a report snapshot (first: 2026-04-01, last: 2026-07-06)',
    );
  });

  it('after a full recomputation, the night compares the lines whose segments moved, not every line', async () => {
    const { db, admin } = get();
    await dealer(db, admin, 'SR01');
    await contract(db, admin, 'SR01', 'SR-1', [[1, 'principal', '2026-08-10', '1000.00']]);
    await contract(db, admin, 'SR01', 'SR-2', [
      [1, 'principal', '2026-10-10', '1000.00'],
      [2, 'principal', '2026-11-10', '1000.00'],
    ]);
    await batch(db, admin, '2026-08-20');
    // a rate for the dealer from 08-15 written behind the penalty's back (no queue entry): only a full
    // recomputation sees it, and only SR-1's late line has segments it changes
    const dealerId = (await db.knex('dealers').where({ code: 'SR01' }).first('id')).id;
    await db.knex('penalty_rates').insert({ dealer_id: dealerId, effective_from: '2026-08-15', daily_rate: '0.001' });
    const redo = await batch(db, admin, '2026-08-21', { recomputeFrom: '2026-08-21' });
    expect(redo.logs.find((l) => l.step === 'report_snapshot')?.counts).toEqual({ linesWritten: 1, contractsWritten: 0, kept: 0 });
    expect(await reported(db, admin, '2026-08-21')).toEqual(await restated(db, admin, '2026-08-21'));
    const line = (await reported(db, admin, '2026-08-21')).lines.find((l) => l.contractNo === 'SR-1');
    // late from 08-11: 08-11..08-14 at 0.0005 (4 × 0.50 = 2.00), 08-15..08-21 at 0.001 (7 × 1.00 = 7.00) = 9.00
    expect(line?.penaltyAccrued).toBe('9.00');
  });

  it('a full recomputation through the last night taken queues only the contracts whose segments moved', async () => {
    const { db, admin } = get();
    await dealer(db, admin, 'SU01');
    await contract(db, admin, 'SU01', 'SU-1', [[1, 'principal', '2026-09-10', '1000.00']]);
    await contract(db, admin, 'SU01', 'SU-2', [[1, 'principal', '2026-11-10', '1000.00']]);
    await batch(db, admin, '2026-09-18');
    await batch(db, admin, '2026-09-20');
    const frozen = JSON.stringify(await reported(db, admin, '2026-09-20'));
    const dealerId = (await db.knex('dealers').where({ code: 'SU01' }).first('id')).id;
    await db.knex('penalty_rates').insert({ dealer_id: dealerId, effective_from: '2026-09-15', daily_rate: '0.001' });
    // 09-18 to 09-20 again, every night already taken: kept as reported; on 09-20, the last night taken, the lines
    // are compared with the states it wrote, and SU-1's contract is queued in place of "every line" (NULL)
    const redo = await batch(db, admin, '2026-09-20', { recomputeFrom: '2026-09-18' });
    expect(redo.logs.filter((l) => l.step === 'report_snapshot').map((l) => l.counts.kept)).toEqual([1, 1, 1]);
    const su1 = (await db.knex('contracts').where({ contract_no: 'SU-1' }).first('id')).id;
    expect((await db.knex('report_snapshot_queue').select('contract_id')).map((r) => r.contract_id)).toEqual([su1]);
    expect(JSON.stringify(await reported(db, admin, '2026-09-20'))).toBe(frozen);
    // the next night writes SU-1's line alone and reports what a fresh computation says
    const next = await batch(db, admin, '2026-09-21');
    expect(next.logs.find((l) => l.step === 'report_snapshot')?.counts).toEqual({ linesWritten: 1, contractsWritten: 0, kept: 0 });
    expect(await reported(db, admin, '2026-09-21')).toEqual(await restated(db, admin, '2026-09-21'));
    // late from 09-11: 09-11..09-14 at 0.0005 (4 × 0.50 = 2.00), 09-15..09-21 at 0.001 (7 × 1.00 = 7.00) = 9.00
    expect((await reported(db, admin, '2026-09-21')).lines.find((l) => l.contractNo === 'SU-1')?.penaltyAccrued).toBe('9.00');
  });

  it("a night's read finds its states by index, current and closed since, however many nights closed before it", async () => {
    const { db, admin } = get();
    await dealer(db, admin, 'SI01');
    await contract(db, admin, 'SI01', 'SI-1', [
      [1, 'principal', '2026-10-10', '1000.00'],
      [2, 'principal', '2026-11-10', '1000.00'],
    ]);
    await batch(db, admin, '2026-10-20');
    // a receipt closes the late line's state and its contract's sums: 10-20 is read from closed rows and current ones
    await receipt(db, admin, 'SI01', 'SI-1', '2026-10-21', '400.00');
    await batch(db, admin, '2026-10-21');
    const filter = { asOf: '2026-10-20' };
    const frozen = JSON.stringify(await reported(db, admin, '2026-10-20'));
    // years of nights closed before 10-20 (2,000 copies of each current state, two nights each, from 2000 on), in
    // a transaction rolled back: the read skips them by index (migration 032) instead of reading them to drop them
    const plans = await rolledBack(db, async (tx) => {
      for (const table of ['report_line_states', 'report_contract_sums', 'report_contract_states']) {
        const columns = (await tableColumns(tx, table)).filter((c) => c !== 'valid_from' && c !== 'valid_to');
        await tx.raw(
          `INSERT INTO ${table} (valid_from, valid_to, ${columns.join(', ')})
           SELECT '2000-01-01'::date + 2 * g, '2000-01-01'::date + 2 * g + 1, ${columns.join(', ')}
             FROM ${table}, generate_series(1, 2000) AS g WHERE valid_to IS NULL`,
        );
      }
      await tx.raw('ANALYZE report_line_states, report_contract_sums, report_contract_states');
      let text = '';
      for (const read of [reportedContractFigures(tx, admin, filter, agingBuckets(DEFAULT_AGING)), reportedContracts(tx, admin, filter)]) {
        const rows = (await tx.raw(`EXPLAIN ${read.toQuery()}`)).rows as { 'QUERY PLAN': string }[];
        text += `${rows.map((r) => r['QUERY PLAN']).join('\n')}\n`;
      }
      return text;
    });
    await db.knex.raw('ANALYZE report_line_states, report_contract_sums, report_contract_states');
    for (const table of ['report_line_states', 'report_contract_sums', 'report_contract_states']) {
      expect(plans).not.toContain(`Seq Scan on ${table}`);
    }
    // the lines that move with the night: current ones by due date, closed ones by the night they closed
    for (const index of ['report_line_states_moving', 'report_line_states_moved']) expect(plans).toContain(index);
    expect(JSON.stringify(await reported(db, admin, '2026-10-20'))).toBe(frozen);
  });
});

describeEachDb('report snapshots across a schedule change', (get) => {
  it("the lines a schedule change retires have their states closed, and their contract's sums move by the change", async () => {
    const { db, admin } = get();
    await dealer(db, admin, 'SV01');
    await contract(db, admin, 'SV01', 'SV-1', [
      [1, 'principal', '2026-03-10', '1000.00'],
      [2, 'principal', '2026-04-10', '1000.00'],
      [3, 'principal', '2026-05-10', '1000.00'],
    ]);
    await contract(db, admin, 'SV01', 'SV-2', [[1, 'principal', '2026-05-10', '500.00']]);
    await receipt(db, admin, 'SV01', 'SV-1', '2026-03-10', '400.00');
    await batch(db, admin, '2026-04-01');
    // installments 2 and 3 (due from 04-05, nothing paid on them) re-planned from 04-05: 2,000.00 interest-free over
    // 4 months from 05-15, 500.00 each
    await db.knex.transaction((tx) =>
      requestReschedule(tx, admin, {
        contractNo: 'SV-1',
        dealer: 'SV01',
        from: '2026-04-05',
        terms: { kind: 'terms', method: 'interest_free', termMonths: 4, annualRate: dec(0), firstDueDate: '2026-05-15' },
        reason: '客户申请展期',
      }),
    );
    const run = await batch(db, admin, '2026-04-06');
    const nights = ['2026-04-01', ...run.summary.datesRun];
    for (const n of nights) {
      expect(await reported(db, admin, n)).toEqual(await restated(db, admin, n));
      expect(await contractSumsOn(db, 'report_contract_sums', n)).toEqual(
        await contractSumsOn(db, `(${CONTRACT_SUMS_FROM_LINE_STATES})`, n),
      );
    }
    // before the change: 3 lines, 3,000.00 due, 400.00 paid; from 04-05: line 1 and the 4 new ones, 1,000.00 +
    // 4 × 500.00 = 3,000.00 due, the same 400.00 paid
    const sv1 = (await db.knex('contracts').where({ contract_no: 'SV-1' }).first('id')).id;
    const sums = async (n: string) =>
      (await contractSumsOn(db, 'report_contract_sums', n))
        .filter((r: { contract_id: unknown }) => Number(r.contract_id) === Number(sv1))
        .map((r: Record<string, unknown>) => [r.lines, String(r.amount_due), String(r.paid)]);
    expect(await sums('2026-04-04')).toEqual([[3, '3000.00', '400.00']]);
    expect(await sums('2026-04-05')).toEqual([[5, '3000.00', '400.00']]);
    // the retired lines' states end on 04-04; none of them is current
    const retired = await db
      .knex('report_line_states as s')
      .join('schedule_lines as l', 'l.id', 's.line_id')
      .where('l.contract_id', sv1)
      .whereNotNull('l.retired_version')
      .orderBy('l.seq')
      .select('l.seq', 's.valid_to');
    expect(retired.map((r) => [r.seq, r.valid_to])).toEqual([
      [2, '2026-04-04'],
      [3, '2026-04-04'],
    ]);
  });
});

describeEachDb('report snapshots of documents dated after the night that first sees them', (get) => {
  it('a receipt entered while the batch is behind counts from its value date on, as restated', async () => {
    const { db, admin } = get();
    await dealer(db, admin, 'SW01');
    await contract(db, admin, 'SW01', 'SW-1', [
      [1, 'principal', '2026-05-03', '1000.00'],
      [2, 'principal', '2026-06-10', '1000.00'],
    ]);
    await batch(db, admin, '2026-05-01');
    // entered before the nights 05-02 to 05-08 are run, value-dated 05-05: the first of them sees it, and it counts
    // from 05-05 on. Installment 1 is late from 05-04: 2 days × 1,000.00 × 0.0005 = 1.00 of penalty, paid first;
    // then 1,000.00 to the installment; the 499.00 left is credit (installment 2 is not due)
    await receipt(db, admin, 'SW01', 'SW-1', '2026-05-05', '1500.00');
    const run = await batch(db, admin, '2026-05-08');
    for (const n of ['2026-05-01', ...run.summary.datesRun]) expect(await reported(db, admin, n)).toEqual(await restated(db, admin, n));
    const figures = async (n: string) => {
      const r = await reported(db, admin, n);
      return [r.lines.map((l) => l.outstanding), Object.values(r.credit)];
    };
    expect(await figures('2026-05-04')).toEqual([['1000.00', '1000.00'], []]);
    expect(await figures('2026-05-05')).toEqual([['0.00', '1000.00'], ['499.00']]);
  });
});

describeEachDb('report snapshots are immutable', (get) => {
  it('the database refuses to change or delete what a night reported; closing a current state is the one update', async () => {
    const { db, admin } = get();
    await dealer(db, admin, 'SI01');
    await contract(db, admin, 'SI01', 'SI-1', [[1, 'principal', '2026-05-10', '1000.00']]);
    await batch(db, admin, '2026-06-01');
    await receipt(db, admin, 'SI01', 'SI-1', '2026-06-02', '100.00');
    await batch(db, admin, '2026-06-02');
    expect(await db.knex('report_line_states').whereNotNull('valid_to').count({ n: '*' }).first()).toEqual({ n: 1 });
    const refused = async (sql: string) => {
      try {
        await db.knex.raw(sql);
      } catch (err) {
        return (err as Error).message;
      }
      return 'accepted';
    };
    expect(await refused('UPDATE report_line_states SET paid = paid + 1')).toMatch(
      /report_line_states keeps the nights already reported: UPDATE refused/,
    );
    expect(await refused('DELETE FROM report_line_states')).toMatch(/DELETE refused/);
    expect(await refused('UPDATE report_line_states SET valid_to = valid_from WHERE valid_to IS NOT NULL')).toMatch(/UPDATE refused/);
    expect(await refused('UPDATE report_contract_states SET credit = 1')).toMatch(/report_contract_states keeps the nights/);
    expect(await refused(`UPDATE report_snapshots SET late = NOT late`)).toMatch(/report_snapshots is append-only: UPDATE refused/);
    expect(await refused('DELETE FROM report_snapshots')).toMatch(/append-only: DELETE refused/);
    expect(await refused('TRUNCATE report_line_states')).toMatch(/TRUNCATE refused/);
  });

  it('closing a current state may change no other column: every column of the three state tables is checked', async () => {
    const { db, admin } = get();
    await dealer(db, admin, 'SJ01');
    await contract(db, admin, 'SJ01', 'SJ-1', [[1, 'principal', '2026-05-10', '1000.00']]);
    await batch(db, admin, '2026-06-01');
    const { line_id: lineId, contract_id: contractId } = await db.knex('report_line_states').first('line_id', 'contract_id');
    const collectorId = (await db.knex('users').where({ username: 'admin' }).first('id')).id;
    // a current row per table dated 2099 with every column set (migration 030 reads the columns from the catalog
    // when it runs: a column added later and left out of the trigger fails here)
    const rows: Record<string, Record<string, unknown>> = {
      report_line_states: {
        line_id: lineId,
        contract_id: contractId,
        seq: 1,
        receivable_type: 'principal',
        due_date: '2099-01-01',
        amount_due: '1.00',
        paid: '1.00',
        written_off: '1.00',
        penalty_opening: '1.00',
        penalty_paid: '1.00',
        penalty_waived: '1.00',
        penalty_closed: '1.00',
        run_from: '2099-01-01',
        run_base: '1.00',
        run_rate: '0.0005',
        changes_on: '2099-02-01',
      },
      report_contract_states: {
        // a contract has one current state (migration 032): a contract id with none (the state tables have no keys)
        contract_id: contractId + 1_000_000,
        collector_id: collectorId,
        status: 'active',
        credit: '1.00',
        changes_on: '2099-02-01',
      },
      report_contract_sums: {
        contract_id: contractId,
        lines: 1,
        amount_due: '1.00',
        paid: '1.00',
        written_off: '1.00',
        penalty_opening: '1.00',
        penalty_paid: '1.00',
        penalty_waived: '1.00',
        penalty_settled: '1.00',
      },
    };
    await rolledBack(db, async (tx) => {
      for (const [table, row] of Object.entries(rows)) {
        await tx(table).insert({ ...row, valid_from: '2099-01-01' });
        const columns = await tableColumns(tx, table);
        expect(columns.filter((c) => c !== 'valid_to').sort()).toEqual([...Object.keys(row), 'valid_from'].sort());
        for (const column of columns.filter((c) => c !== 'valid_to')) {
          // closing the row and changing one more column (to NULL: the trigger runs before the NOT NULL checks)
          const outcome = await tx
            .transaction((sp) => sp.raw(`UPDATE ${table} SET valid_to = '2099-01-31', ${column} = NULL WHERE valid_from = '2099-01-01'`))
            .then(
              () => 'accepted',
              (err: Error) => err.message,
            );
          expect(outcome, `${table}.${column}`).toMatch(new RegExp(`${table} keeps the nights already reported: UPDATE refused`));
        }
        const closed = await tx.raw(`UPDATE ${table} SET valid_to = '2099-01-31' WHERE valid_from = '2099-01-01'`);
        expect(closed.rowCount).toBe(1);
      }
    });
  });
});
