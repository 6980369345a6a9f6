// Where `zq archive get` writes a file. The target is checked before anything is read: its folder exists and may be
// written to, and the file does not exist yet unless --force. The bytes go to a file beside it
// (`FILE.<pid>.partial`), are read back and checked against the SHA-256, and only then linked into place (renamed
// over it with --force): a failure leaves no half-written file, and a file that appeared meanwhile is not replaced.
import fs from 'node:fs';
import path from 'node:path';
import { BadInput } from '../core/errors.js';
import { sha256Hex } from './index.js';

const EXPECTED = 'a file name in an existing folder';
const EXISTS = 'a file that does not exist yet (--force replaces it)';

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The file to write, checked: returns it unchanged. */
export function checkOutFile(target: string, force: boolean, field = 'out'): string {
  if (!target || target.endsWith('/') || target.endsWith(path.sep) || isDirectory(target)) throw new BadInput(field, target, EXPECTED);
  const folder = path.dirname(path.resolve(target));
  if (!isDirectory(folder)) throw new BadInput(field, target, EXPECTED);
  try {
    fs.accessSync(folder, fs.constants.W_OK);
  } catch {
    throw new BadInput(field, target, `${EXPECTED} you may write to`);
  }
  if (!force && fs.existsSync(target)) throw new BadInput(field, target, EXISTS);
  return target;
}

/** Writes the bytes into place, verified against `sha256`; never over an existing file unless `force`. */
export function writeOutFile(target: string, bytes: Uint8Array, sha256: string, force: boolean, field = 'out'): string {
  const partial = `${target}.${process.pid}.partial`;
  try {
    fs.writeFileSync(partial, bytes, { flag: 'wx' });
    const written = fs.readFileSync(partial);
    if (sha256Hex(written) !== sha256) throw new Error(`invariant broken: ${partial} does not have the SHA-256 ${sha256} just written`);
    if (force) fs.renameSync(partial, target);
    else {
      try {
        fs.linkSync(partial, target);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new BadInput(field, target, EXISTS);
        throw err;
      }
    }
  } finally {
    fs.rmSync(partial, { force: true });
  }
  return path.resolve(target);
}
