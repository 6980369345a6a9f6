// 合同: the list with its filters, search, sorting and paging; a contract's page with its lines, penalty,
// receipts, documents, schedule versions, approvals and audit trail.

import type { Output } from '../../app/run.js';
import { documentType } from '../../approvals/registry.js';
import { contractStatusName, documentStatusName, receivableTypeName } from '../../core/labels.js';
import { contractHref, href, money } from '../routes/common.js';
import { ArchiveSection, type ArchiveSectionData } from './archive.js';

export const PAGE_SIZE = 50;
export const PAGE_SIZE_MAX = 200;

export interface ListQuery {
  /** the date the balances are as of (default: today) */
  asOf?: string | undefined;
  dealer?: string | undefined;
  collector?: string | undefined;
  status?: string | undefined;
  overdue?: string | undefined;
  q?: string | undefined;
  sort?: string | undefined;
  desc?: string | undefined;
  page: number;
  /** rows a page (default PAGE_SIZE) */
  size?: string | undefined;
}

const SORTS: [string, string][] = [
  ['contractNo', '合同编号'],
  ['customer', '客户'],
  ['signDate', '签约日期'],
  ['outstanding', '未还余额'],
  ['overdue', '逾期金额'],
];

const STATUSES: [string, string][] = [
  ['active', '正常'],
  ['settled', '已结清'],
  ['written_off', '坏账核销'],
];

function pageHref(query: ListQuery, page: number): string {
  const { page: _page, ...rest } = query;
  return href('/contracts', { ...rest, page: page > 1 ? String(page) : undefined });
}

