// zq backup / backup verify / restore with bin/zq, on the demo: the restored database has every row of the
// source, `contract show` and `batch status` say the same; a killed backup leaves no complete-looking file;
// a flipped byte or a truncated file is refused with one line, exit 2, nothing written; an existing file and a
// non-empty target are refused; only an admin may take a backup.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/index.js';
import { allRows } from '../backup/rows.js';
import { cleanEnv, startZq, tempDir, zq } from '../support/zq.js';

const AS_OF = '2026-07-31';
/** Each test runs bin/zq a dozen times or more (PGlite opens in about a second each): room for a busy machine. */
const LONG = 600_000;
const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

async function rowsOf(config: { dataDir?: string; databaseUrl?: string }) {
  const db = await openDatabase(config);
  try {
    return await allRows(db);
  } finally {
    await db.close();
  }
}

/** The same commands against two databases print the same. */
async function sameAnswers(cwd: string, a: string[], b: string[]): Promise<void> {
  for (const command of [
    ['contract', 'show', 'HF01-2025-0001', '--as-of', AS_OF, '--json'],
    ['contract', 'show', 'HF01-OPS-0001', '--as-of', '2026-09-30', '--json'],
    ['batch', 'status', '--json'],
  ]) {
    const left = await zq([...a, ...command], { cwd });
    const right = await zq([...b, ...command], { cwd });
    expect(left.code, left.stderr).toBe(0);
    expect(right.stdout).toBe(left.stdout);
  }
}

function flipped(source: string, target: string, at: number): void {
  const bytes = fs.readFileSync(source);
  bytes[at] = (bytes[at] as number) ^ 0x01;
  fs.writeFileSync(target, bytes);
}

