// `npm run demo` as a new user runs it: on the embedded database in a new folder, and against a PostgreSQL
// server (a new database on it) when ZQ_TEST_DATABASE_URL is set.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/index.js';
import { createApp } from '../../src/web/app.js';
import { cleanEnv, tempDir, zq } from '../support/zq.js';
import { Browser } from '../web/support.js';

describe('zq demo', () => {
  it('builds a fresh embedded database, loads the fixtures and says what to try next; a non-empty folder is refused', async () => {
    const cwd = tempDir();
    const demo = await zq(['demo', '--dir', 'demo-db'], { cwd });
    expect(demo.stderr).toBe('');
    expect(demo.code).toBe(0);
    expect(demo.stdout).toMatch(/2 dealers in Anhui/);
    expect(demo.stdout).toMatch(/30 contracts/);
    // 17.1: 合肥's ledger gives a contract's own columns on its first row only
    expect(demo.stdout).toMatch(
      /4\. zq import ledger-hf01-2026-06-30\.csv .*: imported, 636 rows \(a contract's customer, machine and amount on its first row only\); /,
    );
    expect(demo.stdout).toMatch(/Try next/);
    expect(demo.stdout).toMatch(/9\. zq contract reschedule HF01-2025-0009 .* approved/);
    expect(demo.stdout).toMatch(/closed by transfer receipt RECEIPT-\d+, 131,500.00 now the dealer's own line/);
    expect(demo.stdout).toMatch(
      /zq machine dispose SY365H-DEMO-0001 .* still owed [\d.]+ \(outstanding [\d.]+ \+ penalty [\d.]+\); the outstanding proposed as bad debt BAD-DEBT-\d+ of [\d.]+/,
    );
    // 21: a lock applied and confirmed, an overdue contract given to hf.li, a call with a promise logged
    expect(demo.stdout).toMatch(/12\. zq machine lock request \S+ .* the machine is lock_pending/);
    expect(demo.stdout).toMatch(/zq machine lock confirm \d+ .* the machine is locked/);
    expect(demo.stdout).toMatch(/13\. zq collection assign --contract \S+ --to hf\.li .* from hf\.chen/);
    expect(demo.stdout).toMatch(/zq collection log --contract \S+ --kind call --result promised --promise-amount [\d.]+ .*: contact \d+/);
    const list = await zq(['--data-dir', 'demo-db', 'contract', 'list', '--json'], { cwd });
    // the 30 fixture contracts, the one the demo walks through its life (step 8) and the one whose machine it repossesses
    expect(JSON.parse(list.stdout)).toHaveLength(32);
    // 20: the demo names the web viewer's command and two logins, a manager and a collector, that work
    expect(demo.stdout).toMatch(/11\. the web viewer: .* serve, then open http:\/\/127\.0\.0\.1:8080/);
    const logins = [...demo.stdout.matchAll(/^ {4}(\S+) \/ (\S+) \((manager|collector)\)$/gm)];
    expect(logins.map((m) => m[3])).toEqual(['manager', 'collector']);
    const db = await openDatabase({ dataDir: path.join(cwd, 'demo-db') });
    try {
      for (const [, username, password] of logins) {
        const browser = new Browser(createApp(db));
        const res = await browser.login(username as string, password as string);
        expect(res.status, username).toBe(303);
        expect((await browser.get('/')).status, username).toBe(200);
      }
    } finally {
      await db.close();
    }
    const again = await zq(['demo', '--dir', 'demo-db'], { cwd });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/is not empty/);
  });

  it('15.15: the "try next" commands work as printed, pasted into a shell in another folder, with no zq on the PATH', async () => {
    const demo = await zq(['demo', '--dir', 'demo-db'], { cwd: tempDir() });
    expect(demo.code).toBe(0);
    const tryNext =
      demo.stdout
        .split('Try next')[1]
        ?.split('\n')
        .filter((l) => l.startsWith('  '))
        .map((l) => l.trim()) ?? [];
    expect(tryNext.length).toBeGreaterThan(10);
    const list = tryNext.find((l) => / contract list --as-of \S+$/.test(l)) as string;
    expect(list).toBeTruthy();
    const run = spawnSync('sh', ['-c', `${list} --json`], { cwd: tempDir(), env: cleanEnv(), encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toHaveLength(32);
    // and the alias line it prints makes plain `zq` work too
    const alias = /^To type plain `zq`: (alias zq=\S+)/m.exec(demo.stdout)?.[1];
    expect(alias).toBeTruthy();
    const aliased = spawnSync('bash', ['-c', `shopt -s expand_aliases\n${alias}\n${list.replace(/^\S+/, 'zq')} --json`], {
      cwd: tempDir(),
      env: cleanEnv(),
      encoding: 'utf8',
    });
    expect(aliased.status).toBe(0);
    expect(JSON.parse(aliased.stdout)).toHaveLength(32);
    // 18: the demo runs the breakdown as reported on the batch's night and writes it as a workbook
    const workbook = /--format xlsx --out (\S+\.xlsx)/.exec(demo.stdout)?.[1] as string;
    expect(existsSync(workbook)).toBe(true);
    const breakdown = tryNext.find((l) => l.endsWith(' report breakdown --by dealer')) as string;
    const report = spawnSync('sh', ['-c', `${breakdown} --json`], { cwd: tempDir(), env: cleanEnv(), encoding: 'utf8' });
    expect(report.status).toBe(0);
    const json = JSON.parse(report.stdout);
    expect(json.restated).toBe(false);
    expect(json.rows.map((r: { level: string; dealer: string | null }) => `${r.level}:${r.dealer ?? ''}`)).toEqual([
      'dealer:HF01',
      'dealer:WH01',
      'region:',
      'total:',
    ]);
    // 19: the demo prints a statement of account and a receipt voucher into its folder (real Chromium); both
    // PDFs carry their text (the customer, the figures the demo printed)
    const statement = /\(对账单\): closing balance ([\d,.]+) → (\S+\.pdf)/.exec(demo.stdout);
    const voucher = /\(收据 (\S+), print 1\) → (\S+\.pdf)/.exec(demo.stdout);
    expect(statement && voucher).toBeTruthy();
    const text = (file: string) => spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).stdout;
    expect(text(statement?.[2] as string)).toContain(statement?.[1] as string);
    expect(text(statement?.[2] as string)).toContain('对');
    expect(text(voucher?.[2] as string)).toContain(voucher?.[1] as string);
  });

  it.runIf(process.env.ZQ_TEST_DATABASE_URL)(
    '15.15: runs against a PostgreSQL server in a database of its own; its try-next commands run as printed',
    async () => {
      const url = process.env.ZQ_TEST_DATABASE_URL as string;
      const demo = await zq(['demo'], { cwd: tempDir(), env: cleanEnv({ ZQ_DATABASE_URL: url }) });
      expect(demo.stderr).toBe('');
      expect(demo.code).toBe(0);
      const name = /created database (zq_demo_\w+)/.exec(demo.stdout)?.[1];
      expect(name).toBeTruthy();
      const server = await openDatabase({ databaseUrl: url }, { requireMigrated: false });
      try {
        const target = new URL(url);
        target.pathname = `/${name}`;
        const list = await zq(['contract', 'list', '--json'], { cwd: tempDir(), env: cleanEnv({ ZQ_DATABASE_URL: target.toString() }) });
        expect(JSON.parse(list.stdout)).toHaveLength(32);
        // 15.15: a printed "try next" command names this database and runs as printed
        const printed = demo.stdout
          .split('Try next')[1]
          ?.split('\n')
          .find((l) => / contract list --as-of \S+$/.test(l)) as string;
        expect(printed).toContain(`--database-url ${target.toString()}`);
        const run = spawnSync('sh', ['-c', `${printed.trim()} --json`], { cwd: tempDir(), env: cleanEnv(), encoding: 'utf8' });
        expect(run.status).toBe(0);
        expect(JSON.parse(run.stdout)).toHaveLength(32);
      } finally {
        await server.knex.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await server.close();
      }
    },
  );
});
