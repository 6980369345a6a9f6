// The backup file (format 1): one file, readable by any zq that knows its format, the same for both databases.
//
//   bytes 0 … 65535   the header: `zq-backup 1 sha256:<SHA-256 of line 2>`, then one line of JSON (format, kind,
//                     the schema's last migration, when it was taken and how long it took, the SHA-256 and length of
//                     the content, the tables and the figures verify compares), then spaces up to a final newline
//   bytes 65536 …     the content: gzip of JSON lines — per table in dependency order a line naming it and its
//                     columns, then one line per row (every value as PostgreSQL's text for it, or null: NUMERIC
//                     keeps its digits, timestamps their microseconds), then the sequences' values, then an end line;
//                     or, taken with --pg-dump on PostgreSQL, `pg_dump --format=custom` of the snapshot the
//                     figures were read in
//
// The header is written last, into the block kept for it, and the file renamed to its name only then: a backup
// killed half-way is a `.partial` file whose header is zeros.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { BadInput } from '../core/errors.js';
import type { DbKind } from '../db/index.js';
import type { Figures } from './figures.js';

export const FORMAT_VERSION = 1;
export const HEADER_BYTES = 65536;
const MAGIC = 'zq-backup';

export interface TableEntry {
  name: string;
  columns: string[];
  rows: number;
}

export interface BackupHeader {
  format: number;
  /** `zq`: the rows as described above; `pg_dump`: pg_dump's custom format (PostgreSQL, restored by pg_restore). */
  content: 'zq' | 'pg_dump';
  /** The database it was taken from. */
  kind: DbKind;
  /** The schema's last migration when it was taken; `migrations` all of them. */
  lastMigration: string;
  migrations: string[];
  takenAt: string;
  seconds: number;
  /** SHA-256 and length of the content (everything after the header block). */
  sha256: string;
  bytes: number;
  tables: TableEntry[];
  sequences: number;
  figures: Figures;
}

export function encodeHeader(header: BackupHeader): Buffer {
  const json = JSON.stringify(header);
  const first = `${MAGIC} ${FORMAT_VERSION} sha256:${createHash('sha256').update(json).digest('hex')}\n${json}\n`;
  const size = Buffer.byteLength(first);
  if (size >= HEADER_BYTES) throw new Error(`invariant broken: backup header of ${size} bytes`);
  return Buffer.concat([Buffer.from(first), Buffer.alloc(HEADER_BYTES - size - 1, ' '), Buffer.from('\n')]);
}

const EXPECTED = 'a complete zq backup file';

function refuse(file: string, why: string): BadInput {
  return new BadInput('FILE', file, `${EXPECTED} (${why}; nothing written)`);
}

/**
 * Reads the header and checks the whole file — the header's checksum, the format version, the content's length
 * and SHA-256 — before anything is written anywhere: a truncated or altered file is refused here.
 */
export async function checkBackupFile(file: string): Promise<BackupHeader> {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new BadInput('FILE', file, `${EXPECTED} (no such file)`);
  }
  if (!stat.isFile()) throw new BadInput('FILE', file, `${EXPECTED} (not a file)`);
  if (stat.size < HEADER_BYTES) throw refuse(file, 'shorter than its header: truncated');
  const block = Buffer.alloc(HEADER_BYTES);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, block, 0, HEADER_BYTES, 0);
  } finally {
    fs.closeSync(fd);
  }
  const text = block.toString('latin1');
  const first = /^zq-backup (\d+) sha256:([0-9a-f]{64})\n/.exec(text);
  if (!first) throw refuse(file, 'no zq backup header');
  if (Number(first[1]) !== FORMAT_VERSION) {
    throw new BadInput(
      'FILE',
      file,
      `a zq backup of format ${FORMAT_VERSION} (this one is format ${first[1]}: restore it with the zq that wrote it)`,
    );
  }
  const end = block.indexOf(10, first[0].length);
  const json = block.subarray(first[0].length, end).toString('utf8');
  const padding = block.subarray(end + 1, HEADER_BYTES - 1);
  if (
    end < 0 ||
    createHash('sha256').update(json).digest('hex') !== first[2] ||
    padding.some((b) => b !== 32) ||
    block[HEADER_BYTES - 1] !== 10
  ) {
    throw refuse(file, 'its header does not match its checksum: altered');
  }
  const header = JSON.parse(json) as BackupHeader;
  if (stat.size !== HEADER_BYTES + header.bytes) {
    throw refuse(
      file,
      `${stat.size - HEADER_BYTES} bytes of content where the header says ${header.bytes}: ${stat.size < HEADER_BYTES + header.bytes ? 'truncated' : 'altered'}`,
    );
  }
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { start: HEADER_BYTES })) hash.update(chunk as Buffer);
  if (hash.digest('hex') !== header.sha256) throw refuse(file, 'its content does not match its SHA-256: altered');
  return header;
}