describe('zq backup and zq restore, embedded', () => {
  const cwd = tempDir();
  const source = ['--data-dir', 'demo-db'];

  beforeAll(async () => {
    const demo = await zq(['demo', '--dir', 'demo-db'], { cwd });
    expect(demo.code, demo.stderr).toBe(0);
  }, LONG);

  it(
    'backs up, verifies, restores into a new folder: every row, contract show and batch status equal',
    async () => {
      const backup = await zq([...source, 'backup', '--out', 'nightly.zqb'], { cwd });
      expect(backup.stderr).toBe('');
      expect(backup.code).toBe(0);
      expect(backup.stdout).toMatch(
        /^backup: nightly\.zqb \(\d+ bytes, format 1, pglite, schema \d{3}_\w+, [\d.]+ s\)\nsha256: [0-9a-f]{64}\n/,
      );
      expect(backup.stdout).toMatch(
        /2 dealer\(s\), 32 contract\(s\), \d+ schedule line\(s\), \d+ posting\(s\); last batch date 2026-07-31/,
      );
      expect(fs.readdirSync(cwd).filter((f) => f.includes('partial'))).toEqual([]);

      const verify = await zq(['backup', 'verify', 'nightly.zqb'], { cwd });
      expect(verify.stderr).toBe('');
      expect(verify.code).toBe(0);
      expect(verify.stdout).toMatch(/ledger totals equal to those recorded/);

      const restore = await zq(['restore', 'nightly.zqb', '--data-dir', 'restored'], { cwd });
      expect(restore.stderr).toBe('');
      expect(restore.code).toBe(0);
      expect(restore.stdout).toMatch(
        /into restored \(pglite\)\nmigrations: up to date\nrestored: 2 dealer\(s\), 32 contract\(s\), .*last batch date 2026-07-31/,
      );
      expect(await rowsOf({ dataDir: path.join(cwd, 'restored') })).toEqual(await rowsOf({ dataDir: path.join(cwd, 'demo-db') }));
      await sameAnswers(cwd, source, ['--data-dir', 'restored']);
    },
    LONG,
  );

  it(
    'refuses an existing file without --force, a non-empty target, a missing target, and users who are not admin',
    async () => {
      const first = await zq([...source, 'backup', '--out', 'kept.zqb'], { cwd });
      expect(first.code).toBe(0);
      const before = sha(path.join(cwd, 'kept.zqb'));
      const again = await zq([...source, 'backup', '--out', 'kept.zqb'], { cwd });
      expect(again.code).toBe(2);
      expect(again.stderr).toBe('zq: --out: "kept.zqb" — expected a file that does not exist yet (--force to replace it)\n');
      expect(sha(path.join(cwd, 'kept.zqb'))).toBe(before);
      const forced = await zq([...source, 'backup', '--out', 'kept.zqb', '--force'], { cwd });
      expect(forced.code).toBe(0);

      const missing = await zq([...source, 'backup'], { cwd });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/^zq: --out: missing — expected the backup file to write/);

      fs.mkdirSync(path.join(cwd, 'busy'));
      fs.writeFileSync(path.join(cwd, 'busy', 'notes.txt'), 'mine');
      const busy = await zq(['restore', 'kept.zqb', '--data-dir', 'busy'], { cwd });
      expect(busy.code).toBe(2);
      expect(busy.stderr).toBe('zq: the folder busy is not empty: restore into a new folder\n');
      expect(fs.readdirSync(path.join(cwd, 'busy'))).toEqual(['notes.txt']);
      const onto = await zq(['restore', 'kept.zqb', '--data-dir', 'demo-db'], { cwd });
      expect(onto.code).toBe(2);

      // the target is named on the command line, never taken from the environment
      const noTarget = await zq(['restore', 'kept.zqb'], { cwd, env: cleanEnv({ ZQ_DATA_DIR: path.join(cwd, 'from-env') }) });
      expect(noTarget.code).toBe(2);
      expect(noTarget.stderr).toMatch(/^zq: --data-dir: missing — expected one target: --data-dir NEW_FOLDER or --database-url URL/);
      expect(fs.existsSync(path.join(cwd, 'from-env'))).toBe(false);

      // dealer finance of another dealer, and a collector: not allowed, nothing written
      for (const user of ['wh.fin', 'hf.li']) {
        const refused = await zq([...source, '--as', user, 'backup', '--out', `${user}.zqb`], { cwd });
        expect(refused.code).toBe(3);
        expect(refused.stderr).toMatch(
          new RegExp(`^zq: ${user.replace('.', '\\.')} \\(\\w+\\) may not run \`zq backup\`: it needs one of admin\n$`),
        );
        expect(fs.existsSync(path.join(cwd, `${user}.zqb`))).toBe(false);
      }
    },
    LONG,
  );

  it(
    'refuses a flipped byte (header or content) and a truncated file in restore and verify: one line, exit 2, nothing written',
    async () => {
      const backup = await zq([...source, 'backup', '--out', 'whole.zqb'], { cwd });
      expect(backup.code).toBe(0);
      const whole = path.join(cwd, 'whole.zqb');
      const size = fs.statSync(whole).size;
      flipped(whole, path.join(cwd, 'content.zqb'), size - 100);
      flipped(whole, path.join(cwd, 'header.zqb'), 200);
      flipped(whole, path.join(cwd, 'padding.zqb'), 60000);
      fs.writeFileSync(path.join(cwd, 'short.zqb'), fs.readFileSync(whole).subarray(0, size - 1000));
      fs.writeFileSync(path.join(cwd, 'stub.zqb'), fs.readFileSync(whole).subarray(0, 1000));
      for (const [file, why] of [
        ['content.zqb', 'its content does not match its SHA-256: altered'],
        ['header.zqb', 'its header does not match its checksum: altered'],
        ['padding.zqb', 'its header does not match its checksum: altered'],
        ['short.zqb', `${size - 65536 - 1000} bytes of content where the header says ${size - 65536}: truncated`],
        ['stub.zqb', 'shorter than its header: truncated'],
      ] as const) {
        const restore = await zq(['restore', file, '--data-dir', 'never'], { cwd });
        expect(restore.code).toBe(2);
        expect(restore.stderr).toBe(`zq: FILE: "${file}" — expected a complete zq backup file (${why}; nothing written)\n`);
        expect(fs.existsSync(path.join(cwd, 'never'))).toBe(false);
        const verify = await zq(['backup', 'verify', file], { cwd });
        expect(verify.code).toBe(2);
        expect(verify.stderr.split('\n')).toHaveLength(2);
        expect(verify.stdout).toBe('');
      }
    },
    LONG,
  );

  it(
    'kill -9 during a backup leaves no complete-looking file; the source is unharmed',
    async () => {
      const child = startZq([...source, 'backup', '--out', 'killed.zqb'], { cwd });
      const partial = await new Promise<string | undefined>((resolve) => {
        const timer = setInterval(() => {
          const found = fs.readdirSync(cwd).find((f) => f.startsWith('.killed.zqb.') && f.endsWith('.partial'));
          if (found || child.exitCode !== null) {
            clearInterval(timer);
            child.kill('SIGKILL');
            resolve(found);
          }
        }, 2);
      });
      await new Promise((resolve) => child.once('close', resolve));
      expect(partial, 'the backup ended before it could be killed while writing').toBeDefined();
      expect(fs.existsSync(path.join(cwd, 'killed.zqb'))).toBe(false);
      // what it left is not a backup: verify refuses it
      if (partial && fs.existsSync(path.join(cwd, partial))) {
        const verify = await zq(['backup', 'verify', partial], { cwd });
        expect(verify.code).toBe(2);
        fs.rmSync(path.join(cwd, partial));
      }
      const status = await zq([...source, 'batch', 'status'], { cwd });
      expect(status.code).toBe(0);
      const retry = await zq([...source, 'backup', '--out', 'killed.zqb'], { cwd });
      expect(retry.code).toBe(0);
    },
    LONG,
  );
});