export function ContractList(props: {
  query: ListQuery;
  rows: Output<'contract.list'>;
  more: boolean;
  dealers: Output<'dealer.list'>;
  asOf: string;
}) {
  const { query, rows, more } = props;
  return (
    <div>
      <form method="get" action="/contracts" class="filters">
        <label>
          搜索
          <input type="search" name="q" value={query.q ?? ''} placeholder="客户、合同编号、机号或电话" />
        </label>
        <label>
          经销商
          <select name="dealer">
            <option value="">全部</option>
            {props.dealers
              .filter((d) => d.kind === 'dealer')
              .map((d) => (
                <option value={d.code} selected={d.code === query.dealer}>
                  {`${d.code} ${d.name}`}
                </option>
              ))}
          </select>
        </label>
        <label>
          催收员
          <input type="text" name="collector" value={query.collector ?? ''} placeholder="用户名" />
        </label>
        <label>
          状态
          <select name="status">
            <option value="">全部</option>
            {STATUSES.map(([code, name]) => (
              <option value={code} selected={code === query.status}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label class="check">
          <input type="checkbox" name="overdue" value="1" checked={query.overdue === '1'} />
          仅逾期
        </label>
        <label>
          排序
          <select name="sort">
            {SORTS.map(([code, name]) => (
              <option value={code} selected={code === (query.sort ?? 'contractNo')}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label class="check">
          <input type="checkbox" name="desc" value="1" checked={query.desc === '1'} />
          倒序
        </label>
        <label>
          截至
          <input type="date" name="asOf" value={props.asOf} />
        </label>
        {query.size ? <input type="hidden" name="size" value={query.size} /> : null}
        <button type="submit">查询</button>
      </form>
      <p>{`金额截至 ${props.asOf}（按当日的台账计算，与合同详情一致）`}</p>
      {rows.length === 0 ? (
        <p>没有符合条件的合同。</p>
      ) : (
        <div class="scroll">
          <table class="list">
            <thead>
              <tr>
                <th>合同编号</th>
                <th>客户</th>
                <th>经销商</th>
                <th>催收员</th>
                <th>状态</th>
                <th>签约日期</th>
                <th class="num">应还</th>
                <th class="num">已还</th>
                <th class="num">未还</th>
                <th class="num">逾期</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr>
                  <td>
                    <a href={contractHref(r.contractNo, r.dealer)}>{r.contractNo}</a>
                  </td>
                  <td>{r.customer}</td>
                  <td>{r.dealer}</td>
                  <td>{r.collector ?? '—'}</td>
                  <td>{contractStatusName(r.status)}</td>
                  <td>{r.signDate ?? '—'}</td>
                  <td class="num">{money(r.amountDue)}</td>
                  <td class="num">{money(r.amountPaid)}</td>
                  <td class="num">{money(r.outstanding)}</td>
                  <td class={`num${r.overdue !== '0.00' ? ' bad' : ''}`}>{money(r.overdue)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav class="pager">
        {query.page > 1 ? <a href={pageHref(query, query.page - 1)}>上一页</a> : null}
        <span>{`第 ${query.page} 页`}</span>
        {more ? <a href={pageHref(query, query.page + 1)}>下一页</a> : null}
      </nav>
    </div>
  );
}

export interface ContractPageData {
  show: Output<'contract.show'>;
  schedule: Output<'contract.schedule'>;
  receipts: Output<'receipt.list'>;
  documents: Output<'doc.list'>;
  approvals: Output<'approval.show'>[];
  /** null: the user's roles do not read the audit log */
  audit: Output<'audit.log'> | null;
  /** 档案: the contract's files and the upload form */
  archive?: ArchiveSectionData;
}

/** Types the approval engine does not register (their documents need no approval). */
const OTHER_TYPES: Record<string, string> = { receipt: '收款', settlement: '结清', machine_disposal: '拖回设备处置' };

/** A document type's Chinese name: the first word of its registered label ('罚息减免 penalty waiver'). */
export const documentTypeName = (type: string) => documentType(type)?.label.split(' ')[0] ?? OTHER_TYPES[type] ?? type;

export function ContractPage({ data }: { data: ContractPageData }) {
  const { show } = data;
  const t = show.totals;
  const history = 'history' in data.schedule ? data.schedule.history : [];
  return (
    <div class="contract">
      <section class="facts">
        <dl>
          <dt>客户</dt>
          <dd>{show.customer.name}</dd>
          <dt>电话</dt>
          <dd>{show.customer.phone ?? '—'}</dd>
          <dt>经销商</dt>
          <dd>{`${show.dealer} ${show.contract.dealerName}`}</dd>
          <dt>催收员</dt>
          <dd>{show.collector ?? '—'}</dd>
          <dt>状态</dt>
          <dd>{contractStatusName(show.status)}</dd>
          <dt>签约日期</dt>
          <dd>{show.contract.signDate ?? '—'}</dd>
          <dt>融资金额</dt>
          <dd>{money(show.contract.financedAmount)}</dd>
          <dt>设备</dt>
          <dd>{show.contract.machines.map((m) => `${m.serialNo}（${m.model}）`).join('，') || '—'}</dd>
        </dl>
        <p>
          <a href={href(`/contracts/${encodeURIComponent(show.contractNo)}/statement`, { dealer: show.dealer })}>对账单</a>
        </p>
      </section>
      <section class="cards">
        <div class="card">
          <div class="label">未还</div>
          <div class="figure">{money(t.outstanding)}</div>
        </div>
        <div class="card">
          <div class="label">逾期</div>
          <div class="figure">{money(t.overdue)}</div>
        </div>
        <div class="card">
          <div class="label">未还罚息</div>
          <div class="figure">{money(t.penaltyOutstanding)}</div>
        </div>
        <div class="card">
          <div class="label">预收余额</div>
          <div class="figure">{money(t.credit)}</div>
        </div>
      </section>
      <section>
        <h2>{`还款计划（截至 ${show.asOf}）`}</h2>
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th>期次</th>
                <th>类型</th>
                <th>到期日</th>
                <th class="num">应还</th>
                <th class="num">已还</th>
                <th class="num">未还</th>
                <th class="num">逾期天数</th>
                <th class="num">罚息</th>
                <th class="num">已还罚息</th>
                <th class="num">减免</th>
                <th class="num">未还罚息</th>
              </tr>
            </thead>
            <tbody>
              {show.lines.map((l) => (
                <tr>
                  <td>{l.seq}</td>
                  <td>{receivableTypeName(l.type)}</td>
                  <td>{l.dueDate}</td>
                  <td class="num">{money(l.amountDue)}</td>
                  <td class="num">{money(l.amountPaid)}</td>
                  <td class="num">{money(l.outstanding)}</td>
                  <td class={`num${l.overdueDays > 0 ? ' bad' : ''}`}>{l.overdueDays}</td>
                  <td class="num">{money(l.penaltyAccrued)}</td>
                  <td class="num">{money(l.penaltyPaid)}</td>
                  <td class="num">{money(l.penaltyWaived)}</td>
                  <td class="num">{money(l.penaltyOutstanding)}</td>
                </tr>
              ))}
              <tr class="total">
                <td colspan={3}>合计</td>
                <td class="num">{money(t.amountDue)}</td>
                <td class="num">{money(t.amountPaid)}</td>
                <td class="num">{money(t.outstanding)}</td>
                <td />
                <td class="num">{money(t.penaltyAccrued)}</td>
                <td class="num">{money(t.penaltyPaid)}</td>
                <td class="num">{money(t.penaltyWaived)}</td>
                <td class="num">{money(t.penaltyOutstanding)}</td>
              </tr>
            </tbody>
          </table>
        </div>
      </section>
      <section>
        <h2>收款</h2>
        {data.receipts.length === 0 ? (
          <p>暂无收款。</p>
        ) : (
          <div class="scroll">
            <table>
              <thead>
                <tr>
                  <th>单号</th>
                  <th>起息日</th>
                  <th class="num">金额</th>
                  <th>状态</th>
                  <th>登记人</th>
                </tr>
              </thead>
              <tbody>
                {data.receipts.map((r) => (
                  <tr>
                    <td>{r.number}</td>
                    <td>{r.valueDate ?? '—'}</td>
                    <td class="num">{money(r.amount)}</td>
                    <td>{documentStatusName(r.status)}</td>
                    <td>{r.author}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section>
        <h2>单据</h2>
        {data.documents.length === 0 ? (
          <p>暂无单据。</p>
        ) : (
          <div class="scroll">
            <table>
              <thead>
                <tr>
                  <th>单号</th>
                  <th>类型</th>
                  <th>日期</th>
                  <th class="num">金额</th>
                  <th>状态</th>
                  <th>经办人</th>
                  <th>说明</th>
                </tr>
              </thead>
              <tbody>
                {data.documents.map((d) => (
                  <tr>
                    <td>{d.status === 'submitted' ? <a href={`/approvals/${d.id}`}>{d.number}</a> : d.number}</td>
                    <td>{documentTypeName(d.type)}</td>
                    <td>{d.valueDate ?? '—'}</td>
                    <td class="num">{money(d.amount)}</td>
                    <td>{documentStatusName(d.status)}</td>
                    <td>{d.author}</td>
                    <td>{typeof d.data.reason === 'string' ? d.data.reason : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {data.archive ? <ArchiveSection data={data.archive} /> : null}
      <section>
        <h2>还款计划版本</h2>
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th>版本</th>
                <th>来源</th>
                <th>生效日</th>
                <th>原因</th>
              </tr>
            </thead>
            <tbody>
              {history.map((v) => (
                <tr>
                  <td>{v.version}</td>
                  <td>{v.source}</td>
                  <td>{v.effectiveFrom}</td>
                  <td>{v.reason ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section>
        <h2>审批</h2>
        {data.approvals.length === 0 ? <p>暂无审批。</p> : data.approvals.map((a) => <ApprovalSteps request={a} />)}
      </section>
      {data.audit ? (
        <section>
          <h2>操作记录</h2>
          <div class="scroll">
            <table>
              <thead>
                <tr>
                  <th>时间</th>
                  <th>操作人</th>
                  <th>操作</th>
                  <th>对象</th>
                </tr>
              </thead>
              <tbody>
                {data.audit.map((a) => (
                  <tr>
                    <td>{a.at}</td>
                    <td>{a.actor}</td>
                    <td>{a.action}</td>
                    <td>{`${a.entity} ${a.entityId ?? ''}`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </div>
  );
}

const REQUEST_STATUS: Record<string, string> = { pending: '审批中', approved: '已通过', rejected: '已驳回', withdrawn: '已撤回' };
const STEP_STATUS: Record<string, string> = {
  waiting: '待前序',
  pending: '待审批',
  approved: '同意',
  rejected: '驳回',
  skipped: '跳过',
};

export const requestStatusName = (status: string) => REQUEST_STATUS[status] ?? status;

/** A request's rule and its steps, with who decided and their comments. */
export function ApprovalSteps({ request }: { request: Output<'approval.show'> }) {
  return (
    <div class="request">
      <p>
        <a href={`/approvals/${request.documentId}`}>{request.number}</a> {documentTypeName(request.type)} {money(request.amount)} · 申请人{' '}
        {request.applicant} · {requestStatusName(request.status)}
      </p>
      <p class="rule">{`规则：${request.ruleId === null ? '无（直接生效）' : `#${request.ruleId} ${request.condition || '（无条件）'}`}`}</p>
      <ol class="steps">
        {request.steps.map((s) => (
          <li class={`step ${s.status}`}>
            {`${s.approver}：${STEP_STATUS[s.status] ?? s.status}`}
            {s.decidedBy ? `（${s.decidedBy} ${s.decidedAt ?? ''}）` : ''}
            {s.comment ? ` “${s.comment}”` : ''}
          </li>
        ))}
      </ol>
    </div>
  );
}
