// Dealers (a tree under the group) and users (roles, dealer, reports_to).
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import { requireKnownDealer } from '../access/filters.js';
import { scopeDealers, scopeUsers } from '../access/scope.js';
import { writeAudit } from '../audit/index.js';
import { BadInput, NotFound, Refused } from '../core/errors.js';
import { refuseControlCharacters } from '../core/text.js';
import type { Tx } from '../db/index.js';
import { GROUP_CODE } from '../db/seed.js';

export interface Dealer {
  id: number;
  code: string;
  name: string;
  kind: 'group' | 'region' | 'dealer';
  parent: string | null;
  allocationStrategy: 'by_installment' | 'principal_first';
  province: string | null;
  city: string | null;
  /** For the letterhead of printed documents (README "Printing"). */
  address: string | null;
  phone: string | null;
  bankName: string | null;
  bankAccount: string | null;
}

/** The letterhead details: optional text of a dealer, '' clears one on update. */
export const DEALER_CONTACT_FIELDS = { address: 'address', phone: 'phone', bankName: 'bank_name', bankAccount: 'bank_account' } as const;
type ContactField = keyof typeof DEALER_CONTACT_FIELDS;
const CONTACT_MAX = 200;

function contactValue(field: ContactField, value: string): string | null {
  const text = refuseControlCharacters(field, value).trim();
  if (text.length > CONTACT_MAX) throw new BadInput(field, value, `at most ${CONTACT_MAX} characters`);
  return text || null;
}

function contactColumns(input: Partial<Record<ContactField, string | undefined>>): Record<string, string | null> {
  const row: Record<string, string | null> = {};
  for (const [field, column] of Object.entries(DEALER_CONTACT_FIELDS) as [ContactField, string][]) {
    const value = input[field];
    if (value !== undefined) row[column] = contactValue(field, value);
  }
  return row;
}

const DEALER_CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
const USERNAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const ALLOCATION_STRATEGIES = ['by_installment', 'principal_first'] as const;

function dealerQuery(knex: Knex) {
  return knex('dealers as d')
    .leftJoin('dealers as p', 'p.id', 'd.parent_id')
    .select(
      'd.id',
      'd.code',
      'd.name',
      'd.kind',
      'p.code as parent',
      'd.allocation_strategy as allocationStrategy',
      'd.province',
      'd.city',
      'd.address',
      'd.phone',
      'd.bank_name as bankName',
      'd.bank_account as bankAccount',
    );
}

export async function findDealer(knex: Knex, code: string): Promise<Dealer> {
  const dealer = await dealerQuery(knex).where('d.code', code).first();
  if (!dealer) throw new NotFound('dealer', code);
  return dealer as Dealer;
}

/** The dealers in the actor's data scope. */
export async function listDealers(knex: Knex, actor: Actor): Promise<Dealer[]> {
  return (await scopeDealers(dealerQuery(knex), actor, 'd').orderByRaw(
    "CASE d.kind WHEN 'group' THEN 0 WHEN 'region' THEN 1 ELSE 2 END, d.code",
  )) as Dealer[];
}

export interface NewDealer {
  code: string;
  name: string;
  parent?: string | undefined;
  kind?: 'region' | 'dealer' | undefined;
  allocationStrategy?: string | undefined;
  province?: string | undefined;
  city?: string | undefined;
  address?: string | undefined;
  phone?: string | undefined;
  bankName?: string | undefined;
  bankAccount?: string | undefined;
}

/** A dealer in the actor's data scope, by its code; out of scope looks like not found. */
export async function showDealer(knex: Knex, actor: Actor, code: string): Promise<Dealer> {
  const dealer = await scopeDealers(dealerQuery(knex), actor, 'd').where('d.code', code).first();
  if (!dealer) throw new NotFound('dealer', code);
  return dealer as Dealer;
}

