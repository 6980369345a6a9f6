// Property test (issue 4, DESIGN.md "Testing"): the penalty segments the batch stores, computed set-based in SQL
// (src/penalty/store.ts), equal the one pure implementation (src/penalty/compute.ts linePenalty) to the cent and
// segment for segment — on PGlite and on PostgreSQL. Each run builds a random world of a few hundred contracts
// in a fresh database (schedules, payments and reversals, imported cut-overs, settlements and write-offs, rate
// settings at every level of specificity, grace settings in both modes), runs the batch, then back-dates a
// second wave of changes (payments, reversals, rates, grace, status changes, new lines) and lets the batch catch
// up, then recomputes everything from scratch; every line is compared in one pass after each phase, as of the
// batch date and earlier dates.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { loadActor } from '../../src/access/actor.js';
import { runBatch } from '../../src/batch/run.js';
import { addDays, type BusinessDate } from '../../src/core/dates.js';
import { Dec, roundMoney } from '../../src/core/money.js';
import type { Db } from '../../src/db/index.js';
import { contractPenalties } from '../../src/penalty/accrual.js';
import { loadContractInputs } from '../../src/penalty/inputs.js';
import { storedAccrued, storedSegments } from '../../src/penalty/store.js';
import { describeEachDb, openTestDb } from '../support/db.js';

const ORIGIN = '2026-01-01';
/** Fresh databases (runs) per database kind, and contracts per run: a few thousand lines in all. */
const RUNS = 4;
const CONTRACTS = { min: 300, max: 420 };
const DEALERS = 3;
const TYPES = ['principal', 'interest', 'fee', 'deposit'] as const; // deposit bears no penalty
const INSERT_CHUNK = 500;

const day = (offset: number): BusinessDate => addDays(ORIGIN, offset);
const cents = (min: number, max: number) => fc.integer({ min, max }).map((n) => new Dec(n).dividedBy(100).toFixed(2));
const rateValue = fc.oneof(
  fc.integer({ min: 0, max: 100 }).map((n) => new Dec(n).dividedBy(100_000).toFixed()),
  fc.constantFrom('0.0005', '0.0007', '0.0000000001', '0.0001234567'),
);

interface PaymentSpec {
  offset: number;
  amount: string;
  kind: 'allocation' | 'credit_application';
  /** reverse it later, with this value-date offset */
  reverseAt: number | null;
}
interface LineSpec {
  type: (typeof TYPES)[number];
  due: number;
  amount: string;
  payments: PaymentSpec[];
}
interface ContractSpec {
  dealer: number;
  lines: LineSpec[];
  /** imported: cut-over offset, with an opening amount paid on some lines */
  cutover: number | null;
  stop: { status: 'settled' | 'written_off'; at: number } | null;
}
interface RateSpec {
  scope: 'type' | 'dealer' | 'dealer_type' | 'contract' | 'all';
  dealer: number;
  type: (typeof TYPES)[number];
  contract: number; // index into the world's contracts
  from: number;
  rate: string;
}
interface GraceSpec {
  dealer: number | null;
  type: (typeof TYPES)[number] | null;
  days: number;
  mode: 'retroactive' | 'forward';
}

const payment = (maxOffset: number): fc.Arbitrary<PaymentSpec> =>
  fc.record({
    offset: fc.integer({ min: 0, max: maxOffset }),
    amount: cents(1, 600_000),
    kind: fc.constantFrom('allocation' as const, 'allocation' as const, 'credit_application' as const),
    reverseAt: fc.option(fc.integer({ min: 0, max: maxOffset }), { nil: null, freq: 6 }),
  });

const lineSpec: fc.Arbitrary<LineSpec> = fc.record({
  type: fc.constantFrom(...TYPES),
  due: fc.integer({ min: 0, max: 100 }),
  amount: cents(0, 1_000_000),
  payments: fc.array(payment(140), { maxLength: 4 }),
});

const contractSpec: fc.Arbitrary<ContractSpec> = fc.record({
  dealer: fc.integer({ min: 0, max: DEALERS - 1 }),
  lines: fc.array(lineSpec, { minLength: 1, maxLength: 4 }),
  cutover: fc.option(fc.integer({ min: 0, max: 110 }), { nil: null, freq: 6 }),
  stop: fc.option(
    fc.record({ status: fc.constantFrom('settled' as const, 'written_off' as const), at: fc.integer({ min: 0, max: 140 }) }),
    { nil: null, freq: 8 },
  ),
});

const rateSpec: fc.Arbitrary<RateSpec> = fc.record({
  scope: fc.constantFrom('type' as const, 'dealer' as const, 'dealer_type' as const, 'contract' as const, 'all' as const),
  dealer: fc.integer({ min: 0, max: DEALERS - 1 }),
  type: fc.constantFrom(...TYPES),
  contract: fc.nat(),
  from: fc.integer({ min: -30, max: 140 }),
  rate: rateValue,
});

