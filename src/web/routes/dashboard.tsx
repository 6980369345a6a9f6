// GET / — the dashboard, read through batch.status, report.breakdown, report.trend and contract.list.
import { Decimal } from 'decimal.js';
import type { Hono } from 'hono';
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
  const report = await optional(problems, '余额与账龄', () => act(c, 'report.breakdown', { asOf: lastCompleted, by: 'region' }));
  // as reported: the months since the first night with a report snapshot, up to twelve (restated would compute
  // twelve month ends anew on every visit)
  const trend = await optional(problems, '近12个月趋势', () => act(c, 'report.trend', {}));
  const topOverdue = await act(c, 'contract.list', {
    asOf: lastCompleted,
    overdue: true,
    sort: 'overdue',
    descending: true,
    limit: '10',
  });
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