export async function addDealer(tx: Tx, actor: Actor, input: NewDealer): Promise<Dealer> {
  if (!DEALER_CODE.test(input.code)) throw new BadInput('code', input.code, 'letters, digits, _ . - (up to 32), e.g. HF01');
  if (!input.name.trim()) throw new BadInput('name', input.name, 'a dealer name, e.g. 合肥代理店');
  refuseControlCharacters('name', input.name);
  refuseControlCharacters('province', input.province);
  refuseControlCharacters('city', input.city);
  const strategy = input.allocationStrategy ?? 'by_installment';
  if (!(ALLOCATION_STRATEGIES as readonly string[]).includes(strategy)) {
    throw new BadInput('allocationStrategy', strategy, ALLOCATION_STRATEGIES.join(' or '));
  }
  const same = await tx('dealers').whereRaw('upper(code) = upper(?)', [input.code]).first('code');
  if (same) {
    throw new Refused(
      same.code === input.code
        ? `dealer ${input.code} already exists`
        : `dealer ${input.code}: dealer ${same.code} already exists (dealer codes are the same whatever the case)`,
    );
  }
  const contact = contactColumns(input);
  const parent = await findDealer(tx, input.parent ?? GROUP_CODE);
  if (parent.kind === 'dealer') throw new BadInput('parent', input.parent, 'the group or a region, not a dealer');
  const [row] = await tx('dealers')
    .insert({
      code: input.code,
      name: input.name.trim(),
      kind: input.kind ?? 'dealer',
      parent_id: parent.id,
      allocation_strategy: strategy,
      province: input.province ?? null,
      city: input.city ?? null,
      ...contact,
    })
    .returning('id');
  await writeAudit(tx, actor, {
    action: 'create',
    entity: 'dealer',
    entityId: input.code,
    dealerId: row.id,
    details: { name: input.name, parent: parent.code, allocationStrategy: strategy },
  });
  return findDealer(tx, input.code);
}

export interface DealerChanges {
  name?: string | undefined;
  province?: string | undefined;
  city?: string | undefined;
  parent?: string | undefined;
  /** Turn a dealer into a region (true) or back (false); a node with dealers under it stays a region. */
  region?: boolean | undefined;
  allocationStrategy?: string | undefined;
  address?: string | undefined;
  phone?: string | undefined;
  bankName?: string | undefined;
  bankAccount?: string | undefined;
}

/** `zq dealer update`: rename a dealer, move it, change its details. Audited with the values before and after. */
export async function updateDealer(tx: Tx, actor: Actor, code: string, changes: DealerChanges): Promise<Dealer> {
  const before = await findDealer(tx, code);
  if (before.kind === 'group' && (changes.parent !== undefined || changes.region !== undefined)) {
    throw new BadInput('code', code, 'a dealer or region: the group has no parent and stays the group');
  }
  const row: Record<string, unknown> = contactColumns(changes);
  if (changes.name !== undefined) {
    if (!changes.name.trim()) throw new BadInput('name', changes.name, 'a dealer name, e.g. 合肥代理店');
    row.name = refuseControlCharacters('name', changes.name).trim();
  }
  if (changes.province !== undefined) row.province = refuseControlCharacters('province', changes.province).trim() || null;
  if (changes.city !== undefined) row.city = refuseControlCharacters('city', changes.city).trim() || null;
  if (changes.allocationStrategy !== undefined) {
    if (!(ALLOCATION_STRATEGIES as readonly string[]).includes(changes.allocationStrategy)) {
      throw new BadInput('allocationStrategy', changes.allocationStrategy, ALLOCATION_STRATEGIES.join(' or '));
    }
    row.allocation_strategy = changes.allocationStrategy;
  }
  if (changes.parent !== undefined) {
    const parent = await findDealer(tx, changes.parent);
    if (parent.kind === 'dealer') throw new BadInput('parent', changes.parent, 'the group or a region, not a dealer');
    if (await isBelow(tx, parent.id, before.id)) throw new BadInput('parent', changes.parent, `a node that is not ${code} or below it`);
    row.parent_id = parent.id;
  }
  if (changes.region !== undefined) {
    const kind = changes.region ? 'region' : 'dealer';
    if (kind === 'dealer' && (await tx('dealers').where({ parent_id: before.id }).first('id'))) {
      throw new Refused(`${code} has dealers under it: it stays a region (move them first)`);
    }
    if (kind === 'region' && (await tx('contracts').where({ dealer_id: before.id }).first('id'))) {
      throw new Refused(`${code} has contracts: it stays a dealer`);
    }
    row.kind = kind;
  }
  if (Object.keys(row).length === 0) {
    throw new BadInput(
      'changes',
      null,
      'at least one of --name, --province, --city, --parent, --region, --allocation-strategy, --address, --phone, --bank-name, --bank-account',
    );
  }
  await tx('dealers').where({ id: before.id }).update(row);
  const after = await findDealer(tx, code);
  const changed = (Object.keys(after) as (keyof Dealer)[]).filter((k) => after[k] !== before[k]);
  await writeAudit(tx, actor, {
    action: 'update',
    entity: 'dealer',
    entityId: code,
    dealerId: before.id,
    details: Object.fromEntries(changed.map((k) => [k, { from: before[k], to: after[k] }])),
  });
  return after;
}