const graceSpec: fc.Arbitrary<GraceSpec> = fc.record({
  dealer: fc.option(fc.integer({ min: 0, max: DEALERS - 1 }), { nil: null }),
  type: fc.option(fc.constantFrom(...TYPES), { nil: null }),
  days: fc.integer({ min: 0, max: 12 }),
  mode: fc.constantFrom('retroactive' as const, 'forward' as const),
});

interface World {
  contracts: ContractSpec[];
  rates: RateSpec[];
  grace: GraceSpec[];
  firstBatch: number;
  /** the second wave, after the first batch: back-dated and current changes */
  later: {
    contracts: ContractSpec[];
    payments: { contract: number; line: number; payment: PaymentSpec }[];
    rates: RateSpec[];
    grace: GraceSpec[];
    stops: { contract: number; status: 'settled' | 'written_off'; at: number }[];
    days: number;
  };
}

const world: fc.Arbitrary<World> = fc.record({
  contracts: fc.array(contractSpec, { minLength: CONTRACTS.min, maxLength: CONTRACTS.max }),
  rates: fc.array(rateSpec, { maxLength: 10 }),
  grace: fc.array(graceSpec, { maxLength: 5 }),
  firstBatch: fc.integer({ min: 30, max: 120 }),
  later: fc.record({
    contracts: fc.array(contractSpec, { maxLength: 20 }),
    payments: fc.array(fc.record({ contract: fc.nat(), line: fc.nat(), payment: payment(150) }), { maxLength: 150 }),
    rates: fc.array(rateSpec, { maxLength: 4 }),
    grace: fc.array(graceSpec, { maxLength: 2 }),
    stops: fc.array(
      fc.record({
        contract: fc.nat(),
        status: fc.constantFrom('settled' as const, 'written_off' as const),
        at: fc.integer({ min: 0, max: 150 }),
      }),
      { maxLength: 10 },
    ),
    days: fc.integer({ min: 1, max: 3 }),
  }),
});

interface Ids {
  dealers: number[];
  contracts: number[];
  lines: number[][]; // per contract, the line ids in spec order
  contractDealers: number[]; // per contract, its dealer id
  stopped: Set<number>; // contracts settled or written off
  customer: Map<number, number>;
}

async function insertChunked<T extends Record<string, unknown>>(db: Db, table: string, rows: T[]): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    const out = (await db
      .knex(table)
      .insert(rows.slice(i, i + INSERT_CHUNK))
      .returning('id')) as { id: number }[];
    ids.push(...out.map((r) => Number(r.id)));
  }
  return ids;
}

async function addContracts(db: Db, ids: Ids, specs: ContractSpec[], prefix: string): Promise<void> {
  const first = ids.contracts.length;
  const contractIds = await insertChunked(
    db,
    'contracts',
    specs.map((c, i) => ({
      dealer_id: ids.dealers[c.dealer],
      contract_no: `${prefix}-${first + i}`,
      customer_id: ids.customer.get(c.dealer),
      method: 'custom',
      cutover_date: c.cutover === null ? null : day(c.cutover),
    })),
  );
  await insertChunked(
    db,
    'schedule_versions',
    contractIds.map((id) => ({ contract_id: id, version: 1, effective_from: ORIGIN, source: 'custom' })),
  );
  const lineRows = specs.flatMap((c, i) =>
    c.lines.map((l, seq) => ({
      contract_id: contractIds[i],
      version: 1,
      seq: seq + 1,
      receivable_type: l.type,
      due_date: day(l.due),
      amount_due: l.amount,
    })),
  );
  const lineIds = await insertChunked(db, 'schedule_lines', lineRows);
  let next = 0;
  for (const [i, c] of specs.entries()) {
    ids.contracts.push(contractIds[i] as number);
    ids.contractDealers.push(ids.dealers[c.dealer] as number);
    ids.lines.push(c.lines.map(() => lineIds[next++] as number));
  }
  const payments: Payment[] = [];
  for (const [i, c] of specs.entries()) {
    for (const [j, l] of c.lines.entries()) {
      for (const p of l.payments) payments.push({ contract: first + i, line: j, payment: p });
      // an imported line: part of its amount paid before the cut-over, dated on the cut-over (IMPORT-FORMAT.md)
      if (c.cutover !== null && j % 2 === 0 && l.amount !== '0.00') {
        const opening = new Dec(l.amount).dividedBy(3).toDecimalPlaces(2, Dec.ROUND_DOWN).toFixed(2);
        const openingPaid: PaymentSpec = { offset: c.cutover, amount: opening, kind: 'allocation', reverseAt: null };
        payments.push({ contract: first + i, line: j, payment: openingPaid, opening: true });
      }
    }
  }
  await addPayments(db, ids, payments);
  // settled and written-off contracts accept no more postings (a ledger trigger): their status comes last
  for (const [i, c] of specs.entries()) if (c.stop) await stopContract(db, ids, first + i, c.stop.status, c.stop.at);
}

