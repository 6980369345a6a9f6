// Property test (issue 16): the set-based line balances (src/ledger/balances.ts lineBalances, lineSumsSql, creditSql) equal
// the pure ones (balancesOf, creditsOf) to the cent, on random worlds of contracts, lines and postings of every
// kind — reversals included, some value-dated after the as-of date — on PGlite and PostgreSQL.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { addDays, type BusinessDate } from '../../src/core/dates.js';
import { Dec, dec, formatMoney } from '../../src/core/money.js';
import {
  balancesOf,
  creditSql,
  creditsOf,
  type LineFacts,
  lineBalances,
  lineSumsSql,
  type PostingFacts,
} from '../../src/ledger/balances.js';
import { isKind, PAYS_LINE, POSTING_KINDS, type PostingKind, WRITES_OFF } from '../../src/ledger/kinds.js';
import { describeEachDb } from '../support/db.js';

const ORIGIN = '2026-01-01';
const day = (offset: number): BusinessDate => addDays(ORIGIN, offset);
const cents = fc.integer({ min: 0, max: 5_000_000 }).map((n) => new Dec(n).dividedBy(100).toFixed(2));
const LINE_LESS: readonly PostingKind[] = ['credit', 'refund'];

interface PostingSpec {
  line: number;
  kind: PostingKind;
  amount: string;
  at: number;
  reverseAt: number | null;
}
interface ContractSpec {
  lines: string[];
  postings: PostingSpec[];
}

const posting = fc.record({
  line: fc.nat(),
  kind: fc.constantFrom(...POSTING_KINDS),
  amount: cents,
  at: fc.integer({ min: 0, max: 90 }),
  reverseAt: fc.option(fc.integer({ min: 0, max: 90 }), { nil: null, freq: 4 }),
});
const contract: fc.Arbitrary<ContractSpec> = fc.record({
  lines: fc.array(cents, { minLength: 1, maxLength: 5 }),
  postings: fc.array(posting, { maxLength: 12 }),
});
const world = fc.record({
  contracts: fc.array(contract, { minLength: 5, maxLength: 40 }),
  asOf: fc.array(fc.integer({ min: -1, max: 95 }), { minLength: 3, maxLength: 6 }),
});

