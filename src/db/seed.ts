// Reference data that `zq init` puts in every database: receivable types (GLOSSARY.md), roles, the group
// and the admin user. Idempotent: existing rows are left as an admin configured them.
import type { Knex } from 'knex';

export const GROUP_CODE = 'GROUP';
/** The user `zq init` creates; a read without an acting user runs as this user. */
export const ADMIN_USERNAME = 'admin';

/** priority: the allocation order among "other types" (RULES.md); penalty is never penalty-bearing. */
export const RECEIVABLE_TYPES = [
  { code: 'fee', name_zh: '手续费', name_en: 'fee', penalty_bearing: true, allocation_priority: 10 },
  { code: 'interest', name_zh: '利息', name_en: 'interest', penalty_bearing: true, allocation_priority: 20 },
  { code: 'principal', name_zh: '货款', name_en: 'principal', penalty_bearing: true, allocation_priority: 30 },
  { code: 'down_payment', name_zh: '首付', name_en: 'down payment', penalty_bearing: true, allocation_priority: 40 },
  { code: 'on_behalf_payment', name_zh: '代付', name_en: 'payment on behalf', penalty_bearing: true, allocation_priority: 50 },
  { code: 'advance', name_zh: '代垫', name_en: 'advance', penalty_bearing: true, allocation_priority: 60 },
  { code: 'deposit', name_zh: '保证金', name_en: 'security deposit', penalty_bearing: false, allocation_priority: 70 },
  { code: 'penalty', name_zh: '罚息', name_en: 'penalty interest', penalty_bearing: false, allocation_priority: 90 },
] as const;

export const ROLES = [
  { code: 'admin', name_zh: '系统管理员', name_en: 'administrator', scope: 'group' },
  { code: 'group_finance', name_zh: '集团财务', name_en: 'group finance', scope: 'group' },
  { code: 'dealer_finance', name_zh: '代理店财务', name_en: 'dealer finance', scope: 'dealer' },
  { code: 'manager', name_zh: '经理', name_en: 'manager', scope: 'own' },
  { code: 'collector', name_zh: '催收人员', name_en: 'collector', scope: 'own' },
  { code: 'clerk', name_zh: '内勤', name_en: 'back-office clerk', scope: 'dealer' },
  { code: 'auditor', name_zh: '审计', name_en: 'auditor', scope: 'group' },
] as const;

export interface SeedResult {
  receivableTypes: number;
  roles: number;
  group: boolean;
  admin: boolean;
}

export async function seed(knex: Knex): Promise<SeedResult> {
  return knex.transaction(async (tx) => {
    const types = await tx('receivable_types')
      .insert(RECEIVABLE_TYPES.map((t) => ({ ...t, is_system: true })))
      .onConflict('code')
      .ignore()
      .returning('code');
    const roles = await tx('roles')
      .insert([...ROLES])
      .onConflict('code')
      .ignore()
      .returning('code');
    const group = await tx('dealers').insert({ code: GROUP_CODE, name: '集团', kind: 'group' }).onConflict('code').ignore().returning('id');
    const admin = await tx('users')
      .insert({ username: ADMIN_USERNAME, name: '系统管理员' })
      .onConflict('username')
      .ignore()
      .returning('id');
    const adminId = admin[0]?.id;
    if (adminId !== undefined) await tx('user_roles').insert({ user_id: adminId, role: 'admin' });
    if (admin.length > 0 || group.length > 0) {
      const actor = await tx('users').where({ username: ADMIN_USERNAME }).first('id');
      await tx('audit_log').insert({
        actor_id: actor?.id ?? null,
        actor: ADMIN_USERNAME,
        action: 'init',
        entity: 'database',
        details: JSON.stringify({ receivableTypes: types.length, roles: roles.length }),
      });
    }
    return { receivableTypes: types.length, roles: roles.length, group: group.length > 0, admin: admin.length > 0 };
  });
}