async function stopContract(db: Db, ids: Ids, contract: number, status: 'settled' | 'written_off', at: number): Promise<void> {
  if (ids.stopped.has(contract)) return;
  ids.stopped.add(contract);
  await db
    .knex('contracts')
    .where({ id: ids.contracts[contract] })
    .update({ status, status_date: day(at) });
}

interface Payment {
  contract: number; // index into ids.contracts
  line: number;
  payment: PaymentSpec;
  opening?: boolean;
}

async function addPayments(db: Db, ids: Ids, payments: Payment[]): Promise<void> {
  const rows = payments.map(({ contract, line, payment, opening }) => {
    return {
      contract_id: ids.contracts[contract],
      dealer_id: ids.contractDealers[contract],
      schedule_line_id: ids.lines[contract]?.[line],
      kind: opening ? 'opening_paid' : payment.kind,
      amount: payment.amount,
      value_date: day(payment.offset),
    };
  });
  const postingIds = await insertChunked(db, 'postings', rows);
  const reversals = payments.flatMap(({ payment }, i) =>
    payment.reverseAt === null ? [] : [{ ...rows[i], value_date: day(payment.reverseAt), reverses_id: postingIds[i], reason: 'test' }],
  );
  await insertChunked(db, 'postings', reversals);
}

function rateRow(ids: Ids, r: RateSpec) {
  return {
    contract_id: r.scope === 'contract' ? ids.contracts[r.contract % ids.contracts.length] : null,
    dealer_id: r.scope === 'dealer' || r.scope === 'dealer_type' ? ids.dealers[r.dealer] : null,
    receivable_type: r.scope === 'type' || r.scope === 'dealer_type' ? r.type : null,
    effective_from: day(r.from),
    daily_rate: r.rate,
  };
}

function graceRow(ids: Ids, g: GraceSpec) {
  return { dealer_id: g.dealer === null ? null : ids.dealers[g.dealer], receivable_type: g.type, days: g.days, mode: g.mode };
}

interface Mismatch {
  contractNo: string;
  seq: number;
  type: string;
  asOf: BusinessDate;
  stored: string;
  pure: string;
}

/** Every line of the database, as of a date: stored segments and rounded amounts against the pure computation. */
async function compareAll(db: Db, asOf: BusinessDate): Promise<{ lines: number; accruing: number; mismatches: Mismatch[] }> {
  const contractIds = (await db.knex('contracts').orderBy('id').pluck('id')).map(Number);
  const inputs = await loadContractInputs(db.knex, contractIds);
  const accrued = await storedAccrued(db.knex, asOf);
  const lineIds = [...inputs.values()].flatMap((c) => c.lines.map((l) => l.lineId));
  const stored = new Map<number, string[]>();
  for (const s of await storedSegments(db.knex, lineIds)) {
    if (s.from > asOf || s.graceEnd >= asOf) continue;
    const to = s.to === null || s.to > asOf ? asOf : s.to;
    const list = stored.get(s.lineId) ?? [];
    list.push(`${s.from}…${to} ${s.base}×${new Dec(s.dailyRate).toFixed()}`);
    stored.set(s.lineId, list);
  }
  const mismatches: Mismatch[] = [];
  let lines = 0;
  let accruing = 0;
  for (const contract of inputs.values()) {
    for (const { line, penalty } of contractPenalties(contract, asOf)) {
      lines++;
      if (penalty.segments.length > 0) accruing++;
      const pure = `${penalty.rounded.toFixed(2)} [${penalty.segments.map((s) => `${s.from}…${s.to} ${s.base.toFixed(2)}×${s.rate.toFixed()}`).join(', ')}]`;
      const sql = accrued.get(line.lineId);
      const have = `${sql ? roundMoney(new Dec(sql.exact)).toFixed(2) : '0.00'} [${(stored.get(line.lineId) ?? []).join(', ')}]`;
      if (have !== pure || (sql !== undefined && !new Dec(sql.exact).equals(penalty.exact))) {
        mismatches.push({ contractNo: contract.contractNo, seq: line.seq, type: line.type, asOf, stored: have, pure });
      }
    }
  }
  return { lines, accruing, mismatches };
}

async function batchTo(db: Db, date: BusinessDate) {
  const admin = await loadActor(db.knex, 'admin');
  return runBatch(db, admin, { date }, () => {});
}

