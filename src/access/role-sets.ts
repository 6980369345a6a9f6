// The roles, defined once: their codes, names and data scope (README "Users, data scope, approvals"). `zq init`
// seeds them into the roles table; the permission matrix (each action's `roles`) and the scope use them.

export const ROLES = [
  { code: 'admin', name_zh: '系统管理员', name_en: 'administrator', scope: 'group' },
  { code: 'group_finance', name_zh: '集团财务', name_en: 'group finance', scope: 'group' },
  { code: 'dealer_finance', name_zh: '代理店财务', name_en: 'dealer finance', scope: 'dealer' },
  { code: 'manager', name_zh: '经理', name_en: 'manager', scope: 'own' },
  { code: 'collector', name_zh: '催收人员', name_en: 'collector', scope: 'own' },
  { code: 'clerk', name_zh: '内勤', name_en: 'back-office clerk', scope: 'dealer' },
  { code: 'auditor', name_zh: '审计', name_en: 'auditor', scope: 'group' },
] as const;

export type RoleCode = (typeof ROLES)[number]['code'];
export type RoleScope = (typeof ROLES)[number]['scope'];

export const ROLE_CODES: readonly RoleCode[] = ROLES.map((r) => r.code);

/** The user `zq init` creates; a read without an acting user runs as this user. */
export const ADMIN_USERNAME = 'admin';

/** Role sets the permission matrix uses. */
export const EVERYONE: readonly RoleCode[] = ROLE_CODES;
export const FINANCE: readonly RoleCode[] = ['admin', 'group_finance', 'dealer_finance'];
export const GROUP_FINANCE: readonly RoleCode[] = ['admin', 'group_finance'];
export const ADMIN: readonly RoleCode[] = ['admin'];
export const BACK_OFFICE: readonly RoleCode[] = ['admin', 'group_finance', 'dealer_finance', 'clerk'];
export const STAFF: readonly RoleCode[] = ['admin', 'group_finance', 'dealer_finance', 'manager', 'collector', 'clerk'];
export const REGISTRARS: readonly RoleCode[] = ['admin', 'group_finance', 'dealer_finance', 'clerk', 'collector'];
export const READERS_OF_SETTINGS: readonly RoleCode[] = ['admin', 'group_finance', 'dealer_finance', 'auditor'];

export function hasRole(roles: readonly string[], allowed: readonly string[]): boolean {
  return roles.some((r) => allowed.includes(r));
}
