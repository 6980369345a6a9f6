// 拖机: the repossession documents in the user's scope — apply for one (staff), register an approved one and
// resell or return a repossessed machine (back office). Each form posts to the same actions as the CLI.
import type { Output } from '../../app/run.js';
import { documentStatusName } from '../../core/labels.js';
import { Csrf, contractHref, money } from '../routes/common.js';

type Document = Output<'doc.list'>[number];

export interface RepossessionRow {
  document: Document;
  /** The disposal of its machine, once resold or returned. */
  disposal: Document | null;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

function RegisterForm({ id, csrf }: { id: number; csrf: string }) {
  return (
    <form method="post" action={`/repossessions/${id}/register`} class="box">
      <Csrf csrf={csrf} />
      <label>
        拖机日期
        <input type="date" name="date" required />
      </label>
      <label>
        停放地点
        <input type="text" name="location" required />
      </label>
      <label>
        拖车单位/人
        <input type="text" name="towedBy" />
      </label>
      <label>
        拖车费（代垫）
        <input type="text" name="towingCost" inputmode="decimal" />
      </label>
      <label>
        停放费（代垫）
        <input type="text" name="storageCost" inputmode="decimal" />
      </label>
      <button type="submit">登记拖机</button>
    </form>
  );
}

function DisposeForm({ id, csrf }: { id: number; csrf: string }) {
  return (
    <form method="post" action={`/repossessions/${id}/dispose`} class="box">
      <Csrf csrf={csrf} />
      <label>
        处置方式
        <select name="disposition">
          <option value="resold">转售（价款作为收款入账，差额提交坏账）</option>
          <option value="returned">归还客户（须已还清）</option>
        </select>
      </label>
      <label>
        日期
        <input type="date" name="date" required />
      </label>
      <label>
        转售价款
        <input type="text" name="amount" inputmode="decimal" />
      </label>
      <label>
        买方
        <input type="text" name="buyer" />
      </label>
      <button type="submit">处置</button>
    </form>
  );
}

export function RepossessionsPage(props: {
  rows: RepossessionRow[];
  csrf: string;
  canRequest: boolean;
  backOffice: boolean;
  notice?: string | undefined;
  error?: string | undefined;
}) {
  return (
    <section>
      {props.notice ? <p class="notice">{props.notice}</p> : null}
      {props.error ? <p class="notice error">{props.error}</p> : null}
      {props.canRequest ? (
        <details>
          <summary>申请拖机</summary>
          <form method="post" action="/repossessions/request" class="box">
            <Csrf csrf={props.csrf} />
            <label>
              设备序列号
              <input type="text" name="serial" required />
            </label>
            <label>
              经销商代码（序列号重复时）
              <input type="text" name="dealer" />
            </label>
            <label>
              原因
              <input type="text" name="reason" required />
            </label>
            <label>
              申请日期
              <input type="date" name="date" required />
            </label>
            <button type="submit">提交申请</button>
          </form>
        </details>
      ) : null}
      {props.rows.length === 0 ? <p class="muted">暂无拖机单据。</p> : null}
      {props.rows.map(({ document: d, disposal }) => {
        const registration = (d.data.registration ?? null) as Record<string, unknown> | null;
        return (
          <article class="card">
            <h3>{`拖机 ${d.number} · 设备 ${text(d.data.serialNo)}`}</h3>
            <dl class="doc">
              <dt>合同</dt>
              <dd>{d.contractNo ? <a href={contractHref(d.contractNo, d.dealer)}>{d.contractNo}</a> : '—'}</dd>
              <dt>申请日期</dt>
              <dd>{d.valueDate ?? '—'}</dd>
              <dt>逾期金额</dt>
              <dd>{money(d.amount)}</dd>
              <dt>申请人</dt>
              <dd>{d.author}</dd>
              <dt>状态</dt>
              <dd>
                <a href={`/approvals/${d.id}`}>{documentStatusName(d.status)}</a>
              </dd>
              <dt>原因</dt>
              <dd>{text(d.data.reason)}</dd>
              {registration ? (
                <>
                  <dt>拖回</dt>
                  <dd>{`${text(registration.date)} ${text(registration.location)}${registration.towedBy ? ` · ${text(registration.towedBy)}` : ''}`}</dd>
                </>
              ) : null}
              {disposal ? (
                <>
                  <dt>处置</dt>
                  <dd>
                    {`${disposal.valueDate ?? ''} ${disposal.data.disposition === 'resold' ? `转售 ${money(disposal.amount)}` : '归还客户'}`}
                  </dd>
                </>
              ) : null}
            </dl>
            {props.backOffice && d.status === 'approved' ? <RegisterForm id={d.id} csrf={props.csrf} /> : null}
            {props.backOffice && d.status === 'completed' && !disposal ? <DisposeForm id={d.id} csrf={props.csrf} /> : null}
          </article>
        );
      })}
    </section>
  );
}
