// The rule condition language: comparisons on a document's fields combined with and/or and parentheses,
// parsed here into a small tree and evaluated by walking it — never evaluated as code.
//
//   condition  := or
//   or         := and ( 'or' and )*
//   and        := primary ( 'and' primary )*
//   primary    := '(' or ')' | field op value
//   op         := '=' | '!=' | '<' | '<=' | '>' | '>='
//   value      := number | 'quoted text' | "quoted text" | word
//
// e.g. `amount > 5000 and (dealer = HF01 or overdue_days >= 90)`. The empty condition matches everything.
// A document type declares its fields and their kinds (registry.ts); a rule is validated against them:
// decimal fields compare as exact decimals (never floats), integer fields as integers, text fields only with
// = and !=. A comparison on a field the document does not have (null) is false.
import type { Decimal } from 'decimal.js';
import { BadInput } from '../core/errors.js';
import { dec } from '../core/money.js';

export type FieldKind = 'decimal' | 'integer' | 'text';
export type ConditionSchema = Readonly<Record<string, FieldKind>>;
export type ConditionValue = Decimal | number | string | null | undefined;

export const OPERATORS = ['=', '!=', '<', '<=', '>', '>='] as const;
export type Operator = (typeof OPERATORS)[number];

export type Condition =
  | { kind: 'always' }
  | { kind: 'compare'; field: string; op: Operator; value: string; quoted: boolean }
  | { kind: 'and' | 'or'; items: Condition[] };

export const CONDITION_MAX_LENGTH = 1000;
export const CONDITION_MAX_COMPARISONS = 50;
const CONDITION_MAX_DEPTH = 20;

type Token = { kind: 'word' | 'number' | 'string' | 'op' | '(' | ')'; text: string; at: number };

const FIELD = /^[a-z][a-z0-9_]*$/;
const NUMBER = /^-?\d+(\.\d+)?$/;

function fail(source: string, at: number, expected: string): never {
  throw new BadInput('condition', source, `${expected} at position ${at + 1}`);
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '(' || ch === ')') {
      tokens.push({ kind: ch, text: ch, at: i++ });
    } else if ('=!<>'.includes(ch)) {
      const two = source.slice(i, i + 2);
      const op = (['!=', '<=', '>='] as string[]).includes(two) ? two : ch;
      if (op === '!') fail(source, i, 'an operator (=, !=, <, <=, >, >=)');
      tokens.push({ kind: 'op', text: op, at: i });
      i += op.length;
    } else if (ch === "'" || ch === '"') {
      const end = source.indexOf(ch, i + 1);
      if (end < 0) fail(source, i, 'a closing quote');
      tokens.push({ kind: 'string', text: source.slice(i + 1, end), at: i });
      i = end + 1;
    } else {
      const m = /^-?[A-Za-z0-9_.\-\u4e00-\u9fff]+/.exec(source.slice(i));
      if (!m) fail(source, i, 'a field, a value, an operator or a parenthesis');
      const text = m[0];
      tokens.push({ kind: NUMBER.test(text) ? 'number' : 'word', text, at: i });
      i += text.length;
    }
  }
  return tokens;
}

