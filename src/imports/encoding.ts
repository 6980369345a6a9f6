// Text encodings of dealer files (IMPORT-FORMAT.md): detected from the first bytes, never asked for.
// UTF-8 (BOM or not), UTF-16 with a BOM (Excel "Unicode text"), and otherwise GB18030, the superset of
// GBK that Chinese Excel writes for "CSV".
import { open } from 'node:fs/promises';
import type { Transform } from 'node:stream';
import iconv from 'iconv-lite';

export type TextEncoding = 'utf8' | 'utf16le' | 'utf16be' | 'gb18030';

export interface DetectedEncoding {
  encoding: TextEncoding;
  bom: boolean;
}

/** How much of a file is looked at to decide its encoding (and, for CSV, its delimiter). */
export const SAMPLE_BYTES = 64 * 1024;

/** The first `limit` bytes of a file (fewer when the file is shorter). */
export async function readSample(path: string, limit = SAMPLE_BYTES): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(limit);
    const { bytesRead } = await handle.read(buffer, 0, limit, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * The encoding of a file from its first bytes. `complete` says the sample is the whole file; otherwise a
 * multibyte character cut at the sample's end is not held against UTF-8 (the decoder's stream mode
 * waits for the rest instead of failing).
 */
export function detectEncoding(sample: Uint8Array, complete: boolean): DetectedEncoding {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return { encoding: 'utf8', bom: true };
  if (sample[0] === 0xff && sample[1] === 0xfe) return { encoding: 'utf16le', bom: true };
  if (sample[0] === 0xfe && sample[1] === 0xff) return { encoding: 'utf16be', bom: true };
  return { encoding: isUtf8(sample, complete) ? 'utf8' : 'gb18030', bom: false };
}

function isUtf8(sample: Uint8Array, complete: boolean): boolean {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    decoder.decode(sample, { stream: !complete });
    return true;
  } catch {
    return false;
  }
}

/** A Transform turning the file's bytes into strings; a BOM is dropped. */
export function decoder(encoding: TextEncoding): Transform {
  return iconv.decodeStream(encoding, { stripBOM: true }) as Transform;
}

/** A decoder fed chunk by chunk (a character cut between two chunks waits for the next); a BOM is dropped. */
export function chunkDecoder(encoding: TextEncoding): { write(chunk: Buffer): string; end(): string } {
  const decoder = iconv.getDecoder(encoding, { stripBOM: true });
  return { write: (chunk) => decoder.write(chunk), end: () => decoder.end() ?? '' };
}

/** Decode a whole (small) buffer: used for the sample only. */
export function decodeSample(sample: Buffer, encoding: TextEncoding): string {
  return iconv.decode(sample, encoding, { stripBOM: true });
}
