// GET / — the dashboard, read through batch.status, report.breakdown, report.trend and contract.list (the first two
// kept a while per user and night: reportedFigures).
import { Decimal } from 'decimal.js';
import type { Hono } from 'hono';
import type { Output } from '../../app/run.js';
import { ExpectedError } from '../../core/errors.js';
import { formatMoney } from '../../core/money.js';
import type { WebEnv } from '../env.js';
import { type CollectorRank, Dashboard, type DashboardData } from '../pages/dashboard.js';
import { act, type Ctx, render } from './common.js';

/** A section that may be unavailable (a month without its snapshot): its expected error becomes a line. */
async function optional<T>(problems: string[], what: string, read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (err) {
    if (!(err instanceof ExpectedError)) throw err;
    problems.push(`${what}暂不可用：${err.message}`);
    return null;
  }
}

/** Collectors by received ÷ due over the trend's months, best first; those with nothing due last. */
export function rankCollectors(collectors: { collector: string | null; due: string[]; received: string[] }[]): CollectorRank[] {
  const sum = (values: string[]) => values.reduce((a, v) => a.plus(v), new Decimal(0));
  return collectors
    .map((c) => {
      const due = sum(c.due);
      const received = sum(c.received);
      return {
        collector: c.collector,
        due: formatMoney(due),
        received: formatMoney(received),
        rate: due.isZero() ? null : received.div(due).toDecimalPlaces(4).toFixed(4),
      };
    })
    .sort((a, b) => {
      if (a.rate === null || b.rate === null) return a.rate === b.rate ? 0 : a.rate === null ? 1 : -1;
      return new Decimal(b.rate).comparedTo(a.rate) || (a.collector ?? '').localeCompare(b.collector ?? '');
    });
}

type Reported = {
  report: Output<'report.breakdown'> | null;
  trend: Output<'report.trend'> | null;
  topOverdue: Output<'contract.list'>;
  problems: string[];
};

/**
 * What the dashboard shows as reported on the last completed night — the breakdown by region and the trend, each
 * over every line of the scope — never changes once that night is taken (a night is never rewritten). So it is
 * kept per database, user and night for KEEP_MS (a user's scope may change meanwhile: a new team) and shared by
 * the requests asking at once, with the ten largest overdue contracts as of that night (a receipt back-dated
 * before it shows within KEEP_MS).
 */
const KEEP_MS = 10 * 60_000;
const KEPT_MAX = 1000;
const kept = new WeakMap<object, Map<string, { at: number; value: Promise<Reported> }>>();

async function reportedFigures(c: Ctx, night: string, problems: string[]): Promise<Reported> {
  const byKey = kept.get(c.var.db) ?? new Map<string, { at: number; value: Promise<Reported> }>();
  kept.set(c.var.db, byKey);
  const key = `${c.var.actor.id}:${c.var.actor.roles.join(',')}:${night}`;
  const now = Date.now();
  let entry = byKey.get(key);
  if (!entry || now - entry.at > KEEP_MS) {
    if (byKey.size >= KEPT_MAX) byKey.clear();
    const read = async (): Promise<Reported> => {
      const mine: string[] = [];
      const report = await optional(mine, '余额与账龄', () => act(c, 'report.breakdown', { asOf: night, by: 'region' }));
      // as reported: the months since the first night with a report snapshot, up to twelve
      const trend = await optional(mine, '近12个月趋势', () => act(c, 'report.trend', {}));
      const topOverdue = await act(c, 'contract.list', { asOf: night, overdue: true, sort: 'overdue', descending: true, limit: '10' });
      return { report, trend, topOverdue, problems: mine };
    };
    entry = { at: now, value: read() };
    byKey.set(key, entry);
    entry.value.catch(() => byKey.delete(key));
  }
  const figures = await entry.value;
  problems.push(...figures.problems);
  return figures;
}

async function dashboardData(c: Ctx): Promise<DashboardData> {
  const status = await act(c, 'batch.status', { limit: 50 });
  const lastCompleted = status.lastCompleted;
  const reconcile = status.runs.find((r) => r.step === 'reconcile' && r.businessDate === lastCompleted);
  const problems: string[] = [];
  const empty: DashboardData = {
    lastCompleted,
    discrepancies: reconcile?.discrepancies ?? null,
    totals: null,
    overdueRate: null,
    agingNames: [],
    trend: null,
    problems,
    topOverdue: [],
    collectors: [],
  };
  if (lastCompleted === null) return empty;
  const { report, trend, topOverdue } = await reportedFigures(c, lastCompleted, problems);
  const totals = report?.totals ?? null;
  const outstanding = new Decimal(totals?.outstanding ?? 0);
  return {
    ...empty,
    totals,
    overdueRate: totals && !outstanding.isZero() ? new Decimal(totals.overdue).div(outstanding).toDecimalPlaces(4).toFixed(4) : null,
    agingNames: report?.aging ?? [],
    trend,
    topOverdue,
    collectors: trend ? rankCollectors(trend.collectors) : [],
  };
}

export function registerDashboard(app: Hono<WebEnv>): void {
  app.get('/', async (c) =>
    render(c, '首页', <Dashboard data={await dashboardData(c)} />, { scripts: ['/static/echarts.min.js', '/static/dashboard.js'] }),
  );
}
