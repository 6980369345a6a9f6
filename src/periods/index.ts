// Period close (结账): a closed month accepts no posting whose value date falls inside it (checked here and by
// the database, migrations/009_periods.ts). `zq period close YYYY-MM` refuses, with every reason, while
//   1. the nightly batch has not run through the month's last day — precisely: batch_runs has no row with
//      step 'reconcile' (the batch's last step) and status 'done' whose business_date is on or after the
//      month's last day (the batch runs dates in order, so that row means every earlier date ran too);
//   2. reconciliation has discrepancies — a 'reconcile' row dated in the month with discrepancies > 0 — or a
//      batch step dated in the month failed;
//   3. documents dated (value date) in the month are unconfirmed: draft, registered or submitted.
// Reopening is admin-only, needs a reason and is itself a document ('period_reopen') that goes through the
// approval engine: with no approval rule for it, the month reopens at once.
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import { isAdmin } from '../access/permissions.js';
import type { DocumentTypeDefinition } from '../approvals/registry.js';
import { writeAudit } from '../audit/index.js';
import { type BusinessDate, monthEnd, sqlTimestamp } from '../core/dates.js';
import { BadInput, NotAllowed, Refused } from '../core/errors.js';
import type { Tx } from '../db/index.js';
import { GROUP_CODE } from '../db/seed.js';
import { createDocument, type DocumentRow, UNCONFIRMED_STATUSES } from '../documents/index.js';

export const RECONCILE_STEP = 'reconcile';
export const PERIOD_REOPEN = 'period_reopen';
/** How many unconfirmed documents a refusal names (it counts them all). */
const REASON_DOCUMENTS_SHOWN = 10;

export interface Month {
  month: string;
  firstDay: BusinessDate;
  lastDay: BusinessDate;
}

export function parseMonth(text: string, field = 'YYYY-MM'): Month {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(String(text).trim());
  if (!m) throw new BadInput(field, text, 'a month YYYY-MM, e.g. 2026-03');
  const firstDay = `${m[1]}-${m[2]}-01`;
  return { month: `${m[1]}-${m[2]}`, firstDay, lastDay: monthEnd(firstDay) };
}

export interface Period {
  month: string;
  status: 'open' | 'closed';
  closedBy: string | null;
  closedAt: string | null;
  reopenedBy: string | null;
  reopenedAt: string | null;
  reopenReason: string | null;
}

const TIME = sqlTimestamp;

export async function listPeriods(knex: Knex): Promise<Period[]> {
  return (await knex('periods as p')
    .leftJoin('users as c', 'c.id', 'p.closed_by')
    .leftJoin('users as r', 'r.id', 'p.reopened_by')
    .orderBy('p.month')
    .select(
      'p.month',
      'p.status',
      'c.username as closedBy',
      knex.raw(`${TIME('p.closed_at')} as "closedAt"`),
      'r.username as reopenedBy',
      knex.raw(`${TIME('p.reopened_at')} as "reopenedAt"`),
      'p.reopen_reason as reopenReason',
    )) as Period[];
}

/** Refuses a posting or document dated inside a closed month (the core's check; the database checks too). */
export async function assertPeriodOpen(knex: Knex, valueDate: BusinessDate): Promise<void> {
  const closed = await knex('periods')
    .where({ status: 'closed' })
    .where('first_day', '<=', valueDate)
    .where('last_day', '>=', valueDate)
    .first('month');
  if (closed)
    throw new Refused(`period ${closed.month} is closed: nothing dated ${valueDate} is accepted; an admin may reopen it`).suggest({
      action: 'period.reopen',
      input: { month: closed.month },
    });
}

/**
 * The latest closed month that ends on or after a date, or null: a setting that changes figures from that date on
 * (a penalty rate, a grace period) would change that month's.
 */
export async function closedPeriodFrom(knex: Knex, from: BusinessDate): Promise<{ month: string; lastDay: BusinessDate } | null> {
  const row = await knex('periods')
    .where({ status: 'closed' })
    .where('last_day', '>=', from)
    .orderBy('last_day', 'desc')
    .first('month', 'last_day as lastDay');
  return row ?? null;
}

