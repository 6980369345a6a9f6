// Printed documents are Handlebars templates (src/templates/NAME.hbs, partials in src/templates/partials/).
// A dealer may replace any of them with its own file (README "Printing"): ZQ_TEMPLATE_DIR/<DEALERCODE>/NAME.hbs
// first, then ZQ_TEMPLATE_DIR/NAME.hbs, then the one shipped with zq; partials the same way under partials/.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { BadInput } from '../core/errors.js';
import { formatMoneyGrouped } from '../core/money.js';
import { chineseDate } from '../reports/breakdown-view.js';
import { amountInCapitals } from './capitals.js';

/** The templates shipped with zq: src/templates beside src/printing, also when running from dist/src/printing. */
export function builtInTemplateDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, '../templates'), path.resolve(here, '../../../src/templates')];
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, 'partials')));
  if (!found) throw new Error(`invariant broken: the templates folder is missing (looked in ${candidates.join(', ')})`);
  return found;
}

export interface TemplateOptions {
  /** The dealer whose own templates come first (its subfolder of the override folder). */
  dealerCode?: string | undefined;
  /** The override folder; default ZQ_TEMPLATE_DIR. */
  overrideDir?: string | undefined;
}

const NAME = /^[a-z][a-z0-9-]*$/;

/** Where NAME.hbs is read from: the dealer's folder, the override folder, then the built-in one. */
export function templatePath(name: string, options: TemplateOptions = {}, sub = ''): string {
  if (!NAME.test(name)) throw new Error(`invariant broken: not a template name: ${name}`);
  const file = path.join(sub, `${name}.hbs`);
  const override = options.overrideDir ?? process.env.ZQ_TEMPLATE_DIR?.trim();
  if (override) {
    if (!fs.existsSync(override) || !fs.statSync(override).isDirectory())
      throw new BadInput('ZQ_TEMPLATE_DIR', override, 'a folder of template files (README "Printing")');
    const places = options.dealerCode
      ? [path.join(override, options.dealerCode, file), path.join(override, file)]
      : [path.join(override, file)];
    const found = places.find((p) => fs.existsSync(p));
    if (found) return found;
  }
  return path.join(builtInTemplateDir(), file);
}

const money = (value: unknown): string => (value === null || value === undefined || value === '' ? '' : formatMoneyGrouped(String(value)));
const date = (value: unknown): string => (typeof value === 'string' && value !== '' ? chineseDate(value.slice(0, 10)) : '');
const capitals = (value: unknown): string => (value === null || value === undefined || value === '' ? '' : amountInCapitals(String(value)));

/** A Handlebars of our own (not the global one) with the money, date and capitals helpers. */
function handlebars(): typeof Handlebars {
  const hb = Handlebars.create();
  // the last argument Handlebars passes is its options object: only the first one is the value
  hb.registerHelper('money', (value: unknown) => money(value));
  hb.registerHelper('date', (value: unknown) => date(value));
  hb.registerHelper('capitals', (value: unknown) => capitals(value));
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  return hb;
}

export type Template = (context: object) => string;

const compiled = new Map<string, Template>();

/**
 * The compiled template NAME with its partials (letterhead, page-footer, signature), each found as
 * templatePath says. Compiled once per process for the same files.
 */
export function loadTemplate(name: string, options: TemplateOptions = {}): Template {
  const main = templatePath(name, options);
  const partialNames = fs
    .readdirSync(path.join(builtInTemplateDir(), 'partials'))
    .filter((f) => f.endsWith('.hbs'))
    .map((f) => f.slice(0, -4))
    .sort();
  const partials = partialNames.map((p) => [p, templatePath(p, options, 'partials')] as const);
  const key = JSON.stringify([main, partials]);
  const cached = compiled.get(key);
  if (cached) return cached;
  const hb = handlebars();
  for (const [p, file] of partials) hb.registerPartial(p, fs.readFileSync(file, 'utf8'));
  const template = hb.compile(fs.readFileSync(main, 'utf8'), { strict: false, noEscape: false });
  const render: Template = (context) => template(context);
  compiled.set(key, render);
  return render;
}

/** The helpers as plain functions, for code that formats outside a template (index CSVs, tests). */
export const formatters = { money, date, capitals } as const;
