// The archive (档案管理): files attached to a contract, a customer, a machine, a document or a contact log, under
// the owner's data scope (owners.ts). The bytes are content-addressed: stored once per SHA-256 in archive_blobs,
// however many attachments name them. The type is checked from the bytes (file-type.ts) and the size is limited;
// a refusal names the file, what was found and what is allowed, and writes nothing. Removing an attachment is a
// recorded act (who, when, why) and its bytes stay; a removed file is listed only on request and downloaded only
// by the roles in REMOVED_READERS.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import { hasRole, READERS_OF_SETTINGS } from '../access/role-sets.js';
import { writeAudit } from '../audit/index.js';
import { sqlTimestamp } from '../core/dates.js';
import { BadInput, NotAllowed, NotFound, Refused } from '../core/errors.js';
import { requireText } from '../core/input.js';
import { refuseControlCharacters } from '../core/text.js';
import type { Tx } from '../db/index.js';
import { ALLOWED_TYPES_TEXT, detectFileType } from './file-type.js';
import { type Owner, type OwnerKey, type OwnerKind, ownerById, resolveOwner } from './owners.js';

export { OWNER_KINDS, type Owner, type OwnerKey, type OwnerKind } from './owners.js';

/** The largest file the archive takes: 20 MiB. */
export const ARCHIVE_MAX_BYTES = 20 * 1024 * 1024;
/** The most attachments one list returns. */
export const ARCHIVE_LIST_MAX = 1000;
/** The longest file name kept. */
const FILE_NAME_MAX = 255;

export const ATTACHMENT_KINDS = ['contract_scan', 'id_copy', 'photo', 'towing_receipt', 'contact_record', 'other'] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];

/** Who may still download a removed attachment (to see what was removed and why). */
export const REMOVED_READERS = READERS_OF_SETTINGS;

/** A file to attach: its name as the user gave it and its bytes. */
export interface FileContent {
  fileName: string;
  bytes: Uint8Array;
}

export interface AttachmentView {
  id: number;
  ownerKind: OwnerKind;
  ownerId: number;
  /** The contract number, the customer's name, the machine's serial or the document's number. */
  owner: string;
  dealer: string;
  contractNo: string | null;
  fileName: string;
  kind: string;
  mime: string;
  size: number;
  sha256: string;
  addedBy: string;
  addedAt: string;
  removed: boolean;
  removedBy: string | null;
  removedAt: string | null;
  removalReason: string | null;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The name kept for a file: its last path part (a browser may send C:\fakepath\x.pdf), without control characters. */
export function cleanFileName(given: string, field = 'FILE'): string {
  const name = path.win32.basename(path.posix.basename(String(given ?? ''))).trim();
  if (!name || name === '.' || name === '..') throw new BadInput(field, given, 'a file name, e.g. 合同扫描.pdf');
  refuseControlCharacters(field, name);
  if (name.length > FILE_NAME_MAX) throw new BadInput(field, name, `a file name of at most ${FILE_NAME_MAX} characters`);
  return name;
}

export function parseAttachmentKind(kind: string | undefined, field = 'kind'): AttachmentKind {
  const value = (kind ?? 'other').trim();
  if (!(ATTACHMENT_KINDS as readonly string[]).includes(value)) throw new BadInput(field, kind, ATTACHMENT_KINDS.join(', '));
  return value as AttachmentKind;
}

/** The size limit, as a refusal names it. */
export function sizeRefusal(fileName: string, size: number, field = 'FILE'): BadInput {
  return new BadInput(
    field,
    fileName,
    `a file of at most ${ARCHIVE_MAX_BYTES.toLocaleString('en-US')} bytes (20 MB): it has ${size.toLocaleString('en-US')} bytes`,
  );
}

/** A file's name and bytes, read once; its JSON (the audit row's input) is its name and size, not its bytes. */
export class InputFile implements FileContent {
  constructor(
    readonly fileName: string,
    readonly bytes: Uint8Array,
  ) {}
  toJSON() {
    return { fileName: this.fileName, size: this.bytes.byteLength };
  }
}

/** A file named by path (the CLI): a regular file, not larger than the limit (checked before it is read). */
export function readInputFile(file: string, field = 'FILE'): InputFile {
  const name = cleanFileName(file, field);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new BadInput(field, file, 'an existing file');
  }
  if (!stat.isFile()) throw new BadInput(field, file, 'a file (not a folder)');
  if (stat.size > ARCHIVE_MAX_BYTES) throw sizeRefusal(name, stat.size, field);
  return new InputFile(name, fs.readFileSync(file));
}

