// 债权分解: the breakdown as of a date, drilled down group → region → dealer → collector → contract.
import type { Output } from '../../app/run.js';
import { contractStatusName } from '../../core/labels.js';
import { contractHref, href, money } from '../routes/common.js';

export interface BreakdownQuery {
  asOf?: string | undefined;
  restated?: string | undefined;
  region?: string | undefined;
  dealer?: string | undefined;
  collector?: string | undefined;
}

type Report = Output<'report.breakdown'>;
type Row = Report['rows'][number];

/** The level shown: what the filters name decides the rows (and the `by` of the report). */
export function drillLevel(q: BreakdownQuery): 'group' | 'region' | 'dealer' | 'collector' {
  if (q.dealer && q.collector) return 'collector';
  if (q.dealer) return 'dealer';
  if (q.region) return 'region';
  return 'group';
}

function link(q: BreakdownQuery, next: Partial<BreakdownQuery>): string {
  return href('/breakdown', { asOf: q.asOf, restated: q.restated, ...next });
}

/** A row's name and where it leads one level down (null: nowhere, e.g. dealers without a region). */
function rowTarget(q: BreakdownQuery, row: Row): { name: string; to: string | null } {
  if (row.level === 'region')
    return { name: row.region ? `${row.regionName ?? row.region}` : '未分区域', to: row.region ? link(q, { region: row.region }) : null };
  if (row.level === 'dealer')
    return { name: `${row.dealer} ${row.dealerName ?? ''}`, to: row.dealer ? link(q, { dealer: row.dealer }) : null };
  if (row.contractNo) return { name: row.contractNo, to: contractHref(row.contractNo, row.dealer) };
  return {
    name: row.collector ?? '（未分配）',
    to: row.collector && row.dealer ? link(q, { dealer: row.dealer, collector: row.collector }) : null,
  };
}

/** The rows of a level: regions and their dealers at the top, dealers in a region, a dealer's collectors, contracts. */
export function levelRows(report: Report, level: ReturnType<typeof drillLevel>): Row[] {
  if (level === 'group') return report.rows.filter((r) => r.level === 'region' || r.level === 'dealer');
  if (level === 'region') return report.rows.filter((r) => r.level === 'dealer');
  return report.rows.filter((r) => r.level === 'detail');
}

export function BreakdownPage({ query, report }: { query: BreakdownQuery; report: Report }) {
  const level = drillLevel(query);
  const rows = levelRows(report, level);
  const crumbs: [string, string][] = [['集团', link(query, {})]];
  if (query.region) crumbs.push([`区域 ${query.region}`, link(query, { region: query.region })]);
  if (query.dealer) crumbs.push([`经销商 ${query.dealer}`, link(query, { dealer: query.dealer })]);
  if (query.collector) crumbs.push([`催收员 ${query.collector}`, link(query, { dealer: query.dealer, collector: query.collector })]);
  const t = report.totals;
  return (
    <div>
      <form method="get" action="/breakdown" class="filters">
        {query.region ? <input type="hidden" name="region" value={query.region} /> : null}
        {query.dealer ? <input type="hidden" name="dealer" value={query.dealer} /> : null}
        {query.collector ? <input type="hidden" name="collector" value={query.collector} /> : null}
        <label>
          截至
          <input type="date" name="asOf" value={report.asOf} />
        </label>
        <label class="check">
          <input type="checkbox" name="restated" value="1" checked={report.restated} />
          按重述口径（默认按当晚报告口径）
        </label>
        <button type="submit">查询</button>
        <a class="button" href={href('/breakdown.xlsx', { ...query, asOf: report.asOf })}>
          下载 Excel
        </a>
      </form>
      <nav class="crumbs">{crumbs.map(([name, to], i) => (i === crumbs.length - 1 ? <span>{name}</span> : <a href={to}>{name}</a>))}</nav>
      <p class="meta">{`截至 ${report.asOf}，${report.restated ? '重述口径' : '报告口径'}，合同 ${t.contracts} 份`}</p>
      <div class="scroll">
        <table class="breakdown">
          <thead>
            <tr>
              <th>{level === 'collector' ? '合同' : level === 'dealer' ? '催收员' : '区域 / 经销商'}</th>
              {level === 'collector' ? <th>客户</th> : null}
              {level === 'collector' ? <th>状态</th> : <th class="num">合同数</th>}
              <th class="num">未还</th>
              <th class="num">逾期</th>
              <th class="num">未还罚息</th>
              {report.aging.map((name) => (
                <th class="num">{name}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const target = rowTarget(query, row);
              return (
                <tr class={`level-${row.level}`}>
                  <td>{target.to ? <a href={target.to}>{target.name}</a> : target.name}</td>
                  {level === 'collector' ? <td>{row.customer ?? ''}</td> : null}
                  {level === 'collector' ? <td>{contractStatusName(row.status)}</td> : <td class="num">{row.contracts}</td>}
                  <td class="num">{money(row.outstanding)}</td>
                  <td class="num">{money(row.overdue)}</td>
                  <td class="num">{money(row.penaltyOutstanding)}</td>
                  {report.aging.map((name) => (
                    <td class="num">{money(row.aging[name])}</td>
                  ))}
                </tr>
              );
            })}
            <tr class="total">
              {level === 'collector' ? (
                <td colspan={3}>合计</td>
              ) : (
                <>
                  <td>合计</td>
                  <td class="num">{t.contracts}</td>
                </>
              )}
              <td class="num">{money(t.outstanding)}</td>
              <td class="num">{money(t.overdue)}</td>
              <td class="num">{money(t.penaltyOutstanding)}</td>
              {report.aging.map((name) => (
                <td class="num">{money(t.aging[name])}</td>
              ))}
            </tr>
          </tbody>
        </table>
      </div>
    </div>
  );
}
