// HTML → PDF with Debian's Chromium (README "Printing"): one browser per run, a bounded pool of pages.
// puppeteer never downloads a browser here (.puppeteerrc.cjs skips it); the executable comes from ZQ_CHROMIUM
// or /usr/bin/chromium. puppeteer is imported only when a document is printed, so `zq --help` stays fast.
import { existsSync } from 'node:fs';
import type { PDFDocument, PDFEmbeddedPage, PDFPage } from 'pdf-lib';
import type { Browser, Page } from 'puppeteer';
import { EXIT, ExpectedError } from '../core/errors.js';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** Printing cannot start: the browser is missing or would not launch (exit 1, one line). */
export class PrinterUnavailable extends ExpectedError {
  readonly exitCode = EXIT.unexpected;
  constructor(message: string) {
    super(message);
    this.name = 'PrinterUnavailable';
  }
}

export interface PdfOptions {
  /** "第 1 页 / 共 3 页" at the foot of every page (default true). */
  pageNumbers?: boolean;
  landscape?: boolean;
}

export interface Renderer {
  /** One HTML document as an A4 PDF. At most `pages` documents render at once; the rest wait their turn. */
  htmlToPdf(html: string, options?: PdfOptions): Promise<Buffer>;
  /**
   * Several HTML documents made from one template as one A4 PDF each, numbered each on its own ("第 1 页 / 共 2 页"),
   * from ONE page.pdf(): much faster than one page.pdf() each. See htmlsToPdfs below.
   */
  htmlsToPdfs(htmls: readonly string[]): Promise<Buffer[]>;
  close(): Promise<void>;
}

export interface RendererOptions {
  /** The browser executable; default ZQ_CHROMIUM or /usr/bin/chromium. */
  executablePath?: string;
  /** How many pages (tabs) render at once; default 2 (the machines are small). */
  pages?: number;
}

export function chromiumPath(explicit?: string): string {
  return explicit ?? (process.env.ZQ_CHROMIUM?.trim() || DEFAULT_CHROMIUM);
}

// The page number sits in Chromium's own footer: it knows the page count, CSS alone does not.
const FOOTER = `<div style="width:100%;font-size:8pt;color:#555;text-align:center;font-family:'WenQuanYi Micro Hei','Noto Sans CJK SC',sans-serif;">第 <span class="pageNumber"></span> 页 / 共 <span class="totalPages"></span> 页</div>`;

