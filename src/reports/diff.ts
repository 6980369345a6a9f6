// `zq report diff --as-of DATE`: the contracts whose restated figures for a night differ from what was reported
// that night (the snapshot), each with both sets of figures and the documents that changed them — the contract's
// documents value-dated on or before the night but created after the snapshot was taken. One statement compares
// every contract in scope (as reported and restated summed per contract); the documents are read for the few
// that differ.
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import type { BusinessDate } from '../core/dates.js';
import { formatMoney } from '../core/money.js';
import { type ReportFilter, restatedCredits, restatedLines } from './lines.js';
import { reportedContractFigures, reportedCredits, reportedNight } from './snapshot.js';

/** The figures compared, per contract (JSON keys). */
export const DIFF_FIGURES = [
  'outstanding',
  'overdue',
  'amountPaid',
  'penaltyAccrued',
  'penaltyPaid',
  'penaltyWaived',
  'penaltyOutstanding',
  'credit',
] as const;
export type DiffFigure = (typeof DIFF_FIGURES)[number];
export type Figures = Record<DiffFigure, string>;

export interface ChangingDocument {
  number: string;
  type: string;
  status: string;
  valueDate: BusinessDate;
  createdBy: string | null;
  /** ISO timestamp */
  createdAt: string;
}

export interface ContractDiff {
  dealer: string;
  contractNo: string;
  customer: string;
  collector: string | null;
  reported: Figures;
  restated: Figures;
  documents: ChangingDocument[];
  /** when the contract itself was entered, if after the snapshot (ISO timestamp), else null */
  enteredAt: string | null;
  /** imports after the snapshot that changed or created the contract (imports have no document number) */
  imports: { importId: number; file: string; by: string | null; at: string }[];
}

export interface ReportDiff {
  asOf: BusinessDate;
  takenAt: string;
  late: boolean;
  contracts: ContractDiff[];
}

const LINE_SUMS = DIFF_FIGURES.filter((f) => f !== 'credit');

/** Per contract: the line figures summed (columns contract_id and the figures but credit). */
function perContract(knex: Knex, lines: Knex.QueryBuilder): Knex.QueryBuilder {
  return knex
    .from(lines.as('x'))
    .groupBy('x.contractId')
    .select('x.contractId as contract_id', ...LINE_SUMS.map((f) => knex.raw(`sum(x."${f}") AS "${f}"`)));
}

