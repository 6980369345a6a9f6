// The rule condition language: parsed, validated against a schema and evaluated — never run as code.
import { describe, expect, it } from 'vitest';
import {
  type ConditionSchema,
  evaluateCondition,
  formatCondition,
  parseCondition,
  validateCondition,
} from '../../src/approvals/condition.js';
import { BadInput } from '../../src/core/errors.js';
import { dec } from '../../src/core/money.js';

const schema: ConditionSchema = { amount: 'decimal', overdue_days: 'integer', dealer: 'text', type: 'text' };
const doc = { amount: dec('5000.00'), overdue_days: 91, dealer: 'HF01', type: 'waiver' };

function holds(source: string, values: Record<string, unknown> = doc): boolean {
  const c = parseCondition(source);
  validateCondition(c, schema, source);
  return evaluateCondition(c, schema, values as never);
}

describe('conditions', () => {
  it.each([
    ['', true],
    ['amount > 4999.99', true],
    ['amount > 5000', false],
    ['amount >= 5000.00', true],
    ['amount = 5000', true],
    ['amount != 5000.001', true],
    ['amount < 5000.001', true],
    ['amount <= 4999.999', false],
    ['overdue_days >= 90', true],
    ['overdue_days > 91', false],
    ['dealer = HF01', true],
    ["dealer = 'HF01'", true],
    ['dealer != HF01', false],
    ['dealer = WH01 or amount > 1000', true],
    ['dealer = WH01 and amount > 1000', false],
    ['amount > 1000 and (dealer = WH01 or overdue_days >= 90)', true],
    ['(amount > 10000 or dealer = WH01) and overdue_days >= 90', false],
    ['amount > 10000 or dealer = WH01 and overdue_days >= 90', false],
    ['amount > 1 AND dealer = HF01 OR type = nothing', true],
    ['type = waiver', true],
  ])('%s → %s', (source, expected) => {
    expect(holds(source)).toBe(expected);
  });

  it('compares decimals exactly, never as floats', () => {
    expect(holds('amount = 0.3', { amount: dec('0.1').plus('0.2') })).toBe(true);
    expect(holds('amount > 99999999999999999.98', { amount: dec('99999999999999999.99') })).toBe(true);
  });

  it('a comparison on a field the document does not have is false, whatever the operator', () => {
    expect(holds('amount > 0', { dealer: 'HF01' })).toBe(false);
    expect(holds('amount != 0', { amount: null })).toBe(false);
    expect(holds('amount != 0 or dealer = HF01', { dealer: 'HF01' })).toBe(true);
  });

  it('and binds tighter than or; the canonical form shows it', () => {
    expect(formatCondition(parseCondition('a = 1 or b = 2 and c = 3'))).toBe('a = 1 or b = 2 and c = 3');
    expect(formatCondition(parseCondition('(a = 1 or b = 2) and c = 3'))).toBe('(a = 1 or b = 2) and c = 3');
    expect(formatCondition(parseCondition("  dealer='HF01'  AND amount>=5000 "))).toBe('dealer = HF01 and amount >= 5000');
    expect(formatCondition(parseCondition("note = 'two words'"))).toBe("note = 'two words'");
    expect(formatCondition(parseCondition(''))).toBe('');
  });

  it.each([
    ['amount >', /a value at position 9/],
    ['amount 5000', /an operator/],
    ['> 5000', /a field name/],
    ['(amount > 1', /a closing parenthesis/],
    ['amount > 1)', /"and", "or" or the end/],
    ['amount > 1 and', /a field name/],
    ['amount => 1', /a value/],
    ["dealer = 'HF01", /a closing quote/],
    ['amount > 1; process.exit(1)', /a field, a value/],
    ['amount ! 1', /an operator/],
    ['constructor = 1', /fields of this document type: amount, dealer, overdue_days, type \(not constructor\)/],
    ['dealer > HF01', /= or != for the text field dealer/],
    ['amount > lots', /a decimal number to compare amount with/],
    ["amount > '5000'", /a decimal number/],
    ['overdue_days > 1.5', /a whole number/],
  ])('refuses %j: %s', (source, message) => {
    const run = () => validateCondition(parseCondition(source), schema, source);
    expect(run).toThrow(BadInput);
    expect(run).toThrow(message);
  });

  it('bounds the size of a condition', () => {
    expect(() => parseCondition(`amount > 1${' or amount > 1'.repeat(60)}`)).toThrow(/at most 50 comparisons/);
    expect(() => parseCondition(`${'('.repeat(30)}amount > 1${')'.repeat(30)}`)).toThrow(/nested parentheses/);
    expect(() => parseCondition('x'.repeat(1001))).toThrow(/at most 1000 characters/);
  });
});