/** Launch the one browser of this run. */
export async function openRenderer(options: RendererOptions = {}): Promise<Renderer> {
  const executablePath = chromiumPath(options.executablePath);
  if (!existsSync(executablePath)) {
    throw new PrinterUnavailable(
      `printing needs Chromium at ${executablePath}, which does not exist — install the chromium package (apt-get install chromium) or set ZQ_CHROMIUM`,
    );
  }
  const [{ default: puppeteer }, { default: pLimit }, lib] = await Promise.all([import('puppeteer'), import('p-limit'), import('pdf-lib')]);
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      executablePath,
      headless: true,
      // --no-sandbox: Chromium refuses to start its sandbox as root (containers, CI); documents are our own HTML.
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--font-render-hinting=none'],
    });
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    throw new PrinterUnavailable(`Chromium at ${executablePath} would not start (${reason}) — install the chromium package`);
  }
  const limit = pLimit(Math.max(1, options.pages ?? 2));
  const idle: Page[] = [];

  /**
   * `numberedLater`: Chromium's footer left out, the margins of numbered pages kept, for the page numbers drawn
   * afterwards (htmlsToPdfs); `footerOnly`: the page numbers alone, nothing behind them, to be drawn on other pages.
   */
  async function render(html: string, pdf: PdfOptions & { numberedLater?: boolean; footerOnly?: boolean }): Promise<Buffer> {
    const page = idle.pop() ?? (await browser.newPage());
    try {
      await page.setContent(html, { waitUntil: 'load' });
      await page.evaluate('document.fonts.ready.then(() => true)');
      const numbered = !pdf.numberedLater && (pdf.pageNumbers ?? true);
      const bytes = await page.pdf({
        format: 'A4',
        landscape: pdf.landscape ?? false,
        printBackground: !pdf.footerOnly,
        preferCSSPageSize: false,
        displayHeaderFooter: numbered,
        headerTemplate: '<span></span>',
        footerTemplate: numbered ? FOOTER : '<span></span>',
        margin: { top: '15mm', bottom: numbered || pdf.numberedLater ? '16mm' : '12mm', left: '14mm', right: '14mm' },
        // a PDF split apart with pdf-lib loses its structure tree (tags): do not spend time making one
        ...(pdf.numberedLater ? { tagged: false } : {}),
      });
      idle.push(page);
      return Buffer.from(bytes);
    } catch (err) {
      await page.close().catch(() => undefined);
      throw err;
    }
  }

  // "第 i 页 / 共 n 页" for i = 1..n, as Chromium's own footer draws it, on otherwise empty pages: one PDF per n
  const footers = new Map<number, Promise<PDFDocument>>();
  function footerPages(n: number): Promise<PDFDocument> {
    let made = footers.get(n);
    if (!made) {
      made = (async () => {
        const blank = Array.from({ length: n }, (_, i) => `<div style="height:1px;${i > 0 ? 'break-before:page;' : ''}"></div>`).join('');
        const bytes = await limit(() => render(`<!doctype html><html><body style="margin:0">${blank}</body></html>`, { footerOnly: true }));
        const doc = await lib.PDFDocument.load(bytes);
        if (doc.getPageCount() !== n) throw new Error(`the page numbers of ${n} pages came out on ${doc.getPageCount()} pages`);
        return doc;
      })();
      made.catch(() => footers.delete(n));
      footers.set(n, made);
    }
    return made;
  }

  async function renderMany(htmls: readonly string[]): Promise<Buffer[]> {
    const combined = combine(htmls);
    if (combined === null) return Promise.all(htmls.map((h) => limit(() => render(h, {}))));
    const whole = await lib.PDFDocument.load(await limit(() => render(combined, { numberedLater: true })));
    const starts = documentStarts(lib, whole, htmls.length);
    // a marker went missing (a template hid it?): each document alone, numbered by Chromium — slower, still right
    if (starts === null) return Promise.all(htmls.map((h) => limit(() => render(h, {}))));
    const out: Buffer[] = [];
    for (let k = 0; k < htmls.length; k++) {
      const first = starts[k] as number;
      const n = (starts[k + 1] ?? whole.getPageCount()) - first;
      const doc = await lib.PDFDocument.create({ updateMetadata: false });
      setMetadata(doc, whole, htmls[k] as string);
      const pages = await doc.copyPages(
        whole,
        Array.from({ length: n }, (_, i) => first + i),
      );
      const numbers = await doc.embedPages((await footerPages(n)).getPages());
      pages.forEach((page, i) => {
        dropMarkers(lib, page);
        doc.addPage(page);
        page.drawPage(numbers[i] as PDFEmbeddedPage, { x: 0, y: 0 });
      });
      out.push(Buffer.from(await doc.save()));
    }
    return out;
  }

  return {
    htmlToPdf: (html, pdf = {}) => limit(() => render(html, pdf)),
    htmlsToPdfs: (htmls) => renderMany(htmls),
    async close() {
      limit.clearQueue();
      await browser.close();
    },
  };
}

// Several documents in one page.pdf(): each document's <body> goes into a block that starts a new page, behind an
// invisible link (MARK + its index) at its top. Chromium turns the link into a link annotation on the page where
// the document starts, which is how the PDF is split back, whatever each document's page count. The links are
// removed from the pages written.
const MARK = 'https://zq.invalid/document/';
const BODY = /^([\s\S]*?<body\b[^>]*>)([\s\S]*)(<\/body>[\s\S]*)$/i;

const TITLE = /<title>[\s\S]*?<\/title>/i;
const head = (p: RegExpExecArray) => (p[1] as string).replace(TITLE, '');

/**
 * One HTML document of all; null when they do not share the same head but for the title (another template): print
 * each alone. Each document keeps its own title in the PDF's metadata.
 */
export function combine(htmls: readonly string[]): string | null {
  const parts = htmls.map((h) => BODY.exec(h));
  const [first] = parts;
  if (!first || parts.some((p) => !p || head(p) !== head(first) || p[3] !== first[3])) return null;
  const bodies = parts.map(
    (p, k) =>
      `<div class="zq-document"${k > 0 ? ' style="break-before:page"' : ''}><a href="${MARK}${k}" style="position:absolute;width:1px;height:1px"></a>${(p as RegExpExecArray)[2]}</div>`,
  );
  return `${first[1]}${bodies.join('')}${first[3]}`;
}

function markerUris(lib: typeof import('pdf-lib'), page: PDFPage): { ref: unknown; uri: string | null }[] {
  const annots = page.node.lookupMaybe(lib.PDFName.of('Annots'), lib.PDFArray);
  if (!annots) return [];
  return annots.asArray().map((ref) => {
    const annot = page.doc.context.lookupMaybe(ref, lib.PDFDict);
    const uri = annot?.lookupMaybe(lib.PDFName.of('A'), lib.PDFDict)?.lookup(lib.PDFName.of('URI'));
    const text = uri instanceof lib.PDFString || uri instanceof lib.PDFHexString ? uri.decodeText() : null;
    return { ref, uri: text?.startsWith(MARK) ? text : null };
  });
}

