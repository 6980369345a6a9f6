// The receipts journal (收款日记账) for a period: the confirmed receipts of the scope's contracts whose value date
// falls in it, each with what it paid as its own postings say (RECEIPT_MONEY: principal, the other receivable
// types, penalty, credit held, recovery on a written-off contract — they add up to the receipt), subtotals per
// account and method, and the total. Amounts summed in SQL (GROUPING SETS), leaving the database as text.
//
// - Buyback transfers (回购, receivables/buyback.ts): the receipt a buyback records (method 'buyback', data.buyback)
//   closes what the customer owed the financier; no money came in. Listed in their own section with their own
//   total, never in the cash subtotals or total.
// - Reversed receipts are left out of the rows and the totals — the ledger holds them as if never received (the
//   reversal replays the contract without them) — and listed in a note with the reversal's date and reason. A
//   receipt dated in a closed month cannot be reversed (periods), so a closed month's journal never changes.
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import type { BusinessDate } from '../core/dates.js';
import { reportContracts } from './lines.js';
import { checkScope, type ReportScope } from './scope.js';

export interface ReceiptsInput {
  from: BusinessDate;
  to: BusinessDate;
  dealer?: string | undefined;
  region?: string | undefined;
  collector?: string | undefined;
}

/** What a receipt paid, from its postings; the parts add up to its amount. */
export const RECEIPT_PARTS = ['principal', 'other', 'penalty', 'credit', 'recovery'] as const;
export type ReceiptPart = (typeof RECEIPT_PARTS)[number];

export type ReceiptRow = {
  number: string;
  valueDate: BusinessDate;
  dealer: string;
  contractNo: string;
  customer: string;
  collector: string | null;
  payer: string | null;
  method: string | null;
  account: string | null;
  reference: string | null;
  amount: string;
} & Record<ReceiptPart, string>;

/** A subtotal per account and method, per account, or a section's total (account and method null). */
export type ReceiptSum = {
  level: 'method' | 'account' | 'total';
  account: string | null;
  method: string | null;
  receipts: number;
  amount: string;
} & Record<ReceiptPart, string>;

export interface ReversedReceipt {
  number: string;
  valueDate: BusinessDate;
  dealer: string;
  contractNo: string;
  customer: string;
  amount: string;
  /** the business day the reversal was entered (Asia/Shanghai) */
  reversedOn: BusinessDate | null;
  reason: string | null;
}

export interface ReceiptsJournal {
  from: BusinessDate;
  to: BusinessDate;
  scope: ReportScope;
  collector: string | null;
  /** cash receipts, by value date then number */
  receipts: ReceiptRow[];
  /** per account and method, then the account's subtotal, accounts in order (none last) */
  subtotals: ReceiptSum[];
  totals: ReceiptSum;
  buybacks: ReceiptRow[];
  buybackTotals: ReceiptSum;
  reversed: ReversedReceipt[];
}

const part = (expression: string) => `coalesce(sum(p.signed_amount) FILTER (WHERE ${expression}), 0)`;

/** The receipts of the period in scope with their parts: the statement all three sections read. */
function receiptRows(knex: Knex, actor: Actor, input: ReceiptsInput, status: 'confirmed' | 'reversed'): Knex.QueryBuilder {
  const contracts = reportContracts(knex, actor, {
    asOf: input.to,
    dealer: input.dealer,
    region: input.region,
    collector: input.collector,
  });
  return knex('documents as r')
    .join('contracts as c', 'c.id', 'r.contract_id')
    .join('dealers as d', 'd.id', 'c.dealer_id')
    .join('customers as cu', 'cu.id', 'c.customer_id')
    .leftJoin('users as u', 'u.id', 'c.collector_id')
    .leftJoin('postings as p', 'p.document_id', 'r.id')
    .where('r.type', 'receipt')
    .where('r.status', status)
    .whereBetween('r.value_date', [input.from, input.to])
    .whereIn('r.contract_id', contracts)
    .groupBy('r.id', 'd.code', 'c.contract_no', 'cu.name', 'u.username')
    .select(
      'r.number',
      knex.raw('r.value_date::text AS "valueDate"'),
      'd.code as dealer',
      'c.contract_no as contractNo',
      'cu.name as customer',
      'u.username as collector',
      knex.raw(`r.data->>'payer' AS payer`),
      knex.raw(`r.data->>'method' AS method`),
      knex.raw(`r.data->>'account' AS account`),
      knex.raw(`r.data->>'reference' AS reference`),
      knex.raw(`(r.data->>'buyback') IS NOT NULL AS buyback`),
      knex.raw('r.amount'),
      knex.raw(`${part(`p.kind = 'allocation' AND p.receivable_type = 'principal'`)} AS principal`),
      knex.raw(`${part(`p.kind = 'allocation' AND p.receivable_type <> 'principal'`)} AS other`),
      knex.raw(`${part(`p.kind = 'penalty_allocation'`)} AS penalty`),
      knex.raw(`${part(`p.kind = 'credit'`)} AS credit`),
      knex.raw(`${part(`p.kind = 'recovery'`)} AS recovery`),
    );
}