/** The type and size checks a file passes before anything is written; returns its MIME type. */
export async function checkFile(content: FileContent, field = 'FILE'): Promise<string> {
  if (content.bytes.byteLength > ARCHIVE_MAX_BYTES) throw sizeRefusal(content.fileName, content.bytes.byteLength, field);
  const detected = await detectFileType(content.bytes);
  if (!detected.ok) throw new BadInput(field, content.fileName, `a ${ALLOWED_TYPES_TEXT} file (found ${detected.found})`);
  return detected.mime;
}

function attachmentQuery(knex: Knex) {
  return knex('attachments as a')
    .join('dealers as ad', 'ad.id', 'a.dealer_id')
    .join('users as au', 'au.id', 'a.added_by')
    .leftJoin('users as ru', 'ru.id', 'a.removed_by')
    .leftJoin('contracts as ac', 'ac.id', 'a.contract_id')
    .leftJoin('contracts as oc', (j) => j.on('oc.id', 'a.owner_id').andOnVal('a.owner_kind', 'contract'))
    .leftJoin('customers as ocu', (j) => j.on('ocu.id', 'a.owner_id').andOnVal('a.owner_kind', 'customer'))
    .leftJoin('machines as om', (j) => j.on('om.id', 'a.owner_id').andOnVal('a.owner_kind', 'machine'))
    .leftJoin('documents as od', (j) => j.on('od.id', 'a.owner_id').andOnVal('a.owner_kind', 'document'))
    .select(
      'a.id',
      'a.owner_kind as ownerKind',
      'a.owner_id as ownerId',
      knex.raw(`coalesce(oc.contract_no, ocu.name, om.serial_no, od.number, a.owner_kind || ' ' || a.owner_id) as owner`),
      'ad.code as dealer',
      'ac.contract_no as contractNo',
      'a.file_name as fileName',
      'a.kind',
      'a.mime',
      knex.raw('a.size::int as size'),
      'a.sha256',
      'au.username as addedBy',
      knex.raw(`${sqlTimestamp('a.added_at')} as "addedAt"`),
      knex.raw('a.removed_at IS NOT NULL as removed'),
      'ru.username as removedBy',
      knex.raw(`CASE WHEN a.removed_at IS NULL THEN NULL ELSE ${sqlTimestamp('a.removed_at')} END as "removedAt"`),
      'a.removal_reason as removalReason',
    );
}

async function viewOf(knex: Knex, id: number): Promise<AttachmentView> {
  const row = await attachmentQuery(knex).where('a.id', id).first();
  if (!row) throw new NotFound('attachment', id);
  return row as AttachmentView;
}

export interface Attached extends AttachmentView {
  /** Whether the bytes were new to the archive or already stored (by this or another attachment). */
  blob: 'new' | 'existing';
}

/**
 * Attaches a file to an owner in the actor's scope (for other modules too: the contact log attaches with owner
 * { kind: 'contact_log', id }). The type and the size are checked first; the bytes are stored once per SHA-256.
 */
export async function attachFile(tx: Tx, actor: Actor, owner: OwnerKey | Owner, content: FileContent, kind?: string): Promise<Attached> {
  const fileName = cleanFileName(content.fileName);
  const attachmentKind = parseAttachmentKind(kind);
  const mime = await checkFile({ fileName, bytes: content.bytes });
  const found = 'label' in owner ? owner : await resolveOwner(tx, actor, owner);
  const sha256 = sha256Hex(content.bytes);
  const size = content.bytes.byteLength;
  const inserted = await tx('archive_blobs')
    .insert({ sha256, bytes: Buffer.from(content.bytes.buffer, content.bytes.byteOffset, size), size, mime })
    .onConflict('sha256')
    .ignore()
    .returning('sha256');
  const [row] = await tx('attachments')
    .insert({
      owner_kind: found.kind,
      owner_id: found.id,
      dealer_id: found.dealerId,
      contract_id: found.contractId,
      sha256,
      file_name: fileName,
      kind: attachmentKind,
      mime,
      size,
      added_by: actor.id,
    })
    .returning('id');
  await writeAudit(tx, actor, {
    action: 'attach',
    entity: 'attachment',
    entityId: row.id,
    dealerId: found.dealerId,
    documentId: found.kind === 'document' ? found.id : null,
    details: { owner: found.kind, ownerId: found.id, label: found.label, fileName, kind: attachmentKind, mime, size, sha256 },
  });
  return { ...(await viewOf(tx, row.id)), blob: inserted.length > 0 ? 'new' : 'existing' };
}

