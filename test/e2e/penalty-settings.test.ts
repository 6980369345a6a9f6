// `zq penalty rate set|list` and `zq penalty grace set|list` as a clerk types them: real bin/zq processes in a temp
// folder (run `npm run build` first). A yearly rate converts only when the division is exact; bad input is one
// line naming the flag; nothing is written on refusal.
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir, zq } from '../support/zq.js';

describe('zq penalty rate and grace settings (embedded database)', () => {
  const cwd = tempDir('zq-e2e-settings-');
  const run = (...args: string[]) => zq(['--as', 'admin', ...args], { cwd });

  beforeAll(async () => {
    expect((await run('init')).code).toBe(0);
    expect((await run('dealer', 'add', 'HF01', '--name', '合肥代理店')).code).toBe(0);
  });

  it('sets daily and exact yearly rates, refuses a yearly rate that would need rounding, lists them', async () => {
    const daily = await run('penalty', 'rate', 'set', '--daily-rate', '0.0006', '--from', '2026-05-01', '--dealer', 'HF01', '--json');
    expect(daily.code, daily.stderr).toBe(0);
    expect(JSON.parse(daily.stdout)).toMatchObject({ dealer: 'HF01', from: '2026-05-01', dailyRate: '0.0006' });
    // 18% / 360 = 0.0005 exactly
    const yearly = await run('penalty', 'rate', 'set', '--annual-rate', '18%', '--day-basis', '360', '--from', '2026-06-01', '--json');
    expect(yearly.code, yearly.stderr).toBe(0);
    expect(JSON.parse(yearly.stdout)).toMatchObject({ from: '2026-06-01', dailyRate: '0.0005' });
    // 18% / 365 = 0.000493150684…: no exact daily rate, so the clerk gives the one the contract states
    const inexact = await run('penalty', 'rate', 'set', '--annual-rate', '18%', '--day-basis', '365', '--from', '2026-07-01');
    expect(inexact.code).toBe(2);
    expect(inexact.stderr.trim().split('\n')).toHaveLength(1);
    expect(inexact.stderr).toMatch(
      /--annual-rate: "18%" — expected .*divides by 365.*--daily-rate \(e\.g\. 0\.0004931507, rounded half-up\)/,
    );
    for (const [args, pattern] of [
      [['--annual-rate', '18%', '--day-basis', '366'], /--day-basis: "366" — expected 360 or 365/],
      [['--annual-rate', '18', '--day-basis', '360'], /--annual-rate: "18" — expected a yearly rate below 100 %, e\.g\. 0\.18 or 18%/],
      [['--daily-rate', '-0.1'], /--daily-rate/],
      [['--daily-rate', '0.0005', '--annual-rate', '18%'], /either --daily-rate R or --annual-rate R/],
      [['--daily-rate', '0.00000000001'], /--daily-rate: "0.00000000001" — expected .*at most 10 decimals/],
    ] as const) {
      const bad = await run('penalty', 'rate', 'set', ...args, '--from', '2026-07-01');
      expect(bad.code, bad.stderr).toBe(2);
      expect(bad.stderr).toMatch(pattern);
    }
    const listed = await run('penalty', 'rate', 'list', '--json');
    expect(listed.code).toBe(0);
    const rates = JSON.parse(listed.stdout) as { from: string; dailyRate: string }[];
    expect(rates.map((r) => [r.from, r.dailyRate])).toEqual([
      ['1900-01-01', '0.0005'],
      ['2026-06-01', '0.0005'],
      ['2026-05-01', '0.0006'],
    ]);
  });

  it('lists the receivable types with whether each bears penalty, and changes it', async () => {
    const listed = await run('penalty', 'type', 'list', '--json');
    expect(listed.code).toBe(0);
    const bearing = (JSON.parse(listed.stdout) as { code: string; penaltyBearing: boolean }[]).filter((t) => !t.penaltyBearing);
    expect(bearing.map((t) => t.code)).toEqual(['deposit', 'penalty']);
    const set = await run('penalty', 'type', 'set', 'deposit', '--bearing', 'yes', '--json');
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ code: 'deposit', nameZh: '保证金', penaltyBearing: true });
    const human = await run('penalty', 'type', 'set', 'deposit', '--bearing', 'no');
    expect(human.stdout).toMatch(/deposit \(保证金\) does not bear penalty/);
    for (const [args, code, pattern] of [
      [['penalty', '--bearing', 'yes'], 2, /--bearing: "yes" — expected no for penalty/],
      [['deposit', '--bearing', 'maybe'], 2, /--bearing: "maybe" — expected yes or no/],
      [['nope', '--bearing', 'no'], 3, /receivable type not found: "nope"/],
    ] as const) {
      const bad = await run('penalty', 'type', 'set', ...args);
      expect(bad.code, bad.stderr).toBe(code);
      expect(bad.stderr).toMatch(pattern);
    }
  });

  it('sets and lists grace periods; bad days or mode exit 2', async () => {
    const set = await run('penalty', 'grace', 'set', '--days', '3', '--mode', 'forward', '--dealer', 'HF01', '--json');
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ dealer: 'HF01', days: 3, mode: 'forward' });
    const badMode = await run('penalty', 'grace', 'set', '--days', '3', '--mode', 'later');
    expect(badMode.code).toBe(2);
    expect(badMode.stderr).toMatch(/--mode/);
    const badDays = await run('penalty', 'grace', 'set', '--days', '-1');
    expect(badDays.code).toBe(2);
    expect(badDays.stderr).toMatch(/--days/);
    const listed = await run('penalty', 'grace', 'list', '--json');
    expect((JSON.parse(listed.stdout) as { days: number }[]).map((g) => g.days)).toEqual([3]);
  });
});