describe.runIf(process.env.ZQ_TEST_DATABASE_URL)('zq backup and zq restore, PostgreSQL', () => {
  it(
    'backs up the demo on a server; restores it into a new embedded folder and into an empty server database',
    async () => {
      const url = process.env.ZQ_TEST_DATABASE_URL as string;
      const cwd = tempDir();
      const demo = await zq(['demo'], { cwd, env: cleanEnv({ ZQ_DATABASE_URL: url }) });
      expect(demo.code, demo.stderr).toBe(0);
      const name = /created database (zq_demo_\w+)/.exec(demo.stdout)?.[1] as string;
      const server = await openDatabase({ databaseUrl: url }, { requireMigrated: false });
      const at = (db: string) => {
        const u = new URL(url);
        u.pathname = `/${db}`;
        return u.toString();
      };
      const empty = `${name}_restored`;
      try {
        await server.knex.raw(`CREATE DATABASE ${empty}`);
        const source = ['--database-url', at(name)];
        const backup = await zq([...source, 'backup', '--out', 'pg.zqb'], { cwd });
        expect(backup.code, backup.stderr).toBe(0);
        expect(backup.stdout).toMatch(/format 1, postgres, schema/);
        const verify = await zq(['backup', 'verify', 'pg.zqb'], { cwd });
        expect(verify.code, verify.stderr).toBe(0);
        const intoFolder = await zq(['restore', 'pg.zqb', '--data-dir', 'restored'], { cwd });
        expect(intoFolder.code, intoFolder.stderr).toBe(0);
        const intoServer = await zq(['restore', 'pg.zqb', '--database-url', at(empty)], { cwd });
        expect(intoServer.code, intoServer.stderr).toBe(0);
        const original = await rowsOf({ databaseUrl: at(name) });
        expect(await rowsOf({ databaseUrl: at(empty) })).toEqual(original);
        expect(await rowsOf({ dataDir: path.join(cwd, 'restored') })).toEqual(original);
        await sameAnswers(cwd, source, ['--database-url', at(empty)]);
        await sameAnswers(cwd, source, ['--data-dir', 'restored']);
        // --pg-dump: pg_dump's format of the same snapshot, verified in a temporary database on the server
        const dumped = await zq([...source, 'backup', '--pg-dump', '--out', 'pg_dump.zqb'], { cwd });
        expect(dumped.code, dumped.stderr).toBe(0);
        expect(dumped.stdout).toMatch(/format 1 with pg_dump, postgres, schema/);
        const verified = await zq(['--database-url', url, 'backup', 'verify', 'pg_dump.zqb'], { cwd });
        expect(verified.code, verified.stderr).toBe(0);
        expect(verified.stdout).toMatch(/restored into a temporary database on the server/);
        const noTool = await zq([...source, 'backup', '--pg-dump', '--out', 'none.zqb'], { cwd, env: cleanEnv({ PATH: '/nonexistent' }) });
        expect(noTool.code).toBe(2);
        expect(noTool.stderr).toMatch(/^zq: pg_dump is not installed here: install the PostgreSQL client of the server's version/);
        expect(fs.readdirSync(cwd).filter((f) => f.includes('none.zqb'))).toEqual([]);
        // a database that holds tables is refused
        const onto = await zq(['restore', 'pg.zqb', '--database-url', at(name)], { cwd });
        expect(onto.code).toBe(2);
        expect(onto.stderr).toMatch(/is not empty: restore into a new, empty database/);
      } finally {
        await server.knex.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await server.knex.raw(`DROP DATABASE IF EXISTS ${empty} WITH (FORCE)`);
        await server.close();
      }
    },
    LONG,
  );
});
