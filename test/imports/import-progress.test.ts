// Issue 15.22: a long import shows progress on stderr instead of going silent; a short one prints nothing.
import { expect, it } from 'vitest';
import { progressReporter } from '../../src/commands/import.js';

function fake(tty: boolean) {
  let now = 1_000_000;
  const lines: string[] = [];
  const reporter = progressReporter({ tty, write: (t) => lines.push(t), now: () => now });
  return { reporter, lines, tick: (ms: number) => (now += ms) };
}

it('15.22: without a terminal, a long import prints a line every few seconds and when it starts writing', () => {
  const { reporter, lines, tick } = fake(false);
  tick(500);
  reporter.report('big.csv', 10_000, 'reading');
  expect(lines).toEqual([]); // a short import stays quiet
  tick(2000);
  reporter.report('big.csv', 50_000, 'reading');
  tick(500);
  reporter.report('big.csv', 60_000, 'reading');
  tick(2000);
  reporter.report('big.csv', 100_000, 'merging');
  reporter.done();
  expect(lines).toEqual(['import big.csv: 50,000 rows read, 20,000 rows/s\n', 'import big.csv: 100,000 rows read; writing them…\n']);
});

it('15.22: at a terminal, one line rewritten as rows are read, cleared at the end', () => {
  const { reporter, lines, tick } = fake(true);
  tick(1000);
  reporter.report('big.csv', 10_000, 'reading');
  reporter.report('big.csv', 20_000, 'merging');
  reporter.done();
  expect(lines).toEqual([
    '\r\x1b[Kbig.csv: 10,000 rows read, 10,000 rows/s',
    '\r\x1b[Kbig.csv: 20,000 rows read; writing them…',
    '\r\x1b[K',
  ]);
});
