// Where `zq import` writes its errors files, checked before anything is imported: one `<file>.errors.csv`
// beside each input, or the one file --errors names (every input's problems, its first column naming the file).
// A target must be in an existing folder one may write to, must not be a file the command reads, and must not
// exist — unless --force, or unless it is an errors file zq wrote (its first line is ERRORS_HEADER), which a
// re-run replaces.
import fs from 'node:fs';
import path from 'node:path';
import { BadInput } from '../core/errors.js';

export const ERRORS_HEADER = '文件 file,工作表 sheet,行号 row,列 column,值 value,原因 reason';

/** The default errors file of an input: beside it, named by the path as given. */
export function defaultErrorsFile(input: string): string {
  return `${input}.errors.csv`;
}

/** A path as the file system resolves it (symlinks followed), also for a file that does not exist yet. */
function canonical(p: string): string {
  if (fs.existsSync(p)) return fs.realpathSync(p);
  const dir = path.dirname(path.resolve(p));
  return path.join(fs.existsSync(dir) ? fs.realpathSync(dir) : dir, path.basename(p));
}

function sameFile(a: fs.Stats, b: fs.Stats): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

function writtenByZq(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(Buffer.byteLength(`\uFEFF${ERRORS_HEADER}`));
    const read = fs.readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, read).toString('utf8') === `\uFEFF${ERRORS_HEADER}`;
  } finally {
    fs.closeSync(fd);
  }
}

function writable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Refuses (exit 2, naming the input's `errors` field: --errors on the command line, or the field `named`) a target that
 * cannot or must not be written.
 */
export function checkOutput(target: string, inputs: readonly string[], force: boolean, byDefault: boolean, named?: string): void {
  const field = named ?? (byDefault ? 'errors (default: beside the input)' : 'errors');
  const dir = path.dirname(path.resolve(target));
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new BadInput(field, target, `a file in an existing folder (${dir} does not exist)`);
  }
  const resolved = canonical(target);
  const existing = fs.existsSync(target) ? fs.statSync(target) : null;
  for (const input of inputs) {
    const same = existing && fs.existsSync(input) ? sameFile(existing, fs.statSync(input)) : canonical(input) === resolved;
    if (same) throw new BadInput(field, target, `a file other than ${input}, which this command reads (it would be overwritten)`);
  }
  if (existing?.isDirectory()) throw new BadInput(field, target, 'a file name, not a folder');
  if (existing && !force && !writtenByZq(target)) {
    throw new BadInput(field, target, 'a file that does not exist yet (add --force to replace it)');
  }
  if (!writable(existing ? target : dir)) throw new BadInput(field, target, `a file ${existing ? '' : 'in a folder '}you may write to`);
}

/**
 * The errors file of each input (--errors FILE: the same one for all), every one checked. Throws before
 * anything is written.
 */
export function planErrorsFiles(
  files: readonly string[],
  options: { errors?: string | undefined; force: boolean; otherInputs?: readonly string[] },
): Map<string, string> {
  const inputs = [...files, ...(options.otherInputs ?? [])];
  const plan = new Map<string, string>();
  for (const file of files) plan.set(file, options.errors ?? defaultErrorsFile(file));
  for (const target of new Set(plan.values())) checkOutput(target, inputs, options.force, options.errors === undefined);
  return plan;
}
