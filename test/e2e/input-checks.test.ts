// Issue 15 (points 8–11, 19, 21) through bin/zq, on the embedded database and, when ZQ_TEST_DATABASE_URL is set,
// on a database of its own on the server: what a new user or a careless file must not get past.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/index.js';
import { cleanEnv, tempDir, zq } from '../support/zq.js';

const serverUrl = process.env.ZQ_TEST_DATABASE_URL;

interface Target {
  kind: 'pglite' | 'postgres';
  setup(): Promise<NodeJS.ProcessEnv>;
  teardown(): Promise<void>;
}

function targets(): Target[] {
  const list: Target[] = [{ kind: 'pglite', setup: async () => cleanEnv(), teardown: async () => {} }];
  if (serverUrl) {
    const name = `zq_e2e_checks_${process.pid}_${Date.now().toString(36)}`;
    const target = new URL(serverUrl);
    target.pathname = `/${name}`;
    const onServer = async (sql: string) => {
      const server = await openDatabase({ databaseUrl: serverUrl }, { requireMigrated: false });
      try {
        await server.knex.raw(sql);
      } finally {
        await server.close();
      }
    };
    list.push({
      kind: 'postgres',
      setup: async () => {
        await onServer(`CREATE DATABASE ${name}`);
        return cleanEnv({ ZQ_DATABASE_URL: target.toString() });
      },
      teardown: () => onServer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
    });
  }
  return list;
}

const CUSTOMER_ID = '340104199001011239';