/** Every reason the month cannot be closed now; empty when it can. */
export async function closeBlockers(knex: Knex, period: Month): Promise<string[]> {
  const reasons: string[] = [];
  const ran = await knex('batch_runs')
    .where({ step: RECONCILE_STEP, status: 'done' })
    .max<{ through: string | null }>('business_date as through')
    .first();
  const through = ran?.through ?? null;
  if (through === null || through < period.lastDay) {
    reasons.push(
      `the nightly batch has run only ${through === null ? 'on no date yet' : `through ${through}`}: it must run through ${period.lastDay} first`,
    );
  }
  const discrepancies = await knex('batch_runs')
    .where({ step: RECONCILE_STEP })
    .whereBetween('business_date', [period.firstDay, period.lastDay])
    .where('discrepancies', '>', 0)
    .orderBy('business_date')
    .select('business_date as date', 'discrepancies');
  for (const d of discrepancies) reasons.push(`reconciliation found ${d.discrepancies} discrepancies on ${d.date}`);
  const failed = await knex('batch_runs')
    .where({ status: 'failed' })
    .whereBetween('business_date', [period.firstDay, period.lastDay])
    .orderBy(['business_date', 'step'])
    .select('business_date as date', 'step');
  for (const f of failed) reasons.push(`batch step ${f.step} failed on ${f.date}`);
  const unconfirmed = await knex('documents')
    .whereBetween('value_date', [period.firstDay, period.lastDay])
    .whereIn('status', UNCONFIRMED_STATUSES)
    .orderBy('id')
    .select('id', 'type', 'number', 'status');
  if (unconfirmed.length > 0) {
    const shown = unconfirmed.slice(0, REASON_DOCUMENTS_SHOWN).map((d) => `${d.id} ${d.type} ${d.number} (${d.status})`);
    reasons.push(
      `${unconfirmed.length} document(s) dated in ${period.month} are not confirmed: ${shown.join(', ')}${unconfirmed.length > shown.length ? ', …' : ''}`,
    );
  }
  return reasons;
}

export async function closePeriod(tx: Tx, actor: Actor, monthText: string): Promise<Period> {
  const period = parseMonth(monthText);
  const existing = await tx('periods').where({ month: period.month }).forUpdate().first('status');
  if (existing?.status === 'closed') throw new Refused(`period ${period.month} is already closed`);
  const reasons = await closeBlockers(tx, period);
  if (reasons.length > 0) throw new Refused(`period ${period.month} cannot be closed:\n  - ${reasons.join('\n  - ')}`, reasons);
  await tx('periods')
    .insert({
      month: period.month,
      first_day: period.firstDay,
      last_day: period.lastDay,
      status: 'closed',
      closed_by: actor.id,
      closed_at: tx.fn.now(),
    })
    .onConflict('month')
    .merge(['status', 'closed_by', 'closed_at']);
  await writeAudit(tx, actor, {
    action: 'close',
    entity: 'period',
    entityId: period.month,
    details: { firstDay: period.firstDay, lastDay: period.lastDay },
  });
  return (await listPeriods(tx)).find((p) => p.month === period.month) as Period;
}

export interface ReopenResult {
  month: string;
  documentId: number;
  /** 'open': reopened; 'pending': waiting for the approval steps listed by `zq approval show ID`. */
  status: 'open' | 'pending';
}

export async function reopenPeriod(tx: Tx, actor: Actor, monthText: string, reason: string | undefined): Promise<ReopenResult> {
  const period = parseMonth(monthText);
  if (!isAdmin(actor)) throw new NotAllowed(`only an admin may reopen a period (${actor.username} is ${actor.roles.join(', ')})`);
  if (!reason?.trim()) throw new BadInput('reason', reason ?? null, 'why the month is reopened');
  const row = await tx('periods').where({ month: period.month }).forUpdate().first('status');
  if (row?.status !== 'closed') throw new Refused(`period ${period.month} is not closed`);
  const pending = await tx('approval_requests as r')
    .join('documents as doc', 'doc.id', 'r.document_id')
    .where({ 'r.status': 'pending', 'doc.type': PERIOD_REOPEN })
    .whereRaw(`doc.data->>'month' = ?`, [period.month])
    .first('doc.id');
  if (pending) throw new Refused(`a reopening of ${period.month} is already waiting for approval (document ${pending.id})`);
  const group = await tx('dealers').where({ code: GROUP_CODE }).first('id');
  const document = await createDocument(tx, actor, {
    type: PERIOD_REOPEN,
    status: 'submitted',
    dealerId: group.id,
    data: { month: period.month, reason: reason.trim() },
  });
  const { submitForApproval } = await import('../approvals/engine.js');
  const submitted = await submitForApproval(tx, actor, document.id);
  return { month: period.month, documentId: document.id, status: submitted.status === 'approved' ? 'open' : 'pending' };
}

async function reopenApproved(tx: Tx, actor: Actor, document: DocumentRow): Promise<void> {
  const month = String(document.data.month);
  const reason = String(document.data.reason);
  const updated = await tx('periods')
    .where({ month, status: 'closed' })
    .update({ status: 'open', reopened_by: document.authorId, reopened_at: tx.fn.now(), reopen_reason: reason });
  if (updated !== 1) throw new Refused(`period ${month} is not closed any more`);
  await writeAudit(tx, actor, {
    action: 'reopen',
    entity: 'period',
    entityId: month,
    documentId: document.id,
    details: { reason, requestedBy: document.author },
  });
}

export const periodReopenDocument: DocumentTypeDefinition = {
  type: PERIOD_REOPEN,
  label: '结账重开 period reopen',
  fields: { month: 'text' },
  onApproved: reopenApproved,
  // A rejected reopening leaves the month closed: nothing to undo (the rejection is in the approval history).
  onRejected: async () => {},
};
