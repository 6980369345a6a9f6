// Helpers for the report snapshot tests: reported and restated lines of a night, as comparable rows.

import type { Knex } from 'knex';
import type { Actor } from '../../src/access/actor.js';
import { formatMoney, sumMoney } from '../../src/core/money.js';
import type { Db } from '../../src/db/index.js';
import { agingBuckets, bucketOf, DEFAULT_AGING } from '../../src/reports/aging.js';
import { REPORT_LINE_MONEY, type ReportFilter, restatedCredits, restatedLines } from '../../src/reports/lines.js';
import { reportedContractFigures, reportedCredits, reportedLines, reportedNight } from '../../src/reports/snapshot.js';

type Row = Record<string, unknown> & { lineId: number };
const byLine = (a: Row, b: Row) => a.lineId - b.lineId;

/** Credits as a map of the non-zero ones, the money as text. */
function credits(rows: { contract_id: number; credit: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of rows) if (Number(r.credit) !== 0) out[String(r.contract_id)] = String(r.credit);
  return out;
}

export async function restated(db: Db, actor: Actor, asOf: string, filter: Partial<ReportFilter> = {}) {
  const lines = ((await restatedLines(db.knex, actor, { ...filter, asOf })) as Row[]).sort(byLine);
  const credit = credits((await restatedCredits(db.knex, actor, { ...filter, asOf })).rows);
  return { lines, credit };
}

export async function reported(db: Db, actor: Actor, asOf: string, filter: Partial<ReportFilter> = {}) {
  await reportedNight(db.knex, asOf);
  const lines = ((await reportedLines(db.knex, actor, { ...filter, asOf })) as Row[]).sort(byLine);
  const credit = credits(await reportedCredits(db.knex, actor, { ...filter, asOf }));
  return { lines, credit };
}

/**
 * The contracts' sums valid on a night, from a table or a query with the columns of report_contract_sums: the ones
 * the nightly step wrote, or CONTRACT_SUMS_FROM_LINE_STATES (migration 021, what its line states give).
 */
export async function contractSumsOn(db: Db, from: string, night: string) {
  const { rows } = await db.knex.raw(
    `SELECT contract_id, lines, amount_due, paid, written_off, penalty_opening, penalty_paid, penalty_waived,
            penalty_settled FROM ${from} AS x
      WHERE x.valid_from <= ?::date AND (x.valid_to IS NULL OR x.valid_to >= ?::date) ORDER BY contract_id`,
    [night, night],
  );
  return rows;
}

/** Rows in the snapshot tables, for "a quiet night adds only its row". */
export async function snapshotRows(db: Db) {
  const count = async (t: string) => Number((await db.knex(t).count({ n: '*' }).first())?.n);
  return {
    nights: await count('report_snapshots'),
    lines: await count('report_line_states'),
    contracts: await count('report_contract_states'),
  };
}

/**
 * reportedContractFigures of a night (the contracts' sums and their moving lines), and reportedLines summed per
 * contract here, with the default aging buckets: the two must agree.
 */
export async function reportedSums(db: Db, actor: Actor, asOf: string) {
  const filter = { asOf };
  const buckets = agingBuckets(DEFAULT_AGING);
  const keyed = (contract: unknown, figures: Record<string, string>, days: unknown, lines: unknown) => [
    String(contract),
    { ...figures, overdueDays: Number(days), lines: Number(lines) },
  ];
  const summed = (await reportedContractFigures(db.knex, actor, filter, buckets)).rows as Record<string, unknown>[];
  const fromSql = Object.fromEntries(
    summed.map((r) =>
      keyed(
        r.contractId,
        Object.fromEntries([
          ...REPORT_LINE_MONEY.map((f) => [f, formatMoney(String(r[f]))]),
          ...buckets.map((b, i) => [b.name, formatMoney(String(r[`a${i}`]))]),
        ]),
        r.overdueDays,
        r.lines,
      ),
    ),
  );
  const lines = (await reportedLines(db.knex, actor, filter)) as Record<string, unknown>[];
  const ids = [...new Set(lines.map((l) => String(l.contractId)))];
  const fromLines = Object.fromEntries(
    ids.map((id) => {
      const mine = lines.filter((l) => String(l.contractId) === id);
      const inBucket = (name: string) =>
        mine.filter((l) => bucketOf(buckets, Number(l.overdueDays))?.name === name).map((l) => String(l.overdue));
      const figures = Object.fromEntries([
        ...REPORT_LINE_MONEY.map((f) => [f, formatMoney(sumMoney(mine.map((l) => String(l[f]))))]),
        ...buckets.map((b) => [b.name, formatMoney(sumMoney(inBucket(b.name)))]),
      ]);
      return keyed(id, figures, Math.max(...mine.map((l) => Number(l.overdueDays))), mine.length);
    }),
  );
  return { fromSql, fromLines };
}

/** A table's columns in their order, as the catalog has them (the state tables' tests add or read every column). */
export async function tableColumns(knex: Knex, table: string): Promise<string[]> {
  const { rows } = await knex.raw(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?
      ORDER BY ordinal_position`,
    [table],
  );
  return rows.map((r: { column_name: string }) => r.column_name);
}

/** Runs `fn` in a transaction and rolls it back, whatever it wrote; what it returns is kept. */
export async function rolledBack<T>(db: Db, fn: (tx: Knex.Transaction) => Promise<T>): Promise<T> {
  const rollback = new Error('rollback');
  let out: T | undefined;
  try {
    await db.knex.transaction(async (tx) => {
      out = await fn(tx);
      throw rollback;
    });
  } catch (err) {
    if (err !== rollback) throw err;
  }
  return out as T;
}
