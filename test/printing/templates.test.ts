// The Handlebars side of printing: the helpers (money, date, capitals), the partials, and the override folder
// (ZQ_TEMPLATE_DIR/<DEALERCODE>/NAME.hbs, then ZQ_TEMPLATE_DIR/NAME.hbs, then the built-in file).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtInTemplateDir, formatters, loadTemplate, templatePath } from '../../src/printing/templates.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zq-templates-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('templates', () => {
  it('the helpers: 12,345.67, 2026年3月31日, capitals', () => {
    expect(formatters.money('12345.67')).toBe('12,345.67');
    expect(formatters.money('-1000')).toBe('-1,000.00');
    expect(formatters.date('2026-03-31')).toBe('2026年3月31日');
    expect(formatters.date('2026-01-05')).toBe('2026年1月5日');
    expect(formatters.capitals('10000.00')).toBe('壹万元整');
  });

  it('the built-in folder has the partials, found from src/ (and dist/src/ after npm run build)', () => {
    expect(fs.readdirSync(path.join(builtInTemplateDir(), 'partials')).sort()).toEqual([
      'letterhead.hbs',
      'page-footer.hbs',
      'signature.hbs',
      'styles.hbs',
    ]);
  });

  it('the dealer’s own file first, then the override folder, then the built-in one; partials the same way', () => {
    fs.mkdirSync(path.join(dir, 'HF01', 'partials'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'receipt.hbs'), '通用 {{money amount}} {{capitals amount}} {{date day}}');
    fs.writeFileSync(path.join(dir, 'HF01', 'receipt.hbs'), '{{> letterhead}}合肥 {{money amount}}');
    fs.writeFileSync(path.join(dir, 'HF01', 'partials', 'letterhead.hbs'), '[{{dealer.name}}]');
    const context = { amount: '12345.67', day: '2026-03-31', dealer: { name: '合肥<代理>店' } };
    expect(loadTemplate('receipt', { overrideDir: dir, dealerCode: 'HF01' })(context)).toBe('[合肥&lt;代理&gt;店]合肥 12,345.67');
    expect(loadTemplate('receipt', { overrideDir: dir, dealerCode: 'WH02' })(context)).toBe(
      '通用 12,345.67 壹万贰仟叁佰肆拾伍元陆角柒分 2026年3月31日',
    );
    expect(templatePath('receipt', { overrideDir: dir, dealerCode: 'WH02' })).toBe(path.join(dir, 'receipt.hbs'));
    expect(templatePath('notice', { overrideDir: dir })).toBe(path.join(builtInTemplateDir(), 'notice.hbs'));
  });

  it('an override folder that does not exist is one line naming it', () => {
    expect(() => templatePath('receipt', { overrideDir: path.join(dir, 'nope') })).toThrow(
      `ZQ_TEMPLATE_DIR: "${path.join(dir, 'nope')}" — expected a folder of template files`,
    );
  });
});
