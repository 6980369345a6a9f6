// The roles: their codes, names and data scope are reference data, defined once in db/seed.ts (which `zq init`
// writes into the roles table); here are their types and the role sets the permission matrix uses.
import { ADMIN_USERNAME, ROLES } from '../db/seed.js';

export { ADMIN_USERNAME, ROLES };

export type RoleCode = (typeof ROLES)[number]['code'];
export type RoleScope = (typeof ROLES)[number]['scope'];

export const ROLE_CODES: readonly RoleCode[] = ROLES.map((r) => r.code);

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
