// Approval rules, configured by an admin: per document type, in order (the first whose condition matches a
// document wins; none matching means no approval is needed), each with ordered steps whose approver is a role,
// a named user or the applicant's manager N levels up. `zq approval rules load FILE` replaces every active rule
// with those of a YAML file, in the file's order, in one transaction.
import type { Knex } from 'knex';
import { parse as parseYaml } from 'yaml';
import type { Actor } from '../access/actor.js';
import { writeAudit } from '../audit/index.js';
import { BadInput, NotFound } from '../core/errors.js';
import type { Tx } from '../db/index.js';
import { formatCondition, parseCondition, validateCondition } from './condition.js';
import { conditionSchema, documentType, documentTypes } from './registry.js';

export type StepSpec = { kind: 'role'; role: string } | { kind: 'user'; username: string } | { kind: 'manager'; levels: number };

export const MAX_STEPS = 10;
export const MAX_MANAGER_LEVELS = 10;
export const MAX_RULES_IN_FILE = 500;

export interface Rule {
  id: number;
  documentType: string;
  position: number;
  condition: string;
  steps: StepSpec[];
  note: string | null;
}

export function formatStep(step: StepSpec): string {
  if (step.kind === 'role') return `role:${step.role}`;
  if (step.kind === 'user') return `user:${step.username}`;
  return `manager:${step.levels}`;
}

/** `role:dealer_finance`, `user:zhou.jie`, `manager:2` (the applicant's manager two levels up). */
export function parseStep(text: string, field = 'step'): StepSpec {
  const m = /^(role|user|manager):(.+)$/.exec(text.trim());
  const expected = 'role:ROLE, user:USERNAME or manager:N (the applicant’s manager N levels up), e.g. role:dealer_finance';
  if (!m) throw new BadInput(field, text, expected);
  const value = (m[2] as string).trim();
  if (m[1] === 'role') return { kind: 'role', role: value };
  if (m[1] === 'user') return { kind: 'user', username: value };
  const levels = Number(value);
  if (!Number.isInteger(levels) || levels < 1 || levels > MAX_MANAGER_LEVELS)
    throw new BadInput(field, text, `manager:N with N from 1 to ${MAX_MANAGER_LEVELS}`);
  return { kind: 'manager', levels };
}

export interface NewRule {
  documentType: string;
  condition?: string | undefined;
  steps: string[];
  note?: string | undefined;
}

async function validateRule(tx: Tx, input: NewRule, where: string): Promise<{ condition: string; steps: StepSpec[] }> {
  const definition = documentType(input.documentType);
  if (!definition) {
    const known = documentTypes().map((d) => d.type);
    throw new BadInput(
      `type${where}`,
      input.documentType,
      `a document type that goes through approval: ${known.join(', ') || 'none registered'}`,
    );
  }
  const source = input.condition ?? '';
  const parsed = parseCondition(source);
  validateCondition(parsed, conditionSchema(definition), source);
  if (input.steps.length === 0 || input.steps.length > MAX_STEPS)
    throw new BadInput(`step${where}`, input.steps.length, `1 to ${MAX_STEPS} steps`);
  const steps = input.steps.map((s) => parseStep(s, `step${where}`));
  const roles: string[] = await tx('roles').pluck('code');
  for (const step of steps) {
    if (step.kind === 'role' && !roles.includes(step.role))
      throw new BadInput(`step${where}`, formatStep(step), `a role: ${roles.join(', ')}`);
    if (step.kind === 'user' && !(await tx('users').where({ username: step.username }).first('id'))) {
      throw new BadInput(`step${where}`, formatStep(step), 'an existing username').suggest({ action: 'user.list' });
    }
  }
  return { condition: formatCondition(parsed), steps };
}

