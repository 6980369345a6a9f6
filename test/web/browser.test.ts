// One real browser (Debian's Chromium through puppeteer) against `createApp` on a local port: the login page
// renders under its CSP, a manager logs in and lands on the first page, logs out; the same at 390 px wide.
// Screenshots go to test-artifacts/web/ (git-ignored): look at them.
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { serve } from '@hono/node-server';
import puppeteer, { type Browser } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/index.js';
import { createApp } from '../../src/web/app.js';
import { openTestDb } from '../support/db.js';
import { ROOT } from '../support/zq.js';
import { addWebUser, PASSWORD } from './support.js';

const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'web');

describe('the web viewer in Chromium', () => {
  let db: Db;
  let browser: Browser;
  let server: ReturnType<typeof serve>;
  let base = '';

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    db = await openTestDb('pglite');
    await addWebUser(db, 'zhou.ba', ['manager']);
    const app = createApp(db);
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
        base = `http://127.0.0.1:${info.port}`;
        resolve();
      });
    });
    browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    await db?.close();
  });

  for (const [name, viewport] of [
    ['desktop', { width: 1200, height: 800 }],
    ['phone', { width: 390, height: 844, isMobile: true, deviceScaleFactor: 2 }],
  ] as const) {
    it(`logs in and sees the first page, and logs out (${name})`, async () => {
      const page = await browser.newPage();
      await page.setViewport(viewport);
      const violations: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
      });
      await page.goto(`${base}/`);
      expect(new URL(page.url()).pathname).toBe('/login');
      await page.screenshot({ path: path.join(ARTIFACTS, `login-${name}.png`), fullPage: true });
      await page.type('#username', 'zhou.ba');
      await page.type('#password', PASSWORD);
      await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
      expect(new URL(page.url()).pathname).toBe('/');
      const header = await page.$eval('header.top .who', (el) => el.textContent ?? '');
      expect(header).toContain('zhou.ba');
      await page.screenshot({ path: path.join(ARTIFACTS, `first-page-${name}.png`), fullPage: true });
      // nothing wider than the screen on a phone
      const width = await page.$eval('html', (el) => el.scrollWidth);
      expect(width).toBeLessThanOrEqual(viewport.width);
      await Promise.all([page.waitForNavigation(), page.click('header.top form button')]);
      expect(new URL(page.url()).pathname).toBe('/login');
      expect(violations).toEqual([]);
      await page.close();
    }, 60_000);
  }
});
