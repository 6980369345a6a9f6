// Where a report is written with --out: the file the user named, checked before any work and replaced only by
// the rename of a complete file written beside it (`FILE.<pid>.partial`), so a failure leaves the old file whole.
import fs from 'node:fs';
import { checkReportTarget } from './xlsx.js';

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
