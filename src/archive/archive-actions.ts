// The archive's actions: `archive.add` (staff who register things: a collector on the contracts of their scope),
// `archive.list` and `archive.get` (anybody who can see the owner), `archive.remove` (finance, admin: a recorded
// act with a reason). The owner is found in the actor's scope (owners.ts): out of scope is "not found" and
// nothing is written. A file given by path is checked — it exists, its size — before it is read.
import { defineAction } from '../access/action.js';
import { EVERYONE, FINANCE, REGISTRARS } from '../access/role-sets.js';
import { BadInput } from '../core/errors.js';
import { parseId } from '../core/input.js';
import {
  ARCHIVE_MAX_BYTES,
  type Attached,
  type AttachmentView,
  attachFile,
  cleanFileName,
  InputFile,
  listAttachments,
  type OwnerKey,
  parseAttachmentKind,
  readAttachment,
  readInputFile,
  removeAttachment,
  sizeRefusal,
} from './index.js';
import { checkOutFile, writeOutFile } from './output.js';

/** An owner as flags or form fields name it: exactly one of contract, customer, machine, document. */
export interface OwnerRaw {
  contract?: string | undefined;
  dealer?: string | undefined;
  customer?: string | undefined;
  machine?: string | undefined;
  document?: string | undefined;
  /** The customer of this contract (the web's contract page). */
  customerOf?: string | undefined;
}

const OWNER_FLAGS = ['contract', 'customer', 'machine', 'document', 'customerOf'] as const;

export function parseOwner(raw: OwnerRaw): OwnerKey {
  const given = OWNER_FLAGS.filter((k) => raw[k] !== undefined && raw[k] !== '');
  if (given.length !== 1) {
    throw new BadInput(given[1] ?? 'contract', null, 'exactly one of --contract NO, --customer ID, --machine SERIAL, --document ID');
  }
  const dealer = raw.dealer?.trim() || undefined;
  switch (given[0]) {
    case 'customer':
      return { kind: 'customer', id: parseId(raw.customer, 'customer', "a customer's id") };
    case 'customerOf':
      return { kind: 'customer', ofContract: String(raw.customerOf).trim(), dealer };
    case 'machine':
      return { kind: 'machine', serialNo: String(raw.machine).trim(), dealer };
    case 'document':
      return { kind: 'document', id: parseId(raw.document, 'document', "a document's id") };
    default:
      return { kind: 'contract', contractNo: String(raw.contract).trim(), dealer };
  }
}

/** The file in an action's input: its name and size in the audit row, never its bytes. */
export interface ArchiveAddRaw extends OwnerRaw {
  /** A file by path (the CLI)… */
  file?: string | undefined;
  /** …or its name and bytes (a web upload). */
  upload?: { fileName: string; bytes: Uint8Array } | undefined;
  kind?: string | undefined;
}

export const archiveAdd = defineAction({
  name: 'archive.add',
  summary: 'attach a file (PDF, JPEG, PNG, XLSX; at most 20 MB) to a contract, customer, machine or document',
  roles: REGISTRARS,
  mutates: true,
  parse: (raw: ArchiveAddRaw) => {
    const owner = parseOwner(raw);
    const kind = parseAttachmentKind(raw.kind);
    if ((raw.file === undefined) === (raw.upload === undefined)) throw new BadInput('FILE', null, 'one file to attach');
    let content: InputFile;
    if (raw.upload) {
      const name = cleanFileName(raw.upload.fileName);
      if (raw.upload.bytes.byteLength > ARCHIVE_MAX_BYTES) throw sizeRefusal(name, raw.upload.bytes.byteLength);
      content = new InputFile(name, raw.upload.bytes);
    } else content = readInputFile(raw.file as string);
    return { owner, kind, content };
  },
  run: (tx, actor, input): Promise<Attached> => attachFile(tx, actor, input.owner, input.content, input.kind),
});

export interface ArchiveListRaw extends OwnerRaw {
  all?: boolean | undefined;
  related?: boolean | undefined;
}

export const archiveList = defineAction({
  name: 'archive.list',
  summary: 'the files attached to a contract (with --related: its customer’s, machines’, documents’ too), customer, machine or document',
  roles: EVERYONE,
  mutates: false,
  // plain SELECTs: no transaction (src/access/action.ts)
  transaction: 'none',
  parse: (raw: ArchiveListRaw) => ({ owner: parseOwner(raw), all: raw.all === true, related: raw.related === true }),
  run: (tx, actor, input): Promise<AttachmentView[]> => listAttachments(tx, actor, input.owner, { all: input.all, related: input.related }),
});

export interface ArchiveGetRaw {
  id: string | number;
  /** The file to write (the CLI); without it the bytes are returned (the web's download). */
  out?: string | undefined;
  force?: boolean | undefined;
}

export interface ArchiveGot {
  attachment: AttachmentView;
  /** The file written, when `out` was given. */
  file: string | null;
  /** The bytes, when no `out` was given. */
  bytes: Uint8Array | null;
}

export const archiveGet = defineAction({
  name: 'archive.get',
  summary: 'download an attached file (verified against its SHA-256); a removed one only for admin, finance and auditors',
  roles: EVERYONE,
  mutates: false,
  parse: (raw: ArchiveGetRaw) => {
    const force = raw.force === true;
    return { id: parseId(raw.id, 'id', 'an attachment id'), out: raw.out === undefined ? undefined : checkOutFile(raw.out, force), force };
  },
  run: async (tx, actor, input): Promise<ArchiveGot> => {
    const { view, bytes } = await readAttachment(tx, actor, input.id);
    if (input.out === undefined) return { attachment: view, file: null, bytes };
    return { attachment: view, file: writeOutFile(input.out, bytes, view.sha256, input.force), bytes: null };
  },
});

export const archiveRemove = defineAction({
  name: 'archive.remove',
  summary: 'remove an attached file: recorded with the actor and the reason; the bytes stay',
  roles: FINANCE,
  mutates: true,
  parse: (raw: { id: string | number; reason?: string | undefined }) => ({
    id: parseId(raw.id, 'id', 'an attachment id'),
    reason: raw.reason ?? '',
  }),
  run: (tx, actor, input): Promise<AttachmentView> => removeAttachment(tx, actor, input.id, input.reason),
});

export const archiveActions = [archiveAdd, archiveList, archiveGet, archiveRemove];
