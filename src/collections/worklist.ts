// The worklist (`zq collection list`, the /collection page): the overdue active contracts of the actor's scope (a
// collector their own, a manager their team's; --collector narrows within it) as of a date, with the overdue
// list's figures (reports/overdue.ts: customer, phone, machines, overdue amount and days, restated) and what
// collections adds: each machine's status, the last contact, the open promise, a broken promise and the
// suggested-action flags. Order (priority): a broken promise first, then a flagged contract, then the overdue
// amount (largest first), then the overdue days (most first), then dealer and contract number.
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import type { BusinessDate } from '../core/dates.js';
import { sqlTimestamp } from '../core/dates.js';
import { dec } from '../core/money.js';
import { overdueList } from '../reports/overdue.js';

export interface WorklistItem {
  dealer: string;
  contractNo: string;
  customer: string;
  phone: string | null;
  collector: string | null;
  machines: { model: string; serialNo: string; status: string }[];
  overdue: string;
  overdueDays: number;
  penaltyOutstanding: string;
  lastContact: { at: string; kind: string; result: string } | null;
  openPromise: { amount: string; date: BusinessDate } | null;
  /** the contract's latest promise was broken: its amount, date and the night that found it broken */
  brokenPromise: { amount: string; date: BusinessDate; brokenOn: BusinessDate } | null;
  /** the open suggested-action flags: lock, repossession */
  flags: { action: string; flaggedOn: BusinessDate; rule: number }[];
}

export interface Worklist {
  asOf: BusinessDate;
  collector: string | null;
  contracts: WorklistItem[];
}

interface Extra {
  dealer: string;
  contractNo: string;
  status: string;
  machines: WorklistItem['machines'] | string;
  lastContact: WorklistItem['lastContact'] | string | null;
  openPromise: WorklistItem['openPromise'] | string | null;
  brokenPromise: WorklistItem['brokenPromise'] | string | null;
  flags: WorklistItem['flags'] | string | null;
}

const parsed = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);

/** What collections knows of the contracts named by dealer code and number. */
async function extras(knex: Knex, keys: { dealer: string; contractNo: string }[]): Promise<Map<string, Extra>> {
  if (keys.length === 0) return new Map();
  const rows = (
    await knex.raw(
      `SELECT d.code AS dealer, c.contract_no AS "contractNo", c.status,
            coalesce((SELECT json_agg(json_build_object('model', m.model, 'serialNo', m.serial_no, 'status', m.status) ORDER BY m.serial_no)
                        FROM contract_machines cm JOIN machines m ON m.id = cm.machine_id WHERE cm.contract_id = c.id), '[]'::json) AS machines,
            (SELECT json_build_object('at', ${sqlTimestamp('k.contacted_at')}, 'kind', k.kind, 'result', k.result)
               FROM collection_contacts k WHERE k.contract_id = c.id ORDER BY k.contacted_at DESC, k.id DESC LIMIT 1) AS "lastContact",
            (SELECT json_build_object('amount', k.promise_amount::text, 'date', k.promise_date::text)
               FROM collection_contacts k WHERE k.contract_id = c.id AND k.promise_status = 'open'
              ORDER BY k.promise_date, k.id LIMIT 1) AS "openPromise",
            (SELECT CASE WHEN k.promise_status = 'broken'
                         THEN json_build_object('amount', k.promise_amount::text, 'date', k.promise_date::text, 'brokenOn', k.decided_on::text) END
               FROM collection_contacts k WHERE k.contract_id = c.id AND k.promise_status IS NOT NULL
              ORDER BY k.contacted_at DESC, k.id DESC LIMIT 1) AS "brokenPromise",
            (SELECT json_agg(json_build_object('action', f.action, 'flaggedOn', f.flagged_on::text, 'rule', f.rule_id) ORDER BY f.action, f.rule_id)
               FROM collection_flags f WHERE f.contract_id = c.id AND f.cleared_on IS NULL) AS flags
       FROM contracts c JOIN dealers d ON d.id = c.dealer_id
       JOIN unnest(?::text[], ?::text[]) AS k(dealer, contract_no) ON k.dealer = d.code AND k.contract_no = c.contract_no`,
      [keys.map((k) => k.dealer), keys.map((k) => k.contractNo)],
    )
  ).rows as Extra[];
  return new Map(rows.map((r) => [`${r.dealer}\u0000${r.contractNo}`, r]));
}

/** The priority order: broken promise, flagged, overdue amount, overdue days, then dealer and number. */
export function byPriority(a: WorklistItem, b: WorklistItem): number {
  const broken = Number(b.brokenPromise !== null) - Number(a.brokenPromise !== null);
  if (broken !== 0) return broken;
  const flagged = Number(b.flags.length > 0) - Number(a.flags.length > 0);
  if (flagged !== 0) return flagged;
  const amount = dec(b.overdue).comparedTo(dec(a.overdue));
  if (amount !== 0) return amount;
  if (b.overdueDays !== a.overdueDays) return b.overdueDays - a.overdueDays;
  return a.dealer.localeCompare(b.dealer) || a.contractNo.localeCompare(b.contractNo);
}

/** The worklist of the actor's scope (narrowed to a collector's contracts) as of the date. */
export async function worklist(knex: Knex, actor: Actor, input: { asOf: BusinessDate; collector?: string | undefined }): Promise<Worklist> {
  const overdue = await overdueList(knex, actor, { asOf: input.asOf, restated: true, collector: input.collector, minOverdueDays: 1 });
  const more = await extras(knex, overdue.contracts);
  const contracts: WorklistItem[] = [];
  for (const c of overdue.contracts) {
    const extra = more.get(`${c.dealer}\u0000${c.contractNo}`);
    if (extra?.status !== 'active') continue;
    contracts.push({
      dealer: c.dealer,
      contractNo: c.contractNo,
      customer: c.customer,
      phone: c.phone,
      collector: c.collector,
      machines: parsed(extra.machines),
      overdue: c.overdue,
      overdueDays: c.overdueDays,
      penaltyOutstanding: c.penaltyOutstanding,
      lastContact: extra.lastContact === null ? null : parsed(extra.lastContact),
      openPromise: extra.openPromise === null ? null : parsed(extra.openPromise),
      brokenPromise: extra.brokenPromise === null ? null : parsed(extra.brokenPromise),
      flags: extra.flags === null ? [] : parsed(extra.flags),
    });
  }
  contracts.sort(byPriority);
  return { asOf: input.asOf, collector: input.collector ?? null, contracts };
}
