// `npm run bench:print`: printing statements of account (对账单) with Debian's Chromium, no database: BENCH_STATEMENTS
// (default 1,000) two-page Chinese statements built by buildStatement from synthetic facts (test/support/
// statement-facts.ts: a 14-installment contract, a receipt on each paid due date, penalty, two pages), rendered by
// src/printing/render.ts as `zq statement print` does. Prints statements per second, peak RSS of this process and
// its browsers, the average PDF size, and the load average; beside each the same batch with Latin-only text (every
// CJK character replaced), the floor that shows what the CJK font costs, and the ratio. Variants (BENCH_VARIANTS=
// 1,2,… or all; default 1,2): as shipped (10 statements per page.pdf(), split with pdf-lib and numbered per
// statement), one statement per page.pdf() numbered by Chromium's footer (before), 5 or 20 per page.pdf(), 4 pages
// rendering at once, and OpenType Noto Sans CJK with bold headings instead of TrueType WenQuanYi Micro Hei without
// bold. Target (issue 19): ≥ 20 statements/s on a 2-core machine. Printed, never asserted.
import fs from 'node:fs';
import os from 'node:os';
import { DOCUMENTS_PER_PDF, openRenderer, printNumbered, type Renderer } from '../src/printing/render.js';
import { buildStatement } from '../src/printing/statement.js';
import { statementContext } from '../src/printing/statement-view.js';
import { loadTemplate } from '../src/printing/templates.js';
import { statementFacts } from '../test/support/statement-facts.js';

const N = Number(process.env.BENCH_STATEMENTS ?? 1000);
const ONLY = process.env.BENCH_VARIANTS?.split(',');

const CJK = /[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]/g;
const latin = (html: string) => html.replace(CJK, 'M');
/** The shipped styles (null), or another font with the bold headings a template would have without our rule. */
const withFont = (html: string, font: string | null) =>
  font === null
    ? html
    : html.replace('</head>', `<style>body { font-family: ${font}, sans-serif; } h1, th { font-weight: bold; }</style></head>`);

/** Peak resident memory of this process and every process below it (the browser's), sampled. */
function treeRss(): number {
  const parents = new Map<number, number>();
  const rss = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      const status = fs.readFileSync(`/proc/${entry}/status`, 'utf8');
      parents.set(Number(entry), Number(/PPid:\s+(\d+)/.exec(status)?.[1]));
      rss.set(Number(entry), Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024);
    } catch {
      // gone meanwhile
    }
  }
  const mine = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 20; p = parents.get(p) ?? 0, hops++) if (p === process.pid) return true;
    return false;
  };
  let total = 0;
  for (const [pid, bytes] of rss) if (mine(pid)) total += bytes;
  return total;
}

interface Variant {
  name: string;
  font: string | null;
  pages: number;
  /** statements per page.pdf() */
  perPdf: number;
}

async function renderAll(renderer: Renderer, htmls: readonly string[], perPdf: number): Promise<number[]> {
  // one per page.pdf() with Chromium's own footer, as before
  if (perPdf === 1) return Promise.all(htmls.map(async (h) => (await renderer.htmlToPdf(h)).length));
  const sizes: number[] = [];
  await printNumbered(
    renderer,
    htmls,
    (i, result) => {
      if (!('pdf' in result)) throw result.error;
      sizes[i] = result.pdf.length;
    },
    perPdf,
  );
  return sizes;
}

async function measure(variant: Variant, htmls: readonly string[]) {
  const renderer = await openRenderer({ pages: variant.pages });
  let peak = treeRss();
  const sampler = setInterval(() => {
    peak = Math.max(peak, treeRss());
  }, 250);
  try {
    await renderer.htmlToPdf(htmls[0] as string); // the browser and the font warm
    const started = process.hrtime.bigint();
    const sizes = await renderAll(
      renderer,
      htmls.map((h) => withFont(h, variant.font)),
      variant.perPdf,
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { perSecond: htmls.length / seconds, seconds, peak, avgKb: sizes.reduce((a, b) => a + b, 0) / sizes.length / 1024 };
  } finally {
    clearInterval(sampler);
    await renderer.close();
  }
}

async function main() {
  const template = loadTemplate('statement');
  const htmls = Array.from({ length: N }, (_, i) =>
    template(statementContext(buildStatement(statementFacts(i + 1)), { by: '系统管理员', at: '2027年1月1日' })),
  );
  const sample = await openRenderer();
  const pdf = await sample.htmlToPdf(htmls[0] as string);
  await sample.close();
  const { PDFDocument } = await import('pdf-lib');
  const pages = (await PDFDocument.load(pdf)).getPageCount();
  const variants: Variant[] = [
    { name: `${DOCUMENTS_PER_PDF} per page.pdf, split, numbered (shipped)`, font: null, pages: 2, perPdf: DOCUMENTS_PER_PDF },
    { name: '1 per page.pdf, Chromium footer (before)', font: null, pages: 2, perPdf: 1 },
    { name: '5 per page.pdf, split, numbered', font: null, pages: 2, perPdf: 5 },
    { name: '20 per page.pdf, split, numbered', font: null, pages: 2, perPdf: 20 },
    { name: `${DOCUMENTS_PER_PDF} per page.pdf, 4 pages at once`, font: null, pages: 4, perPdf: DOCUMENTS_PER_PDF },
    { name: `noto-sans-cjk + bold, ${DOCUMENTS_PER_PDF} per page.pdf`, font: "'Noto Sans CJK SC'", pages: 2, perPdf: DOCUMENTS_PER_PDF },
  ].filter((_v, i) => (ONLY ? ONLY.includes('all') || ONLY.includes(String(i + 1)) : i < 2));
  console.log(
    `bench:print — ${N} statements of ${pages} pages (A4), ${os.cpus().length} cores, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  for (const v of variants) {
    const cjk = await measure(v, htmls);
    const floor = await measure(v, htmls.map(latin));
    console.log(
      `${v.name.padEnd(42)} ${cjk.perSecond.toFixed(1).padStart(6)} statements/s (${cjk.seconds.toFixed(1)} s), peak RSS ${(cjk.peak / 2 ** 20).toFixed(0)} MB, ${cjk.avgKb.toFixed(0)} KB each | Latin-only ${floor.perSecond.toFixed(1)}/s, ${floor.avgKb.toFixed(0)} KB | ratio CJK/Latin ${(cjk.perSecond / floor.perSecond).toFixed(2)}`,
    );
  }
  console.log(
    `load average after: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

await main();