for (const target of targets()) {
  describe(`issue 15 input checks [${target.kind}]`, () => {
    const cwd = tempDir('zq-checks-');
    let env: NodeJS.ProcessEnv = cleanEnv();
    const run = (...args: string[]) => zq(args, { cwd, env });
    const as = (user: string, ...args: string[]) => run('--as', user, ...args);
    const ok = async (user: string, ...args: string[]) => {
      const r = await as(user, ...args);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      return r;
    };
    const create = (contractNo: string, ...extra: string[]) =>
      as(
        'admin',
        'contract',
        'create',
        '--dealer',
        'HF01',
        '--contract-no',
        contractNo,
        '--method',
        'interest_free',
        '--principal',
        '12000',
        '--term-months',
        '12',
        ...extra,
      );
    const refused = (r: { code: number; stderr: string }, pattern: RegExp) => {
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(pattern);
    };

    beforeAll(async () => {
      env = await target.setup();
      expect((await run('init')).code).toBe(0);
      await ok('admin', 'dealer', 'add', 'HF01', '--name', '合肥代理店');
      await ok('admin', 'dealer', 'add', 'WH01', '--name', '芜湖代理店');
      await ok('admin', 'user', 'add', 'hf.li', '--name', '李催收', '--role', 'collector', '--dealer', 'HF01');
      await ok('admin', 'user', 'add', 'wh.zhao', '--name', '赵催收', '--role', 'collector', '--dealer', 'WH01');
      await ok('admin', 'user', 'add', 'hf.fin', '--name', '合肥财务', '--role', 'dealer_finance', '--dealer', 'HF01');
      await ok(
        'admin',
        'contract',
        'create',
        '--dealer',
        'HF01',
        '--contract-no',
        'HT-1',
        '--customer',
        '张三',
        '--id-number',
        CUSTOMER_ID,
        '--machine',
        'SY215C-0001:SY215C',
        '--collector',
        'hf.li',
        '--sign-date',
        '2026-07-02',
        '--method',
        'interest_free',
        '--principal',
        '12000',
        '--term-months',
        '12',
        '--first-due-date',
        '2026-08-02',
      );
    }, 600_000); // eight processes in a row: slow on a busy two-core machine

    afterAll(async () => {
      await target.teardown();
    });

    it('15.8: without a database a command says so and creates none; zq init does', async () => {
      const empty = tempDir('zq-nodb-');
      const bare = (...args: string[]) => zq(args, { cwd: empty, env: cleanEnv() });
      const list = await bare('contract', 'list');
      expect(list.code).toBe(1);
      expect(list.stderr).toBe('zq: no database at .zq — create one first (zq init)\n');
      const typo = await bare('--data-dir', 'dat', 'dealer', 'list');
      expect(typo.code).toBe(1);
      expect(typo.stderr).toMatch(/no database at dat — create one first \(zq init\)/);
      expect(fs.readdirSync(empty)).toEqual([]);
      expect((await bare('init')).code).toBe(0);
      expect((await bare('dealer', 'list')).code).toBe(0);
      if (target.kind === 'postgres') {
        // an empty server database is reported the same way and left empty
        const name = `zq_e2e_empty_${process.pid}`;
        const url = new URL(serverUrl as string);
        url.pathname = `/${name}`;
        const server = await openDatabase({ databaseUrl: serverUrl as string }, { requireMigrated: false });
        await server.knex.raw(`CREATE DATABASE ${name}`);
        try {
          const r = await zq(['dealer', 'list'], { cwd: empty, env: cleanEnv({ ZQ_DATABASE_URL: url.toString() }) });
          expect(r.code).toBe(1);
          expect(r.stderr).toMatch(/no database at postgres:.*— create one first \(zq init\)/);
          const probe = await openDatabase({ databaseUrl: url.toString() }, { requireMigrated: false });
          const { rows } = await probe.knex.raw(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`);
          await probe.close();
          expect(rows[0].n).toBe(0);
        } finally {
          await server.knex.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          await server.close();
        }
      }
    });

    it('15.9: contract list --as-of leaves out a contract not signed yet', async () => {
      const listed = async (asOf: string) =>
        (JSON.parse((await ok('admin', 'contract', 'list', '--as-of', asOf, '--json')).stdout) as { contractNo: string }[]).map(
          (r) => r.contractNo,
        );
      expect(await listed('2025-01-01')).not.toContain('HT-1');
      expect(await listed('2026-07-01')).not.toContain('HT-1');
      expect(await listed('2026-07-02')).toContain('HT-1');
    });

    it('15.10: contract create refuses a collector of another dealer', async () => {
      refused(
        await create('HT-X1', '--customer', '李四', '--collector', 'wh.zhao', '--first-due-date', '2026-08-02'),
        /collector wh\.zhao works for another dealer, not HF01/,
      );
    });

    it('15.10: contract create refuses an existing customer’s ID number under another name', async () => {
      refused(
        await create('HT-X2', '--customer', '王五', '--id-number', CUSTOMER_ID, '--first-due-date', '2026-08-02'),
        /ID number 340104199001011239 belongs to existing customer 张三, not 王五/,
      );
      // the same person again is fine
      await ok(
        'admin',
        'contract',
        'create',
        '--dealer',
        'HF01',
        '--contract-no',
        'HT-2',
        '--customer',
        '张三',
        '--id-number',
        CUSTOMER_ID,
        '--method',
        'interest_free',
        '--principal',
        '1200',
        '--term-months',
        '2',
        '--first-due-date',
        '2026-08-02',
      );
    });

    it('15.10: contract create refuses a machine already on another active contract', async () => {
      refused(
        await create('HT-X3', '--customer', '李四', '--machine', 'SY215C-0001:SY215C', '--first-due-date', '2026-08-02'),
        /machine SY215C-0001 is already on active contract HT-1/,
      );
    });

    it('15.10: contract create refuses a first due date before the sign date', async () => {
      refused(
        await create('HT-X4', '--customer', '李四', '--sign-date', '2026-07-02', '--first-due-date', '2026-07-01'),
        /first due date 2026-07-01 is before the sign date 2026-07-02/,
      );
      const list = JSON.parse((await ok('admin', 'contract', 'list', '--json')).stdout) as { contractNo: string }[];
      expect(list.map((r) => r.contractNo).filter((n) => n.startsWith('HT-X'))).toEqual([]);
    });

    it('15.10: an ID number that is neither a resident ID nor a credit code is accepted with a warning', async () => {
      const r = await create('HT-3', '--customer', '赵六', '--id-number', '123', '--first-due-date', '2026-08-02');
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/^zq: warning: --id-number "123" is neither an 18-character resident ID nor a unified social credit code/);
      const good = await create('HT-4', '--customer', '钱七', '--id-number', '91350100M000100Y43', '--first-due-date', '2026-08-02');
      expect(good.stderr).toBe('');
      expect(good.code).toBe(0);
    });

    it('15.11: a receipt value-dated after today is refused; ZQ_FUTURE_DAYS widens the margin', async () => {
      refused(
        await as('hf.fin', 'receipt', 'register', '--contract', 'HT-1', '--amount', '100', '--value-date', '2999-12-31'),
        /--value-date: "2999-12-31" — expected a date on or before \d{4}-\d{2}-\d{2}/,
      );
      const ok1 = await as(
        'hf.fin',
        'receipt',
        'register',
        '--contract',
        'HT-1',
        '--amount',
        '100',
        '--value-date',
        '2026-08-02',
        '--json',
      );
      expect(ok1.code).toBe(0);
      const id = JSON.parse(ok1.stdout).id as number;
      await ok('hf.fin', 'receipt', 'confirm', String(id));
      refused(
        await as('hf.fin', 'receipt', 'adjust', String(id), '--reason', '日期有误', '--value-date', '2999-12-31'),
        /--value-date: "2999-12-31"/,
      );
      const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
      const wide = await zq(['--as', 'hf.fin', 'receipt', 'register', '--contract', 'HT-1', '--amount', '1', '--value-date', tomorrow], {
        cwd,
        env: { ...env, ZQ_FUTURE_DAYS: '3' },
      });
      expect(wide.code).toBe(0);
      const receipts = JSON.parse((await ok('admin', 'receipt', 'list', '--json')).stdout) as { valueDate: string }[];
      expect(receipts.map((r) => r.valueDate)).not.toContain('2999-12-31');
    });

    it('15.11: import --as-of after today is refused before anything is read', async () => {
      fs.writeFileSync(path.join(cwd, 'ledger.csv'), 'contract_no\nHT-9\n');
      refused(
        await as('admin', 'import', 'ledger.csv', '--dealer', 'HF01', '--as-of', '2030-01-01'),
        /--as-of: "2030-01-01" — expected a date on or before/,
      );
      refused(
        await as('admin', 'waiver', 'request', '--contract', 'HT-1', '--amount', '1', '--reason', 'x', '--date', '2999-01-01'),
        /--date: "2999-01-01"/,
      );
    });

    it('15.19: names with control characters are refused with one line, whatever the command', async () => {
      refused(
        await as('admin', 'dealer', 'add', 'HF09', '--name', '合肥\t代理店'),
        /--name: "合肥\\t代理店" — expected text without control characters/,
      );
      refused(
        await as('admin', 'user', 'add', 'x.y', '--name', '\u001b[31m红\u001b[0m', '--role', 'clerk'),
        /--name: .*without control characters/,
      );
      refused(await create('HT-X5', '--customer', '张\n三', '--first-due-date', '2026-08-02'), /--customer: "张\\n三"/);
      const dealers = JSON.parse((await ok('admin', 'dealer', 'list', '--json')).stdout) as { code: string }[];
      expect(dealers.map((d) => d.code)).not.toContain('HF09');
    });

    it('15.19: dealer codes are unique regardless of case', async () => {
      refused(
        await as('admin', 'dealer', 'add', 'hf01', '--name', '另一个'),
        /dealer hf01: dealer HF01 already exists \(dealer codes are the same whatever the case\)/,
      );
    });

    it('15.21: zq dealer update renames a dealer and changes its details, admin-only and audited', async () => {
      await ok('admin', 'dealer', 'add', 'R1', '--name', '皖南区域', '--region');
      const denied = await as('hf.fin', 'dealer', 'update', 'HF01', '--name', '改名');
      expect(denied.code).toBe(3);
      const r = await ok(
        'admin',
        'dealer',
        'update',
        'HF01',
        '--name',
        '合肥新代理店',
        '--city',
        '合肥',
        '--parent',
        'R1',
        '--allocation-strategy',
        'principal_first',
        '--json',
      );
      expect(JSON.parse(r.stdout)).toMatchObject({
        code: 'HF01',
        name: '合肥新代理店',
        city: '合肥',
        parent: 'R1',
        allocationStrategy: 'principal_first',
      });
      refused(await as('admin', 'dealer', 'update', 'R1', '--parent', 'HF01'), /parent: "HF01" — expected the group or a region/);
      refused(await as('admin', 'dealer', 'update', 'HF01', '--region'), /HF01 has contracts: it stays a dealer/);
      const log = await ok('admin', 'audit', 'log', '--json');
      expect(log.stdout).toMatch(/"action": "update"/);
      expect(log.stdout).toMatch(/合肥新代理店/);
    });
  });
}
