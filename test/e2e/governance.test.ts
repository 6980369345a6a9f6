// Governance end to end with bin/zq: permissions, data scope through every list command, an approval flow
// (reopening a closed period under a rule), finance review and the audit log — as a user runs them.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadActor } from '../../src/access/actor.js';
import { openDatabase } from '../../src/db/index.js';
import { buildOrganisation } from '../access/organisation.js';
import { tempDir, zq } from '../support/zq.js';

describe('governance with bin/zq', () => {
  const cwd = tempDir();
  const run = (...args: string[]) => zq(args, { cwd });
  const json = async (...args: string[]) => {
    const result = await run(...args, '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout);
  };
  let reopenId = 0;

  beforeAll(async () => {
    expect((await run('init')).code).toBe(0);
    // The organisation of test/access/organisation.ts, and a batch that ran through March cleanly.
    const db = await openDatabase({ dataDir: path.join(cwd, '.zq') });
    try {
      await buildOrganisation(db.knex, await loadActor(db.knex, 'admin'));
      await db.knex('batch_runs').insert({ step: 'reconcile', business_date: '2026-04-01', status: 'done' });
    } finally {
      await db.close();
    }
  });

  it('a collector and a manager see different rows of the same data', async () => {
    expect((await json('--as', 'hf.c1', 'contract', 'list')).map((c: { contractNo: string }) => c.contractNo)).toEqual(['HF-1']);
    expect((await json('--as', 'hf.mgr', 'contract', 'list')).map((c: { contractNo: string }) => c.contractNo)).toEqual([
      'HF-1',
      'HF-2',
      'HF-3',
      'HF-4',
    ]);
  });

  it('no scope leak through any list or show command', async () => {
    for (const filter of [
      ['--dealer', 'WH01'],
      ['--collector', 'wh.c1'],
    ]) {
      const out = await run('--as', 'hf.c1', 'contract', 'list', ...filter);
      expect(out.code).toBe(3);
      expect(out.stderr).toContain(`not found: "${filter[1]}"`);
    }
    expect((await json('--as', 'hf.c1', 'user', 'list')).map((u: { username: string }) => u.username)).toEqual(['hf.c1']);
    expect((await json('--as', 'hf.c1', 'dealer', 'list')).map((d: { code: string }) => d.code)).toEqual(['HF01']);
    expect(await json('--as', 'hf.c1', 'doc', 'list')).toEqual([]);
    expect(await json('--as', 'hf.c1', 'approval', 'inbox')).toEqual([]);
    const show = await run('--as', 'hf.c1', 'contract', 'show', 'WH-1');
    expect(show.code).toBe(3);
    expect(show.stderr).toMatch(/contract not found: "WH-1"/);
    const audit = await run('--as', 'hf.c1', 'audit', 'log');
    expect(audit.code).toBe(3);
    expect(audit.stderr).toMatch(
      /hf.c1 \(collector\) may not run `zq audit log`: it needs one of admin, group_finance, dealer_finance, auditor/,
    );
  });

  it('permissions: a collector cannot add dealers, rules or lock documents (exit 3)', async () => {
    for (const args of [
      ['dealer', 'add', 'XX01', '--name', 'x'],
      ['approval', 'rule', 'add', '--type', 'period_reopen', '--step', 'role:admin'],
      ['doc', 'lock', '1'],
    ]) {
      const result = await run('--as', 'hf.c1', ...args);
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(/may not run/);
    }
  });

  it('closes March; reopening it goes through the admin’s approval rule; nobody approves their own request', async () => {
    const rule = await json(
      '--as',
      'admin',
      'approval',
      'rule',
      'add',
      '--type',
      'period_reopen',
      '--when',
      'month = 2026-03',
      '--step',
      'role:group_finance',
    );
    expect(rule).toMatchObject({
      documentType: 'period_reopen',
      condition: 'month = 2026-03',
      steps: [{ kind: 'role', role: 'group_finance' }],
    });
    expect(await json('--as', 'gf', 'period', 'close', '2026-03')).toMatchObject({ month: '2026-03', status: 'closed', closedBy: 'gf' });
    const pending = await json('--as', 'admin', 'period', 'reopen', '2026-03', '--reason', '补录收款');
    expect(pending).toMatchObject({ month: '2026-03', status: 'pending' });
    reopenId = pending.documentId;
    expect((await json('--as', 'gf', 'approval', 'inbox')).map((r: { documentId: number }) => r.documentId)).toEqual([reopenId]);
    const self = await run('--as', 'admin', 'approval', 'approve', String(reopenId));
    expect(self.code).toBe(2);
    expect(self.stderr).toMatch(/nobody approves or rejects their own request/);
    const noComment = await run('--as', 'gf', 'approval', 'reject', String(reopenId));
    expect(noComment.code).toBe(2);
    const approved = await json('--as', 'gf', 'approval', 'approve', String(reopenId), '--comment', '同意');
    expect(approved).toMatchObject({
      status: 'approved',
      documentStatus: 'approved',
      steps: [{ status: 'approved', decidedBy: 'gf', comment: '同意' }],
    });
    expect(await json('period', 'list')).toEqual([
      expect.objectContaining({ month: '2026-03', status: 'open', reopenedBy: 'admin', reopenReason: '补录收款' }),
    ]);
  });

  it('finance review locks the approved document; the audit log names everybody', async () => {
    expect(await json('--as', 'gf', 'doc', 'lock', String(reopenId))).toMatchObject({ locked: true, documents: [{ id: reopenId }] });
    const again = await run('--as', 'gf', 'doc', 'lock', String(reopenId));
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/is already locked/);
    const rows = await json('--as', 'aud', 'audit', 'log', '--doc', String(reopenId));
    expect(rows.map((r: { actor: string; action: string }) => `${r.actor} ${r.action}`)).toEqual([
      'admin create',
      'admin submit',
      'gf approve',
      'gf approved',
      'gf reopen',
      'gf lock',
    ]);
  });
});
