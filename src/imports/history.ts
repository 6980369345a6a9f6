// Past imports for `zq import list` and `zq import show`.
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import { scopeImports } from '../access/scope.js';
import { sqlTimestamp } from '../core/dates.js';
import { NotFound } from '../core/errors.js';

export interface ImportListRow {
  id: number;
  startedAt: string;
  file: string;
  kind: string;
  dealer: string | null;
  asOf: string | null;
  status: string;
  rowsRead: number;
  rowsImported: number;
  rowsRejected: number;
  actor: string | null;
}

const LIST_LIMIT_MAX = 1000;

function base(knex: Knex) {
  return knex('imports as i')
    .leftJoin('dealers as d', 'd.id', 'i.dealer_id')
    .leftJoin('users as u', 'u.id', 'i.actor_id')
    .select(
      'i.id',
      knex.raw(`${sqlTimestamp('i.started_at')} as "startedAt"`),
      'i.file_name as file',
      'i.kind',
      'd.code as dealer',
      'i.as_of as asOf',
      'i.status',
      'i.rows_read as rowsRead',
      'i.rows_imported as rowsImported',
      'i.rows_rejected as rowsRejected',
      'u.username as actor',
    );
}

export async function listImports(knex: Knex, actor: Actor, limit: number): Promise<ImportListRow[]> {
  return (await scopeImports(base(knex), actor)
    .orderBy('i.id', 'desc')
    .limit(Math.min(Math.max(limit, 1), LIST_LIMIT_MAX))) as ImportListRow[];
}

/** One import, within the actor's scope: out of scope is "not found" (exit 3). */
export async function showImport(knex: Knex, actor: Actor, id: number) {
  const row = await scopeImports(base(knex), actor).select('i.file_hash as hash', 'i.counts').where('i.id', id).first();
  if (!row) throw new NotFound('import', id);
  const errors = await knex('import_errors')
    .where({ import_id: id })
    .orderBy('id')
    .select('file', 'sheet', 'row_number as rowNumber', 'column_name as column', 'value', 'reason');
  const changes = await storedChanges(knex, id);
  return { ...(row as ImportListRow & { hash: string; counts: Record<string, unknown> }), errors, changes };
}

/** What an import changed, as stored (the first `limit` when given), in the order it was written. */
export async function storedChanges(knex: Knex, importId: number, limit?: number) {
  const query = knex('import_changes').where({ import_id: importId }).orderBy('id');
  if (limit !== undefined) query.limit(limit);
  return (await query.select('entity', 'entity_key', 'field', 'old_value', 'new_value', 'outcome', 'reason')).map((c) => ({
    entity: c.entity as string,
    key: c.entity_key as string,
    field: c.field as string,
    old: c.old_value as string | null,
    new: c.new_value as string | null,
    outcome: c.outcome as string,
    reason: c.reason as string | null,
  }));
}