/** Parses a condition; throws BadInput naming the position and what was expected. */
export function parseCondition(source: string): Condition {
  if (source.length > CONDITION_MAX_LENGTH)
    throw new BadInput('condition', `${source.slice(0, 40)}…`, `at most ${CONDITION_MAX_LENGTH} characters`);
  const tokens = tokenize(source);
  if (tokens.length === 0) return { kind: 'always' };
  let pos = 0;
  let comparisons = 0;
  const peek = () => tokens[pos];
  const isWord = (t: Token | undefined, word: string) => t?.kind === 'word' && t.text.toLowerCase() === word;
  const at = () => peek()?.at ?? source.length;

  const parseOr = (depth: number): Condition => {
    if (depth > CONDITION_MAX_DEPTH) fail(source, at(), `at most ${CONDITION_MAX_DEPTH} nested parentheses`);
    const items = [parseAnd(depth)];
    while (isWord(peek(), 'or')) {
      pos++;
      items.push(parseAnd(depth));
    }
    return items.length === 1 ? (items[0] as Condition) : { kind: 'or', items };
  };
  const parseAnd = (depth: number): Condition => {
    const items = [parsePrimary(depth)];
    while (isWord(peek(), 'and')) {
      pos++;
      items.push(parsePrimary(depth));
    }
    return items.length === 1 ? (items[0] as Condition) : { kind: 'and', items };
  };
  const parsePrimary = (depth: number): Condition => {
    const t = peek();
    if (t?.kind === '(') {
      pos++;
      const inner = parseOr(depth + 1);
      if (peek()?.kind !== ')') fail(source, at(), 'a closing parenthesis');
      pos++;
      return inner;
    }
    if (t?.kind !== 'word' || !FIELD.test(t.text) || isWord(t, 'and') || isWord(t, 'or')) fail(source, at(), 'a field name such as amount');
    pos++;
    const op = peek();
    if (op?.kind !== 'op') fail(source, at(), 'an operator (=, !=, <, <=, >, >=)');
    pos++;
    const value = peek();
    if (!value || (value.kind !== 'word' && value.kind !== 'number' && value.kind !== 'string')) fail(source, at(), 'a value');
    pos++;
    if (++comparisons > CONDITION_MAX_COMPARISONS) fail(source, value.at, `at most ${CONDITION_MAX_COMPARISONS} comparisons`);
    return { kind: 'compare', field: t.text, op: op.text as Operator, value: value.text, quoted: value.kind === 'string' };
  };

  const condition = parseOr(0);
  if (pos < tokens.length) fail(source, at(), '"and", "or" or the end of the condition');
  return condition;
}

function quote(value: string): string {
  if (/^[A-Za-z0-9_.\-\u4e00-\u9fff]+$/.test(value) && !['and', 'or'].includes(value.toLowerCase())) return value;
  return value.includes("'") ? `"${value}"` : `'${value}'`;
}

/** The canonical text of a condition (stored with the rule, shown by `zq approval rule list`). */
export function formatCondition(condition: Condition, parent: 'and' | 'or' | null = null): string {
  if (condition.kind === 'always') return '';
  if (condition.kind === 'compare') return `${condition.field} ${condition.op} ${quote(condition.value)}`;
  const text = condition.items.map((c) => formatCondition(c, condition.kind)).join(` ${condition.kind} `);
  return parent === 'and' && condition.kind === 'or' ? `(${text})` : text;
}

/** Checks every field against the document type's schema and every value against the field's kind. */
export function validateCondition(condition: Condition, schema: ConditionSchema, source: string): void {
  if (condition.kind === 'always') return;
  if (condition.kind !== 'compare') {
    for (const item of condition.items) validateCondition(item, schema, source);
    return;
  }
  const kind = Object.hasOwn(schema, condition.field) ? schema[condition.field] : undefined;
  if (!kind)
    throw new BadInput(
      'condition',
      source,
      `fields of this document type: ${Object.keys(schema).sort().join(', ')} (not ${condition.field})`,
    );
  if (kind === 'text') {
    if (condition.op !== '=' && condition.op !== '!=')
      throw new BadInput('condition', source, `= or != for the text field ${condition.field}`);
    return;
  }
  const pattern = kind === 'integer' ? /^-?\d+$/ : NUMBER;
  if (condition.quoted || !pattern.test(condition.value)) {
    throw new BadInput(
      'condition',
      source,
      `${kind === 'integer' ? 'a whole number' : 'a decimal number'} to compare ${condition.field} with (not ${condition.value})`,
    );
  }
}

function compare(left: Decimal, right: Decimal, op: Operator): boolean {
  const c = left.comparedTo(right);
  switch (op) {
    case '=':
      return c === 0;
    case '!=':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
  }
}

/** Evaluates a validated condition on a document's values. */
export function evaluateCondition(
  condition: Condition,
  schema: ConditionSchema,
  values: Readonly<Record<string, ConditionValue>>,
): boolean {
  switch (condition.kind) {
    case 'always':
      return true;
    case 'and':
      return condition.items.every((c) => evaluateCondition(c, schema, values));
    case 'or':
      return condition.items.some((c) => evaluateCondition(c, schema, values));
    case 'compare': {
      const value = values[condition.field];
      if (value === null || value === undefined) return false;
      if (schema[condition.field] === 'text') {
        const equal = String(value) === condition.value;
        return condition.op === '=' ? equal : !equal;
      }
      return compare(dec(typeof value === 'number' ? value : value.toString()), dec(condition.value), condition.op);
    }
  }
}
