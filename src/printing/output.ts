// Where a printed PDF goes. Every target is checked before any work: a file the user did not name is never
// written over, and an existing file is replaced only with --force. A PDF is written beside its target
// (`FILE.<pid>.partial`) and then linked into place (or renamed over it with --force), so a failure leaves no
// half-written file and a file that appeared meanwhile is not replaced.
import fs from 'node:fs';
import path from 'node:path';
import { BadInput } from '../core/errors.js';

const PDF = /\.pdf$/i;

export type PdfTarget = { kind: 'file'; path: string } | { kind: 'dir'; path: string };

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function writable(folder: string, field: string, value: string, expected: string): void {
  try {
    fs.accessSync(folder, fs.constants.W_OK);
  } catch {
    throw new BadInput(field, value, `${expected} you may write to`);
  }
}

/** A PDF file to write: its name ends in .pdf, its folder exists, and it does not exist yet unless `force`. */
export function checkPdfFile(target: string, force: boolean, field = 'out'): string {
  const expected = 'a file name ending in .pdf in an existing folder';
  if (!PDF.test(target) || isDirectory(target)) throw new BadInput(field, target, expected);
  const folder = path.dirname(path.resolve(target));
  if (!isDirectory(folder)) throw new BadInput(field, target, expected);
  writable(folder, field, target, expected);
  if (!force && fs.existsSync(target)) throw new BadInput(field, target, 'a file that does not exist yet (--force replaces it)');
  return target;
}

/** `--out DIR | FILE.pdf`: an existing folder, or a PDF file as checkPdfFile says. */
export function checkPdfTarget(target: string, force: boolean, field = 'out'): PdfTarget {
  if (isDirectory(target)) {
    writable(target, field, target, 'an existing folder or a file name ending in .pdf');
    return { kind: 'dir', path: target };
  }
  if (!PDF.test(target)) throw new BadInput(field, target, 'an existing folder or a file name ending in .pdf');
  return { kind: 'file', path: checkPdfFile(target, force, field) };
}

/** A name part safe in any file system: path separators, reserved and control characters become _. */
export function fileNamePart(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced
  return text.replace(/[\u0000-\u001f\u007f/\\:*?"<>|]/g, '_').replace(/^\.+/, '_');
}

/** Writes the PDF into place: never over an existing file unless `force`. */
export function writePdf(target: string, bytes: Uint8Array, force: boolean, field = 'out'): void {
  const partial = `${target}.${process.pid}.partial`;
  try {
    fs.writeFileSync(partial, bytes, { flag: 'wx' });
    if (force) fs.renameSync(partial, target);
    else {
      try {
        fs.linkSync(partial, target);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST')
          throw new BadInput(field, target, 'a file that does not exist yet (--force replaces it)');
        throw err;
      }
    }
  } finally {
    fs.rmSync(partial, { force: true });
  }
}