const MONEY = ['amount', ...RECEIPT_PARTS] as const;

interface SumRow extends Omit<ReceiptSum, 'level'> {
  buyback: boolean;
  gAccount: number;
  gMethod: number;
}

/** The receipts journal of the input's scope and period. */
export async function receiptsJournal(knex: Knex, actor: Actor, input: ReceiptsInput): Promise<ReceiptsJournal> {
  const scope = await checkScope(knex, actor, input);
  const rows = receiptRows(knex, actor, input, 'confirmed').toSQL();
  const listed = await knex.raw(
    `SELECT x.*, ${MONEY.map((m) => `x.${m}::numeric(18,2)::text AS ${m}`).join(', ')}
       FROM (${rows.sql}) AS x
      ORDER BY x."valueDate", x.number`,
    rows.bindings,
  );
  // per account and method, per account, and the section's total: cash and buyback transfers apart
  const sums = await knex.raw(
    `SELECT x.buyback, x.account, x.method, count(*)::integer AS receipts,
            ${MONEY.map((m) => `sum(x.${m})::numeric(18,2)::text AS ${m}`).join(', ')},
            GROUPING(x.account) AS "gAccount", GROUPING(x.method) AS "gMethod"
       FROM (${rows.sql}) AS x
      GROUP BY GROUPING SETS ((x.buyback, x.account, x.method), (x.buyback, x.account), (x.buyback))
      ORDER BY x.buyback, GROUPING(x.account), x.account NULLS LAST, GROUPING(x.method), x.method NULLS LAST`,
    rows.bindings,
  );
  const all = (listed.rows as (ReceiptRow & { buyback: boolean })[]).map(({ buyback, ...r }) => ({ buyback, row: r }));
  const sumRows = sums.rows as SumRow[];
  const sum = ({ buyback: _, gAccount, gMethod, ...s }: SumRow): ReceiptSum => ({
    level: gAccount === 1 ? 'total' : gMethod === 1 ? 'account' : 'method',
    ...s,
  });
  const zero = {
    level: 'total',
    account: null,
    method: null,
    receipts: 0,
    ...Object.fromEntries(MONEY.map((m) => [m, '0.00'])),
  } as ReceiptSum;
  const totalOf = (buyback: boolean) => {
    const t = sumRows.find((s) => s.buyback === buyback && s.gAccount === 1);
    return t ? sum(t) : zero;
  };
  const subtotals = sumRows.filter((s) => !s.buyback && s.gAccount === 0).map(sum);
  const reversed = receiptRows(knex, actor, input, 'reversed')
    .clearSelect()
    .clearGroup()
    .leftJoin('documents as rv', (j) => j.on('rv.reverses_id', 'r.id').andOnVal('rv.type', '=', 'receipt_reversal'))
    .groupBy('r.id', 'd.code', 'c.contract_no', 'cu.name', 'rv.id')
    .select(
      'r.number',
      knex.raw('r.value_date::text AS "valueDate"'),
      'd.code as dealer',
      'c.contract_no as contractNo',
      'cu.name as customer',
      knex.raw('r.amount::text AS amount'),
      knex.raw(`(rv.created_at AT TIME ZONE 'Asia/Shanghai')::date::text AS "reversedOn"`),
      knex.raw(`rv.data->>'reason' AS reason`),
    )
    .orderBy([{ column: 'r.value_date' }, { column: 'r.number' }]);
  return {
    from: input.from,
    to: input.to,
    scope,
    collector: input.collector ?? null,
    receipts: all.filter((r) => !r.buyback).map((r) => r.row),
    subtotals,
    totals: totalOf(false),
    buybacks: all.filter((r) => r.buyback).map((r) => r.row),
    buybackTotals: totalOf(true),
    reversed: (await reversed) as ReversedReceipt[],
  };
}
