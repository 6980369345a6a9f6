// Machine lock end to end with bin/zq: the road through the file-outbox provider as people type it (request,
// approval, the instruction file, the platform's acknowledgement read back, a malformed one reported on stderr
// with exit 2), a refusal and a not-found, and the pre-lock letter (催收函) as a PDF read back with pdftotext.
// The contract: 1,200.00 interest free over 3 months from 2026-01-10 → 400.00 due 01-10, 02-10, 03-10; on
// 2026-03-31 all three are overdue (80, 49, 21 days); penalty at 0.0005 a day: 400.00 × 0.0005 × (80 + 49 + 21)
// = 16.00 + 9.80 + 4.20 = 30.00; total 1,200.00 + 30.00 = 1,230.00 (壹仟贰佰叁拾元整).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadActor } from '../../src/access/actor.js';
import { dec } from '../../src/core/money.js';
import { openDatabase } from '../../src/db/index.js';
import { createContract } from '../../src/receivables/contracts.js';
import { buildOrganisation } from '../access/organisation.js';
import { tempDir, zq } from '../support/zq.js';

describe('machine lock with bin/zq', () => {
  const cwd = tempDir();
  const outbox = path.join(cwd, 'outbox');
  const run = (...args: string[]) => zq(args, { cwd });

  beforeAll(async () => {
    expect((await run('init')).code).toBe(0);
    const db = await openDatabase({ dataDir: path.join(cwd, '.zq') });
    try {
      const admin = await loadActor(db.knex, 'admin');
      await buildOrganisation(db.knex, admin);
      await db.knex.transaction((tx) =>
        createContract(tx, admin, {
          dealer: 'HF01',
          contractNo: 'HF-M',
          collector: 'hf.c1',
          customer: { name: '王建国', phone: '13900000009' },
          machines: [{ serialNo: 'SY215C-5501', model: 'SY215C' }],
          method: 'interest_free',
          principal: dec('1200.00'),
          annualRate: dec(0),
          termMonths: 3,
          firstDueDate: '2026-01-10',
        }),
      );
    } finally {
      await db.close();
    }
    const steps = [
      ['--as', 'admin', 'machine', 'provider', 'set', 'file-outbox', '--dir', outbox, '--dealer', 'HF01'],
      [
        '--as',
        'admin',
        'approval',
        'rule',
        'add',
        '--type',
        'machine_lock',
        '--when',
        'overdue_days >= 30',
        '--step',
        'role:dealer_finance',
      ],
      ['--as', 'hf.fin', 'machine', 'set', 'SY215C-5501', '--gps-device', 'GPS-5501'],
    ];
    for (const step of steps) expect((await run(...step)).code, step.join(' ')).toBe(0);
  }, 400_000);

  it('request → approve → instruction file → acknowledgement read back; a malformed one is exit 2', async () => {
    const request = await run(
      '--as',
      'hf.c1',
      '--json',
      'machine',
      'lock',
      'request',
      'SY215C-5501',
      '--reason',
      '逾期三期',
      '--date',
      '2026-03-31',
    );
    expect(request.code, request.stderr).toBe(0);
    const doc = JSON.parse(request.stdout);
    // all three installments: 1,200.00 overdue, the oldest 80 days
    expect(doc).toMatchObject({ type: 'machine_lock', amount: '1200.00', approval: 'pending', data: { overdue_days: 80 } });
    expect((await run('--as', 'hf.fin', 'approval', 'approve', String(doc.id))).code).toBe(0);
    const instruction = JSON.parse(fs.readFileSync(path.join(outbox, `${doc.number}.json`), 'utf8'));
    expect(instruction).toMatchObject({ id: doc.number, action: 'lock', serialNo: 'SY215C-5501', gpsDeviceId: 'GPS-5501', dealer: 'HF01' });
    fs.writeFileSync(path.join(outbox, 'BROKEN-1.ack.json'), '{"id": "BROKEN-1", "result": "done"');
    fs.writeFileSync(
      path.join(outbox, `${doc.number}.ack.json`),
      JSON.stringify({ id: doc.number, result: 'done', at: '2026-04-01T09:30:00+08:00', location: '六安市金安区' }),
    );
    const read = await run('--as', 'hf.fin', 'machine', 'outbox', 'read');
    expect(read.code).toBe(2);
    expect(read.stderr).toBe(`zq: rejected ${path.join(outbox, 'BROKEN-1.ack.json')}: field (file): expected a JSON object\n`);
    expect(read.stdout).toContain(`${doc.number} lock SY215C-5501: done, the machine is locked`);
    const again = await run('--as', 'hf.fin', 'machine', 'outbox', 'read');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 acknowledgement(s) recorded');
    const shown = JSON.parse((await run('--json', 'machine', 'show', 'SY215C-5501')).stdout);
    expect(shown).toMatchObject({ status: 'locked', location: '六安市金安区' });
    // refused (exit 2) and not found (exit 3)
    const twice = await run('--as', 'hf.c1', 'machine', 'lock', 'request', 'SY215C-5501', '--reason', 'x', '--date', '2026-04-01');
    expect([twice.code, twice.stderr]).toEqual([
      2,
      'zq: machine SY215C-5501 is locked (已锁机): only a normal (正常) machine can be locked\n',
    ]);
    const other = await run('--as', 'wh.c1', 'machine', 'show', 'SY215C-5501');
    expect(other.code).toBe(3);
  }, 400_000);

  it('prints the pre-lock letter: the letterhead, the overdue lines, the total and the deadline', async () => {
    // a second machine contract is not needed: unlock first so the machine is normal again
    const list = JSON.parse((await run('--json', 'machine', 'list', '--status', 'locked')).stdout);
    expect(list.map((m: { serialNo: string }) => m.serialNo)).toEqual(['SY215C-5501']);
    const refused = await run('--as', 'hf.c1', 'machine', 'lock', 'letter', 'SY215C-5501', '--as-of', '2026-03-31');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('a pre-lock letter is for a normal machine');
    const unlock = JSON.parse(
      (
        await run(
          '--as',
          'hf.c1',
          '--json',
          'machine',
          'unlock',
          'request',
          'SY215C-5501',
          '--reason',
          '客户承诺还款',
          '--date',
          '2026-04-01',
        )
      ).stdout,
    );
    expect(unlock.approval).toBe('approved');
    const confirm = await run('--as', 'hf.fin', 'machine', 'unlock', 'confirm', String(unlock.id), '--at', '2026-04-01 15:00');
    expect(confirm.code, confirm.stderr).toBe(0);
    const letter = await run('--as', 'hf.c1', 'machine', 'lock', 'letter', 'SY215C-5501', '--as-of', '2026-03-31', '--out', 'letter.pdf');
    expect(letter.code, letter.stderr).toBe(0);
    expect(letter.stdout).toContain('overdue 1200.00 + penalty 30.00 = 1230.00, 80 days; pay by 2026-04-07');
    const text = execFileSync('pdftotext', ['-layout', path.join(cwd, 'letter.pdf'), '-'], { encoding: 'utf8' });
    for (const expected of [
      '合肥代理店',
      '催',
      '王建国',
      'HF-M',
      'SY215C-5501',
      '1,200.00',
      '30.00',
      '1,230.00',
      '壹仟贰佰叁拾元整',
      '2026年4月7日',
      '锁机',
    ])
      expect(text).toContain(expected);
  }, 400_000);
});
