// Where a report is written with --out: the file the user named, checked before any work and replaced only by
// the rename of a complete file written beside it (`FILE.<pid>.partial`), so a failure leaves the old file whole.
import fs from 'node:fs';
import path from 'node:path';
import { BadInput } from '../core/errors.js';

const EXPECTED = 'a file path in an existing folder';

/** Refuses (field `out`) a target in a folder that does not exist, or that is a folder itself. */
export function checkReportTarget(target: string): void {
  const dir = path.dirname(path.resolve(target));
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new BadInput('out', target, EXPECTED);
  if (fs.existsSync(target) && fs.statSync(target).isDirectory()) throw new BadInput('out', target, EXPECTED);
}

/** Writes the text to the target through a partial file beside it, renamed when complete. */
export function writeReportText(target: string, text: string): void {
  checkReportTarget(target);
  const partial = `${target}.${process.pid}.partial`;
  try {
    fs.writeFileSync(partial, text, { flag: 'wx' });
    fs.renameSync(partial, target);
  } finally {
    fs.rmSync(partial, { force: true });
  }
}