async function checkWorld(kind: Db['kind'], w: World): Promise<{ lines: number; accruing: number }> {
  const db = await openTestDb(kind);
  try {
    const group = await db.knex('dealers').where({ kind: 'group' }).first('id');
    const dealers = await insertChunked(
      db,
      'dealers',
      Array.from({ length: DEALERS }, (_, i) => ({ code: `PT${i}`, name: `property ${i}`, kind: 'dealer', parent_id: group.id })),
    );
    const customers = await insertChunked(
      db,
      'customers',
      dealers.map((id, i) => ({ dealer_id: id, name: `客户 ${i}` })),
    );
    const ids: Ids = {
      dealers,
      contracts: [],
      lines: [],
      contractDealers: [],
      stopped: new Set(),
      customer: new Map(customers.map((c, i) => [i, c])),
    };
    await addContracts(db, ids, w.contracts, 'P');
    await insertChunked(
      db,
      'penalty_rates',
      w.rates.map((r) => rateRow(ids, r)),
    );
    await insertChunked(
      db,
      'penalty_grace',
      w.grace.map((g) => graceRow(ids, g)),
    );

    const first = day(w.firstBatch);
    await batchTo(db, first);
    const found: Mismatch[] = [];
    let lines = 0;
    let accruing = 0;
    for (const asOf of [first, day(w.firstBatch - 17)]) {
      const result = await compareAll(db, asOf);
      found.push(...result.mismatches);
      lines += result.lines;
      accruing += result.accruing;
    }
    expect(found.slice(0, 5), `first batch: ${found.length} mismatch(es), e.g. ${JSON.stringify(found[0])}`).toEqual([]);

    // The second wave: back-dated payments and reversals on existing lines, new contracts with old due dates,
    // rate and grace settings, settlements and write-offs; then the batch catches up a few dates.
    const count = ids.contracts.length;
    const payments = w.later.payments.flatMap(({ contract, line, payment }) => {
      const c = contract % count;
      const lineCount = ids.lines[c]?.length ?? 0;
      return lineCount === 0 || ids.stopped.has(c) ? [] : [{ contract: c, line: line % lineCount, payment }];
    });
    await addPayments(db, ids, payments);
    await addContracts(db, ids, w.later.contracts, 'Q');
    await insertChunked(
      db,
      'penalty_rates',
      w.later.rates.map((r) => rateRow(ids, r)),
    );
    await insertChunked(
      db,
      'penalty_grace',
      w.later.grace.map((g) => graceRow(ids, g)),
    );
    for (const stop of w.later.stops) await stopContract(db, ids, stop.contract % count, stop.status, stop.at);
    const second = day(w.firstBatch + w.later.days);
    await batchTo(db, second);
    for (const asOf of [second, day(w.firstBatch - 5)]) {
      const result = await compareAll(db, asOf);
      found.push(...result.mismatches);
      lines += result.lines;
      accruing += result.accruing;
    }
    expect(found.slice(0, 5), `after back-dated changes: ${found.length} mismatch(es), e.g. ${JSON.stringify(found[0])}`).toEqual([]);

    // A full recomputation of the same ledger (its own statement shape: store.ts lateSqlAllLines), now that lines
    // have late payments and reversals.
    await runBatch(db, await loadActor(db.knex, 'admin'), { date: second, recomputeFrom: second }, () => {});
    for (const asOf of [second, day(w.firstBatch - 5)]) {
      const result = await compareAll(db, asOf);
      found.push(...result.mismatches);
      lines += result.lines;
      accruing += result.accruing;
    }
    expect(found.slice(0, 5), `after a full recomputation: ${found.length} mismatch(es), e.g. ${JSON.stringify(found[0])}`).toEqual([]);
    return { lines, accruing };
  } finally {
    await db.close();
  }
}

describeEachDb('stored segments equal the pure computation', (get) => {
  it(`${RUNS} random worlds of ${CONTRACTS.min}–${CONTRACTS.max} contracts, before and after back-dated changes`, async () => {
    const { db } = get();
    let lines = 0;
    let accruing = 0;
    const details = await fc.check(
      fc.asyncProperty(world, async (w) => {
        const result = await checkWorld(db.kind, w);
        lines += result.lines;
        accruing += result.accruing;
      }),
      // Shrinking a world of hundreds of contracts costs a fresh database per step: report the first failure
      // with its seed and path (fc.assert's report would print the whole world) and the mismatching lines.
      { numRuns: RUNS, endOnFailure: true },
    );
    if (details.failed) {
      const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
      throw new Error(
        `property failed (seed ${details.seed}, path ${details.counterexamplePath}): ${cause.length > 3000 ? `…${cause.slice(-3000)}` : cause}`,
      );
    }
    // the generator must exercise the SQL: thousands of line comparisons, hundreds of them accruing (floors
    // well below what random worlds give — about 260 accruing lines per world at the low end — so that the
    // check guards the generator without failing on an unlucky seed)
    expect(lines).toBeGreaterThan(RUNS * 1000);
    expect(accruing).toBeGreaterThan(RUNS * 120);
  }, 180_000);
});
