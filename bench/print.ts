// `npm run bench:print`: printing statements of account (对账单) with Debian's Chromium, no database: BENCH_STATEMENTS
// (default 1,000) two-page Chinese statements built by buildStatement from synthetic facts (a 36-installment
// contract, a receipt on each due date, penalty, two pages), rendered by src/printing/render.ts as `zq statement
// print` does. Prints statements per second, peak RSS of this process and its browsers, the average PDF size,
// and the load average; beside each the same batch with Latin-only text (every CJK character replaced), the
// floor that shows what the CJK font costs, and the ratio. Variants measured: the font (TrueType WenQuanYi Micro
// Hei without bold, as shipped, vs OpenType Noto Sans CJK with bold headings), pages rendering in parallel, and several statements per
// page.pdf() split afterwards with pdf-lib. Target (issue 19): ≥ 20 statements/s on a 2-core machine. Printed,
// never asserted.
import fs from 'node:fs';
import os from 'node:os';
import { addMonths } from '../src/core/dates.js';
import { dec, type Money, ZERO } from '../src/core/money.js';
import { openRenderer, type Renderer } from '../src/printing/render.js';
import { buildStatement, type ContractFacts, type StatementFacts, type StatementPosting } from '../src/printing/statement.js';
import { statementContext } from '../src/printing/statement-view.js';
import { loadTemplate } from '../src/printing/templates.js';
import type { PositionLine } from '../src/receivables/position.js';

const N = Number(process.env.BENCH_STATEMENTS ?? 1000);
const ONLY = process.env.BENCH_VARIANTS?.split(',');

function facts(i: number): StatementFacts {
  const ref = {
    id: i,
    dealerId: 1,
    dealer: 'HF01',
    contractNo: `HF01-2025-${String(i).padStart(4, '0')}`,
    status: 'active' as const,
    statusDate: null,
    cutoverDate: null,
  };
  const lines: PositionLine[] = [];
  const postings: StatementPosting[] = [];
  const amount = dec('27333.33').plus(i % 100);
  for (let seq = 1; seq <= 14; seq++) {
    const dueDate = addMonths('2026-01-10', seq - 1);
    const paid = seq <= 10;
    lines.push({
      id: seq,
      seq,
      type: 'principal',
      dueDate,
      amountDue: amount,
      amountPaid: paid ? amount : ZERO,
      writtenOff: ZERO,
      recovered: ZERO,
      outstanding: paid ? ZERO : amount,
      overdueDays: paid || dueDate > '2026-12-31' ? 0 : 30,
      penaltyAccrued: paid ? ZERO : dec('410.00'),
      penaltyPaid: ZERO,
      penaltyWaived: ZERO,
      penaltyOutstanding: paid ? ZERO : dec('410.00'),
    });
    if (paid)
      postings.push({
        id: seq,
        kind: 'allocation',
        valueDate: dueDate,
        signedAmount: amount,
        documentId: 1000 + seq,
        documentType: 'receipt',
        documentNumber: `RECEIPT-${String(i * 100 + seq).padStart(6, '0')}`,
        method: 'bank_transfer',
        lineId: seq,
        seq,
        lineType: 'principal',
      });
  }
  const opening = {
    contract: ref,
    asOf: '2025-12-31',
    credit: ZERO,
    lines: lines.map((l) => ({
      ...l,
      amountPaid: ZERO,
      outstanding: l.amountDue,
      overdueDays: 0,
      penaltyAccrued: ZERO,
      penaltyOutstanding: ZERO,
    })),
  };
  const contract: ContractFacts = {
    dealer: 'HF01',
    contractNo: ref.contractNo,
    collector: { name: '李娜', phone: '13900000000' },
    machines: [`SY215C SY215C${2595926 + i}`],
    opening,
    closing: { contract: ref, asOf: '2026-12-31', credit: ZERO, lines },
    postings,
    penalties: [
      { date: '2025-12-31', accrued: new Map() },
      { date: '2026-12-31', accrued: new Map(lines.map((l) => [l.id, l.penaltyAccrued as Money])) },
    ],
  };
  return {
    dealer: {
      code: 'HF01',
      name: '合肥代理店',
      address: '安徽省合肥市蜀山区望江西路1号',
      phone: '0551-65550000',
      bankName: '中国工商银行合肥分行',
      bankAccount: '1302 0101 0900 0123 456',
    },
    customer: { id: i, name: `客户${i}号工程机械有限公司`, phone: '13800000000', idNumber: null, address: null },
    from: '2026-01-01',
    to: '2026-12-31',
    contracts: [contract],
  };
}

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
  if (perPdf === 1) return Promise.all(htmls.map(async (h) => (await renderer.htmlToPdf(h)).length));
  const { PDFDocument } = await import('pdf-lib');
  const groups: string[][] = [];
  for (let i = 0; i < htmls.length; i += perPdf) groups.push(htmls.slice(i, i + perPdf));
  const sizes = await Promise.all(
    groups.map(async (group) => {
      // one document, each statement starting a page; split back by each statement's page count (two here)
      const bodies = group.map((h) => /<body>([\s\S]*)<\/body>/.exec(h)?.[1] ?? '').join('<div style="break-after: page"></div>');
      const html = (group[0] as string).replace(/<body>[\s\S]*<\/body>/, `<body>${bodies}</body>`);
      const all = await PDFDocument.load(await renderer.htmlToPdf(html));
      const out: number[] = [];
      const per = Math.max(1, Math.round(all.getPageCount() / group.length));
      for (let s = 0; s < group.length; s++) {
        const one = await PDFDocument.create();
        const indices = [...Array(per).keys()].map((k) => s * per + k).filter((k) => k < all.getPageCount());
        for (const page of await one.copyPages(all, indices)) one.addPage(page);
        out.push((await one.save()).length);
      }
      return out;
    }),
  );
  return sizes.flat();
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
    template(statementContext(buildStatement(facts(i + 1)), { by: '系统管理员', at: '2027年1月1日' })),
  );
  const sample = await openRenderer();
  const pdf = await sample.htmlToPdf(htmls[0] as string);
  await sample.close();
  const { PDFDocument } = await import('pdf-lib');
  const pages = (await PDFDocument.load(pdf)).getPageCount();
  const variants: Variant[] = [
    { name: 'wqy-microhei, no bold, 2 pages at once (shipped)', font: null, pages: 2, perPdf: 1 },
    { name: 'noto-sans-cjk with bold, 2 pages at once', font: "'Noto Sans CJK SC'", pages: 2, perPdf: 1 },
    { name: 'wqy-microhei, no bold, 4 pages at once', font: null, pages: 4, perPdf: 1 },
    { name: 'wqy-microhei, no bold, 10 per page.pdf split', font: null, pages: 2, perPdf: 10 },
  ].filter((_v, i) => !ONLY || ONLY.includes(String(i + 1)));
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
