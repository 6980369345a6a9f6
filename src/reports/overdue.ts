// The overdue list per collector (催收清单): as of a date, every contract of the scope with a line overdue
// (outstanding after its due date), with its customer, phone and machines, its overdue lines, its largest
// overdue days, its overdue amount and the penalty it still owes; a subtotal per collector and the total.
// Built on the report lines (sources.ts linesOf), not a balance query of its own: one statement groups them per
// contract and sums the subtotals and total in SQL (window sums), money leaving the database as text.
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import type { BusinessDate } from '../core/dates.js';
import type { ReportFilter } from './lines.js';
import { checkScope, type ReportScope } from './scope.js';
import { checkSource, linesOf } from './sources.js';

export interface OverdueInput {
  asOf: BusinessDate;
  restated: boolean;
  dealer?: string | undefined;
  region?: string | undefined;
  collector?: string | undefined;
  /** only contracts whose largest overdue days reach this many (default 1: every overdue contract) */
  minOverdueDays: number;
}

export interface OverdueLine {
  seq: number;
  type: string;
  dueDate: BusinessDate;
  outstanding: string;
  overdueDays: number;
}

export interface OverdueContract {
  dealer: string;
  dealerName: string;
  contractNo: string;
  customer: string;
  phone: string | null;
  collector: string | null;
  machines: { model: string; serialNo: string }[];
  /** the overdue lines, oldest due date first */
  lines: OverdueLine[];
  /** the contract's largest overdue days */
  overdueDays: number;
  /** the outstanding of its overdue lines */
  overdue: string;
  /** the penalty it still owes, every line (a line paid late may still owe its penalty) */
  penaltyOutstanding: string;
}

/** A collector's subtotal (collector null: contracts nobody is assigned to), or the total. */
export interface OverdueSum {
  contracts: number;
  lines: number;
  overdue: string;
  penaltyOutstanding: string;
}

export interface OverdueList {
  asOf: BusinessDate;
  restated: boolean;
  scope: ReportScope;
  collector: string | null;
  minOverdueDays: number;
  /** ordered by collector (unassigned last), then overdue amount, largest first */
  contracts: OverdueContract[];
  collectors: (OverdueSum & { collector: string | null })[];
  totals: OverdueSum;
}

/** The statement: the lines grouped per overdue contract, with the collector's and the report's sums. */
export function overdueSql(lines: { sql: string; bindings: readonly Knex.RawBinding[] }, minOverdueDays: number) {
  const text = (expression: string) => `(${expression})::numeric(18,2)::text`;
  const sql = `WITH c AS (
      SELECT l."contractId", min(l.dealer) AS dealer, min(l."dealerName") AS "dealerName", min(l."contractNo") AS "contractNo",
             min(l.customer) AS customer, min(l.phone) AS phone, min(l.collector) AS collector,
             sum(l.overdue) AS overdue, max(l."overdueDays") AS "overdueDays", sum(l."penaltyOutstanding") AS "penaltyOutstanding",
             count(*) FILTER (WHERE l.overdue > 0) AS lines,
             json_agg(json_build_object('seq', l.seq, 'type', l.type, 'dueDate', l."dueDate"::text,
                        'outstanding', ${text('l.outstanding')}, 'overdueDays', l."overdueDays")
                      ORDER BY l."dueDate", l.seq, l.type) FILTER (WHERE l.overdue > 0) AS "overdueLines"
        FROM (${lines.sql}) AS l
       GROUP BY l."contractId"
      HAVING sum(l.overdue) > 0 AND max(l."overdueDays") >= ?
    )
    SELECT c.dealer, c."dealerName", c."contractNo", c.customer, c.phone, c.collector,
           coalesce((SELECT json_agg(json_build_object('model', m.model, 'serialNo', m.serial_no) ORDER BY m.serial_no)
                       FROM contract_machines cm JOIN machines m ON m.id = cm.machine_id
                      WHERE cm.contract_id = c."contractId"), '[]'::json) AS machines,
           c."overdueLines" AS lines, c."overdueDays"::integer AS "overdueDays",
           ${text('c.overdue')} AS overdue, ${text('c."penaltyOutstanding"')} AS "penaltyOutstanding",
           (count(*) OVER w)::integer AS "collectorContracts", (sum(c.lines) OVER w)::integer AS "collectorLines",
           ${text('sum(c.overdue) OVER w')} AS "collectorOverdue", ${text('sum(c."penaltyOutstanding") OVER w')} AS "collectorPenalty",
           (count(*) OVER ())::integer AS "totalContracts", (sum(c.lines) OVER ())::integer AS "totalLines",
           ${text('sum(c.overdue) OVER ()')} AS "totalOverdue", ${text('sum(c."penaltyOutstanding") OVER ()')} AS "totalPenalty"
      FROM c
    WINDOW w AS (PARTITION BY c.collector)
     ORDER BY c.collector NULLS LAST, c.overdue DESC, c.dealer, c."contractNo"`;
  return { sql, bindings: [...lines.bindings, minOverdueDays] };
}

interface SqlRow extends Omit<OverdueContract, 'lines'> {
  lines: OverdueLine[];
  collectorContracts: number;
  collectorLines: number;
  collectorOverdue: string;
  collectorPenalty: string;
  totalContracts: number;
  totalLines: number;
  totalOverdue: string;
  totalPenalty: string;
}

const parsed = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);

/** The overdue list of the input's scope as of its date (checked against the batch by the action). */
export async function overdueList(knex: Knex, actor: Actor, input: OverdueInput): Promise<OverdueList> {
  const scope = await checkScope(knex, actor, input);
  const filter: ReportFilter = { asOf: input.asOf, dealer: input.dealer, region: input.region, collector: input.collector };
  await checkSource(knex, actor, filter, input.restated);
  const { sql, bindings } = overdueSql(linesOf(knex, actor, filter, input.restated).toSQL(), input.minOverdueDays);
  const rows = (await knex.raw(sql, bindings)).rows as SqlRow[];
  const contracts: OverdueContract[] = [];
  const collectors: OverdueList['collectors'] = [];
  for (const r of rows) {
    contracts.push({
      dealer: r.dealer,
      dealerName: r.dealerName,
      contractNo: r.contractNo,
      customer: r.customer,
      phone: r.phone,
      collector: r.collector,
      machines: parsed(r.machines),
      lines: parsed(r.lines),
      overdueDays: r.overdueDays,
      overdue: r.overdue,
      penaltyOutstanding: r.penaltyOutstanding,
    });
    if (collectors.length === 0 || collectors.at(-1)?.collector !== r.collector)
      collectors.push({
        collector: r.collector,
        contracts: r.collectorContracts,
        lines: r.collectorLines,
        overdue: r.collectorOverdue,
        penaltyOutstanding: r.collectorPenalty,
      });
  }
  const first = rows[0];
  const totals: OverdueSum = first
    ? { contracts: first.totalContracts, lines: first.totalLines, overdue: first.totalOverdue, penaltyOutstanding: first.totalPenalty }
    : { contracts: 0, lines: 0, overdue: '0.00', penaltyOutstanding: '0.00' };
  return {
    asOf: input.asOf,
    restated: input.restated,
    scope,
    collector: input.collector ?? null,
    minOverdueDays: input.minOverdueDays,
    contracts,
    collectors,
    totals,
  };
}