describeEachDb('ledger balances: set-based = pure', (get) => {
  it('on random worlds of lines and postings of every kind, reversals and later value dates', async () => {
    const { db } = get();
    const dealer = await db.knex('dealers').insert({ code: 'LB01', name: '余额', kind: 'dealer', parent_id: 1 }).returning('id');
    const dealerId = Number(dealer[0].id);
    const customer = await db.knex('customers').insert({ dealer_id: dealerId, name: '余额客户' }).returning('id');
    let serial = 0;
    await fc.assert(
      fc.asyncProperty(world, async (w) => {
        const contractIds: number[] = [];
        const lines: LineFacts[] = [];
        const postings: PostingFacts[] = [];
        for (const spec of w.contracts) {
          const [c] = await db
            .knex('contracts')
            .insert({ dealer_id: dealerId, contract_no: `LB-${serial++}`, customer_id: customer[0].id, method: 'custom' })
            .returning('id');
          const contractId = Number(c.id);
          contractIds.push(contractId);
          await db.knex('schedule_versions').insert({ contract_id: contractId, version: 1, effective_from: ORIGIN, source: 'custom' });
          const ids = (await db
            .knex('schedule_lines')
            .insert(
              spec.lines.map((amount, i) => ({
                contract_id: contractId,
                version: 1,
                seq: i + 1,
                receivable_type: 'principal',
                due_date: day(10 * i),
                amount_due: amount,
              })),
            )
            .returning('id')) as { id: number }[];
          for (const [i, r] of ids.entries()) lines.push({ id: Number(r.id), contractId, amountDue: dec(spec.lines[i] as string) });
          for (const p of spec.postings) {
            const lineId = LINE_LESS.includes(p.kind) ? null : Number(ids[p.line % ids.length]?.id);
            const row = { contract_id: contractId, dealer_id: dealerId, schedule_line_id: lineId, kind: p.kind, amount: p.amount };
            const [stored] = await db
              .knex('postings')
              .insert({ ...row, value_date: day(p.at) })
              .returning('id');
            postings.push({ contractId, lineId, kind: p.kind, valueDate: day(p.at), signedAmount: dec(p.amount) });
            if (p.reverseAt !== null) {
              await db.knex('postings').insert({ ...row, value_date: day(p.reverseAt), reverses_id: stored.id, reason: 'test' });
              postings.push({ contractId, lineId, kind: p.kind, valueDate: day(p.reverseAt), signedAmount: dec(p.amount).negated() });
            }
          }
        }
        for (const offset of w.asOf) {
          const asOf = day(offset);
          const rows = await lineBalances(db.knex, asOf, contractIds).orderBy('l.id');
          const pure = balancesOf(lines, postings, asOf);
          const fields = [
            'amountPaid',
            'writtenOff',
            'recovered',
            'outstanding',
            'penaltyOpening',
            'penaltyPaid',
            'penaltyWaived',
          ] as const;
          expect(rows.map((r: Record<string, unknown>) => [r.lineId, ...fields.map((f) => r[f])])).toEqual(
            pure.map((b) => [b.lineId, ...fields.map((f) => formatMoney(b[f]))]),
          );
          // the reconciliation's form: two of the sums as of the date, and what pays each line at any date
          const inWorld = { sql: 'p.contract_id = ANY(?::bigint[])', bindings: [contractIds as unknown as string] };
          const sums = lineSumsSql(asOf, { only: ['paid', 'written_off'], ever: true, where: inWorld });
          const got = (await db.knex.raw(`${sums.sql} ORDER BY 1`, sums.bindings)).rows as Record<string, string | number | null>[];
          const ever = new Map(balancesOf(lines, postings, '2999-12-31').map((b) => [b.lineId, b]));
          const byLine = new Map(pure.map((b) => [b.lineId, b]));
          const touched = [...new Set(postings.filter((p) => isKind([...PAYS_LINE, ...WRITES_OFF], p.kind)).map((p) => p.lineId))];
          const lastPaid = (lineId: number) =>
            postings
              .filter((p) => p.lineId === lineId && isKind(PAYS_LINE, p.kind))
              .map((p) => p.valueDate)
              .sort()
              .at(-1) ?? null;
          expect(got.map((r) => Number(r.line_id))).toEqual((touched as number[]).sort((a, b) => a - b));
          expect(
            got.map((r) => [
              formatMoney(dec(String(r.paid))),
              formatMoney(dec(String(r.written_off))),
              formatMoney(dec(String(r.paid_ever))),
              r.paid_last,
            ]),
          ).toEqual(
            got.map((r) => {
              const id = Number(r.line_id);
              const b = byLine.get(id);
              return [
                formatMoney(b?.amountPaid ?? dec(0)),
                formatMoney(b?.writtenOff ?? dec(0)),
                formatMoney(ever.get(id)?.amountPaid ?? dec(0)),
                lastPaid(id),
              ];
            }),
          );
          const credit = creditSql(asOf, { sql: 'p.contract_id = ANY(?::bigint[])', bindings: [contractIds as unknown as string] });
          const stored = (await db.knex.raw(credit.sql, credit.bindings)).rows as { contract_id: number; credit: string }[];
          const expected = creditsOf(postings, asOf);
          expect(new Map(stored.map((r) => [Number(r.contract_id), formatMoney(dec(r.credit))]))).toEqual(
            new Map([...expected].map(([id, amount]) => [id, formatMoney(amount)])),
          );
        }
      }),
      { numRuns: 12, seed: 1604 },
    );
  });
});
