// Helpers for the report tests: a world of dealers, regions, collectors and contracts with hand-written lines,
// and the check that every level of a breakdown is the sum of the level below.
import type { Actor } from '../../src/access/actor.js';
import { dec, sumMoney } from '../../src/core/money.js';
import type { Db } from '../../src/db/index.js';
import { addDealer, addUser } from '../../src/organisation/index.js';
import { createContract } from '../../src/receivables/contracts.js';
import { BREAKDOWN_MONEY, type Breakdown, type BreakdownRow } from '../../src/reports/breakdown.js';

export type LineSpec = [seq: number, type: string, dueDate: string, amount: string];

export async function region(db: Db, admin: Actor, code: string, name: string) {
  await db.knex.transaction((tx) => addDealer(tx, admin, { code, name, kind: 'region' }));
}

export async function dealerIn(db: Db, admin: Actor, code: string, name: string, parent?: string) {
  await db.knex.transaction((tx) => addDealer(tx, admin, { code, name, parent }));
}

export async function collector(db: Db, admin: Actor, username: string, dealer: string | undefined, roles = ['collector']) {
  await db.knex.transaction((tx) => addUser(tx, admin, { username, name: username, roles, dealer }));
}

export async function contractOf(
  db: Db,
  admin: Actor,
  spec: { dealer: string; contractNo: string; customer: string; collector?: string | undefined; lines: LineSpec[] },
) {
  return db.knex.transaction((tx) =>
    createContract(tx, admin, {
      dealer: spec.dealer,
      contractNo: spec.contractNo,
      customer: { name: spec.customer },
      collector: spec.collector,
      machines: [],
      method: 'custom',
      lines: spec.lines.map(([seq, type, dueDate, amount]) => ({ seq, type, dueDate, amountDue: dec(amount) })),
    }),
  );
}

const FIGURES = [...BREAKDOWN_MONEY] as const;

/** The figures of rows summed (money exact), with the largest overdue days and each aging bucket. */
export function summed(rows: readonly BreakdownRow[], aging: readonly string[]) {
  return {
    ...Object.fromEntries(FIGURES.map((f) => [f, sumMoney(rows.map((r) => r[f])).toFixed(2)])),
    overdueDays: Math.max(0, ...rows.map((r) => r.overdueDays)),
    aging: Object.fromEntries(aging.map((b) => [b, sumMoney(rows.map((r) => r.aging[b] ?? '0')).toFixed(2)])),
    lines: rows.reduce((n, r) => n + r.lines, 0),
  };
}

export function figures(row: BreakdownRow) {
  return { ...Object.fromEntries(FIGURES.map((f) => [f, row[f]])), overdueDays: row.overdueDays, aging: row.aging, lines: row.lines };
}

/**
 * Each level's figures equal the sum of the level below: the detail rows under a dealer make its subtotal, the
 * dealers of a region its subtotal, the regions the total; credit likewise (from contracts) where rows have it.
 */
export function expectConsolidates(b: Breakdown, expect: (v: unknown) => { toEqual: (v: unknown) => void }) {
  const below: BreakdownRow[][] = [[], [], []]; // detail, dealer, region rows since the last row a level up
  const credit = (rows: BreakdownRow[]) => sumMoney(rows.map((r) => r.credit ?? '0')).toFixed(2);
  const withCredit = b.rows.some((r) => r.level === 'detail' && r.credit !== null);
  for (const row of b.rows) {
    const index = ['detail', 'dealer', 'region', 'total'].indexOf(row.level);
    const level = index - 1;
    const parts = level >= 0 ? (below[level] as BreakdownRow[]) : [];
    if (level >= 0 && parts.length > 0) {
      expect(figures(row)).toEqual(summed(parts, b.aging));
      if (level > 0 || withCredit) expect(row.credit).toEqual(credit(parts));
    }
    if (level >= 0) below[level] = [];
    if (index < 3) (below[index] as BreakdownRow[]).push(row);
  }
}
