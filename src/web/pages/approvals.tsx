// 审批: the requests waiting for the user (with the document, the rule and its steps; approve, or reject with
// a comment) and the user's own requests (withdraw one that waits).
import type { Output } from '../../app/run.js';
import { Csrf, contractHref, money } from '../routes/common.js';
import { ApprovalSteps, documentTypeName, requestStatusName } from './contracts.js';

type Request = Output<'approval.show'>;
type Document = Output<'doc.show'>;

export interface InboxItem {
  request: Request;
  /** null: the document is outside the user's scope (an approver by role may still decide the request) */
  document: Document | null;
}

/** What the document asks for, in a few words: its contract, date, amount and reason. */
function DocumentFacts({ document }: { document: Document }) {
  const reason = typeof document.data.reason === 'string' ? document.data.reason : null;
  return (
    <dl class="doc">
      <dt>合同</dt>
      <dd>{document.contractNo ? <a href={contractHref(document.contractNo, document.dealer)}>{document.contractNo}</a> : '—'}</dd>
      <dt>日期</dt>
      <dd>{document.valueDate ?? '—'}</dd>
      <dt>金额</dt>
      <dd>{money(document.amount)}</dd>
      <dt>经办人</dt>
      <dd>{document.author}</dd>
      {reason ? <dt>原因</dt> : null}
      {reason ? <dd>{reason}</dd> : null}
    </dl>
  );
}

export function DecisionForms({ id, csrf }: { id: number; csrf: string }) {
  return (
    <div class="decide">
      <form method="post" action={`/approvals/${id}/approve`}>
        <Csrf csrf={csrf} />
        <input type="text" name="comment" placeholder="意见（可选）" />
        <button type="submit" class="approve">
          同意
        </button>
      </form>
      <form method="post" action={`/approvals/${id}/reject`}>
        <Csrf csrf={csrf} />
        <input type="text" name="comment" placeholder="驳回理由（必填）" required />
        <button type="submit" class="reject">
          驳回
        </button>
      </form>
    </div>
  );
}

export function WithdrawForm({ id, csrf }: { id: number; csrf: string }) {
  return (
    <form method="post" action={`/approvals/${id}/withdraw`} class="decide">
      <Csrf csrf={csrf} />
      <button type="submit">撤回</button>
    </form>
  );
}

export function RequestCard({ item, csrf, decide }: { item: InboxItem; csrf: string; decide: boolean }) {
  return (
    <article class="card request-card">
      <h3>
        <a href={`/approvals/${item.request.documentId}`}>{`${documentTypeName(item.request.type)} ${item.request.number}`}</a>
      </h3>
      {item.document ? <DocumentFacts document={item.document} /> : null}
      <ApprovalSteps request={item.request} />
      {decide ? <DecisionForms id={item.request.documentId} csrf={csrf} /> : null}
    </article>
  );
}

export function ApprovalsPage(props: {
  inbox: InboxItem[];
  mine: Request[];
  csrf: string;
  notice?: string | undefined;
  error?: string | undefined;
}) {
  return (
    <div class="approvals">
      {props.notice ? <p class="notice ok">{props.notice}</p> : null}
      {props.error ? <p class="notice error">{props.error}</p> : null}
      <section>
        <h2>{`待我审批（${props.inbox.length}）`}</h2>
        {props.inbox.length === 0 ? (
          <p>没有等待您审批的申请。</p>
        ) : (
          props.inbox.map((item) => <RequestCard item={item} csrf={props.csrf} decide />)
        )}
      </section>
      <section>
        <h2>我的申请</h2>
        {props.mine.length === 0 ? (
          <p>您没有提交过申请。</p>
        ) : (
          <div class="scroll">
            <table>
              <thead>
                <tr>
                  <th>单号</th>
                  <th>类型</th>
                  <th class="num">金额</th>
                  <th>状态</th>
                  <th>提交时间</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {props.mine.map((r) => (
                  <tr>
                    <td>
                      <a href={`/approvals/${r.documentId}`}>{r.number}</a>
                    </td>
                    <td>{documentTypeName(r.type)}</td>
                    <td class="num">{money(r.amount)}</td>
                    <td>{requestStatusName(r.status)}</td>
                    <td>{r.createdAt}</td>
                    <td>{r.status === 'pending' ? <WithdrawForm id={r.documentId} csrf={props.csrf} /> : null}</td>
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

/** One request: the document, the rule and its steps; the forms the user may use on it. */
export function ApprovalPage(props: { item: InboxItem; csrf: string; decide: boolean; withdraw: boolean }) {
  return (
    <div class="approvals">
      <RequestCard item={props.item} csrf={props.csrf} decide={props.decide} />
      {props.withdraw ? <WithdrawForm id={props.item.request.documentId} csrf={props.csrf} /> : null}
      <p>
        <a href="/approvals">返回审批</a>
      </p>
    </div>
  );
}