/** The page index where each of `count` documents starts, or null unless each starts once, in order, the first on page 1. */
export function documentStarts(lib: typeof import('pdf-lib'), pdf: PDFDocument, count: number): number[] | null {
  const starts: number[] = [];
  pdf.getPages().forEach((page, index) => {
    for (const { uri } of markerUris(lib, page)) if (uri !== null) starts[Number(uri.slice(MARK.length))] = index;
  });
  if (starts.length !== count || starts[0] !== 0) return null;
  for (let k = 1; k < count; k++) if (!((starts[k] as number) > (starts[k - 1] as number))) return null;
  return starts;
}

/** Removes the markers' link annotations from a page (the document's own links stay). */
function dropMarkers(lib: typeof import('pdf-lib'), page: PDFPage): void {
  const marks = markerUris(lib, page).filter((m) => m.uri !== null);
  if (marks.length === 0) return;
  const annots = page.node.lookup(lib.PDFName.of('Annots'), lib.PDFArray);
  const kept = annots.asArray().filter((ref) => !marks.some((m) => m.ref === ref));
  if (kept.length === 0) page.node.delete(lib.PDFName.of('Annots'));
  else page.node.set(lib.PDFName.of('Annots'), page.doc.context.obj(kept));
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#x27': "'", '#39': "'", '#x3D': '=', '#x60': '`' };

/** The document's own title (the combined PDF has the first one's), and Chromium's creator and dates. */
function setMetadata(doc: PDFDocument, whole: PDFDocument, html: string): void {
  const title = /<title>([\s\S]*?)<\/title>/i.exec(html)?.[1];
  if (title !== undefined) doc.setTitle(title.replace(/&(amp|lt|gt|quot|#x27|#39|#x3D|#x60);/g, (_m, e: string) => ENTITIES[e] ?? ''));
  const creator = whole.getCreator();
  if (creator) doc.setCreator(creator);
  const created = whole.getCreationDate();
  if (created) doc.setCreationDate(created);
  const modified = whole.getModificationDate();
  if (modified) doc.setModificationDate(modified);
}

/** Open a renderer, run `work` with it, and close the browser whatever happens. */
export async function withRenderer<T>(work: (renderer: Renderer) => Promise<T>, options: RendererOptions = {}): Promise<T> {
  const renderer = await openRenderer(options);
  try {
    return await work(renderer);
  } finally {
    await renderer.close();
  }
}

/** Documents per page.pdf() in printNumbered: measured with `npm run bench:print` (README "Printing"). */
export const DOCUMENTS_PER_PDF = 10;

/**
 * Prints many documents of one template, `perPdf` to a page.pdf() (htmlsToPdfs), each numbered on its own; `each`
 * is told as each document is done, with its PDF or why it failed. A group that fails is printed again one
 * document at a time, so a failure names its own document and the others still print. At most a few groups are
 * in hand at once, whatever the number of documents.
 */
export async function printNumbered(
  renderer: Renderer,
  htmls: readonly string[],
  each: (index: number, result: { pdf: Buffer } | { error: unknown }) => Promise<void> | void,
  perPdf = DOCUMENTS_PER_PDF,
): Promise<void> {
  const groups: number[][] = [];
  for (let i = 0; i < htmls.length; i += Math.max(1, perPdf))
    groups.push(Array.from({ length: Math.min(Math.max(1, perPdf), htmls.length - i) }, (_, k) => i + k));
  let next = 0;
  async function worker(): Promise<void> {
    for (let g = next++; g < groups.length; g = next++) {
      const group = groups[g] as number[];
      let pdfs: Buffer[] | null = null;
      try {
        pdfs = await renderer.htmlsToPdfs(group.map((i) => htmls[i] as string));
      } catch (err) {
        if (group.length === 1) await each(group[0] as number, { error: err });
      }
      if (pdfs) for (const [k, i] of group.entries()) await each(i, { pdf: pdfs[k] as Buffer });
      else if (group.length > 1)
        for (const i of group) {
          try {
            const [pdf] = await renderer.htmlsToPdfs([htmls[i] as string]);
            await each(i, { pdf: pdf as Buffer });
          } catch (err) {
            await each(i, { error: err });
          }
        }
    }
  }
  // one group more than pages render at once, so splitting one overlaps rendering the next
  await Promise.all(Array.from({ length: Math.min(4, groups.length) }, () => worker()));
}
