// Penalty accrued per day and month (罚息计提) for people and programs: 每日 (a row per day, a column per dealer and
// the total), 每月 (a row per month likewise) in the workbook writer's ReportSheet shape, the text table printed
// from them, and the JSON form.
import type { Sheet } from './breakdown-view.js';
import type { PenaltyReport } from './penalty.js';
import { periodLine, type ReportDocument, reportText, scopeLine } from './report-common.js';
import type { ReportRow as SheetRow } from './xlsx.js';

export const PENALTY_TITLE = '罚息计提';

function columns(report: PenaltyReport, first: Sheet['columns']): Sheet['columns'] {
  return [
    ...first,
    ...report.dealers.map((d) => ({ header: `${d.dealer} ${d.dealerName}`, kind: 'money' as const })),
    { header: '合计', kind: 'money' },
  ];
}

function daySheet(report: PenaltyReport): Sheet {
  const rows: SheetRow[] = report.days.map((day, i) => ({
    level: 'detail',
    cells: [day.date.slice(0, 7), day.date, ...report.dealers.map((d) => d.days[i]?.accrued ?? null), day.accrued],
  }));
  // the date column holds only dates (the workbook writes them as real dates): the label goes in the month's
  rows.push({ level: 'total', cells: ['合计', null, ...report.dealers.map((d) => d.total), report.total] });
  const first: Sheet['columns'] = [
    { header: '月份', kind: 'text' },
    { header: '日期', kind: 'date' },
  ];
  return { name: '每日', columns: columns(report, first), rows };
}

function monthSheet(report: PenaltyReport): Sheet {
  const rows: SheetRow[] = report.months.map((month, i) => ({
    level: 'detail',
    cells: [month.month, ...report.dealers.map((d) => d.months[i]?.accrued ?? null), month.accrued],
  }));
  rows.push({ level: 'total', cells: ['合计', ...report.dealers.map((d) => d.total), report.total] });
  return { name: '每月', columns: columns(report, [{ header: '月份', kind: 'text' }]), rows };
}

export function penaltyDocument(report: PenaltyReport): ReportDocument {
  return {
    title: PENALTY_TITLE,
    subtitle: [
      scopeLine(report.scope, report.collector),
      periodLine(report.from, report.to),
      '口径：重述（当日已计罚息 − 前一日已计罚息，按经销商）',
    ],
    sheets: [monthSheet(report), daySheet(report)],
  };
}

export function penaltyTable(report: PenaltyReport): string {
  return reportText(penaltyDocument(report));
}

export function penaltyJson(report: PenaltyReport): object {
  const { from, to, restated, scope, collector, dealers, days, months, total } = report;
  return { from, to, restated, scope, collector, dealers, days, months, total };
}
