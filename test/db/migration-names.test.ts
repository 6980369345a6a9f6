// Migration files run in name order; from 012 on each number prefix is used once, so that two branches that
// add a migration each cannot both land as "017_…" and run in an order nobody chose (008, 009 and 011 repeat
// from before this rule and are landed: they keep their names).
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from '../support/zq.js';

const LANDED_REPEATS = new Set(['008', '009', '011']);

it('migration number prefixes are unique, apart from the landed repeats', () => {
  const names = fs.readdirSync(path.join(ROOT, 'migrations')).filter((n) => /\.(ts|js)$/.test(n));
  const byPrefix = new Map<string, string[]>();
  for (const name of names) {
    const prefix = /^(\d{3})_[a-z0-9_]+\.(ts|js)$/.exec(name)?.[1];
    expect(prefix, `migration ${name}: expected NNN_words.ts`).toBeDefined();
    byPrefix.set(prefix as string, [...(byPrefix.get(prefix as string) ?? []), name]);
  }
  const repeated = [...byPrefix].filter(([prefix, files]) => files.length > 1 && !LANDED_REPEATS.has(prefix));
  expect(repeated).toEqual([]);
});
