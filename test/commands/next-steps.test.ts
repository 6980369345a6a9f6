// The core names what the user may do next as an action (core/errors.ts NextStep); only the adapters write
// commands. Every step the core suggests has the CLI's wording, and no `zq …` command line hides in the core.
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { commandFor, SUGGESTABLE } from '../../src/commands/hints.js';
import { Refused } from '../../src/core/errors.js';
import { ROOT } from '../support/zq.js';

const ADAPTERS = /^src\/(commands\/|demo\/|cli\.ts)/;

function sources(dir = 'src'): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return sources(rel);
    return rel.endsWith('.ts') && !ADAPTERS.test(rel) ? [rel] : [];
  });
}

/** The file's code without its comments (a comment may say how the CLI runs a thing). */
function code(file: string): string {
  return fs
    .readFileSync(path.join(ROOT, file), 'utf8')
    .split('\n')
    .filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line))
    .join('\n');
}

it('the core writes no `zq …` command line', () => {
  const found = sources().flatMap((file) =>
    [...code(file).matchAll(/zq (init|batch|contract|receipt|refund|doc|period|user|dealer|import|approval|penalty)\b[^'`"]*/g)]
      // the batch's session name on the server, which an operator sees in pg_stat_activity
      .filter((m) => !m[0].startsWith('zq batch run (pid'))
      .map((m) => `${file}: ${m[0]}`),
  );
  expect(found).toEqual([]);
});

it('every next step the core suggests has the CLI’s wording', () => {
  const suggested = new Set(
    sources().flatMap((file) => [...code(file).matchAll(/suggest\(\{\s*action: '([a-z.-]+)'/g)].map((m) => m[1] as string)),
  );
  expect(suggested.size).toBeGreaterThan(5);
  expect([...suggested].filter((a) => !SUGGESTABLE.includes(a))).toEqual([]);
});

it('words a next step as the command to type', () => {
  const err = new Refused('period 2026-03 is closed').suggest({ action: 'period.reopen', input: { month: '2026-03' } });
  expect(err.next && commandFor(err.next)).toBe('zq period reopen 2026-03 --reason …');
  expect(commandFor({ action: 'doc.unlock', input: { id: 12 } })).toBe('zq doc unlock 12');
});
