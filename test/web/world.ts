// The pages' world: the governance organisation (test/access/organisation.ts: two dealers, two teams), every
// user with the web password, a customer named like a script, the nightly batch on 2026-03-31, a waiver rule
// (dealer finance approves) and a waiver hf.c1 requested on HF-1 that waits for hf.fin.
import { loadActor } from '../../src/access/actor.js';
import { runAction } from '../../src/app/run.js';
import { addRule } from '../../src/approvals/rules.js';
import { runBatch } from '../../src/batch/run.js';
import { dec } from '../../src/core/money.js';
import type { Db } from '../../src/db/index.js';
import { createContract } from '../../src/receivables/contracts.js';
import { buildOrganisation, USERS } from '../access/organisation.js';
import { PASSWORD } from './support.js';

export const BATCH_DATE = '2026-03-31';
export const SCRIPT_NAME = '<script>alert(1)</script>';

export async function buildWorld(db: Db): Promise<{ waiverId: number }> {
  const admin = await loadActor(db.knex, 'admin');
  await buildOrganisation(db.knex, admin);
  for (const user of USERS) await runAction(db, 'admin', 'user.passwd', { username: user.username, password: PASSWORD }, { via: 'test' });
  await db.knex.transaction(async (tx) => {
    await createContract(tx, admin, {
      dealer: 'HF01',
      contractNo: 'HF-X',
      customer: { name: SCRIPT_NAME, phone: '13900000001' },
      machines: [{ serialNo: 'SY215C-7788', model: 'SY215C' }],
      collector: 'hf.c1',
      method: 'interest_free',
      principal: dec('3000.00'),
      annualRate: dec(0),
      termMonths: 3,
      firstDueDate: '2026-01-10',
    });
    await addRule(tx, admin, { documentType: 'waiver', steps: ['role:dealer_finance'] });
  });
  await runBatch(db, admin, { date: BATCH_DATE }, () => {});
  const waiver = await runAction(
    db,
    'hf.c1',
    'waiver.request',
    { contractNo: 'HF-1', dealer: 'HF01', amount: '1.00', date: BATCH_DATE, reason: '客户困难' },
    { via: 'test' },
  );
  return { waiverId: waiver.id };
}
