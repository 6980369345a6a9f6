// The user documentation in docs/ keeps up with the code: every command and flag is in the command
// reference, every header name in the import format, no help or README text sends users to design notes
// they cannot see, and every relative link resolves. The lists below are what to adjust when commands change.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/cli.js';
import { type FieldDefinition, LEDGER_FIELDS, RECEIPT_FIELDS } from '../src/imports/headers.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

/** The documents users read. */
const USER_DOCS = ['README.md', 'docs/commands.md', 'docs/import-format.md', 'docs/arithmetic.md'];

/** Design notes outside the repository (../shared): users never see them, so nothing may point there. */
const SHARED_NAMES = ['../shared', 'RULES.md', 'IMPORT-FORMAT.md', 'CLI.md', 'DESIGN.md', 'GLOSSARY.md', 'STACK.md', 'STYLE.md'];

/** Every command below the program with its path ('approval rule add') and its long flags. */
function commands(program: Command): { path: string; flags: string[]; help: string; documented: boolean }[] {
  const found: { path: string; flags: string[]; help: string; documented: boolean }[] = [];
  (function walk(cmd: Command, prefix: string[]) {
    for (const sub of cmd.commands) {
      const names = [...prefix, sub.name()];
      const flags = sub.options.map((o) => o.long ?? o.short ?? o.flags);
      // A group that only holds commands (`zq penalty rate`) is documented by its commands' sections.
      const onlyHolds = sub.commands.length > 0 && flags.length === 0 && sub.registeredArguments.length === 0;
      found.push({ path: names.join(' '), flags, help: sub.helpInformation(), documented: !onlyHolds });
      walk(sub, names);
    }
  })(program, []);
  return found;
}

/** The sections of docs/commands.md about `zq PATH` (the group and the command `zq import`: both), joined. */
function section(doc: string, commandPath: string): string | undefined {
  const lines = doc.split('\n');
  const heading = new RegExp(`^#{2,3} \`zq ${commandPath}( [<[]|\`)`);
  const parts: string[] = [];
  lines.forEach((line, start) => {
    if (!heading.test(line)) return;
    const end = lines.findIndex((l, i) => i > start && /^#{2,3} /.test(l));
    parts.push(lines.slice(start, end < 0 ? undefined : end).join('\n'));
  });
  return parts.length > 0 ? parts.join('\n') : undefined;
}

describe('user documentation', () => {
  const program = buildProgram();
  const reference = read('docs/commands.md');

  it('15.14: every command and flag the program has is in docs/commands.md', () => {
    const missing: string[] = [];
    const expected = commands(program)
      .filter((c) => c.documented)
      .map(({ path, flags }) => ({ path, flags }));
    for (const { path: commandPath, flags } of expected) {
      const text = section(reference, commandPath);
      if (text === undefined) {
        missing.push(`zq ${commandPath}`);
        continue;
      }
      for (const flag of flags) if (!text.includes(`\`${flag}`)) missing.push(`zq ${commandPath} ${flag}`);
    }
    for (const option of program.options) {
      if (!reference.includes(`\`${option.long ?? option.short}`)) missing.push(`zq ${option.flags}`);
    }
    expect(missing).toEqual([]);
  });

  it('15.14: every header name of src/imports/headers.ts is in docs/import-format.md, in its field’s row', () => {
    const doc = read('docs/import-format.md');
    const [ledgerPart, receiptPart] = doc.split('### Receipt columns');
    const missing: string[] = [];
    const check = (part: string | undefined, kind: string, fields: readonly FieldDefinition[]) => {
      const rows = (part ?? '').split('\n').filter((l) => l.startsWith('| `'));
      for (const { field, headers } of fields) {
        const row = rows.find((r) => r.startsWith(`| \`${field}\` |`));
        const names =
          row
            ?.split('|')[2]
            ?.split(',')
            .map((n) => n.trim()) ?? [];
        for (const header of headers) if (!names.includes(header)) missing.push(`${kind} ${field}: ${header}`);
      }
    };
    check(ledgerPart, 'ledger', LEDGER_FIELDS);
    check(receiptPart, 'receipts', RECEIPT_FIELDS);
    expect(missing).toEqual([]);
  });

  it('15.14: neither the README, docs/ nor any --help text names the design notes users cannot see', () => {
    const texts: [string, string][] = USER_DOCS.map((f) => [f, read(f)]);
    texts.push(['zq --help', program.helpInformation()]);
    for (const c of commands(program)) texts.push([`zq ${c.path} --help`, c.help]);
    const found = texts.flatMap(([where, text]) => SHARED_NAMES.filter((name) => text.includes(name)).map((name) => `${where}: ${name}`));
    expect(found).toEqual([]);
  });

  it('15.14: every relative link in the README and docs/ resolves to a file of the repository', () => {
    const broken: string[] = [];
    for (const file of USER_DOCS) {
      for (const match of read(file).matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = (match[1] as string).split('#')[0] as string;
        if (target === '' || /^[a-z]+:/i.test(target)) continue;
        if (!fs.existsSync(path.resolve(ROOT, path.dirname(file), decodeURI(target)))) broken.push(`${file}: ${match[1]}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
