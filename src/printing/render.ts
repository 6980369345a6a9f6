// HTML → PDF with Debian's Chromium (README "Printing"): one browser per run, a bounded pool of pages.
// puppeteer never downloads a browser here (.puppeteerrc.cjs skips it); the executable comes from ZQ_CHROMIUM
// or /usr/bin/chromium. puppeteer is imported only when a document is printed, so `zq --help` stays fast.
import { existsSync } from 'node:fs';
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
  const [{ default: puppeteer }, { default: pLimit }] = await Promise.all([import('puppeteer'), import('p-limit')]);
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

  async function render(html: string, pdf: PdfOptions): Promise<Buffer> {
    const page = idle.pop() ?? (await browser.newPage());
    try {
      await page.setContent(html, { waitUntil: 'load' });
      await page.evaluate('document.fonts.ready.then(() => true)');
      const numbered = pdf.pageNumbers ?? true;
      const bytes = await page.pdf({
        format: 'A4',
        landscape: pdf.landscape ?? false,
        printBackground: true,
        preferCSSPageSize: false,
        displayHeaderFooter: numbered,
        headerTemplate: '<span></span>',
        footerTemplate: numbered ? FOOTER : '<span></span>',
        margin: { top: '15mm', bottom: numbered ? '16mm' : '12mm', left: '14mm', right: '14mm' },
      });
      idle.push(page);
      return Buffer.from(bytes);
    } catch (err) {
      await page.close().catch(() => undefined);
      throw err;
    }
  }

  return {
    htmlToPdf: (html, pdf = {}) => limit(() => render(html, pdf)),
    async close() {
      limit.clearQueue();
      await browser.close();
    },
  };
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