/** Whether `id` is `ancestor` or lies below it in the tree (a move there would make a loop). */
async function isBelow(tx: Tx, id: number, ancestor: number): Promise<boolean> {
  for (let at: number | null = id; at !== null; ) {
    if (at === ancestor) return true;
    const row: { parent_id: number | null } | undefined = await tx('dealers').where({ id: at }).first('parent_id');
    at = row?.parent_id ?? null;
  }
  return false;
}

export interface User {
  id: number;
  username: string;
  name: string;
  dealer: string | null;
  reportsTo: string | null;
  roles: string[];
  active: boolean;
}

export interface NewUser {
  username: string;
  name: string;
  roles: string[];
  dealer?: string | undefined;
  reportsTo?: string | undefined;
  phone?: string | undefined;
}

function userQuery(knex: Knex) {
  return knex('users as u')
    .leftJoin('dealers as d', 'd.id', 'u.dealer_id')
    .leftJoin('users as m', 'm.id', 'u.reports_to')
    .select(
      'u.id',
      'u.username',
      'u.name',
      'd.code as dealer',
      'm.username as reportsTo',
      'u.active',
      knex.raw('coalesce((select array_agg(r.role order by r.role) from user_roles r where r.user_id = u.id), ?) as roles', ['{}']),
    );
}

export async function findUser(knex: Knex, username: string): Promise<User> {
  const user = await userQuery(knex).where('u.username', username).first();
  if (!user) throw new NotFound('user', username);
  return user as User;
}

/** The users in the actor's data scope. */
export async function listUsers(knex: Knex, actor: Actor, filter: { dealer?: string | undefined } = {}): Promise<User[]> {
  await requireKnownDealer(knex, actor, filter.dealer);
  const q = scopeUsers(userQuery(knex), actor, 'u').orderBy('u.username');
  if (filter.dealer) q.where('d.code', filter.dealer);
  return (await q) as User[];
}

export async function addUser(tx: Tx, actor: Actor, input: NewUser): Promise<User> {
  if (!USERNAME.test(input.username)) {
    throw new BadInput('username', input.username, 'lower-case letters, digits, . _ - (e.g. li.si)');
  }
  if (!input.name.trim()) throw new BadInput('name', input.name, 'the person’s name, e.g. 李四');
  refuseControlCharacters('name', input.name);
  if (input.roles.length === 0) throw new BadInput('role', '', 'at least one role');
  const known = await tx('roles').pluck('code');
  for (const role of input.roles) {
    if (!known.includes(role)) throw new BadInput('role', role, `one of ${known.join(', ')}`);
  }
  if (await tx('users').where({ username: input.username }).first('id')) {
    throw new Refused(`user ${input.username} already exists`);
  }
  const dealer = input.dealer ? await findDealer(tx, input.dealer) : null;
  if (dealer && dealer.kind === 'group') throw new BadInput('dealer', input.dealer, 'a dealer code; leave it out for group staff');
  const manager = input.reportsTo ? await findUser(tx, input.reportsTo) : null;
  const [row] = await tx('users')
    .insert({
      username: input.username,
      name: input.name.trim(),
      dealer_id: dealer?.id ?? null,
      reports_to: manager?.id ?? null,
      phone: input.phone ?? null,
    })
    .returning('id');
  await tx('user_roles').insert([...new Set(input.roles)].map((role) => ({ user_id: row.id, role })));
  await writeAudit(tx, actor, {
    action: 'create',
    entity: 'user',
    entityId: input.username,
    dealerId: dealer?.id ?? null,
    details: { name: input.name, roles: input.roles, dealer: dealer?.code ?? null, reportsTo: manager?.username ?? null },
  });
  return findUser(tx, input.username);
}

/** A user's name and phone as printed on documents (the collector on a collection notice); null when unknown. */
export async function userContact(
  knex: Knex,
  username: string | null,
): Promise<{ username: string; name: string; phone: string | null } | null> {
  if (!username) return null;
  const row = await knex('users').where({ username }).first('username', 'name', 'phone');
  return row ? { username: row.username, name: row.name, phone: row.phone ?? null } : null;
}
