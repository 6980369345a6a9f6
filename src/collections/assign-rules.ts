// Assignment by rules (`zq collection assign --rules FILE`): an ordered list of rules in YAML or JSON, each matching
// overdue contracts by dealer, region, overdue-days band and outstanding band and naming the collector or team
// lead who gets them. The first rule that matches a contract wins; a contract no rule matches stays where it is.
// The file is checked whole before anything is read or written (one line naming the rule's number and field);
// the moves are computed in full next (a rule that would give a contract to staff of another dealer refuses the
// run); a dry run returns them, a real run writes them all in the action's one transaction.
import type { Knex } from 'knex';
import YAML from 'yaml';
import type { Actor } from '../access/actor.js';
import { scopeContracts } from '../access/scope.js';
import type { BusinessDate } from '../core/dates.js';
import { BadInput } from '../core/errors.js';
import { dec, formatMoney, type Money, parseMoney } from '../core/money.js';
import { refuseControlCharacters } from '../core/text.js';
import type { Tx } from '../db/index.js';
import { type Assignee, type AssignmentMove, assignCollector, checkSameDealer, findAssignee } from './assignments.js';
import { contractFiguresSql } from './figures.js';

/** At most this many rules in one file. */
export const RULES_MAX = 200;
/** The keys a rule may carry. */
const RULE_KEYS = ['dealer', 'region', 'minOverdueDays', 'maxOverdueDays', 'minOutstanding', 'maxOutstanding', 'to', 'reason'] as const;

export interface AssignRule {
  /** 1-based position in the file */
  no: number;
  dealer?: string | undefined;
  region?: string | undefined;
  minOverdueDays?: number | undefined;
  maxOverdueDays?: number | undefined;
  minOutstanding?: Money | undefined;
  maxOutstanding?: Money | undefined;
  to: string;
  reason?: string | undefined;
}

const field = (no: number, key: string) => `rule ${no}: ${key}`;

function wholeDays(no: number, key: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  const text = String(value).trim();
  if (!/^\d{1,5}$/.test(text)) throw new BadInput(field(no, key), value, 'a whole number of days from 0');
  return Number(text);
}

function amount(no: number, key: string, value: unknown): Money | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') throw new BadInput(field(no, key), value, 'an amount, e.g. "50000.00"');
  return parseMoney(String(value), field(no, key));
}

function code(no: number, key: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !value.trim()) throw new BadInput(field(no, key), value, 'a code, e.g. HF01');
  return refuseControlCharacters(field(no, key), value.trim());
}

/** The rules of a file's text (YAML, of which JSON is a part), checked without the database. */
export function parseRulesText(text: string, fileName = 'rules'): AssignRule[] {
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (err) {
    throw new BadInput('rules', fileName, `a YAML or JSON file (${(err as Error).message.split('\n')[0]})`);
  }
  const list = Array.isArray(doc) ? doc : (doc as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(list) || list.length === 0)
    throw new BadInput('rules', fileName, 'a file with a list `rules:` of at least one rule (see fixtures/collection-rules.yaml)');
  if (list.length > RULES_MAX) throw new BadInput('rules', list.length, `at most ${RULES_MAX} rules`);
  return list.map((raw: unknown, i) => {
    const no = i + 1;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new BadInput(`rule ${no}`, raw, 'a mapping of rule keys');
    const r = raw as Record<string, unknown>;
    for (const key of Object.keys(r))
      if (!(RULE_KEYS as readonly string[]).includes(key))
        throw new BadInput(field(no, key), r[key], `one of the keys ${RULE_KEYS.join(', ')}`);
    const to = code(no, 'to', r.to);
    if (to === undefined) throw new BadInput(field(no, 'to'), null, 'the username of the collector or team lead who gets the contracts');
    const rule: AssignRule = {
      no,
      dealer: code(no, 'dealer', r.dealer),
      region: code(no, 'region', r.region),
      minOverdueDays: wholeDays(no, 'minOverdueDays', r.minOverdueDays),
      maxOverdueDays: wholeDays(no, 'maxOverdueDays', r.maxOverdueDays),
      minOutstanding: amount(no, 'minOutstanding', r.minOutstanding),
      maxOutstanding: amount(no, 'maxOutstanding', r.maxOutstanding),
      to,
      reason: r.reason === undefined ? undefined : refuseControlCharacters(field(no, 'reason'), String(r.reason)),
    };
    if (rule.minOverdueDays !== undefined && rule.maxOverdueDays !== undefined && rule.minOverdueDays > rule.maxOverdueDays)
      throw new BadInput(field(no, 'maxOverdueDays'), rule.maxOverdueDays, `a number of days ≥ minOverdueDays ${rule.minOverdueDays}`);
    if (rule.minOutstanding && rule.maxOutstanding && rule.minOutstanding.greaterThan(rule.maxOutstanding))
      throw new BadInput(
        field(no, 'maxOutstanding'),
        formatMoney(rule.maxOutstanding),
        `an amount ≥ minOutstanding ${formatMoney(rule.minOutstanding)}`,
      );
    return rule;
  });
}

