// Several statements in one page.pdf(), split back per statement (src/printing/render.ts htmlsToPdfs): each file
// has its own statement's pages, numbered on their own ("第 1 页 / 共 2 页"), looking exactly as a statement printed
// alone with Chromium's footer did. Real Chromium; text read back with pdftotext, pages with pdf-lib.
//
// Statements of 3, 14, 60 and 30 installments (test/support/statement-facts.ts) print on 1, 2, 5 and 3 pages: in
// one page.pdf() 11 pages, which must come back as 1 + 2 + 5 + 3, numbered 第1页/共1页; 第1页/共2页, 第2页/共2页; …
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PDFArray, PDFDocument, PDFName } from 'pdf-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { combine, withRenderer } from '../../src/printing/render.js';
import { buildStatement } from '../../src/printing/statement.js';
import { statementFileNames, writeStatements } from '../../src/printing/statement-files.js';
import { statementContext } from '../../src/printing/statement-view.js';
import { loadTemplate } from '../../src/printing/templates.js';
import { statementFacts } from '../support/statement-facts.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zq-split-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const INSTALLMENTS = [3, 14, 60, 30];
const PAGES = [1, 2, 5, 3];
const statements = INSTALLMENTS.map((count, i) => buildStatement(statementFacts(i + 1, count)));

/** The page-number line of every page of a PDF, spaces squeezed out as pdftotext drops some of them. */
function footers(file: string): string[] {
  const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))?.[1]);
  return Array.from({ length: pages }, (_, i) => {
    const text = execFileSync('pdftotext', ['-f', String(i + 1), '-l', String(i + 1), file, '-'], { encoding: 'utf8' });
    return (text.replace(/\s+/g, '').match(/第\d+页\/共\d+页/g) ?? []).join(' ');
  });
}

const numbered = (n: number) => Array.from({ length: n }, (_, i) => `第${i + 1}页/共${n}页`);

/** Every word pdftotext finds with its box, in a stable order: what two PDFs must share to look the same. */
function words(file: string): string[] {
  const html = execFileSync('pdftotext', ['-bbox', file, '-'], { encoding: 'utf8' });
  return [...html.matchAll(/<(?:page|word)[^>]*>[^<]*/g)].map((m) => m[0]).sort();
}

describe('statements printed several to a page.pdf()', () => {
  it('come back one file per statement with its own pages, numbered on their own', async () => {
    const result = await writeStatements(statements, {
      target: { kind: 'dir', dir },
      format: 'pdf',
      merge: false,
      force: false,
      printedBy: '系统管理员',
    });
    expect(result.statements.map((s) => s.status)).toEqual(['written', 'written', 'written', 'written']);
    const names = statementFileNames(statements, 'pdf');
    for (const [i, name] of names.entries()) {
      const file = path.join(dir, name);
      expect(footers(file)).toEqual(numbered(PAGES[i] as number));
      const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
      expect(text).toContain(statements[i]?.customer.name);
      for (const other of statements.filter((_s, k) => k !== i)) expect(text).not.toContain(other.customer.name);
      // the markers that told where each statement starts are gone; the title is the statement's own
      const pdf = await PDFDocument.load(fs.readFileSync(file));
      for (const page of pdf.getPages()) expect(page.node.lookupMaybe(PDFName.of('Annots'), PDFArray)?.size() ?? 0).toBe(0);
      expect(pdf.getTitle()).toBe(`对账单 ${statements[i]?.customer.name}`);
    }
    // all in one file: the pages one after the other, still numbered per statement
    const merged = path.join(dir, 'merged.pdf');
    await writeStatements(statements, { target: { kind: 'file', file: merged }, format: 'pdf', merge: true, force: false, printedBy: 'x' });
    expect(footers(merged)).toEqual(PAGES.flatMap(numbered));
  }, 180_000);

  it('look exactly as a statement printed alone with Chromium’s footer: every word in the same place', async () => {
    const template = loadTemplate('statement');
    const htmls = statements.map((s) => template(statementContext(s, { by: '系统管理员', at: '2027年1月1日' })));
    const [alone, together] = await withRenderer(async (r) => [
      await Promise.all(htmls.map((h) => r.htmlToPdf(h))),
      await r.htmlsToPdfs(htmls),
    ]);
    for (const i of htmls.keys()) {
      const a = path.join(dir, `alone-${i}.pdf`);
      const b = path.join(dir, `together-${i}.pdf`);
      fs.writeFileSync(a, alone?.[i] as Buffer);
      fs.writeFileSync(b, together?.[i] as Buffer);
      expect(words(b)).toEqual(words(a));
      expect(footers(b)).toEqual(numbered(PAGES[i] as number));
    }
  }, 180_000);

  it('a template hiding the markers, or documents of other templates, print one at a time, still numbered', async () => {
    const page = (title: string, lines: number, style = '') =>
      `<!doctype html><html><head><title>${title}</title>${style}</head><body>${Array.from({ length: lines }, (_, i) => `<p>${title} 第${i + 1}行</p>`).join('')}</body></html>`;
    const hiding = '<style>a { display: none !important; }</style>';
    expect(combine([page('甲', 1), page('乙', 1)])).not.toBeNull();
    expect(combine([page('甲', 1), page('乙', 1, hiding)])).toBeNull();
    expect(combine(['<p>no body</p>'])).toBeNull();
    const [hidden, mixed] = await withRenderer(async (r) => [
      await r.htmlsToPdfs([page('甲', 40, hiding), page('乙', 10, hiding)]),
      await r.htmlsToPdfs([page('丙', 10), page('丁', 40, hiding)]),
    ]);
    const counts: string[][] = [];
    for (const [k, pdf] of [...(hidden ?? []), ...(mixed ?? [])].entries()) {
      const file = path.join(dir, `fallback-${k}.pdf`);
      fs.writeFileSync(file, pdf);
      counts.push(footers(file));
    }
    expect(counts).toEqual([numbered(2), numbered(1), numbered(1), numbered(2)]);
  }, 120_000);
});