export interface ListOptions {
  /** Include removed attachments. */
  all?: boolean;
  /** For a contract: also its customer's, its machines', its documents' and its contact logs' attachments. */
  related?: boolean;
}

/** The attachments of an owner in the actor's scope, oldest first. */
export async function listAttachments(knex: Knex, actor: Actor, key: OwnerKey, options: ListOptions = {}): Promise<AttachmentView[]> {
  const owner = await resolveOwner(knex, actor, key);
  const q = attachmentQuery(knex).orderBy('a.id').limit(ARCHIVE_LIST_MAX);
  if (options.related && owner.kind === 'contract') {
    const contract = await knex('contracts').where({ id: owner.id }).first('customer_id');
    q.where((w) =>
      w
        .where((o) => o.where('a.owner_kind', 'contract').where('a.owner_id', owner.id))
        .orWhere((o) => o.where('a.owner_kind', 'customer').where('a.owner_id', contract.customer_id))
        .orWhere((o) =>
          o
            .where('a.owner_kind', 'machine')
            .whereIn('a.owner_id', knex('contract_machines').where('contract_id', owner.id).select('machine_id')),
        )
        .orWhere((o) => o.whereIn('a.owner_kind', ['document', 'contact_log']).where('a.contract_id', owner.id)),
    );
  } else {
    q.where('a.owner_kind', owner.kind).where('a.owner_id', owner.id);
  }
  if (!options.all) q.whereNull('a.removed_at');
  return (await q) as AttachmentView[];
}

/** An attachment whose owner is in the actor's scope; otherwise not found, as a missing one. */
export async function findAttachment(knex: Knex, actor: Actor, id: number): Promise<{ view: AttachmentView; owner: Owner }> {
  const row = await knex('attachments').where({ id }).first('owner_kind', 'owner_id');
  if (!row) throw new NotFound('attachment', id);
  let owner: Owner;
  try {
    owner = await ownerById(knex, actor, row.owner_kind, row.owner_id);
  } catch (err) {
    if (err instanceof NotFound) throw new NotFound('attachment', id);
    throw err;
  }
  return { view: await viewOf(knex, id), owner };
}

/** The bytes of an attachment in the actor's scope, checked against their SHA-256. */
export async function readAttachment(knex: Knex, actor: Actor, id: number): Promise<{ view: AttachmentView; bytes: Uint8Array }> {
  const { view } = await findAttachment(knex, actor, id);
  if (view.removed && !hasRole(actor.roles, REMOVED_READERS)) {
    throw new NotAllowed(
      `attachment ${id} was removed by ${view.removedBy} on ${view.removedAt} (${view.removalReason}): only ${REMOVED_READERS.join(', ')} may download a removed file`,
    );
  }
  const blob = await knex('archive_blobs').where({ sha256: view.sha256 }).first('bytes');
  const bytes = blob?.bytes instanceof Uint8Array ? (blob.bytes as Uint8Array) : null;
  if (!bytes || sha256Hex(bytes) !== view.sha256 || bytes.byteLength !== view.size) {
    throw new Error(`invariant broken: the stored bytes of attachment ${id} do not match its SHA-256 ${view.sha256}`);
  }
  // pg gives a Buffer, PGlite a Uint8Array: the same type either way
  return { view, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

/** Marks an attachment removed, with the actor and the reason; the bytes stay. */
export async function removeAttachment(tx: Tx, actor: Actor, id: number, reason: string): Promise<AttachmentView> {
  const why = requireText(reason, 'reason', 'why the file is removed');
  const { view, owner } = await findAttachment(tx, actor, id);
  if (view.removed)
    throw new Refused(`attachment ${id} was already removed by ${view.removedBy} on ${view.removedAt}: ${view.removalReason}`);
  await tx('attachments')
    .where({ id })
    .whereNull('removed_at')
    .update({ removed_at: tx.fn.now(), removed_by: actor.id, removal_reason: why });
  await writeAudit(tx, actor, {
    action: 'remove',
    entity: 'attachment',
    entityId: id,
    dealerId: owner.dealerId,
    documentId: owner.kind === 'document' ? owner.id : null,
    details: { owner: owner.kind, ownerId: owner.id, label: owner.label, fileName: view.fileName, sha256: view.sha256, reason: why },
  });
  return viewOf(tx, id);
}