interface CheckedRule extends AssignRule {
  target: Assignee;
  dealerId?: number | undefined;
  regionDealerIds?: number[] | undefined;
}

/** The rules checked against the database: dealers and regions exist, targets are users the actor may assign to. */
async function checkRules(knex: Knex, actor: Actor, rules: AssignRule[]): Promise<CheckedRule[]> {
  const checked: CheckedRule[] = [];
  for (const rule of rules) {
    const target = await findAssignee(knex, actor, rule.to, field(rule.no, 'to'));
    const out: CheckedRule = { ...rule, target };
    if (rule.dealer !== undefined) {
      const dealer = await knex('dealers').where('kind', 'dealer').whereRaw('upper(code) = upper(?)', [rule.dealer]).first('id', 'code');
      if (!dealer) throw new BadInput(field(rule.no, 'dealer'), rule.dealer, 'the code of a dealer').suggest({ action: 'dealer.list' });
      out.dealerId = dealer.id;
      checkSameDealer(target, { dealerId: dealer.id, dealer: dealer.code, contractNo: '*' }, field(rule.no, 'to'));
    }
    if (rule.region !== undefined) {
      const region = await knex('dealers').where('kind', 'region').whereRaw('upper(code) = upper(?)', [rule.region]).first('id');
      if (!region) throw new BadInput(field(rule.no, 'region'), rule.region, 'the code of a region').suggest({ action: 'dealer.list' });
      out.regionDealerIds = await knex('dealers').where('parent_id', region.id).pluck('id');
    }
    checked.push(out);
  }
  return checked;
}

interface Candidate {
  id: number;
  dealerId: number;
  dealer: string;
  contractNo: string;
  collector: string | null;
  outstanding: string;
  overdue: string;
  overdueDays: number;
}

function matches(rule: CheckedRule, c: Candidate): boolean {
  if (rule.dealerId !== undefined && c.dealerId !== rule.dealerId) return false;
  if (rule.regionDealerIds !== undefined && !rule.regionDealerIds.includes(c.dealerId)) return false;
  if (rule.minOverdueDays !== undefined && c.overdueDays < rule.minOverdueDays) return false;
  if (rule.maxOverdueDays !== undefined && c.overdueDays > rule.maxOverdueDays) return false;
  const outstanding = dec(c.outstanding);
  if (rule.minOutstanding && outstanding.lessThan(rule.minOutstanding)) return false;
  if (rule.maxOutstanding && outstanding.greaterThan(rule.maxOutstanding)) return false;
  return true;
}

export interface AssignByRulesInput {
  rules: AssignRule[];
  asOf: BusinessDate;
  dryRun: boolean;
}

export interface AssignByRulesResult {
  asOf: BusinessDate;
  dryRun: boolean;
  /** overdue contracts in the actor's scope that were considered */
  considered: number;
  /** matched by a rule but already with its target */
  unchanged: number;
  moves: AssignmentMove[];
}

/** Applies the rules to the overdue active contracts of the actor's scope as of the date. */
export async function assignByRules(tx: Tx, actor: Actor, input: AssignByRulesInput): Promise<AssignByRulesResult> {
  const rules = await checkRules(tx, actor, input.rules);
  const scoped = scopeContracts(tx('contracts as c').select('c.id').where('c.status', 'active'), actor, 'c');
  const figures = contractFiguresSql(tx, input.asOf, scoped);
  const candidates = (
    await tx.raw(
      `SELECT c.id, c.dealer_id AS "dealerId", d.code AS dealer, c.contract_no AS "contractNo", u.username AS collector,
            f.outstanding::text AS outstanding, f.overdue::text AS overdue, f.overdue_days AS "overdueDays"
       FROM (${figures.sql}) f
       JOIN contracts c ON c.id = f.contract_id
       JOIN dealers d ON d.id = c.dealer_id
       LEFT JOIN users u ON u.id = c.collector_id
      WHERE f.overdue > 0
      ORDER BY d.code, c.contract_no`,
      figures.bindings,
    )
  ).rows as Candidate[];
  const planned: { contract: Candidate; rule: CheckedRule }[] = [];
  let unchanged = 0;
  for (const contract of candidates) {
    const rule = rules.find((r) => matches(r, contract));
    if (!rule) continue;
    checkSameDealer(rule.target, contract, field(rule.no, 'to'));
    if (contract.collector === rule.target.username) unchanged++;
    else planned.push({ contract, rule });
  }
  const moves: AssignmentMove[] = [];
  for (const { contract, rule } of planned) {
    const move = input.dryRun
      ? {
          dealer: contract.dealer,
          contractNo: contract.contractNo,
          from: contract.collector,
          to: rule.target.username,
          date: input.asOf,
          rule: rule.no,
        }
      : await assignCollector(tx, actor, {
          contract,
          to: rule.target,
          date: input.asOf,
          reason: rule.reason ?? `rule ${rule.no}`,
          source: 'rules',
          ruleNo: rule.no,
        });
    if (move) moves.push(move);
  }
  return { asOf: input.asOf, dryRun: input.dryRun, considered: candidates.length, unchanged, moves };
}
