// The contact log (催收记录): each call, visit, SMS or letter on a contract with its result, and for a promise to
// pay its amount and date. A contact is not a ledger document: it posts nothing, so closed periods and finance
// review locks do not concern it; it is audited. The nightly batch decides each promise once its date has
// passed (decidePromises): kept when the confirmed receipts with a value date from the contact date to the
// promise date reach the promised amount, else broken.
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import { writeAudit } from '../audit/index.js';
import { BUSINESS_TIME_ZONE, type BusinessDate, formatTimestamp, sqlTimestamp, today } from '../core/dates.js';
import { BadInput } from '../core/errors.js';
import { formatMoney, type Money } from '../core/money.js';
import { refuseControlCharacters } from '../core/text.js';
import type { Tx } from '../db/index.js';
import type { ContractRef } from '../ledger/contract-ref.js';

export const CONTACT_KINDS = ['call', 'visit', 'sms', 'letter'] as const;
export const CONTACT_RESULTS = ['promised', 'paid', 'refused', 'unreachable', 'disputed'] as const;
export type ContactKind = (typeof CONTACT_KINDS)[number];
export type ContactResult = (typeof CONTACT_RESULTS)[number];
/** A note longer than this is refused. */
export const NOTE_MAX = 2000;

export interface NewContact {
  kind: ContactKind;
  result: ContactResult;
  promiseAmount?: Money | undefined;
  promiseDate?: BusinessDate | undefined;
  note?: string | undefined;
  /** when the contact took place */
  contactedAt: Date;
}

export interface ContactRow {
  id: number;
  contractNo: string;
  dealer: string;
  author: string;
  contactedAt: string;
  contactDate: BusinessDate;
  kind: ContactKind;
  result: ContactResult;
  promiseAmount: string | null;
  promiseDate: BusinessDate | null;
  promiseStatus: 'open' | 'kept' | 'broken' | null;
  decidedOn: BusinessDate | null;
  received: string | null;
  note: string | null;
}

/** Checks a contact's promise: result promised needs an amount above zero and a date on or after the contact's. */
export function checkPromise(input: NewContact, contactDate: BusinessDate): void {
  if (input.result === 'promised') {
    if (!input.promiseAmount) throw new BadInput('promiseAmount', null, 'the promised amount (above zero) with result promised');
    if (!input.promiseDate) throw new BadInput('promiseDate', null, 'the date the customer promised to pay by, with result promised');
    if (input.promiseDate < contactDate)
      throw new BadInput('promiseDate', input.promiseDate, `a date on or after the contact's date ${contactDate}`);
    return;
  }
  if (input.promiseAmount !== undefined)
    throw new BadInput('promiseAmount', formatMoney(input.promiseAmount), 'no promise with a result other than promised');
  if (input.promiseDate !== undefined) throw new BadInput('promiseDate', input.promiseDate, 'no promise with a result other than promised');
}

const SELECT = (knex: Knex) => [
  'k.id',
  'c.contract_no as contractNo',
  'd.code as dealer',
  'u.username as author',
  knex.raw(`${sqlTimestamp('k.contacted_at')} AS "contactedAt"`),
  knex.raw(`k.contact_date::text AS "contactDate"`),
  'k.kind',
  'k.result',
  knex.raw(`k.promise_amount::text AS "promiseAmount"`),
  knex.raw(`k.promise_date::text AS "promiseDate"`),
  'k.promise_status as promiseStatus',
  knex.raw(`k.decided_on::text AS "decidedOn"`),
  knex.raw(`k.received::text AS "received"`),
  'k.note',
];

function contacts(knex: Knex) {
  return knex('collection_contacts as k')
    .join('contracts as c', 'c.id', 'k.contract_id')
    .join('dealers as d', 'd.id', 'k.dealer_id')
    .join('users as u', 'u.id', 'k.author_id');
}

/** Logs a contact on the contract (found in the actor's scope by the entry point), audited. */
export async function logContact(tx: Tx, actor: Actor, contract: ContractRef, input: NewContact): Promise<ContactRow> {
  const contactDate = today(BUSINESS_TIME_ZONE, input.contactedAt);
  checkPromise(input, contactDate);
  const note = input.note?.trim() || null;
  if (note !== null) {
    refuseControlCharacters('note', note);
    if (note.length > NOTE_MAX) throw new BadInput('note', `${note.slice(0, 20)}…`, `at most ${NOTE_MAX} characters`);
  }
  const [row] = await tx('collection_contacts')
    .insert({
      contract_id: contract.id,
      dealer_id: contract.dealerId,
      author_id: actor.id,
      contacted_at: input.contactedAt.toISOString(),
      contact_date: contactDate,
      kind: input.kind,
      result: input.result,
      promise_amount: input.promiseAmount ? formatMoney(input.promiseAmount) : null,
      promise_date: input.promiseDate ?? null,
      promise_status: input.result === 'promised' ? 'open' : null,
      note,
    })
    .returning('id');
  const id = Number((row as { id: number }).id);
  await writeAudit(tx, actor, {
    action: 'log',
    entity: 'collection_contact',
    entityId: id,
    dealerId: contract.dealerId,
    details: {
      contractNo: contract.contractNo,
      kind: input.kind,
      result: input.result,
      promiseAmount: input.promiseAmount ? formatMoney(input.promiseAmount) : null,
      promiseDate: input.promiseDate ?? null,
      contactedAt: formatTimestamp(input.contactedAt),
    },
  });
  return contacts(tx).where('k.id', id).first(SELECT(tx));
}

/** The contract's contact log, newest first. */
export async function contactHistory(knex: Knex, contract: ContractRef): Promise<ContactRow[]> {
  return contacts(knex)
    .where('k.contract_id', contract.id)
    .orderBy([
      { column: 'k.contacted_at', order: 'desc' },
      { column: 'k.id', order: 'desc' },
    ])
    .select(SELECT(knex));
}

/**
 * The batch's decision on promises for the date: first the decisions of this date and later ones are undone (a
 * re-run or a recomputation decides them again from today's knowledge), then every open promise whose date has
 * passed (promise_date < date) is kept or broken. Set-based: two statements whatever the number of promises.
 */
export async function decidePromises(tx: Tx, date: BusinessDate): Promise<{ kept: number; broken: number; undone: number }> {
  const undone = await tx('collection_contacts')
    .where('decided_on', '>=', date)
    .update({ promise_status: 'open', decided_on: null, received: null });
  const rows = (
    await tx.raw(
      `WITH decided AS (UPDATE collection_contacts k
        SET promise_status = CASE WHEN r.received >= k.promise_amount THEN 'kept' ELSE 'broken' END,
            decided_on = ?::date, received = r.received
       FROM (SELECT k2.id, coalesce((SELECT sum(doc.amount) FROM documents doc
                                      WHERE doc.contract_id = k2.contract_id AND doc.type = 'receipt' AND doc.status = 'confirmed'
                                        AND doc.value_date BETWEEN k2.contact_date AND k2.promise_date), 0) AS received
               FROM collection_contacts k2
              WHERE k2.promise_status = 'open' AND k2.promise_date < ?::date) r
      WHERE k.id = r.id
      RETURNING k.promise_status)
     SELECT count(*) FILTER (WHERE promise_status = 'kept')::integer AS kept,
            count(*) FILTER (WHERE promise_status = 'broken')::integer AS broken FROM decided`,
      [date, date],
    )
  ).rows as { kept: number; broken: number }[];
  return { kept: Number(rows[0]?.kept ?? 0), broken: Number(rows[0]?.broken ?? 0), undone: Number(undone) };
}
