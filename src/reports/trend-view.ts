// The monthly series (月度趋势) for people and programs: 月度指标 (a row per month) and 回款率 (a row per collector, a
// column per month) in the workbook writer's ReportSheet shape, the text table printed from them, and the JSON
// form a chart reads: { months, series: { outstanding, overdue, overdueRate, m1Rate, m3Rate }, collectors }.
import type { Sheet } from './breakdown-view.js';
import { basisLine, NONE, type ReportDocument, reportText, scopeLine } from './report-common.js';
import type { Trend } from './trend.js';

export const TREND_TITLE = '月度趋势';

function monthSheet(t: Trend): Sheet {
  return {
    name: '月度指标',
    columns: [
      { header: '月份', kind: 'text' },
      { header: '截至', kind: 'date' },
      { header: '未还金额', kind: 'money' },
      { header: '逾期金额', kind: 'money' },
      { header: '逾期率', kind: 'percent' },
      { header: 'M1+逾期率', kind: 'percent' },
      { header: 'M3+逾期率', kind: 'percent' },
    ],
    rows: t.months.map((month, i) => ({
      level: 'detail',
      cells: [
        month,
        t.asOf[i] ?? null,
        t.series.outstanding[i] ?? null,
        t.series.overdue[i] ?? null,
        t.series.overdueRate[i] ?? null,
        t.series.m1Rate[i] ?? null,
        t.series.m3Rate[i] ?? null,
      ],
    })),
  };
}

function collectorSheet(t: Trend): Sheet {
  return {
    name: '回款率',
    columns: [{ header: '催收员', kind: 'text' }, ...t.months.map((m) => ({ header: m, kind: 'percent' as const }))],
    rows: t.collectors.map((c) => ({ level: 'detail', cells: [c.collector ?? NONE, ...c.rates] })),
  };
}

export function trendDocument(t: Trend): ReportDocument {
  return {
    title: TREND_TITLE,
    subtitle: [
      scopeLine(t.scope, t.collector),
      `月份：${t.from}至${t.to}（月末，当月未结束的截至最后跑批日）`,
      basisLine(t.restated),
      '回款率：当月起息、用于当月及以前到期款项的收款（含预收冲抵，不含罚息、期初已还和回购转账）÷ 当月到期金额',
    ],
    sheets: [monthSheet(t), collectorSheet(t)],
  };
}

export function trendTable(t: Trend): string {
  return reportText(trendDocument(t));
}

/** For a chart: the months, one array per series (aligned with months), and each collector's rates. */
export function trendJson(t: Trend): object {
  const { from, to, restated, scope, collector, months, asOf, series, collectors } = t;
  return { from, to, restated, scope, collector, months, asOf, series, collectors };
}
