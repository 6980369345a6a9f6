// Lock providers (锁机): how an approved lock or unlock instruction reaches the GPS platform. The setting is
// per dealer, falling back to the global row (dealer_id NULL), falling back to manual:
//  - manual: nothing leaves zq; a clerk locks on the platform and confirms (`zq machine lock confirm`);
//  - file-outbox: one JSON file per instruction in the outbox folder, written atomically (temp file, then
//    rename), for the platform's importer; its acknowledgement (`<id>.ack.json`) is read back by
//    `zq machine outbox read` (src/machines/lock.ts).
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import { writeAudit } from '../audit/index.js';
import { formatTimestamp } from '../core/dates.js';
import { BadInput } from '../core/errors.js';
import type { Tx } from '../db/index.js';

export const LOCK_PROVIDERS = ['manual', 'file-outbox'] as const;
export type LockProviderName = (typeof LOCK_PROVIDERS)[number];
export type LockAction = 'lock' | 'unlock';

export function parseProvider(value: string): LockProviderName {
  if (!(LOCK_PROVIDERS as readonly string[]).includes(value)) throw new BadInput('provider', value, `one of ${LOCK_PROVIDERS.join(', ')}`);
  return value as LockProviderName;
}

/** What a GPS platform needs to lock or unlock one machine: the instruction file's content (README). */
export interface LockInstruction {
  /** The instruction id: the lock or unlock document's number (one instruction per document). */
  id: string;
  action: LockAction;
  serialNo: string;
  gpsDeviceId: string | null;
  dealer: string;
  contractNo: string | null;
  documentNo: string;
  requestedAt: string;
}

export interface LockSetting {
  /** The dealer the setting is for, or null for the global default. */
  dealer: string | null;
  provider: LockProviderName;
  outboxDir: string | null;
  unlockOnSettlement: boolean;
  /** Whether a row of the table said so (false: the built-in default, manual). */
  configured: boolean;
}

export interface LockProvider {
  name: LockProviderName;
  /** Sends the instruction; runs inside the approving transaction. */
  send(instruction: LockInstruction, setting: LockSetting): Promise<void>;
}

const manualProvider: LockProvider = {
  name: 'manual',
  // a clerk carries it out on the platform and confirms it
  send: async () => {},
};

