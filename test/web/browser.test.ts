// The pages in real Chromium (Debian's /usr/bin/chromium through puppeteer), on a laptop-sized window and at
// 390 px: log in, the dashboard with its charts, drill down the breakdown to a contract, approve a waiver from
// the inbox, download the breakdown workbook. Screenshots of each page go to test-artifacts/web/ (git-ignored).
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { serve } from '@hono/node-server';
import puppeteer, { type Browser, type Page } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../../src/app/run.js';
import type { Db } from '../../src/db/index.js';
import { createApp } from '../../src/web/app.js';
import { openTestDb } from '../support/db.js';
import { PASSWORD } from './support.js';
import { BATCH_DATE, buildWorld } from './world.js';

const ARTIFACTS = path.resolve('test-artifacts', 'web');
const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(!fs.existsSync(CHROMIUM))('the web viewer in Chromium', () => {
  let db: Db;
  let server: ReturnType<typeof serve>;
  let base = '';
  let browser: Browser;

  beforeAll(async () => {
    db = await openTestDb('pglite');
    await buildWorld(db);
    server = serve({ fetch: createApp(db).fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await puppeteer.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    await db?.close();
  });

  async function session(username: string, width: number): Promise<Page> {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    await page.setViewport({ width, height: width < 600 ? 844 : 900, deviceScaleFactor: 1 });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(String(err)));
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    (page as Page & { errors: string[] }).errors = errors;
    await page.goto(`${base}/`);
    expect(page.url()).toContain('/login');
    await page.type('#username', username);
    await page.type('#password', PASSWORD);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    return page;
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

  /** The page is no wider than the window: nothing but a table's own box scrolls sideways. */
  const noSidewaysScroll = (page: Page) =>
    page.evaluate('document.documentElement.scrollWidth <= window.innerWidth + 1') as Promise<boolean>;

  for (const [label, width] of [
    ['desktop', 1280],
    ['phone', 390],
  ] as const) {
    it(`${label} (${width} px): dashboard, drill-down to a contract, approve a waiver, download the workbook`, async () => {
      // a waiver of its own for this run, waiting for hf.fin
      const waiver = await runAction(
        db,
        'hf.c1',
        'waiver.request',
        { contractNo: 'HF-1', dealer: 'HF01', amount: '0.50', date: BATCH_DATE, reason: `${label} 测试减免` },
        { via: 'test' },
      );
      const manager = await session('hf.mgr', width);
      // the dashboard with both charts drawn (ECharts renders into a canvas)
      await manager.waitForSelector('#trend-chart canvas');
      await manager.waitForSelector('#aging-chart canvas');
      expect(await manager.$eval('.cards', (el) => el.textContent)).toContain('未还余额');
      await shot(manager, `${label}-1-dashboard`);
      expect(await noSidewaysScroll(manager)).toBe(true);

      // drill down: breakdown → dealer HF01 → collector hf.c1 → contract HF-1
      await manager.goto(`${base}/breakdown`);
      await shot(manager, `${label}-2-breakdown`);
      await Promise.all([manager.waitForNavigation(), manager.click('a[href="/breakdown?dealer=HF01"]')]);
      await shot(manager, `${label}-3-breakdown-dealer`);
      await Promise.all([manager.waitForNavigation(), manager.click('a[href="/breakdown?dealer=HF01&collector=hf.c1"]')]);
      await shot(manager, `${label}-4-breakdown-collector`);
      await Promise.all([manager.waitForNavigation(), manager.click('a[href="/contracts/HF-1?dealer=HF01"]')]);
      expect(await manager.$eval('h1', (el) => el.textContent)).toBe('合同 HF-1');
      expect(await manager.content()).toContain(`${label} 测试减免`);
      await shot(manager, `${label}-5-contract`);
      expect(await noSidewaysScroll(manager)).toBe(true);

      // the workbook, downloaded by the link on the breakdown page
      const downloads = fs.mkdtempSync(path.join(os.tmpdir(), 'zq-download-'));
      const cdp = await browser.target().createCDPSession();
      const browserContextId = manager.browserContext().id;
      await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads, browserContextId });
      await manager.goto(`${base}/breakdown?dealer=HF01`);
      await manager.click('a.button[href^="/breakdown.xlsx"]');
      // Chromium names it by the header's UTF-8 filename*
      const done = () => fs.readdirSync(downloads).filter((f) => f.endsWith('.xlsx'));
      for (let i = 0; i < 100 && done().length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(done()).toEqual([`债权分解表_${BATCH_DATE}.xlsx`]);
      expect(
        fs
          .readFileSync(path.join(downloads, done()[0] as string))
          .subarray(0, 2)
          .toString(),
      ).toBe('PK');
      fs.rmSync(downloads, { recursive: true, force: true });
      expect((manager as Page & { errors: string[] }).errors).toEqual([]);

      // the approver: the inbox, approve with a comment
      const finance = await session('hf.fin', width);
      await finance.goto(`${base}/approvals`);
      await shot(finance, `${label}-6-inbox`);
      expect(await noSidewaysScroll(finance)).toBe(true);
      const form = `form[action="/approvals/${waiver.id}/approve"]`;
      await finance.type(`${form} input[name=comment]`, '同意');
      await Promise.all([finance.waitForNavigation(), finance.click(`${form} button`)]);
      expect(await finance.$eval('.notice.ok', (el) => el.textContent)).toContain('已同意');
      await shot(finance, `${label}-7-approved`);
      const status = await db.knex('documents').where({ id: waiver.id }).first('status');
      expect(status).toEqual({ status: 'approved' });
      expect((finance as Page & { errors: string[] }).errors).toEqual([]);
      await manager.browserContext().close();
      await finance.browserContext().close();
    });
  }
});