export async function reportDiff(
  knex: Knex,
  actor: Actor,
  filter: ReportFilter & { contractId?: number | undefined },
): Promise<ReportDiff> {
  const night = await reportedNight(knex, filter.asOf);
  const side = (alias: string, f: DiffFigure) => (f === 'credit' ? `coalesce(${alias}c.credit, 0)` : `coalesce(${alias}."${f}", 0)`);
  const both = (alias: string) => `(${DIFF_FIGURES.map((f) => side(alias, f)).join(', ')})`;
  const rows = await knex.raw(
    `SELECT coalesce(a.contract_id, b.contract_id) AS contract_id,
       ${DIFF_FIGURES.map((f) => `${side('a', f)}::text AS "a_${f}", ${side('b', f)}::text AS "b_${f}"`).join(', ')}
     FROM ? FULL JOIN ? ON b.contract_id = a.contract_id
       LEFT JOIN ? ON ac.contract_id = coalesce(a.contract_id, b.contract_id)
       LEFT JOIN (?) AS bc ON bc.contract_id = coalesce(a.contract_id, b.contract_id)
     WHERE ${both('a')} IS DISTINCT FROM ${both('b')}
       AND (?::bigint IS NULL OR coalesce(a.contract_id, b.contract_id) = ?::bigint)`,
    [
      knex.raw('(SELECT f."contractId" AS contract_id, f.* FROM (?) AS f) AS a', [reportedContractFigures(knex, actor, filter, [])]),
      perContract(knex, restatedLines(knex, actor, filter)).as('b'),
      reportedCredits(knex, actor, filter).as('ac'),
      restatedCredits(knex, actor, filter),
      filter.contractId ?? null,
      filter.contractId ?? null,
    ],
  );
  const changed = rows.rows as Record<string, string | number>[];
  if (changed.length === 0) return { asOf: filter.asOf, takenAt: night.takenAt.toISOString(), late: night.late, contracts: [] };
  const ids = changed.map((r) => Number(r.contract_id));
  const heads = await knex('contracts as c')
    .join('dealers as d', 'd.id', 'c.dealer_id')
    .join('customers as cu', 'cu.id', 'c.customer_id')
    .leftJoin('users as u', 'u.id', 'c.collector_id')
    .whereIn('c.id', ids)
    .select('c.id', 'd.code as dealer', 'c.contract_no as contractNo', 'cu.name as customer', 'u.username as collector', 'c.created_at');
  // an import names what it changed by dealer/contract key (import_changes) or, for a contract it created, in the audit log
  const imports = await knex('imports as i')
    .leftJoin('users as u', 'u.id', 'i.actor_id')
    .where('i.started_at', '>', night.takenAt)
    .where('i.status', 'imported')
    .whereExists((q) =>
      q
        .from('audit_log as a')
        .whereRaw(`a.action = 'import' AND a.entity = 'contract' AND (a.details->>'importId')::bigint = i.id`)
        .whereRaw('a.entity_id::bigint = ANY(?::bigint[])', [ids]),
    )
    .select(
      'i.id',
      'i.file_name',
      'u.username',
      'i.started_at',
      knex.raw(
        `(SELECT array_agg(a.entity_id::bigint) FROM audit_log a WHERE a.action = 'import' AND a.entity = 'contract' AND (a.details->>'importId')::bigint = i.id) AS contract_ids`,
      ),
    )
    .orderBy('i.id');
  const docs = await knex('documents as doc')
    .leftJoin('users as u', 'u.id', 'doc.author_id')
    .whereIn('doc.contract_id', ids)
    .where('doc.value_date', '<=', filter.asOf)
    .where('doc.created_at', '>', night.takenAt)
    .orderBy(['doc.created_at', 'doc.id'])
    .select('doc.contract_id', 'doc.number', 'doc.type', 'doc.status', 'doc.value_date', 'u.username', 'doc.created_at');
  const byId = new Map(heads.map((h) => [Number(h.id), h]));
  const contracts = changed.map((r) => {
    const id = Number(r.contract_id);
    const head = byId.get(id);
    const figures = (side: 'a' | 'b') => Object.fromEntries(DIFF_FIGURES.map((f) => [f, formatMoney(r[`${side}_${f}`] ?? 0)])) as Figures;
    return {
      dealer: head?.dealer,
      contractNo: head?.contractNo,
      customer: head?.customer,
      collector: head?.collector ?? null,
      reported: figures('a'),
      restated: figures('b'),
      documents: docs
        .filter((d) => Number(d.contract_id) === id)
        .map((d) => ({
          number: d.number,
          type: d.type,
          status: d.status,
          valueDate: d.value_date,
          createdBy: d.username ?? null,
          createdAt: new Date(d.created_at).toISOString(),
        })),
      enteredAt: head && new Date(head.created_at) > night.takenAt ? new Date(head.created_at).toISOString() : null,
      imports: imports
        .filter((i) => (i.contract_ids as (string | number)[] | null)?.some((c) => Number(c) === id))
        .map((i) => ({ importId: Number(i.id), file: i.file_name, by: i.username ?? null, at: new Date(i.started_at).toISOString() })),
    };
  });
  contracts.sort((x, y) => x.dealer.localeCompare(y.dealer) || x.contractNo.localeCompare(y.contractNo));
  return { asOf: filter.asOf, takenAt: night.takenAt.toISOString(), late: night.late, contracts };
}
