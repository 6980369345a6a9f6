// A four-level organisation across two dealers, shared by the governance tests.
//
//   boss (manager, no dealer)                         level 1
//   ├── hf.mgr (manager, HF01)                        level 2
//   │   └── hf.lead (manager, HF01)                   level 3
//   │       ├── hf.c1 (collector, HF01)               level 4
//   │       ├── hf.c2 (collector, HF01)               level 4
//   │       └── wh.c2 (collector, WH01 — lent to hf.lead across dealers)
//   └── wh.mgr (manager, WH01)                        level 2
//       └── wh.c1 (collector, WH01)                   level 3
//   hf.fin (dealer finance HF01), wh.clerk (clerk WH01), gf (group finance), aud (auditor)
//
// Contracts: HF-1 hf.c1, HF-2 hf.c2, HF-3 hf.lead, HF-4 hf.mgr, HF-5 nobody; WH-1 wh.c1, WH-2 wh.mgr, WH-3 wh.c2.
import type { Knex } from 'knex';
import { type Actor, loadActor } from '../../src/access/actor.js';
import { dec } from '../../src/core/money.js';
import { addDealer, addUser } from '../../src/organisation/index.js';
import { createContract } from '../../src/receivables/contracts.js';

export const USERS = [
  { username: 'boss', name: '区域总', roles: ['manager'] },
  { username: 'hf.mgr', name: '合肥经理', roles: ['manager'], dealer: 'HF01', reportsTo: 'boss' },
  { username: 'hf.lead', name: '合肥组长', roles: ['manager'], dealer: 'HF01', reportsTo: 'hf.mgr' },
  { username: 'hf.c1', name: '合肥催收一', roles: ['collector'], dealer: 'HF01', reportsTo: 'hf.lead' },
  { username: 'hf.c2', name: '合肥催收二', roles: ['collector'], dealer: 'HF01', reportsTo: 'hf.lead' },
  { username: 'wh.mgr', name: '芜湖经理', roles: ['manager'], dealer: 'WH01', reportsTo: 'boss' },
  { username: 'wh.c1', name: '芜湖催收一', roles: ['collector'], dealer: 'WH01', reportsTo: 'wh.mgr' },
  { username: 'wh.c2', name: '芜湖催收二', roles: ['collector'], dealer: 'WH01', reportsTo: 'hf.lead' },
  { username: 'hf.fin', name: '合肥财务', roles: ['dealer_finance'], dealer: 'HF01' },
  { username: 'wh.clerk', name: '芜湖内勤', roles: ['clerk'], dealer: 'WH01' },
  { username: 'gf', name: '集团财务', roles: ['group_finance'] },
  { username: 'aud', name: '审计', roles: ['auditor'] },
];

export const CONTRACTS = [
  { dealer: 'HF01', contractNo: 'HF-1', collector: 'hf.c1' },
  { dealer: 'HF01', contractNo: 'HF-2', collector: 'hf.c2' },
  { dealer: 'HF01', contractNo: 'HF-3', collector: 'hf.lead' },
  { dealer: 'HF01', contractNo: 'HF-4', collector: 'hf.mgr' },
  { dealer: 'HF01', contractNo: 'HF-5', collector: undefined },
  { dealer: 'WH01', contractNo: 'WH-1', collector: 'wh.c1' },
  { dealer: 'WH01', contractNo: 'WH-2', collector: 'wh.mgr' },
  { dealer: 'WH01', contractNo: 'WH-3', collector: 'wh.c2' },
];

export async function buildOrganisation(knex: Knex, admin: Actor): Promise<void> {
  await knex.transaction(async (tx) => {
    await addDealer(tx, admin, { code: 'HF01', name: '合肥代理店' });
    await addDealer(tx, admin, { code: 'WH01', name: '芜湖代理店' });
    for (const user of USERS) await addUser(tx, admin, user);
    for (const c of CONTRACTS) {
      await createContract(tx, admin, {
        ...c,
        customer: { name: `客户${c.contractNo}` },
        machines: [],
        method: 'interest_free',
        principal: dec('1200.00'),
        annualRate: dec(0),
        termMonths: 3,
        firstDueDate: '2026-01-10',
      });
    }
  });
}

export function actor(knex: Knex, username: string): Promise<Actor> {
  return loadActor(knex, username);
}
