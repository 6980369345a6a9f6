// 首页: the user's scope at the last completed batch date — outstanding, overdue, overdue rate, penalty
// outstanding, the batch's reconciliation, a 12-month trend and the aging buckets (drawn by /static/dashboard.js
// from the JSON in a data attribute), the top overdue contracts and the collectors ranked by collection rate.
import type { Output } from '../../app/run.js';
import { contractStatusName } from '../../core/labels.js';
import { contractHref, money, percent } from '../routes/common.js';

export interface CollectorRank {
  collector: string | null;
  due: string;
  received: string;
  /** received ÷ due over the months, 4 decimals; null when nothing fell due */
  rate: string | null;
}

export interface DashboardData {
  lastCompleted: string | null;
  /** the reconcile step of the last completed date: its discrepancies */
  discrepancies: number | null;
  totals: Output<'report.breakdown'>['totals'] | null;
  overdueRate: string | null;
  agingNames: string[];
  trend: Output<'report.trend'> | null;
  /** why the trend or the figures could not be read (e.g. no snapshot for a month) */
  problems: string[];
  topOverdue: Output<'contract.list'>;
  collectors: CollectorRank[];
}

/** The series the charts draw, as JSON (never a script the page runs). */
export function chartData(data: DashboardData) {
  return {
    months: data.trend?.months ?? [],
    outstanding: data.trend?.series.outstanding ?? [],
    overdue: data.trend?.series.overdue ?? [],
    overdueRate: data.trend?.series.overdueRate ?? [],
    aging: data.agingNames.map((name) => ({ name, amount: data.totals?.aging[name] ?? '0.00' })),
  };
}

export function Dashboard({ data }: { data: DashboardData }) {
  const t = data.totals;
  return (
    <div class="dashboard">
      <section class="batch-line">
        {data.lastCompleted ? (
          <p>
            最近完成跑批：<strong>{data.lastCompleted}</strong>，对账结果：
            {data.discrepancies === 0 ? <span class="ok">平衡</span> : <span class="bad">{`差异 ${data.discrepancies ?? '—'} 处`}</span>}{' '}
            <a href="/batch">跑批记录</a>
          </p>
        ) : (
          <p class="notice">尚未完成跑批：首页的数字在第一次跑批完成后显示。</p>
        )}
        {data.problems.map((p) => (
          <p class="notice">{p}</p>
        ))}
      </section>
      {t ? (
        <section class="cards">
          <div class="card">
            <div class="label">未还余额</div>
            <div class="figure">{money(t.outstanding)}</div>
          </div>
          <div class="card">
            <div class="label">逾期金额</div>
            <div class="figure">{money(t.overdue)}</div>
          </div>
          <div class="card">
            <div class="label">逾期率</div>
            <div class="figure">{percent(data.overdueRate)}</div>
          </div>
          <div class="card">
            <div class="label">未还罚息</div>
            <div class="figure">{money(t.penaltyOutstanding)}</div>
          </div>
        </section>
      ) : null}
      <div id="chart-data" hidden data-chart={JSON.stringify(chartData(data))} />
      {data.trend || t ? (
        <section class="charts">
          <div class="chart-box">
            <h2>{`余额与逾期（${data.trend ? `${data.trend.from} 至 ${data.trend.to}，` : ''}报告口径）`}</h2>
            <div id="trend-chart" class="chart" />
          </div>
          <div class="chart-box">
            <h2>逾期账龄</h2>
            <div id="aging-chart" class="chart" />
          </div>
        </section>
      ) : null}
      <section>
        <h2>逾期金额最高的合同</h2>
        {data.topOverdue.length === 0 ? (
          <p>没有逾期合同。</p>
        ) : (
          <div class="scroll">
            <table>
              <thead>
                <tr>
                  <th>合同编号</th>
                  <th>客户</th>
                  <th>经销商</th>
                  <th>催收员</th>
                  <th>状态</th>
                  <th class="num">未还</th>
                  <th class="num">逾期</th>
                </tr>
              </thead>
              <tbody>
                {data.topOverdue.map((r) => (
                  <tr>
                    <td>
                      <a href={contractHref(r.contractNo, r.dealer)}>{r.contractNo}</a>
                    </td>
                    <td>{r.customer}</td>
                    <td>{r.dealer}</td>
                    <td>{r.collector ?? '—'}</td>
                    <td>{contractStatusName(r.status)}</td>
                    <td class="num">{money(r.outstanding)}</td>
                    <td class="num">{money(r.overdue)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section>
        <h2>催收员回款率排名（近12个月）</h2>
        {data.collectors.length === 0 ? (
          <p>暂无数据。</p>
        ) : (
          <div class="scroll">
            <table>
              <thead>
                <tr>
                  <th>名次</th>
                  <th>催收员</th>
                  <th class="num">应收</th>
                  <th class="num">实收</th>
                  <th class="num">回款率</th>
                </tr>
              </thead>
              <tbody>
                {data.collectors.map((r, i) => (
                  <tr>
                    <td>{i + 1}</td>
                    <td>{r.collector ?? '（未分配）'}</td>
                    <td class="num">{money(r.due)}</td>
                    <td class="num">{money(r.received)}</td>
                    <td class="num">{percent(r.rate)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