async function insertRule(tx: Tx, actor: Actor, input: NewRule, where = ''): Promise<Rule> {
  const { condition, steps } = await validateRule(tx, input, where);
  const last = await tx('approval_rules')
    .where({ document_type: input.documentType, active: true })
    .max<{ max: number | null }>('position as max')
    .first();
  const [row] = await tx('approval_rules')
    .insert({
      document_type: input.documentType,
      position: (last?.max ?? 0) + 1,
      condition,
      steps: JSON.stringify(steps),
      note: input.note ?? null,
      created_by: actor.id,
    })
    .returning('id');
  await writeAudit(tx, actor, {
    action: 'create',
    entity: 'approval_rule',
    entityId: row.id,
    details: { documentType: input.documentType, condition, steps: steps.map(formatStep) },
  });
  return findRule(tx, row.id);
}

export function addRule(tx: Tx, actor: Actor, input: NewRule): Promise<Rule> {
  return insertRule(tx, actor, input);
}

function ruleQuery(knex: Knex) {
  return knex('approval_rules')
    .where({ active: true })
    .select('id', 'document_type as documentType', 'position', 'condition', 'steps', 'note');
}

export async function findRule(knex: Knex, id: number): Promise<Rule> {
  const row = await ruleQuery(knex).where({ id }).first();
  if (!row) throw new NotFound('approval rule', id);
  return row as Rule;
}

export async function listRules(knex: Knex, documentType?: string): Promise<Rule[]> {
  const q = ruleQuery(knex).orderBy(['document_type', 'position']);
  if (documentType) q.where({ document_type: documentType });
  return (await q) as Rule[];
}

export async function removeRule(tx: Tx, actor: Actor, id: number): Promise<Rule> {
  const rule = await findRule(tx, id);
  await tx('approval_rules').where({ id }).update({ active: false, removed_by: actor.id, removed_at: tx.fn.now() });
  await writeAudit(tx, actor, {
    action: 'remove',
    entity: 'approval_rule',
    entityId: id,
    details: { documentType: rule.documentType, condition: rule.condition },
  });
  return rule;
}

interface RuleFileEntry {
  type?: unknown;
  when?: unknown;
  steps?: unknown;
  note?: unknown;
}

/**
 * Replaces every active rule with the file's, in its order:
 *
 *   rules:
 *     - type: period_reopen
 *       when: "month = 2026-01"          # optional; absent = always
 *       steps: [role:group_finance, manager:1]
 *       note: reopening January needs group finance
 */
export async function loadRules(tx: Tx, actor: Actor, text: string, file: string): Promise<Rule[]> {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new BadInput(file, (err as Error).message.split('\n')[0], 'a YAML file with a list "rules:"');
  }
  const entries = (doc as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(entries)) throw new BadInput(`${file}: rules`, null, 'a list of rules (type, when, steps)');
  if (entries.length > MAX_RULES_IN_FILE) throw new BadInput(`${file}: rules`, entries.length, `at most ${MAX_RULES_IN_FILE} rules`);
  const removed = await tx('approval_rules')
    .where({ active: true })
    .update({ active: false, removed_by: actor.id, removed_at: tx.fn.now() });
  const loaded: Rule[] = [];
  for (const [i, raw] of (entries as RuleFileEntry[]).entries()) {
    const where = ` (${file} rule ${i + 1})`;
    if (typeof raw?.type !== 'string') throw new BadInput(`type${where}`, raw?.type, 'a document type');
    if (raw.when !== undefined && raw.when !== null && typeof raw.when !== 'string')
      throw new BadInput(`when${where}`, raw.when, 'a condition in quotes');
    if (!Array.isArray(raw.steps) || raw.steps.some((s) => typeof s !== 'string'))
      throw new BadInput(`steps${where}`, raw.steps, 'a list such as [role:group_finance, manager:1]');
    loaded.push(
      await insertRule(
        tx,
        actor,
        {
          documentType: raw.type,
          condition: (raw.when as string | undefined) ?? '',
          steps: raw.steps as string[],
          note: typeof raw.note === 'string' ? raw.note : undefined,
        },
        where,
      ),
    );
  }
  await writeAudit(tx, actor, { action: 'load', entity: 'approval_rule', details: { file, removed, loaded: loaded.length } });
  return loaded;
}