/** Writes `<dir>/<id>.json` through a temporary file in the same folder and a rename: an importer never reads half a file. */
export function writeInstructionFile(dir: string, instruction: LockInstruction): string {
  fs.mkdirSync(dir, { recursive: true });
  const target = path.join(dir, `${instruction.id}.json`);
  const temporary = path.join(dir, `.${instruction.id}.json.${process.pid}.tmp`);
  const fd = fs.openSync(temporary, 'w');
  try {
    fs.writeSync(fd, `${JSON.stringify(instruction, null, 2)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temporary, target);
  return target;
}

const fileOutboxProvider: LockProvider = {
  name: 'file-outbox',
  send: async (instruction, setting) => {
    if (!setting.outboxDir) throw new Error('invariant broken: a file-outbox setting without its folder');
    writeInstructionFile(setting.outboxDir, instruction);
  },
};

export function lockProvider(name: LockProviderName): LockProvider {
  return name === 'file-outbox' ? fileOutboxProvider : manualProvider;
}

const DEFAULT_SETTING: LockSetting = { dealer: null, provider: 'manual', outboxDir: null, unlockOnSettlement: false, configured: false };

function settingQuery(knex: Knex) {
  return knex('machine_lock_settings as s')
    .leftJoin('dealers as d', 'd.id', 's.dealer_id')
    .select(
      'd.code as dealer',
      's.provider',
      's.outbox_dir as outboxDir',
      's.unlock_on_settlement as unlockOnSettlement',
      's.dealer_id as dealerId',
    );
}

/** The setting that applies to a dealer: its own row, else the global one, else manual. */
export async function settingFor(knex: Knex, dealerId: number): Promise<LockSetting> {
  const rows = await settingQuery(knex).where((w) => w.where('s.dealer_id', dealerId).orWhereNull('s.dealer_id'));
  const row = rows.find((r) => r.dealerId !== null) ?? rows[0];
  if (!row) return DEFAULT_SETTING;
  return {
    dealer: row.dealer,
    provider: row.provider,
    outboxDir: row.outboxDir,
    unlockOnSettlement: row.unlockOnSettlement,
    configured: true,
  };
}

/** Every configured setting, global first. */
export async function listSettings(knex: Knex): Promise<LockSetting[]> {
  const rows = await settingQuery(knex).orderByRaw('d.code NULLS FIRST');
  return rows.map((r) => ({
    dealer: r.dealer,
    provider: r.provider,
    outboxDir: r.outboxDir,
    unlockOnSettlement: r.unlockOnSettlement,
    configured: true,
  }));
}

export interface SettingInput {
  provider: LockProviderName;
  dir?: string | undefined;
  /** The dealer's id, or null for the global default. */
  dealerId: number | null;
  dealer: string | null;
  unlockOnSettlement?: boolean | undefined;
}

/** Sets the provider (and its folder) for a dealer or globally; keeps unlock_on_settlement unless given. Audited. */
export async function setSetting(tx: Tx, actor: Actor, input: SettingInput): Promise<LockSetting> {
  if (input.provider === 'file-outbox' && !input.dir?.trim())
    throw new BadInput('dir', input.dir ?? null, 'the outbox folder of the file-outbox provider');
  if (input.provider === 'manual' && input.dir) throw new BadInput('dir', input.dir, 'no folder: the manual provider writes no file');
  const outboxDir = input.provider === 'file-outbox' ? path.resolve(input.dir as string) : null;
  const existing = await tx('machine_lock_settings')
    .whereRaw('coalesce(dealer_id, 0) = ?', [input.dealerId ?? 0])
    .forUpdate()
    .first('id', 'provider', 'outbox_dir as outboxDir', 'unlock_on_settlement as unlockOnSettlement');
  const unlockOnSettlement = input.unlockOnSettlement ?? existing?.unlockOnSettlement ?? false;
  const values = {
    provider: input.provider,
    outbox_dir: outboxDir,
    unlock_on_settlement: unlockOnSettlement,
    updated_by: actor.id,
    updated_at: tx.fn.now(),
  };
  if (existing) await tx('machine_lock_settings').where({ id: existing.id }).update(values);
  else await tx('machine_lock_settings').insert({ ...values, dealer_id: input.dealerId });
  await writeAudit(tx, actor, {
    action: 'machine.provider.set',
    entity: 'machine_lock_settings',
    entityId: input.dealer ?? 'global',
    dealerId: input.dealerId,
    details: {
      before: existing
        ? { provider: existing.provider, outboxDir: existing.outboxDir, unlockOnSettlement: existing.unlockOnSettlement }
        : null,
      after: { provider: input.provider, outboxDir, unlockOnSettlement },
      at: formatTimestamp(new Date()),
    },
  });
  return { dealer: input.dealer, provider: input.provider, outboxDir, unlockOnSettlement, configured: true };
}

/** An acknowledgement file's content, checked (README "outbox file formats"). */
export interface Acknowledgement {
  id: string;
  result: 'done' | 'failed';
  /** When the platform carried it out (or gave up): an ISO 8601 time with its zone. */
  at: string;
  location: string | null;
  message: string | null;
}

export type AckCheck = { ok: true; ack: Acknowledgement } | { ok: false; field: string; expected: string };

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;
/** A text field's upper bound: a location or message longer than this is not a platform's acknowledgement. */
export const ACK_TEXT_MAX = 500;

/** Checks an acknowledgement's text (pure): the first field that is wrong, and what was expected. */
export function checkAcknowledgement(text: string): AckCheck {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, field: '(file)', expected: 'a JSON object' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, field: '(file)', expected: 'a JSON object' };
  const v = value as Record<string, unknown>;
  if (typeof v.id !== 'string' || !/^[A-Z0-9-]{1,60}$/.test(v.id))
    return { ok: false, field: 'id', expected: 'the instruction id (e.g. MACHINE-LOCK-000001)' };
  if (v.result !== 'done' && v.result !== 'failed') return { ok: false, field: 'result', expected: 'done or failed' };
  if (typeof v.at !== 'string' || !ISO_TIME.test(v.at) || Number.isNaN(Date.parse(v.at)))
    return { ok: false, field: 'at', expected: 'an ISO 8601 time with its zone, e.g. 2026-03-10T09:30:00+08:00' };
  for (const field of ['location', 'message'] as const) {
    const f = v[field];
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
    if (f !== undefined && f !== null && (typeof f !== 'string' || f.length > ACK_TEXT_MAX || /[\u0000-\u001f\u007f]/.test(f)))
      return { ok: false, field, expected: `text of at most ${ACK_TEXT_MAX} characters without control characters, or absent` };
  }
  return {
    ok: true,
    ack: {
      id: v.id,
      result: v.result,
      at: v.at,
      location: typeof v.location === 'string' && v.location.trim() ? v.location.trim() : null,
      message: typeof v.message === 'string' && v.message.trim() ? v.message.trim() : null,
    },
  };
}
