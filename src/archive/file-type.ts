// What a file is, from its bytes (magic numbers), never from its name: PDF, JPEG, PNG, or an XLSX workbook (a ZIP
// whose entries include [Content_Types].xml and xl/workbook.xml). Anything else is named as well as the bytes allow,
// so that a refusal can say what was found.
import yauzl from 'yauzl';

export const FILE_TYPES = {
  pdf: { mime: 'application/pdf', label: 'PDF' },
  jpeg: { mime: 'image/jpeg', label: 'JPEG' },
  png: { mime: 'image/png', label: 'PNG' },
  xlsx: { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', label: 'XLSX' },
} as const;

export type FileType = keyof typeof FILE_TYPES;

export const ALLOWED_TYPES_TEXT = 'PDF, JPEG, PNG or XLSX';

/** A workbook has a few dozen parts; a zip with more is not one (and is not listed further). */
const MAX_ZIP_ENTRIES = 10_000;

export type Detected = { ok: true; type: FileType; mime: string } | { ok: false; found: string };

const startsWith = (bytes: Uint8Array, magic: readonly number[]) => magic.every((b, i) => bytes[i] === b);

const PDF = [0x25, 0x50, 0x44, 0x46, 0x2d]; // %PDF-
const JPEG = [0xff, 0xd8, 0xff];
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const ZIP = [0x50, 0x4b, 0x03, 0x04];
const EMPTY_ZIP = [0x50, 0x4b, 0x05, 0x06];

/** Other well-known kinds, only to name them in a refusal. */
const KNOWN_OTHERS: readonly { magic: readonly number[]; found: string }[] = [
  { magic: [0x4d, 0x5a], found: 'a Windows executable (MZ)' },
  { magic: [0x7f, 0x45, 0x4c, 0x46], found: 'an ELF executable' },
  { magic: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], found: 'an old Office file (.xls/.doc)' },
  { magic: [0x47, 0x49, 0x46, 0x38], found: 'a GIF image' },
  { magic: [0x52, 0x61, 0x72, 0x21], found: 'a RAR archive' },
  { magic: [0x1f, 0x8b], found: 'a gzip archive' },
  { magic: [0x37, 0x7a, 0xbc, 0xaf], found: 'a 7-Zip archive' },
];

function hexHead(bytes: Uint8Array): string {
  return [...bytes.subarray(0, 4)].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
}

function ok(type: FileType): Detected {
  return { ok: true, type, mime: FILE_TYPES[type].mime };
}

/** The entry names of a ZIP held in memory (lower case), or null when it cannot be read as one. */
async function zipEntries(bytes: Uint8Array): Promise<Set<string> | null> {
  let zip: yauzl.ZipFile | undefined;
  try {
    zip = await yauzl.fromBufferPromise(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { lazyEntries: true });
    const names = new Set<string>();
    for await (const entry of zip.eachEntry()) {
      names.add(entry.fileName.toLowerCase());
      if (names.size >= MAX_ZIP_ENTRIES) break;
    }
    return names;
  } catch {
    return null;
  } finally {
    zip?.close();
  }
}

/** The type of the bytes: one of FILE_TYPES, or what was found instead. */
export async function detectFileType(bytes: Uint8Array): Promise<Detected> {
  if (bytes.byteLength === 0) return { ok: false, found: 'an empty file' };
  if (startsWith(bytes, PDF)) return ok('pdf');
  if (startsWith(bytes, JPEG)) return ok('jpeg');
  if (startsWith(bytes, PNG)) return ok('png');
  if (startsWith(bytes, ZIP) || startsWith(bytes, EMPTY_ZIP)) {
    const names = await zipEntries(bytes);
    if (names === null) return { ok: false, found: 'a damaged ZIP archive' };
    if (names.has('[content_types].xml') && names.has('xl/workbook.xml')) return ok('xlsx');
    return { ok: false, found: 'a ZIP archive that is not an XLSX workbook (no [Content_Types].xml and xl/workbook.xml)' };
  }
  const other = KNOWN_OTHERS.find((k) => startsWith(bytes, k.magic));
  return { ok: false, found: other ? other.found : `unknown content (first bytes ${hexHead(bytes)})` };
}
